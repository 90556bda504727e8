//! Faults on demand: each scenario, set at start, through the admin API, or per request.

use std::time::{Duration, Instant};

use ocp_mock::contract::{Expect, normalize};
use ocp_mock::{MockServer, Scenario};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{
    ADMIN_BASIC, DOCUMENTED_PATH, assert_json_eq, call, delete, documented_example, raw,
};

const SCENARIO: &str = "X-OCP-Mock-Scenario";

#[tokio::test]
async fn latency_delays_the_answer_without_changing_it() {
    let mock = MockServer::builder()
        .scenario("latency:300@DELETE /api/v2/obproxy/*".parse().unwrap())
        .start()
        .await;
    let started = Instant::now();
    let body = delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_json_eq!(body, documented_example());
}

#[tokio::test]
async fn an_error_scenario_answers_a_full_envelope_with_its_status() {
    let mock = MockServer::builder()
        .scenario("error:503".parse().unwrap())
        .start()
        .await;
    let reply = delete(mock.address(), DOCUMENTED_PATH).await;
    assert_eq!(reply.status, 503);
    let body = reply.checked(Expect::Any);
    insta::assert_json_snapshot!("error_injected_503", normalize(&body));
    let health = call(mock.address(), "GET", "/__mock/health", &[]).await;
    assert_eq!(health.status, 200, "scenarios leave the admin API alone");
}

#[tokio::test]
async fn throttling_answers_the_documented_429_with_rate_limit_headers() {
    let mock = MockServer::builder()
        .scenario("throttle:2/60000".parse().unwrap())
        .start()
        .await;
    let reply = crate::throttling::two_calls_then_the_third(mock.address()).await;
    assert_eq!(reply.header("ratelimit-limit"), Some("2"));
    assert_eq!(reply.header("ratelimit-remaining"), Some("0"));
    assert_eq!(
        reply.header("ratelimit-reset"),
        Some("58"),
        "60 s window, 1 s per request"
    );
    let body = reply.checked(Expect::Any);
    assert_eq!(body["error"]["code"], 0);
    assert_eq!(body["traceId"], "", "as in OCP's documented 429");
    assert_eq!(
        body["error"]["message"],
        "Excessive number of requests. You have exceeded the request limit for the current throttling window."
    );
    let zh = call(
        mock.address(),
        "GET",
        "/api/v2/obproxy/clusters/1",
        &[("Accept-Language", "zh-CN")],
    )
    .await;
    assert_eq!(
        zh.checked(Expect::Any)["error"]["message"],
        "请求次数过多，你已经超过当前流控窗口内的请求上限"
    );
    insta::assert_json_snapshot!("error_throttled", normalize(&body));
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer() {
    let mock = MockServer::builder()
        .scenario("drop@DELETE /api/*".parse().unwrap())
        .start()
        .await;
    let mut stream = TcpStream::connect(mock.address()).await.unwrap();
    let req = format!(
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the mock closed the connection");
    assert!(
        buf.is_empty(),
        "no answer at all: {:?}",
        String::from_utf8_lossy(&buf)
    );
    assert_eq!(
        mock.requests()[0].status,
        0,
        "the journal says it was dropped"
    );
    let ok = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    assert_eq!(ok.status, 200, "only matching requests are dropped");
}

#[tokio::test]
async fn scenarios_can_be_set_and_read_through_the_admin_api() {
    let mock = MockServer::start().await;
    let put = |body: &'static str| {
        let addr = mock.address();
        async move {
            let req = format!(
                "PUT /__mock/scenarios HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            crate::support::raw(addr, req.as_bytes()).await
        }
    };
    let reply = put(r#"["error:500@GET /api/v2/obproxy/clusters/*", "latency:10"]"#).await;
    assert_eq!(reply.status, 200);
    let listed = call(mock.address(), "GET", "/__mock/scenarios", &[])
        .await
        .checked(Expect::Any);
    assert_eq!(
        listed["data"],
        serde_json::json!(["error:500@GET /api/v2/obproxy/clusters/*", "latency:10"])
    );
    let failing = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    assert_eq!(failing.status, 500);
    failing.checked(Expect::Any);

    for (body, why) in [
        (r#"["explode"]"#, "unknown scenario"),
        (r#"{"not": "a list"}"#, "expected a JSON list"),
        (r#"["fail-at:No such node"]"#, "has no subtask"),
    ] {
        let reply = put(body).await;
        assert_eq!(reply.status, 400, "{body}");
        let debug = reply.checked(Expect::Any)["error"]["debugMessage"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(debug.contains(why), "{debug}");
    }
    assert_eq!(put("[]").await.status, 200);
    let healed = call(mock.address(), "GET", "/api/v2/obproxy/clusters/1", &[]).await;
    assert_eq!(healed.status, 200);
}

#[tokio::test]
async fn the_scenario_header_touches_only_its_own_request() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let (faulty, clean) = tokio::join!(
        call(
            addr,
            "GET",
            "/api/v2/obproxy/clusters/1",
            &[(SCENARIO, "latency:200; error:502")]
        ),
        call(addr, "GET", "/api/v2/obproxy/clusters/1", &[]),
    );
    assert_eq!(faulty.status, 502);
    faulty.checked(Expect::Any);
    assert_eq!(clean.status, 200);

    let failing = call(
        addr,
        "DELETE",
        DOCUMENTED_PATH,
        &[(SCENARIO, "fail-at:Wait node")],
    )
    .await;
    failing.checked(Expect::NewTask);
    let normal = delete(addr, "/api/v2/obproxy/clusters/1/obproxies/3").await;
    normal.checked(Expect::NewTask);
    let (mut first, mut second) = (String::new(), String::new());
    for _ in 0..10 {
        let a = call(addr, "GET", "/api/v2/tasks/instances/33149", &[])
            .await
            .json();
        let b = call(addr, "GET", "/api/v2/tasks/instances/33150", &[])
            .await
            .json();
        first = a["data"]["status"].as_str().unwrap().to_owned();
        second = b["data"]["status"].as_str().unwrap().to_owned();
    }
    assert_eq!((first.as_str(), second.as_str()), ("FAILED", "SUCCESSFUL"));

    let bad = call(
        addr,
        "GET",
        "/api/v2/obproxy/clusters/1",
        &[(SCENARIO, "throttle:1/1000")],
    )
    .await;
    assert_eq!(
        bad.status, 400,
        "throttling is shared state, not per request"
    );
    bad.checked(Expect::Any);
}

#[tokio::test]
async fn a_fail_at_naming_no_subtask_is_refused_at_start() {
    let result = MockServer::builder()
        .scenario("fail-at:Reboot the moon".parse().unwrap())
        .try_start()
        .await;
    let err = result.unwrap_err().to_string();
    assert!(err.contains("has no subtask \"Reboot the moon\""), "{err}");
}

#[tokio::test]
async fn at_most_64_scenarios_are_kept_at_once() {
    let mock = MockServer::start().await;
    let many: Vec<Scenario> = (0..65).map(|_| "latency:0".parse().unwrap()).collect();
    let err = mock.set_scenarios(many.clone()).unwrap_err();
    assert_eq!(err, ocp_mock::ScenarioError::TooMany(65));
    mock.set_scenarios(many[..64].to_vec()).unwrap();
    let body = serde_json::to_string(&vec!["latency:0"; 65]).unwrap();
    let reply = raw(
        mock.address(),
        format!(
            "PUT /__mock/scenarios HTTP/1.1\r\nHost: mock\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(mock.requests().len(), 0, "the admin API is not journaled");
}

#[tokio::test]
async fn without_the_admin_api_the_scenario_header_is_not_read() {
    let mock = MockServer::builder().admin_api(false).start().await;
    let reply = call(
        mock.address(),
        "GET",
        "/api/v2/obproxy/clusters/1",
        &[("X-OCP-Mock-Scenario", "error:503")],
    )
    .await;
    assert_eq!(
        reply.status, 200,
        "the header is an unknown one, as OCP sees it"
    );
}

#[tokio::test]
async fn a_journal_read_is_capped_at_about_a_mebibyte_keeping_the_newest() {
    let mock = MockServer::builder()
        .limits(ocp_mock::Limits {
            max_uri_bytes: 16 * 1024,
            ..ocp_mock::Limits::default()
        })
        .start()
        .await;
    // 200 requests with 8 KB targets: 1.6 MB of journal.
    for n in 0..200 {
        let path = format!("/api/v2/{n}/{}", "a".repeat(8000));
        assert_eq!(call(mock.address(), "GET", &path, &[]).await.status, 404);
    }
    let reply = call(mock.address(), "GET", "/__mock/requests", &[]).await;
    assert!(
        reply.raw_body.len() < (1 << 20) + 4096,
        "{} bytes",
        reply.raw_body.len()
    );
    let body = reply.json();
    assert_eq!(body["data"]["truncated"], true);
    assert_eq!(body["data"]["total"], 200);
    let listed = body["data"]["requests"].as_array().unwrap();
    assert!(listed.len() > 40 && listed.len() < 200, "{}", listed.len());
    let last = listed.last().unwrap()["path"].as_str().unwrap();
    assert!(
        last.starts_with("/api/v2/199/"),
        "the newest is kept: {}",
        &last[..20]
    );
    let narrow = call(
        mock.address(),
        "GET",
        "/__mock/requests?path=/api/v2/7/*",
        &[],
    )
    .await;
    assert_eq!(narrow.json()["data"]["truncated"], false);
}

#[tokio::test]
async fn the_scenario_header_is_not_read_where_no_credentials_are_checked() {
    let mock = MockServer::start().await;
    // OCP's public time, and a path outside its API with a route that would match it.
    for (path, scenario) in [
        ("/api/v2/time", "error:503"),
        ("/favicon.ico", "error:503@/*"),
    ] {
        let reply = raw(
            mock.address(),
            format!(
                "GET {path} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n{SCENARIO}: {scenario}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await;
        assert_ne!(reply.status, 503, "{path}: the header was read");
    }
}

#[tokio::test]
async fn a_latency_never_holds_a_connection_past_the_idle_timeout() {
    let mock = MockServer::builder()
        .limits(ocp_mock::Limits {
            idle_timeout: Duration::from_millis(300),
            ..ocp_mock::Limits::default()
        })
        .start()
        .await;
    let started = Instant::now();
    let reply = call(
        mock.address(),
        "GET",
        "/api/v2/obproxy/clusters/1",
        &[(SCENARIO, "latency:300000")],
    )
    .await;
    assert_eq!(reply.status, 200);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300),
        "the latency applies up to the idle timeout: {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(30),
        "cut to the idle timeout, not five minutes: {waited:?}"
    );
}
