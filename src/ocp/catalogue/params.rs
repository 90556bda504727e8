//! Request parameters read from a page's tables.
//!
//! The tables are loose: their titles vary ("Request parameters", "Path parameters", "path:",
//! "Request body parameters", "Body:", ...), nested fields of a body appear as rows of their own,
//! and types are written loosely (`Long`, `List<Long>`, `Datetime`, a DTO's name). So a
//! parameter's place comes from the path first (a `{name}` segment is a path parameter), then
//! from the table's title, then from the method; and a type the mock does not recognise is not
//! checked.

use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::page::{Page, Row, Table};

/// Where a request carries a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Location {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A top-level field of the JSON body.
    Body,
}

/// What the mock checks of a parameter's value, from its documented type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// `Long`, `Integer`, `int`: a Java integer.
    Integer,
    /// `Double`, `Float`: any number.
    Number,
    /// `Boolean`.
    Boolean,
    /// `String`: text (a JSON scalar in a body, as Jackson coerces numbers to text).
    Text,
    /// `Array`, `List<...>`: a JSON array in a body.
    Array,
    /// A type the mock does not check (`Object`, `Datetime`, a DTO's name, or a documented
    /// type the page's own sample does not follow).
    Unchecked,
}

impl Kind {
    #[cfg(test)]
    /// The kind of a documented type name.
    pub fn of(documented: &str) -> Self {
        let t = documented.trim().trim_matches('`').to_ascii_lowercase();
        let base = t.split(['<', '[']).next().unwrap_or_default().trim();
        if t.ends_with("[]") {
            return Self::Array;
        }
        match base {
            "long" | "integer" | "int" | "int32" | "int64" | "short" => Self::Integer,
            "double" | "float" | "number" | "bigdecimal" => Self::Number,
            "boolean" | "bool" => Self::Boolean,
            "string" => Self::Text,
            "array" | "list" | "set" => Self::Array,
            _ => Self::Unchecked,
        }
    }
}

/// One documented request parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Param {
    /// The name as the page writes it.
    pub name: String,
    /// The type as the page writes it (`Long`, `List<Long>`).
    pub documented_type: String,
    /// What the mock checks of the value.
    pub kind: Kind,
    /// Where the request carries it.
    pub location: Location,
    /// Whether a request without it is refused.
    pub required: bool,
    /// The table's example value, used to build a sample path when the page gives none.
    pub example: Option<String>,
}

#[cfg(test)]
/// Titles of the tables that list request parameters (lowercased, without a trailing colon):
/// the request's, never the answer's.
pub(crate) const PARAM_TITLES: &[&str] = &[
    "request parameters",
    "path parameters",
    "path",
    "body",
    "body parameters",
    "request body parameters",
    "query parameters",
    "the following table describes parameters in the request path.",
];

#[cfg(test)]
/// The request parameters of a page whose path has the captures `captures`.
pub fn read(page: &Page, method: &str, captures: &[&str]) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    for table in &page.tables {
        let title = table
            .title
            .trim()
            .trim_end_matches(':')
            .to_ascii_lowercase();
        let listed = PARAM_TITLES.contains(&title.as_str())
            || (title.is_empty() && table.rows.iter().any(|r| r.contains_key("Required")));
        if !listed {
            continue;
        }
        for row in &table.rows {
            let Some(param) = param(row, &title, method, captures) else {
                continue;
            };
            if !out
                .iter()
                .any(|p| p.name == param.name && p.location == param.location)
            {
                out.push(param);
            }
        }
    }
    out
}

#[cfg(test)]
/// One row as a parameter; `None` for rows that name no plain top-level field (nested rows,
/// notes).
fn param(row: &Row<'_>, title: &str, method: &str, captures: &[&str]) -> Option<Param> {
    let raw = Table::cell(row, &["Parameter", "Name", "Parameter name"])?;
    let name = raw.trim_matches(|c: char| c == '`' || c == '*' || c.is_whitespace());
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return None;
    }
    let location = if captures.contains(&name) {
        Location::Path
    } else if title.contains("query") {
        Location::Query
    } else if title.contains("body") {
        Location::Body
    } else if title.contains("path") {
        // A name under a path title that the path does not carry: not a parameter the mock
        // can read.
        return None;
    } else if matches!(method, "GET" | "DELETE") {
        Location::Query
    } else {
        Location::Body
    };
    let documented_type = Table::cell(row, &["Type", "Data type"])
        .unwrap_or_default()
        .to_owned();
    let required = Table::cell(row, &["Required", "Required?"])
        .is_some_and(|r| r.eq_ignore_ascii_case("yes") || r.eq_ignore_ascii_case("true"));
    let example = Table::cell(row, &["Example value", "Example"])
        .filter(|e| !e.is_empty())
        .map(|e| e.trim_matches('`').to_owned());
    Some(Param {
        name: name.to_owned(),
        kind: Kind::of(&documented_type),
        documented_type,
        location,
        // A path segment is always there; the router cannot match without it.
        required: required || location == Location::Path,
        example,
    })
}
