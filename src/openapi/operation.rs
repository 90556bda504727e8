//! One documented endpoint as an OpenAPI operation: its id, summary, parameters, request body,
//! responses and security.
//!
//! A parameter's schema is what the mock enforces of it ([`Endpoint::check`]): the table's
//! type where the page's own sample request follows it, a plain string where the type is one
//! the mock does not check (`Datetime`, a DTO's name) or the sample breaks it. So a request
//! the document allows is never refused for its shape, and one it forbids is refused with a
//! 400, which is what Schemathesis holds the two to.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value, json};

use super::bundle::Components;
use super::{family, responses, security};
use crate::ocp::catalogue::{BodyShape, Catalogue, Endpoint, Kind, Location, Param, Segment};
use crate::ocp::version::OcpVersion;
use crate::spec::EndpointSchemas;

/// The operation ids given so far in one document: they must be unique.
#[derive(Debug, Default)]
pub struct OperationIds(HashSet<String>);

impl OperationIds {
    /// `get_api_v2_ob_clusters_by_id` for `GET /api/v2/ob/clusters/{id}`, numbered on in the
    /// unlikely case that two paths spell the same.
    fn next(&mut self, method: &str, segments: &[Segment]) -> String {
        let mut base = method.to_ascii_lowercase();
        for segment in segments {
            base.push('_');
            match segment {
                Segment::Literal(text) => base.extend(
                    text.chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
                ),
                Segment::Capture { name, .. } => {
                    base.push_str("by_");
                    base.push_str(name);
                }
            }
        }
        let id = (1..)
            .map(|n| match n {
                1 => base.clone(),
                n => format!("{base}_{n}"),
            })
            .find(|id| !self.0.contains(id))
            .unwrap_or(base);
        self.0.insert(id.clone());
        id
    }
}

/// The operation of `endpoint` in the document of `version`.
pub fn operation(
    version: OcpVersion,
    endpoint: &Endpoint,
    names: &[String],
    ids: &mut OperationIds,
    components: &mut Components,
) -> Value {
    let mut op = Map::new();
    op.insert(
        "operationId".into(),
        json!(ids.next(endpoint.method.as_str(), &endpoint.segments)),
    );
    op.insert("summary".into(), json!(summary(version, endpoint)));
    op.insert(
        "description".into(),
        json!(format!(
            "OCP {version}'s reference page `{}`.",
            endpoint.page
        )),
    );
    op.insert("tags".into(), json!([tag(&endpoint.pattern)]));
    let parameters = parameters(endpoint, names);
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(body) = request_body(endpoint) {
        op.insert("requestBody".into(), body);
    }
    op.insert(
        "responses".into(),
        responses::of(version, endpoint, components),
    );
    op.insert("security".into(), security::of(endpoint));
    Value::Object(op)
}

/// The operation of a route OCP serves but no page documents (see [`UNDOCUMENTED_ROUTES`]):
/// its path ids are Longs, its answer OCP's envelope around the item.
///
/// [`UNDOCUMENTED_ROUTES`]: crate::ocp::catalogue::UNDOCUMENTED_ROUTES
pub fn undocumented(
    method: &str,
    pattern: &str,
    names: &[String],
    ids: &mut OperationIds,
) -> Value {
    let segments = segments_of(pattern);
    let parameters: Vec<Value> = names
        .iter()
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": long()}))
        .collect();
    json!({
        "operationId": ids.next(method, &segments),
        "summary": format!("{method} {pattern} (served by OCP, documented by no page)"),
        "description": "OCP answers this call, and its own pages use it (a sample request \
                        names it), but no reference page documents it: its answer is OCP's \
                        envelope around the item, as the list shows it.",
        "tags": [tag(pattern)],
        "parameters": parameters,
        "responses": responses::undocumented(),
        "security": security::required(),
    })
}

/// A pattern's segments, captures as the catalogue writes them.
fn segments_of(pattern: &str) -> Vec<Segment> {
    pattern
        .split('/')
        .skip(1)
        .map(
            |part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => Segment::Capture {
                    name: name.to_owned(),
                    digits: false,
                },
                None => Segment::Literal(part.to_owned()),
            },
        )
        .collect()
}

/// The summary: the page's title, as the endpoint's schema records it, else read from the
/// page's file name (`100.query-the-alert-event-list.md` is "Query the alert event list").
fn summary(version: OcpVersion, endpoint: &Endpoint) -> String {
    let schema = EndpointSchemas::of(version).get(&endpoint.method, &endpoint.pattern);
    if let Some(title) = schema.map(|s| s.title.trim()).filter(|t| !t.is_empty()) {
        return title.to_owned();
    }
    let file = endpoint.page.rsplit('/').next().unwrap_or_default();
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let words = stem
        .split_once('.')
        .filter(|(n, _)| n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(stem, |(_, rest)| rest);
    let text = words.replace('-', " ");
    let mut chars = text.chars();
    chars.next().map_or_else(
        || format!("{} {}", endpoint.method, endpoint.pattern),
        |first| first.to_uppercase().collect::<String>() + chars.as_str(),
    )
}

/// The tag grouping an operation: the path's first segment past `/api/v2` (`ob`, `obproxy`,
/// `compute`), or past `/api`.
fn tag(pattern: &str) -> String {
    let rest = pattern
        .strip_prefix("/api/v2/")
        .or_else(|| pattern.strip_prefix("/api/"))
        .unwrap_or(pattern.trim_start_matches('/'));
    rest.split('/').next().unwrap_or_default().to_owned()
}

/// The document's tags, one per group of paths, in order.
pub fn tags(version: OcpVersion) -> Value {
    let names: BTreeSet<String> = Catalogue::of(version)
        .endpoints
        .iter()
        .map(|e| tag(&e.pattern))
        .collect();
    names
        .into_iter()
        .map(|name| json!({"name": name}))
        .collect()
}

/// The path parameters, in the path's order, named as the document's path names them, then
/// the query parameters.
fn parameters(endpoint: &Endpoint, names: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    let captures = endpoint.segments.iter().filter_map(|s| match s {
        Segment::Capture { name, digits } => Some((name, *digits)),
        Segment::Literal(_) => None,
    });
    for (at, (name, digits)) in captures.enumerate() {
        let param = endpoint
            .params
            .iter()
            .find(|p| p.location == Location::Path && p.name == *name);
        let shown = names.get(at).unwrap_or(name);
        let schema = if family::is_stateful(endpoint.method.as_str(), &endpoint.pattern) {
            family::path(name)
        } else {
            path_schema(param, digits)
        };
        let mut value = json!({"name": shown, "in": "path", "required": true, "schema": schema});
        describe(&mut value, param);
        if shown != name {
            let said = value["description"].as_str().unwrap_or_default().to_owned();
            value["description"] = json!(format!("{said} The page names it `{name}`.").trim());
        }
        if let Some(example) = endpoint.sample_path_value(name) {
            value["example"] = example_value(&value["schema"], example);
        }
        out.push(value);
    }
    let query = endpoint.sample_request.query.as_deref().unwrap_or_default();
    for param in endpoint
        .params
        .iter()
        .filter(|p| p.location == Location::Query)
    {
        let own = family::query(endpoint.method.as_str(), &endpoint.pattern, &param.name);
        // The type an example is written in: the family's, else the table's.
        let typed = own.clone().unwrap_or_else(|| text_schema(param.kind));
        let schema = own.unwrap_or_else(|| query_schema(param));
        let mut value = json!({"name": param.name, "in": "query", "required": param.required});
        if schema["type"] == "array" {
            // A comma-separated list, as OCP's filters take them: `status=A,B`.
            value["style"] = json!("form");
            value["explode"] = json!(false);
        }
        value["schema"] = schema;
        describe(&mut value, Some(param));
        let sample = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| *k == param.name);
        if let Some((_, example)) = sample {
            value["example"] = example_value(&typed, &example);
        }
        out.push(value);
    }
    out
}

/// A parameter's description: its documented type, when the schema does not say it all.
fn describe(value: &mut Value, param: Option<&Param>) {
    if let Some(param) = param.filter(|p| !p.documented_type.is_empty()) {
        value["description"] = json!(format!("Documented type: {}.", param.documented_type));
    }
}

/// A path segment's schema: a plural id (`obproxyIds`) is a comma-separated list of Longs, as
/// OCP reads it; a capture of digits only (`{id:[\\d]+}`) a non-negative integer.
fn path_schema(param: Option<&Param>, digits: bool) -> Value {
    let kind = param.map_or(Kind::Text, |p| p.kind);
    if kind == Kind::Integer && param.is_some_and(|p| p.name.ends_with("Ids")) {
        return json!({"type": "array", "items": long(), "minItems": 1});
    }
    match (kind, digits) {
        (Kind::Integer, true) => json!({"type": "integer", "minimum": 0, "maximum": i64::MAX}),
        (_, true) => json!({"type": "string", "pattern": "^[0-9]+$"}),
        (kind, false) => text_schema(kind),
    }
}

/// The schema of a path or query value of `kind`.
fn text_schema(kind: Kind) -> Value {
    match kind {
        Kind::Integer => long(),
        Kind::Number => json!({"type": "number"}),
        Kind::Boolean => json!({"type": "boolean"}),
        Kind::Text | Kind::Array | Kind::Unchecked => json!({"type": "string"}),
    }
}

/// A query value's schema. Spring binds an empty number or boolean (`size=`) as no value: for
/// an optional one, the empty text is allowed beside the type.
fn query_schema(param: &Param) -> Value {
    let schema = text_schema(param.kind);
    let converted = matches!(param.kind, Kind::Integer | Kind::Number | Kind::Boolean);
    if converted && !param.required {
        let empty = json!({"type": "string", "maxLength": 0});
        return json!({"anyOf": [schema, empty]});
    }
    schema
}

/// A Java `Long`, as OCP reads an id.
fn long() -> Value {
    json!({"type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX})
}

/// The sample's text as an example of the schema's type (`1` for an integer).
fn example_value(schema: &Value, text: &str) -> Value {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    match schema["type"].as_str() {
        Some("integer") => decoded.parse::<i64>().map_or(json!(decoded), |n| json!(n)),
        Some("number") => decoded.parse::<f64>().map_or(json!(decoded), |n| json!(n)),
        Some("boolean") => decoded.parse::<bool>().map_or(json!(decoded), |b| json!(b)),
        Some("array") => decoded
            .split(',')
            .map(|item| item.trim().parse::<i64>().map_or(json!(item), |n| json!(n)))
            .collect(),
        _ => json!(decoded),
    }
}

/// The JSON body: an object of the documented body parameters (those the mock checks typed
/// and, where required, listed as required), or an array where the page sends one; the
/// page's sample body as its example.
fn request_body(endpoint: &Endpoint) -> Option<Value> {
    let example = endpoint.sample_request.body.clone();
    if let Some(schema) = family::body(endpoint.method.as_str(), &endpoint.pattern) {
        let mut media = json!({"schema": schema});
        if let Some(example) = example {
            media["example"] = example;
        }
        return Some(json!({"required": true, "content": {"application/json": media}}));
    }
    let shape = endpoint.body_shape()?;
    let params: Vec<&Param> = endpoint
        .params
        .iter()
        .filter(|p| p.location == Location::Body)
        .collect();
    let schema = match shape {
        BodyShape::Array => json!({"type": "array"}),
        BodyShape::Object => {
            let properties: Map<String, Value> = params
                .iter()
                .map(|p| (p.name.clone(), body_schema(p)))
                .collect();
            let required: Vec<&str> = params
                .iter()
                .filter(|p| p.required)
                .map(|p| p.name.as_str())
                .collect();
            let mut schema = json!({"type": "object", "properties": properties});
            if !required.is_empty() {
                schema["required"] = json!(required);
            }
            schema
        }
    };
    let mut media = json!({"schema": schema});
    if let Some(example) = example {
        media["example"] = example;
    }
    Some(json!({
        "required": body_required(endpoint),
        "content": {"application/json": media},
    }))
}

/// Whether a request without a body is refused: when a body field is required.
fn body_required(endpoint: &Endpoint) -> bool {
    endpoint
        .params
        .iter()
        .any(|p| p.location == Location::Body && p.required)
}

/// A body field's schema: what the mock accepts of it. Jackson reads a number written as text
/// into a `Long` field, and `null` as absent.
fn body_schema(param: &Param) -> Value {
    let mut schema = match param.kind {
        Kind::Integer => json!({
            "type": ["integer", "string"],
            "format": "int64",
            "pattern": "^[+-]?[0-9]{1,18}$",
            "minimum": i64::MIN,
            "maximum": i64::MAX,
        }),
        Kind::Number => json!({
            "type": ["number", "string"],
            "pattern": "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$",
        }),
        Kind::Boolean => {
            json!({"type": ["boolean", "string"], "enum": [true, false, "true", "false"]})
        }
        Kind::Text => json!({"type": ["string", "number", "integer", "boolean"]}),
        Kind::Array => json!({"type": "array"}),
        // Any value, but a required field must not be null (OCP reads null as absent).
        Kind::Unchecked if param.required => json!({"not": {"type": "null"}}),
        Kind::Unchecked => json!({}),
    };
    if !param.documented_type.is_empty() {
        schema["description"] = json!(format!("Documented type: {}.", param.documented_type));
    }
    if !param.required && param.kind != Kind::Unchecked {
        nullable(&mut schema);
    }
    schema
}

/// Adds `null` to a schema's types (and its `enum`).
fn nullable(schema: &mut Value) {
    match &mut schema["type"] {
        Value::String(t) => schema["type"] = json!([t.clone(), "null"]),
        Value::Array(types) => types.push(json!("null")),
        _ => {}
    }
    if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
        values.push(Value::Null);
    }
}
