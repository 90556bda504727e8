//! The binary: flags, environment twins, errors and graceful shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{ADMIN_BASIC, DOCUMENTED_PATH, documented_example, parse_reply};

const BIN: &str = env!("CARGO_BIN_EXE_ocp-mock");

/// Starts `ocp-mock serve` on a free port; returns the child and the address it printed.
fn spawn_serve(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
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

/// Environment variables for one run.
type Env<'a> = &'a [(&'a str, &'a str)];

fn run_failing(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run the binary");
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn bad_arguments_get_a_message_and_exit_2() {
    let cases: &[(&[&str], Env, &str)] = &[
        (
            &["serve", "--clock", "sundial"],
            &[],
            "--clock: unknown clock \"sundial\"",
        ),
        (&["serve", "--bogus"], &[], "unknown option \"--bogus\""),
        (&["serve", "--addr"], &[], "--addr needs a value"),
        (
            &["serve"],
            &[("OCP_MOCK_ADDR", "nowhere")],
            "--addr: \"nowhere\" is not HOST:PORT",
        ),
        (
            &["serve", "--seed", "12ab"],
            &[],
            "--seed: \"12ab\" is not a 64-bit number",
        ),
        (
            &["serve", "--error-code", "roman"],
            &[],
            "unknown error code style \"roman\"",
        ),
        (
            &["serve", "--inventory", "/nonexistent/inventory.json"],
            &[],
            "cannot read /nonexistent/inventory.json",
        ),
        (&["launch"], &[], "unknown command \"launch\""),
        (&[], &[], "no command given"),
    ];
    for (args, env, expected) in cases {
        let stderr = run_failing(args, env);
        assert!(stderr.starts_with("ocp-mock: "), "{stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_broken_inventory_file_is_refused_with_its_place() {
    let dir = std::env::temp_dir().join(format!("ocp-mock-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("inventory.json");
    std::fs::write(
        &file,
        r#"{"clusters": [], "hosts": [], "obproxies": [{"id": 1, "clusterId": 1, "hostId": 1, "sqlPort": 2883, "exporterPort": 2884, "version": "4", "status": "RUNNING", "operateStatus": "NORMAL"}]}"#,
    )
    .unwrap();
    let stderr = run_failing(&["serve", "--inventory", file.to_str().unwrap()], &[]);
    assert!(stderr.contains("/obproxies/0/clusterId"), "{stderr}");
    assert!(stderr.contains("no cluster 1"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_lists_every_flag_and_exits_0() {
    let out = Command::new(BIN).arg("--help").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--addr",
        "--seed",
        "--clock",
        "--server-name",
        "--executor",
        "--error-code",
        "--inventory",
        "--quiet",
    ] {
        assert!(text.contains(flag), "{flag}");
    }
}
