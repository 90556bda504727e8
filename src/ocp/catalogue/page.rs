//! The documentation files as they are stored: pages with their tables and code blocks (see
//! `fixtures/ocp-catalogue/README.md`). Only what the catalogue reads is kept.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

/// One documentation file: every API reference page of one version, in one language.
#[derive(Debug, Deserialize)]
pub struct DocFile {
    /// The pages, in the doc repository's order.
    pub pages: Vec<Page>,
}

/// One reference page.
#[derive(Debug, Deserialize)]
pub struct Page {
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
    #[serde(default)]
    pub tables: Vec<Table>,
    /// Every fenced block, in page order.
    #[serde(default)]
    pub code_blocks: Vec<CodeBlock>,
}

/// A Markdown table: the text line above it, and its rows keyed by column header.
#[derive(Debug, Deserialize)]
pub struct Table {
    /// The line just above the table ("Request parameters", "path:", ...).
    #[serde(default)]
    pub title: String,
    /// The rows, keyed by column header.
    #[serde(default)]
    pub rows: Vec<HashMap<String, String>>,
}

impl Table {
    /// The cell of the first column among `names` that the row has.
    pub fn cell<'a>(row: &'a HashMap<String, String>, names: &[&str]) -> Option<&'a str> {
        names.iter().find_map(|n| row.get(*n)).map(|s| s.trim())
    }
}

/// A fenced block: the line above it, its text and, when the text is JSON, the parsed value.
#[derive(Debug, Deserialize)]
pub struct CodeBlock {
    /// The text line above the block ("Sample response", "body:", a request line...).
    #[serde(default)]
    pub after: String,
    /// The block's text as written.
    pub text: String,
    /// The text parsed, when it is valid JSON.
    pub json: Option<Value>,
}
