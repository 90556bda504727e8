//! Requests checked as documented: path parameters of their documented type, required query and
//! body parameters present and of their type, a body that is JSON. Only what the tables say
//! clearly is refused, and never what the page's own sample request sends (see [`relax_all`]).

#[cfg(test)]
use http::Method;
use serde_json::Value;

use super::Endpoint;
#[cfg(test)]
use super::page::Page;
use super::params::{Kind, Location, Param};
#[cfg(test)]
use super::sample::{self, relax};
use super::sample::{json_fits, text_fits};
#[cfg(test)]
use super::{SampleRequest, Segment, served_path};
use crate::ocp::error::OcpError;
use crate::ocp::ids::{parse_long, parse_long_list};

/// What a request carries that the documentation describes.
pub struct RequestParts<'a> {
    /// The path parameters, decoded, by name.
    pub path: Vec<(&'a str, &'a str)>,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
}

impl Endpoint {
    /// Refuses a request that breaks what the page documents, with OCP's 400 `COM10001`
    /// naming the parameter.
    pub fn check(&self, parts: &RequestParts<'_>) -> Result<(), OcpError> {
        for param in &self.params {
            match param.location {
                Location::Path => {
                    let value = parts
                        .path
                        .iter()
                        .find(|(n, _)| *n == param.name)
                        .map_or("", |(_, v)| v);
                    check_text(param, value)?;
                }
                Location::Query => {
                    // Spring binds an empty value of a number or a boolean as no value
                    // (`size=` is `null`); text stays text, empty or not.
                    let converted =
                        matches!(param.kind, Kind::Integer | Kind::Number | Kind::Boolean);
                    let value = parts.query.and_then(|q| {
                        form_urlencoded::parse(q.as_bytes())
                            .find(|(k, _)| k == param.name.as_str())
                            .map(|(_, v)| v.into_owned())
                            .filter(|v| !(converted && v.is_empty()))
                    });
                    match value {
                        Some(v) => check_text(param, &v)?,
                        None if param.required => return Err(missing(&param.name)),
                        None => {}
                    }
                }
                Location::Body => {}
            }
        }
        self.check_body(parts.body)
    }

    /// The body's checks: JSON of the page's shape where the page sends JSON (an array where
    /// its sample body is one, else an object), its documented fields present and typed. An
    /// empty body is read as `{}`, and a body the page does not document is not read.
    fn check_body(&self, body: &[u8]) -> Result<(), OcpError> {
        let checked: Vec<&Param> = self
            .params
            .iter()
            .filter(|p| p.location == Location::Body && (p.required || p.kind != Kind::Unchecked))
            .collect();
        let shape = self.body_shape();
        if checked.is_empty() && (body.is_empty() || shape.is_none()) {
            return Ok(());
        }
        let text = String::from_utf8_lossy(body);
        let value: Value = if body.is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice(body)
                .map_err(|e| OcpError::invalid_parameter("body", &text, &e.to_string()))?
        };
        let object = match (shape, &value) {
            (Some(BodyShape::Array), Value::Array(_)) => return Ok(()),
            (Some(BodyShape::Array), _) => {
                return Err(OcpError::invalid_parameter(
                    "body",
                    &text,
                    "not a JSON array",
                ));
            }
            (_, Value::Object(object)) => object,
            _ => {
                return Err(OcpError::invalid_parameter(
                    "body",
                    &text,
                    "not a JSON object",
                ));
            }
        };
        for param in checked {
            match object.get(&param.name).filter(|v| !v.is_null()) {
                None if param.required => return Err(missing(&param.name)),
                Some(v) if !json_fits(param.kind, v) => {
                    let why = format!("not a {}", param.documented_type);
                    return Err(OcpError::invalid_parameter(
                        &param.name,
                        &v.to_string(),
                        &why,
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The JSON the page's body is: an array where its sample body is one, an object where
    /// the sample is an object or the tables document body fields; `None` for a call whose
    /// page documents no body.
    pub fn body_shape(&self) -> Option<BodyShape> {
        match &self.sample_request.body {
            Some(Value::Array(_)) => Some(BodyShape::Array),
            Some(_) => Some(BodyShape::Object),
            None if self.params.iter().any(|p| p.location == Location::Body) => {
                Some(BodyShape::Object)
            }
            None => None,
        }
    }
}

/// The JSON a page's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyShape {
    /// A JSON object of the documented fields.
    Object,
    /// A JSON array (a list of items or ids).
    Array,
}

/// A path or query value of the parameter's type, or the error `Params::long` gives.
fn check_text(param: &Param, value: &str) -> Result<(), OcpError> {
    if param.kind == Kind::Integer && param.name.ends_with("Ids") {
        // OCP reads a plural id parameter as a list (`/obproxies/2,3`), whatever the table says.
        return parse_long_list(value)
            .map(drop)
            .map_err(|e| OcpError::invalid_parameter(&param.name, value, &e.to_string()));
    }
    if param.kind == Kind::Integer {
        return parse_long(value).map(drop).map_err(|e| {
            OcpError::invalid_parameter(&param.name, value, &format!("{value:?}: {e}"))
        });
    }
    if text_fits(param.kind, value) {
        return Ok(());
    }
    let why = format!("{value:?}: not a {}", param.documented_type);
    Err(OcpError::invalid_parameter(&param.name, value, &why))
}

/// A required parameter the request leaves out.
fn missing(name: &str) -> OcpError {
    OcpError::invalid_parameter(name, "null", "required, missing")
}

#[cfg(test)]
/// The page's sample request: its request line of this method whose path fits the endpoint,
/// else the path with the tables' example values (or `1`) in the captures.
pub fn sample_request(
    page: &Page,
    method: &Method,
    segments: &[Segment],
    params: &[Param],
) -> SampleRequest {
    let line = sample::request_lines(page)
        .into_iter()
        .find(|(m, target)| *m == method.as_str() && fits(segments, &served_path(target)));
    let (path, query) = match line {
        Some((_, target)) => (
            served_path(target),
            target.split_once('?').map(|(_, q)| q.to_owned()),
        ),
        None => (filled(segments, params), None),
    };
    let body = matches!(*method, Method::POST | Method::PUT | Method::PATCH)
        .then(|| sample::request_body(page))
        .flatten();
    SampleRequest { path, query, body }
}

#[cfg(test)]
/// Whether a concrete path fits the segments.
fn fits(segments: &[Segment], path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    parts.len() == segments.len()
        && segments.iter().zip(&parts).all(|(s, p)| match s {
            Segment::Literal(text) => text == p,
            Segment::Capture { digits, .. } => {
                !p.is_empty()
                    && !p.contains(['{', '}'])
                    && (!digits || p.bytes().all(|b| b.is_ascii_digit()))
            }
        })
}

#[cfg(test)]
/// The path with each capture filled by its table's example value, or `1`.
fn filled(segments: &[Segment], params: &[Param]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => format!("/{text}"),
            Segment::Capture { name, digits } => {
                let example = params
                    .iter()
                    .find(|p| p.location == Location::Path && &p.name == name)
                    .and_then(|p| p.example.as_deref())
                    .filter(|e| !e.is_empty() && !e.contains(['/', ' ', '?', '{']))
                    .filter(|e| !digits || e.bytes().all(|b| b.is_ascii_digit()));
                format!("/{}", example.unwrap_or("1"))
            }
        })
        .collect()
}

#[cfg(test)]
/// Relaxes every parameter so that the sample request passes its own endpoint's checks.
pub fn relax_all(params: &mut [Param], segments: &[Segment], sample: &SampleRequest) {
    let parts: Vec<&str> = sample.path.split('/').skip(1).collect();
    for param in params {
        match param.location {
            Location::Path => {
                let value = segments.iter().zip(&parts).find_map(|(s, p)| match s {
                    Segment::Capture { name, .. } if *name == param.name => Some(*p),
                    _ => None,
                });
                let decoded =
                    value.map(|v| percent_encoding::percent_decode_str(v).decode_utf8_lossy());
                relax(param, None, Some(decoded.as_deref()));
                param.required = true;
            }
            Location::Query => {
                let value = sample.query.as_deref().and_then(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .find(|(k, _)| k == param.name.as_str())
                        .map(|(_, v)| v.into_owned())
                });
                relax(param, None, Some(value.as_deref()));
            }
            Location::Body => match sample.body.as_ref().filter(|b| b.is_object()) {
                Some(body) => relax(param, Some(body.get(&param.name)), None),
                None => {
                    param.required = false;
                    param.kind = Kind::Unchecked;
                }
            },
        }
    }
}
