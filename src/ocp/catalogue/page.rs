//! The documentation files as they are stored: pages with their tables and code blocks (see
//! `fixtures/ocp-catalogue/README.md`). Only what the catalogue reads is kept, and text is
//! borrowed from the embedded file wherever it has no escape, to keep start-up cheap.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

/// One documentation file: every API reference page of one version, in one language.
#[derive(Debug, Deserialize)]
pub struct DocFile<'a> {
    /// The pages, in the doc repository's order.
    #[serde(borrow)]
    pub pages: Vec<Page<'a>>,
}

/// One reference page.
#[derive(Debug, Deserialize)]
pub struct Page<'a> {
    /// The page's path in the doc repository, to name it in messages.
    pub file: String,
    /// The method of the page's request path (absent on pages that document no call).
    pub method: Option<String>,
    /// The request path as the page writes it, captures in braces.
    pub path: Option<String>,
    /// `none` for the one call documented as needing no credentials.
    #[serde(default)]
    pub auth: String,
    /// Further request lines (usually the sample request).
    #[serde(default)]
    pub sample_requests: Vec<String>,
    /// Every Markdown table, in page order.
    #[serde(default, borrow)]
    pub tables: Vec<Table<'a>>,
    /// Every fenced block, in page order.
    #[serde(default, borrow)]
    pub code_blocks: Vec<CodeBlock<'a>>,
}

/// A Markdown table: the text line above it, and its rows keyed by column header.
#[derive(Debug, Deserialize)]
pub struct Table<'a> {
    /// The line just above the table ("Request parameters", "path:", ...).
    #[serde(default, borrow)]
    pub title: Cow<'a, str>,
    /// The rows, keyed by column header.
    #[serde(default, borrow)]
    pub rows: Vec<Row<'a>>,
}

/// A table row, keyed by column header.
pub type Row<'a> = HashMap<Cow<'a, str>, Cow<'a, str>>;

impl Table<'_> {
    /// The cell of the first column among `names` that the row has.
    pub fn cell<'r>(row: &'r Row<'_>, names: &[&str]) -> Option<&'r str> {
        names.iter().find_map(|n| row.get(*n)).map(|s| s.trim())
    }
}

/// A fenced block: the line above it and its text. (The files also hold the text parsed as
/// JSON; it is skipped here, and only the few blocks the catalogue uses are parsed, which
/// halves the start-up cost.)
#[derive(Debug, Deserialize)]
pub struct CodeBlock<'a> {
    /// The text line above the block ("Sample response", "body:", a request line...).
    #[serde(default, borrow)]
    pub after: Cow<'a, str>,
    /// The block's text as written.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
}
