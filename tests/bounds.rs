//! Bounds under attack that no other topic covers: scenarios that could never apply, a second
//! scenario header, a body that stalls (a refusal that leaves no trace), errors in plain words,
//! and the cost of canonicalising a signed query.

use std::time::{Duration, Instant};

use ocp_mock::contract::Expect;
use ocp_mock::signature::{Variant, canonical_resource};
use ocp_mock::{Limits, MockServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{
    ADMIN_BASIC, DOCUMENTED_PATH, Reply, assert_json_eq, call, delete, documented_example,
    parse_reply, raw,
};

/// `debugMessage` of an error envelope.
fn debug_message(reply: &Reply) -> String {
    reply.checked(Expect::Any)["error"]["debugMessage"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_scenario_on_the_mocks_own_api_is_refused_as_it_could_never_apply() {
    let mock = MockServer::start().await;
    let body = r#"["drop@/__mock/*"]"#;
    let req = format!(
        "PUT /__mock/scenarios HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let reply = raw(mock.address(), req.as_bytes()).await;
    assert_eq!(reply.status, 400);
    let debug = debug_message(&reply);
    assert!(debug.contains("the mock's own API"), "{debug}");
    let reply = call(
        mock.address(),
        "GET",
        "/api/v2/obproxy/clusters/1",
        &[("X-OCP-Mock-Scenario", "error:500@GET /__mock/health")],
    )
    .await;
    assert_eq!(reply.status, 400, "the same in the header");
    assert_eq!(
        call(mock.address(), "GET", "/__mock/health", &[])
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_second_scenario_header_is_refused_not_ignored() {
    let mock = MockServer::start().await;
    let reply = call(
        mock.address(),
        "GET",
        "/api/v2/obproxy/clusters/1",
        &[
            ("X-OCP-Mock-Scenario", "latency:1"),
            ("X-OCP-Mock-Scenario", "error:503"),
        ],
    )
    .await;
    assert_eq!(reply.status, 400);
    let debug = debug_message(&reply);
    assert!(debug.contains("sent twice"), "{debug}");
}

#[tokio::test]
async fn a_body_that_stalls_is_a_408_that_leaves_no_trace_in_the_answers() {
    let mock = MockServer::builder()
        .limits(Limits {
            header_read_timeout: Duration::from_millis(300),
            ..Limits::default()
        })
        .start()
        .await;
    let mut stream = TcpStream::connect(mock.address()).await.unwrap();
    let head = format!(
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\
         Authorization: {ADMIN_BASIC}\r\nContent-Length: 10\r\n\r\n01"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("answered within the timeout")
        .unwrap();
    let refused = parse_reply(&answer);
    assert_eq!(refused.status, 408);
    assert_eq!(refused.checked(Expect::Any)["traceId"], "");

    let next = delete(mock.address(), DOCUMENTED_PATH).await;
    assert_json_eq!(next.checked(Expect::NewTask), documented_example());
    let journaled: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(journaled, [408, 200]);
}

#[tokio::test]
async fn debug_messages_are_plain_words_never_rust_debug_output() {
    let mock = MockServer::start().await;
    let bad = [
        ("DELETE", "/api/v2/obproxy/clusters/1/obproxies/-1"),
        ("DELETE", "/api/v2/obproxy/clusters/-1/obproxies/x"),
        ("DELETE", "/api/v2/obproxy/clusters/1/obproxies/1,,2"),
        ("GET", "/api/v2/obproxy/clusters/99999999999999999999"),
        ("GET", "/api/v2/tasks/instances/-1"),
        ("GET", "/api/v2/tasks/instances?hostId=-1x"),
        ("GET", "/api/v2/tasks/instances?status=NOPE"),
        ("GET", "/api/v2/tasks/instances?sort=id,sideways"),
        ("GET", "/api/v2/compute/hosts?status=NOPE"),
        ("GET", "/api/v2/compute/hosts/-1x"),
        ("PATCH", "/api/v2/obproxy/clusters/1/obproxies/2"),
    ];
    for (method, path) in bad {
        let reply = call(mock.address(), method, path, &[]).await;
        assert!((400..500).contains(&reply.status), "{method} {path}");
        let body = reply.checked(Expect::Any);
        let words = format!("{}", body["error"]);
        for debug_form in ["Some(", "None", "Ok(", "Err("] {
            assert!(
                !words.contains(debug_form),
                "{method} {path}: {debug_form} in {words}"
            );
        }
    }
}

#[test]
fn canonicalising_a_signed_query_costs_n_log_n_in_its_keys() {
    // 200,000 distinct keys: sorted once, this takes milliseconds; compared pairwise (the
    // quadratic form) it would take hours.
    let query: String = (0..200_000).rev().map(|i| format!("k{i}=v&")).collect();
    let started = Instant::now();
    let resource = canonical_resource("/api/v2/obproxy/clusters", Some(&query), Variant::PLAIN);
    let took = started.elapsed();
    assert!(resource.starts_with("/api/v2/obproxy/clusters?k0=v&k1=v&k10=v&"));
    assert!(
        took < Duration::from_secs(5),
        "canonicalising 200,000 keys took {took:?}"
    );
}
