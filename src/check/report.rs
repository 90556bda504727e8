//! What a check found, and the three ways to print it: for a person (`human`), for a script
//! (`json`) and for a CI system that shows test cases (`junit`).

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use crate::contract::{Violation, normalize, unified_diff};

/// The widest name the human report pads the others to.
const NAME_COLUMN: usize = 24;

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One line per probe (PASS, FAIL or SKIP), violations and diffs beneath.
    #[default]
    Human,
    /// One JSON object: counts and every probe.
    Json,
    /// JUnit XML: one `<testsuite>`, one `<testcase>` per probe.
    Junit,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(Self::Human),
            "json" => Ok(Self::Json),
            "junit" => Ok(Self::Junit),
            other => Err(format!(
                "unknown format {other:?} (expected human, json or junit)"
            )),
        }
    }
}

/// How one probe ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No violation.
    Pass,
    /// Every violation found, never empty.
    Fail(Vec<Violation>),
    /// Not run, and why.
    Skip(String),
}

/// One probe: what was asked, what came back, and the verdict.
#[derive(Debug, Clone)]
pub struct ProbeResult {
    /// A stable short name, also the JUnit test case name: `unknown cluster`.
    pub name: String,
    /// What was sent, e.g. `GET /api/v2/obproxy/clusters/abc`, or the file validated.
    pub request: String,
    /// The HTTP status of the (last) answer, when there was one.
    pub status: Option<u16>,
    /// The verdict.
    pub outcome: Outcome,
    /// The (last) answer's body, as received, when it was JSON.
    pub body: Option<Value>,
    /// The documented example this answer is compared with, when one exists.
    pub documented: Option<Value>,
    /// What else is worth knowing: the task's end state, the number of polls.
    pub notes: Vec<String>,
    /// Time from the first request to the verdict.
    pub elapsed: Duration,
}

impl ProbeResult {
    pub(crate) fn new(name: &str, request: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            request: request.into(),
            status: None,
            outcome: Outcome::Pass,
            body: None,
            documented: None,
            notes: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    pub(crate) fn skipped(name: &str, request: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Skip(why.into()),
            ..Self::new(name, request)
        }
    }

    /// Sets the outcome from the violations found: none is a pass.
    pub(crate) fn judge(&mut self, violations: Vec<Violation>) {
        self.outcome = if violations.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail(violations)
        };
    }

    /// Whether the probe passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Pass
    }

    /// The violations, empty unless the probe failed.
    pub fn violations(&self) -> &[Violation] {
        match &self.outcome {
            Outcome::Fail(violations) => violations,
            _ => &[],
        }
    }

    /// The answer normalised (volatile fields masked, subtasks in DAG order): what snapshots
    /// and comparisons use.
    pub fn normalized(&self) -> Option<Value> {
        self.body.as_ref().map(normalize)
    }

    /// The normalised documented example against the normalised answer, as a unified diff;
    /// empty when they agree or when there is nothing to compare.
    pub fn diff(&self, color: bool) -> String {
        match (&self.documented, &self.body) {
            (Some(documented), Some(body)) => {
                unified_diff(&normalize(documented), &normalize(body), color)
            }
            _ => String::new(),
        }
    }
}

/// Everything one `check` or `validate` run found.
#[derive(Debug, Clone)]
pub struct Report {
    /// `check` or `validate`: names the JUnit suite and its test cases' class.
    pub command: &'static str,
    /// What was checked: the target URL, or `saved answers`.
    pub subject: String,
    /// What is worth knowing about the target as a whole, never a verdict: which OCP version
    /// it looks like.
    pub notes: Vec<String>,
    /// Every probe, in the order run.
    pub probes: Vec<ProbeResult>,
}

impl Report {
    fn count(&self, pick: fn(&Outcome) -> bool) -> usize {
        self.probes.iter().filter(|p| pick(&p.outcome)).count()
    }

    /// How many probes passed.
    pub fn passed(&self) -> usize {
        self.count(|o| *o == Outcome::Pass)
    }

    /// How many probes found violations.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Fail(_)))
    }

    /// How many probes were not run.
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skip(_)))
    }

    /// 0 when no probe failed, 1 when one did (skips do not fail a check).
    pub fn exit_code(&self) -> u8 {
        u8::from(self.failed() > 0)
    }

    /// The probe of that name.
    pub fn probe(&self, name: &str) -> Option<&ProbeResult> {
        self.probes.iter().find(|p| p.name == name)
    }

    /// The closing line, also the one-line reason on stderr when the check fails.
    pub fn summary(&self) -> String {
        let count = self.probes.len();
        format!(
            "{count} {}: {} passed, {} failed, {} skipped",
            if count == 1 { "probe" } else { "probes" },
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }

    /// The report in `format`; `color` adds ANSI colours to the human form.
    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Human => self.human(color),
            Format::Json => format!("{:#}\n", self.json()),
            Format::Junit => self.junit(),
        }
    }

    fn human(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_owned()
            }
        };
        // `--all-reads` names its rows by their endpoint, up to 90 characters: such a name
        // overflows the column rather than pushing every other row's request to the right,
        // and a row named by its own request is not padded at all.
        let width = self
            .probes
            .iter()
            .filter(|p| p.request != p.name)
            .map(|p| p.name.len())
            .filter(|&len| len <= NAME_COLUMN)
            .max()
            .unwrap_or(0);
        let mut out = format!("Checking {}\n", self.subject);
        for note in &self.notes {
            let _ = writeln!(out, "  {note}");
        }
        for probe in &self.probes {
            let (verdict, detail) = match &probe.outcome {
                Outcome::Pass => (paint("32", "PASS"), String::new()),
                Outcome::Fail(_) => (paint("31", "FAIL"), String::new()),
                Outcome::Skip(why) => (paint("33", "SKIP"), format!(" ({why})")),
            };
            let status = probe.status.map_or(String::new(), |s| format!(" -> {s}"));
            // A read sent as its pattern (`GET /api/v2/info`) is named by what it sends.
            let named = if probe.request == probe.name {
                probe.name.clone()
            } else {
                format!("{:width$}  {}", probe.name, probe.request)
            };
            let _ = writeln!(out, "{verdict}  {named}{status}{detail}");
            for violation in probe.violations() {
                let _ = writeln!(out, "      {violation}");
            }
            for note in &probe.notes {
                let _ = writeln!(out, "      {note}");
            }
            let diff = probe.diff(color);
            if !diff.is_empty() {
                let _ = writeln!(
                    out,
                    "      differs from the documented example (informational):"
                );
                for line in diff.lines() {
                    let _ = writeln!(out, "        {line}");
                }
            }
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }

    /// The report as JSON: `{command, subject, notes, passed, failed, skipped, probes: [...]}`, each probe with
    /// its outcome (`pass`, `fail`, `skip`), violations and plain diff.
    pub fn json(&self) -> Value {
        let probes: Vec<Value> = self
            .probes
            .iter()
            .map(|probe| {
                let (outcome, reason) = match &probe.outcome {
                    Outcome::Pass => ("pass", Value::Null),
                    Outcome::Fail(_) => ("fail", Value::Null),
                    Outcome::Skip(why) => ("skip", Value::from(why.as_str())),
                };
                let violations: Vec<Value> = probe
                    .violations()
                    .iter()
                    .map(|v| json!({"pointer": v.pointer, "message": v.message}))
                    .collect();
                let diff = probe.diff(false);
                json!({
                    "name": probe.name,
                    "request": probe.request,
                    "status": probe.status,
                    "outcome": outcome,
                    "skipped": reason,
                    "violations": violations,
                    "notes": probe.notes,
                    "diff": if diff.is_empty() { Value::Null } else { Value::from(diff) },
                    "ms": u64::try_from(probe.elapsed.as_millis()).unwrap_or(u64::MAX),
                })
            })
            .collect();
        json!({
            "command": self.command,
            "subject": self.subject,
            "notes": self.notes,
            "passed": self.passed(),
            "failed": self.failed(),
            "skipped": self.skipped(),
            "probes": probes,
        })
    }

    /// JUnit XML as Jenkins, GitLab and the GitHub test reporters read it.
    fn junit(&self) -> String {
        let total: Duration = self.probes.iter().map(|p| p.elapsed).sum();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">",
            xml_escape(&format!("ocp-mock {} {}", self.command, self.subject)),
            self.probes.len(),
            self.failed(),
            self.skipped(),
            total.as_secs_f64()
        );
        for probe in &self.probes {
            let _ = write!(
                out,
                "  <testcase classname=\"ocp-mock.{}\" name=\"{}\" time=\"{:.3}\">",
                self.command,
                xml_escape(&probe.name),
                probe.elapsed.as_secs_f64()
            );
            match &probe.outcome {
                Outcome::Pass => {}
                Outcome::Skip(why) => {
                    let _ = write!(out, "<skipped message=\"{}\"/>", xml_escape(why));
                }
                Outcome::Fail(violations) => {
                    let lines: Vec<String> = violations.iter().map(ToString::to_string).collect();
                    let _ = write!(
                        out,
                        "<failure message=\"{}\" type=\"contract\">{}\n</failure>",
                        xml_escape(&lines.join("; ")),
                        xml_escape(&format!("{}\n{}", probe.request, lines.join("\n")))
                    );
                }
            }
            let mut system_out = probe.notes.join("\n");
            let diff = probe.diff(false);
            if !diff.is_empty() {
                if !system_out.is_empty() {
                    system_out.push('\n');
                }
                system_out.push_str("differs from the documented example (informational):\n");
                system_out.push_str(&diff);
            }
            if !system_out.is_empty() {
                let _ = write!(out, "<system-out>{}</system-out>", xml_escape(&system_out));
            }
            out.push_str("</testcase>\n");
        }
        if !self.notes.is_empty() {
            let notes = xml_escape(&self.notes.join("\n"));
            let _ = writeln!(out, "  <system-out>{notes}</system-out>");
        }
        out.push_str("</testsuite>\n");
        out
    }
}

/// Escapes text for an XML attribute or element. Characters XML 1.0 cannot carry at all (most
/// control characters, which a hostile target can put in a header) become U+FFFD.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_with_a_failure() -> Report {
        let mut probe = ProbeResult::new("delete obproxies", "DELETE /x");
        probe.status = Some(200);
        probe.documented = Some(json!({"data": {"name": "Offline obproxy"}}));
        probe.body = Some(json!({"data": {"name": "Offline proxy"}}));
        probe.judge(vec![Violation::new(
            "/data/name",
            "not the documented name",
        )]);
        Report {
            command: "check",
            subject: "http://ocp".into(),
            notes: vec!["GET /api/v2/info: target reports OCP 4.3.4".into()],
            probes: vec![probe],
        }
    }

    #[test]
    fn the_human_report_is_coloured_only_when_asked() {
        let report = report_with_a_failure();
        let plain = report.render(Format::Human, false);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(plain.contains(
            "FAIL  delete obproxies  DELETE /x -> 200\n      /data/name: not the documented name\n"
        ));
        assert!(
            plain.contains("        -    \"name\": \"Offline obproxy\"\n"),
            "{plain}"
        );
        let coloured = report.render(Format::Human, true);
        assert!(coloured.contains("\x1b[31mFAIL\x1b[0m"), "{coloured}");
        assert!(
            coloured.contains("\x1b[32m+    \"name\": \"Offline proxy\""),
            "{coloured}"
        );
    }

    #[test]
    fn json_and_junit_never_carry_colour() {
        let report = report_with_a_failure();
        for format in [Format::Json, Format::Junit] {
            assert!(!report.render(format, true).contains('\x1b'));
        }
        assert_eq!(
            report.json()["probes"][0]["violations"][0]["pointer"],
            "/data/name"
        );
        assert_eq!(report.summary(), "1 probe: 0 passed, 1 failed, 0 skipped");
    }

    #[test]
    fn the_report_s_notes_appear_in_every_format() {
        let report = report_with_a_failure();
        let human = report.render(Format::Human, false);
        assert!(
            human.starts_with(
                "Checking http://ocp\n  GET /api/v2/info: target reports OCP 4.3.4\nFAIL"
            ),
            "{human}"
        );
        assert_eq!(
            report.json()["notes"],
            json!(["GET /api/v2/info: target reports OCP 4.3.4"])
        );
        let junit = report.render(Format::Junit, false);
        assert!(
            junit.ends_with(
                "  <system-out>GET /api/v2/info: target reports OCP 4.3.4</system-out>\n</testsuite>\n"
            ),
            "{junit}"
        );
    }

    #[test]
    fn a_read_named_by_its_request_is_printed_once_and_long_names_overflow() {
        let mut info = ProbeResult::new("GET /api/v2/info", "GET /api/v2/info");
        info.status = Some(200);
        let mut host = ProbeResult::new(
            "GET /api/v2/compute/hosts/{hostId}",
            "GET /api/v2/compute/hosts/1",
        );
        host.status = Some(200);
        let report = Report {
            command: "check",
            subject: "http://ocp".into(),
            notes: Vec::new(),
            probes: vec![ProbeResult::new("cluster list", "GET /x"), info, host],
        };
        assert_eq!(
            report.render(Format::Human, false),
            "Checking http://ocp\n\
             PASS  cluster list  GET /x\n\
             PASS  GET /api/v2/info -> 200\n\
             PASS  GET /api/v2/compute/hosts/{hostId}  GET /api/v2/compute/hosts/1 -> 200\n\
             3 probes: 3 passed, 0 failed, 0 skipped\n"
        );
    }

    #[test]
    fn xml_escape_covers_markup_quotes_and_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1b}[31m\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}[31m\n"
        );
    }
}
