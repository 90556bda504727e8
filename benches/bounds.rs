//! Bounds under attack, measured: `cargo bench --bench bounds` (release build, 127.0.0.1 only,
//! every phase bounded in time; the mock is a child process stopped by its PID).
//!
//! 1. a 404 sent while ten `GET /api/v2/obproxy/clusters?size=2000` run over a
//!    100,000-server inventory (2,000 clusters × 50 servers): how long it waits;
//! 2. a thousand connections each sending 400 KB of request head without its end: the mock's
//!    RSS while they are sent and after they close, against the limit's product (connections ×
//!    the head buffer, 72 KiB under default limits).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MOCK: &str = env!("CARGO_BIN_EXE_ocp-mock");
const ADMIN_BASIC: &str = "Basic YWRtaW46YWFBQTExX18=";
const CLUSTERS: usize = 2000;
const SERVERS_PER_CLUSTER: usize = 50;
const LISTS: usize = 10;
const HEADS: usize = 1000;
const HEAD_BYTES: usize = 400 * 1024;
/// The head buffer under default limits: 8 KiB target + 16 KiB headers + 1 KiB, at least 72 KiB.
const HEAD_BUFFER: usize = 72 * 1024;

fn main() {
    let dir = std::env::temp_dir().join(format!("ocp-mock-bounds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let inventory = dir.join("inventory.json");
    let text = inventory_text();
    std::fs::write(&inventory, &text).expect("write the inventory");
    println!("ocp-mock bounds (127.0.0.1)\n");
    work_under_the_lock(&text);
    lists_and_a_404(&inventory);
    unfinished_heads(HEAD_BYTES, "400 KB heads (cut at the buffer)");
    unfinished_heads(
        HEAD_BUFFER - 2048,
        "70 KiB heads (just under the buffer), all held open",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// 2,000 clusters of 50 servers, each server on its own host.
fn inventory_text() -> String {
    let total = CLUSTERS * SERVERS_PER_CLUSTER;
    let clusters: Vec<String> = (1..=CLUSTERS)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "name": "c{i}", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}}"#
            )
        })
        .collect();
    let hosts: Vec<String> = (1..=total)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "ip": "10.{}.{}.{}", "name": "h{i}"}}"#,
                i >> 16,
                (i >> 8) & 255,
                i & 255
            )
        })
        .collect();
    let servers: Vec<String> = (1..=total)
        .map(|i| {
            let cluster = (i - 1) / SERVERS_PER_CLUSTER + 1;
            format!(
                r#"{{"id": {i}, "clusterId": {cluster}, "hostId": {i}, "sqlPort": 2883, "exporterPort": 2884, "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"clusters": [{}], "hosts": [{}], "obproxies": [{}]}}"#,
        clusters.join(","),
        hosts.join(","),
        servers.join(",")
    )
}

/// What a size=2000 cluster page does under the state lock: take its clusters' views.
fn work_under_the_lock(text: &str) {
    let inventory = ocp_mock::Inventory::parse(text).expect("the generated inventory is valid");
    let mut times: Vec<f64> = (0..11)
        .map(|_| {
            let started = Instant::now();
            let views: Vec<_> = inventory
                .clusters()
                .take(2000)
                .filter_map(|c| inventory.cluster_view(c))
                .collect();
            let took = ms(started.elapsed());
            drop(views);
            took
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "a size=2000 cluster page under the state lock (views of 2000 clusters, 100,000 servers): {:.1} ms (median of 11)",
        times[5]
    );
}

/// A mock child process on 127.0.0.1, killed on drop.
struct Mock {
    child: Child,
    addr: String,
}

impl Mock {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(MOCK)
            .args(["serve", "--addr", "127.0.0.1:0", "--quiet"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the mock");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let line = lines.next().expect("the address line").expect("utf-8");
        std::thread::spawn(move || for _ in lines {});
        let addr = line
            .rsplit("http://")
            .next()
            .expect("an address")
            .trim()
            .to_owned();
        Self { child, addr }
    }

    /// Resident memory in MiB, from /proc.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a fresh connection: the status and how long the whole answer took.
fn timed(addr: &str, path: &str) -> (u16, Duration, usize) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: mock\r\nAuthorization: {ADMIN_BASIC}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let status = std::str::from_utf8(answer.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed(), answer.len())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn lists_and_a_404(inventory: &std::path::Path) {
    let mock = Mock::start(&["--inventory", inventory.to_str().expect("a UTF-8 path")]);
    let addr = mock.addr.clone();
    let mut quiet: Vec<f64> = (0..20)
        .map(|_| ms(timed(&addr, "/api/v2/nope").1))
        .collect();
    quiet.sort_by(f64::total_cmp);
    let (status, alone, bytes) = timed(&addr, "/api/v2/obproxy/clusters?size=2000");
    assert_eq!(status, 200, "the list answers");
    println!(
        "cluster list, size=2000 of {CLUSTERS} clusters × {SERVERS_PER_CLUSTER} servers: {:.0} ms alone, {:.1} MB",
        ms(alone),
        bytes as f64 / 1e6
    );
    let lists: Vec<_> = (0..LISTS)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || timed(&addr, "/api/v2/obproxy/clusters?size=2000"))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(20));
    let mut during = Vec::new();
    while lists.iter().any(|l| !l.is_finished()) && during.len() < 400 {
        let (status, took, _) = timed(&addr, "/api/v2/nope");
        assert_eq!(status, 404);
        during.push(ms(took));
        std::thread::sleep(Duration::from_millis(10));
    }
    let list_times: Vec<f64> = lists
        .into_iter()
        .map(|l| ms(l.join().expect("a list").1))
        .collect();
    during.sort_by(f64::total_cmp);
    let p90 = during.get(during.len() * 9 / 10).copied().unwrap_or(0.0);
    let slowest_list = list_times.iter().copied().fold(0.0, f64::max);
    println!(
        "a 404 alone: p50 {:.2} ms; while {LISTS} such lists ran ({:.0} ms for all of them): {} 404s, p50 {:.2} ms, p90 {p90:.2} ms, max {:.2} ms",
        quiet[quiet.len() / 2],
        slowest_list,
        during.len(),
        during.get(during.len() / 2).copied().unwrap_or(0.0),
        during.last().copied().unwrap_or(0.0),
    );
}

/// A thousand connections, each sending `bytes` of a head that never ends.
fn unfinished_heads(bytes: usize, what: &str) {
    let mock = Mock::start(&["--max-connections", "2000"]);
    let before = mock.rss_mib();
    let started = Instant::now();
    let filler = vec![b'a'; 16 * 1024];
    let mut streams = Vec::new();
    let mut peak = before;
    for _ in 0..HEADS {
        let mut s = TcpStream::connect(&mock.addr).expect("connect");
        s.set_write_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let _ = s.write_all(b"GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mock\r\nX-Big: ");
        let mut sent = 0;
        // The mock answers 431 and closes once the head passes its buffer: writes then fail.
        while sent < bytes {
            let chunk = filler.len().min(bytes - sent);
            if s.write_all(&filler[..chunk]).is_err() {
                break;
            }
            sent += chunk;
        }
        streams.push(s);
        if streams.len() % 100 == 0 {
            peak = peak.max(mock.rss_mib());
        }
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    peak = peak.max(mock.rss_mib());
    let held = streams.len();
    drop(streams);
    std::thread::sleep(Duration::from_secs(1));
    let after = mock.rss_mib();
    println!(
        "{held} unfinished {what}: RSS {before:.1} MiB before, peak {peak:.1} MiB while sent, {after:.1} MiB after they closed; the limit's product {held} × {} KiB = {:.1} MiB",
        HEAD_BUFFER / 1024,
        (held * HEAD_BUFFER) as f64 / (1024.0 * 1024.0)
    );
}
