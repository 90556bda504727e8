//! The document's security schemes: HTTP Basic, and OCP's AK/SK signature, which OpenAPI has
//! no scheme for, described as an API key in the `Authorization` header with the signing rule
//! (the one [`crate::ocp::signature`] verifies) in its description.

use serde_json::{Value, json};

use crate::ocp::catalogue::{Auth, Endpoint};
use crate::ocp::signature::SCHEME;

/// The name of the HTTP Basic scheme.
pub const BASIC: &str = "basicAuth";
/// The name of the AK/SK scheme.
pub const ACCESS_KEY: &str = "ocpAccessKey";

/// `components.securitySchemes`.
pub fn schemes() -> Value {
    json!({
        BASIC: {
            "type": "http",
            "scheme": "basic",
            "description": "RFC 7617 Basic credentials of an OCP user. A wrong or missing \
                            credential is a 401 IAM10000 error envelope, without a \
                            WWW-Authenticate header.",
        },
        ACCESS_KEY: {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": signing_rule(),
        },
    })
}

/// An operation's `security`: either scheme, or none for the call OCP documents as open.
pub fn of(endpoint: &Endpoint) -> Value {
    match endpoint.auth {
        Auth::None => json!([]),
        Auth::Required => required(),
    }
}

/// Either scheme.
pub fn required() -> Value {
    json!([{BASIC: []}, {ACCESS_KEY: []}])
}

/// How a client signs a request, as OCP documents it from V4.0.3.
fn signing_rule() -> String {
    format!(
        "OCP's AK/SK signature (documented from OCP V4.0.3). The header's value is \
         `{SCHEME} <AccessKeyId>:<Signature>`, sent with an RFC 1123 `Date` header within 15 \
         minutes of the server's clock. `Signature` is `Base64(HMAC-SHA1(AccessKeySecret, M))` \
         (standard alphabet, padded: 28 characters), where `M` is seven parts joined by `\\n`, \
         empty parts kept, no trailing newline: (1) the method, uppercase; (2) the uppercase \
         hexadecimal MD5 of the raw body, empty without a body; (3) `Content-Type` exactly as \
         sent, empty without one; (4) `Date` exactly as sent; (5) `Host` (`host:port`); (6) the \
         `x-ocp-*` headers as `name:value` lines sorted by name, values in the order sent, empty \
         without any; (7) the path as sent, then, with a query, `?` and its pairs sorted by key, \
         keys and values percent-encoded per RFC 3986 (uppercase hex, a space as `%20`), the \
         values of a repeated key joined by commas. Example (OCP's own vector): with the secret \
         `2fc0c299cc94c6be266f2ceece765d4d`, `M` = `GET\\n\\napplication/json;charset=utf-8\\n\
         Tue, 17 Jan 2023 04:14:02 GMT\\nocp.alibaba.net:8080\\n\\n/api/v2/compute/idcs?size=100` \
         signs as `TsQD6HDOuZuJ409m0wdnZPmijlc=`. OpenAPI has no scheme for a signature: the \
         value is computed per request, so no static key can stand for it."
    )
}
