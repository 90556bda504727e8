//! What no schema can state: the envelope against the HTTP status it came with, the subtasks
//! as one DAG, and what a task must look like at the moment it is created.

use std::collections::HashMap;

use serde_json::Value;

use super::dag::{self, Dag, Side};
use super::{Expect, Violation};

/// Task statuses OCP has; any other value is the schema's to report, not ours.
const TASK_STATUSES: &[&str] = &["RUNNING", "FAILED", "SUCCESSFUL"];

/// Subtask statuses OCP has; any other value is the schema's to report, not ours.
const SUBTASK_STATUSES: &[&str] = &[
    "PENDING",
    "READY",
    "RUNNING",
    "CANCELING",
    "FAILED",
    "SUCCESSFUL",
];

/// The body repeats the HTTP status, and `successful` must agree with it: clients read either,
/// some only the status (`raise_for_status()`), some only the body.
pub(crate) fn check_envelope(http_status: u16, body: &Value, out: &mut Vec<Violation>) {
    if let Some(status) = body.get("status").and_then(Value::as_u64)
        && status != u64::from(http_status)
    {
        out.push(Violation::new(
            "/status",
            format!("expected {http_status} (the http status), got {status}"),
        ));
    }
    if let Some(successful) = body.get("successful").and_then(Value::as_bool) {
        let success = (200..300).contains(&http_status);
        if successful != success {
            out.push(Violation::new(
                "/successful",
                format!("expected {success} for http status {http_status}, got {successful}"),
            ));
        }
    }
}

/// Checks a task found at `prefix` ("" for a bare task, "/data" in an envelope).
pub(crate) fn check_task(task: &Value, prefix: &str, expect: Expect, out: &mut Vec<Violation>) {
    if let Some(subtasks) = task.get("subtasks").and_then(Value::as_array)
        && well_formed(subtasks)
    {
        check_dag(subtasks, prefix, out);
    }
    if expect == Expect::NewTask {
        check_new_task(task, prefix, out);
    }
}

/// Whether the subtasks can be read as a graph at all: a non-empty list of objects with integer
/// ids and integer lists of neighbours. Otherwise the schema has already said what is wrong,
/// and graph checks on a half-read graph would only repeat it in more confusing words.
fn well_formed(subtasks: &[Value]) -> bool {
    let integers = |list: Option<&Value>| {
        list.and_then(Value::as_array)
            .is_some_and(|items| items.iter().all(|item| item.as_i64().is_some()))
    };
    !subtasks.is_empty()
        && subtasks.iter().all(|subtask| {
            subtask.get("id").and_then(Value::as_i64).is_some()
                && integers(subtask.get("upstreams"))
                && integers(subtask.get("downstreams"))
        })
}

fn check_dag(subtasks: &[Value], prefix: &str, out: &mut Vec<Violation>) {
    let dag = Dag::read(subtasks);
    let at = |position: usize| format!("{prefix}/subtasks/{position}");
    let id_of = |position: usize| dag.ids[position].map_or_else(String::new, |id| id.to_string());

    // With two subtasks of the same id every edge to it is ambiguous: stop at reporting that.
    let mut first: HashMap<i64, usize> = HashMap::new();
    let before = out.len();
    for (position, id) in dag.ids.iter().enumerate() {
        let Some(id) = *id else { continue };
        if let Some(&earlier) = first.get(&id) {
            out.push(Violation::new(
                format!("{}/id", at(position)),
                format!("duplicate id {id}, also at {}", at(earlier)),
            ));
        } else {
            first.insert(id, position);
        }
    }
    if out.len() > before {
        return;
    }

    for (position, subtask) in subtasks.iter().enumerate() {
        for side in [Side::Upstreams, Side::Downstreams] {
            for (entry, other) in dag::list(subtask, side).iter().enumerate() {
                let pointer = format!("{}/{}/{entry}", at(position), side.key());
                let Some(other) = other.as_i64() else {
                    continue;
                };
                let Some(&target) = dag.index.get(&other) else {
                    out.push(Violation::new(
                        pointer,
                        format!("no subtask has id {other}"),
                    ));
                    continue;
                };
                let mirrored = dag::list(&subtasks[target], side.mirror())
                    .iter()
                    .any(|back| back.as_i64() == dag.ids[position]);
                if !mirrored {
                    out.push(Violation::new(
                        pointer,
                        format!(
                            "not mirrored: {} ({other}) does not list {} in its {}",
                            at(target),
                            id_of(position),
                            side.mirror().key()
                        ),
                    ));
                }
            }
        }
    }

    if let Some((cycle, closing)) = dag.cycle() {
        let (position, side, entry) = closing.source;
        // Back to where it started, to read as a loop.
        let path: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&p| id_of(p))
            .collect();
        out.push(Violation::new(
            format!("{}/{}/{entry}", at(position), side.key()),
            format!("cycle: {}", path.join(" -> ")),
        ));
    }

    for (side, role) in [(Side::Upstreams, "entry"), (Side::Downstreams, "exit")] {
        let key = side.key();
        let ends: Vec<usize> = (0..subtasks.len())
            .filter(|&p| dag::list(&subtasks[p], side).is_empty())
            .collect();
        match ends.split_first() {
            None => out.push(Violation::new(
                format!("{prefix}/subtasks"),
                format!("no {role} subtask: every subtask has {key}"),
            )),
            Some((&one, others)) => {
                for &other in others {
                    out.push(Violation::new(
                        format!("{}/{key}", at(other)),
                        format!("more than one {role}: {} has no {key} either", at(one)),
                    ));
                }
            }
        }
    }
}

/// The immediate answer of an asynchronous write describes the task as created: RUNNING, its
/// entry READY, every other subtask PENDING, nothing finished.
fn check_new_task(task: &Value, prefix: &str, out: &mut Vec<Violation>) {
    if let Some(status) = task.get("status").and_then(Value::as_str)
        && TASK_STATUSES.contains(&status)
        && status != "RUNNING"
    {
        out.push(Violation::new(
            format!("{prefix}/status"),
            format!("expected RUNNING for a new task, got {status}"),
        ));
    }
    if task.get("finishTime").is_some() {
        out.push(Violation::new(
            format!("{prefix}/finishTime"),
            "unexpected in a new task: it has not finished",
        ));
    }
    let Some(subtasks) = task.get("subtasks").and_then(Value::as_array) else {
        return;
    };
    for (position, subtask) in subtasks.iter().enumerate() {
        let at = format!("{prefix}/subtasks/{position}");
        let status = subtask.get("status").and_then(Value::as_str);
        let upstreams = subtask.get("upstreams").and_then(Value::as_array);
        if let (Some(status), Some(upstreams)) = (status, upstreams)
            && SUBTASK_STATUSES.contains(&status)
        {
            let (expected, role) = if upstreams.is_empty() {
                ("READY", "the entry")
            } else {
                ("PENDING", "a subtask after the entry")
            };
            if status != expected {
                out.push(Violation::new(
                    format!("{at}/status"),
                    format!("expected {expected} for {role} of a new task, got {status}"),
                ));
            }
        }
        if subtask.get("finishTime").is_some() {
            out.push(Violation::new(
                format!("{at}/finishTime"),
                "unexpected in a new task: no subtask has finished",
            ));
        }
    }
}
