//! Shutdown under attack: heads still arriving do not hold the exit, and requests pipelined
//! behind one in flight are either answered or visibly not read (`Connection: close`).

use std::time::{Duration, Instant};

use ocp_mock::{Limits, MockServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{ADMIN_BASIC, parse_reply};

/// Limits whose timeouts are long next to the bounds the tests assert.
fn patient() -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(60),
        shutdown_timeout: Duration::from_secs(5),
        ..Limits::default()
    }
}

/// One answer of a pipelined exchange.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    /// Whether it said `Connection: close`.
    close: bool,
}

/// Every answer in `buf`, each cut at its `Content-Length`.
fn answers(mut buf: &[u8]) -> Vec<Answer> {
    let mut out = Vec::new();
    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
        let reply = parse_reply(&buf[..end + 4]);
        let length: usize = reply
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        out.push(Answer {
            status: reply.status,
            close: reply
                .header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close")),
        });
        buf = &buf[(end + 4 + length).min(buf.len())..];
    }
    out
}

/// Reads until the server closes (or `within` passes: `None`).
async fn read_to_close(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    match tokio::time::timeout(within, stream.read_to_end(&mut buf)).await {
        Ok(_) => Some(buf),
        Err(_) => None,
    }
}

#[tokio::test]
async fn heads_still_arriving_do_not_hold_the_shutdown() {
    let mock = MockServer::builder().limits(patient()).start().await;
    let addr = mock.address();
    let mut held = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mock\r\nX-Half: ")
            .await
            .unwrap();
        held.push(stream);
    }
    // And one that was answered once and is half-way through its next head.
    let mut reused = TcpStream::connect(addr).await.unwrap();
    let first = format!(
        "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mock\r\nAuthorization: {ADMIN_BASIC}\r\n\r\nGET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mo"
    );
    reused.write_all(first.as_bytes()).await.unwrap();
    held.push(reused);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    mock.shutdown().await;
    let took = started.elapsed();
    // A head still arriving has a grace of 1 s to finish; the timeouts are 5 s and 10 s.
    assert!(
        took < Duration::from_secs(3),
        "the shutdown waited {took:?} for heads that were never finished (its timeout is 5 s, the head timeout 10 s)"
    );
    for (i, mut stream) in held.into_iter().enumerate() {
        let left = read_to_close(&mut stream, Duration::from_secs(2))
            .await
            .unwrap_or_else(|| panic!("connection {i} still open after the shutdown"));
        let statuses: Vec<u16> = answers(&left).iter().map(|a| a.status).collect();
        let expected: &[u16] = if i == 50 { &[200] } else { &[] };
        assert_eq!(statuses, expected, "connection {i}");
    }
}

#[tokio::test]
async fn requests_pipelined_behind_one_in_flight_at_shutdown_are_answered_or_visibly_unread() {
    let mock = MockServer::builder()
        .limits(patient())
        .scenario("latency:400@GET /api/*".parse().unwrap())
        .start()
        .await;
    let addr = mock.address();
    let one = format!(
        "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mock\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
    );
    let client = tokio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(one.repeat(3).as_bytes()).await.unwrap();
        read_to_close(&mut stream, Duration::from_secs(8)).await
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = Instant::now();
    mock.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let left = client.await.unwrap().expect("the connection was closed");
    let got = answers(&left);
    assert!(!got.is_empty(), "the request in flight was answered");
    assert!(got.iter().all(|a| a.status == 200), "{got:?}");
    if got.len() < 3 {
        // What was not answered is not lost silently: the last answer said so.
        assert!(
            got.last().unwrap().close,
            "{} of 3 pipelined requests answered, and the last answer did not say Connection: close: {got:?}",
            got.len()
        );
    }
}
