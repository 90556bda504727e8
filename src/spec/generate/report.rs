//! `schemas/endpoints/DISAGREEMENTS.md`: per version, where each page's tables and its own
//! sample disagree and what the schema does about it, and the samples that still fail.

use std::fmt::Write;

use super::Generated;
use crate::ocp::version::OcpVersion;

/// Counts of one version, as the report and the tests give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Endpoint schemas.
    pub schemas: usize,
    /// Endpoints whose page shows a sample.
    pub samples: usize,
    /// Samples that pass their schema.
    pub passing: usize,
    /// Disagreements between a table and its sample.
    pub disagreements: usize,
}

/// The counts of one version's schemas.
pub fn counts(generated: &[Generated]) -> Counts {
    let with_sample = generated.iter().filter(|g| g.sample.is_some());
    Counts {
        schemas: generated.len(),
        samples: with_sample.clone().count(),
        passing: with_sample.filter(|g| g.failures.is_empty()).count(),
        disagreements: generated.iter().map(|g| g.disagreements.len()).sum(),
    }
}

/// The whole report.
pub fn write(all: &[(OcpVersion, Vec<Generated>)]) -> String {
    let mut out = String::from(
        "# Where OCP's response tables and their own samples disagree\n\n\
         Generated with the schemas of this folder (`OCP_MOCK_BLESS=1 cargo test --lib \
         spec::generate`); never edit by hand. Each schema is built from its page's response \
         tables (the envelope and the asynchronous task from the hand-written \
         `schemas/success-envelope.json` and `schemas/task-instance.json`, which the tables \
         refer to) and then fitted to the page's sample answer, because the sample is what OCP \
         really sends. Every place where the sample breaks what was documented is listed below \
         with what the schema does about it: allows the sample's type (`null` included), adds \
         its value to the valid values, drops a time's format or the trace id's pattern, makes \
         a field the sample leaves out optional, or types `data` as the sample shapes it. A \
         field the sample has and the tables lack is no disagreement: no data object forbids \
         unlisted fields. \"Still fails\" would list a sample no such change makes pass.\n\n\
         | version | schemas | samples | samples passing | disagreements |\n|---|---|---|---|---|\n",
    );
    out.push_str(&table(all));
    for (version, generated) in all {
        let _ = write!(out, "\n## OCP {version}\n");
        section(&mut out, generated);
    }
    out
}

/// The rows of the counts table, one per version (the README quotes them).
pub fn table(all: &[(OcpVersion, Vec<Generated>)]) -> String {
    let mut out = String::new();
    for (version, generated) in all {
        let c = counts(generated);
        let _ = writeln!(
            out,
            "| {version} | {} | {} | {} | {} |",
            c.schemas, c.samples, c.passing, c.disagreements
        );
    }
    out
}

/// One version's disagreements, by endpoint.
fn section(out: &mut String, generated: &[Generated]) {
    let without: Vec<String> = generated
        .iter()
        .filter(|g| g.sample.is_none())
        .map(|g| format!("`{} {}`", g.endpoint.method, g.endpoint.pattern))
        .collect();
    if !without.is_empty() {
        let _ = write!(
            out,
            "\nNo sample to fit (the page shows none that parses): {}.\n",
            without.join(", ")
        );
    }
    for g in generated {
        if g.disagreements.is_empty() && g.failures.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "\n### `{} {}`\n\n{} (`{}`)\n\n",
            g.endpoint.method, g.endpoint.pattern, g.title, g.endpoint.page
        );
        for line in lines(&g.disagreements) {
            let _ = writeln!(out, "{line}");
        }
        for failure in &g.failures {
            let _ = writeln!(out, "- still fails: {failure}.");
        }
    }
}

/// The report's lines of one endpoint's disagreements: fields of one object that the sample
/// leaves out, one line for them all.
fn lines(disagreements: &[super::Disagreement]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut absent: Vec<(&str, Vec<&str>)> = Vec::new();
    for d in disagreements {
        let parent = d.pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let name = d.pointer.rsplit('/').next().unwrap_or_default();
        if d.done == "makes it optional" {
            match absent.iter_mut().find(|(p, _)| *p == parent) {
                Some((_, names)) => names.push(name),
                None => absent.push((parent, vec![name])),
            }
            continue;
        }
        let pointer = if d.pointer.is_empty() {
            "(root)"
        } else {
            &d.pointer
        };
        out.push(format!(
            "- `{pointer}`: documented as {}, the sample has {}: the schema {}.",
            d.table, d.sample, d.done
        ));
    }
    for (parent, names) in absent {
        let parent = if parent.is_empty() { "(root)" } else { parent };
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let (such, them) = if names.len() == 1 {
            ("such field", "it")
        } else {
            ("such fields", "them")
        };
        out.push(format!(
            "- `{parent}`: the structure requires {}, the sample has no {such}: the schema makes {them} optional.",
            names.join(", "),
        ));
    }
    out
}
