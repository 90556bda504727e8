//! The endpoint schemas derived from the documentation pages, and the test that keeps
//! `schemas/endpoints/` equal to what the pages give (`OCP_MOCK_BLESS=1` writes it again).
//!
//! For every endpoint of a version's catalogue: its page (from the same files the catalogue
//! reads), the schema its tables give (`build`), fitted to the page's sample (`fit`).

mod build;
mod fit;
mod report;
mod tables;

use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::ocp::catalogue::{Catalogue, Endpoint, Origin, documented_pattern};
use crate::ocp::version::OcpVersion;

pub use build::DRAFT;
pub use report::{Counts, counts, table};

pub use fit::Disagreement;

/// One endpoint's generated schema, and how its sample fared.
#[derive(Debug)]
pub struct Generated {
    /// The endpoint.
    pub endpoint: &'static Endpoint,
    /// The page's title.
    pub title: String,
    /// Whether the answer is text.
    pub text: bool,
    /// The schema, fitted to the sample.
    pub schema: Value,
    /// The sample it was fitted to; `None` when the page shows none.
    pub sample: Option<Value>,
    /// Where the tables and the sample disagree.
    pub disagreements: Vec<Disagreement>,
    /// Why the sample still fails, when it does.
    pub failures: Vec<String>,
}

/// The documentation files a version's pages come from, newest first.
fn doc_files(version: OcpVersion) -> &'static [&'static str] {
    match version {
        OcpVersion::V3_1_1 => &["V3.1.1.en-US.json"],
        OcpVersion::V4_2_2 => &["V4.2.2.en-US.json"],
        OcpVersion::V4_3_4 => &["V4.3.4.en-US.json"],
        OcpVersion::V4_3_5 => &["V4.3.5-pages.en-US.json", "V4.3.4.en-US.json"],
    }
}

/// A documentation file's pages, read once per test process.
fn pages(file: &str) -> &'static [Value] {
    static FILES: LazyLock<Vec<(&'static str, Vec<Value>)>> = LazyLock::new(|| {
        let names = [
            "V3.1.1.en-US.json",
            "V4.2.2.en-US.json",
            "V4.3.4.en-US.json",
            "V4.3.5-pages.en-US.json",
        ];
        names
            .into_iter()
            .map(|name| {
                let path = format!(
                    "{}/fixtures/ocp-catalogue/{name}",
                    env!("CARGO_MANIFEST_DIR")
                );
                let text = std::fs::read_to_string(&path).expect("the pages are in the repository");
                let mut doc: Value = serde_json::from_str(&text).expect("the pages parse");
                let pages = doc["pages"].as_array_mut().map(std::mem::take);
                (name, pages.unwrap_or_default())
            })
            .collect()
    });
    FILES
        .iter()
        .find(|(name, _)| *name == file)
        .map_or(&[], |(_, pages)| pages)
}

/// The page an endpoint of `version` comes from.
fn page_of(version: OcpVersion, endpoint: &Endpoint) -> Option<&'static Value> {
    doc_files(version).iter().find_map(|file| {
        pages(file).iter().find(|page| {
            page["file"] == endpoint.page.as_str()
                && page["method"] == endpoint.method.as_str()
                && page["path"]
                    .as_str()
                    .is_some_and(|p| documented_pattern(p) == endpoint.pattern)
        })
    })
}

/// The answer the page shows: the catalogue's sample envelope or text; for a page whose
/// sample is a bare object (`GET /api/v2/info`), that object.
pub fn sample(endpoint: &Endpoint, page: &Value) -> Option<Value> {
    let sample = endpoint.sample();
    match sample.origin {
        Origin::Documented | Origin::Repaired => {
            serde_json::from_str(sample.envelope.as_deref()?).ok()
        }
        Origin::Text => sample.text.clone().map(Value::String),
        Origin::Built => page["code_blocks"].as_array()?.iter().rev().find_map(|b| {
            let after = b["after"].as_str().unwrap_or_default().to_ascii_lowercase();
            b.get("json")
                .filter(|j| j.is_object() && after.contains("response"))
                .cloned()
        }),
    }
}

/// Every endpoint of a version with its schema.
pub fn generate(version: OcpVersion) -> Vec<Generated> {
    Catalogue::of(version)
        .endpoints
        .iter()
        .map(|endpoint| {
            let page = page_of(version, endpoint).unwrap_or(&Value::Null);
            one(endpoint, page)
        })
        .collect()
}

/// One endpoint's schema, fitted to its sample.
fn one(endpoint: &'static Endpoint, page: &Value) -> Generated {
    let text = endpoint.sample().origin == Origin::Text;
    let shape = if text {
        build::Shape::Text {
            time: endpoint.pattern == "/api/v2/time",
        }
    } else if endpoint.pattern == "/api/v2/info" {
        build::Shape::Bare
    } else {
        build::Shape::Envelope
    };
    let title = page["title"].as_str().unwrap_or_default().to_owned();
    let tables = tables::read(page);
    let sample = sample(endpoint, page);
    let data = sample.as_ref().and_then(|s| s.get("data"));
    let (mut schema, mut disagreements) = build::schema(shape, &title, &tables, data);
    let failures = match &sample {
        Some(sample) => {
            let (found, failures) = fit::fit(&mut schema, sample);
            disagreements.extend(found);
            failures
        }
        None => Vec::new(),
    };
    Generated {
        endpoint,
        title,
        text,
        schema,
        sample,
        disagreements,
        failures,
    }
}

/// The file `schemas/endpoints/V<version>.json`: one endpoint per line.
pub fn write(version: OcpVersion, generated: &[Generated]) -> String {
    let lines: Vec<String> = generated
        .iter()
        .map(|g| {
            let entry = json!({
                "method": g.endpoint.method.as_str(),
                "path": g.endpoint.pattern,
                "page": g.endpoint.page,
                "title": g.title,
                "body": if g.text { "text" } else { "json" },
                "schema": g.schema,
            });
            entry.to_string()
        })
        .collect();
    format!(
        "{{\"version\":\"{version}\",\n\"generated\":\"from fixtures/ocp-catalogue by `OCP_MOCK_BLESS=1 cargo test --lib spec::generate`; never edit by hand\",\n\"endpoints\":[\n{}\n]}}\n",
        lines.join(",\n")
    )
}

/// Where the generated files live.
fn dir() -> String {
    format!("{}/schemas/endpoints", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_endpoint_schema_file_is_derived_from_the_pages() {
    let bless = std::env::var_os("OCP_MOCK_BLESS").is_some();
    let mut stale = Vec::new();
    let all: Vec<(OcpVersion, Vec<Generated>)> = OcpVersion::ALL
        .into_iter()
        .map(|v| (v, generate(v)))
        .collect();
    let mut files: Vec<(String, String)> = all
        .iter()
        .map(|(v, g)| (format!("{}/V{v}.json", dir()), write(*v, g)))
        .collect();
    files.push((format!("{}/DISAGREEMENTS.md", dir()), report::write(&all)));
    for (path, derived) in files {
        if bless {
            std::fs::create_dir_all(dir()).expect("create schemas/endpoints");
            std::fs::write(&path, &derived).expect("write a generated schema file");
        } else if std::fs::read_to_string(&path).unwrap_or_default() != derived {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale: {stale:?}: run `OCP_MOCK_BLESS=1 cargo test --lib spec::generate` and commit them"
    );
}
