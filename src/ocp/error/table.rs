//! OCP's error table, one per version, as data: `fixtures/errors/V*.json` holds, for every error
//! the mock answers, the id (or number), English and Chinese wording that version's table
//! documents. The files are embedded, so the binary needs nothing beside it.
//!
//! A table is keyed by the mock's name for an error, its V4 id (`ODP21001`; `0` for the 429,
//! which is in no table but in OCP's one documented error answer).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{ErrorCodeStyle, Language};
use crate::ocp::version::OcpVersion;

/// The embedded tables, with the version each one documents.
const FILES: [(OcpVersion, &str); 3] = [
    (
        OcpVersion::V3_1_1,
        include_str!("../../../fixtures/errors/V3.1.1.json"),
    ),
    (
        OcpVersion::V4_2_2,
        include_str!("../../../fixtures/errors/V4.2.2.json"),
    ),
    (
        OcpVersion::V4_3_4,
        include_str!("../../../fixtures/errors/V4.3.4.json"),
    ),
];

/// `error.code` as a table writes it: V3.1.1's integers, V4's prefixed ids.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TableCode {
    /// An integer code (`21001`; `0` for the 429).
    Number(i64),
    /// A prefixed id (`"ODP21001"`).
    Id(String),
}

impl TableCode {
    /// The code as JSON, in its own type.
    fn to_json(&self) -> Value {
        match self {
            Self::Number(n) => json!(n),
            Self::Id(id) => json!(id),
        }
    }

    /// The code as a JSON string: `"ODP21001"`, `"0"`.
    fn to_json_string(&self) -> Value {
        match self {
            Self::Number(n) => json!(n.to_string()),
            Self::Id(id) => json!(id),
        }
    }
}

/// One error as a version documents it. A row the version lacks (the nearest documented one
/// stands in) carries a `note` in the file saying why.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TableRow {
    /// `error.code` in that version.
    pub code: TableCode,
    /// The English message, `{0}`, `{1}` to fill in.
    pub en: String,
    /// The Chinese message, `{0}`, `{1}` to fill in.
    pub zh: String,
}

impl TableRow {
    /// The message in `lang`, placeholders not yet filled.
    pub fn template(&self, lang: Language) -> &str {
        match lang {
            Language::En => &self.en,
            Language::Zh => &self.zh,
        }
    }
}

/// One version's table, as read from its file (whose `code` and `sources` say, for a reader,
/// the type of `code` in that version and where the rows were copied from).
#[derive(Debug, Deserialize)]
pub struct ErrorTable {
    /// The version the file says it documents (`3.1.1`).
    pub version: String,
    /// The rows, keyed by the mock's name for the error (its V4 id).
    pub errors: BTreeMap<String, TableRow>,
}

impl ErrorTable {
    /// The row for the mock's error `id`, if this table has one.
    pub fn row(&self, id: &str) -> Option<&TableRow> {
        self.errors.get(id)
    }
}

static TABLES: LazyLock<Vec<ErrorTable>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(_, text)| {
            serde_json::from_str(text)
                .expect("fixtures/errors/*.json are embedded and parsed by a unit test")
        })
        .collect()
});

/// The table `version` answers from. OCP publishes no error table after 4.3.4, so 4.3.5
/// answers from 4.3.4's (the README says so).
pub fn table(version: OcpVersion) -> &'static ErrorTable {
    let wanted = match version {
        OcpVersion::V4_3_5 => OcpVersion::V4_3_4,
        other => other,
    };
    let found = TABLES.iter().find(|t| t.version == wanted.as_str());
    match found {
        Some(table) => table,
        None => &TABLES[TABLES.len() - 1],
    }
}

/// `error.code` for the mock's error `id`: the version's own code, or the form `style` forces.
///
/// A forced number is OCP's own integer for that error (V3.1.1's table), never the digits of a
/// V4 id (`TSK10001` and `COM10001` would collide); a forced string is the V4 id.
pub fn code(id: &str, version: OcpVersion, style: Option<ErrorCodeStyle>) -> Value {
    let (source, as_string) = match style {
        None => (version, false),
        Some(ErrorCodeStyle::Number) => (OcpVersion::V3_1_1, false),
        Some(ErrorCodeStyle::String) => (OcpVersion::V4_3_4, true),
    };
    match table(source).row(id) {
        Some(row) if as_string => row.code.to_json_string(),
        Some(row) => row.code.to_json(),
        None => json!(id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocp::error::ERRORS;

    /// A table file with what a reader learns from it besides the rows.
    #[derive(Deserialize)]
    struct TableFile {
        version: String,
        code: String,
        sources: BTreeMap<String, String>,
    }

    fn file(version: OcpVersion) -> TableFile {
        let wanted = table(version).version.as_str();
        let (_, text) = FILES
            .iter()
            .find(|(v, _)| v.as_str() == wanted)
            .expect("a file");
        serde_json::from_str(text).expect("a valid table")
    }

    #[test]
    fn every_table_parses_and_names_its_own_version() {
        for (version, _) in FILES {
            let file = file(version);
            assert_eq!(file.version, version.as_str());
            assert!(file.sources.contains_key("en") && file.sources.contains_key("zh"));
        }
    }

    #[test]
    fn every_version_documents_every_error_the_mock_answers() {
        for version in OcpVersion::ALL {
            let (table, kind) = (table(version), file(version).code);
            for error in ERRORS {
                let row = table.row(error.id);
                let row = row.unwrap_or_else(|| panic!("{version} lacks {}", error.id));
                assert!(!row.en.is_empty() && !row.zh.is_empty());
                let typed = match (&row.code, kind.as_str()) {
                    (TableCode::Number(0), _) => error.status == 429,
                    (TableCode::Number(_), "number") | (TableCode::Id(_), "string") => true,
                    _ => false,
                };
                assert!(typed, "{version} {}: {:?}", error.id, row.code);
            }
        }
    }

    #[test]
    fn a_forced_style_takes_ocp_own_numbers_or_ids() {
        let v4 = OcpVersion::V4_3_4;
        assert_eq!(code("ODP21001", v4, None), json!("ODP21001"));
        assert_eq!(code("TSK10001", v4, None), json!("TSK10001"));
        assert_eq!(code("ODP21001", OcpVersion::V3_1_1, None), json!(21001));
        let number = Some(ErrorCodeStyle::Number);
        assert_eq!(code("COM10001", v4, number), json!(1001));
        assert_eq!(code("TSK10001", v4, number), json!(4001));
        let string = Some(ErrorCodeStyle::String);
        assert_eq!(
            code("IAM10000", OcpVersion::V3_1_1, string),
            json!("IAM10000")
        );
        assert_eq!(code("0", OcpVersion::V3_1_1, None), json!(0));
        assert_eq!(code("0", v4, None), json!(0));
        assert_eq!(code("0", v4, string), json!("0"));
    }

    #[test]
    fn version_4_3_5_answers_from_the_4_3_4_table() {
        assert_eq!(table(OcpVersion::V4_3_5).version, "4.3.4");
    }
}
