//! Authentication: HTTP Basic and AK/SK signatures, accepted and refused as OCP does.
//!
//! The signing client here is written from OCP's documentation, not with the mock's own
//! string-to-sign code, so a mistake in one cannot hide a mistake in the other.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use ocp_mock::MockServer;
use ocp_mock::Role;
use ocp_mock::contract::{Expect, normalize};
use sha1::Sha1;

use crate::support::{DOCUMENTED_PATH, Reply, assert_json_eq, call, documented_example, raw};

const AK: &str = "cqammmxBpfGjFlto";
const SK: &str = "2fc0c299cc94c6be266f2ceece765d4d";

/// A request as a client would sign and send it.
struct Signed<'a> {
    method: &'a str,
    path: &'a str,
    /// Already sorted and RFC 3986-encoded, as the documentation asks the client to send it.
    query: Option<&'a str>,
    body: &'a [u8],
    content_type: Option<&'a str>,
    ocp_headers: Vec<(&'a str, &'a str)>,
    date: String,
    key_id: &'a str,
    secret: &'a str,
    scheme: &'a str,
}

impl<'a> Signed<'a> {
    fn new(method: &'a str, path: &'a str) -> Self {
        Self {
            method,
            path,
            query: None,
            body: b"",
            content_type: Some("application/json"),
            ocp_headers: Vec::new(),
            date: httpdate::fmt_http_date(SystemTime::now()),
            key_id: AK,
            secret: SK,
            scheme: "OCP-ACCESS-KEY-HMACSHA1",
        }
    }

    /// The documentation's seven parts, joined by newlines.
    fn message(&self, host: &str) -> String {
        let md5 = if self.body.is_empty() {
            String::new()
        } else {
            hex_upper(&Md5::digest(self.body))
        };
        let mut headers: Vec<String> = self
            .ocp_headers
            .iter()
            .map(|(n, v)| format!("{n}:{v}"))
            .collect();
        headers.sort();
        let resource = match self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.to_owned(),
        };
        format!(
            "{}\n{md5}\n{}\n{}\n{host}\n{}\n{resource}",
            self.method,
            self.content_type.unwrap_or(""),
            self.date,
            headers.join("\n")
        )
    }

    fn signature(&self, host: &str) -> String {
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(self.secret.as_bytes()).unwrap();
        mac.update(self.message(host).as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }

    fn wire(&self, addr: SocketAddr) -> Vec<u8> {
        let host = addr.to_string();
        let target = match self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.to_owned(),
        };
        let mut req = format!(
            "{} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nDate: {}\r\nAuthorization: {} {}:{}\r\n",
            self.method,
            self.date,
            self.scheme,
            self.key_id,
            self.signature(&host)
        );
        if let Some(ct) = self.content_type {
            req.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        for (n, v) in &self.ocp_headers {
            req.push_str(&format!("{n}: {v}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(self.body);
        bytes
    }

    async fn send(&self, addr: SocketAddr) -> Reply {
        raw(addr, &self.wire(addr)).await
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Asserts a 401 (or 403) envelope whose `debugMessage` contains `fragment`.
fn assert_refused(reply: &Reply, status: u16, fragment: &str) -> serde_json::Value {
    assert_eq!(reply.status, status);
    assert!(
        reply.header("www-authenticate").is_none(),
        "OCP sends no challenge"
    );
    let body = reply.checked(Expect::Any);
    let debug = body["error"]["debugMessage"].as_str().unwrap_or_default();
    assert!(debug.contains(fragment), "{debug:?} lacks {fragment:?}");
    body
}

#[tokio::test]
async fn basic_admin_gets_the_documented_example() {
    let mock = MockServer::start().await;
    let reply = call(mock.address(), "DELETE", DOCUMENTED_PATH, &[]).await;
    assert_eq!(reply.status, 200);
    assert_json_eq!(reply.checked(Expect::NewTask), documented_example());
}

#[tokio::test]
async fn a_call_without_credentials_is_a_401_envelope() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let req =
        format!("DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let body = assert_refused(
        &raw(addr, req.as_bytes()).await,
        401,
        "no Authorization header",
    );
    assert_eq!(body["error"]["code"], "IAM10000");
    insta::assert_json_snapshot!("error_not_authenticated", normalize(&body));
}

#[tokio::test]
async fn a_request_signed_per_the_documentation_gets_the_documented_example() {
    let mock = MockServer::start().await;
    let reply = Signed::new("DELETE", DOCUMENTED_PATH)
        .send(mock.address())
        .await;
    assert_eq!(reply.status, 200);
    let body = reply.checked(Expect::NewTask);
    assert_json_eq!(body, documented_example());
}

#[tokio::test]
async fn signed_requests_with_a_query_headers_and_a_body_are_accepted() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let mut get = Signed::new("GET", "/api/v2/obproxy/clusters");
    get.query = Some("page=1&size=10");
    let reply = get.send(addr).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.checked(Expect::Any)["data"]["page"]["size"], 10);

    let mut with_headers = Signed::new("DELETE", "/api/v2/obproxy/clusters/1/obproxies/3");
    with_headers.ocp_headers = vec![("x-ocp-origin", "terraform"), ("x-ocp-data", "A,1")];
    with_headers.body = br#"{"reason":"scale in"}"#;
    assert_eq!(with_headers.send(addr).await.status, 200);

    let mut no_content_type = Signed::new("DELETE", "/api/v2/obproxy/clusters/1/obproxies/4");
    no_content_type.content_type = None;
    assert_eq!(no_content_type.send(addr).await.status, 200);
}

#[tokio::test]
async fn both_spellings_of_a_joined_query_value_are_accepted() {
    let mock = MockServer::start().await;
    for joined in ["a=1,2", "a=1%2C2"] {
        let mut req = Signed::new("GET", "/api/v2/obproxy/clusters");
        req.query = Some(joined);
        // The wire carries the repeated key; the signature covers the joined form.
        let mut wire = String::from_utf8(req.wire(mock.address())).unwrap();
        wire = wire.replacen(&format!("?{joined} "), "?a=1&a=2 ", 1);
        let reply = raw(mock.address(), wire.as_bytes()).await;
        assert_eq!(
            reply.status,
            200,
            "{joined}: {}",
            String::from_utf8_lossy(&reply.raw_body)
        );
    }
}

#[tokio::test]
async fn rejects_a_signature_made_with_the_wrong_secret() {
    let mock = MockServer::start().await;
    let mut req = Signed::new("DELETE", DOCUMENTED_PATH);
    req.secret = "00000000000000000000000000000000";
    let reply = req.send(mock.address()).await;
    let body = assert_refused(&reply, 401, "bad signature");
    let debug = body["error"]["debugMessage"].as_str().unwrap();
    assert!(
        debug.contains(&format!("DELETE\\n\\napplication/json\\n{}", req.date)),
        "the string to sign is shown with visible newlines: {debug}"
    );
    let text = String::from_utf8_lossy(&reply.raw_body);
    assert!(!text.contains(SK), "the secret never leaves the mock");
    assert!(
        !text.contains(
            &Signed::new("DELETE", DOCUMENTED_PATH).signature(&mock.address().to_string())
        ),
        "nor the expected signature"
    );
    let mut snapshot = normalize(&body);
    snapshot["error"]["debugMessage"] = "[string to sign]".into();
    insta::assert_json_snapshot!("error_bad_signature", snapshot);
}

#[tokio::test]
async fn rejects_an_unknown_access_key() {
    let mock = MockServer::start().await;
    let mut req = Signed::new("DELETE", DOCUMENTED_PATH);
    req.key_id = "nosuchkey";
    assert_refused(
        &req.send(mock.address()).await,
        401,
        "unknown access key \"nosuchkey\"",
    );
}

#[tokio::test]
async fn rejects_a_tampered_path_or_query() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let req = Signed::new("DELETE", DOCUMENTED_PATH);
    let tampered =
        String::from_utf8(req.wire(addr))
            .unwrap()
            .replacen("obproxies/2", "obproxies/3", 1);
    assert_refused(&raw(addr, tampered.as_bytes()).await, 401, "bad signature");

    let mut req = Signed::new("GET", DOCUMENTED_PATH);
    req.query = Some("size=10");
    let tampered = String::from_utf8(req.wire(addr))
        .unwrap()
        .replacen("size=10", "size=11", 1);
    assert_refused(&raw(addr, tampered.as_bytes()).await, 401, "bad signature");
}

#[tokio::test]
async fn rejects_a_date_sixteen_minutes_off_either_way() {
    let mock = MockServer::start().await;
    let sixteen = Duration::from_secs(16 * 60);
    for date in [SystemTime::now() - sixteen, SystemTime::now() + sixteen] {
        let mut req = Signed::new("DELETE", DOCUMENTED_PATH);
        req.date = httpdate::fmt_http_date(date);
        assert_refused(&req.send(mock.address()).await, 401, "stale Date header");
    }
    // Fourteen minutes is within the window.
    let mut req = Signed::new("DELETE", DOCUMENTED_PATH);
    req.date = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(14 * 60));
    assert_eq!(req.send(mock.address()).await.status, 200);
}

#[tokio::test]
async fn rejects_a_signed_request_without_a_date() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let req = Signed::new("DELETE", DOCUMENTED_PATH);
    let wire = String::from_utf8(req.wire(addr)).unwrap();
    let without: String = wire
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("Date:"))
        .collect();
    assert_refused(
        &raw(addr, without.as_bytes()).await,
        401,
        "missing Date header",
    );
}

#[tokio::test]
async fn rejects_the_scheme_in_lower_case() {
    let mock = MockServer::start().await;
    let mut req = Signed::new("DELETE", DOCUMENTED_PATH);
    req.scheme = "OCP-ACCESS-KEY-hmacsha1";
    assert_refused(
        &req.send(mock.address()).await,
        401,
        "malformed Authorization",
    );
}

#[tokio::test]
async fn rejects_basic_with_a_bad_password_or_invalid_base64() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let bad_password = format!("Basic {}", STANDARD.encode("admin:wrong"));
    let reply = call(
        addr,
        "DELETE",
        DOCUMENTED_PATH,
        &[("Authorization", &bad_password)],
    )
    .await;
    assert_refused(&reply, 401, "unknown user or wrong password");
    let reply = call(
        addr,
        "DELETE",
        DOCUMENTED_PATH,
        &[("Authorization", "Basic !!not-base64!!")],
    )
    .await;
    assert_refused(&reply, 401, "invalid base64");
}

#[tokio::test]
async fn rejects_two_authorization_headers() {
    let mock = MockServer::start().await;
    let addr = mock.address();
    let req = format!(
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {0}\r\nAuthorization: {0}\r\n\r\n",
        crate::support::ADMIN_BASIC
    );
    assert_refused(
        &raw(addr, req.as_bytes()).await,
        401,
        "more than one Authorization header",
    );
}

#[tokio::test]
async fn a_viewer_may_not_delete() {
    let mock = MockServer::builder()
        .user("admin", "aaAA11__", Role::Admin)
        .user("watcher", "secret-1", Role::Viewer)
        .start()
        .await;
    let token = format!("Basic {}", STANDARD.encode("watcher:secret-1"));
    let reply = call(
        mock.address(),
        "DELETE",
        DOCUMENTED_PATH,
        &[("Authorization", &token)],
    )
    .await;
    let body = assert_refused(&reply, 403, "needs role admin");
    assert_eq!(body["error"]["code"], "IAM11000");
    insta::assert_json_snapshot!("error_viewer_deleting", normalize(&body));
}

#[tokio::test]
async fn configured_identities_replace_the_defaults() {
    let mock = MockServer::builder()
        .user("ops", "pw-ops", Role::Admin)
        .access_key("AK2", "SK2", Role::Admin)
        .start()
        .await;
    let addr = mock.address();
    let reply = call(addr, "DELETE", DOCUMENTED_PATH, &[]).await;
    assert_eq!(reply.status, 401, "the default admin is gone");
    let ops = format!("Basic {}", STANDARD.encode("ops:pw-ops"));
    let reply = call(addr, "DELETE", DOCUMENTED_PATH, &[("Authorization", &ops)]).await;
    assert_eq!(reply.checked(Expect::NewTask)["data"]["creator"], "ops");
    assert_eq!(
        Signed::new("DELETE", DOCUMENTED_PATH)
            .send(addr)
            .await
            .status,
        401
    );
    let mut req = Signed::new("DELETE", "/api/v2/obproxy/clusters/1/obproxies/3");
    (req.key_id, req.secret) = ("AK2", "SK2");
    assert_eq!(req.send(addr).await.status, 200);
}

#[tokio::test]
async fn no_auth_accepts_anonymous_calls_as_admin() {
    let mock = MockServer::builder().no_auth().start().await;
    let addr = mock.address();
    let req =
        format!("DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let reply = raw(addr, req.as_bytes()).await;
    assert_json_eq!(reply.checked(Expect::NewTask), documented_example());
}

#[tokio::test]
async fn capitalised_x_ocp_header_names_are_accepted() {
    let mock = MockServer::start().await;
    let mut req = Signed::new("DELETE", DOCUMENTED_PATH);
    // Signed as many clients send it, X-Ocp-Origin; the wire carries the same name.
    req.ocp_headers = vec![("X-Ocp-Origin", "sdk")];
    let reply = req.send(mock.address()).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.raw_body)
    );
}

#[tokio::test]
async fn a_malformed_date_is_named_as_such() {
    let mock = MockServer::start().await;
    let mut req = Signed::new("DELETE", DOCUMENTED_PATH);
    req.date = "yesterday".into();
    assert_refused(
        &req.send(mock.address()).await,
        401,
        "malformed Date header \"yesterday\"",
    );
}

#[tokio::test]
async fn only_rfc_1123_dates_are_read_not_the_older_http_forms() {
    let mock = MockServer::start().await;
    let now = httpdate::fmt_http_date(SystemTime::now());
    // The same instant in RFC 850 and asctime form, as old HTTP allowed.
    let when: Vec<&str> = now.split([' ', ',']).filter(|p| !p.is_empty()).collect();
    let (day, date, month, year, time) = (when[0], when[1], when[2], when[3], when[4]);
    let weekday = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    .into_iter()
    .find(|w| w.starts_with(day))
    .unwrap();
    let rfc850 = format!("{weekday}, {date}-{month}-{} {time} GMT", &year[2..]);
    let asctime = format!(
        "{day} {month} {:>2} {time} {year}",
        date.trim_start_matches('0')
    );
    for old in [rfc850, asctime] {
        assert!(
            httpdate::parse_http_date(&old).is_ok(),
            "{old:?} is a valid old form"
        );
        let mut req = Signed::new("DELETE", DOCUMENTED_PATH);
        req.date = old.clone();
        assert_refused(
            &req.send(mock.address()).await,
            401,
            &format!("malformed Date header {old:?} (expected RFC 1123)"),
        );
    }
}
