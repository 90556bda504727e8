//! OCP's default throttling: `RateLimit-*` headers on every `/api/` answer, the documented 429
//! past the limit, and `--rate-limit off`.

use ocp_mock::contract::Expect;
use ocp_mock::{MockServer, RateLimit};
use serde_json::Value;

use crate::support::{Reply, assert_json_eq, call};

const THROTTLED: &str = include_str!("../fixtures/ocp-examples/44-error-429-throttled-en-v3.json");

/// A call and the status it must get: method, path, extra headers, status.
type Call = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    u16,
);

/// Under a limit of 2 calls: two answers counting down `RateLimit-Remaining`, then the third,
/// which must be the 429.
pub async fn two_calls_then_the_third(address: std::net::SocketAddr) -> Reply {
    for remaining in ["1", "0"] {
        let ok = call(address, "GET", "/api/v2/obproxy/clusters/1", &[]).await;
        assert_eq!(ok.status, 200);
        assert_eq!(ok.header("ratelimit-remaining"), Some(remaining));
    }
    let reply = call(address, "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    assert_eq!(reply.status, 429);
    reply
}

fn headers(reply: &Reply) -> [Option<&str>; 3] {
    ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"].map(|h| reply.header(h))
}

#[tokio::test]
async fn every_api_answer_carries_the_rate_limit_headers_and_the_admin_api_none() {
    let mock = MockServer::start().await;
    let calls: &[Call] = &[
        ("GET", "/api/v2/obproxy/clusters/1", &[], 200),
        ("GET", "/api/v2/obproxy/clusters?page=1", &[], 200),
        ("GET", "/api/v2/obproxy/clusters/99", &[], 404),
        ("GET", "/api/v2/obproxy/clusters/x", &[], 400),
        ("PUT", "/api/v2/obproxy/clusters/1", &[], 405),
        ("GET", "/api/v2/nothing/here", &[], 404),
        (
            "GET",
            "/api/v2/obproxy/clusters/1",
            &[("Authorization", "Basic eDp5")],
            401,
        ),
        ("DELETE", "/api/v2/obproxy/clusters/1/obproxies/2", &[], 200),
    ];
    for (n, &(method, path, extra, status)) in calls.iter().enumerate() {
        let reply = call(mock.address(), method, path, extra).await;
        assert_eq!(reply.status, status, "{method} {path}");
        // The fixed clock moves 1 s per request: the minute's window closes 60 - n s later.
        let remaining = (9999 - n).to_string();
        let reset = (60 - n).to_string();
        assert_eq!(
            headers(&reply),
            [
                Some("10000"),
                Some(remaining.as_str()),
                Some(reset.as_str())
            ],
            "{method} {path}"
        );
    }
    let health = call(mock.address(), "GET", "/__mock/health", &[]).await;
    assert_eq!(health.status, 200);
    assert_eq!(headers(&health), [None; 3], "not OCP's API: not throttled");
}

#[tokio::test]
async fn past_the_rate_limit_the_answer_is_the_documented_429() {
    let mock = MockServer::builder()
        .rate_limit("2/60000".parse().unwrap())
        .start()
        .await;
    let reply = two_calls_then_the_third(mock.address()).await;
    assert_eq!(headers(&reply), [Some("2"), Some("0"), Some("58")]);
    let mut body = reply.checked(Expect::Any);
    let mut documented: Value = serde_json::from_str(THROTTLED).unwrap();
    // The time of the answer is the mock's own; everything else is the documented 429.
    body["timestamp"] = Value::Null;
    documented["timestamp"] = Value::Null;
    assert_json_eq!(body, documented);
    let journal = mock.requests();
    assert_eq!(journal.last().map(|r| r.status), Some(429));
    let later = call(
        mock.address(),
        "DELETE",
        "/api/v2/obproxy/clusters/1/obproxies/2",
        &[],
    )
    .await;
    assert_eq!(later.status, 429, "a throttled call takes no effect");
    let health = call(mock.address(), "GET", "/__mock/health", &[]).await;
    assert_eq!(health.checked(Expect::Any)["data"]["tasks"], 0);
}

#[tokio::test]
async fn rate_limit_off_sends_no_headers_and_throttles_nothing() {
    let mock = MockServer::builder()
        .rate_limit(RateLimit::Off)
        .start()
        .await;
    for _ in 0..3 {
        let reply = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
        assert_eq!(reply.status, 200);
        assert_eq!(headers(&reply), [None; 3]);
    }
}

#[tokio::test]
async fn a_throttle_scenario_counts_beside_the_rate_limit_and_the_tighter_headers_win() {
    let mock = MockServer::builder()
        .rate_limit("3/60000".parse().unwrap())
        .scenario("throttle:5/60000@GET /api/v2/tasks/*".parse().unwrap())
        .start()
        .await;
    let task = call(mock.address(), "GET", "/api/v2/tasks/instances/1", &[]).await;
    assert_eq!(
        headers(&task),
        [Some("3"), Some("2"), Some("60")],
        "3/60000 is tighter"
    );
    let cluster = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    assert_eq!(headers(&cluster), [Some("3"), Some("1"), Some("59")]);
    let limited = MockServer::builder()
        .scenario("throttle:1/60000".parse().unwrap())
        .start()
        .await;
    let first = call(limited.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    assert_eq!(
        headers(&first),
        [Some("1"), Some("0"), Some("60")],
        "the scenario is tighter"
    );
    let second = call(limited.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    assert_eq!(second.status, 429);
}

#[tokio::test]
async fn a_new_window_of_the_mocks_clock_lets_calls_through_again() {
    // 2 calls per 3 s of the fixed clock, which moves 1 s per request.
    let mock = MockServer::builder()
        .rate_limit("2/3000".parse().unwrap())
        .start()
        .await;
    two_calls_then_the_third(mock.address()).await;
    let next = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    assert_eq!(next.status, 200, "the fourth call is in a new window");
    assert_eq!(next.header("ratelimit-remaining"), Some("1"));
}
