//! Expected against actual, as a unified diff of the pretty-printed JSON: the form a failing
//! comparison is read in, in a terminal or in CI logs.

use serde_json::Value;
use similar::TextDiff;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

/// A unified diff (3 lines of context, headers `expected` and `actual`) of the two values
/// pretty-printed; empty when they print the same.
///
/// With `color`, removed lines are red and added lines green (ANSI escapes). The caller decides,
/// typically by whether its output is a terminal.
pub fn unified_diff(expected: &Value, actual: &Value, color: bool) -> String {
    let expected = format!("{expected:#}\n");
    let actual = format!("{actual:#}\n");
    if expected == actual {
        return String::new();
    }
    let diff = TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    if color { paint(&diff) } else { diff }
}

fn paint(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + 64);
    for line in diff.split_inclusive('\n') {
        let colour = if line.starts_with("---") || line.starts_with("+++") {
            None
        } else if line.starts_with('-') {
            Some(RED)
        } else if line.starts_with('+') {
            Some(GREEN)
        } else {
            None
        };
        match colour {
            Some(colour) => {
                let text = line.strip_suffix('\n').unwrap_or(line);
                out.push_str(colour);
                out.push_str(text);
                out.push_str(RESET);
                if text.len() < line.len() {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}
