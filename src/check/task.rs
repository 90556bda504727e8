//! The destructive probe: delete OBProxy servers for real, then follow the task to its end.
//!
//! It runs only when asked twice (`--delete CLUSTER_ID:SERVER_IDS --allow-delete`). The DELETE
//! answer must be a new task (RUNNING, entry READY, the rest PENDING); every answer while polling
//! must pass the contract, and the task must only move forward: a finished task keeps its
//! status, and no subtask goes back (PENDING, READY, RUNNING, then SUCCESSFUL or FAILED).

use std::collections::HashMap;
use std::time::Instant;

use http::Method;
use serde_json::Value;

use super::probes::{Checker, Who};
use super::report::ProbeResult;
use super::{CheckError, DeleteTarget, names};
use crate::contract::{Expect, Violation};
use crate::ocp::task::{DOCUMENTED_EXAMPLE, SubtaskStatus, TaskStatus};

/// How far along a subtask status is (see [`SubtaskStatus::rank`]); `None` for a status OCP
/// does not document.
fn rank(status: &str) -> Option<u8> {
    status
        .parse::<SubtaskStatus>()
        .ok()
        .map(SubtaskStatus::rank)
}

/// Whether a subtask status is final: SUCCESSFUL or FAILED.
fn is_terminal(status: &str) -> bool {
    status
        .parse::<SubtaskStatus>()
        .is_ok_and(SubtaskStatus::is_terminal)
}

/// Whether a task status is final: SUCCESSFUL or FAILED (until a retry).
fn task_ended(status: &str) -> bool {
    status
        .parse::<TaskStatus>()
        .is_ok_and(TaskStatus::is_terminal)
}

/// The documented example, with the server ids the check deletes, so that a one-server delete
/// on the mock compares equal. The rest (cluster name, creator, hosts, ids) is the
/// deployment's, which is why the diff only informs.
pub(crate) fn documented_example(target: &DeleteTarget) -> Value {
    let mut example: Value = serde_json::from_str(DOCUMENTED_EXAMPLE)
        .expect("the documented example is JSON: the contract tests load it");
    let ids: Vec<Value> = target
        .server_ids
        .iter()
        .map(|id| Value::String(id.to_string()))
        .collect();
    if let Some(list) = example.pointer_mut("/data/context/listMap/obproxy_server_ids") {
        *list = Value::Array(ids);
    }
    example
}

impl Checker {
    /// `DELETE /api/v2/obproxy/clusters/{id}/obproxies/{ids}`: a new task, compared with the
    /// documented example.
    pub fn delete_obproxies(&self, target: &DeleteTarget) -> Result<ProbeResult, CheckError> {
        let mut probe = self.probe(
            names::DELETE_OBPROXIES,
            Method::DELETE,
            &target.path(),
            Who::Caller,
            200,
            Expect::NewTask,
        )?;
        probe.documented = Some(documented_example(target));
        Ok(probe)
    }

    /// Polls the task the delete created until it is SUCCESSFUL or FAILED, or the poll timeout.
    /// Stops at the first answer with violations: the next ones would only repeat them.
    pub fn task_progress(&self, delete: &ProbeResult) -> Result<ProbeResult, CheckError> {
        match created_task(delete) {
            Ok((task_id, created)) => self.follow(task_id, created),
            Err(why) => Ok(ProbeResult::skipped(
                names::TASK_PROGRESS,
                "GET /api/v2/tasks/instances/{taskId}",
                why,
            )),
        }
    }

    /// The polling loop: one probe per poll, until [`Checker::verdict`] ends it.
    fn follow(&self, task_id: i64, created: Value) -> Result<ProbeResult, CheckError> {
        let path = format!("/api/v2/tasks/instances/{task_id}");
        let started = Instant::now();
        let deadline = started
            .checked_add(self.options.poll_timeout)
            .unwrap_or(started);
        let mut previous = created;
        let mut polls = 0usize;
        loop {
            if polls > 0 {
                let left = deadline.saturating_duration_since(Instant::now());
                std::thread::sleep(self.options.poll_interval.min(left));
            }
            polls += 1;
            let mut probe = self.probe(
                names::TASK_PROGRESS,
                Method::GET,
                &path,
                Who::Caller,
                200,
                Expect::Any,
            )?;
            probe.elapsed = started.elapsed();
            let task = probe.body.as_ref().and_then(|b| b.get("data")).cloned();
            let mut found = probe.violations().to_vec();
            if let Some(task) = &task {
                moved_forward(&previous, task, task_id, polls, &mut found);
            }
            let poll = Poll {
                task_id,
                polls,
                deadline,
            };
            if self.verdict(&mut probe, task.as_ref(), found, &poll) {
                return Ok(probe);
            }
            if let Some(task) = task {
                previous = task;
            }
        }
    }

    /// Judges one poll; true when the polling ends there: violations, the task's end, or the
    /// poll timeout.
    fn verdict(
        &self,
        probe: &mut ProbeResult,
        task: Option<&Value>,
        found: Vec<Violation>,
        poll: &Poll,
    ) -> bool {
        let status = task
            .and_then(|t| t.get("status"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let polls = poll.polls;
        if !found.is_empty() {
            probe.notes.push(format!(
                "stopped at poll {polls}, the first answer with violations"
            ));
            probe.judge(found);
        } else if task_ended(status) {
            let task_id = poll.task_id;
            probe
                .notes
                .push(format!("task {task_id} ended {status} after {polls} polls"));
        } else if Instant::now() >= poll.deadline {
            probe.judge(vec![Violation::new(
                "/data/status",
                format!(
                    "still {status} after the poll timeout ({} ms, {polls} polls): raise --poll-timeout if the task is slow",
                    self.options.poll_timeout.as_millis()
                ),
            )]);
        } else {
            return false;
        }
        true
    }
}

/// Where the polling stands.
struct Poll {
    task_id: i64,
    /// Polls so far, this one included.
    polls: usize,
    deadline: Instant,
}

/// The task the delete answer created, with its id; why there is none to follow otherwise.
fn created_task(delete: &ProbeResult) -> Result<(i64, Value), &'static str> {
    let created = delete
        .body
        .as_ref()
        .and_then(|body| body.get("data"))
        .filter(|data| data.get("subtasks").is_some())
        .ok_or("the delete answer has no task to follow")?;
    let task_id = created
        .get("id")
        .and_then(Value::as_i64)
        .ok_or("the delete answer's task has no integer id")?;
    Ok((task_id, created.clone()))
}

/// Where an earlier state was seen: the DELETE answer is poll 0.
fn seen_at(poll: usize) -> String {
    if poll == 0 {
        "in the delete answer".to_owned()
    } else {
        format!("at poll {poll}")
    }
}

/// The two answers compared, as messages name them.
struct Seen {
    earlier: String,
    now: String,
}

/// Checks that `after` (poll `poll`) only moved forward from `before` (the previous answer).
/// Pointers are into the poll's envelope (`/data/...`).
pub(crate) fn moved_forward(
    before: &Value,
    after: &Value,
    task_id: i64,
    poll: usize,
    out: &mut Vec<Violation>,
) {
    let seen = Seen {
        earlier: seen_at(poll.saturating_sub(1)),
        now: seen_at(poll),
    };
    task_kept_its_id_and_end(before, after, task_id, &seen, out);
    let was = subtasks(before);
    let listed: Vec<Option<i64>> = after
        .get("subtasks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| s.get("id").and_then(Value::as_i64))
        .collect();
    no_subtask_went_back(&was, &listed, after, &seen, out);
    no_subtask_went_missing(&was, &listed, &seen, out);
}

/// The same task, and a finished task keeps its status.
fn task_kept_its_id_and_end(
    before: &Value,
    after: &Value,
    task_id: i64,
    seen: &Seen,
    out: &mut Vec<Violation>,
) {
    if let Some(id) = after.get("id").and_then(Value::as_i64)
        && id != task_id
    {
        out.push(Violation::new(
            "/data/id",
            format!("expected {task_id}, the task polled, got {id}"),
        ));
    }
    let status = |task: &Value| {
        task.get("status")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if let (Some(was), Some(is)) = (status(before), status(after))
        && task_ended(&was)
        && was != is
    {
        let Seen { earlier, now } = seen;
        out.push(Violation::new(
            "/data/status",
            format!("{was} {earlier}, {is} {now}: a finished task keeps its status"),
        ));
    }
}

/// Subtasks by id: (status, name).
fn subtasks(task: &Value) -> HashMap<i64, (String, String)> {
    let list = task.get("subtasks").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .filter_map(|s| {
            let id = s.get("id")?.as_i64()?;
            let status = s.get("status")?.as_str()?.to_owned();
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            Some((id, (status, name.to_owned())))
        })
        .collect()
}

/// Every subtask listed in `after` (ids at their positions) keeps or raises its status's rank,
/// and none leaves a finished state.
fn no_subtask_went_back(
    was: &HashMap<i64, (String, String)>,
    listed: &[Option<i64>],
    after: &Value,
    seen: &Seen,
    out: &mut Vec<Violation>,
) {
    let Seen { earlier, now } = seen;
    for (position, id) in listed.iter().enumerate() {
        let Some((id, (was_status, _))) = id.and_then(|id| Some((id, was.get(&id)?))) else {
            continue;
        };
        let is_status = after
            .pointer(&format!("/subtasks/{position}/status"))
            .and_then(Value::as_str);
        let Some(is_status) = is_status else { continue };
        let (Some(from), Some(to)) = (rank(was_status), rank(is_status)) else {
            continue;
        };
        let left_terminal = is_terminal(was_status) && was_status != is_status;
        if to < from || left_terminal {
            out.push(Violation::new(
                format!("/data/subtasks/{position}/status"),
                format!(
                    "subtask {id} went back: {was_status} {earlier}, {is_status} {now} \
                     (a subtask only moves forward: PENDING, READY, RUNNING, then SUCCESSFUL or FAILED)"
                ),
            ));
        }
    }
}

/// Every subtask seen earlier is still listed.
fn no_subtask_went_missing(
    was: &HashMap<i64, (String, String)>,
    listed: &[Option<i64>],
    seen: &Seen,
    out: &mut Vec<Violation>,
) {
    let mut gone: Vec<(&i64, &(String, String))> = was
        .iter()
        .filter(|(id, _)| !listed.contains(&Some(**id)))
        .collect();
    gone.sort();
    let Seen { earlier, now } = seen;
    for (id, (_, name)) in gone {
        out.push(Violation::new(
            "/data/subtasks",
            format!("subtask {id} ({name}) {earlier} is missing {now}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(status: &str, subtasks: &[(i64, &str)]) -> Value {
        let subtasks: Vec<Value> = subtasks
            .iter()
            .map(|(id, status)| json!({"id": id, "name": format!("step {id}"), "status": status}))
            .collect();
        json!({"id": 7, "status": status, "subtasks": subtasks})
    }

    fn pointers(before: &Value, after: &Value) -> Vec<String> {
        let mut out = Vec::new();
        moved_forward(before, after, 7, 2, &mut out);
        out.into_iter().map(|v| v.pointer).collect()
    }

    #[test]
    fn a_task_moving_forward_passes() {
        let before = task(
            "RUNNING",
            &[(1, "SUCCESSFUL"), (2, "RUNNING"), (3, "PENDING")],
        );
        let after = task(
            "RUNNING",
            &[(2, "SUCCESSFUL"), (1, "SUCCESSFUL"), (3, "READY")],
        );
        assert!(pointers(&before, &after).is_empty());
    }

    #[test]
    fn a_subtask_leaving_a_finished_state_or_running_backwards_is_pointed_at() {
        let before = task(
            "RUNNING",
            &[(1, "SUCCESSFUL"), (2, "RUNNING"), (3, "FAILED")],
        );
        let after = task(
            "RUNNING",
            &[(1, "RUNNING"), (2, "READY"), (3, "SUCCESSFUL")],
        );
        assert_eq!(
            pointers(&before, &after),
            [
                "/data/subtasks/0/status",
                "/data/subtasks/1/status",
                "/data/subtasks/2/status"
            ]
        );
    }

    #[test]
    fn a_finished_task_that_runs_again_or_loses_a_subtask_is_reported() {
        let before = task("SUCCESSFUL", &[(1, "SUCCESSFUL"), (2, "SUCCESSFUL")]);
        let after = task("RUNNING", &[(1, "SUCCESSFUL")]);
        assert_eq!(
            pointers(&before, &after),
            ["/data/status", "/data/subtasks"]
        );
    }
}
