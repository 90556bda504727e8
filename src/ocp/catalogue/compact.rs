//! The catalogue as the binary embeds it: one line of JSON per endpoint, holding only what the
//! mock uses (method, path, authentication, parameters, the sample request, the sample answer's
//! text and whether it is a task), derived from the documentation pages by a test
//! (`every_compact_catalogue_is_derived_from_the_pages`), which rewrites the files when run with
//! `OCP_MOCK_BLESS=1`.
//!
//! Reading the pages themselves at start-up (11 MB of tables, prose and samples, every sample
//! parsed and some repaired) took most of the mock's start-up time and memory; the compact file
//! is read in a fraction of it, and a sample's `data` is parsed only when its endpoint is called.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::sample::{LazySample, Origin, SampleResponse};
use super::{Auth, Catalogue, Endpoint, Param, SampleRequest, segments};

/// One endpoint, as stored.
#[derive(Serialize, Deserialize)]
struct Entry {
    method: String,
    /// The served path; a capture that takes digits only is written `{name:d}`.
    path: String,
    /// Whether the call needs no credentials.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    open: bool,
    page: String,
    params: Vec<Param>,
    request: Request,
    response: Response,
}

/// The sample request.
#[derive(Serialize, Deserialize)]
struct Request {
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
}

/// The sample answer: the envelope's text as printed (or repaired), or a plain text, or a
/// `data` built from the tables; never the envelope's parsed `data`, read from the text on use.
#[derive(Serialize, Deserialize)]
struct Response {
    status: u16,
    origin: Origin,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    envelope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    task: bool,
}

/// The catalogue a compact file holds.
pub fn read(text: &str) -> Catalogue {
    // The embedded files are checked by this module's tests: they parse.
    let entries: Vec<Entry> = serde_json::from_str(text).expect("an embedded catalogue parses");
    let endpoints = entries
        .into_iter()
        .map(|e| {
            let segments = segments(&e.path);
            let r = e.response;
            let head = SampleResponse {
                status: r.status,
                data: r.data,
                envelope: r.envelope,
                text: r.text,
                origin: r.origin,
            };
            Endpoint {
                // The files are derived from parsed methods: they parse.
                method: e.method.parse().unwrap_or(Method::GET),
                pattern: super::pattern(&segments),
                segments,
                auth: if e.open { Auth::None } else { Auth::Required },
                params: e.params,
                sample_request: SampleRequest {
                    path: e.request.path,
                    query: e.request.query,
                    body: e.request.body,
                },
                sample: LazySample::new(head, r.task),
                page: e.page,
            }
        })
        .collect();
    Catalogue { endpoints }
}

/// The compact file of a catalogue: one endpoint per line.
#[cfg(test)]
pub fn write(catalogue: &Catalogue) -> String {
    use super::Segment;

    let lines: Vec<String> = catalogue
        .endpoints
        .iter()
        .map(|e| {
            let path: String = e
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Literal(text) => format!("/{text}"),
                    Segment::Capture { name, digits: true } => format!("/{{{name}:d}}"),
                    Segment::Capture { name, .. } => format!("/{{{name}}}"),
                })
                .collect();
            let head = e.sample.head();
            let entry = Entry {
                method: e.method.to_string(),
                path,
                open: e.auth == Auth::None,
                page: e.page.clone(),
                params: e.params.clone(),
                request: Request {
                    path: e.sample_request.path.clone(),
                    query: e.sample_request.query.clone(),
                    body: e.sample_request.body.clone(),
                },
                response: Response {
                    status: head.status,
                    origin: head.origin,
                    envelope: head.envelope.clone(),
                    text: head.text.clone(),
                    data: head.data.clone().filter(|_| head.envelope.is_none()),
                    task: e.sample.is_task(),
                },
            };
            serde_json::to_string(&entry).expect("an endpoint serialises")
        })
        .collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocp::version::OcpVersion;

    #[test]
    fn every_compact_catalogue_is_derived_from_the_pages() {
        let bless = std::env::var_os("OCP_MOCK_BLESS").is_some();
        for version in OcpVersion::ALL {
            let derived = write(&Catalogue::from_pages(version));
            let path = format!(
                "{}/fixtures/ocp-catalogue/compact/V{}.json",
                env!("CARGO_MANIFEST_DIR"),
                version.as_str()
            );
            if bless {
                std::fs::write(&path, &derived).expect("write the compact catalogue");
                continue;
            }
            let stored = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                stored == derived,
                "{path} is stale: run `OCP_MOCK_BLESS=1 cargo test --lib compact` and commit it"
            );
        }
    }

    #[test]
    fn a_compact_catalogue_reads_back_as_the_pages_give_it() {
        let pages = Catalogue::from_pages(OcpVersion::V4_3_5);
        let read_back = read(&write(&pages));
        assert_eq!(read_back.endpoints.len(), pages.endpoints.len());
        for (a, b) in read_back.endpoints.iter().zip(&pages.endpoints) {
            let (sa, sb) = (a.sample(), b.sample());
            assert_eq!(
                (&a.method, &a.pattern, &a.segments),
                (&b.method, &b.pattern, &b.segments)
            );
            assert_eq!(
                (a.auth, &a.page, a.params.len()),
                (b.auth, &b.page, b.params.len())
            );
            assert_eq!(
                (&sa.envelope, &sa.text, &sa.data),
                (&sb.envelope, &sb.text, &sb.data)
            );
            assert_eq!((sa.status, sa.origin), (sb.status, sb.origin));
            assert_eq!(a.task_sample(), b.task_sample());
        }
    }
}
