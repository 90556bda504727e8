//! The report of a run that could not happen (exit 2): still a report in the format asked for,
//! so `ocp-mock check --format junit > report.xml` never leaves an empty file that a CI system
//! rejects. JUnit carries the reason as an `<error>` (not a `<failure>`: nothing was judged),
//! JSON as `error`, the human form as an `ERROR` line.

use serde_json::json;

use super::report::{Format, xml_escape};

/// The JUnit test case that stands for the run itself.
pub const RUN_CASE: &str = "the check runs";

/// `reason` (one line, never a secret) as a report of `command` (`check`, `validate`) on
/// `subject` (the target, or `saved answers`).
pub fn render_error(command: &str, subject: &str, reason: &str, format: Format) -> String {
    match format {
        Format::Human => format!("Checking {subject}\nERROR  could not run: {reason}\n"),
        Format::Json => {
            let report = json!({
                "command": command,
                "subject": subject,
                "error": reason,
                "notes": [],
                "passed": 0,
                "failed": 0,
                "skipped": 0,
                "probes": [],
            });
            format!("{report:#}\n")
        }
        Format::Junit => {
            let suite = xml_escape(&format!("ocp-mock {command} {subject}"));
            let reason = xml_escape(reason);
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <testsuite name=\"{suite}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n  \
                 <testcase classname=\"ocp-mock.{command}\" name=\"{RUN_CASE}\" time=\"0.000\">\
                 <error message=\"{reason}\" type=\"could not run\">{reason}</error></testcase>\n\
                 </testsuite>\n"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_carries_the_reason() {
        let reason = "cannot connect to 127.0.0.1:9: refused <&>";
        let junit = render_error("check", "http://x", reason, Format::Junit);
        assert!(
            junit.contains("errors=\"1\"")
                && junit.contains(
                    "<error message=\"cannot connect to 127.0.0.1:9: refused &lt;&amp;&gt;\""
                ),
            "{junit}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render_error("check", "http://x", reason, Format::Json)).unwrap();
        assert_eq!(
            (
                json["error"].as_str(),
                json["probes"].as_array().map(Vec::len)
            ),
            (Some(reason), Some(0))
        );
        let human = render_error("validate", "saved answers", reason, Format::Human);
        assert!(
            human.ends_with(&format!("ERROR  could not run: {reason}\n")),
            "{human}"
        );
    }
}
