//! The mock over a real socket: the documented call, determinism, several servers in one lane
//! and OCP's errors.

use ocp_mock::ClockMode;
use ocp_mock::contract::{Expect, normalize};
use ocp_mock::{MockServer, OcpVersion};
use serde_json::{Value, json};

use crate::support::{
    ADMIN_BASIC, DOCUMENTED_PATH, assert_json_eq, assert_same_bytes, call, delete,
    documented_example, raw,
};

fn subtask_ids(task: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = task["subtasks"]
        .as_array()
        .expect("subtasks")
        .iter()
        .map(|s| s["id"].as_i64().expect("id"))
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn the_documented_call_answers_the_documented_example() {
    let mock = MockServer::start().await;
    let reply = delete(mock.address(), DOCUMENTED_PATH).await;
    assert_eq!(reply.status, 200);
    let body = reply.checked(Expect::NewTask);
    assert_json_eq!(body, documented_example());
}

#[tokio::test]
async fn the_answer_is_written_with_sorted_keys_like_ocp() {
    let mock = MockServer::start().await;
    let reply = delete(mock.address(), DOCUMENTED_PATH).await;
    let expected = documented_example().to_string();
    assert_same_bytes(
        &reply.raw_body,
        expected.as_bytes(),
        "serde_json writes object keys in sorted order",
    );
    let text = String::from_utf8(reply.raw_body).unwrap();
    assert!(text.starts_with(r#"{"data":{"context":{"listMap":{"host_ids""#));
}

#[tokio::test]
async fn later_tasks_take_the_next_ids_and_advance_the_clock() {
    let mock = MockServer::start().await;
    let first = delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    let second = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/3")
        .await
        .checked(Expect::NewTask);
    assert_eq!(second["data"]["id"], 33150);
    let ids = subtask_ids(&second["data"]);
    assert_eq!(ids.first(), Some(&34971), "past every id of the first task");
    assert!(
        ids.iter()
            .all(|id| !subtask_ids(&first["data"]).contains(id))
    );
    assert_eq!(second["data"]["startTime"], "2021-09-03T16:31:59.151+08:00");
    assert_eq!(second["timestamp"], "2021-09-03T16:31:59.162+08:00");
    assert_eq!(second["duration"], 17);
    assert_ne!(second["traceId"], first["traceId"]);
    assert_eq!(
        second["data"]["context"]["listMap"],
        json!({"obproxy_server_ids": ["3"], "host_ids": ["3"]})
    );
}

#[tokio::test]
async fn two_mocks_with_the_same_settings_answer_the_same_sequence() {
    let paths = [
        DOCUMENTED_PATH,
        "/api/v2/obproxy/clusters/9/obproxies/1",
        "/api/v2/obproxy/clusters/1/obproxies/1,3",
    ];
    let (a, b) = (MockServer::start().await, MockServer::start().await);
    for path in paths {
        let ra = delete(a.address(), path).await.json();
        let rb = delete(b.address(), path).await.json();
        assert_json_eq!(ra, rb, "{path}");
    }
}

#[tokio::test]
async fn the_seed_sets_the_first_trace_id_and_names_are_settings() {
    let mock = MockServer::builder()
        .seed(0xabc)
        .server_name("ocp-1.example")
        .executor("10.0.0.9")
        .start()
        .await;
    let body = delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    assert_eq!(body["traceId"], "0000000000000abc");
    assert_eq!(body["server"], "ocp-1.example");
    assert_eq!(body["data"]["executor"], "10.0.0.9");
}

#[tokio::test]
async fn the_system_clock_reports_real_time() {
    let mock = MockServer::builder().clock(ClockMode::System).start().await;
    let body = delete(mock.address(), DOCUMENTED_PATH)
        .await
        .checked(Expect::NewTask);
    // RFC 3339 is what OCP's times are; read by the `time` crate, not by the mock's own code.
    let written = body["timestamp"].as_str().unwrap();
    let stamped =
        time::OffsetDateTime::parse(written, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{written:?} is not RFC 3339: {e}"));
    let stamped = (stamped.unix_timestamp_nanos() / 1_000_000) as i64;
    let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    assert!((now - stamped).abs() < 60_000, "{stamped} vs {now}");
}

#[tokio::test]
async fn four_servers_keep_the_documented_single_lane() {
    let mock = MockServer::start().await;
    let body = delete(
        mock.address(),
        "/api/v2/obproxy/clusters/1/obproxies/1,2,3,4",
    )
    .await
    .checked(Expect::NewTask);
    let task = &body["data"];
    assert_eq!(
        task["context"]["listMap"],
        json!({"obproxy_server_ids": ["1", "2", "3", "4"], "host_ids": ["1", "2", "3", "4"]})
    );
    // The documented DAG, as one server has it: the servers are named in listMap only.
    let documented = documented_example();
    let theirs = documented["data"]["subtasks"].as_array().unwrap();
    let subtasks = task["subtasks"].as_array().unwrap();
    assert_eq!(subtasks.len(), theirs.len());
    for (ours, theirs) in subtasks.iter().zip(theirs) {
        assert_eq!(ours, theirs, "{}", theirs["name"]);
    }
    let mut series: Vec<i64> = subtasks
        .iter()
        .map(|s| s["seriesId"].as_i64().unwrap())
        .collect();
    series.sort_unstable();
    series.dedup();
    assert_eq!(series.len(), subtasks.len(), "every seriesId once");
    assert!(
        subtasks
            .iter()
            .all(|s| matches!(s["parallelIdx"].as_i64(), Some(-1 | 0))),
        "one lane"
    );
    insta::assert_json_snapshot!("delete_four_servers", normalize(&body));
}

#[tokio::test]
async fn a_repeated_server_id_counts_once() {
    let mock = MockServer::start().await;
    let body = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/2,2")
        .await
        .checked(Expect::NewTask);
    assert_json_eq!(body, documented_example());
}

/// One error answer: status, snapshot, and the contract.
async fn assert_error(mock: &MockServer, method: &str, path: &str, status: u16, snapshot: &str) {
    let reply = call(mock.address(), method, path, &[]).await;
    assert_eq!(reply.status, status, "{method} {path}");
    let body = reply.checked(Expect::Any);
    assert_eq!(body["successful"], false);
    insta::assert_json_snapshot!(snapshot, normalize(&body));
}

#[tokio::test]
async fn each_kind_of_error_is_a_full_ocp_envelope() {
    let mock = MockServer::start().await;
    let base = "/api/v2/obproxy/clusters";
    for (method, path, status, snapshot) in [
        (
            "DELETE",
            format!("{base}/abc/obproxies/2"),
            400,
            "error_cluster_id_not_a_long",
        ),
        (
            "DELETE",
            format!("{base}/1/obproxies/1,,2"),
            400,
            "error_server_ids_with_an_empty_item",
        ),
        (
            "DELETE",
            format!("{base}/1/obproxies/99999999999999999999"),
            400,
            "error_server_id_past_64_bits",
        ),
        (
            "DELETE",
            format!("{base}/77/obproxies/2"),
            404,
            "error_unknown_cluster",
        ),
        (
            "DELETE",
            format!("{base}/1/obproxies/2,42"),
            404,
            "error_unknown_server",
        ),
        (
            "DELETE",
            format!("{base}/1/obproxies/5"),
            400,
            "error_server_of_another_cluster",
        ),
        (
            "DELETE",
            "/api/v2/no/such/route".to_owned(),
            404,
            "error_unknown_route",
        ),
        (
            "PATCH",
            format!("{base}/1/obproxies/2"),
            405,
            "error_wrong_method",
        ),
    ] {
        assert_error(&mock, method, &path, status, snapshot).await;
    }
}

#[tokio::test]
async fn zero_and_negative_ids_are_well_formed_but_name_nothing() {
    let mock = MockServer::start().await;
    for (path, code) in [
        ("/api/v2/obproxy/clusters/0/obproxies/2", "ODP21001"),
        ("/api/v2/obproxy/clusters/-1/obproxies/2", "ODP21001"),
        ("/api/v2/obproxy/clusters/1/obproxies/-2", "ODP21002"),
    ] {
        let reply = delete(mock.address(), path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.checked(Expect::Any)["error"]["code"], code, "{path}");
    }
}

#[tokio::test]
async fn a_wrong_method_names_the_allowed_ones() {
    let mock = MockServer::start().await;
    let reply = call(mock.address(), "GET", DOCUMENTED_PATH, &[]).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("DELETE"));
    assert_eq!(reply.checked(Expect::Any)["error"]["code"], "COM10008");
}

#[tokio::test]
async fn a_bad_id_error_names_the_parameter_and_the_value() {
    let mock = MockServer::start().await;
    let body = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/2,x7")
        .await
        .checked(Expect::Any);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("obproxyIds=2,x7"), "{message}");
    assert_eq!(body["error"]["target"], "obproxyIds");
    let debug = body["error"]["debugMessage"].as_str().unwrap();
    assert!(debug.contains("\"x7\""), "{debug}");
}

#[tokio::test]
async fn accept_language_zh_cn_gives_the_chinese_message() {
    let mock = MockServer::start().await;
    let reply = call(
        mock.address(),
        "DELETE",
        "/api/v2/obproxy/clusters/77/obproxies/2",
        &[("Accept-Language", "zh-CN,zh;q=0.9")],
    )
    .await;
    let body = reply.checked(Expect::Any);
    assert_eq!(body["error"]["message"], "未找到obproxy cluster, id=77");
    insta::assert_json_snapshot!("error_unknown_cluster_zh_cn", normalize(&body));
}

#[tokio::test]
async fn a_body_past_the_limit_is_a_413_envelope() {
    let mock = MockServer::start().await;
    let size = ocp_mock::Limits::default().max_body_bytes + 1;
    let mut req = format!(
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\nContent-Length: {size}\r\n\r\n"
    )
    .into_bytes();
    req.resize(req.len() + size, b'a');
    let reply = raw(mock.address(), &req).await;
    assert_eq!(reply.status, 413);
    reply.checked(Expect::Any);
}

#[tokio::test]
async fn percent_encoded_ids_are_decoded_before_they_are_read() {
    let mock = MockServer::start().await;
    let body = delete(mock.address(), "/api/v2/obproxy/clusters/1/obproxies/%32")
        .await
        .checked(Expect::NewTask);
    assert_json_eq!(body, documented_example());
}

#[tokio::test]
async fn up_to_4_3_4_every_profile_answers_the_documented_delete_with_the_seed_example() {
    for version in [OcpVersion::V3_1_1, OcpVersion::V4_2_2, OcpVersion::V4_3_4] {
        let mock = MockServer::builder().ocp_version(version).start().await;
        let reply = delete(mock.address(), DOCUMENTED_PATH).await;
        let expected = documented_example().to_string();
        assert_same_bytes(
            &reply.raw_body,
            expected.as_bytes(),
            format_args!("OCP {version}"),
        );
    }
}
