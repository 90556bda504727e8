//! An OpenAPI 3.1 document of each OCP version's documented API, generated from the catalogue
//! the mock embeds: OCP publishes none, and Schemathesis, Prism and client generators read one.
//!
//! Every endpoint of [`Catalogue::of`] is an operation: its path and query parameters with the
//! types and required flags the mock enforces (the tables' types, relaxed where the page's own
//! sample request does not follow them, so the document and the mock agree), its JSON body as a
//! request body schema, its security (HTTP Basic or OCP's AK/SK signature; `GET /api/v2/time`
//! needs none), and its answers: the documented success with the endpoint's response schema,
//! and OCP's error envelope for the errors the mock gives. The contract's schemas
//! (`schemas/*.json`) and the endpoints' own definitions become `components.schemas`, their
//! references rewritten to point there.
//!
//! `ocp-mock openapi [--ocp-version V]` prints it; the mock serves its profile's at
//! `GET /__mock/openapi.json`. Both write [`text`], built once per process and version.

mod bundle;
pub(crate) mod family;
mod operation;
mod responses;
mod security;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::ocp::catalogue::{Catalogue, UNDOCUMENTED_ROUTES};
use crate::ocp::version::OcpVersion;
use bundle::Components;

/// The OpenAPI version the documents follow.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The document of `version`, read from [`text`] (which keeps only the text).
pub fn document(version: OcpVersion) -> Value {
    // The text is this module's own serialisation of a `Value`: it always parses.
    serde_json::from_str(text(version)).unwrap_or_default()
}

/// The document of `version` as JSON text (indented, ending with a newline), built on first
/// use: what the command prints and the mock serves, byte for byte. Only the text is kept: the
/// document as a tree is several times its size (a mock that served it once kept 32 MB more).
pub fn text(version: OcpVersion) -> &'static str {
    static BUILT: [OnceLock<String>; 4] = [const { OnceLock::new() }; 4];
    let at = OcpVersion::ALL
        .iter()
        .position(|v| *v == version)
        .unwrap_or_default();
    BUILT[at].get_or_init(|| {
        // A `Value` always serialises.
        let mut text = serde_json::to_string_pretty(&build(version)).unwrap_or_default();
        text.push('\n');
        text
    })
}

/// Builds the document of `version`.
fn build(version: OcpVersion) -> Value {
    let mut components = Components::with_contract();
    let mut paths = Paths::default();
    let mut ids = operation::OperationIds::default();
    for endpoint in &Catalogue::of(version).endpoints {
        let names = paths.names(&endpoint.pattern);
        let op = operation::operation(version, endpoint, &names, &mut ids, &mut components);
        paths.insert(&endpoint.pattern, endpoint.method.as_str(), op);
    }
    for (method, pattern) in UNDOCUMENTED_ROUTES {
        let names = paths.names(pattern);
        let op = operation::undocumented(method, pattern, &names, &mut ids);
        paths.insert(pattern, method, op);
    }
    json!({
        "openapi": OPENAPI_VERSION,
        "info": info(version),
        "tags": operation::tags(version),
        "paths": paths.items,
        "components": {
            "schemas": components.into_schemas(),
            "responses": responses::components(),
            "securitySchemes": security::schemes(),
        },
    })
}

/// The document's paths. OCP's pages write one path with different capture names
/// (`/ob/clusters/{id}/servers` beside `/ob/clusters/{clusterId}/servers`), which OpenAPI
/// counts as the same path written twice: the first spelling is kept for all its operations.
#[derive(Default)]
struct Paths {
    items: Map<String, Value>,
    /// A path with its captures emptied (`/ob/clusters/{}/servers`) to the spelling kept.
    spelling: HashMap<String, String>,
}

impl Paths {
    /// The capture names the document uses for `pattern`, in order.
    fn names(&mut self, pattern: &str) -> Vec<String> {
        let kept = self
            .spelling
            .entry(shape(pattern))
            .or_insert_with(|| pattern.to_owned());
        captures(kept)
    }

    /// Adds the operation of `method` on `pattern` (under its kept spelling).
    fn insert(&mut self, pattern: &str, method: &str, op: Value) {
        let kept = self
            .spelling
            .get(&shape(pattern))
            .cloned()
            .unwrap_or_else(|| pattern.to_owned());
        let item = self.items.entry(kept).or_insert_with(|| json!({}));
        item[method.to_ascii_lowercase()] = op;
    }
}

/// A pattern with its captures emptied: `/a/{id}/b` is `/a/{}/b`.
fn shape(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|part| if part.starts_with('{') { "{}" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

/// A pattern's capture names, in order.
fn captures(pattern: &str) -> Vec<String> {
    pattern
        .split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_owned)
        .collect()
}

/// The document's `info`: which OCP, and where the document comes from.
fn info(version: OcpVersion) -> Value {
    let count = Catalogue::of(version).endpoints.len();
    json!({
        "title": format!("OceanBase Cloud Platform (OCP) {version} API"),
        "version": version.as_str(),
        "description": format!(
            "The {count} endpoints OCP {version}'s API reference documents, generated by \
             ocp-mock from those pages (OCP publishes no OpenAPI document). Parameters carry \
             the documented types and required flags, relaxed where a page's own sample \
             request does not follow its table; responses are OCP's envelope around each \
             endpoint's documented data, and OCP's error envelope for failures. Every call \
             but `GET /api/v2/time` needs credentials: HTTP Basic or OCP's AK/SK signature."
        ),
    })
}
