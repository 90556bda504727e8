//! What a newcomer meets first when serving: the address on stdout and in `--port-file`, the
//! request log as JSON, the admin API's own index, and a broken inventory's place.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::support::{ADMIN_BASIC, ChildGuard, DOCUMENTED_PATH};

use super::{binary, send, spawn_serve, spawn_serve_logged, terminate, wait_with_timeout};

#[test]
fn serve_prints_its_address_on_stdout_and_writes_the_port_file() {
    let dir = std::env::temp_dir().join(format!("ocp-mock-port-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let mut child = binary()
        .args(["serve", "--addr", "127.0.0.1:0", "--quiet", "--port-file"])
        .arg(&port_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map(ChildGuard)
        .expect("start the binary");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("a line on stdout");
    let addr = line
        .trim_end()
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("not the address: {line:?}"));
    // Written before the address is printed.
    let port = std::fs::read_to_string(&port_file).expect("the port file");
    assert_eq!(port, format!("{addr}\n"));
    let reply = send(
        &format!("127.0.0.1:{addr}"),
        &format!(
            "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
        ),
    );
    assert_eq!(reply.status, 200);
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_json_request_log_has_one_object_per_line_with_the_text_log_s_fields() {
    let (mut child, addr, log) = spawn_serve_logged(&["--log-format", "json"]);
    send(
        &addr,
        &format!(
            "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
        ),
    );
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
    std::thread::sleep(Duration::from_millis(100));
    let lines = log.lock().unwrap().clone();
    let requests: Vec<Value> = lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(requests.len(), 1, "{lines:#?}");
    let entry = &requests[0];
    assert_eq!(entry["method"], "DELETE");
    assert_eq!(entry["path"], DOCUMENTED_PATH);
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["traceId"], "0fda4c74b7a84932");
    assert!(entry["ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{entry}");
    let keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5, "{entry}");
}

#[test]
fn the_admin_index_lists_every_admin_call_and_each_get_answers() {
    let (mut child, addr) = spawn_serve(&["--quiet"], &[]);
    let get = |path: &str| {
        send(
            &addr,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
    };
    let index = get("/__mock/");
    assert_eq!(index.status, 200);
    let calls = index.json()["data"]["calls"].clone();
    let listed: Vec<String> = calls
        .as_array()
        .expect("a list of calls")
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["method"].as_str().unwrap(),
                c["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            "GET /__mock/",
            "GET /__mock/health",
            "GET /__mock/requests",
            "GET /__mock/tasks",
            "POST /__mock/reset",
            "GET /__mock/scenarios",
            "PUT /__mock/scenarios",
            "GET /__mock/openapi.json",
        ]
    );
    for call in calls.as_array().unwrap() {
        assert!(!call["what"].as_str().unwrap().is_empty(), "{call}");
        if call["method"] == "GET" {
            assert_eq!(get(call["path"].as_str().unwrap()).status, 200, "{call}");
        }
    }
    terminate(&child);
    assert!(wait_with_timeout(&mut child).success());
}

#[test]
fn an_inventory_syntax_error_names_its_line_and_column_only() {
    let dir = std::env::temp_dir().join(format!("ocp-mock-syntax-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("inventory.json");
    std::fs::write(&file, "{\n  \"clusters\": [,]\n}\n").unwrap();
    let out = binary()
        .args(["serve", "--inventory"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        format!(
            "ocp-mock: --inventory: {}: line 2 column 16: expected value\n",
            file.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
