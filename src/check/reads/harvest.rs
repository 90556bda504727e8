//! Path ids learned from answers: the first item of a list (or of a detail's array field) that
//! names one, written as a path segment.

use percent_encoding::utf8_percent_encode;
use serde_json::Value;

use super::plan::{Items, Source};
use crate::ocp::signature::RFC3986;

/// The value `source` names in `body` (an answer's whole JSON body), escaped for a path; `None`
/// when no item has a usable one.
pub fn learn(source: &Source, body: &Value) -> Option<String> {
    let items = match &source.items {
        Items::List => {
            let data = body.get("data")?;
            data.get("contents").unwrap_or(data)
        }
        Items::Field(field) => body.get("data")?.get(field)?,
    };
    items
        .as_array()?
        .iter()
        .find_map(|item| value_of(item, source))
        // Everything but RFC 3986's unreserved characters is escaped, so a zone or user name can
        // neither add a segment nor start a query.
        .map(|v| utf8_percent_encode(&v, RFC3986).to_string())
}

/// The first of the source's fields that `item` gives a usable value: an integer, or for a
/// capture that takes more than digits, a non-empty string.
fn value_of(item: &Value, source: &Source) -> Option<String> {
    source.fields.iter().find_map(|field| {
        let text = match item.get(field)? {
            Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
            // `.` and `..` are unreserved yet are dot-segments: a path would lose a segment.
            Value::String(s) if !s.is_empty() && s != "." && s != ".." => s.clone(),
            _ => return None,
        };
        let fits = !source.digits || text.bytes().all(|b| b.is_ascii_digit());
        fits.then_some(text)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::reads::plan::fields_for;

    fn source(capture: &str, items: Items, digits: bool) -> Source {
        Source {
            capture: capture.to_owned(),
            digits,
            step: 0,
            items,
            fields: fields_for(capture),
        }
    }

    #[test]
    fn an_id_is_the_first_item_s_that_names_one() {
        let page = json!({"data": {"contents": [{"name": "x"}, {"id": 7}, {"id": 8}]}});
        let tenant = source("tenantId", Items::List, false);
        assert_eq!(learn(&tenant, &page).as_deref(), Some("7"));
        let own_name = json!({"data": {"contents": [{"id": 1, "tenantId": 1002}]}});
        assert_eq!(learn(&tenant, &own_name).as_deref(), Some("1002"));
        let bare = json!({"data": [{"id": 3}]});
        assert_eq!(learn(&tenant, &bare).as_deref(), Some("3"));
        let empty = json!({"data": {"contents": []}});
        assert_eq!(learn(&tenant, &empty), None);
        assert_eq!(learn(&tenant, &json!({"error": {}})), None);
    }

    #[test]
    fn names_are_escaped_and_digit_captures_take_only_digits() {
        let zones = json!({"data": {"contents": [{"id": 1, "name": "zone 1/a?"}]}});
        let zone = source("zoneName", Items::List, false);
        assert_eq!(learn(&zone, &zones).as_deref(), Some("zone%201%2Fa%3F"));
        let strings = json!({"data": {"contents": [{"id": "abc"}, {"id": "12"}]}});
        assert_eq!(
            learn(&source("id", Items::List, true), &strings).as_deref(),
            Some("12")
        );
        assert_eq!(
            learn(&source("id", Items::List, false), &strings).as_deref(),
            Some("abc")
        );
        // A dot-segment would drop or stay a segment of the path: the next name is taken.
        let dots = json!({"data": {"contents": [{"name": ".."}, {"name": "."}, {"name": "z1"}]}});
        assert_eq!(learn(&zone, &dots).as_deref(), Some("z1"));
    }

    #[test]
    fn a_detail_s_array_field_names_its_items() {
        let task = json!({"data": {"id": 5, "subtasks": [{"id": 51}, {"id": 52}]}});
        let subtask = source("subtaskInstanceId", Items::Field("subtasks".into()), false);
        assert_eq!(learn(&subtask, &task).as_deref(), Some("51"));
    }
}
