//! A page's samples: the response it shows (repaired, or built from its tables when it shows
//! none that parses), and the request it shows (path, query and JSON body).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
#[cfg(test)]
use serde_json::Map;
use serde_json::Value;

#[cfg(test)]
use super::page::{CodeBlock, Page, Table};
use super::params::Kind;
#[cfg(test)]
use super::params::Param;
#[cfg(test)]
use super::repair::repair;

/// Where a replayed sample comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// The page's sample, as printed.
    Documented,
    /// The page's sample, repaired by hand (see `repair`).
    Repaired,
    /// No sample parses: an envelope built from the page's response tables.
    Built,
    /// The page documents a plain-text answer (`GET /api/status`).
    Text,
}

/// The documented answer of an endpoint.
#[derive(Debug, Clone)]
pub struct SampleResponse {
    /// The HTTP status the sample shows (its `status`), 200 when it shows none.
    pub status: u16,
    /// The sample's `data`, absent when it has none.
    pub data: Option<Value>,
    /// The sample envelope's text (repaired where it had to be); `None` when built or text.
    pub envelope: Option<String>,
    /// A plain-text answer, for the page that documents one.
    pub text: Option<String>,
    /// Where it comes from.
    pub origin: Origin,
}

#[cfg(test)]
/// A block's JSON: as parsed, or repaired; with its text and whether it was repaired.
fn block_json(block: &CodeBlock) -> Option<(String, Value, bool)> {
    if !block.text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    match serde_json::from_str(&block.text) {
        Ok(v) => Some((block.text.to_string(), v, false)),
        Err(_) => repair(&block.text).map(|(t, v)| (t, v, true)),
    }
}

#[cfg(test)]
/// Whether a JSON value is an OCP envelope (rather than a request body or a bare object).
fn is_envelope(value: &Value) -> bool {
    value.get("successful").is_some() || value.get("traceId").is_some()
}

#[cfg(test)]
/// Whether a block's text reads as an envelope, without parsing it.
fn looks_enveloped(text: &str) -> bool {
    text.contains("\"successful\"") || text.contains("\"traceId\"")
}

#[cfg(test)]
/// Whether a block's text is an error envelope (`"successful": false`), without parsing it.
fn says_unsuccessful(text: &str) -> bool {
    text.match_indices("\"successful\"").any(|(at, key)| {
        let rest = text[at + key.len()..].trim_start();
        rest.strip_prefix(':')
            .is_some_and(|r| r.trim_start().starts_with("false"))
    })
}

/// An endpoint's answer as the catalogue stores it, its `data` read from the envelope's text on
/// first use: reading every sample would cost the mock's start-up more than all its other work,
/// and most endpoints are never called.
#[derive(Debug, Clone)]
pub struct LazySample {
    /// The answer as stored: `data` only where it was built from the tables.
    head: SampleResponse,
    /// Whether `data` is a task (an object with `subtasks`) or a page of them.
    task: bool,
    parsed: OnceLock<SampleResponse>,
    /// `data` serialised, on first use: what a replay without an id to echo writes.
    data_text: OnceLock<Option<String>>,
}

impl LazySample {
    /// A stored answer; `task` when its `data` is a task or a page of them.
    pub fn new(head: SampleResponse, task: bool) -> Self {
        Self {
            head,
            task,
            parsed: OnceLock::new(),
            data_text: OnceLock::new(),
        }
    }

    /// The answer as stored (an envelope's `data` not yet read).
    pub fn head(&self) -> &SampleResponse {
        &self.head
    }

    /// Whether the answer's `data` is a task or a page of them.
    pub fn is_task(&self) -> bool {
        self.task
    }

    /// The answer, its envelope's `data` read on the first call.
    pub fn get(&self) -> &SampleResponse {
        let Some(text) = self
            .head
            .envelope
            .as_deref()
            .filter(|_| self.head.data.is_none())
        else {
            return &self.head;
        };
        self.parsed.get_or_init(|| SampleResponse {
            data: serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|mut v| v.get_mut("data").map(Value::take)),
            ..self.head.clone()
        })
    }

    /// The answer's `data` as JSON text, serialised on the first call.
    pub fn data_text(&self) -> Option<&str> {
        self.data_text
            .get_or_init(|| self.get().data.as_ref().map(Value::to_string))
            .as_deref()
    }

    /// A page's answer, and whether the page shows a sample envelope of a success (read from
    /// the text, whether or not it parses): the last successful envelope of the page, repaired
    /// where needed; else its text, or a `data` built from its tables.
    #[cfg(test)]
    pub fn of(page: &Page) -> (Self, bool) {
        let candidates: Vec<&str> = page
            .code_blocks
            .iter()
            .filter(|b| b.text.trim_start().starts_with('{') && looks_enveloped(&b.text))
            .map(|b| b.text.as_ref())
            .collect();
        let documented = candidates.iter().any(|t| !says_unsuccessful(t));
        let head = candidates
            .iter()
            .rev()
            .find_map(|text| envelope(text))
            .unwrap_or_else(|| unenveloped(page));
        let is_task = |d: &Value| d.get("subtasks").is_some();
        let task = head.envelope.is_some()
            && head.data.as_ref().is_some_and(|d| {
                is_task(d)
                    || d.get("contents")
                        .and_then(|c| c.get(0))
                        .is_some_and(is_task)
            });
        (Self::new(head, task), documented)
    }
}

#[cfg(test)]
/// A block's answer, when it is (or is repaired into) a successful envelope.
fn envelope(text: &str) -> Option<SampleResponse> {
    let (text, value, repaired) = match serde_json::from_str::<Value>(text) {
        Ok(v) => (text.to_owned(), v, false),
        Err(_) => repair(text).map(|(t, v)| (t, v, true))?,
    };
    if !is_envelope(&value) || value.get("successful") == Some(&Value::Bool(false)) {
        return None;
    }
    let status = value
        .get("status")
        .and_then(Value::as_u64)
        .filter(|s| (200..300).contains(s))
        .map_or(200, |s| s as u16);
    Some(SampleResponse {
        status,
        data: value.get("data").cloned(),
        envelope: Some(text),
        text: None,
        origin: if repaired {
            Origin::Repaired
        } else {
            Origin::Documented
        },
    })
}

#[cfg(test)]
/// The answer of a page with no sample envelope: its plain-text answer when it documents only
/// text, else a `data` built from its response tables.
fn unenveloped(page: &Page) -> SampleResponse {
    let any_json = page
        .code_blocks
        .iter()
        .any(|b| b.text.trim_start().starts_with(['{', '[']));
    let text = page
        .code_blocks
        .iter()
        .map(|b| b.text.trim())
        .find(|t| !any_json && !t.is_empty() && request_line(t).is_none());
    SampleResponse {
        status: 200,
        data: if text.is_some() { None } else { built(page) },
        envelope: None,
        text: text.map(str::to_owned),
        origin: if text.is_some() {
            Origin::Text
        } else {
            Origin::Built
        },
    }
}

#[cfg(test)]
/// A `data` object from the page's "Response parameters" table: each top-level field with a
/// neutral value of its documented type.
fn built(page: &Page) -> Option<Value> {
    let table = page
        .tables
        .iter()
        .find(|t| t.title.to_ascii_lowercase().contains("response parameters"))?;
    let mut data = Map::new();
    for row in &table.rows {
        let Some(name) = Table::cell(row, &["Parameter", "Name"]) else {
            continue;
        };
        let name = name.trim_matches(|c: char| c == '`' || c == '*');
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let ty = Table::cell(row, &["Type"]).unwrap_or_default();
        let value = match Kind::of(ty) {
            Kind::Integer | Kind::Number => Value::from(0),
            Kind::Boolean => Value::Bool(false),
            Kind::Text => Value::String(String::new()),
            Kind::Array => Value::Array(Vec::new()),
            Kind::Unchecked => Value::Null,
        };
        data.insert(name.to_owned(), value);
    }
    Some(Value::Object(data))
}

#[cfg(test)]
/// `METHOD target` out of a request line (backticks and a trailing ` HTTP/1.1` allowed).
pub fn request_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim().trim_matches('`').trim();
    let (method, rest) = line.split_once(' ')?;
    let known = ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method);
    let target = rest.split_whitespace().next()?;
    (known && target.starts_with('/')).then_some((method, target))
}

#[cfg(test)]
/// Every request line the page writes: its sample requests, and the lines above or in its
/// code blocks.
pub fn request_lines<'p>(page: &'p Page<'_>) -> Vec<(&'p str, &'p str)> {
    let blocks = page
        .code_blocks
        .iter()
        .flat_map(|b| [b.after.as_ref(), b.text.lines().next().unwrap_or_default()]);
    page.sample_requests
        .iter()
        .map(String::as_str)
        .chain(blocks)
        .filter_map(request_line)
        .collect()
}

#[cfg(test)]
/// The sample request's JSON body: the first JSON block before the sample response that is not
/// an envelope.
pub fn request_body(page: &Page) -> Option<Value> {
    let blocks = &page.code_blocks;
    let end = blocks
        .iter()
        .rposition(|b| looks_enveloped(&b.text))
        .unwrap_or(blocks.len());
    blocks[..end]
        .iter()
        .filter(|b| !looks_enveloped(&b.text))
        .filter_map(block_json)
        .map(|(_, value, _)| value)
        .find(|value| !is_envelope(value) && (value.is_object() || value.is_array()))
}

/// Whether `value` (a JSON value of the sample body) is of `kind`.
pub fn json_fits(kind: Kind, value: &Value) -> bool {
    match kind {
        Kind::Integer => {
            crate::ocp::ids::json_long(value).is_some()
                || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
        }
        Kind::Number => {
            value.is_number() || value.as_str().is_some_and(|s| s.parse::<f64>().is_ok())
        }
        Kind::Boolean => value.is_boolean() || matches!(value.as_str(), Some("true" | "false")),
        Kind::Text => !value.is_object() && !value.is_array(),
        Kind::Array => value.is_array(),
        Kind::Unchecked => true,
    }
}

/// Whether `text` (a path or query value) reads as `kind`.
pub fn text_fits(kind: Kind, text: &str) -> bool {
    match kind {
        Kind::Integer => crate::ocp::ids::parse_long(text).is_ok(),
        Kind::Number => text.parse::<f64>().is_ok(),
        Kind::Boolean => text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false"),
        Kind::Text | Kind::Array | Kind::Unchecked => true,
    }
}

#[cfg(test)]
/// A parameter relaxed so that the page's own sample passes: not required where the sample
/// leaves it out, not checked where the sample's value does not fit its documented type.
pub fn relax(param: &mut Param, sample: Option<Option<&Value>>, text: Option<Option<&str>>) {
    let present = match (sample, text) {
        (Some(v), _) => v.filter(|v| !v.is_null()).map(|v| json_fits(param.kind, v)),
        (None, Some(t)) => t.map(|t| text_fits(param.kind, t)),
        (None, None) => None,
    };
    match present {
        None => param.required = false,
        Some(false) => param.kind = Kind::Unchecked,
        Some(true) => {}
    }
}
