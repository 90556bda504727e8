//! Limits: each bound is a setting with a sane default, and each is enforced with an envelope
//! (or, for time limits, by closing the connection).

use std::time::{Duration, Instant};

use ocp_mock::Limits;
use ocp_mock::MockServer;
use ocp_mock::contract::Expect;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{ADMIN_BASIC, DOCUMENTED_PATH, call, delete, raw};

fn small() -> Limits {
    Limits {
        max_ids: 3,
        max_uri_bytes: 256,
        max_header_bytes: 512,
        max_body_bytes: 10,
        header_read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(300),
        max_connections: 2,
        shutdown_timeout: Duration::from_millis(300),
    }
}

/// Reads until the server closes; `None` if it has not closed within `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut buf))
        .await
        .ok()
        .map(|_| buf)
}

#[tokio::test]
async fn more_ids_than_the_limit_is_a_400_naming_the_limit() {
    let mock = MockServer::builder().limits(small()).start().await;
    let reply = delete(
        mock.address(),
        "/api/v2/obproxy/clusters/1/obproxies/1,2,3,4",
    )
    .await;
    assert_eq!(reply.status, 400);
    let body = reply.checked(Expect::Any);
    let debug = body["error"]["debugMessage"].as_str().unwrap();
    assert!(debug.contains("4 ids, more than the limit of 3"), "{debug}");
    let ok = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/1,2,3").await;
    assert_eq!(ok.status, 200);

    let default = MockServer::start().await;
    let many: Vec<String> = (1..=1001).map(|i| i.to_string()).collect();
    let path = format!("/api/v2/obproxy/clusters/1/obproxies/{}", many.join(","));
    let reply = delete(default.address(), &path).await;
    assert_eq!(reply.status, 400, "the default limit is 1000 ids");
    let message = reply.checked(Expect::Any)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.len() < 200,
        "the rejected list is clipped in the message: {message}"
    );
}

#[tokio::test]
async fn a_long_request_target_is_a_414_envelope() {
    let mock = MockServer::builder().limits(small()).start().await;
    let path = format!("/api/v2/obproxy/clusters/1/obproxies/{}", "1".repeat(300));
    let reply = delete(mock.address(), &path).await;
    assert_eq!(reply.status, 414);
    reply.checked(Expect::Any);

    let default = MockServer::start().await;
    let path = format!("/api/v2/{}", "a".repeat(60 * 1024));
    let reply = delete(default.address(), &path).await;
    assert_eq!(reply.status, 414, "a 60 KB path against the default 8 KiB");
    reply.checked(Expect::Any);
    // Past 65,534 bytes the HTTP parser itself refuses the target, with a bare 414.
    let path = format!("/api/v2/{}", "a".repeat(64 * 1024));
    let reply = delete(default.address(), &path).await;
    assert_eq!(reply.status, 414);
}

#[tokio::test]
async fn large_headers_are_a_431_envelope() {
    let mock = MockServer::builder().limits(small()).start().await;
    let big = "x".repeat(600);
    let reply = call(
        mock.address(),
        "DELETE",
        DOCUMENTED_PATH,
        &[("X-Big", &big)],
    )
    .await;
    assert_eq!(reply.status, 431);
    reply.checked(Expect::Any);
}

#[tokio::test]
async fn a_large_body_is_a_413_envelope() {
    let mock = MockServer::builder().limits(small()).start().await;
    let addr = mock.address();
    let req = format!(
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\nContent-Length: 11\r\n\r\n{}",
        "a".repeat(11)
    );
    let reply = raw(addr, req.as_bytes()).await;
    assert_eq!(reply.status, 413);
    reply.checked(Expect::Any);
    let req = format!(
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\nContent-Length: 10\r\n\r\n{}",
        "a".repeat(10)
    );
    assert_eq!(
        raw(addr, req.as_bytes()).await.status,
        200,
        "ten bytes are allowed"
    );
}

#[tokio::test]
async fn a_client_too_slow_to_send_its_head_is_disconnected() {
    let mock = MockServer::builder()
        .limits(Limits {
            idle_timeout: Duration::from_secs(30),
            ..small()
        })
        .start()
        .await;
    let mut stream = TcpStream::connect(mock.address()).await.unwrap();
    let started = Instant::now();
    stream.write_all(b"DELETE /api/v2/obpro").await.unwrap();
    let left = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(left.is_some(), "the mock closed the connection");
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let mock = MockServer::builder()
        .limits(Limits {
            header_read_timeout: Duration::from_secs(30),
            ..small()
        })
        .start()
        .await;
    let mut stream = TcpStream::connect(mock.address()).await.unwrap();
    let req = format!(
        "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: x\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    let answer = answer.expect("closed after the idle timeout");
    assert!(
        answer.starts_with(b"HTTP/1.1 200 OK"),
        "the request was answered first"
    );
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn a_connection_past_the_limit_gets_a_503_envelope() {
    let mock = MockServer::builder()
        .limits(Limits {
            header_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            ..small()
        })
        .start()
        .await;
    let _first = TcpStream::connect(mock.address()).await.unwrap();
    let _second = TcpStream::connect(mock.address()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reply = delete(mock.address(), DOCUMENTED_PATH).await;
    assert_eq!(reply.status, 503);
    reply.checked(Expect::Any);
    drop((_first, _second));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        delete(mock.address(), DOCUMENTED_PATH).await.status,
        200,
        "slots free again"
    );
}

#[tokio::test]
async fn shutdown_waits_for_requests_in_flight_no_longer_than_its_timeout() {
    // The idle timeout is raised so that the latency, which is cut to it, outlasts the shutdown.
    let limits = Limits {
        idle_timeout: Duration::from_secs(10),
        ..small()
    };
    let mock = MockServer::builder()
        .limits(limits)
        .scenario("latency:5000@GET /api/*".parse().unwrap())
        .start()
        .await;
    let addr = mock.address();
    let slow = tokio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: x\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
        );
        stream.write_all(req.as_bytes()).await.unwrap();
        read_until_closed(&mut stream, Duration::from_secs(10)).await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The request is due 5 s after it was sent: a shutdown still running 4 s in is waiting for
    // it, past its own 300 ms timeout.
    let shut = tokio::time::timeout(Duration::from_secs(4), mock.shutdown()).await;
    assert!(
        shut.is_ok(),
        "shutdown waited for the request in flight, past its timeout"
    );
    let left = slow.await.unwrap().expect("the connection was closed");
    assert!(
        left.is_empty(),
        "no partial answer: {:?}",
        String::from_utf8_lossy(&left)
    );
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "new connections are refused"
    );
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish() {
    let mock = MockServer::builder()
        .scenario("latency:300@GET /api/*".parse().unwrap())
        .start()
        .await;
    let addr = mock.address();
    let slow =
        tokio::spawn(async move { call(addr, "GET", "/api/v2/obproxy/clusters/1", &[]).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    mock.shutdown().await;
    let reply = slow.await.unwrap();
    assert_eq!(reply.status, 200);
    reply.checked(Expect::Any);
}

#[tokio::test]
async fn a_head_timeout_shorter_than_the_idle_one_also_closes_an_idle_connection() {
    let mock = MockServer::builder()
        .limits(Limits {
            idle_timeout: Duration::from_secs(30),
            ..small()
        })
        .start()
        .await;
    let mut stream = TcpStream::connect(mock.address()).await.unwrap();
    let req = format!(
        "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: x\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    let answer = answer.expect("closed after the 300 ms head timeout, not the 30 s idle one");
    assert!(
        answer.starts_with(b"HTTP/1.1 200 OK"),
        "the request was answered first"
    );
    assert!(started.elapsed() >= Duration::from_millis(250));
}
