//! Helpers shared by the test modules: a raw HTTP/1.1 client and the contract check every
//! response from the mock must pass.

use std::net::SocketAddr;

use ocp_mock::contract::{Contract, Expect};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An answer as read off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    pub raw_body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.raw_body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.raw_body)
            )
        })
    }

    /// The body, after asserting that the answer is a JSON OCP envelope passing the contract.
    pub fn checked(&self, expect: Expect) -> Value {
        assert_eq!(self.header("content-type"), Some("application/json"));
        let body = self.json();
        let violations = Contract::global().check_response(self.status, &body, expect);
        assert!(
            violations.is_empty(),
            "contract violations: {violations:#?}\nbody: {body:#}"
        );
        body
    }
}

/// Sends raw bytes, reads until the server closes, parses one HTTP/1.1 response.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).await.expect("connect to the mock");
    stream.write_all(request).await.expect("send the request");
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.expect("read the answer");
    parse_reply(&buf)
}

pub fn parse_reply(buf: &[u8]) -> Reply {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        raw_body: buf[split + 4..].to_vec(),
    }
}

/// `Authorization` of the default administrator, `admin:aaAA11__`.
pub const ADMIN_BASIC: &str = "Basic YWRtaW46YWFBQTExX18=";

/// A request with `Connection: close` and the given extra header lines; signed in as the
/// default administrator unless the headers carry their own `Authorization`.
pub async fn call(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    {
        req.push_str(&format!("Authorization: {ADMIN_BASIC}\r\n"));
    }
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    raw(addr, req.as_bytes()).await
}

pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    call(addr, "GET", path, &[]).await
}

pub async fn delete(addr: SocketAddr, path: &str) -> Reply {
    call(addr, "DELETE", path, &[]).await
}

pub const DOCUMENTED_PATH: &str = "/api/v2/obproxy/clusters/1/obproxies/2";

pub fn documented_example() -> Value {
    serde_json::from_str(include_str!("../fixtures/delete-obproxy.json")).expect("example is JSON")
}

/// Ids in request order, a repeat counting once (as the mock reads `obproxyIds`).
pub fn fold(ids: &[i64]) -> Vec<i64> {
    let mut folded = Vec::new();
    for id in ids {
        if !folded.contains(id) {
            folded.push(*id);
        }
    }
    folded
}

/// Asserts that two JSON values are equal, showing on failure the unified diff of their
/// pretty-printed forms (expected against actual) rather than two one-line values of kilobytes.
///
/// `assert_json_eq!(actual, expected)`, with optional `format!` arguments saying what was
/// compared, like `assert_eq!`.
macro_rules! assert_json_eq {
    ($actual:expr, $expected:expr $(,)?) => {
        $crate::support::json_eq(&$actual, &$expected, format_args!(""))
    };
    ($actual:expr, $expected:expr, $($what:tt)+) => {
        $crate::support::json_eq(&$actual, &$expected, format_args!($($what)+))
    };
}
pub(crate) use assert_json_eq;

/// The body of [`assert_json_eq!`]: panics with the diff when the values differ.
#[track_caller]
pub fn json_eq(actual: &Value, expected: &Value, what: std::fmt::Arguments<'_>) {
    if actual == expected {
        return;
    }
    let what = what.to_string();
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(" ({what})")
    };
    let diff = ocp_mock::contract::unified_diff(expected, actual, false);
    if diff.is_empty() {
        // Unequal as values yet printed alike: show both as values, never an empty diff.
        panic!("JSON values differ{what} but print alike:\n{actual:?}\n{expected:?}");
    }
    panic!("JSON values differ{what}:\n{diff}");
}

/// Asserts that two answer bodies are the same bytes. When they differ and both are JSON, the
/// failure shows the unified diff of the values (or, for equal values written differently, where
/// the bytes part), never two byte arrays of kilobytes.
#[track_caller]
pub fn assert_same_bytes(actual: &[u8], expected: &[u8], what: impl std::fmt::Display) {
    if actual == expected {
        return;
    }
    let parse = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).ok();
    if let (Some(a), Some(e)) = (parse(actual), parse(expected)) {
        json_eq(&a, &e, format_args!("{what}"));
    }
    let at = actual
        .iter()
        .zip(expected)
        .position(|(a, e)| a != e)
        .unwrap_or(actual.len().min(expected.len()));
    let around = |bytes: &[u8]| {
        let from = at.saturating_sub(40);
        String::from_utf8_lossy(&bytes[from..bytes.len().min(at + 40)]).into_owned()
    };
    panic!(
        "bodies differ ({what}) from byte {at} ({} against {} bytes):\n  actual:   {:?}\n  expected: {:?}",
        actual.len(),
        expected.len(),
        around(actual),
        around(expected)
    );
}

#[test]
fn a_json_inequality_shows_the_lines_that_differ() {
    let expected = documented_example();
    let mut actual = expected.clone();
    actual["data"]["name"] = "Delete obproxy".into();
    let failed = std::panic::catch_unwind(|| {
        assert_json_eq!(actual, expected, "task {}", 33149);
    });
    let payload = failed.expect_err("the values differ");
    let message = payload
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(
        message.starts_with("JSON values differ (task 33149):\n--- expected\n+++ actual\n"),
        "{message}"
    );
    assert!(
        message.contains("\n-    \"name\": \"Offline obproxy\",\n"),
        "{message}"
    );
    assert!(
        message.contains("\n+    \"name\": \"Delete obproxy\",\n"),
        "{message}"
    );
    assert!(
        message.len() < 1000,
        "a diff, not the whole values: {message}"
    );
    assert_json_eq!(expected.clone(), expected);
}

#[test]
fn a_byte_inequality_shows_where_the_bodies_part() {
    let expected = documented_example().to_string().into_bytes();
    let pretty = format!("{:#}", documented_example()).into_bytes();
    let failed = std::panic::catch_unwind(|| assert_same_bytes(&pretty, &expected, "pretty"));
    let payload = failed.expect_err("the bytes differ");
    let message = payload
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(
        message.starts_with("bodies differ (pretty) from byte 1 ("),
        "{message}"
    );
    assert!(message.len() < 1000, "{message}");
    assert_same_bytes(&expected, &expected.clone(), "same");
}

/// A child process (an `ocp-mock serve`) that is killed and reaped when dropped, so a test that
/// fails halfway never leaves it running.
pub struct ChildGuard(pub std::process::Child);

impl std::ops::Deref for ChildGuard {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for ChildGuard {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // Both fail harmlessly once the child has exited and been reaped.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
