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
         tables and then fitted to the page's sample answer, because the sample is what OCP \
         really sends: every place where the sample breaks what the table says is listed \
         below with what the schema does about it. A field the sample has and the table \
         lacks is no disagreement: no data object forbids unlisted fields.\n\n\
         | version | schemas | samples | samples passing | disagreements |\n|---|---|---|---|---|\n",
    );
    for (version, generated) in all {
        let c = counts(generated);
        let _ = writeln!(
            out,
            "| {version} | {} | {} | {} | {} |",
            c.schemas, c.samples, c.passing, c.disagreements
        );
    }
    for (version, generated) in all {
        let _ = write!(out, "\n## OCP {version}\n");
        section(&mut out, generated);
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
        for d in &g.disagreements {
            let pointer = if d.pointer.is_empty() {
                "(root)"
            } else {
                &d.pointer
            };
            let _ = writeln!(
                out,
                "- `{pointer}`: the table says {}, the sample has {}: the schema {}.",
                d.table, d.sample, d.done
            );
        }
        for failure in &g.failures {
            let _ = writeln!(out, "- still fails: {failure}.");
        }
    }
}
