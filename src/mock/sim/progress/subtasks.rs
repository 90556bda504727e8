//! What a caller does to a task besides retrying it whole: retry, skip or cancel one subtask,
//! roll the task back, and read a subtask's log.
//!
//! OCP records each of these in `operation` (EXECUTE, RETRY, ROLLBACK, SKIP, CANCEL). The mock
//! keeps, per subtask, the operation applied and the execution (`runTime`) it applies to: a later
//! retry is a new execution, and shows RETRY again.
//!
//! A rollback, as OCP documents it, rolls back the task's failed subtasks: each runs once more
//! as a rollback (operation ROLLBACK, `runTime` one higher) and ends SUCCESSFUL; the subtasks
//! that succeeded or never ran stay as they are. While they run the task is RUNNING with
//! operation ROLLBACK; once they are done it is SUCCESSFUL with operation ROLLBACK (OCP has no
//! other task status), and its servers are back to RUNNING: the deletion was undone.

use super::*;

/// An operation OCP records on a subtask or a task, besides EXECUTE and RETRY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Run back: a failed subtask undoes what it did.
    Rollback,
    /// Marked SUCCESSFUL without running again.
    Skip,
    /// Stopped and marked FAILED.
    Cancel,
}

impl Operation {
    /// The operation as OCP writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rollback => "ROLLBACK",
            Self::Skip => "SKIP",
            Self::Cancel => "CANCEL",
        }
    }
}

/// The operations applied to a task's subtasks: a few entries, so a list.
#[derive(Debug, Clone, Default)]
pub struct Marks(Vec<Mark>);

/// One subtask's operation and the execution it applies to.
#[derive(Debug, Clone, Copy)]
struct Mark {
    node: usize,
    op: Operation,
    run_time: i64,
}

/// Why a subtask call is refused: the subtask's status does not allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(pub SubtaskStatus);

impl TaskRun {
    /// The index of subtask `subtask_id` in `data` (this task as rendered), if it is one of
    /// this task's.
    pub fn subtask_index(&self, data: &Value, subtask_id: i64) -> Option<usize> {
        let subtasks = data["subtasks"].as_array()?;
        subtasks
            .iter()
            .position(|s| s["id"].as_i64() == Some(subtask_id))
            .filter(|&i| i < self.nodes.len())
    }

    /// The operation applied to subtask `i` in its current execution, if any.
    pub(super) fn op_of(&self, i: usize) -> Option<Operation> {
        let run_time = self.nodes.get(i)?.run_time;
        let found = self.marks.0.iter().rev().find(|m| m.node == i)?;
        (found.run_time == run_time).then_some(found.op)
    }

    fn mark(&mut self, i: usize, op: Operation) {
        let run_time = self.nodes[i].run_time;
        self.marks.0.retain(|m| m.node != i);
        self.marks.0.push(Mark {
            node: i,
            op,
            run_time,
        });
    }

    /// Whether some subtask is being (or was) rolled back in its current execution.
    fn rolling_back(&self) -> bool {
        (0..self.nodes.len()).any(|i| self.op_of(i) == Some(Operation::Rollback))
    }

    /// Whether the task ended by a rollback: its servers are back, not gone.
    pub fn rolled_back(&self) -> bool {
        self.state == TaskStatus::Successful && self.rolling_back()
    }

    /// Lays the recorded operations over a rendered task.
    pub(super) fn overlay(&self, data: &mut Value) {
        if let Some(subtasks) = data["subtasks"].as_array_mut() {
            for (i, s) in subtasks.iter_mut().enumerate() {
                if let Some(op) = self.op_of(i) {
                    s["operation"] = json!(op.as_str());
                }
            }
        }
        if self.rolling_back() {
            data["operation"] = json!(Operation::Rollback.as_str());
        }
    }

    /// Runs subtask `i` once more, as a new execution: READY, `runTime` one higher.
    fn rerun(&mut self, i: usize, now_ms: i64) {
        self.set(i, SubtaskStatus::Ready, now_ms);
        let node = &mut self.nodes[i];
        node.run_time += 1;
        node.start_ms = None;
        node.finish_ms = None;
        self.resume(now_ms);
    }

    /// The task runs again from `now_ms`.
    fn resume(&mut self, now_ms: i64) {
        self.state = TaskStatus::Running;
        self.finish_ms = None;
        self.last_ms = self.last_ms.max(now_ms);
    }

    /// Ends subtask `i` if it is being rolled back: it succeeds without readying its
    /// downstreams, and the task succeeds once no rollback is left. Returns whether it was.
    pub(super) fn end_rollback(&mut self, i: usize, at: i64) -> bool {
        if self.op_of(i) != Some(Operation::Rollback) {
            return false;
        }
        self.set(i, SubtaskStatus::Successful, at);
        let left = (0..self.nodes.len()).any(|j| {
            self.op_of(j) == Some(Operation::Rollback) && !self.nodes[j].status.is_terminal()
        });
        if !left && self.state == TaskStatus::Running {
            self.state = TaskStatus::Successful;
            self.finish_ms = Some(at.saturating_add(TASK_CLOSE_MS));
        }
        true
    }

    /// Rolls back a FAILED task: its failed subtasks run once more as rollbacks. `Err` carries
    /// the task's status when it is not FAILED.
    pub fn rollback(&mut self, now_ms: i64) -> Result<(), TaskStatus> {
        if self.state != TaskStatus::Failed {
            return Err(self.state);
        }
        let failed: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].status == SubtaskStatus::Failed)
            .collect();
        for &i in &failed {
            self.rerun(i, now_ms);
            self.nodes[i].fails = false;
            self.mark(i, Operation::Rollback);
        }
        if failed.is_empty() {
            self.state = TaskStatus::Successful;
            self.finish_ms = Some(now_ms.saturating_add(TASK_CLOSE_MS));
        }
        Ok(())
    }

    /// Retries FAILED subtask `i`: it runs again (`runTime` one higher, operation RETRY) and
    /// the task with it.
    pub fn retry_subtask(&mut self, i: usize, now_ms: i64) -> Result<(), Refused> {
        let status = self.nodes[i].status;
        if status != SubtaskStatus::Failed {
            return Err(Refused(status));
        }
        self.rerun(i, now_ms);
        self.nodes[i].retried = true;
        self.retried = true;
        Ok(())
    }

    /// Skips FAILED subtask `i`: it is SUCCESSFUL (operation SKIP) and the task goes on past it.
    pub fn skip_subtask(&mut self, i: usize, now_ms: i64) -> Result<(), Refused> {
        let status = self.nodes[i].status;
        if status != SubtaskStatus::Failed {
            return Err(Refused(status));
        }
        self.resume(now_ms);
        self.marks.0.retain(|m| m.node != i);
        self.end(i, now_ms);
        self.mark(i, Operation::Skip);
        Ok(())
    }

    /// Cancels RUNNING or READY subtask `i`: it is FAILED (operation CANCEL), and so is the
    /// task; a retry or a skip resumes it.
    pub fn cancel_subtask(&mut self, i: usize, now_ms: i64) -> Result<(), Refused> {
        let status = self.nodes[i].status;
        if !matches!(status, SubtaskStatus::Running | SubtaskStatus::Ready) {
            return Err(Refused(status));
        }
        self.set(i, SubtaskStatus::Failed, now_ms);
        self.mark(i, Operation::Cancel);
        self.state = TaskStatus::Failed;
        self.finish_ms = Some(now_ms.saturating_add(TASK_CLOSE_MS));
        Ok(())
    }

    /// The log of subtask `i` of `data` (this task as rendered), in the layout of OCP's
    /// documented log: a banner with the operation and the time, then one line per event, the
    /// last one saying why the subtask stands where it does.
    pub fn subtask_log(&self, data: &Value, i: usize) -> String {
        let (s, node) = (&data["subtasks"][i], &self.nodes[i]);
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let (id, name, status) = (&s["id"], text(&s["name"]), node.status.as_str());
        let begun = format_time(node.start_ms.unwrap_or(node.since_ms));
        let op = text(&s["operation"]);
        let mut lines = vec![
            format!("############{{{op}}}{{{begun}}}############"),
            format!(
                "{begun}  INFO --- [subtask-executor] : Run subtask, id={id}, name={name}, \
                 task_instance_id={}, task_name={}, executor={}, runTime={}, status={status}",
                data["id"],
                text(&data["name"]),
                text(&data["executor"]),
                node.run_time,
            ),
        ];
        let ended = node.finish_ms.map(format_time).unwrap_or_default();
        let why = match (node.status, self.op_of(i)) {
            (SubtaskStatus::Failed, Some(Operation::Cancel)) => {
                format!(
                    "{ended} ERROR --- [subtask-executor] : TSK10014 The subtask execution is canceled."
                )
            }
            (SubtaskStatus::Failed, _) => format!(
                "{ended} ERROR --- [subtask-executor] : Subtask failed: the fail-at scenario \
                 (fail-at:{name}) makes it fail once; retry it, skip it or roll the task back"
            ),
            (SubtaskStatus::Successful, Some(Operation::Skip)) => {
                format!(
                    "{ended}  INFO --- [subtask-executor] : Skipped: marked SUCCESSFUL without running"
                )
            }
            (SubtaskStatus::Successful, Some(Operation::Rollback)) => {
                format!("{ended}  INFO --- [subtask-executor] : Rolled back")
            }
            (SubtaskStatus::Successful, _) => {
                format!("{ended}  INFO --- [subtask-executor] : Finished")
            }
            (SubtaskStatus::Pending, _) => {
                format!("{begun}  INFO --- [subtask-executor] : Waiting for its upstreams")
            }
            (_, _) => format!("{begun}  INFO --- [subtask-executor] : {status}"),
        };
        lines.push(why);
        if node.status.is_terminal() {
            lines.push(format!(
                "{ended}  INFO --- [subtask-executor] : Set state for subtask: {id}, current state: RUNNING, new state: {status}"
            ));
        }
        lines.join("\n") + "\n"
    }
}
