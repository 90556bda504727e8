//! One recorded exchange as a file: the request as sent (method, path, query, the headers that
//! shape an answer, body) and OCP's answer (status, the headers a client reads, body).
//!
//! `ocp-mock record` writes these and `ocp-mock serve --replay` reads them, so both sides share
//! one reading of a request: [`Fixture::of`] and [`Call::of`] apply the same redaction.
//! Credentials are never written: no `Authorization` value (only which scheme was used), and
//! query parameters, headers and JSON fields whose names hold a credential word read
//! `[redacted]`. A JSON body is kept as its exact text, so a replay answers the same bytes.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::mock::journal::{REDACTED, redact_path};
use crate::mock::request::{MockRequest, RATE_LIMIT_HEADERS};

/// Names holding one of these (in any case) are credentials. Narrower than the journal's list:
/// a recorded answer must stay faithful, and OCP's fields hold `key` (`keyword`, `publicKey`
/// of a host, ...) without being secrets.
const SECRET_WORDS: [&str; 8] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "signature",
    "token",
    "credential",
    "session",
];

/// The request headers recorded besides the `x-ocp-*` ones: those that can change OCP's answer.
const REQUEST_HEADERS: [&str; 3] = ["content-type", "accept", "accept-language"];

/// The answer headers recorded and replayed: those a client of OCP reads.
pub const RESPONSE_HEADERS: [&str; 7] = [
    "content-type",
    "allow",
    RATE_LIMIT_HEADERS[0],
    RATE_LIMIT_HEADERS[1],
    RATE_LIMIT_HEADERS[2],
    "retry-after",
    "location",
];

/// One recorded exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// What the client sent (credentials redacted).
    pub request: SentRequest,
    /// What OCP answered.
    pub response: Answer,
}

/// The request side of a fixture.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SentRequest {
    /// Uppercase, as sent.
    pub method: String,
    /// As sent, still percent-encoded.
    pub path: String,
    /// The raw query, without `?`, credential values redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The `Authorization` scheme used (`Basic`, `OCP-ACCESS-KEY-HMACSHA1`), never its value;
    /// absent for a call without credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    /// `content-type`, `accept`, `accept-language` and `x-ocp-*`, names lowercase.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A JSON body, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Box<RawValue>>,
    /// A body that is UTF-8 but not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// Any other body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// The answer side of a fixture.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Answer {
    /// The HTTP status, 100 to 599.
    pub status: u16,
    /// Among [`RESPONSE_HEADERS`], names lowercase.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A JSON body, exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Box<RawValue>>,
    /// A body that is UTF-8 but not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// Any other body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// A body in the most readable form that keeps it: JSON as its exact text (`body`), other
/// UTF-8 as a string (`bodyText`), anything else in base64 (`bodyBase64`); none when empty.
/// Written as three fields of the request or the answer.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub json: Option<Box<RawValue>>,
    pub text: Option<String>,
    pub base64: Option<String>,
}

/// The three body fields of a request or an answer, as one [`Body`].
macro_rules! body_fields {
    ($t:ty) => {
        impl $t {
            /// The body's three fields as one.
            pub fn body(&self) -> Body {
                Body {
                    json: self.body.clone(),
                    text: self.body_text.clone(),
                    base64: self.body_base64.clone(),
                }
            }

            fn set_body(mut self, body: Body) -> Self {
                (self.body, self.body_text, self.body_base64) = (body.json, body.text, body.base64);
                self
            }
        }
    };
}
body_fields!(SentRequest);
body_fields!(Answer);

/// What a request is matched on: the same reading for a recorded one and an incoming one.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Whether the call carried credentials (their kind and value are not matched).
    pub credentials: bool,
    pub body: BodyKey,
}

/// A body as compared: JSON by value (spacing and key order do not matter), else its bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyKey {
    Json(Value),
    Bytes(Vec<u8>),
}

impl Fixture {
    /// The fixture of `req` answered with `status`, `headers` (those of [`RESPONSE_HEADERS`]
    /// are kept) and `body`.
    pub fn of(req: &MockRequest, status: u16, headers: &HeaderMap, body: &[u8]) -> Self {
        let credentials = req
            .header("authorization")
            .map(|v| v.trim().split(' ').next().unwrap_or_default().to_owned());
        let request = SentRequest {
            method: req.method.as_str().to_owned(),
            path: redact_path(&req.path).into_owned(),
            query: req.query.as_deref().map(redact_query),
            credentials,
            headers: kept_headers(&req.headers, |n| {
                REQUEST_HEADERS.contains(&n) || (n.starts_with("x-ocp-") && !is_secret(n))
            }),
            body: None,
            body_text: None,
            body_base64: None,
        }
        .set_body(Body::of(&req.body, req.header("content-type")));
        let response = Answer {
            status,
            headers: kept_headers(headers, |n| RESPONSE_HEADERS.contains(&n)),
            body: None,
            body_text: None,
            body_base64: None,
        }
        .set_body(Body::of(body, None));
        Self { request, response }
    }

    /// Reads a fixture file's text, refusing anything [`Fixture::of`] could not have written
    /// or a replay could not answer.
    pub fn parse(text: &[u8]) -> Result<Self, String> {
        let fixture: Self = serde_json::from_slice(text).map_err(|e| e.to_string())?;
        let request = &fixture.request;
        Method::from_bytes(request.method.as_bytes())
            .map_err(|_| format!("request.method {:?} is not a method", request.method))?;
        if !request.path.starts_with('/') {
            return Err(format!(
                "request.path {:?} does not start with /",
                request.path
            ));
        }
        if !(100..=599).contains(&fixture.response.status) {
            return Err(format!(
                "response.status {} is not 100 to 599",
                fixture.response.status
            ));
        }
        for (name, value) in &fixture.response.headers {
            HeaderValue::from_str(value)
                .map_err(|_| format!("response.headers.{name} is not a header value"))?;
        }
        request
            .body()
            .bytes()
            .map_err(|e| format!("request: {e}"))?;
        fixture
            .response
            .body()
            .bytes()
            .map_err(|e| format!("response: {e}"))?;
        Ok(fixture)
    }

    /// The file's text: pretty JSON, bodies as sent.
    pub fn to_json(&self) -> String {
        // A fixture holds strings, numbers and JSON already checked: it always serialises.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// `0001-GET-api-v2-obproxy-clusters-1.json`: the sequence number orders a replay.
    pub fn file_name(&self, sequence: usize) -> String {
        let mut slug = String::new();
        for c in self.request.path.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug: String = slug.trim_end_matches('-').chars().take(80).collect();
        format!("{sequence:04}-{}-{slug}.json", self.request.method)
    }

    /// What this fixture's request is matched on.
    pub fn call(&self) -> Call {
        let request = &self.request;
        let bytes = request.body().bytes().unwrap_or_default();
        Call {
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            credentials: request.credentials.is_some(),
            body: BodyKey::of(&bytes),
        }
    }
}

impl Call {
    /// What an incoming request is matched on, redacted as a recording would be.
    pub fn of(req: &MockRequest) -> Self {
        let body = Body::of(&req.body, req.header("content-type"));
        Self {
            method: req.method.as_str().to_owned(),
            path: redact_path(&req.path).into_owned(),
            query: req.query.as_deref().map(redact_query),
            credentials: req.headers.contains_key("authorization"),
            body: BodyKey::of(&body.bytes().unwrap_or_default()),
        }
    }
}

impl BodyKey {
    fn of(bytes: &[u8]) -> Self {
        match serde_json::from_slice(bytes) {
            Ok(json) => Self::Json(json),
            Err(_) => Self::Bytes(bytes.to_vec()),
        }
    }
}

impl Body {
    /// Keeps `bytes` as JSON when it is (credential-like fields redacted), as text, or base64.
    fn of(bytes: &[u8], content_type: Option<&str>) -> Self {
        if bytes.is_empty() {
            return Self::default();
        }
        if let Ok(text) = std::str::from_utf8(bytes) {
            if let Ok(mut json) = serde_json::from_str::<Value>(text) {
                let raw = if redact_json(&mut json) || text.trim() != text {
                    RawValue::from_string(json.to_string())
                } else {
                    RawValue::from_string(text.to_owned())
                };
                if let Ok(raw) = raw {
                    return Self {
                        json: Some(raw),
                        ..Self::default()
                    };
                }
            }
            let form =
                content_type.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
            let text = if form {
                redact_query(text)
            } else {
                text.to_owned()
            };
            return Self {
                text: Some(text),
                ..Self::default()
            };
        }
        Self {
            base64: Some(STANDARD.encode(bytes)),
            ..Self::default()
        }
    }

    /// The bytes to answer; refuses more than one form, or base64 that does not decode.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.json, &self.text, &self.base64) {
            (None, None, None) => Ok(Vec::new()),
            (Some(raw), None, None) => Ok(raw.get().as_bytes().to_vec()),
            (None, Some(text), None) => Ok(text.clone().into_bytes()),
            (None, None, Some(b64)) => STANDARD
                .decode(b64)
                .map_err(|e| format!("bodyBase64 is not base64: {e}")),
            _ => Err("more than one of body, bodyText and bodyBase64".to_owned()),
        }
    }

    /// The body as JSON, when it is kept as JSON.
    pub fn json(&self) -> Option<Value> {
        self.json
            .as_ref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }
}

/// Whether a field, parameter or header name holds a credential.
pub fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| name.contains(w)) || matches!(name.as_str(), "sk" | "ak")
}

/// The query with the values of credential-like names replaced.
fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret(&decoded(name)) => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn decoded(name: &str) -> String {
    form_urlencoded::parse(name.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default()
}

/// Replaces the values of credential-like keys, at any depth; says whether any was.
fn redact_json(value: &mut Value) -> bool {
    let mut any = false;
    match value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if is_secret(key) {
                    *field = Value::String(REDACTED.to_owned());
                    any = true;
                } else {
                    any |= redact_json(field);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                any |= redact_json(item);
            }
        }
        _ => {}
    }
    any
}

/// The headers `keep` selects, names lowercase, repeated ones joined by `, `.
fn kept_headers(map: &HeaderMap, keep: impl Fn(&str) -> bool) -> BTreeMap<String, String> {
    let mut kept: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in map {
        let name: &HeaderName = name;
        if !keep(name.as_str()) {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match kept.get_mut(name.as_str()) {
            Some(joined) => {
                joined.push_str(", ");
                joined.push_str(&value);
            }
            None => {
                kept.insert(name.as_str().to_owned(), value);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn request(method: Method, target: &str, body: &[u8]) -> MockRequest {
        let mut req = MockRequest::new(method, target);
        req.body = Bytes::copy_from_slice(body);
        req
    }

    #[test]
    fn file_names_are_the_sequence_the_method_and_a_slug_of_the_path() {
        let req = request(Method::GET, "/api/v2/obproxy/clusters/1?page=2", b"");
        let fixture = Fixture::of(&req, 200, &HeaderMap::new(), b"{}");
        assert_eq!(
            fixture.file_name(7),
            "0007-GET-api-v2-obproxy-clusters-1.json"
        );
        let odd = request(Method::DELETE, "/a//b%20c;x=1/", b"");
        let name = Fixture::of(&odd, 200, &HeaderMap::new(), b"").file_name(12345);
        assert_eq!(name, "12345-DELETE-a-b-20c-x-1.json");
    }

    #[test]
    fn bodies_keep_their_bytes_in_the_most_readable_form() {
        let cases: [(&[u8], &str); 4] = [
            (br#"{"b":1,  "a":[2]}"#, "body"),
            (b"2021-09-03T16:31:58.151+08:00", "bodyText"),
            (&[0xff, 0x00, 0x01], "bodyBase64"),
            (b"", "none"),
        ];
        for (bytes, form) in cases {
            let req = request(Method::GET, "/x", b"");
            let fixture = Fixture::of(&req, 200, &HeaderMap::new(), bytes);
            let text = fixture.to_json();
            let again = Fixture::parse(text.as_bytes()).expect("a fixture reads back");
            assert_eq!(again.response.body().bytes().unwrap(), bytes, "{form}");
            let written: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(written["response"].get(form).is_some(), form != "none");
        }
    }

    #[test]
    fn credentials_are_redacted_and_a_redacted_body_still_matches() {
        let sent = br#"{"name":"a","nested":[{"accessKeySecret":"s"}],"keyword":"k"}"#;
        let mut req = request(Method::POST, "/x?token=t&keyword=k", sent);
        req.headers
            .insert("authorization", "Basic YTpi".parse().unwrap());
        let fixture = Fixture::of(&req, 200, &HeaderMap::new(), b"");
        let text = fixture.to_json();
        assert!(!text.contains("YTpi") && !text.contains(r#""s""#), "{text}");
        assert!(text.contains("token=[redacted]&keyword=k"), "{text}");
        assert!(text.contains(r#""keyword":"k""#), "{text}");
        let mut other = request(Method::POST, "/x?token=u&keyword=k", sent);
        other
            .headers
            .insert("authorization", "Basic Yzpk".parse().unwrap());
        assert_eq!(fixture.call(), Call::of(&other));
    }
}
