//! The request journal: the newest requests the mock answered, in a bounded ring so that a long
//! run never grows the mock's memory.
//!
//! Each entry keeps what a test needs to assert what its client sent: method, path, query,
//! headers and body (bounded, see `capture`). Nothing secret is kept: query values, path
//! parameters, headers and JSON fields whose names look like credentials are replaced by
//! `[redacted]`, and `Authorization` keeps only its scheme and key id (or Basic user).

mod capture;
mod matcher;

use std::collections::VecDeque;

use serde_json::{Map, Value, json};

pub use matcher::RequestMatcher;

use crate::mock::request::MockRequest;
use crate::ocp::signature::query_pairs;
use crate::ocp::time::format_time;

/// What a redacted value reads.
pub const REDACTED: &str = "[redacted]";

/// How many requests the journal keeps by default.
pub const DEFAULT_CAPACITY: usize = 1000;

/// One answered request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The request method, uppercase.
    pub method: String,
    /// The path as received, still percent-encoded.
    pub path: String,
    /// The query, credentials redacted.
    pub query: Option<String>,
    /// The headers in the order received, names lowercase, credentials redacted; those past
    /// 8 KiB of names and values in all are left out.
    pub headers: Vec<(String, String)>,
    /// The body: JSON when it parses (credential-like fields redacted), else its text cut at
    /// 16 KiB; `None` without one.
    pub body: Option<Value>,
    /// The body's whole length in bytes, so a cut body shows as such.
    pub body_bytes: usize,
    /// The answer's status; 0 when the connection was closed without one (the `drop` scenario).
    pub status: u16,
    /// The `traceId` of the answer, to match a client's log to the journal.
    pub trace_id: String,
    /// When it arrived, on the mock's clock (milliseconds since the Unix epoch).
    pub at_ms: i64,
}

impl RecordedRequest {
    /// The entry for `request`, answered with `status` under `trace_id` at `at_ms`: path, query,
    /// headers and body redacted and bounded.
    pub fn of(request: &MockRequest, status: u16, trace_id: String, at_ms: i64) -> Self {
        let mut entry = Self::empty();
        entry.refill(request, &mut capture::LastAuthorization::default());
        Self {
            status,
            trace_id,
            at_ms,
            ..entry
        }
    }

    /// An entry of nothing, to be refilled.
    fn empty() -> Self {
        Self {
            method: String::new(),
            path: String::new(),
            query: None,
            headers: Vec::new(),
            body: None,
            body_bytes: 0,
            status: 0,
            trace_id: String::new(),
            at_ms: 0,
        }
    }

    /// Writes what `request` sent over this entry, in its own buffers (see [`Journal::record_request`]).
    fn refill(&mut self, request: &MockRequest, last: &mut capture::LastAuthorization) {
        capture::overwrite(&mut self.method, request.method.as_str());
        capture::overwrite(&mut self.path, &redact_path(&request.path));
        self.query = request.query.as_deref().map(redact_query);
        capture::headers_into(&request.headers, &mut self.headers, last);
        self.body = capture::body(&request.body, request.header(http::header::CONTENT_TYPE));
        self.body_bytes = request.body.len();
    }

    /// A header's value as kept (the first of that name, in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// About how many bytes [`RecordedRequest::to_json`] writes besides its fixed keys: what a
    /// journal read budgets.
    pub fn text_len(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 6)
            .sum();
        let body = self.body.as_ref().map_or(0, |b| b.to_string().len());
        self.method.len()
            + self.path.len()
            + self.query.as_deref().map_or(0, str::len)
            + headers
            + body
    }

    /// The entry as `GET /__mock/requests` lists it, time in OCP's format; headers as an object
    /// (repeated names joined by `, `).
    pub fn to_json(&self) -> Value {
        let mut headers = Map::new();
        for (name, value) in &self.headers {
            match headers.get_mut(name) {
                Some(Value::String(joined)) => {
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                _ => {
                    headers.insert(name.clone(), json!(value));
                }
            }
        }
        let mut v = json!({
            "method": self.method,
            "path": self.path,
            "headers": headers,
            "status": self.status,
            "traceId": self.trace_id,
            "time": format_time(self.at_ms),
        });
        if let Some(q) = &self.query {
            v["query"] = json!(q);
        }
        if let Some(body) = &self.body {
            v["body"] = body.clone();
            v["bodyBytes"] = json!(self.body_bytes);
        }
        v
    }
}

/// A parameter whose name contains one of these (in any case) holds a credential.
pub const SECRET_WORDS: [&str; 11] = [
    "password",
    "pass",
    "pwd",
    "secret",
    "token",
    "signature",
    "key",
    "auth",
    "credential",
    "session",
    "cookie",
];

/// Names too short to look for inside others (`task` holds `sk`): credentials only when whole.
pub const SECRET_NAMES: [&str; 2] = ["ak", "sk"];

/// Whether a parameter name, as the server reads it, names a credential (without allocating:
/// every header of every request is asked).
fn is_secret_name(name: &str) -> bool {
    let name = name.as_bytes();
    SECRET_WORDS.iter().any(|w| {
        name.windows(w.len())
            .any(|part| part.eq_ignore_ascii_case(w.as_bytes()))
    }) || SECRET_NAMES
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
}

/// Whether a query parameter's name, decoded as the server reads it, names a credential.
fn looks_secret(raw_name: &str) -> bool {
    query_pairs(raw_name).any(|(name, _)| is_secret_name(&name))
}

/// The query with values of credential-like names replaced.
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if looks_secret(name) => format!("{name}=[redacted]"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The path with the values of credential-like path parameters (`;jsessionid=...`, which a
/// servlet container reads as a session) replaced.
pub fn redact_path(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.contains(';') {
        return path.into();
    }
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| {
            let mut parts = segment.split(';');
            let head = parts.next().unwrap_or_default().to_owned();
            parts.fold(head, |out, param| match param.split_once('=') {
                Some((name, _)) if is_secret_name(name) => format!("{out};{name}=[redacted]"),
                _ => format!("{out};{param}"),
            })
        })
        .collect();
    segments.join("/").into()
}

/// The ring of recent requests plus a count of all of them.
#[derive(Debug, Clone)]
pub struct Journal {
    entries: VecDeque<RecordedRequest>,
    capacity: usize,
    total: u64,
    /// What the entries keep of the latest `Authorization` value.
    authorization: capture::LastAuthorization,
}

impl Journal {
    /// An empty journal keeping the newest `capacity` requests (0 keeps none, counts all).
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::with_capacity(capacity.min(DEFAULT_CAPACITY)),
            capacity,
            total: 0,
            authorization: capture::LastAuthorization::default(),
        }
    }

    /// Counts an answered request and keeps what it sent (redacted and bounded, as
    /// [`RecordedRequest::of`]); when the ring is full, the oldest entry's buffers take it.
    pub fn record_request(
        &mut self,
        request: &MockRequest,
        status: u16,
        trace_id: &str,
        at_ms: i64,
    ) {
        self.total += 1;
        if self.capacity == 0 {
            return;
        }
        let mut entry = if self.entries.len() == self.capacity {
            self.entries.pop_front()
        } else {
            None
        }
        .unwrap_or_else(RecordedRequest::empty);
        entry.refill(request, &mut self.authorization);
        entry.status = status;
        capture::overwrite(&mut entry.trace_id, trace_id);
        entry.at_ms = at_ms;
        self.entries.push_back(entry);
    }

    /// Oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &RecordedRequest> {
        self.entries.iter()
    }

    /// Every request recorded since the start or the last reset, including those the ring dropped.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// How many requests the ring keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delete(id: u16, authorization: &str) -> MockRequest {
        let path = format!("/api/v2/obproxy/clusters/1/obproxies/{id}");
        let mut req = MockRequest::new(http::Method::DELETE, &path);
        req.headers
            .insert("authorization", authorization.parse().unwrap());
        req
    }

    #[test]
    fn the_ring_keeps_the_newest_and_counts_all() {
        let mut j = Journal::new(2);
        for n in 0..5 {
            j.record_request(&delete(n, "Basic YWRtaW46YWFBQTExX18="), 200, "t", 0);
        }
        let paths: Vec<&str> = j.entries().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/api/v2/obproxy/clusters/1/obproxies/3",
                "/api/v2/obproxy/clusters/1/obproxies/4"
            ]
        );
        assert_eq!(j.total(), 5);
        let mut none = Journal::new(0);
        none.record_request(&delete(1, "Basic YWRtaW46YWFBQTExX18="), 200, "t", 0);
        assert_eq!((none.entries().count(), none.total()), (0, 1));
    }

    #[test]
    fn a_reused_entry_is_the_entry_a_fresh_one_would_be() {
        // One slot: every request after the first is written over the one before, whose
        // headers, query, body and user differ.
        let mut j = Journal::new(1);
        let mut first = delete(1, "Basic dXNlcjE6cHcx");
        first.query = Some("password=p&x=1".into());
        first.body = bytes::Bytes::from_static(br#"{"secretKey":"s"}"#);
        first.headers.insert("x-extra", "v".parse().unwrap());
        first
            .headers
            .insert("content-type", "application/json".parse().unwrap());
        let second = delete(22, "Basic YWRtaW46YWFBQTExX18=");
        let third = delete(3, "OCP-ACCESS-KEY-HMACSHA1 key:c2ln");
        let fourth = delete(4, "Basic YWRtaW46YWFBQTExX18=");
        for (n, req) in [first, second, third, fourth].iter().enumerate() {
            let trace = format!("{n:016x}");
            j.record_request(req, 200 + n as u16, &trace, n as i64);
            let fresh = RecordedRequest::of(req, 200 + n as u16, trace, n as i64);
            assert_eq!(j.entries().last(), Some(&fresh), "request {n}");
        }
        let kept: Vec<_> = j.entries().map(|e| e.header("authorization")).collect();
        assert_eq!(kept, [Some("Basic admin:[redacted]")]);
    }

    #[test]
    fn credential_like_query_values_are_redacted() {
        assert_eq!(
            redact_query("page=1&accessKeySecret=abc&password=x&size=2"),
            "page=1&accessKeySecret=[redacted]&password=[redacted]&size=2"
        );
        assert_eq!(
            redact_query("pass%77ord=x&p=1"),
            "pass%77ord=[redacted]&p=1"
        );
        assert_eq!(redact_query("api+key=x&q=a+b"), "api+key=[redacted]&q=a+b");
        assert_eq!(
            redact_query("pwd=1&passwd=2&PASS=3&sk=4&ak=5&credential=6&JSESSIONID=7&cookie=8"),
            "pwd=[redacted]&passwd=[redacted]&PASS=[redacted]&sk=[redacted]&ak=[redacted]&\
             credential=[redacted]&JSESSIONID=[redacted]&cookie=[redacted]"
        );
        // Whole names only for the short ones: a task or a desk is no secret.
        assert_eq!(redact_query("task=1&desk=2"), "task=1&desk=2");
    }

    #[test]
    fn a_name_is_secret_when_a_word_sits_anywhere_in_it_in_any_case() {
        for name in [
            "x-api-key",
            "X-Auth-Token",
            "token",
            "xtoken",
            "cookie",
            "SK",
            "my-PWD",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "host",
            "user-agent",
            "accept-language",
            "x-request-id",
            "ke",
            "",
            "tok",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn credential_like_path_parameters_are_redacted() {
        assert_eq!(
            redact_path("/api/v2/tasks/instances/1;jsessionid=ABC;v=2/retry"),
            "/api/v2/tasks/instances/1;jsessionid=[redacted];v=2/retry"
        );
        assert_eq!(redact_path("/api/v2/time"), "/api/v2/time");
    }
}
