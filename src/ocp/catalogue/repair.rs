//! Sample blocks that OCP's pages print as broken JSON, repaired by hand.
//!
//! A repair is applied only to a block that does not parse, and kept only when the repaired text
//! parses. Each fix is narrow: a value written with a stray character, a comma missing or left
//! over, a brace doubled, dropped or misplaced. The endpoints whose samples these fixes repair
//! are listed in the README ("The documented API").

use serde_json::Value;

/// A literal replacement: where the page wrote `find`, the sample means `replace`.
struct Replace {
    find: &'static str,
    replace: &'static str,
}

/// The hand repairs, with the mistake each fixes.
const REPLACEMENTS: &[Replace] = &[
    // A full stop after the last value of an object (users, a user, an agent's processes).
    Replace {
        find: "\"username\": \"root\".",
        replace: "\"username\": \"root\"",
    },
    Replace {
        find: "\"user\": \"root\".",
        replace: "\"user\": \"root\"",
    },
    // A text value missing its opening quote (cluster parameter info).
    Replace {
        find: "\"defaultValue\": 40\",",
        replace: "\"defaultValue\": \"40\",",
    },
    // A stray `},` that closes `data` as soon as it opens (retry a subtask).
    Replace {
        find: "\"data\": {\n\n    },",
        replace: "\"data\": {",
    },
    // The opening brace written twice (failover pre-check).
    Replace {
        find: "{\n  {\n  \"data\"",
        replace: "{\n  \"data\"",
    },
    // `taskIdList` written after the brace that closes its object (delete a backup strategy).
    Replace {
        find: "],\n            }\n            \"taskIdList\": []",
        replace: "],\n            \"taskIdList\": []\n            }",
    },
];

/// The block's text repaired, when the repairs make it parse; `None` when it stays broken (a
/// sample cut short, or elided with `......`).
pub fn repair(text: &str) -> Option<(String, Value)> {
    let mut fixed = text.to_owned();
    for r in REPLACEMENTS {
        if fixed.contains(r.find) {
            fixed = fixed.replace(r.find, r.replace);
        }
    }
    fixed = add_missing_commas(&drop_trailing_commas(&fixed));
    if let Ok(value) = serde_json::from_str(&fixed) {
        return Some((fixed, value));
    }
    // The closing brace of the envelope left out (modify a tenant's primary zone).
    let closed = format!("{}\n}}", fixed.trim_end());
    let value = serde_json::from_str(&closed).ok()?;
    Some((closed, value))
}

/// Drops a comma left before a closing `}` or `]` (outside strings).
fn drop_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            in_string = c != '"' || escaped;
            escaped = c == '\\' && !escaped;
        } else if c == '"' {
            in_string = true;
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Adds the comma missing at the end of a line that ends a value when the next line starts a
/// new key (`"name": "zone1"` then `"replicaType": ...`).
fn add_missing_commas(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        let ends_value = line.trim_end().ends_with(|c: char| {
            c == '"' || c.is_ascii_digit() || matches!(c, '}' | ']' | 'e' | 'l')
        });
        let next_is_key = lines.get(i + 1).is_some_and(|n| {
            let n = n.trim_start();
            n.starts_with('"') && n.contains("\":")
        });
        if ends_value && next_is_key && !line.trim_end().ends_with([',', '{', '[']) {
            out.push(',');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_comma_is_dropped_but_not_one_inside_a_string() {
        let (text, value) = repair("{\"a\": \",}\", \"b\": [1, 2,],}").unwrap();
        assert_eq!(value, serde_json::json!({"a": ",}", "b": [1, 2]}));
        assert!(text.contains("\",}\""));
    }

    #[test]
    fn a_missing_comma_between_two_keys_is_added() {
        let (_, value) = repair("{\n\"id\": 1\n\"name\": \"x\"\n}").unwrap();
        assert_eq!(value, serde_json::json!({"id": 1, "name": "x"}));
    }

    #[test]
    fn a_sample_cut_short_or_elided_stays_broken() {
        assert!(repair("{\n\"a\": [\n{\"b\": 1},\n{").is_none());
        assert!(repair("{\n\"a\": 1,\n......\n}").is_none());
    }

    #[test]
    fn a_missing_last_brace_is_closed() {
        let (_, value) = repair("{\n\"status\": 200,\n\"traceId\": \"t\"").unwrap();
        assert_eq!(value, serde_json::json!({"status": 200, "traceId": "t"}));
    }
}
