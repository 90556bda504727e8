//! The benchmark: ocp-mock against the limit of this machine, in one run.
//!
//! `cargo bench --bench load` (or `bash benches/run.sh`, which installs wrk first):
//!
//! 1. load with wrk over keep-alive at 1 and 50 connections, side by side: a bare hyper server
//!    answering the documented 4 KB body from precomputed bytes (this machine's limit for the
//!    payload), then ocp-mock answering the documented DELETE with authentication and state on,
//!    every request creating a real task (1000 servers, cycled; `--task-pace time:0` and
//!    `--respawn-deleted` so each deleted server comes back);
//! 2. the time from process start to the first 200 (median of 11 starts);
//! 3. RSS after 100k and 1M deletes, and a soak of 1M mixed requests (deletes, polls, errors,
//!    admin calls) reporting RSS, open files and kept tasks;
//! 4. contract checks per second and signature checks (string to sign, HMAC, compare) per
//!    second, on one core.
//!
//! Every server is a child process started here on 127.0.0.1 and stopped by its PID; every
//! load phase is bounded in time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MOCK: &str = env!("CARGO_BIN_EXE_ocp-mock");
const EXAMPLE: &str = include_str!("../fixtures/delete-obproxy.json");
const ADMIN_BASIC: &str = "Basic YWRtaW46YWFBQTExX18=";
const DOCUMENTED_PATH: &str = "/api/v2/obproxy/clusters/1/obproxies/2";
const SERVERS: usize = 1000;
const PHASE: &str = "6s";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("bare-server") {
        bare_server();
        return;
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!(
            "wrk is not installed: run `bash benches/run.sh` (it installs wrk) or `apt-get install wrk`"
        );
        std::process::exit(2);
    }
    let dir = std::env::temp_dir().join(format!("ocp-mock-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let inventory = dir.join("inventory.json");
    std::fs::write(&inventory, big_inventory()).expect("write the inventory");
    let mock_script = dir.join("delete.lua");
    std::fs::write(&mock_script, delete_script()).expect("write the wrk script");
    let bare_script = dir.join("bare.lua");
    std::fs::write(&bare_script, bare_script_text()).expect("write the wrk script");

    println!("ocp-mock benchmark (wrk {PHASE} per phase, 127.0.0.1)\n");
    let mut rows = Vec::new();
    for (connections, threads) in [(1, 1), (50, 2)] {
        let bare = Server::start_bare();
        let b = wrk(&bare.addr, &bare_script, connections, threads, PHASE);
        drop(bare);
        let mock = Server::start_mock(&inventory);
        let m = wrk(&mock.addr, &mock_script, connections, threads, PHASE);
        drop(mock);
        rows.push((connections, b, m));
    }
    println!("| load | server | requests/s | p50 | p99 | non-2xx | ratio ocp-mock / bare |");
    println!("|---|---|---|---|---|---|---|");
    for (c, b, m) in &rows {
        println!(
            "| c={c} | bare hyper | {:.0} | {} | {} | {} | |",
            b.rps, b.p50, b.p99, b.non_2xx
        );
        println!(
            "| c={c} | ocp-mock | {:.0} | {} | {} | {} | **{:.2}x** |",
            m.rps,
            m.p50,
            m.p99,
            m.non_2xx,
            m.rps / b.rps
        );
    }

    let start = median_start_ms(11);
    println!("\nstart to first 200 (median of 11): {start:.1} ms");

    let deletes = soak(&inventory, &mock_script);
    println!(
        "deletes only: RSS {} kB at 100k requests, {} kB after {} (peak {} kB); {} non-2xx",
        deletes.rss_100k, deletes.rss_end, deletes.total, deletes.peak, deletes.non_2xx
    );
    let mixed_script = dir.join("mixed.lua");
    std::fs::write(&mixed_script, mixed_script_text()).expect("write the wrk script");
    let mixed = soak(&inventory, &mixed_script);
    println!(
        "soak, mixed (40% deletes, 30% polls, 20% errors, 10% admin): RSS {} kB at 100k, {} kB after {} (peak {} kB); open files {} before, {} after; tasks kept {}",
        mixed.rss_100k,
        mixed.rss_end,
        mixed.total,
        mixed.peak,
        mixed.fds_before,
        mixed.fds_after,
        mixed.tasks
    );

    let checks = contract_checks_per_second();
    println!("contract checks (schema + invariants, one core): {checks:.0}/s");
    let verifications = signature_verifications_per_second();
    println!(
        "AK/SK signature checks (string to sign, HMAC-SHA1, compare; one core): {verifications:.0}/s"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Cluster 1 with `SERVERS` OBProxy servers, one host each.
fn big_inventory() -> String {
    let hosts: Vec<String> = (1..=SERVERS)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "ip": "192.0.2.{}", "name": "h{i}"}}"#,
                i % 250 + 1
            )
        })
        .collect();
    let servers: Vec<String> = (1..=SERVERS)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "clusterId": 1, "hostId": {i}, "sqlPort": 2883, "exporterPort": 2884, "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"clusters": [{{"id": 1, "name": "test", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}}], "hosts": [{}], "obproxies": [{}]}}"#,
        hosts.join(","),
        servers.join(",")
    )
}

/// Gives each wrk thread its own starting point in the server ids (`counter`), so no two
/// requests in flight name the same server and every DELETE creates a task.
fn thread_offsets() -> String {
    format!(
        r#"local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end
function init(args)
  counter = tid * {half}
  auth = {{ ["Authorization"] = "{ADMIN_BASIC}" }}
end
"#,
        half = SERVERS / 2
    )
}

fn delete_script() -> String {
    thread_offsets()
        + &format!(
            r#"request = function()
  counter = counter + 1
  local id = counter % {SERVERS} + 1
  return wrk.format("DELETE", "/api/v2/obproxy/clusters/1/obproxies/" .. id, auth)
end
"#
        )
}

fn bare_script_text() -> String {
    thread_offsets()
        + &format!(
            r#"request = function()
  return wrk.format("DELETE", "{DOCUMENTED_PATH}", auth)
end
"#
        )
}

/// A server child process, stopped by its PID when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(mut command: Command, from_stderr: bool) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a server");
        let line = if from_stderr {
            let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
            let first = lines.next().expect("a start-up line").expect("utf-8");
            std::thread::spawn(move || for _ in lines {});
            first
        } else {
            let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
            lines.next().expect("a start-up line").expect("utf-8")
        };
        let addr = line
            .rsplit("http://")
            .next()
            .expect("an address")
            .to_owned();
        Self { child, addr }
    }

    fn start_bare() -> Self {
        let mut c = Command::new(std::env::current_exe().expect("this program"));
        c.arg("bare-server");
        Self::start(c, false)
    }

    fn start_mock(inventory: &std::path::Path) -> Self {
        let mut c = Command::new(MOCK);
        c.args(["serve", "--addr", "127.0.0.1:0", "--quiet"])
            .args(["--task-pace", "time:0", "--respawn-deleted"])
            .arg("--inventory")
            .arg(inventory);
        Self::start(c, true)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A figure of the mock's `GET /__mock/health` (`requests`, `tasks`).
    fn health(&self, field: &str) -> u64 {
        let reply = http(&self.addr, "GET", "/__mock/health").unwrap_or_default();
        let body = reply.split("\r\n\r\n").nth(1).unwrap_or("{}");
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        v["data"][field].as_u64().unwrap_or(0)
    }

    fn health_requests(&self) -> u64 {
        self.health("requests")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a fresh connection; the whole answer as text.
fn http(addr: &str, method: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {ADMIN_BASIC}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    Some(text)
}

#[derive(Debug, Default)]
struct Load {
    rps: f64,
    p50: String,
    p99: String,
    non_2xx: u64,
}

fn wrk(
    addr: &str,
    script: &std::path::Path,
    connections: u32,
    threads: u32,
    duration: &str,
) -> Load {
    let out = Command::new("wrk")
        .args(["-t", &threads.to_string(), "-c", &connections.to_string()])
        .args(["-d", duration, "--latency", "-s"])
        .arg(script)
        .arg(format!("http://{addr}"))
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut load = Load::default();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => load.rps = v.parse().unwrap_or(0.0),
            ["50%", v] => load.p50 = (*v).to_owned(),
            ["99%", v] => load.p99 = (*v).to_owned(),
            ["Non-2xx", "or", "3xx", "responses:", v] => load.non_2xx = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    load
}

/// Process start to the first 200 of the documented call.
fn median_start_ms(runs: usize) -> f64 {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let server = {
            let mut c = Command::new(MOCK);
            c.args(["serve", "--addr", "127.0.0.1:0", "--quiet"]);
            Server::start(c, true)
        };
        loop {
            let reply = http(&server.addr, "DELETE", DOCUMENTED_PATH).unwrap_or_default();
            if reply.starts_with("HTTP/1.1 200") {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no 200 within 10 s"
            );
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[derive(Debug, Default)]
struct Soak {
    rss_100k: u64,
    rss_end: u64,
    peak: u64,
    total: u64,
    non_2xx: u64,
    fds_before: usize,
    fds_after: usize,
    tasks: u64,
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// Drives one mock past 1M requests in bounded chunks (at most 60 of 3 s): RSS at 100k and at
/// the end, the peak, open files before and after, and the tasks it keeps.
fn soak(inventory: &std::path::Path, script: &std::path::Path) -> Soak {
    let mock = Server::start_mock(inventory);
    let mut soak = Soak {
        fds_before: open_files(mock.pid()),
        ..Soak::default()
    };
    for _ in 0..60 {
        let load = wrk(&mock.addr, script, 50, 2, "3s");
        soak.non_2xx += load.non_2xx;
        let total = mock.health_requests();
        if soak.rss_100k == 0 && total >= 100_000 {
            soak.rss_100k = rss_kb(mock.pid(), "VmRSS:");
        }
        if total >= 1_000_000 {
            break;
        }
    }
    // wrk has closed its connections; give the mock up to 3 s to notice each close.
    for _ in 0..30 {
        if open_files(mock.pid()) <= soak.fds_before {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    soak.total = mock.health_requests();
    soak.rss_end = rss_kb(mock.pid(), "VmRSS:");
    soak.peak = rss_kb(mock.pid(), "VmHWM:");
    soak.fds_after = open_files(mock.pid());
    soak.tasks = mock.health("tasks");
    soak
}

/// Deletes, task polls, errors (a malformed id, an unknown cluster) and admin calls.
fn mixed_script_text() -> String {
    thread_offsets()
        + &format!(
            r#"request = function()
  counter = counter + 1
  local k = counter % 10
  if k < 4 then
    return wrk.format("DELETE", "/api/v2/obproxy/clusters/1/obproxies/" .. (counter % {SERVERS} + 1), auth)
  elseif k < 7 then
    return wrk.format("GET", "/api/v2/tasks/instances/" .. (33149 + counter % 5000), auth)
  elseif k == 7 then
    return wrk.format("DELETE", "/api/v2/obproxy/clusters/1/obproxies/x" .. counter, auth)
  elseif k == 8 then
    return wrk.format("GET", "/api/v2/obproxy/clusters/77", auth)
  else
    return wrk.format("GET", "/__mock/health")
  end
end
"#
        )
}

/// Repeats `f` for about two seconds; calls per second.
fn per_second(mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn contract_checks_per_second() -> f64 {
    use ocp_mock::contract::{Contract, Expect};
    let body: serde_json::Value = serde_json::from_str(EXAMPLE).expect("the example");
    let contract = Contract::global();
    per_second(|| {
        let v = contract.check_response(200, std::hint::black_box(&body), Expect::NewTask);
        assert!(v.is_empty());
    })
}

/// What checking one signed request costs: the string to sign rebuilt from the request's parts,
/// its HMAC-SHA1 under the secret, and the constant-time compare with the signature sent.
fn signature_verifications_per_second() -> f64 {
    use ocp_mock::signature::{SignedParts, Variant, constant_time_eq, sign, string_to_sign};

    let secret = "2fc0c299cc94c6be266f2ceece765d4d";
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let parts = SignedParts {
        method: "DELETE",
        content_type: "application/json",
        date: &date,
        host: "127.0.0.1:8080",
        path: DOCUMENTED_PATH,
        ..SignedParts::default()
    };
    let sent = sign(secret, &string_to_sign(&parts, Variant::PLAIN));
    per_second(|| {
        let parts = std::hint::black_box(&parts);
        let expected = sign(secret, &string_to_sign(parts, Variant::PLAIN));
        assert!(constant_time_eq(expected.as_bytes(), sent.as_bytes()));
    })
}

/// The limit of this machine for this payload: hyper answering precomputed bytes.
fn bare_server() {
    use http_body_util::Full;
    use hyper::body::Bytes;
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;

    let body = Bytes::from(
        serde_json::from_str::<serde_json::Value>(EXAMPLE)
            .expect("the example")
            .to_string(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!(
            "bare listening on http://{}",
            listener.local_addr().expect("addr")
        );
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let body = body.clone();
                    async move {
                        let mut res = hyper::Response::new(Full::new(body));
                        res.headers_mut().insert(
                            hyper::header::CONTENT_TYPE,
                            hyper::header::HeaderValue::from_static("application/json"),
                        );
                        Ok::<_, std::convert::Infallible>(res)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
