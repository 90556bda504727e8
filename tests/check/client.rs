//! The checker's client on the wire: raw TCP servers on 127.0.0.1 answer what each test writes
//! (a chunked body, a body over the limit, silence, garbage) or record what a target behind a
//! path prefix is sent. Every server serves a fixed number of connections and gives up after a
//! few seconds, so a failing client cannot hang the suite.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use ocp_mock::check::{CheckError, CheckOptions, Checker, Credentials, Outcome, ProbeResult};
use sha1::Sha1;

use super::canned::{self, Target};
use super::drifted;

/// How long a server waits for a connection, or for the client to send or hang up.
const PATIENCE: Duration = Duration::from_secs(5);

/// The unknown-task probe's request target: one GET, answered 404 by a faithful OCP.
const UNKNOWN_TASK: &str = "/api/v2/tasks/instances/9223372036854775807";

/// A server on 127.0.0.1:0 that answers `connections` connections, one request each.
struct Wire {
    address: SocketAddr,
    /// The request heads received, in order.
    heads: JoinHandle<Vec<String>>,
}

impl Wire {
    /// `answer` writes whatever it likes for the connection's `n`th request head.
    fn serve(connections: usize, answer: impl Fn(usize, &mut TcpStream) + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("a local address");
        let heads = std::thread::spawn(move || {
            let mut heads = Vec::new();
            for n in 0..connections {
                let Some(mut stream) = accept(&listener) else {
                    break;
                };
                heads.push(read_head(&mut stream));
                answer(n, &mut stream);
            }
            heads
        });
        Self { address, heads }
    }

    fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The request heads, once the server is done.
    fn heads(self) -> Vec<String> {
        self.heads.join().expect("the server thread does not panic")
    }
}

/// The next connection, or None once `PATIENCE` has passed without one.
fn accept(listener: &TcpListener) -> Option<TcpStream> {
    listener.set_nonblocking(true).ok()?;
    let give_up = Instant::now() + PATIENCE;
    while Instant::now() < give_up {
        if let Ok((stream, _)) = listener.accept() {
            stream.set_nonblocking(false).ok()?;
            stream.set_read_timeout(Some(PATIENCE)).ok()?;
            stream.set_write_timeout(Some(PATIENCE)).ok()?;
            return Some(stream);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// The request head, up to the blank line (at most 64 KiB).
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn options(uri: String) -> CheckOptions {
    let mut options = CheckOptions::new(uri, Credentials::basic("admin", "aaAA11__"));
    options.timeout = PATIENCE;
    options
}

fn unknown_task(options: &CheckOptions) -> Result<ProbeResult, CheckError> {
    Checker::new(options)
        .expect("a valid target")
        .unknown_task()
}

/// OCP's 404 for an unknown task, as JSON bytes.
fn task_not_found() -> Vec<u8> {
    canned::error(404, 10001, "Task does not exist").body
}

#[test]
fn a_chunked_answer_is_joined_before_it_is_judged() {
    let wire = Wire::serve(1, |_, stream| {
        let body = task_not_found();
        let (first, rest) = body.split_at(10);
        let mut raw = b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\
            Transfer-Encoding: chunked\r\n\r\n"
            .to_vec();
        raw.extend(format!("{:x};note=first\r\n", first.len()).as_bytes());
        raw.extend(first);
        raw.extend(format!("\r\n{:x}\r\n", rest.len()).as_bytes());
        raw.extend(rest);
        raw.extend(b"\r\n0\r\nX-Trailer: ignored\r\n\r\n");
        let _ = stream.write_all(&raw);
    });
    let probe = unknown_task(&options(wire.uri())).expect("the server answers");
    assert_eq!(probe.outcome, Outcome::Pass, "{:?}", probe.violations());
    assert_eq!(probe.status, Some(404));
    let expected: serde_json::Value = serde_json::from_slice(&task_not_found()).unwrap();
    assert_eq!(probe.body, Some(expected));
    wire.heads();
}

#[test]
fn a_chunked_body_over_the_limit_fails_the_probe_and_the_check_goes_on() {
    let wire = Wire::serve(1, |_, stream| {
        let head = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\
            Transfer-Encoding: chunked\r\n\r\n";
        let chunk = vec![b' '; 1024 * 1024];
        let mut raw = format!("{:x}\r\n", chunk.len()).into_bytes();
        raw.extend(chunk);
        raw.extend(b"\r\n");
        let _ = stream.write_all(head.as_bytes());
        // 17 MiB, one more than the limit; the client hangs up once it has seen enough.
        for _ in 0..17 {
            if stream.write_all(&raw).is_err() {
                break;
            }
        }
    });
    let probe = unknown_task(&options(wire.uri())).expect("a violation, not an error");
    let violations = probe.violations();
    assert!(
        violations.iter().any(|v| v.message
            == "not an HTTP answer: a body of 16777217 bytes or more, over the 16777216-byte limit"),
        "{violations:?}"
    );
    wire.heads();
}

#[test]
fn a_server_that_never_answers_hits_the_deadline() {
    let wire = Wire::serve(1, |_, stream| {
        // Silent until the client hangs up (or PATIENCE passes).
        let _ = stream.read(&mut [0u8; 1]);
    });
    let mut options = options(wire.uri());
    options.timeout = Duration::from_millis(200);
    let error = unknown_task(&options).expect_err("no answer, no probe");
    assert!(matches!(error, CheckError::Timeout { .. }), "{error:?}");
    assert_eq!(error.to_string(), "no complete answer within 200 ms");
    wire.heads();
}

#[test]
fn garbage_instead_of_http_is_a_violation_naming_what_was_wrong() {
    let huge_head = format!(
        "HTTP/1.1 200 OK\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(70_000)
    );
    let cases: [(&[u8], &str); 7] = [
        (
            b"\x00\xff\xfe\x16\x03garbage\r\n\r\n",
            "invalid HTTP version",
        ),
        (b"", "connection closed before message completed"),
        (huge_head.leak().as_bytes(), "message head is too large"),
        (b"SSH-2.0-OpenSSH_9.2\r\n", "invalid HTTP version"),
        (
            b"HTTP/1.1 999 Odd\r\n\r\n",
            "status 999 is not an HTTP status",
        ),
        (
            b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            "invalid HTTP header parsed",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
            "end of file before message length reached",
        ),
    ];
    let wire = Wire::serve(cases.len(), move |n, stream| {
        let _ = stream.write_all(cases[n].0);
    });
    let options = options(wire.uri());
    for (raw, words) in cases {
        let probe = unknown_task(&options).expect("a violation, not an error");
        let message = probe.violations().first().map(|v| v.message.clone());
        let message = message.unwrap_or_default();
        assert!(
            message.starts_with("not an HTTP answer: ") && message.contains(words),
            "{}: {message}",
            String::from_utf8_lossy(raw)
        );
    }
    wire.heads();
}

#[test]
fn a_target_behind_a_path_prefix_is_sent_and_signed_the_prefixed_path() {
    let wire = Wire::serve(1, |_, stream| {
        let _ = stream.write_all(&canned_bytes());
    });
    let mut options = options(format!("{}/ocp-prefix/", wire.uri()));
    options.credentials = Credentials::access_key("key-id", "key-secret");
    let checker = Checker::new(&options).expect("a valid target");
    let probe = checker.unknown_task().expect("the server answers");
    assert_eq!(probe.outcome, Outcome::Pass, "{:?}", probe.violations());
    let host = wire.address.to_string();
    let heads = wire.heads();
    let head = heads.first().expect("one request");
    let line = |name: &str| {
        head.split("\r\n")
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {head}"))
            .to_owned()
    };
    let path = format!("/ocp-prefix{UNKNOWN_TASK}");
    assert!(
        head.starts_with(&format!("GET {path} HTTP/1.1\r\n")),
        "{head}"
    );
    assert_eq!(line("Host"), host);
    // The signature, worked out here from OCP's documented rule: method, body MD5, Content-Type,
    // Date, Host, x-ocp headers, then the path as sent.
    let message = format!("GET\n\n\n{}\n{host}\n\n{path}", line("Date"));
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(b"key-secret").unwrap();
    mac.update(message.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(
        line("Authorization"),
        format!("OCP-ACCESS-KEY-HMACSHA1 key-id:{signature}")
    );
}

/// The 404 as a faithful OCP writes it, with a Content-Length.
fn canned_bytes() -> Vec<u8> {
    let body = task_not_found();
    let mut raw = format!(
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend(body);
    raw
}

#[tokio::test]
async fn the_blocking_check_runs_inside_a_tokio_test_without_a_runtime_panic() {
    let target = Target::start(|_, canned| canned);
    let options = drifted::options(&target);
    let report = ocp_mock::check::check(&options).expect("the canned target answers");
    assert_eq!(
        report.failed(),
        0,
        "{}",
        report.render(Default::default(), false)
    );
    // The checker and its runtime are also dropped here, inside the test's runtime.
    let probe = Checker::new(&options).unwrap().unknown_task().unwrap();
    assert_eq!(probe.outcome, Outcome::Pass);
}
