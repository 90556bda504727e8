//! OCP's AK/SK request signature (documented from OCP V4.0.3).
//!
//! `Authorization: OCP-ACCESS-KEY-HMACSHA1 <AccessKeyId>:<Signature>`, where the signature is
//! `Base64(HMAC-SHA1(secret, M))` and `M` joins seven parts with `\n`: method, uppercase-hex MD5
//! of the body (empty without one), `Content-Type` as sent, `Date` as sent, `Host`, the `x-ocp-*`
//! headers as sorted `name:value` lines, and the path followed by `?` and the sorted,
//! RFC 3986-encoded query.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// The scheme word of a signed request's `Authorization` header, exactly as OCP spells it.
pub const SCHEME: &str = "OCP-ACCESS-KEY-HMACSHA1";

/// Everything the string to sign is made of, taken from the request as received.
#[derive(Debug, Clone, Default)]
pub struct SignedParts<'a> {
    /// Part 1, uppercased when signed.
    pub method: &'a str,
    /// The raw body, for part 2 (its MD5).
    pub body: &'a [u8],
    /// Part 3, as sent.
    pub content_type: &'a str,
    /// Part 4, as sent.
    pub date: &'a str,
    /// Part 5, `host:port`.
    pub host: &'a str,
    /// `x-ocp-*` headers in the order received (name as it is to be signed, value).
    pub ocp_headers: Vec<(String, &'a str)>,
    /// The path as received, still percent-encoded.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
}

/// Where the documentation and its reference sample disagree; both forms are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// The comma joining repeated query values is itself encoded as `%2C`.
    pub encode_joining_comma: bool,
}

impl Variant {
    /// The documented form: the joining comma stays a comma.
    pub const PLAIN: Self = Self {
        encode_joining_comma: false,
    };
    /// The reference sample's form: the joining comma is `%2C`.
    pub const ENCODED_COMMA: Self = Self {
        encode_joining_comma: true,
    };
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded (uppercase hex).
pub(crate) const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, RFC3986).to_string()
}

/// The query's `name=value` pairs, decoded as a servlet container reads them (`+` is a space,
/// `%XX` a byte, invalid UTF-8 replaced), empty items skipped. The signature and the journal's
/// redaction read a query this way, as the mock's `MockRequest::query_param` does: a name means
/// the same thing to all three.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// The uppercase-hex MD5 of the body; empty without a body.
pub fn body_md5(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    Md5::digest(body)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Part 7: the path, then `?` and the query sorted by key, repeated keys' values joined by commas.
pub fn canonical_resource(path: &str, query: Option<&str>, variant: Variant) -> String {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return path.to_owned();
    };
    // Sorted by key as they are grouped: linear-logarithmic in the number of keys, since this
    // runs on every signed request before the signature is known to be good.
    let mut pairs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in query_pairs(query) {
        pairs.entry(k).or_default().push(v);
    }
    if pairs.is_empty() {
        // Only separators (`?&`): signed like no query, as clients that build the query from
        // its parameters do.
        return path.to_owned();
    }
    let rendered: Vec<String> = pairs
        .iter()
        .map(|(k, values)| {
            let value = if variant.encode_joining_comma {
                encode(&values.join(","))
            } else {
                values
                    .iter()
                    .map(|v| encode(v))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            format!("{}={value}", encode(k))
        })
        .collect();
    format!("{path}?{}", rendered.join("&"))
}

/// Part 6: the `x-ocp-*` headers as `name:value` lines sorted by name, values in the order sent.
fn ocp_header_lines(headers: &[(String, &str)]) -> String {
    // By lowercase name, then as written: grouped and sorted in one pass over a map.
    let mut grouped: BTreeMap<(String, &str), Vec<&str>> = BTreeMap::new();
    for (name, value) in headers {
        grouped
            .entry((name.to_ascii_lowercase(), name.as_str()))
            .or_default()
            .push(value);
    }
    grouped
        .iter()
        .map(|((_, n), values)| format!("{n}:{}", values.join(",")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The seven-part string to sign.
pub fn string_to_sign(parts: &SignedParts<'_>, variant: Variant) -> String {
    [
        parts.method.to_ascii_uppercase(),
        body_md5(parts.body),
        parts.content_type.to_owned(),
        parts.date.to_owned(),
        parts.host.to_owned(),
        ocp_header_lines(&parts.ocp_headers),
        canonical_resource(parts.path, parts.query, variant),
    ]
    .join("\n")
}

/// `Base64(HMAC-SHA1(secret, message))`: 28 characters with padding.
pub fn sign(secret: &str, message: &str) -> String {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(message.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "2fc0c299cc94c6be266f2ceece765d4d";
    const PLAIN: Variant = Variant {
        encode_joining_comma: false,
    };

    #[test]
    fn reproduces_the_official_post_vector() {
        let body = br#"{"name":"test01","description":"test","regionId":1}"#;
        let parts = SignedParts {
            method: "POST",
            body,
            content_type: "application/json",
            date: "Tue, 17 Jan 2023 09:13:57 GMT",
            host: "ocp.alibaba.net:8080",
            ocp_headers: vec![("x-ocp-data".into(), "A,1")],
            path: "/api/v2/compute/idcs",
            query: None,
        };
        let m = string_to_sign(&parts, PLAIN);
        assert_eq!(
            m,
            "POST\n186974DB33A090A16D3E2CA35F547B56\napplication/json\nTue, 17 Jan 2023 09:13:57 GMT\nocp.alibaba.net:8080\nx-ocp-data:A,1\n/api/v2/compute/idcs"
        );
        assert_eq!(sign(SECRET, &m), "XN8P+O+v3vUabB16ZCooq5wMJoY=");
    }

    #[test]
    fn reproduces_the_official_get_vector() {
        let parts = SignedParts {
            method: "GET",
            content_type: "application/json;charset=utf-8",
            date: "Tue, 17 Jan 2023 04:14:02 GMT",
            host: "ocp.alibaba.net:8080",
            path: "/api/v2/compute/idcs",
            query: Some("size=100"),
            ..SignedParts::default()
        };
        let m = string_to_sign(&parts, PLAIN);
        assert_eq!(
            m,
            "GET\n\napplication/json;charset=utf-8\nTue, 17 Jan 2023 04:14:02 GMT\nocp.alibaba.net:8080\n\n/api/v2/compute/idcs?size=100"
        );
        assert_eq!(sign(SECRET, &m), "TsQD6HDOuZuJ409m0wdnZPmijlc=");
    }

    #[test]
    fn queries_are_sorted_encoded_and_repeated_keys_joined() {
        let q = Some("b=x%20y&a=2&a=1&c=%E4%B8%AD");
        assert_eq!(
            canonical_resource("/p", q, PLAIN),
            "/p?a=2,1&b=x%20y&c=%E4%B8%AD"
        );
        let encoded = Variant {
            encode_joining_comma: true,
        };
        assert_eq!(
            canonical_resource("/p", q, encoded),
            "/p?a=2%2C1&b=x%20y&c=%E4%B8%AD"
        );
        assert_eq!(canonical_resource("/p", Some(""), PLAIN), "/p");
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
