//! `check --all-reads`: every documented GET of the target's OCP version, judged by that
//! endpoint's response schema.
//!
//! Only GETs are ever sent: a write needs consent of its own, per family (`--delete ...
//! --allow-delete` for the OBProxy delete), and `--all-reads` gives none. A read whose path
//! holds ids is sent once an earlier answer named them ([`plan`]); the others, and those that
//! need what a run cannot know (a required time range, a body), are reported as skipped, with
//! why. Each read gets `--timeout`; `--max-calls` caps how many are sent; three reads in a row
//! with no answer in time stop the run, as the target is then gone rather than slow.

mod harvest;
pub mod plan;

use std::time::Instant;

use http::Method;
use serde_json::Value;

use super::probes::{Checker, Who};
use super::report::{Outcome, ProbeResult};
use super::{CheckError, judge};
use crate::contract::Violation;
use crate::ocp::catalogue::{Catalogue, Endpoint, Segment};
use crate::ocp::version::OcpVersion;
use crate::spec::{EndpointSchema, EndpointSchemas};
use plan::{Action, Source, Step, why};

/// Reads in a row that got no answer in time before the run stops.
const TIMEOUTS_TO_STOP: usize = 3;

/// The reads' verdicts in one line, the skipped ones by reason:
/// `--all-reads: 61 of 73 reads passed, 0 failed, 12 skipped: 5 need query parameters, ...`.
pub fn tally(reads: &[ProbeResult]) -> String {
    let passed = reads.iter().filter(|r| r.passed()).count();
    let failed = reads.iter().filter(|r| !r.violations().is_empty()).count();
    let mut line = format!(
        "--all-reads: {passed} of {} reads passed, {failed} failed",
        reads.len()
    );
    let skipped = reads.len() - passed - failed;
    if skipped > 0 {
        let by_reason: Vec<String> = why::ALL
            .iter()
            .filter_map(|(start, label)| {
                let n = reads
                    .iter()
                    .filter(|r| matches!(&r.outcome, Outcome::Skip(w) if w.starts_with(start)))
                    .count();
                (n > 0).then(|| format!("{n} {label}"))
            })
            .collect();
        line.push_str(&format!(", {skipped} skipped: {}", by_reason.join(", ")));
    }
    line
}

/// What became of a step, for the reads that learn their ids from it.
enum Sent {
    /// Not sent (skipped).
    No,
    /// Sent: the request, the status and the JSON body, when there were.
    Yes {
        request: String,
        status: Option<u16>,
        body: Option<Value>,
    },
}

impl Checker {
    /// With `all_reads`, every documented GET of the target's version (see
    /// [`Checker::reads_version`]), a note saying which, and one counting the verdicts;
    /// nothing otherwise.
    pub(crate) fn reads_if_asked(
        &self,
        notes: &mut Vec<String>,
    ) -> Result<Vec<ProbeResult>, CheckError> {
        if !self.options.all_reads {
            return Ok(Vec::new());
        }
        let version = self.reads_version()?;
        let gets = Catalogue::of(version)
            .endpoints
            .iter()
            .filter(|e| e.method == Method::GET)
            .count();
        let mut note = format!(
            "--all-reads: the {gets} documented GETs of OCP {version}, each judged by its response schema; no write is sent"
        );
        match (self.options.ocp_version, self.target_version()) {
            (Some(_), Some(reported)) if reported != version => {
                note.push_str(&format!(" (--ocp-version; the target reports {reported})"));
            }
            (Some(_), _) => note.push_str(" (--ocp-version)"),
            (None, _) => {}
        }
        notes.push(note);
        let reads = self.all_reads(version)?;
        notes.push(tally(&reads));
        Ok(reads)
    }

    /// The version whose documented reads `--all-reads` sends: `--ocp-version` when given,
    /// else the one the target reports in `/api/v2/info`; with neither, the check cannot run.
    pub fn reads_version(&self) -> Result<OcpVersion, CheckError> {
        // Reads `/api/v2/info` once, if the run has not already.
        let note = self.ocp_version_note();
        if let Some(version) = self.options.ocp_version.or(self.target_version()) {
            return Ok(version);
        }
        let why = note.strip_prefix("GET /api/v2/info: ").unwrap_or(&note);
        Err(CheckError::UnknownVersion(why.to_owned()))
    }

    /// Every documented GET of `version`, in plan order: one result per endpoint, named
    /// `GET <pattern>`.
    pub fn all_reads(&self, version: OcpVersion) -> Result<Vec<ProbeResult>, CheckError> {
        let steps = plan::plan(Catalogue::of(version));
        let schemas = EndpointSchemas::of(version);
        let mut sent: Vec<Sent> = Vec::with_capacity(steps.len());
        let mut out = Vec::with_capacity(steps.len());
        let (mut calls, mut timeouts) = (0usize, 0usize);
        for step in &steps {
            let name = format!("GET {}", step.endpoint.pattern);
            let schema = schemas.get(&Method::GET, &step.endpoint.pattern);
            let ready = match (&step.action, schema) {
                (Action::Skip(why), _) => Err(why.clone()),
                (Action::Call(_), None) => Err(format!("{} for it", why::NO_SCHEMA)),
                (Action::Call(sources), Some(schema)) => self
                    .may_send(calls, timeouts)
                    .and_then(|()| fill(step.endpoint, sources, &steps, &sent))
                    .map(|path| (path, schema)),
            };
            let probe = match ready {
                Ok((path, schema)) => {
                    calls += 1;
                    let (probe, timed_out) = self.read(&name, &path, schema)?;
                    timeouts = if timed_out { timeouts + 1 } else { 0 };
                    probe
                }
                Err(why) => ProbeResult::skipped(&name, name.clone(), why),
            };
            sent.push(match probe.outcome {
                Outcome::Skip(_) => Sent::No,
                _ => Sent::Yes {
                    request: probe.request.clone(),
                    status: probe.status,
                    body: probe.body.clone(),
                },
            });
            out.push(probe);
        }
        Ok(out)
    }

    /// Whether one more read may go: not past `--max-calls`, nor to a target gone silent.
    fn may_send(&self, calls: usize, timeouts: usize) -> Result<(), String> {
        let cap = self.options.max_calls;
        if calls >= cap {
            return Err(format!(
                "{} {cap} calls was reached (--max-calls)",
                why::CAP
            ));
        }
        if timeouts >= TIMEOUTS_TO_STOP {
            return Err(format!(
                "{} ({TIMEOUTS_TO_STOP} reads in a row timed out)",
                why::GONE
            ));
        }
        Ok(())
    }

    /// Sends one read and judges the answer with `schema`, saying whether it timed out: a read
    /// with no answer in time fails (the others go on), where any other failure to reach the
    /// target stops the check.
    fn read(
        &self,
        name: &str,
        path: &str,
        schema: &EndpointSchema,
    ) -> Result<(ProbeResult, bool), CheckError> {
        let started = Instant::now();
        let mut probe = ProbeResult::new(name, format!("GET {path}"));
        let mut timed_out = false;
        match self.ask(Method::GET, path, Who::Caller) {
            Ok(Ok(answer)) => {
                let (violations, body) =
                    judge::read(&answer, schema.is_text(), |body| schema.judge(body));
                probe.status = Some(answer.status);
                probe.body = body;
                probe.judge(violations);
            }
            Ok(Err(why)) => probe.judge(vec![judge::not_http(&why.to_string())]),
            Err(timeout @ CheckError::Timeout { .. }) => {
                timed_out = true;
                probe.judge(vec![Violation::new("", timeout.to_string())]);
            }
            Err(other) => return Err(other),
        }
        probe.elapsed = started.elapsed();
        Ok((probe, timed_out))
    }
}

/// The path of `endpoint` with each capture filled from the answer of its source, or why
/// one cannot be.
fn fill(
    endpoint: &Endpoint,
    sources: &[Source],
    steps: &[Step],
    sent: &[Sent],
) -> Result<String, String> {
    let mut values = Vec::with_capacity(sources.len());
    for source in sources {
        let list = format!("GET {}", steps[source.step].endpoint.pattern);
        let missing = |what: String| format!("{} {{{}}}: {what}", why::NO_ID, source.capture);
        let value = match &sent[source.step] {
            Sent::No => return Err(missing(format!("{list} was not sent"))),
            Sent::Yes {
                request,
                status: Some(200..=299),
                body: Some(body),
            } => harvest::learn(source, body)
                .ok_or_else(|| missing(format!("{request} named none")))?,
            Sent::Yes {
                request,
                status: Some(status),
                ..
            } => return Err(missing(format!("{request} answered {status}"))),
            Sent::Yes { request, .. } => {
                return Err(missing(format!("{request} gave no JSON answer")));
            }
        };
        values.push(value);
    }
    let mut values = values.into_iter();
    let mut path = String::new();
    for segment in &endpoint.segments {
        path.push('/');
        match segment {
            Segment::Literal(text) => path.push_str(text),
            // One value per capture, in path order: the plan made one source for each.
            Segment::Capture { .. } => path.push_str(&values.next().unwrap_or_default()),
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests;
