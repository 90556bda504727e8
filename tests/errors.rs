//! OCP's error answers as each version writes them: one snapshot per profile, every error of
//! the default profile read as real clients read it, and the `--error-code` override.

use ocp_mock::contract::{Expect, normalize};
use ocp_mock::{ErrorCodeStyle, Limits, MockServer, OcpVersion, Role};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::support::{ADMIN_BASIC, DOCUMENTED_PATH, Reply, call, delete, raw};

const CLUSTERS: &str = "/api/v2/obproxy/clusters";

/// A password no configured user has: a 401.
const WRONG_BASIC: &str = "Basic YWRtaW46d3Jvbmc=";

/// The same errors for every profile: a malformed id, wrong credentials, an unknown cluster, an
/// unknown server, a server of another cluster, an unknown task, a wrong method, a server
/// already being deleted, and an injected 503. 3.1.1's table lacks the server of another
/// cluster, the server being deleted and the unknown error: stand-ins answer them there.
async fn the_errors(mock: &MockServer, language: &str) -> Value {
    let addr = mock.address();
    let lang = ("Accept-Language", language);
    let mut answers = Map::new();
    let mut keep = |name: &str, reply: Reply, status: u16| {
        assert_eq!(reply.status, status, "{name}");
        answers.insert(name.into(), normalize(&reply.checked(Expect::Any)));
    };
    let send = |method: &'static str, path: String| async move {
        call(addr, method, &path, &[lang]).await
    };
    let bad_id = send("DELETE", format!("{CLUSTERS}/abc/obproxies/2")).await;
    keep("400 cluster id not a Long", bad_id, 400);
    let auth = [("Authorization", WRONG_BASIC), lang];
    keep(
        "401 wrong password",
        call(addr, "DELETE", DOCUMENTED_PATH, &auth).await,
        401,
    );
    let cluster = send("DELETE", format!("{CLUSTERS}/77/obproxies/2")).await;
    keep("404 unknown cluster", cluster, 404);
    let server = send("DELETE", format!("{CLUSTERS}/1/obproxies/42")).await;
    keep("404 unknown server", server, 404);
    let other = send("DELETE", format!("{CLUSTERS}/1/obproxies/5")).await;
    keep("400 server of another cluster", other, 400);
    let task = send("GET", "/api/v2/tasks/instances/9".into()).await;
    keep("404 unknown task", task, 404);
    let method = send("GET", DOCUMENTED_PATH.into()).await;
    keep("405 GET of a DELETE route", method, 405);
    assert_eq!(delete(addr, DOCUMENTED_PATH).await.status, 200);
    let busy = send("DELETE", DOCUMENTED_PATH.into()).await;
    keep("409 server being deleted", busy, 409);
    mock.set_scenarios(vec!["error:503".parse().expect("a scenario")])
        .expect("scenarios apply");
    let injected = send("GET", format!("{CLUSTERS}/1")).await;
    keep("503 injected", injected, 503);
    Value::Object(answers)
}

/// Each answer's `code` and `message` only: what differs between languages.
fn code_and_message(answers: &Value) -> Value {
    let picked = answers.as_object().unwrap().iter().map(|(name, body)| {
        let error = &body["error"];
        (name.clone(), json!([error["code"], error["message"]]))
    });
    Value::Object(picked.collect())
}

#[tokio::test]
async fn each_ocp_version_answers_errors_with_its_own_ids_and_wording() {
    for version in OcpVersion::ALL {
        let mock = MockServer::builder().ocp_version(version).start().await;
        let answers = the_errors(&mock, "en-US").await;
        let name = format!(
            "error_answers_of_ocp_{}",
            version.as_str().replace('.', "_")
        );
        insta::assert_json_snapshot!(name.clone(), answers);
        let mock = MockServer::builder().ocp_version(version).start().await;
        let answers = code_and_message(&the_errors(&mock, "zh-CN").await);
        insta::assert_json_snapshot!(format!("{name}_in_chinese"), answers);
    }
}

/// `error` as a Go OCP client declares it: `code` is a string (its fixtures: `"COM10001"`).
#[derive(Debug, Deserialize)]
struct GoClientError {
    code: String,
    message: String,
}

/// The envelope as that client declares it.
#[derive(Debug, Deserialize)]
struct GoClientEnvelope {
    successful: bool,
    status: u16,
    error: GoClientError,
}

/// A DELETE with a 64-byte body, past the 16 bytes the test's limits allow.
async fn large_body(addr: std::net::SocketAddr) -> Reply {
    let head = format!(
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Authorization: {ADMIN_BASIC}\r\nContent-Length: 64\r\n\r\n"
    );
    raw(addr, format!("{head}{}", "a".repeat(64)).as_bytes()).await
}

/// Every error the default profile answers, by what provokes it.
async fn every_error(mock: &MockServer) -> Vec<(&'static str, Reply)> {
    let addr = mock.address();
    let viewer = [("Authorization", "Basic d2F0Y2hlcjpzZWNyZXQtMQ==")];
    let mut out = vec![
        (
            "malformed id",
            delete(addr, &format!("{CLUSTERS}/abc/obproxies/2")).await,
        ),
        (
            "server of another cluster",
            delete(addr, &format!("{CLUSTERS}/1/obproxies/5")).await,
        ),
        (
            "wrong password",
            call(
                addr,
                "DELETE",
                DOCUMENTED_PATH,
                &[("Authorization", WRONG_BASIC)],
            )
            .await,
        ),
        (
            "viewer deleting",
            call(addr, "DELETE", DOCUMENTED_PATH, &viewer).await,
        ),
        (
            "unknown cluster",
            delete(addr, &format!("{CLUSTERS}/77/obproxies/2")).await,
        ),
        (
            "unknown server",
            delete(addr, &format!("{CLUSTERS}/1/obproxies/42")).await,
        ),
        (
            "unknown task",
            call(addr, "GET", "/api/v2/tasks/instances/9", &[]).await,
        ),
        (
            "unknown route",
            call(addr, "GET", "/api/v2/no/such/route", &[]).await,
        ),
        (
            "wrong method",
            call(addr, "GET", DOCUMENTED_PATH, &[]).await,
        ),
        (
            "long target",
            call(addr, "GET", &format!("{CLUSTERS}/{}", "1".repeat(300)), &[]).await,
        ),
        ("large body", large_body(addr).await),
    ];
    assert_eq!(delete(addr, DOCUMENTED_PATH).await.status, 200);
    out.push(("server being deleted", delete(addr, DOCUMENTED_PATH).await));
    let retry = "/api/v2/tasks/instances/33149/retry";
    out.push((
        "retry of a task not FAILED",
        call(addr, "POST", retry, &[("Content-Length", "0")]).await,
    ));
    mock.set_scenarios(vec!["error:503".parse().expect("a scenario")])
        .expect("scenarios apply");
    out.push((
        "injected 503",
        call(addr, "GET", &format!("{CLUSTERS}/1"), &[]).await,
    ));
    out
}

#[tokio::test]
async fn a_client_that_reads_code_as_a_string_decodes_every_error_of_the_default_profile() {
    let limits = Limits {
        max_uri_bytes: 256,
        max_body_bytes: 16,
        ..Limits::default()
    };
    let mock = MockServer::builder()
        .user("admin", "aaAA11__", Role::Admin)
        .user("watcher", "secret-1", Role::Viewer)
        .limits(limits)
        .start()
        .await;
    let mut ids = Vec::new();
    for (what, reply) in every_error(&mock).await {
        let body = reply.checked(Expect::Any);
        let decoded: GoClientEnvelope =
            serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{what}: {e}: {body}"));
        assert!(!decoded.successful, "{what}");
        assert_eq!(decoded.status, reply.status, "{what}");
        assert!(!decoded.error.message.is_empty(), "{what}: {body}");
        // obdeploy and obdiag show `error.message`: a sentence, not an id or a code.
        let message = &decoded.error.message;
        assert!(
            message.contains(' ') && message != &decoded.error.code,
            "{what}: {message}"
        );
        ids.push(format!("{} {}", reply.status, decoded.error.code));
    }
    assert_eq!(
        ids,
        [
            "400 COM10001",
            "400 ODP21019",
            "401 IAM10000",
            "403 IAM11000",
            "404 ODP21001",
            "404 ODP21002",
            "404 TSK10001",
            "404 COM10003",
            "405 COM10008",
            "414 COM10003",
            "413 COM10003",
            "409 ODP21016",
            "409 TSK10007",
            "503 COM10015",
        ]
    );
}

#[tokio::test]
async fn the_throttled_answer_keeps_the_documented_integer_0() {
    let mock = MockServer::builder()
        .scenario("throttle:1/60000".parse().expect("a scenario"))
        .start()
        .await;
    let path = format!("{CLUSTERS}/1");
    assert_eq!(call(mock.address(), "GET", &path, &[]).await.status, 200);
    let body = call(mock.address(), "GET", &path, &[])
        .await
        .checked(Expect::Any);
    // OCP documents this one answer, in every version, with `"code": 0`: a client that decodes
    // `code` as a string fails on OCP's own 429 as on the mock's.
    assert_eq!(body["error"]["code"], 0);
    assert!(serde_json::from_value::<GoClientEnvelope>(body).is_err());
}

#[tokio::test]
async fn error_code_number_writes_ocp_numbers_with_the_version_wording() {
    let mock = MockServer::builder()
        .error_code(ErrorCodeStyle::Number)
        .start()
        .await;
    let addr = mock.address();
    let server = delete(addr, &format!("{CLUSTERS}/1/obproxies/42")).await;
    let body = server.checked(Expect::Any);
    assert_eq!(body["error"]["code"], 21002);
    assert_eq!(
        body["error"]["message"],
        "The OBProxy server with the ID of 42 is not found."
    );
    let task = call(addr, "GET", "/api/v2/tasks/instances/9", &[]).await;
    assert_eq!(task.checked(Expect::Any)["error"]["code"], 4001, "TSK10001");
    let bad = delete(addr, &format!("{CLUSTERS}/x/obproxies/2")).await;
    assert_eq!(bad.checked(Expect::Any)["error"]["code"], 1001, "COM10001");
}

#[tokio::test]
async fn error_code_string_writes_v4_ids_for_ocp_3_1_1() {
    let mock = MockServer::builder()
        .ocp_version(OcpVersion::V3_1_1)
        .error_code(ErrorCodeStyle::String)
        .start()
        .await;
    let body = delete(mock.address(), &format!("{CLUSTERS}/1/obproxies/42"))
        .await
        .checked(Expect::Any);
    assert_eq!(body["error"]["code"], "ODP21002");
    assert_eq!(
        body["error"]["message"],
        "The OBProxy server with an ID of 42 does not exist."
    );
}

/// OCP 3.1.1's table lacks three errors the mock answers; the README names the rows that stand
/// in, and a 3.1.1 mock answers them, in both languages.
#[tokio::test]
async fn ocp_3_1_1_answers_the_stand_ins_the_readme_names() {
    let readme = include_str!("../README.md");
    for claim in [
        "is `1005`, 3.1.1's conflict error (\"An error occurred while processing the request\";\n  zh \"请求处理遇到冲突\")",
        "that 400 (`ODP21019` from 4.2.2) is `21002`,\n  \"The OBProxy server with an ID of {0} does not exist\"",
        "3.1.1's unknown error (`1999`, for an injected 5xx) has two placeholders, cause and error:",
    ] {
        assert!(readme.contains(claim), "README lacks {claim:?}");
    }
    let mock = MockServer::builder()
        .ocp_version(OcpVersion::V3_1_1)
        .start()
        .await;
    let addr = mock.address();
    let error = |reply: Reply| reply.checked(Expect::Any)["error"].clone();
    let other = error(delete(addr, "/api/v2/obproxy/clusters/1/obproxies/5").await);
    assert_eq!(other["code"], 21002);
    assert_eq!(
        other["message"],
        "The OBProxy server with an ID of 5 does not exist."
    );
    assert_eq!(delete(addr, DOCUMENTED_PATH).await.status, 200);
    let zh = [("Accept-Language", "zh-CN")];
    let busy = error(call(addr, "DELETE", DOCUMENTED_PATH, &zh).await);
    assert_eq!(busy["code"], 1005);
    assert!(
        busy["message"]
            .as_str()
            .unwrap()
            .starts_with("请求处理遇到冲突"),
        "{busy}"
    );
    assert!(
        busy["debugMessage"].as_str().unwrap().contains('2'),
        "{busy}"
    );
    mock.set_scenarios(vec!["error:502".parse().expect("a scenario")])
        .expect("scenarios apply");
    let injected = error(call(addr, "GET", "/api/v2/obproxy/clusters/1", &[]).await);
    assert_eq!(injected["code"], 1999);
    let message = injected["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("error 502 injected by a scenario") && message.contains("HTTP 502"),
        "{message}"
    );
    assert!(
        !message.contains("{0}") && !message.contains("{1}"),
        "{message}"
    );
}
