//! OCP's system routes over a real socket: `GET /api/v2/time` (no authentication, plain text)
//! and `GET /api/v2/info` (a bare JSON object), and what the checker makes of `/info`.

use ocp_mock::check::{CheckOptions, Credentials, check};
use ocp_mock::contract::Expect;
use ocp_mock::{MockServer, OcpVersion};
use serde_json::{Value, json};

use crate::support::{
    DOCUMENTED_PATH, assert_json_eq, assert_same_bytes, call, delete, documented_example,
};

const TIME: &str = "/api/v2/time";
const INFO: &str = "/api/v2/info";

/// A request line without any `Authorization`.
async fn anonymous(mock: &MockServer, method: &str, path: &str) -> crate::support::Reply {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        mock.address()
    );
    crate::support::raw(mock.address(), req.as_bytes()).await
}

/// Whether `text` is written as OCP writes a time: `2020-11-11T15:46:27.316+08:00`.
fn is_ocp_time(text: &str) -> bool {
    let shape = "dddd-dd-ddTdd:dd:dd.ddd+dd:dd";
    text.len() == shape.len()
        && text.bytes().zip(shape.bytes()).all(|(c, s)| match s {
            b'd' => c.is_ascii_digit(),
            _ => c == s,
        })
}

/// The sample response of the `/info` page of OCP 3.1.1, 4.2.2 and 4.3.4 (the same on the three,
/// en-US and zh-CN); no 4.3.5 page documents the call, so 4.3.5 answers 4.3.4's.
fn documented_info() -> Value {
    json!({
        "artifact": "ocp-server",
        "buildVersion": "2.5.0-SNAPSHOT",
        "buildJavaVersion": "1.8",
        "buildTime": "2020-11-29T05:43:31.644+08:00",
        "name": "ocp-server",
        "springBootVersion": "2.2.5.RELEASE",
        "group": "com.oceanbase"
    })
}

#[tokio::test]
async fn the_time_answers_without_credentials_as_plain_text_in_ocp_s_format() {
    let mock = MockServer::start().await;
    let reply = anonymous(&mock, "GET", TIME).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain;charset=UTF-8")
    );
    let text = String::from_utf8(reply.raw_body).expect("UTF-8");
    assert!(is_ocp_time(&text), "{text:?}");
    // The fixed clock has taken no request yet: it stands at the documented task's start.
    assert_eq!(text, documented_example()["data"]["startTime"]);
}

#[tokio::test]
async fn the_time_ignores_wrong_credentials_as_a_call_without_any() {
    let mock = MockServer::start().await;
    let reply = call(
        mock.address(),
        "GET",
        TIME,
        &[("Authorization", "Basic d3Jvbmc6d3Jvbmc=")],
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(is_ocp_time(&String::from_utf8_lossy(&reply.raw_body)));
}

#[tokio::test]
async fn posting_to_the_time_is_a_405_envelope_even_without_credentials() {
    let mock = MockServer::start().await;
    let reply = anonymous(&mock, "POST", TIME).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET"));
    reply.checked(Expect::Any);
}

#[tokio::test]
async fn the_info_needs_credentials() {
    let mock = MockServer::start().await;
    let reply = anonymous(&mock, "GET", INFO).await;
    assert_eq!(reply.status, 401);
    reply.checked(Expect::Any);
}

#[tokio::test]
async fn every_version_s_info_is_the_documented_example_naming_its_version_without_an_envelope() {
    for version in OcpVersion::ALL {
        let mock = MockServer::builder().ocp_version(version).start().await;
        let reply = call(mock.address(), "GET", INFO, &[]).await;
        assert_eq!(reply.status, 200, "{version}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let mut expected = documented_info();
        expected["buildVersion"] = json!(version.as_str());
        assert_json_eq!(reply.json(), expected, "OCP {version}");
    }
}

#[tokio::test]
async fn reading_the_time_between_two_deletes_changes_nothing_the_second_answers() {
    let second = "/api/v2/obproxy/clusters/1/obproxies/3";
    let plain = MockServer::start().await;
    delete(plain.address(), DOCUMENTED_PATH).await;
    let expected = delete(plain.address(), second).await;

    let polled = MockServer::start().await;
    let first = delete(polled.address(), DOCUMENTED_PATH).await.json();
    let times = [
        anonymous(&polled, "GET", TIME).await.raw_body,
        anonymous(&polled, "GET", TIME).await.raw_body,
    ];
    let actual = delete(polled.address(), second).await;
    assert_eq!(actual.status, expected.status);
    assert_same_bytes(&actual.raw_body, &expected.raw_body, "the second DELETE");
    // Both reads answer the instant of the latest call, the first DELETE's.
    for time in times {
        assert_eq!(String::from_utf8(time).unwrap(), first["data"]["startTime"]);
    }
}

#[tokio::test]
async fn both_routes_are_journaled_like_other_calls() {
    let mock = MockServer::start().await;
    anonymous(&mock, "GET", TIME).await;
    call(mock.address(), "GET", INFO, &[]).await;
    anonymous(&mock, "GET", INFO).await;
    let seen: Vec<(String, String, u16)> = mock
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.status))
        .collect();
    let expected = [("GET", TIME, 200), ("GET", INFO, 200), ("GET", INFO, 401)]
        .map(|(m, p, s)| (m.to_owned(), p.to_owned(), s));
    assert_eq!(seen, expected);
}

/// The README's commands for the two routes, sent as curl sends them (port and host aside).
#[tokio::test]
async fn the_readme_s_time_and_info_commands_answer_as_it_says() {
    let readme = include_str!("../README.md");
    let time_line = "curl -s http://127.0.0.1:8080/api/v2/time";
    let info_line = "curl -s -u admin:aaAA11__ http://127.0.0.1:8080/api/v2/info";
    for line in [time_line, info_line] {
        assert!(
            readme.lines().any(|l| l.starts_with(line)),
            "README lacks {line:?}"
        );
    }
    let mock = MockServer::start().await;
    let time = anonymous(&mock, "GET", TIME).await;
    assert_eq!(time.status, 200);
    let text = String::from_utf8(time.raw_body).unwrap();
    assert!(
        readme.contains(&format!("{time_line}  # prints {text}")),
        "the README shows {text}"
    );
    let info = call(mock.address(), "GET", INFO, &[]).await;
    assert_eq!(info.status, 200);
    assert!(
        readme.contains(&info.json().to_string()),
        "the README shows {}",
        info.json()
    );
}

#[test]
fn the_check_says_which_version_the_mock_reports_and_when_it_cannot_tell() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(MockServer::start());
    let options = CheckOptions::new(mock.uri(), Credentials::basic("admin", "aaAA11__"));
    let report = check(&options).expect("the mock answers");
    assert_eq!(
        report.notes,
        ["GET /api/v2/info: target reports OCP 4.3.4 (buildVersion \"4.3.4\")"]
    );
    assert_eq!(report.exit_code(), 0);
    let unknown = CheckOptions::new(mock.uri(), Credentials::basic("admin", "wrong"));
    let refused = ocp_mock::check::Checker::new(&unknown).unwrap();
    assert_eq!(
        refused.ocp_version_note(),
        "GET /api/v2/info: answered 401, not OCP's build information; the target's OCP version is unknown"
    );
    assert_eq!(refused.target_version(), None);
}
