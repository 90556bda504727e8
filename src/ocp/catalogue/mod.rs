//! OCP's documented API as the mock reads it: for each OCP version, every endpoint its reference
//! pages document, with its parameters and its sample request and response.
//!
//! The pages are data (`fixtures/ocp-catalogue/`, embedded); each version's catalogue is parsed
//! once per process, on first use. 4.3.5 is 4.3.4's catalogue with the pages 4.3.5 documents
//! (OBProxy and task management) replacing or adding their method and path.
//!
//! Quirks of the pages, and what the catalogue does with them:
//! - an endpoint documented twice (`GET /api/v2/ob/clusters` on its own page and on the "API
//!   call description" page): the page with a sample response is kept;
//! - paths written without `/api/v2` (`/compute/hosts/{hostId}/agent`): OCP serves them under
//!   `/api/v2`, as its other host pages write them, so the catalogue does too (`/api/status`,
//!   already under `/api`, stays);
//! - `{id:[\\d]+}` segments: a capture named `id` that takes digits only;
//! - samples that are not valid JSON: repaired by hand (`repair`), or, where beyond repair, a
//!   `data` built from the response tables.

mod check;
mod page;
mod params;
mod repair;
mod sample;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use http::Method;
use serde_json::Value;

use crate::ocp::version::OcpVersion;
use page::{DocFile, Page};

pub use check::RequestParts;
pub use params::{Kind, Location, Param};
use sample::LazySample;
pub use sample::{Origin, SampleResponse};

/// A segment of an endpoint's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text the path must carry as written.
    Literal(String),
    /// A `{name}` path parameter; `digits` for OCP's `{id:[\\d]+}`.
    Capture {
        /// The parameter's name.
        name: String,
        /// Whether only digits match.
        digits: bool,
    },
}

/// Whether the call needs credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// "You can call this API without authentication" (`GET /api/v2/time`).
    None,
    /// Every other call.
    Required,
}

/// The sample request a page shows: where to send it and with which body.
#[derive(Debug, Clone)]
pub struct SampleRequest {
    /// The path, with the page's ids in place of the captures.
    pub path: String,
    /// The query string, without `?`, when the sample has one.
    pub query: Option<String>,
    /// The JSON body, when the page shows one.
    pub body: Option<Value>,
}

/// One documented endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The method.
    pub method: Method,
    /// The path the mock serves, captures written `{name}` (`{id:[\\d]+}` becomes `{id}`).
    pub pattern: String,
    /// The path's segments, after the leading `/`.
    pub segments: Vec<Segment>,
    /// Whether the call needs credentials.
    pub auth: Auth,
    /// The request parameters the tables document.
    pub params: Vec<Param>,
    /// The page's sample request.
    pub sample_request: SampleRequest,
    /// The page's sample answer, parsed on first use.
    sample: LazySample,
    /// The documentation page it comes from.
    pub page: String,
}

impl Endpoint {
    /// The page's sample answer (parsed on the first call).
    pub fn sample(&self) -> &SampleResponse {
        self.sample.get()
    }

    /// The envelope text of the sample when its `data` is a task (an object with `subtasks`)
    /// or a page of them (`contents`): those endpoints start asynchronous work in OCP.
    pub fn task_sample(&self) -> Option<&str> {
        if !self.sample.mentions_subtasks() {
            return None;
        }
        let is_task = |d: &Value| d.get("subtasks").is_some();
        let is_task = self.sample().data.as_ref().is_some_and(|d| {
            is_task(d)
                || d.get("contents")
                    .and_then(|c| c.get(0))
                    .is_some_and(is_task)
        });
        self.sample().envelope.as_deref().filter(|_| is_task)
    }

    /// The value the sample request's path gives the capture `name`.
    pub fn sample_path_value(&self, name: &str) -> Option<&str> {
        let parts = self.sample_request.path.split('/').skip(1);
        self.segments
            .iter()
            .zip(parts)
            .find(|(s, _)| matches!(s, Segment::Capture { name: n, .. } if n == name))
            .map(|(_, v)| v)
    }

    /// The literal segment just before the capture `name` (`clusters` for `/clusters/{id}`).
    pub fn noun_before(&self, name: &str) -> Option<&str> {
        let at = self
            .segments
            .iter()
            .position(|s| matches!(s, Segment::Capture { name: n, .. } if n == name))?;
        match self.segments.get(at.checked_sub(1)?)? {
            Segment::Literal(text) => Some(text),
            Segment::Capture { .. } => None,
        }
    }
}

/// Every endpoint one OCP version documents.
#[derive(Debug)]
pub struct Catalogue {
    /// The endpoints, in the pages' order, one per method and path.
    pub endpoints: Vec<Endpoint>,
}

impl Catalogue {
    /// The catalogue of `version`, parsed on first use.
    pub fn of(version: OcpVersion) -> &'static Catalogue {
        static V3_1_1: LazyLock<Catalogue> =
            LazyLock::new(|| Catalogue::read(Vec::new(), V3_1_1_TEXT));
        static V4_2_2: LazyLock<Catalogue> =
            LazyLock::new(|| Catalogue::read(Vec::new(), V4_2_2_TEXT));
        static V4_3_4: LazyLock<Catalogue> =
            LazyLock::new(|| Catalogue::read(Vec::new(), V4_3_4_TEXT));
        static V4_3_5: LazyLock<Catalogue> = LazyLock::new(|| {
            let base = Catalogue::of(OcpVersion::V4_3_4).endpoints.clone();
            Catalogue::read(base, V4_3_5_TEXT)
        });
        match version {
            OcpVersion::V3_1_1 => &V3_1_1,
            OcpVersion::V4_2_2 => &V4_2_2,
            OcpVersion::V4_3_4 => &V4_3_4,
            OcpVersion::V4_3_5 => &V4_3_5,
        }
    }

    /// The endpoint of `method` and `pattern` (captures written `{name}`).
    pub fn get(&self, method: &Method, pattern: &str) -> Option<&Endpoint> {
        self.endpoints
            .iter()
            .find(|e| e.method == method && e.pattern == pattern)
    }

    /// `base` with the endpoints of the file `text`, a page of the file replacing an endpoint
    /// of `base` of the same method and path.
    fn read(mut endpoints: Vec<Endpoint>, text: &str) -> Catalogue {
        {
            // The embedded files are checked by this module's tests: they parse.
            let file: DocFile = serde_json::from_str(text).expect("an embedded catalogue parses");
            let mut seen_here: Vec<usize> = Vec::new();
            for page in &file.pages {
                let Some(endpoint) = endpoint(page) else {
                    continue;
                };
                let at = endpoints
                    .iter()
                    .position(|e| e.method == endpoint.method && e.pattern == endpoint.pattern);
                match at {
                    // A second page of the same endpoint in one file: keep the one with a sample.
                    Some(i) if seen_here.contains(&i) => {
                        if !endpoints[i].sample.documented() && endpoint.sample.documented() {
                            endpoints[i] = endpoint;
                        }
                    }
                    Some(i) => {
                        endpoints[i] = endpoint;
                        seen_here.push(i);
                    }
                    None => {
                        seen_here.push(endpoints.len());
                        endpoints.push(endpoint);
                    }
                }
            }
        }
        Catalogue { endpoints }
    }
}

const V3_1_1_TEXT: &str = include_str!("../../../fixtures/ocp-catalogue/V3.1.1.en-US.json");
const V4_2_2_TEXT: &str = include_str!("../../../fixtures/ocp-catalogue/V4.2.2.en-US.json");
const V4_3_4_TEXT: &str = include_str!("../../../fixtures/ocp-catalogue/V4.3.4.en-US.json");
const V4_3_5_TEXT: &str = include_str!("../../../fixtures/ocp-catalogue/V4.3.5-pages.en-US.json");

/// The path the mock serves for a documented one: under `/api/v2` when written without.
fn served_path(documented: &str) -> String {
    let path = documented.split('?').next().unwrap_or_default().trim();
    if path.starts_with("/api/") {
        path.to_owned()
    } else {
        format!("/api/v2{path}")
    }
}

/// A path's segments after the leading `/`.
fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .skip(1)
        .map(
            |part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(inner) => {
                    let (name, regex) = inner.split_once(':').unwrap_or((inner, ""));
                    Segment::Capture {
                        name: name.to_owned(),
                        digits: regex.contains('d'),
                    }
                }
                None => Segment::Literal(part.to_owned()),
            },
        )
        .collect()
}

/// The pattern text of segments, captures as `{name}`.
fn pattern(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => format!("/{text}"),
            Segment::Capture { name, .. } => format!("/{{{name}}}"),
        })
        .collect()
}

/// The endpoint a page documents; `None` for pages with no request path.
fn endpoint(page: &Page) -> Option<Endpoint> {
    let method: Method = page.method.as_deref()?.parse().ok()?;
    let segments = segments(&served_path(page.path.as_deref()?));
    let captures: Vec<&str> = segments
        .iter()
        .filter_map(|s| match s {
            Segment::Capture { name, .. } => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
        .collect();
    let mut params = params::read(page, method.as_str(), &captures);
    let sample = LazySample::of(page);
    let sample_request = check::sample_request(page, &method, &segments, &params);
    check::relax_all(&mut params, &segments, &sample_request);
    Some(Endpoint {
        pattern: pattern(&segments),
        method,
        segments,
        auth: if page.auth == "none" {
            Auth::None
        } else {
            Auth::Required
        },
        params,
        sample_request,
        sample,
        page: page.file.clone(),
    })
}
