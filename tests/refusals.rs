//! Refusals by a limit leave no trace in the answers: they take no trace id and no clock tick,
//! so the documented call after any of them still answers the documented example; and each is
//! journaled.

use std::time::Duration;

use ocp_mock::contract::Expect;
use ocp_mock::{Limits, MockServer};
use tokio::net::TcpStream;

use crate::support::{
    ADMIN_BASIC, DOCUMENTED_PATH, assert_json_eq, call, delete, documented_example, raw,
};

fn small() -> Limits {
    Limits {
        max_uri_bytes: 256,
        max_header_bytes: 512,
        max_body_bytes: 10,
        max_connections: 2,
        ..Limits::default()
    }
}

#[tokio::test]
async fn the_documented_call_after_refused_calls_answers_the_documented_example() {
    let mock = MockServer::builder().limits(small()).start().await;
    let addr = mock.address();
    let long_path = format!("/api/v2/obproxy/clusters/{}", "1".repeat(300));
    let refusals = [
        call(addr, "GET", &long_path, &[]).await,
        call(
            addr,
            "GET",
            "/api/v2/obproxy/clusters/1",
            &[("X-Big", &"x".repeat(600))],
        )
        .await,
        raw(
            addr,
            b"PUT /__mock/scenarios HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\
              Content-Length: 11\r\n\r\n[\"drop\"   ]",
        )
        .await,
        raw(
            addr,
            format!(
                "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\
                 Authorization: {ADMIN_BASIC}\r\nContent-Length: 11\r\n\r\n01234567890"
            )
            .as_bytes(),
        )
        .await,
        // RFC 9112 §3.2: one Host, no fewer, no more.
        raw(
            addr,
            format!(
                "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nConnection: close\r\n\
                 Authorization: {ADMIN_BASIC}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await,
        raw(
            addr,
            format!(
                "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: mock\r\nHost: other\r\n\
                 Connection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await,
    ];
    let statuses: Vec<u16> = refusals.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [414, 431, 413, 413, 400, 400]);
    for refused in &refusals {
        let body = refused.checked(Expect::Any);
        assert_eq!(body["traceId"], "", "a refusal takes no trace id");
    }
    // One connection too many, while two are held open.
    let held = (
        TcpStream::connect(addr).await.unwrap(),
        TcpStream::connect(addr).await.unwrap(),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(delete(addr, DOCUMENTED_PATH).await.status, 503);
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;

    let answer = delete(addr, DOCUMENTED_PATH).await;
    assert_json_eq!(answer.checked(Expect::NewTask), documented_example());
    let journaled: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(journaled, [414, 431, 413, 413, 400, 400, 503, 200]);
}
