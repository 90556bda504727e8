//! What no schema can state: the envelope against the HTTP status it came with, the subtasks
//! as one DAG, and what a task must look like at the moment it is created.

use std::collections::HashMap;

use serde_json::Value;

use super::dag::{self, Dag, Side};
use super::{Expect, Violation};
use crate::ocp::task::{SubtaskStatus, TaskStatus};

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
    check_task_ids(task, prefix, out);
    if expect == Expect::NewTask {
        check_new_task(task, prefix, out);
    }
}

/// A subtask that names its task (`taskId`, from OCP 4.3.5 on) names the task it is listed in:
/// a client that follows `taskId` back must land on this task.
fn check_task_ids(task: &Value, prefix: &str, out: &mut Vec<Violation>) {
    let (Some(id), Some(subtasks)) = (
        task.get("id").and_then(Value::as_i64),
        task.get("subtasks").and_then(Value::as_array),
    ) else {
        return;
    };
    for (position, subtask) in subtasks.iter().enumerate() {
        if let Some(task_id) = subtask.get("taskId").and_then(Value::as_i64)
            && task_id != id
        {
            out.push(Violation::new(
                format!("{prefix}/subtasks/{position}/taskId"),
                format!("expected {id} (the task's id), got {task_id}"),
            ));
        }
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
    let places = Places { prefix, dag: &dag };
    // With two subtasks of the same id every edge to it is ambiguous: stop at reporting that.
    if !check_unique_ids(&places, out) {
        return;
    }
    check_edges(subtasks, &places, out);
    if let Some((cycle, closing)) = dag.cycle() {
        let (position, side, entry) = closing.source;
        // Back to where it started, to read as a loop.
        let path: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&p| places.id_of(p))
            .collect();
        out.push(Violation::new(
            format!("{}/{}/{entry}", places.at(position), side.key()),
            format!("cycle: {}", path.join(" -> ")),
        ));
    }
    check_ends(subtasks, &places, out);
}

/// How violations about the DAG name a subtask: its pointer and its id.
struct Places<'a> {
    prefix: &'a str,
    dag: &'a Dag,
}

impl Places<'_> {
    fn at(&self, position: usize) -> String {
        format!("{}/subtasks/{position}", self.prefix)
    }

    fn id_of(&self, position: usize) -> String {
        self.dag.ids[position].map_or_else(String::new, |id| id.to_string())
    }
}

/// Reports every repeated id; true when there is none.
fn check_unique_ids(places: &Places<'_>, out: &mut Vec<Violation>) -> bool {
    let mut first: HashMap<i64, usize> = HashMap::new();
    let before = out.len();
    for (position, id) in places.dag.ids.iter().enumerate() {
        let Some(id) = *id else { continue };
        if let Some(&earlier) = first.get(&id) {
            out.push(Violation::new(
                format!("{}/id", places.at(position)),
                format!("duplicate id {id}, also at {}", places.at(earlier)),
            ));
        } else {
            first.insert(id, position);
        }
    }
    out.len() == before
}

/// Every edge leads to a subtask, and that subtask lists the edge back.
fn check_edges(subtasks: &[Value], places: &Places<'_>, out: &mut Vec<Violation>) {
    let dag = places.dag;
    for (position, subtask) in subtasks.iter().enumerate() {
        for side in [Side::Upstreams, Side::Downstreams] {
            for (entry, other) in dag::list(subtask, side).iter().enumerate() {
                let pointer = format!("{}/{}/{entry}", places.at(position), side.key());
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
                            places.at(target),
                            places.id_of(position),
                            side.mirror().key()
                        ),
                    ));
                }
            }
        }
    }
}

/// Exactly one entry (no upstreams) and one exit (no downstreams).
fn check_ends(subtasks: &[Value], places: &Places<'_>, out: &mut Vec<Violation>) {
    for (side, role) in [(Side::Upstreams, "entry"), (Side::Downstreams, "exit")] {
        let key = side.key();
        let ends: Vec<usize> = (0..subtasks.len())
            .filter(|&p| dag::list(&subtasks[p], side).is_empty())
            .collect();
        match ends.split_first() {
            None => out.push(Violation::new(
                format!("{}/subtasks", places.prefix),
                format!("no {role} subtask: every subtask has {key}"),
            )),
            Some((&one, others)) => {
                for &other in others {
                    out.push(Violation::new(
                        format!("{}/{key}", places.at(other)),
                        format!(
                            "more than one {role}: {} has no {key} either",
                            places.at(one)
                        ),
                    ));
                }
            }
        }
    }
}

/// The immediate answer of an asynchronous write describes the task as created: RUNNING, its
/// entry READY, every other subtask PENDING, nothing finished.
fn check_new_task(task: &Value, prefix: &str, out: &mut Vec<Violation>) {
    // A status OCP does not have is the schema's to report, not ours.
    if let Some(status) = task.get("status").and_then(Value::as_str)
        && let Ok(known) = status.parse::<TaskStatus>()
        && known != TaskStatus::Running
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
            && status.parse::<SubtaskStatus>().is_ok()
        {
            let (expected, role) = if upstreams.is_empty() {
                (SubtaskStatus::Ready.as_str(), "the entry")
            } else {
                (SubtaskStatus::Pending.as_str(), "a subtask after the entry")
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
