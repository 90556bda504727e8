//! A page's response tables, read as fields: the envelope table ("Basic data structure",
//! "Response parameters"), and the data structures it refers to ("Data structure of
//! ObproxyServer", "Page parameters", ...).
//!
//! The tables nest fields two ways, both read here: a `├─ ` prefix per level on the name
//! (`├─ contents`, `├─├─ obParameter`), and a row whose name cell is `\` with the name, dashed
//! once per level, in the type column and every later cell shifted one column right
//! (`\ | --fullBackupEnabled | Boolean`).

use serde_json::{Map, Value};

use crate::ocp::catalogue::PARAM_TITLES;

/// One documented field, with the fields nested under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The name as the sample writes it (`obproxies`).
    pub name: String,
    /// The documented type (`Long`, `Array`, `List<String>`, `ObproxyServer`).
    pub ty: String,
    /// The description, which names the structure an `Object` or `Array` refers to.
    pub description: String,
    /// The fields nested under this one in the same table.
    pub children: Vec<Field>,
}

/// A table of fields and the key it is found by (its title without "Data structure of").
#[derive(Debug, Clone)]
pub struct Structure {
    /// The title as the page writes it.
    pub title: String,
    /// The title reduced to letters and digits, lowercased (`obproxyserver`).
    pub key: String,
    /// Its fields, in table order.
    pub fields: Vec<Field>,
    /// Whether it describes a request body (its table has a "Required" column).
    pub request: bool,
}

/// What a page's tables say about its answer.
#[derive(Debug, Default)]
pub struct Tables {
    /// The envelope's fields (`data`, `successful`, ...), or the body's own fields for a page
    /// whose answer has no envelope.
    pub envelope: Vec<Field>,
    /// The data structures, in page order (the page-parameters table among them).
    pub structures: Vec<Structure>,
}

/// Titles of the table that lists the envelope's fields.
const ENVELOPE_TITLES: &[&str] = &["basic data structure", "response parameters", "response"];

/// The response tables of a page (a page object of `fixtures/ocp-catalogue/*.json`).
pub fn read(page: &Value) -> Tables {
    let mut tables = Tables::default();
    let empty = Vec::new();
    let list = page["tables"].as_array().unwrap_or(&empty);
    for table in list {
        let title = table["title"].as_str().unwrap_or_default().trim();
        let plain = title.trim_end_matches(':').to_ascii_lowercase();
        if PARAM_TITLES.contains(&plain.as_str()) {
            continue;
        }
        let fields = fields(table);
        if fields.is_empty() {
            continue;
        }
        let envelope_like = ENVELOPE_TITLES.contains(&plain.as_str())
            || fields.iter().any(|f| f.name == "successful");
        if envelope_like && tables.envelope.is_empty() {
            tables.envelope = fields;
        } else if !plain.is_empty() || !has_column(table, "Required") {
            tables.structures.push(Structure {
                key: key(title),
                title: title.to_owned(),
                fields,
                request: has_column(table, "Required"),
            });
        }
    }
    tables
}

fn has_column(table: &Value, name: &str) -> bool {
    table["columns"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c.as_str().is_some_and(|c| c.starts_with(name)))
    })
}

/// A title or a type reduced to what names a structure: `Data structure of \`ObproxyServer\``
/// and `ObproxyServer` both give `obproxyserver`.
pub fn key(title: &str) -> String {
    let lower = title.to_ascii_lowercase();
    let mut text = lower.as_str();
    for prefix in ["data structure of", "the data structure of", "structure of"] {
        if let Some(rest) = text.trim().strip_prefix(prefix) {
            text = rest;
        }
    }
    let text = text.trim().strip_prefix("the ").unwrap_or(text.trim());
    let text = text.strip_suffix("data structure").unwrap_or(text);
    text.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The rows of a table as fields, nested rows under their parent.
fn fields(table: &Value) -> Vec<Field> {
    let columns: Vec<&str> = table["columns"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let empty = Vec::new();
    let rows = table["rows"].as_array().unwrap_or(&empty);
    // (depth, field) in table order, then folded into a tree.
    let flat: Vec<(usize, Field)> = rows
        .iter()
        .filter_map(|row| row.as_object())
        .filter_map(|row| row_field(row, &columns))
        .collect();
    let mut root: Vec<Field> = Vec::new();
    for (depth, field) in flat {
        insert(&mut root, depth, field);
    }
    root
}

/// Puts a field `depth` levels under the last field of `level`. A field marked as nested
/// under a scalar (`name | String` then `├─ cluster | Object`, as some pages draw their
/// trees) is its sibling: a string has no fields.
fn insert(level: &mut Vec<Field>, depth: usize, field: Field) {
    match level.last_mut() {
        Some(parent) if depth > 0 && !is_scalar(&parent.ty) => {
            insert(&mut parent.children, depth - 1, field)
        }
        _ => level.push(field),
    }
}

/// Whether a documented type is a scalar, which has no nested fields.
fn is_scalar(ty: &str) -> bool {
    let ty = ty.trim().trim_matches('`').to_ascii_lowercase();
    [
        "string",
        "long",
        "integer",
        "int",
        "boolean",
        "bool",
        "double",
        "float",
        "number",
        "datetime",
        "offsetdatetime",
        "timestamp",
        "date",
        "enum",
    ]
    .contains(&ty.as_str())
}

/// One row as a field and its depth; `None` for a row that names no field.
fn row_field(row: &Map<String, Value>, columns: &[&str]) -> Option<(usize, Field)> {
    let cell = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| row.get(*n))
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default()
    };
    let raw = cell(&["Parameter", "Field", "Name", "Parameter name"]);
    let ty = cell(&["Type", "Data type"]);
    let description = cell(&["Description"]);
    let (depth, name, ty, description) = if raw == "\\" || (raw.is_empty() && ty.starts_with("--"))
    {
        // Shifted: the name in the type column, the type in the next column.
        let dashes = ty.chars().take_while(|c| *c == '-').count();
        let type_at = columns
            .iter()
            .position(|c| *c == "Type")
            .map_or(2, |i| i + 1);
        let shifted = columns
            .get(type_at)
            .and_then(|c| row.get(*c))
            .and_then(Value::as_str)
            .unwrap_or_default();
        (dashes.div_ceil(2), &ty[dashes..], shifted.trim(), "")
    } else {
        let markers = raw.matches(['├', '└', '│']).count();
        let name = raw.trim_start_matches(['├', '└', '│', '─', ' ', '-']);
        (markers, name, ty, description)
    };
    let name = name
        .trim()
        .trim_matches(|c: char| c == '`' || c == '*')
        .trim();
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    plain.then(|| {
        let field = Field {
            name: name.to_owned(),
            ty: ty.trim_matches('`').to_owned(),
            description: description.to_owned(),
            children: Vec::new(),
        };
        (depth, field)
    })
}

/// The values a description lists after "Valid values" (`* RUNNING * STOPPED`,
/// `<li>RUNNING</li>`, `RUNNING, STOPPED`), when every one reads as a constant name.
pub fn valid_values(description: &str) -> Option<Vec<String>> {
    let at = description.find("Valid values")?;
    let rest = description[at + "Valid values".len()..].trim_start_matches([':', ' ']);
    let rest = rest.replace("<!-- -->", " ").replace("</li>", " ");
    let items: Vec<&str> = if rest.contains("<li>") {
        rest.split("<li>").skip(1).collect()
    } else if rest.trim_start().starts_with('*') {
        rest.split('*').collect()
    } else {
        rest.split([',', ';']).collect()
    };
    let values: Vec<String> = items
        .iter()
        .map(|i| {
            // `NEW: The host is newly added` names `NEW`.
            let head = i.split([':', '(', '.']).next().unwrap_or_default();
            head.trim().trim_matches('`').trim().to_owned()
        })
        .filter(|v| !v.is_empty())
        .collect();
    let constant = |v: &String| {
        v.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && v.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    (!values.is_empty() && values.iter().all(constant)).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tree_and_shifted_rows_nest_under_their_parent() {
        let table = json!({"title": "Data structure of X", "columns": ["Parameter", "Type", "Description"],
        "rows": [
            {"Parameter": "data", "Type": "Object", "Description": "d"},
            {"Parameter": "├─ contents", "Type": "Array", "Description": "c"},
            {"Parameter": "├─├─ id", "Type": "Long", "Description": "i"},
            {"Parameter": "ability", "Type": "Object", "Description": "a"},
            {"Parameter": "\\", "Type": "--hint", "Description": "String"},
        ]});
        let f = fields(&table);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].children[0].name, "contents");
        assert_eq!(f[0].children[0].children[0].ty, "Long");
        assert_eq!(
            (f[1].children[0].name.as_str(), f[1].children[0].ty.as_str()),
            ("hint", "String")
        );
    }

    #[test]
    fn valid_values_are_read_from_the_three_ways_pages_list_them() {
        let bullets = "The status. Valid values: * NEW: newly added * RUNNING   <!-- --> * STOPPED";
        assert_eq!(
            valid_values(bullets).unwrap(),
            ["NEW", "RUNNING", "STOPPED"]
        );
        let items = "Valid values: <li>PRIMARY</li><li>STANDBY  </li>";
        assert_eq!(valid_values(items).unwrap(), ["PRIMARY", "STANDBY"]);
        assert_eq!(valid_values("Valid values: 1 to 10").as_deref(), None);
        assert_eq!(valid_values("The name."), None);
    }

    #[test]
    fn a_title_and_a_type_name_give_the_same_key() {
        assert_eq!(key("Data structure of `ObproxyServer`"), "obproxyserver");
        assert_eq!(key("ObproxyServer"), "obproxyserver");
        assert_eq!(
            key("Data structure of the host information"),
            "hostinformation"
        );
        assert_eq!(key("ParameterInfo data structure"), "parameterinfo");
    }
}
