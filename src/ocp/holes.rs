//! JSON with holes: a document serialised once, then written again and again by copying its
//! fixed text and filling in only what varies. This is how a new task's 4 KB answer is written
//! without building and serialising a JSON tree per request.

use serde_json::Value;

/// Marks a hole in the value given to [`Holes::new`]; serde_json writes the control character
/// as `\u0001`, which no real field of OCP's contains.
const MARK: &str = "\u{1}hole:";
const SERIALISED_START: &str = "\"\\u0001hole:";
const SERIALISED_END: &str = "\\u0001\"";

/// The placeholder value for hole `name`.
pub fn hole(name: &str) -> Value {
    Value::String(format!("{MARK}{name}\u{1}"))
}

/// Why a document could not be cut into holes (only reachable with a broken template).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolesError {
    /// A placeholder's text was cut short.
    #[error("unterminated hole")]
    Unterminated,
    /// A placeholder names a hole the caller did not list.
    #[error("unknown hole {0:?}")]
    Unknown(String),
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Hole(usize),
}

/// A serialised JSON document with numbered holes.
#[derive(Debug, Clone)]
pub struct Holes {
    parts: Vec<Part>,
}

impl Holes {
    /// Serialises `value`; each placeholder made by [`hole`] with the i-th of `names` becomes
    /// hole i. Returns the name of a placeholder that is not in `names`, if any.
    pub fn new(value: &Value, names: &[&str]) -> Result<Self, HolesError> {
        let text = value.to_string();
        let mut parts = Vec::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(SERIALISED_START) {
            parts.push(Part::Text(rest[..start].to_owned()));
            let after = &rest[start + SERIALISED_START.len()..];
            let end = after.find(SERIALISED_END).ok_or(HolesError::Unterminated)?;
            let name = &after[..end];
            let index = names
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| HolesError::Unknown(name.to_owned()))?;
            parts.push(Part::Hole(index));
            rest = &after[end + SERIALISED_END.len()..];
        }
        parts.push(Part::Text(rest.to_owned()));
        Ok(Self { parts })
    }

    /// Writes the document, `fill(i, out)` writing the JSON of hole i.
    pub fn write(&self, out: &mut Vec<u8>, mut fill: impl FnMut(usize, &mut Vec<u8>)) {
        for part in &self.parts {
            match part {
                Part::Text(t) => out.extend_from_slice(t.as_bytes()),
                Part::Hole(i) => fill(*i, out),
            }
        }
    }

    /// The size of the fixed text, to reserve room before writing.
    pub fn fixed_len(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.len(),
                Part::Hole(_) => 0,
            })
            .sum()
    }
}

/// Writes `s` as a JSON string.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Writes an integer.
pub fn write_int(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filling_the_holes_gives_what_serialising_the_filled_value_gives() {
        let with_holes = json!({"b": hole("x"), "a": [1, {"c": hole("y")}], "d": "plain"});
        let holes = Holes::new(&with_holes, &["x", "y"]).unwrap();
        let mut out = Vec::new();
        holes.write(&mut out, |i, out| match i {
            0 => write_str(out, "quoted \"text\""),
            _ => write_int(out, -7),
        });
        let filled = json!({"b": "quoted \"text\"", "a": [1, {"c": -7}], "d": "plain"});
        assert_eq!(String::from_utf8(out).unwrap(), filled.to_string());
    }

    #[test]
    fn an_unknown_hole_is_refused() {
        assert_eq!(
            Holes::new(&json!({"a": hole("z")}), &["x"]).unwrap_err(),
            HolesError::Unknown("z".into())
        );
    }
}
