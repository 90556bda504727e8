//! The checks every answer gets, whichever probe asked: HTTP status, `Content-Type`, a JSON
//! body, the contract; plus the shapes of the OBProxy cluster list and detail, which the
//! contract's schemas leave open (their `data` is not a task) but clients read all the same.

use serde_json::Value;

use super::client::Answer;
use crate::contract::{Contract, Expect, Violation};
use crate::ocp::inventory::{OPERATE_STATUSES, SERVER_STATUSES};

/// Judges a whole answer; returns its violations and its body when the body is JSON.
pub(crate) fn answer(
    answer: &Answer,
    expected_status: u16,
    expect: Expect,
) -> (Vec<Violation>, Option<Value>) {
    let mut out = Vec::new();
    if answer.status != expected_status {
        out.push(Violation::new(
            "",
            format!(
                "http status: expected {expected_status}, got {}",
                answer.status
            ),
        ));
    }
    match answer.header("content-type") {
        None => out.push(Violation::new(
            "",
            "content-type: expected application/json, got none",
        )),
        Some(value) if !is_json(&value) => out.push(Violation::new(
            "",
            format!(
                "content-type: expected application/json, got {}",
                shown(&value)
            ),
        )),
        Some(_) => {}
    }
    let body = body(answer.status, &answer.body, expect, &mut out);
    (out, body)
}

/// Parses `bytes` as JSON and checks it with the contract as the answer of an HTTP `status`.
pub(crate) fn body(
    status: u16,
    bytes: &[u8],
    expect: Expect,
    out: &mut Vec<Violation>,
) -> Option<Value> {
    let body = parse(bytes, out)?;
    out.extend(Contract::global().check_response(status, &body, expect));
    Some(body)
}

/// Judges the answer of a documented read: HTTP 200, then a JSON body (or, for an endpoint
/// documented as answering text, UTF-8 text, judged as a JSON string), then `schema`, the
/// endpoint's response schema; an envelope also gets the contract's invariants. Returns the
/// violations and the body (the text as a JSON string).
pub(crate) fn read(
    answer: &Answer,
    text: bool,
    schema: impl Fn(&Value) -> Vec<Violation>,
) -> (Vec<Violation>, Option<Value>) {
    let mut out = Vec::new();
    if answer.status != 200 {
        out.push(Violation::new(
            "",
            format!("http status: expected 200, got {}", answer.status),
        ));
    }
    let content_type = answer.header("content-type").unwrap_or_default();
    let body = if text {
        decode(&answer.body, true).map_err(|v| out.push(v)).ok()
    } else {
        if !is_json(&content_type) {
            out.push(Violation::new(
                "",
                format!(
                    "content-type: expected application/json, got {}",
                    if content_type.is_empty() {
                        "none".to_owned()
                    } else {
                        shown(&content_type)
                    }
                ),
            ));
        }
        parse(&answer.body, &mut out)
    };
    if let Some(body) = &body {
        if answer.status == 200 {
            out.extend(schema(body));
        }
        if body.get("successful").is_some() {
            out.extend(Contract::global().check_response(answer.status, body, Expect::Any));
        }
    }
    // The schema and the contract may both see one mistake: say it once.
    (crate::contract::dedup(out), body)
}

/// A JSON body, or the violation saying it is not one.
fn parse(bytes: &[u8], out: &mut Vec<Violation>) -> Option<Value> {
    decode(bytes, false).map_err(|v| out.push(v)).ok()
}

/// A body as the checker judges it: JSON, or, for an endpoint documented as answering text, its
/// UTF-8 text as a JSON string, trailing whitespace dropped (as for a live answer, so for a
/// saved one).
pub(crate) fn decode(bytes: &[u8], text: bool) -> Result<Value, Violation> {
    if text {
        return std::str::from_utf8(bytes)
            .map(|text| Value::from(text.trim_end()))
            .map_err(|e| Violation::new("", format!("body is not UTF-8 text ({e})")));
    }
    serde_json::from_slice::<Value>(bytes).map_err(|e| {
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned();
        Violation::new(
            "",
            format!("body is not JSON ({e}): starts with {}", shown(&start)),
        )
    })
}

/// `application/json`, with any parameters (`;charset=UTF-8`, as Spring writes it).
fn is_json(content_type: &str) -> bool {
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    media_type.eq_ignore_ascii_case("application/json")
}

/// Text from the target, made safe to print: control characters escaped (a hostile target must
/// not drive the terminal), cut at 100 characters.
pub(crate) fn shown(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 100 {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The violation for an answer that is not HTTP at all.
pub(crate) fn not_http(why: &str) -> Violation {
    Violation::new("", format!("not an HTTP answer: {why}"))
}

#[derive(Clone, Copy)]
enum Kind {
    Integer,
    Text,
    List,
    Object,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Integer => "an integer",
            Self::Text => "a string",
            Self::List => "an array",
            Self::Object => "an object",
        }
    }

    fn matches(self, value: &Value) -> bool {
        match self {
            Self::Integer => value.as_i64().is_some(),
            Self::Text => value.is_string(),
            Self::List => value.is_array(),
            Self::Object => value.is_object(),
        }
    }
}

/// A field: its key, its kind, whether it must be there.
type Field = (&'static str, Kind, bool);

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a fraction",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn fields(value: &Value, at: &str, fields: &[Field], out: &mut Vec<Violation>) {
    for &(key, kind, required) in fields {
        match value.get(key) {
            None if required => out.push(Violation::new(format!("{at}/{key}"), "missing")),
            Some(found) if !kind.matches(found) => out.push(Violation::new(
                format!("{at}/{key}"),
                format!("expected {}, got {}", kind.name(), type_name(found)),
            )),
            _ => {}
        }
    }
}

fn one_of(value: &Value, at: &str, key: &str, allowed: &[&str], out: &mut Vec<Violation>) {
    if let Some(found) = value.get(key).and_then(Value::as_str)
        && !allowed.contains(&found)
    {
        out.push(Violation::new(
            format!("{at}/{key}"),
            format!(
                "expected one of {}, got {}",
                allowed.join(", "),
                shown(found)
            ),
        ));
    }
}

/// `data` of `GET /api/v2/obproxy/clusters?page=1&size=10`: OCP's page, `{contents, page}`.
pub(crate) fn cluster_list(body: &Value, out: &mut Vec<Violation>) {
    let Some(data) = success_data(body, out) else {
        return;
    };
    use Kind::*;
    fields(
        data,
        "/data",
        &[("contents", List, true), ("page", Object, true)],
        out,
    );
    if let Some(page) = data.get("page").filter(|p| p.is_object()) {
        let numbers = ["number", "size", "totalElements", "totalPages"].map(|k| (k, Integer, true));
        fields(page, "/data/page", &numbers, out);
    }
    for (i, cluster) in data
        .get("contents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        fields(
            cluster,
            &format!("/data/contents/{i}"),
            &[("id", Integer, true), ("name", Text, true)],
            out,
        );
    }
}

/// `data` of `GET /api/v2/obproxy/clusters/{id}`: the cluster and its OBProxy servers.
pub(crate) fn cluster_detail(body: &Value, cluster_id: i64, out: &mut Vec<Violation>) {
    let Some(data) = success_data(body, out) else {
        return;
    };
    use Kind::*;
    let cluster_fields = [
        ("id", Integer, true),
        ("name", Text, true),
        ("address", Text, false),
        ("port", Integer, false),
        ("workMode", Text, false),
        ("obproxies", List, true),
    ];
    fields(data, "/data", &cluster_fields, out);
    if let Some(id) = data.get("id").and_then(Value::as_i64)
        && id != cluster_id
    {
        out.push(Violation::new(
            "/data/id",
            format!("expected {cluster_id}, the cluster asked for, got {id}"),
        ));
    }
    let server_fields = [
        ("id", Integer, true),
        ("clusterId", Integer, true),
        ("hostId", Integer, false),
        ("ip", Text, false),
        ("sqlPort", Integer, false),
        ("exporterPort", Integer, false),
        ("version", Text, false),
        ("status", Text, true),
        ("operateStatus", Text, false),
    ];
    let servers = data.get("obproxies").and_then(Value::as_array);
    for (i, server) in servers.into_iter().flatten().enumerate() {
        let at = format!("/data/obproxies/{i}");
        fields(server, &at, &server_fields, out);
        one_of(server, &at, "status", &SERVER_STATUSES, out);
        one_of(server, &at, "operateStatus", &OPERATE_STATUSES, out);
        if let Some(owner) = server.get("clusterId").and_then(Value::as_i64)
            && owner != cluster_id
        {
            out.push(Violation::new(
                format!("{at}/clusterId"),
                format!("expected {cluster_id}, the cluster it is listed in, got {owner}"),
            ));
        }
    }
}

/// The `data` of a success envelope; a missing one is a violation here, where data is the point.
fn success_data<'a>(body: &'a Value, out: &mut Vec<Violation>) -> Option<&'a Value> {
    if body.get("successful") != Some(&Value::Bool(true)) {
        return None;
    }
    match body.get("data") {
        Some(data) if data.is_object() => Some(data),
        Some(other) => {
            out.push(Violation::new(
                "/data",
                format!("expected an object, got {}", type_name(other)),
            ));
            None
        }
        None => {
            out.push(Violation::new("/data", "missing"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, content_type: &str, body: &str) -> Answer {
        let mut headers = http::HeaderMap::new();
        if !content_type.is_empty() {
            headers.insert("content-type", content_type.parse().unwrap());
        }
        Answer {
            status,
            headers,
            body: bytes::Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn a_read_is_judged_by_status_type_schema_and_the_envelope_s_invariants() {
        let says = |found: Vec<Violation>| -> Vec<String> {
            found.iter().map(ToString::to_string).collect()
        };
        let text = answer(200, "text/plain;charset=UTF-8", "okay");
        let (found, body) = read(&text, true, |body| {
            vec![Violation::new("", format!("schema saw {body}"))]
        });
        assert_eq!(says(found), ["(root): schema saw \"okay\""]);
        assert_eq!(body, Some(json!("okay")));
        // An error answer is not judged by the success schema: its status says enough.
        let error = answer(500, "", r#"{"successful": false}"#);
        let (found, _) = read(&error, false, |_| panic!("no schema for a 500"));
        assert_eq!(
            says(found)[..2],
            [
                "(root): http status: expected 200, got 500",
                "(root): content-type: expected application/json, got none"
            ]
        );
        let envelope = r#"{"successful": true, "status": 500, "timestamp": "2021-09-03T16:31:58.162+08:00",
            "duration": 1, "traceId": "0fda4c74b7a84932", "server": "x", "data": {}}"#;
        let (found, _) = read(&answer(200, "application/json", envelope), false, |_| {
            Vec::new()
        });
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/status");
    }

    #[test]
    fn content_types_with_parameters_are_json() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json;charset=UTF-8"));
        assert!(is_json("Application/JSON ; charset=utf-8"));
        assert!(!is_json("text/html"));
        assert!(!is_json("application/jsonp"));
    }

    #[test]
    fn shown_escapes_control_characters_and_cuts_long_text() {
        assert_eq!(shown("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(shown(&"x".repeat(150)).len(), 103);
    }

    #[test]
    fn a_cluster_server_with_a_string_id_and_an_unknown_status_is_reported() {
        let body = json!({"successful": true, "data": {"id": 1, "name": "test", "obproxies": [
            {"id": "2", "clusterId": 1, "status": "ASLEEP"}
        ]}});
        let mut out = Vec::new();
        cluster_detail(&body, 1, &mut out);
        let pointers: Vec<&str> = out.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/data/obproxies/0/id", "/data/obproxies/0/status"]
        );
    }
}
