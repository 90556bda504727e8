//! What an entry keeps of a request's headers and body, so a test can assert what its client
//! sent, without keeping a credential: the `Authorization` scheme and the key id (or Basic user
//! name) stay, the signature or password does not; headers and JSON fields whose names look
//! like credentials (see [`super::SECRET_WORDS`]) are replaced by `[redacted]`.
//!
//! Each entry is bounded, so the journal's memory stays bounded by its number of entries: at
//! most [`HEADER_BYTES`] of header text and [`BODY_BYTES`] of body. When the ring is full the
//! oldest entry's buffers take the next request (no allocation per header in a steady run), and
//! a buffer more than twice the size of what it now keeps is given back ([`overwrite`]).

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, header};
use serde_json::Value;

use super::{REDACTED, is_secret_name, redact_query};

/// Header names and values an entry keeps, in total; headers past it are left out.
pub const HEADER_BYTES: usize = 8 << 10;

/// The body an entry keeps; a longer body is kept as the text of its first bytes.
pub const BODY_BYTES: usize = 16 << 10;

/// Headers every client sends and none holds a credential: kept without looking into their names
/// for a credential's words. A known name is one comparison; looking into a name compares every
/// word at every position (with four such headers, the journal entry fell from about 5,400 to
/// 2,100 instructions a request).
static PLAIN_HEADERS: [HeaderName; 8] = [
    header::HOST,
    header::USER_AGENT,
    header::ACCEPT,
    header::ACCEPT_ENCODING,
    header::ACCEPT_LANGUAGE,
    header::CONNECTION,
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
];

/// The headers in the order received, names lowercase, credentials redacted, written over an
/// older entry's headers in their buffers: the journal keeps a request per answer, and reusing
/// the ring's oldest entry spares it an allocation per header.
pub fn headers_into(
    map: &HeaderMap,
    kept: &mut Vec<(String, String)>,
    last: &mut LastAuthorization,
) {
    let mut budget = HEADER_BYTES;
    let mut n = 0;
    for (name, value) in map {
        let value = if PLAIN_HEADERS.contains(name) {
            String::from_utf8_lossy(value.as_bytes())
        } else {
            kept_value(name.as_str(), value.as_bytes(), last)
        };
        let name = name.as_str();
        let cost = name.len() + value.len();
        if cost > budget {
            continue;
        }
        budget -= cost;
        if n == kept.len() {
            kept.push((String::new(), String::new()));
        }
        let (kept_name, kept_value) = &mut kept[n];
        overwrite(kept_name, name);
        overwrite(kept_value, &value);
        n += 1;
    }
    kept.truncate(n);
    if kept.capacity() > 2 * n.max(8) {
        kept.shrink_to(n);
    }
}

/// Replaces `kept` by `text` in its own buffer, unless that buffer is more than twice the size
/// needed: a reused entry holds about what it keeps, not the most it ever kept.
pub fn overwrite(kept: &mut String, text: &str) {
    if kept.capacity() > 2 * text.len().max(32) {
        *kept = text.to_owned();
    } else {
        kept.clear();
        kept.push_str(text);
    }
}

/// The last `Authorization` value sent and what an entry keeps of it: a client sends the same
/// value on every call, so it is decoded and redacted once, not once per request.
#[derive(Clone, Default)]
pub struct LastAuthorization {
    sent: Vec<u8>,
    kept: String,
}

impl LastAuthorization {
    /// What an entry keeps of the `Authorization` value `sent`.
    fn kept(&mut self, sent: &[u8]) -> &str {
        // `kept` is never empty once set: it always holds the scheme and `[redacted]`.
        if self.kept.is_empty() || self.sent != sent {
            self.kept = redact_authorization(&String::from_utf8_lossy(sent));
            self.sent.clear();
            self.sent.extend_from_slice(sent);
        }
        &self.kept
    }
}

impl std::fmt::Debug for LastAuthorization {
    /// The value sent holds a credential: only what an entry keeps of it is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LastAuthorization")
            .field("kept", &self.kept)
            .finish_non_exhaustive()
    }
}

/// One header's value as kept.
fn kept_value<'a>(name: &str, sent: &'a [u8], last: &'a mut LastAuthorization) -> Cow<'a, str> {
    match name {
        "authorization" | "proxy-authorization" => Cow::Borrowed(last.kept(sent)),
        _ if is_secret_name(name) => Cow::Borrowed(REDACTED),
        _ => String::from_utf8_lossy(sent),
    }
}

/// `Basic dXNlcjpwdw==` becomes `Basic user:[redacted]`, `OCP-ACCESS-KEY-HMACSHA1 id:sig`
/// becomes `OCP-ACCESS-KEY-HMACSHA1 id:[redacted]`; any other scheme keeps only its name.
fn redact_authorization(value: &str) -> String {
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let id = if scheme.eq_ignore_ascii_case("basic") {
        STANDARD
            .decode(rest.trim())
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|pair| pair.split_once(':').map(|(user, _)| user.to_owned()))
    } else if scheme.starts_with("OCP-ACCESS-KEY") {
        rest.trim().split_once(':').map(|(id, _)| id.to_owned())
    } else {
        None
    };
    match id {
        Some(id) => format!("{scheme} {id}:{REDACTED}"),
        None => format!("{scheme} {REDACTED}"),
    }
}

/// The body as kept: `None` when empty; JSON when it parses (credential-like fields redacted);
/// a form's fields redacted as a query's; otherwise its text, cut at [`BODY_BYTES`].
pub fn body(bytes: &[u8], content_type: Option<&str>) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    if bytes.len() <= BODY_BYTES
        && let Ok(mut json) = serde_json::from_slice::<Value>(bytes)
    {
        redact_json(&mut json);
        return Some(json);
    }
    let cut = &bytes[..bytes.len().min(BODY_BYTES)];
    let text = String::from_utf8_lossy(cut);
    let form = content_type.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    Some(Value::String(if form {
        redact_query(&text)
    } else {
        text.into_owned()
    }))
}

/// Replaces the values of credential-like keys, at any depth.
fn redact_json(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if is_secret_name(key) {
                    *field = Value::String(REDACTED.to_owned());
                } else {
                    redact_json(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(map: &HeaderMap) -> Vec<(String, String)> {
        let mut kept = Vec::new();
        headers_into(map, &mut kept, &mut LastAuthorization::default());
        kept
    }

    #[test]
    fn the_headers_kept_without_a_look_hold_no_credential_word() {
        for name in &PLAIN_HEADERS {
            assert!(!is_secret_name(name.as_str()), "{name}");
        }
    }
    use serde_json::json;

    #[test]
    fn authorization_keeps_its_scheme_and_id_only() {
        let cases = [
            ("Basic YWRtaW46YWFBQTExX18=", "Basic admin:[redacted]"),
            (
                "OCP-ACCESS-KEY-HMACSHA1 cqammmxBpfGjFlto:c2lnbmF0dXJl",
                "OCP-ACCESS-KEY-HMACSHA1 cqammmxBpfGjFlto:[redacted]",
            ),
            ("Bearer abc.def", "Bearer [redacted]"),
            ("Basic !!!", "Basic [redacted]"),
            ("garbage", "garbage [redacted]"),
        ];
        for (sent, kept) in cases {
            assert_eq!(redact_authorization(sent), kept, "{sent}");
        }
    }

    #[test]
    fn credential_like_headers_and_fields_are_redacted() {
        let mut map = HeaderMap::new();
        map.insert("x-api-key", HeaderValue::from_static("k"));
        map.insert("cookie", HeaderValue::from_static("JSESSIONID=1"));
        map.insert("content-type", HeaderValue::from_static("application/json"));
        assert_eq!(
            headers(&map),
            [
                ("x-api-key".to_owned(), "[redacted]".to_owned()),
                ("cookie".to_owned(), "[redacted]".to_owned()),
                ("content-type".to_owned(), "application/json".to_owned()),
            ]
        );
        let sent = br#"{"name":"a","auth":{"password":"p"},"list":[{"secretKey":"s"}]}"#;
        assert_eq!(
            body(sent, Some("application/json")),
            Some(json!({"name":"a","auth":"[redacted]","list":[{"secretKey":"[redacted]"}]}))
        );
        assert_eq!(
            body(
                b"user=a&password=b",
                Some("application/x-www-form-urlencoded")
            ),
            Some(json!("user=a&password=[redacted]"))
        );
    }

    #[test]
    fn bodies_and_headers_are_bounded() {
        let long = vec![b'x'; BODY_BYTES + 10];
        assert_eq!(body(&long, None), Some(json!("x".repeat(BODY_BYTES))));
        assert_eq!(body(b"", None), None);
        let mut map = HeaderMap::new();
        for n in 0..20 {
            let value = HeaderValue::from_str(&"v".repeat(1000)).unwrap();
            map.insert(
                http::HeaderName::from_bytes(format!("x-h{n:02}").as_bytes()).unwrap(),
                value,
            );
        }
        let kept = headers(&map);
        let total: usize = kept.iter().map(|(n, v)| n.len() + v.len()).sum();
        assert_eq!(kept.len(), 8, "1005 bytes each within {HEADER_BYTES}");
        assert!(total <= HEADER_BYTES);
    }

    #[test]
    fn the_remembered_authorization_follows_the_value_sent_and_shows_no_secret() {
        let mut last = LastAuthorization::default();
        assert_eq!(
            last.kept(b"Basic YWRtaW46YWFBQTExX18="),
            "Basic admin:[redacted]"
        );
        assert_eq!(
            last.kept(b"Basic YWRtaW46YWFBQTExX18="),
            "Basic admin:[redacted]"
        );
        assert_eq!(last.kept(b"Basic dXNlcjE6cHcx"), "Basic user1:[redacted]");
        assert_eq!(last.kept(b""), " [redacted]");
        assert_eq!(last.kept(b"Basic dXNlcjE6cHcx"), "Basic user1:[redacted]");
        let shown = format!("{last:?}");
        assert!(!shown.contains("dXNlcjE6cHcx"), "{shown}");
    }

    #[test]
    fn a_reused_buffer_holds_about_what_it_keeps() {
        let mut kept = "x".repeat(4096);
        overwrite(&mut kept, "host");
        assert_eq!(kept, "host");
        assert!(kept.capacity() < 64, "{}", kept.capacity());
        let mut small = String::with_capacity(40);
        let before = small.as_ptr();
        overwrite(&mut small, "127.0.0.1:8080");
        assert_eq!((small.as_str(), small.as_ptr()), ("127.0.0.1:8080", before));
    }
}
