//! OCP's documented API as the mock reads it: for each OCP version, every endpoint its reference
//! pages document, with its parameters and its sample request and response.
//!
//! The pages are data (`fixtures/ocp-catalogue/`); what the mock uses of them is derived once,
//! into one compact file per version (`fixtures/ocp-catalogue/compact/`, see `compact`), which
//! the binary embeds and reads once per process, on first use. A test derives the files from the
//! pages again and fails when they are stale. 4.3.5 is 4.3.4's catalogue with the pages 4.3.5
//! documents (OBProxy and task management) replacing or adding their method and path.
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
mod compact;
#[cfg(test)]
mod page;
mod params;
#[cfg(test)]
mod repair;
mod sample;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use http::Method;
use serde_json::Value;

use crate::ocp::router::Seg;
use crate::ocp::version::OcpVersion;
#[cfg(test)]
use page::{DocFile, Page};

pub use check::{BodyShape, RequestParts};
#[cfg(test)]
pub(crate) use params::PARAM_TITLES;
pub use params::{Kind, Location, Param};
use sample::LazySample;
pub use sample::{Origin, SampleResponse};

/// The routes OCP serves that no version's pages document, as (method, pattern): its own pages
/// call them (the tenant page's sample request says `clusters` where its path says `cluster`),
/// and clients that look an item up use them. The mock answers them in every profile, and the
/// OpenAPI document lists them, marked as undocumented. A unit test of the mock's routes holds
/// this list to the catalogues both ways.
pub const UNDOCUMENTED_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v2/ob/clusters/{id}"),
    ("GET", "/api/v2/ob/clusters/{clusterId}/tenants/{tenantId}"),
];

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
    /// The page's sample answer, its `data` read on first use.
    sample: LazySample,
    /// The documentation page it comes from.
    pub page: String,
}

impl Endpoint {
    /// The page's sample answer (parsed on the first call).
    pub fn sample(&self) -> &SampleResponse {
        self.sample.get()
    }

    /// The path's segments as a router takes them.
    pub fn router_segments(&self) -> impl Iterator<Item = Seg<'_>> {
        self.segments.iter().map(|s| match s {
            Segment::Literal(text) => Seg::Literal(text),
            Segment::Capture { name, digits } => Seg::Capture {
                name,
                digits: *digits,
            },
        })
    }

    /// The sample answer's `data` as JSON text, serialised once (on the first call).
    pub fn sample_data_text(&self) -> Option<&str> {
        self.sample.data_text()
    }

    /// The envelope text of the sample when its `data` is a task (an object with `subtasks`)
    /// or a page of them (`contents`): those endpoints start asynchronous work in OCP.
    pub fn task_sample(&self) -> Option<&str> {
        let head = self.sample.head();
        head.envelope.as_deref().filter(|_| self.sample.is_task())
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
    /// The catalogue of `version`, read on first use.
    pub fn of(version: OcpVersion) -> &'static Catalogue {
        static V3_1_1: LazyLock<Catalogue> = LazyLock::new(|| compact::read(V3_1_1_TEXT));
        static V4_2_2: LazyLock<Catalogue> = LazyLock::new(|| compact::read(V4_2_2_TEXT));
        static V4_3_4: LazyLock<Catalogue> = LazyLock::new(|| compact::read(V4_3_4_TEXT));
        static V4_3_5: LazyLock<Catalogue> = LazyLock::new(|| compact::read(V4_3_5_TEXT));
        match version {
            OcpVersion::V3_1_1 => &V3_1_1,
            OcpVersion::V4_2_2 => &V4_2_2,
            OcpVersion::V4_3_4 => &V4_3_4,
            OcpVersion::V4_3_5 => &V4_3_5,
        }
    }

    /// The catalogue of `version` read from its pages (what the compact files are derived from).
    #[cfg(test)]
    fn from_pages(version: OcpVersion) -> Catalogue {
        let pages = |file: &str| {
            let path = format!(
                "{}/fixtures/ocp-catalogue/{file}",
                env!("CARGO_MANIFEST_DIR")
            );
            std::fs::read_to_string(&path).expect("the documentation pages are in the repository")
        };
        match version {
            OcpVersion::V3_1_1 => Catalogue::read(Vec::new(), &pages("V3.1.1.en-US.json")),
            OcpVersion::V4_2_2 => Catalogue::read(Vec::new(), &pages("V4.2.2.en-US.json")),
            OcpVersion::V4_3_4 => Catalogue::read(Vec::new(), &pages("V4.3.4.en-US.json")),
            OcpVersion::V4_3_5 => {
                let base = Catalogue::from_pages(OcpVersion::V4_3_4).endpoints;
                Catalogue::read(base, &pages("V4.3.5-pages.en-US.json"))
            }
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
    #[cfg(test)]
    fn read(mut endpoints: Vec<Endpoint>, text: &str) -> Catalogue {
        let file: DocFile = serde_json::from_str(text).expect("the documentation pages parse");
        // Whether each endpoint of this file shows a sample, by index in `endpoints`.
        let mut seen_here: Vec<(usize, bool)> = Vec::new();
        for page in &file.pages {
            let Some((endpoint, documented)) = endpoint(page) else {
                continue;
            };
            let at = endpoints
                .iter()
                .position(|e| e.method == endpoint.method && e.pattern == endpoint.pattern);
            match at {
                // A second page of the same endpoint in one file: keep the one with a sample.
                Some(i) => match seen_here.iter_mut().find(|(j, _)| *j == i) {
                    Some((_, had)) => {
                        if !*had && documented {
                            endpoints[i] = endpoint;
                            *had = true;
                        }
                    }
                    None => {
                        endpoints[i] = endpoint;
                        seen_here.push((i, documented));
                    }
                },
                None => {
                    seen_here.push((endpoints.len(), documented));
                    endpoints.push(endpoint);
                }
            }
        }
        Catalogue { endpoints }
    }
}

const V3_1_1_TEXT: &str = include_str!("../../../fixtures/ocp-catalogue/compact/V3.1.1.json");
const V4_2_2_TEXT: &str = include_str!("../../../fixtures/ocp-catalogue/compact/V4.2.2.json");
const V4_3_4_TEXT: &str = include_str!("../../../fixtures/ocp-catalogue/compact/V4.3.4.json");
const V4_3_5_TEXT: &str = include_str!("../../../fixtures/ocp-catalogue/compact/V4.3.5.json");

/// The path the mock serves for a documented one: under `/api/v2` when written without.
#[cfg(test)]
fn served_path(documented: &str) -> String {
    let path = documented.split('?').next().unwrap_or_default().trim();
    if path.starts_with("/api/") {
        path.to_owned()
    } else {
        format!("/api/v2{path}")
    }
}

/// The pattern the catalogue gives a path as a page writes it (`/compute/hosts/{hostId}`
/// gives `/api/v2/compute/hosts/{hostId}`), to find an endpoint's page again.
#[cfg(test)]
pub(crate) fn documented_pattern(documented: &str) -> String {
    pattern(&segments(&served_path(documented)))
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

/// The endpoint a page documents, and whether the page shows a sample envelope of a success;
/// `None` for pages with no request path.
#[cfg(test)]
fn endpoint(page: &Page) -> Option<(Endpoint, bool)> {
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
    let (sample, documented) = LazySample::of(page);
    let sample_request = check::sample_request(page, &method, &segments, &params);
    check::relax_all(&mut params, &segments, &sample_request);
    let endpoint = Endpoint {
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
    };
    Some((endpoint, documented))
}
