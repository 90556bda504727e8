//! An operation's responses: the documented success, with the endpoint's schema and the page's
//! sample as its example, and OCP's error envelope (`schemas/error-envelope.json`) for each
//! error status the call can answer.

use serde_json::{Map, Value, json};

use super::bundle::Components;
use crate::ocp::catalogue::{Auth, Endpoint, Segment};
use crate::ocp::version::OcpVersion;
use crate::spec::{EndpointSchema, EndpointSchemas};

/// The error answers every operation shares, by status: the component's name and what it
/// means. Every one is OCP's error envelope.
const ERRORS: &[(u16, &str, &str)] = &[
    (
        400,
        "BadRequest",
        "COM10001: a parameter is missing or not of its documented type, or the body is not \
         JSON of the documented shape (or another refusal of the request's content).",
    ),
    (
        401,
        "Unauthorized",
        "IAM10000: no credentials, or credentials that do not pass (no WWW-Authenticate \
         header, as OCP).",
    ),
    (
        403,
        "Forbidden",
        "IAM11000: the caller's role may not make this call.",
    ),
    (
        404,
        "NotFound",
        "An item the path names does not exist (ODP21001, ODP21002, TSK10001, CMP07005, ...).",
    ),
    (
        409,
        "Conflict",
        "The item's state does not allow the call (ODP21016, TSK10007, CMP07004, ...).",
    ),
    (
        429,
        "TooManyRequests",
        "Throttled: `code` 0, `duration` 0 and an empty `traceId`, as OCP's gateway answers \
         before any trace starts.",
    ),
    (
        500,
        "InternalServerError",
        "An unexpected failure of the server.",
    ),
];

/// `components.responses`: the error answers, each OCP's error envelope.
pub fn components() -> Value {
    let mut out = Map::new();
    for (status, name, what) in ERRORS {
        let mut response = json!({
            "description": what,
            "content": {"application/json": {"schema": Components::contract("error-envelope.json")}},
        });
        if *status == 429 {
            response["headers"] = rate_limit_headers();
        }
        out.insert((*name).to_owned(), response);
    }
    Value::Object(out)
}

/// The `RateLimit-*` headers of a throttled answer.
fn rate_limit_headers() -> Value {
    let header =
        |what: &str| json!({"description": what, "schema": {"type": "integer", "minimum": 0}});
    json!({
        "RateLimit-Limit": header("Calls allowed per window."),
        "RateLimit-Remaining": header("Calls left in the window."),
        "RateLimit-Reset": header("Seconds until the window starts again."),
    })
}

/// The responses of `endpoint`: its documented success, then the errors it can answer.
pub fn of(version: OcpVersion, endpoint: &Endpoint, components: &mut Components) -> Value {
    let mut out = Map::new();
    let status = endpoint.sample().status;
    out.insert(status.to_string(), success(version, endpoint, components));
    for (status, name, _) in ERRORS {
        if answers(endpoint, *status) {
            let reference = format!("#/components/responses/{name}");
            out.insert(status.to_string(), json!({"$ref": reference}));
        }
    }
    Value::Object(out)
}

/// The responses of a route no page documents: OCP's envelope around the item, and the
/// errors of a read by id.
pub fn undocumented() -> Value {
    let mut out = Map::new();
    out.insert(
        "200".into(),
        json!({
            "description": "The item, in OCP's envelope (no page documents its fields).",
            "content": {"application/json": {"schema": Components::contract("success-envelope.json")}},
        }),
    );
    for (status, name, _) in ERRORS {
        if *status != 409 {
            let reference = format!("#/components/responses/{name}");
            out.insert(status.to_string(), json!({"$ref": reference}));
        }
    }
    Value::Object(out)
}

/// Whether `endpoint` can answer the error `status`.
fn answers(endpoint: &Endpoint, status: u16) -> bool {
    let has_captures = endpoint
        .segments
        .iter()
        .any(|s| matches!(s, Segment::Capture { .. }));
    let takes_input = !endpoint.params.is_empty() || endpoint.sample_request.body.is_some();
    match status {
        400 => takes_input,
        401 | 403 => endpoint.auth == Auth::Required,
        // An id of the path, or of the body (`hostIdList`), that names nothing.
        404 => has_captures || endpoint.body_shape().is_some(),
        409 => endpoint.method != http::Method::GET,
        _ => true,
    }
}

/// The documented success: the endpoint's response schema (`crate::spec`), its definitions
/// moved into the components, with the page's sample as its example; plain text for the pages
/// that document text. An endpoint without a schema (none today: a test holds every one to
/// having one) falls back on the contract's success envelope.
fn success(version: OcpVersion, endpoint: &Endpoint, components: &mut Components) -> Value {
    let sample = endpoint.sample();
    let description = format!("The answer OCP {version}'s page documents.");
    let schema = EndpointSchemas::of(version).get(&endpoint.method, &endpoint.pattern);
    if schema.is_some_and(EndpointSchema::is_text) || sample.text.is_some() {
        let schema = schema.map_or_else(|| json!({"type": "string"}), |s| text_schema(s.schema()));
        let mut media = json!({"schema": schema});
        if let Some(text) = &sample.text {
            media["example"] = json!(text);
        }
        return json!({"description": description, "content": {"text/plain": media}});
    }
    let schema = schema.map_or_else(
        || Components::contract("success-envelope.json"),
        |s| components.hoist(s.schema()),
    );
    let mut media = json!({"schema": schema});
    let example = sample
        .envelope
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    if let Some(example) = example {
        media["example"] = example;
    }
    json!({"description": description, "content": {"application/json": media}})
}

/// A text answer's schema: the endpoint schema describes the text as a JSON string, which is
/// what an OpenAPI reader validates a `text/plain` body as; only its `$schema` goes.
fn text_schema(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
    }
    schema
}
