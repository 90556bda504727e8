//! The binary: flags, environment twins, errors and graceful shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{ADMIN_BASIC, ChildGuard, DOCUMENTED_PATH, documented_example, parse_reply};

mod args;
mod first_hour;

const BIN: &str = env!("CARGO_BIN_EXE_ocp-mock");

/// The binary with no `OCP_MOCK_*` variable of the developer's environment.
fn binary() -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OCP_MOCK_") {
            command.env_remove(name);
        }
    }
    command
}

/// Starts `ocp-mock serve` on a free port; returns the child and the address it printed.
fn spawn_serve(args: &[&str], env: &[(&str, &str)]) -> (ChildGuard, String) {
    let mut child = binary()
        .arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map(ChildGuard)
        .expect("start the binary");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().expect("a start-up line").expect("utf-8");
    let addr = first
        .rsplit("http://")
        .next()
        .expect("address in the start-up line")
        .to_owned();
    // Keep draining stderr so the request log never blocks the child.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// Like [`spawn_serve`], also handing back every stderr line printed so far.
fn spawn_serve_logged(args: &[&str]) -> (ChildGuard, String, Arc<Mutex<Vec<String>>>) {
    let mut child = binary()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map(ChildGuard)
        .expect("start the binary");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a start-up line").expect("utf-8");
    let addr = first.rsplit("http://").next().expect("address").to_owned();
    let log = Arc::new(Mutex::new(vec![first]));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    (child, addr, log)
}

fn send(addr: &str, request: &str) -> crate::support::Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).expect("read");
    parse_reply(&buf)
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

fn wait_with_timeout(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..100 {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the mock did not stop within 5 s");
}

#[test]
fn serve_answers_the_documented_call_and_stops_on_sigterm_with_exit_0() {
    let (mut child, addr) = spawn_serve(&[], &[]);
    let reply = send(
        &addr,
        &format!(
            "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
        ),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), documented_example());
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
}

/// The signal handlers are in place once the address is announced: a SIGTERM right after the
/// first answer (before the accept loop may have looked at its shutdown future) is a graceful
/// stop, never a kill by the signal.
#[test]
fn sigterm_right_after_the_first_answer_stops_the_mock_gracefully() {
    for _ in 0..10 {
        let (mut child, addr) = spawn_serve(&["--quiet"], &[]);
        let reply = send(
            &addr,
            &format!(
                "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
            ),
        );
        assert_eq!(reply.status, 200);
        terminate(&child);
        let status = wait_with_timeout(&mut child);
        assert_eq!(status.code(), Some(0), "{status}");
    }
}

#[test]
fn a_request_in_flight_at_sigterm_is_answered_before_exit() {
    let (mut child, addr) = spawn_serve(&[], &[]);
    let mut stream = TcpStream::connect(&addr).expect("connect");
    // The request line and headers are sent, the final blank line is not: the request is open.
    write!(
        stream,
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {ADMIN_BASIC}\r\n"
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    terminate(&child);
    std::thread::sleep(Duration::from_millis(200));
    stream.write_all(b"\r\n").unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).expect("read");
    let reply = parse_reply(&buf);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), documented_example());
    assert!(wait_with_timeout(&mut child).success());
}

#[test]
fn every_flag_has_an_environment_twin() {
    let (mut child, addr) = spawn_serve(
        &["--quiet"],
        &[
            ("OCP_MOCK_ERROR_CODE", "string"),
            ("OCP_MOCK_SERVER_NAME", "from-env"),
            ("OCP_MOCK_SEED", "0x10"),
        ],
    );
    let reply = send(
        &addr,
        &format!(
            "DELETE /api/v2/obproxy/clusters/1/obproxies/42 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
        ),
    );
    let body = reply.json();
    assert_eq!(body["error"]["code"], "ODP21002");
    assert_eq!(body["server"], "from-env");
    assert_eq!(body["traceId"], "0000000000000010");
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
}

#[test]
fn a_flag_wins_over_its_environment_twin() {
    let (mut child, addr) = spawn_serve(
        &["--server-name", "from-flag"],
        &[("OCP_MOCK_SERVER_NAME", "from-env")],
    );
    let reply = send(
        &addr,
        &format!(
            "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
        ),
    );
    assert_eq!(reply.json()["server"], "from-flag");
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
}

#[test]
fn the_request_log_has_one_line_per_request_and_no_credentials() {
    let (mut child, addr, log) = spawn_serve_logged(&[]);
    let token = "YWRtaW46YWFBQTExX18=";
    send(
        &addr,
        &format!(
            "DELETE {DOCUMENTED_PATH}?password=hunter2 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Basic {token}\r\n\r\n"
        ),
    );
    send(
        &addr,
        &format!(
            "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Basic bm9ib2R5Om5vcGU=\r\n\r\n"
        ),
    );
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
    std::thread::sleep(Duration::from_millis(100));
    let lines = log.lock().unwrap().clone();
    let requests: Vec<&String> = lines.iter().filter(|l| l.contains("traceId=")).collect();
    assert_eq!(requests.len(), 2, "{lines:#?}");
    assert!(
        requests[0].starts_with(&format!("DELETE {DOCUMENTED_PATH} 200 ")),
        "{}",
        requests[0]
    );
    assert!(
        requests[0].ends_with("ms traceId=0fda4c74b7a84932"),
        "{}",
        requests[0]
    );
    assert!(
        requests[1].starts_with("GET /api/v2/obproxy/clusters/1 401 "),
        "{}",
        requests[1]
    );
    let all = lines.join("\n");
    for secret in [token, "bm9ib2R5Om5vcGU=", "hunter2"] {
        assert!(!all.contains(secret), "{secret} leaked into the log");
    }
    assert!(
        all.contains("Basic user admin:aaAA11__ (admin)"),
        "the defaults are announced"
    );
}

#[test]
fn the_readme_signing_script_gets_the_documented_example() {
    let script = include_str!("../scripts/ocp_sign.py");
    let readme = include_str!("../README.md");
    let body_start = script
        .find("def string_to_sign")
        .expect("the signing function");
    let function = &script[body_start..script.find("def main").expect("main")];
    assert!(
        readme.contains(function.trim()),
        "README quotes scripts/ocp_sign.py's signing function"
    );

    let (mut child, addr) = spawn_serve(&["--quiet"], &[]);
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/ocp_sign.py"))
        .args(["DELETE", &format!("http://{addr}{DOCUMENTED_PATH}")])
        .output()
        .expect("python3 runs the script");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(body, documented_example());
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/ocp_sign.py"))
        .args([
            "GET",
            &format!("http://{addr}/api/v2/obproxy/clusters?size=1&page=2&q=a%20b&q=c,d"),
        ])
        .output()
        .expect("python3 runs the script");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/ocp_sign.py"))
        .args(["DELETE", &format!("http://{addr}{DOCUMENTED_PATH}")])
        .env("OCP_SK", "not-the-secret")
        .output()
        .expect("python3 runs the script");
    assert_eq!(out.status.code(), Some(1), "a wrong secret is refused");
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
}

/// Reads one response off a keep-alive stream: `Some(status)` for a whole answer (body as long
/// as its Content-Length), `None` when the connection was refused or closed before one began.
/// A truncated answer panics.
fn read_one(stream: &mut TcpStream) -> Option<u16> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ if buf.is_empty() => return None,
            _ => panic!("truncated head: {:?}", String::from_utf8_lossy(&buf)),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("a content-length");
    let mut body = vec![0u8; length];
    stream
        .read_exact(&mut body)
        .expect("a whole body, never a truncated one");
    serde_json::from_slice::<serde_json::Value>(&body).expect("a JSON body");
    head.split(' ').nth(1).and_then(|s| s.parse().ok())
}

#[test]
fn sigterm_under_load_finishes_answers_refuses_new_connections_and_exits_0() {
    let (mut child, addr) = spawn_serve(
        &["--quiet", "--task-pace", "time:0", "--respawn-deleted"],
        &[],
    );
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|n| {
            let (addr, stop) = (addr.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut answered, mut refused) = (0u32, 0u32);
                // Bounded: at most 2,000 requests per client, and it stops once told to.
                for i in 0..2000 {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) && i % 50 == 0 {
                        break;
                    }
                    let Ok(mut stream) = TcpStream::connect(&addr) else {
                        refused += 1;
                        continue;
                    };
                    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                    let path = match i % 3 {
                        0 => format!("/api/v2/obproxy/clusters/1/obproxies/{}", n % 4 + 1),
                        1 => "/api/v2/obproxy/clusters/1".to_owned(),
                        _ => "/api/v2/tasks/instances/33149".to_owned(),
                    };
                    let method = if i % 3 == 0 { "DELETE" } else { "GET" };
                    let req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n");
                    if stream.write_all(req.as_bytes()).is_err() {
                        refused += 1;
                        continue;
                    }
                    match read_one(&mut stream) {
                        Some(status) => {
                            assert!(status < 500, "status {status}");
                            answered += 1;
                        }
                        None => refused += 1,
                    }
                }
                (answered, refused)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    terminate(&child);
    let status = wait_with_timeout(&mut child);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(status.success(), "exit 0 after SIGTERM under load");
    let (mut answered, mut refused) = (0, 0);
    for c in clients {
        let (a, r) = c.join().expect("no client saw a truncated answer");
        answered += a;
        refused += r;
    }
    assert!(answered > 0, "the mock answered before it stopped");
    assert!(refused > 0, "connections after the stop were refused");
    assert!(TcpStream::connect(&addr).is_err());
}

#[test]
fn listening_on_all_interfaces_with_default_credentials_warns() {
    let (mut child, _addr, log) = spawn_serve_logged(&["--addr", "0.0.0.0:0", "--quiet"]);
    std::thread::sleep(Duration::from_millis(200));
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
    std::thread::sleep(Duration::from_millis(100));
    let all = log.lock().unwrap().join("\n");
    assert!(
        all.contains("warning: the admin API (/__mock/, no credentials) is reachable"),
        "{all}"
    );
    assert!(
        all.contains("warning: listening on all interfaces while a published default identity"),
        "{all}"
    );
}

#[test]
fn a_stderr_nobody_reads_never_stops_the_mock() {
    // The pipe is kept open and never read after the start-up line: once its buffer (64 KiB on
    // Linux) is full, a log written in line would block every request.
    let mut child = binary()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map(ChildGuard)
        .expect("start the binary");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    stderr.read_line(&mut first).expect("a start-up line");
    let addr = first
        .trim()
        .rsplit("http://")
        .next()
        .expect("address")
        .to_owned();
    let request = format!(
        "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mock\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
    );
    let mut stream = TcpStream::connect(&addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    // About 60 bytes of log per request: 3,000 requests are three times what the pipe holds.
    for n in 0..3000 {
        stream.write_all(request.as_bytes()).expect("send");
        let status = read_answer(&mut reader).unwrap_or_else(|e| panic!("request {n}: {e}"));
        assert_eq!(status, 200, "request {n}");
    }
    drop(stderr);
}

/// Reads one keep-alive answer (head and `Content-Length` body); its status.
fn read_answer(reader: &mut BufReader<TcpStream>) -> std::io::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(status)
}

/// `--ocp-version` and its variable pick the profile the binary answers as: `/api/v2/info`
/// names it, and the 4.3.5 POST exists only under 4.3.5.
#[test]
fn the_binary_answers_as_the_ocp_version_asked_for_by_flag_or_variable() {
    let info = "GET /api/v2/info HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\
                Authorization: Basic YWRtaW46YWFBQTExX18=\r\n\r\n";
    let post = "POST /api/v2/obproxy/clusters/1/servers/delete HTTP/1.1\r\nHost: m\r\n\
                Connection: close\r\nAuthorization: Basic YWRtaW46YWFBQTExX18=\r\n\
                Content-Length: 24\r\n\r\n{\"obproxyServerIds\":[2]}";
    // Arguments, variables, the version `/info` names, the POST's status.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str, u16);
    let cases: [Case; 3] = [
        (&[], &[], "4.3.4", 404),
        (&["--ocp-version", "3.1.1"], &[], "3.1.1", 404),
        (&[], &[("OCP_MOCK_OCP_VERSION", "V4.3.5")], "4.3.5", 200),
    ];
    for (args, env, version, post_status) in cases {
        let (child, addr) = spawn_serve(args, env);
        let reply = send(&addr, info);
        assert_eq!(reply.json()["buildVersion"], version, "{args:?} {env:?}");
        assert_eq!(send(&addr, post).status, post_status, "{args:?} {env:?}");
        drop(child); // the guard stops the child
    }
}

/// The threads of process `pid` that tokio named for its workers.
fn tokio_workers(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("the child's threads")
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
        .filter(|name| name.starts_with("tokio-"))
        .count()
}

#[test]
fn tokio_s_own_variable_sets_the_worker_threads_unless_the_flag_does() {
    for (args, expected) in [(&[][..], 3), (&["--worker-threads", "2"][..], 2)] {
        let (child, _addr) = spawn_serve(args, &[("TOKIO_WORKER_THREADS", "3")]);
        assert_eq!(tokio_workers(child.id()), expected, "{args:?}");
    }
}
