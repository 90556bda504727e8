//! Per-endpoint response schemas: for each OCP version, a JSON Schema (draft 2020-12) of the
//! whole answer of every endpoint its reference pages document.
//!
//! The hand-written contract ([`crate::contract`]) knows the envelope, the error and the task;
//! these schemas know every documented `data`. They are generated from the pages' response
//! tables ("Basic data structure", "Response parameters", "Data structure of ObproxyServer",
//! ...) and then fitted to the page's own sample answer, since the sample is what OCP really
//! sends: where a table and its sample disagree, the schema allows what the sample shows, and
//! `schemas/endpoints/DISAGREEMENTS.md` lists each case. The schemas are data
//! (`schemas/endpoints/V<version>.json`), embedded and read on first use; each endpoint's
//! validator is compiled the first time it judges something.
//!
//! ```
//! use ocp_mock::OcpVersion;
//! use ocp_mock::spec::EndpointSchemas;
//!
//! let schemas = EndpointSchemas::of(OcpVersion::V4_3_4);
//! let cluster = schemas.find(&http::Method::GET, "/api/v2/obproxy/clusters/12").unwrap();
//! assert_eq!(cluster.path, "/api/v2/obproxy/clusters/{id}");
//!
//! let mut body = serde_json::json!({
//!     "successful": true, "timestamp": "2021-09-01T16:59:14+08:00", "duration": 3,
//!     "status": 200, "traceId": "2a3b4c5d6e7f8091", "server": "ocp-1",
//!     "data": {"id": 1, "name": "test", "port": 2883}
//! });
//! assert!(cluster.judge(&body).is_empty());
//! body["data"]["port"] = "2883".into();
//! assert_eq!(cluster.judge(&body)[0].to_string(), "/data/port: expected integer, got string \"2883\"");
//! ```
//!
//! # Layout
//!
//! - `mod.rs`: [`EndpointSchemas`] and [`EndpointSchema`], read from the embedded files, and
//!   [`EndpointRef`], an endpoint as `ocp-mock validate --endpoint` names it;
//! - `generate/` (tests only): the schemas derived from the pages, fitted to the samples, and
//!   written to `schemas/endpoints/` with `OCP_MOCK_BLESS=1` (a test fails when they are stale).

#[cfg(test)]
mod generate;
#[cfg(test)]
mod tests;

use std::sync::{LazyLock, OnceLock};

use http::Method;
use jsonschema::Validator;
use serde::Deserialize;
use serde_json::Value;

use crate::contract::Violation;
use crate::ocp::catalogue::Catalogue;
use crate::ocp::router::Router;
use crate::ocp::version::OcpVersion;

/// What an endpoint answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    /// A JSON body: OCP's envelope, or a bare object (`GET /api/v2/info`).
    Json,
    /// Plain text (`GET /api/v2/time`, `GET /api/status`). Its schema describes the text as a
    /// JSON string, the way [`EndpointSchema::judge`] takes it.
    Text,
}

/// The response schema of one documented endpoint.
#[derive(Debug, Deserialize)]
pub struct EndpointSchema {
    /// The method.
    #[serde(deserialize_with = "method")]
    pub method: Method,
    /// The path as the catalogue writes it, captures as `{name}` (`/api/v2/obproxy/clusters/{id}`).
    pub path: String,
    /// The documentation page the schema comes from.
    pub page: String,
    /// The page's title ("Query details about an OBProxy cluster").
    pub title: String,
    /// Whether the answer is JSON or plain text.
    pub body: BodyKind,
    /// The schema of the whole body, self-contained (its data structures in its own `$defs`).
    schema: Value,
    /// The compiled schema, built on the first judgement; the error when it does not compile.
    #[serde(skip)]
    validator: OnceLock<Result<Validator, String>>,
}

fn method<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Method, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

impl EndpointSchema {
    /// The schema of the response body (draft 2020-12, `$schema` set, no outside reference).
    /// For a text endpoint, the schema of the text as a JSON string.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Whether the endpoint answers plain text (`GET /api/v2/time`) rather than JSON.
    pub fn is_text(&self) -> bool {
        self.body == BodyKind::Text
    }

    /// Judges a body against the schema: every violation, with its JSON pointer; empty when it
    /// passes. A text answer is judged as a JSON string holding the text.
    pub fn judge(&self, body: &Value) -> Vec<Violation> {
        let validator = self.validator.get_or_init(|| {
            jsonschema::options()
                .offline()
                .should_validate_formats(true)
                .build(&self.schema)
                .map_err(|e| e.to_string())
        });
        match validator {
            Ok(validator) => crate::contract::dedup(
                validator
                    .iter_errors(body)
                    .map(|e| crate::contract::violation(&e, "not allowed here"))
                    .collect(),
            ),
            // The embedded schemas compile (the tests compile each): only a broken file gets here.
            Err(reason) => vec![Violation::new(
                "",
                format!(
                    "the schema of {} {} does not compile: {reason}",
                    self.method, self.path
                ),
            )],
        }
    }
}

/// Every endpoint schema of one OCP version.
#[derive(Debug)]
pub struct EndpointSchemas {
    /// The OCP version they document.
    version: OcpVersion,
    endpoints: Vec<EndpointSchema>,
    /// Concrete paths to endpoints, built on the first [`EndpointSchemas::find`].
    router: OnceLock<Router<usize>>,
}

/// A generated file, as stored.
#[derive(Deserialize)]
struct File {
    endpoints: Vec<EndpointSchema>,
}

impl EndpointSchemas {
    /// The schemas of `version`, read from the embedded file on first use.
    pub fn of(version: OcpVersion) -> &'static EndpointSchemas {
        static V3_1_1: LazyLock<EndpointSchemas> =
            LazyLock::new(|| EndpointSchemas::read(OcpVersion::V3_1_1, V3_1_1_TEXT));
        static V4_2_2: LazyLock<EndpointSchemas> =
            LazyLock::new(|| EndpointSchemas::read(OcpVersion::V4_2_2, V4_2_2_TEXT));
        static V4_3_4: LazyLock<EndpointSchemas> =
            LazyLock::new(|| EndpointSchemas::read(OcpVersion::V4_3_4, V4_3_4_TEXT));
        static V4_3_5: LazyLock<EndpointSchemas> =
            LazyLock::new(|| EndpointSchemas::read(OcpVersion::V4_3_5, V4_3_5_TEXT));
        match version {
            OcpVersion::V3_1_1 => &V3_1_1,
            OcpVersion::V4_2_2 => &V4_2_2,
            OcpVersion::V4_3_4 => &V4_3_4,
            OcpVersion::V4_3_5 => &V4_3_5,
        }
    }

    fn read(version: OcpVersion, text: &str) -> EndpointSchemas {
        // The embedded files are written by this module's tests, which read them back.
        let file: File = serde_json::from_str(text).expect("an embedded schema file parses");
        EndpointSchemas {
            version,
            endpoints: file.endpoints,
            router: OnceLock::new(),
        }
    }

    /// The OCP version these schemas document.
    pub fn version(&self) -> OcpVersion {
        self.version
    }

    /// Every endpoint's schema, in the catalogue's order.
    pub fn iter(&self) -> impl Iterator<Item = &EndpointSchema> {
        self.endpoints.iter()
    }

    /// The schema of `method` and `pattern`, the path written as the catalogue writes it
    /// (`/api/v2/obproxy/clusters/{id}`).
    pub fn get(&self, method: &Method, pattern: &str) -> Option<&EndpointSchema> {
        self.endpoints
            .iter()
            .find(|e| e.method == method && e.path == pattern)
    }

    /// The schema of the endpoint that serves `method` on a concrete path
    /// (`/api/v2/obproxy/clusters/12`; a query string is ignored), matched the way the mock
    /// routes it: a literal segment before a capture, `{id:[\\d]+}` taking digits only. A
    /// pattern matches itself too.
    pub fn find(&self, method: &Method, path: &str) -> Option<&EndpointSchema> {
        if let Some(found) = self.get(method, path) {
            return Some(found);
        }
        let router = self.router.get_or_init(|| self.route());
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let (&at, _) = router.resolve(method, path).ok()?;
        self.endpoints.get(at)
    }

    /// The router of every endpoint, with the catalogue's segments (which know digit captures).
    fn route(&self) -> Router<usize> {
        let catalogue = Catalogue::of(self.version);
        let mut router = Router::default();
        for (at, schema) in self.endpoints.iter().enumerate() {
            let Some(endpoint) = catalogue.get(&schema.method, &schema.path) else {
                continue;
            };
            router.insert(schema.method.clone(), endpoint.router_segments(), at);
        }
        router
    }
}

/// An endpoint as a user names it: `GET /api/v2/obproxy/clusters/12` (a concrete path) or
/// `GET /api/v2/obproxy/clusters/{id}` (a pattern), as `ocp-mock validate --endpoint` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRef {
    /// The method, uppercase.
    pub method: Method,
    /// The path, a concrete one or a pattern.
    pub path: String,
}

/// Text that does not name an endpoint as `METHOD PATH`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not METHOD PATH (e.g. 'GET /api/v2/obproxy/clusters/{{id}}')")]
pub struct BadEndpointRef(pub String);

impl std::str::FromStr for EndpointRef {
    type Err = BadEndpointRef;

    /// Reads `METHOD PATH`, the method in any case, the path starting with `/`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadEndpointRef(text.to_owned());
        let mut words = text.split_whitespace();
        let (Some(method), Some(path), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let known = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
        let method = method.to_ascii_uppercase();
        if !known.contains(&method.as_str()) || !path.starts_with('/') {
            return Err(bad());
        }
        Ok(Self {
            method: method.parse().map_err(|_| bad())?,
            path: path.to_owned(),
        })
    }
}

impl std::fmt::Display for EndpointRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

impl EndpointSchemas {
    /// The schema of the endpoint `name` names (see [`EndpointSchemas::find`]).
    pub fn resolve(&self, name: &EndpointRef) -> Option<&EndpointSchema> {
        self.find(&name.method, &name.path)
    }

    /// The methods this version documents for the path of `name`, for a message about a
    /// method it does not document there.
    pub fn methods_of(&self, path: &str) -> Vec<Method> {
        let methods = [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ];
        methods
            .into_iter()
            .filter(|m| self.find(m, path).is_some())
            .collect()
    }
}

const V3_1_1_TEXT: &str = include_str!("../../schemas/endpoints/V3.1.1.json");
const V4_2_2_TEXT: &str = include_str!("../../schemas/endpoints/V4.2.2.json");
const V4_3_4_TEXT: &str = include_str!("../../schemas/endpoints/V4.3.4.json");
const V4_3_5_TEXT: &str = include_str!("../../schemas/endpoints/V4.3.5.json");
