//! What an entry keeps of a request's headers and body, so a test can assert what its client
//! sent, without keeping a credential: the `Authorization` scheme and the key id (or Basic user
//! name) stay, the signature or password does not; headers and JSON fields whose names look
//! like credentials (see [`super::SECRET_WORDS`]) are replaced by `[redacted]`.
//!
//! Each entry is bounded, so the journal's memory stays bounded by its number of entries: at
//! most [`HEADER_BYTES`] of header text and [`BODY_BYTES`] of body.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use serde_json::Value;

use super::{REDACTED, is_secret_name, redact_query};

/// Header names and values an entry keeps, in total; headers past it are left out.
pub const HEADER_BYTES: usize = 8 << 10;

/// The body an entry keeps; a longer body is kept as the text of its first bytes.
pub const BODY_BYTES: usize = 16 << 10;

/// The headers in the order received, names lowercase, credentials redacted.
pub fn headers(map: &HeaderMap) -> Vec<(String, String)> {
    let mut budget = HEADER_BYTES;
    let mut kept = Vec::new();
    for (name, value) in map {
        let name = name.as_str();
        let value = String::from_utf8_lossy(value.as_bytes());
        let value = redact_header(name, &value);
        let cost = name.len() + value.len();
        if cost > budget {
            continue;
        }
        budget -= cost;
        kept.push((name.to_owned(), value));
    }
    kept
}

/// One header's value as kept.
fn redact_header(name: &str, value: &str) -> String {
    match name {
        "authorization" | "proxy-authorization" => redact_authorization(value),
        _ if is_secret_name(name) => REDACTED.to_owned(),
        _ => value.to_owned(),
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
}
