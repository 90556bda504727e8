//! Record and replay: a session recorded through `ocp-mock record` from one mock standing in
//! for a real OCP, then replayed by `ocp-mock serve --replay` with another profile, answers the
//! same bytes; no credential reaches the fixtures; a malformed fixture is refused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ocp_mock::record::{RecordOptions, record};
use ocp_mock::signature::{SignedParts, Variant, sign, string_to_sign};
use ocp_mock::{MockServer, Replay};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::support::{ADMIN_BASIC, ChildGuard, Reply, parse_reply, raw};

const BIN: &str = env!("CARGO_BIN_EXE_ocp-mock");

/// The documented pair, which the stand-in OCP accepts and the proxy signs with.
const PROXY_KEY: (&str, &str) = ("cqammmxBpfGjFlto", "2fc0c299cc94c6be266f2ceece765d4d");
/// What the client signs with: a key the stand-in OCP does not know.
const BODY_PASSWORD: &str = "hunter2-in-a-body";

/// A fresh empty directory under the system's temporary one.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocp-mock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// The recording proxy on a free port, stopped when the returned sender drops.
async fn start_proxy(options: RecordOptions) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        record(listener, options, shutdown).await.expect("proxy");
    });
    (addr, stop)
}

/// One call of the session: method, path and query, headers, body.
type Call = (&'static str, String, Vec<(&'static str, String)>, String);

/// The client's own AK/SK pair: the stand-in OCP does not know it, the replica does.
const CLIENT_KEY: (&str, &str) = ("clientKeyId", "client-secret-never-written");

/// `Date` and `Authorization` signed with the client's key for a call to `addr`.
fn signed(addr: SocketAddr, method: &str, path_and_query: &str) -> Vec<(&'static str, String)> {
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let host = addr.to_string();
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let parts = SignedParts {
        method,
        date: &date,
        host: &host,
        path,
        query,
        ..SignedParts::default()
    };
    let signature = sign(CLIENT_KEY.1, &string_to_sign(&parts, Variant::PLAIN));
    let authorization = format!("OCP-ACCESS-KEY-HMACSHA1 {}:{signature}", CLIENT_KEY.0);
    vec![("Date", date), ("Authorization", authorization)]
}

/// The session sent to `addr`: every kind of answer a client meets, in order.
fn session(addr: SocketAddr) -> Vec<Call> {
    let basic = || vec![("Authorization", ADMIN_BASIC.to_owned())];
    let json = vec![
        ("Authorization", ADMIN_BASIC.to_owned()),
        ("Content-Type", "application/json".to_owned()),
    ];
    let body = format!(r#"{{"hostIdList":[7],"password":"{BODY_PASSWORD}"}}"#);
    let task = "/api/v2/tasks/instances/33149";
    vec![
        (
            "DELETE",
            "/api/v2/obproxy/clusters/1/obproxies/2".into(),
            basic(),
            String::new(),
        ),
        ("GET", task.into(), signed(addr, "GET", task), String::new()),
        ("GET", task.into(), signed(addr, "GET", task), String::new()),
        (
            "GET",
            "/api/v2/obproxy/clusters?page=1&size=10".into(),
            basic(),
            String::new(),
        ),
        (
            "POST",
            "/api/v2/compute/hosts/batchDelete".into(),
            json,
            body,
        ),
        (
            "GET",
            "/api/v2/obproxy/clusters/77".into(),
            basic(),
            String::new(),
        ),
        ("GET", "/api/v2/time".into(), Vec::new(), String::new()),
        (
            "GET",
            "/api/v2/obproxy/clusters/1".into(),
            Vec::new(),
            String::new(),
        ),
    ]
}

async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> Reply {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    raw(addr, req.as_bytes()).await
}

/// What a client sees of an answer: status, content type and the body's bytes.
fn seen(reply: &Reply) -> (u16, Option<String>, String) {
    let body = String::from_utf8_lossy(&reply.raw_body).into_owned();
    (
        reply.status,
        reply.header("content-type").map(str::to_owned),
        body,
    )
}

/// Starts `ocp-mock serve --replay DIR` with other settings; returns it and its base address.
fn spawn_replay(dir: &Path, extra: &[&str]) -> (ChildGuard, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--quiet", "--replay"])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map(ChildGuard)
        .expect("start the binary");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the base URL");
    let addr = line.trim().trim_start_matches("http://").to_owned();
    (child, addr)
}

#[tokio::test]
async fn a_recorded_session_is_replayed_byte_for_byte_by_another_profile() {
    let origin = MockServer::start().await;
    let dir = fresh_dir("recorded");
    let mut options = RecordOptions::new(origin.uri(), &dir);
    options.access_key = Some((PROXY_KEY.0.into(), PROXY_KEY.1.into()));
    options.log = false;
    let (proxy, stop) = start_proxy(options).await;
    let mut recorded = Vec::new();
    for (method, path, headers, body) in session(proxy) {
        let reply = send(proxy, method, &path, &headers, &body).await;
        recorded.push(seen(&reply));
    }
    drop(stop);
    // The AK/SK call was signed again by the proxy: the stand-in OCP accepted it.
    assert_eq!(recorded[1].0, 200, "{}", recorded[1].2);
    assert_eq!(recorded[5].0, 404);
    assert_eq!(
        recorded[7].0, 401,
        "no credentials: OCP's refusal is recorded too"
    );
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, recorded.len());

    // Another profile, another seed and server name: its own answers would differ. It knows
    // the client's key, as a CI mock would.
    let client_key = format!("{}:{}", CLIENT_KEY.0, CLIENT_KEY.1);
    let extra = [
        "--ocp-version",
        "3.1.1",
        "--server-name",
        "replica",
        "--seed",
        "7",
    ];
    let (_replica, addr) =
        spawn_replay(&dir, &[&extra[..], &["--access-key", &client_key]].concat());
    let addr: SocketAddr = addr.parse().expect("address");
    for ((method, path, headers, body), before) in session(addr).into_iter().zip(&recorded) {
        let reply = send(addr, method, &path, &headers, &body).await;
        assert_eq!(&seen(&reply), before, "{method} {path}");
    }
    // Recorded twice: the second answer again once the sequence is spent.
    let (_, task, headers, _) = &session(addr)[2];
    let again = send(addr, "GET", task, headers, "").await;
    assert_eq!(seen(&again), recorded[2]);
    // A recorded call with credentials the replica refuses: its own 401, not the recording.
    let wrong = vec![("Authorization", "Basic YWRtaW46d3Jvbmc=".to_owned())];
    let refused = send(
        addr,
        "DELETE",
        "/api/v2/obproxy/clusters/1/obproxies/2",
        &wrong,
        "",
    )
    .await;
    assert_eq!(
        (refused.status, &refused.json()["server"]),
        (401, &"replica".into())
    );
    assert_ne!(recorded[1], recorded[2], "a poll moved the task on");
    // A call nobody recorded: the replica's own answer.
    let admin = [("Authorization", ADMIN_BASIC.to_owned())];
    let own = send(addr, "GET", "/api/v2/obproxy/clusters/2", &admin, "").await;
    assert_eq!(own.status, 200);
    assert_eq!(own.json()["server"], "replica");
    // A recorded body is matched as sent: another body is the replica's own call.
    let json = &session(addr)[4].2;
    let other = send(
        addr,
        "POST",
        "/api/v2/compute/hosts/batchDelete",
        json,
        r#"{"hostIdList":[1]}"#,
    )
    .await;
    assert_eq!(other.json()["server"], "replica");
}

#[tokio::test]
async fn no_credential_is_written_to_a_fixture() {
    let origin = MockServer::start().await;
    let dir = fresh_dir("credentials");
    let mut options = RecordOptions::new(origin.uri(), &dir);
    options.access_key = Some((PROXY_KEY.0.into(), PROXY_KEY.1.into()));
    options.log = false;
    let (proxy, _stop) = start_proxy(options).await;
    let mut signatures = Vec::new();
    for (method, path, headers, body) in session(proxy) {
        for (_, value) in headers.iter().filter(|(n, _)| *n == "Authorization") {
            signatures.push(value.rsplit(':').next().unwrap_or_default().to_owned());
        }
        send(proxy, method, &path, &headers, &body).await;
    }
    let secret_query = "/api/v2/compute/hosts?keyword=prod&accessSecret=s3cr3t-in-a-query";
    let admin = [("Authorization", ADMIN_BASIC.to_owned())];
    send(proxy, "GET", secret_query, &admin, "").await;
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        std::fs::File::open(entry.unwrap().path())
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
    }
    let fixed = [
        "YWRtaW46YWFBQTExX18",
        "aaAA11__",
        CLIENT_KEY.1,
        PROXY_KEY.1,
        BODY_PASSWORD,
        "s3cr3t-in-a-query",
        // As a field: OCP's 401 names the header in its message.
        "\"authorization\":",
        "\"Authorization\":",
    ];
    assert_eq!(signatures.len(), 6);
    for secret in fixed
        .iter()
        .copied()
        .chain(signatures.iter().map(String::as_str))
    {
        assert!(!text.contains(secret), "{secret} was written");
    }
    assert!(text.contains(r#""credentials": "Basic""#));
    assert!(text.contains(r#""credentials": "OCP-ACCESS-KEY-HMACSHA1""#));
    assert!(text.contains("keyword=prod&accessSecret=[redacted]"));
}

#[tokio::test]
async fn an_unreachable_target_is_a_502_envelope_and_nothing_is_recorded() {
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dir = fresh_dir("unreachable");
    let mut options = RecordOptions::new(format!("http://{closed}"), &dir);
    options.log = false;
    let (proxy, _stop) = start_proxy(options).await;
    let admin = [("Authorization", ADMIN_BASIC.to_owned())];
    let reply = send(proxy, "GET", "/api/v2/obproxy/clusters", &admin, "").await;
    assert_eq!(reply.status, 502);
    let body = reply.json();
    assert_eq!(body["successful"], false);
    assert_eq!(body["status"], 502);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&closed.to_string()), "{message}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[tokio::test]
async fn the_proxy_bounds_bodies_and_exchanges() {
    let origin = MockServer::start().await;
    let dir = fresh_dir("bounded");
    let mut options = RecordOptions::new(origin.uri(), &dir);
    options.log = false;
    options.max_exchanges = 1;
    options.max_body_bytes = 64;
    let (proxy, _stop) = start_proxy(options).await;
    let auth = [("Authorization", ADMIN_BASIC.to_owned())];
    // An answer of a few hundred bytes: passed on, not recorded.
    let big = send(proxy, "GET", "/api/v2/obproxy/clusters/1", &auth, "").await;
    assert_eq!(big.status, 200);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    let time = send(proxy, "GET", "/api/v2/time", &[], "").await;
    assert_eq!(time.status, 200);
    let again = send(proxy, "GET", "/api/v2/time", &[], "").await;
    assert_eq!(again.status, 200);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["0001-GET-api-v2-time.json"], "one exchange at most");
    let body = "x".repeat(65);
    let refused = send(
        proxy,
        "POST",
        "/api/v2/compute/hosts/batchDelete",
        &auth,
        &body,
    )
    .await;
    assert_eq!(refused.status, 413);
    // The head is bounded as the mock's is: a target past 8 KiB is the proxy's own 414
    // envelope, never sent on.
    let long = format!("/api/v2/obproxy/clusters?name={}", "x".repeat(8 * 1024));
    let too_long = send(proxy, "GET", &long, &auth, "").await;
    assert_eq!(too_long.status, 414);
    assert_eq!(too_long.json()["server"], "ocp-mock-record");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "nothing more recorded"
    );
}

/// A fixture as `record` writes it, with `response` replaced.
fn fixture_with(response: &str) -> String {
    format!(
        r#"{{"request": {{"method": "GET", "path": "/api/v2/obproxy/clusters/1"}}, "response": {response}}}"#
    )
}

#[test]
fn a_malformed_fixture_is_refused_with_its_name_and_why() {
    let cases = [
        ("not json", "expected"),
        (&*fixture_with(r#"{"status": 700}"#), "response.status 700"),
        (
            &*fixture_with(r#"{"status": 200, "colour": "red"}"#),
            "unknown field `colour`",
        ),
        (
            &*fixture_with(r#"{"status": 200, "body": {}, "bodyText": "x"}"#),
            "more than one of body",
        ),
        (
            &*fixture_with(r#"{"status": 200, "bodyBase64": "!!"}"#),
            "bodyBase64 is not base64",
        ),
    ];
    for (n, (text, why)) in cases.iter().enumerate() {
        let dir = fresh_dir(&format!("malformed-{n}"));
        std::fs::write(dir.join("0001-GET-bad.json"), text).unwrap();
        let error = Replay::load(&dir).expect_err(text).to_string();
        assert!(
            error.contains("0001-GET-bad.json") && error.contains(why),
            "{error}"
        );
    }
    // The binary refuses it before listening, exit 2, the file named.
    let dir = fresh_dir("malformed-bin");
    std::fs::write(dir.join("0007-GET-x.json"), "{").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--replay"])
        .arg(&dir)
        .output()
        .expect("run the binary");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--replay") && stderr.contains("0007-GET-x.json"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing listened");
}

#[test]
fn answers_unlike_the_documented_shape_are_reported_not_refused() {
    let dir = fresh_dir("drifted");
    let drifted =
        fixture_with(r#"{"status": 200, "body": {"data": {"id": 1}, "successful": true}}"#);
    std::fs::write(dir.join("0001-GET-drifted.json"), drifted).unwrap();
    let replay = Replay::load(&dir).expect("a drifted answer is still replayed");
    assert_eq!(replay.len(), 1);
    let differences = replay.differences().join("\n");
    assert!(
        differences.contains("0001-GET-drifted.json: "),
        "{differences}"
    );
    assert!(differences.contains("traceId"), "{differences}");
    let mock = MockServer::builder().replay(replay).start_blocking();
    let mut s = std::net::TcpStream::connect(mock.address()).unwrap();
    write!(
        s,
        "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let reply = parse_reply(&buf);
    assert_eq!(
        reply.raw_body,
        br#"{"data": {"id": 1}, "successful": true}"#
    );
    assert_eq!(
        mock.count_requests("GET", "/api/v2/obproxy/clusters/1"),
        1,
        "journaled"
    );
}

#[test]
fn record_refuses_a_bad_target_before_listening() {
    let dir = fresh_dir("bad-target");
    let out = Command::new(BIN)
        .args([
            "record",
            "--addr",
            "127.0.0.1:0",
            "--target",
            "ftp://ocp",
            "--out",
        ])
        .arg(&dir)
        .output()
        .expect("run the binary");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--target") && stderr.contains("ftp://ocp"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing listened");
}
