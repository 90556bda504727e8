//! The journal as a test reads it: each request's headers and body, credentials redacted, on
//! `GET /__mock/requests` and through the handle's `received_requests()` and `received(..)`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use ocp_mock::{MockServer, RequestMatcher};
use serde_json::json;

use crate::support::{ADMIN_BASIC, parse_reply};

/// One request over a fresh connection; the answer's status and body text.
fn send(address: SocketAddr, head: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "{head}\r\nHost: ocp\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).expect("read");
    let reply = parse_reply(&buf);
    (
        reply.status,
        String::from_utf8_lossy(&reply.raw_body).into_owned(),
    )
}

const SIGNATURE: &str = "c2lnbmF0dXJlLW5vdC10by1rZWVw";

#[test]
fn each_entry_keeps_headers_and_json_body_without_any_secret() {
    let mock = MockServer::start_blocking();
    let body = r#"{"reason":"cleanup","password":"hunter2","ids":[2,3]}"#;
    let head = format!(
        "POST /api/v2/tasks/instances/1/retry HTTP/1.1\r\nAuthorization: {ADMIN_BASIC}\r\n\
         Content-Type: application/json\r\nX-Trace: abc"
    );
    send(mock.address(), &head, body);
    let head = format!(
        "GET /api/v2/obproxy/clusters HTTP/1.1\r\n\
         Authorization: OCP-ACCESS-KEY-HMACSHA1 cqammmxBpfGjFlto:{SIGNATURE}\r\n\
         Date: Thu, 01 Jan 1970 00:00:00 GMT\r\nCookie: JSESSIONID=s3ss"
    );
    assert_eq!(send(mock.address(), &head, "").0, 401);

    let (status, listed) = send(mock.address(), "GET /__mock/requests HTTP/1.1", "");
    assert_eq!(status, 200);
    for secret in ["aaAA11__", "YWFBQTExX18", SIGNATURE, "hunter2", "s3ss"] {
        assert!(!listed.contains(secret), "{secret} in {listed}");
    }
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let [retry, list] = [
        &listed["data"]["requests"][0],
        &listed["data"]["requests"][1],
    ];
    assert_eq!(retry["headers"]["authorization"], "Basic admin:[redacted]");
    assert_eq!(retry["headers"]["content-type"], "application/json");
    assert_eq!(retry["headers"]["x-trace"], "abc");
    assert_eq!(
        retry["body"],
        json!({"reason": "cleanup", "password": "[redacted]", "ids": [2, 3]})
    );
    assert_eq!(retry["bodyBytes"], body.len());
    assert_eq!(
        list["headers"]["authorization"],
        "OCP-ACCESS-KEY-HMACSHA1 cqammmxBpfGjFlto:[redacted]"
    );
    assert_eq!(list["headers"]["cookie"], "[redacted]");
    assert_eq!(list.get("body"), None, "no body, no body key");
}

#[test]
fn the_handle_finds_what_a_client_sent() {
    let mock = MockServer::start_blocking();
    let head = format!(
        "DELETE /api/v2/obproxy/clusters/1/obproxies/2 HTTP/1.1\r\nAuthorization: {ADMIN_BASIC}\r\n\
         Content-Type: application/json"
    );
    send(mock.address(), &head, r#"{"force":true,"ids":[2]}"#);
    send(mock.address(), "GET /api/v2/time HTTP/1.1", "");
    let received = mock.received_requests();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].path, "/api/v2/time");
    assert_eq!(received[1].body, None);

    let deleted = RequestMatcher::new()
        .method("delete")
        .path("/api/v2/obproxy/clusters/1/obproxies/*");
    let cases = [
        (deleted.clone(), 1),
        (
            deleted.clone().header("content-type", "application/json"),
            1,
        ),
        (deleted.clone().header("content-type", "text/plain"), 0),
        (
            deleted
                .clone()
                .json_body(json!({"force": true, "ids": [2]})),
            1,
        ),
        (deleted.clone().json_body(json!({"force": true})), 0),
        (deleted.clone().json_body_contains(json!({"ids": [2]})), 1),
        (deleted.json_body_contains(json!({"ids": [3]})), 0),
        (RequestMatcher::new().method("GET"), 1),
        (RequestMatcher::new(), 2),
    ];
    for (matcher, count) in cases {
        assert_eq!(mock.received(&matcher).len(), count, "{matcher:?}");
    }
}

#[test]
fn a_body_past_the_limit_is_kept_as_its_first_16_kib_of_text() {
    let mock = MockServer::start_blocking();
    let big = format!("[{}1]", "1,".repeat(10_000));
    let head = format!(
        "PUT /api/v2/obproxy/clusters/1 HTTP/1.1\r\nAuthorization: {ADMIN_BASIC}\r\n\
         Content-Type: application/json"
    );
    send(mock.address(), &head, &big);
    let entry = &mock.received_requests()[0];
    assert_eq!(entry.body_bytes, big.len());
    assert_eq!(entry.body, Some(json!(big[..16 << 10])));
}
