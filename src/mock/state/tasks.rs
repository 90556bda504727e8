//! The task family's state beyond one task's query and retry: the task list, a task's
//! rollback, and the calls on one subtask (retry, skip, cancel, log).

use serde_json::json;

use super::*;
use crate::mock::paging::PageRequest;
use crate::mock::sim::progress::{BasicSkeleton, Refused};
use crate::ocp::error::{SUBTASK_SKIP_PROHIBITED, TASK_ROLLBACK_PROHIBITED};

/// Which tasks a task list shows: the documented filters of `GET /api/v2/tasks/instances`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    /// A keyword of the task's name, lowercased: a name holding it, in any case, matches.
    pub name: Option<String>,
    /// The statuses shown; empty shows all.
    pub statuses: Vec<TaskStatus>,
    /// The task's `type` (`MANUAL`, ...).
    pub task_type: Option<String>,
    /// Only tasks with a server on this host.
    pub host_id: Option<i64>,
    /// An OceanBase cluster or tenant was asked for (`clusterId`, `cluterName`, `tenantId`,
    /// `tenantName`): the mock's OBProxy tasks belong to none, so none matches.
    pub ob_scope: bool,
    /// Oldest first (`sort=id,asc`); newest first otherwise.
    pub ascending: bool,
}

impl TaskFilter {
    /// What the task's own progress decides: its status and its servers' hosts.
    fn admits_run(&self, run: &TaskRun) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&run.state))
            && self
                .host_id
                .is_none_or(|host| run.origin.servers.iter().any(|&(_, h)| h == host))
    }

    /// What every task of a template shares: its name and its type.
    fn admits_template(&self, template: &TaskTemplate) -> bool {
        let name = template.task_text("name").unwrap_or_default();
        !self.ob_scope
            && self
                .task_type
                .as_deref()
                .is_none_or(|t| template.task_text("type") == Some(t))
            && self
                .name
                .as_deref()
                .is_none_or(|k| name.to_lowercase().contains(k))
    }
}

/// A call on one subtask of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubtaskCall {
    /// Run a FAILED subtask again.
    Retry,
    /// Mark a FAILED subtask SUCCESSFUL and go on.
    Skip,
    /// Stop a RUNNING or READY subtask: FAILED.
    Cancel,
}

/// TSK10001 for a subtask that is not one of the task's.
fn subtask_not_found(subtask_id: i64) -> OcpError {
    OcpError::new(&TASK_NOT_FOUND, vec![subtask_id.to_string()]).with_target("subtaskInstanceId")
}

/// TSK10007 for an operation the status of a task or subtask does not allow.
fn state_conflict(id: i64, status: &str, why: &str) -> OcpError {
    OcpError::new(
        &TASK_STATE_CONFLICT,
        vec![id.to_string(), status.to_owned()],
    )
    .with_debug(why)
}

impl State {
    /// One page of the task list: every task is tested against the filter (no task is built
    /// for it), and only the page's tasks are written, in the list's short form, after the state
    /// lock is released.
    pub fn task_page(
        &self,
        templates: &TaskTemplates,
        executor: &str,
        filter: &TaskFilter,
        paging: PageRequest,
    ) -> Later {
        let mut kinds: Vec<(TaskKind, bool)> = Vec::new();
        let mut admits_kind = |kind: TaskKind| match kinds.iter().find(|(k, _)| *k == kind) {
            Some(&(_, ok)) => ok,
            None => {
                let ok = filter.admits_template(templates.of(kind));
                kinds.push((kind, ok));
                ok
            }
        };
        let runs: Box<dyn Iterator<Item = &TaskRun>> = if filter.ascending {
            Box::new(self.tasks.values().map(|t| &**t))
        } else {
            Box::new(self.tasks.values().rev().map(|t| &**t))
        };
        let (mut total, mut page) = (0, Vec::new());
        for run in runs {
            if filter.admits_run(run) && admits_kind(run.origin.kind) {
                if paging.holds(total) {
                    page.push(run);
                }
                total += 1;
            }
        }
        // Under the lock: the page's tasks copied, one skeleton per template; their JSON is
        // written after the lock is released.
        let mut skeletons: Vec<(TaskKind, BasicSkeleton)> = Vec::new();
        for run in &page {
            let kind = run.origin.kind;
            if !skeletons.iter().any(|(k, _)| *k == kind) {
                skeletons.push((kind, BasicSkeleton::of(run, templates.of(kind), executor)));
            }
        }
        let runs: Vec<TaskRun> = page.into_iter().cloned().collect();
        Later::new(256 + runs.len() * 2048, move |out| {
            let contents = runs
                .iter()
                .filter_map(|run| {
                    let kind = run.origin.kind;
                    let (_, skeleton) = skeletons.iter().find(|(k, _)| *k == kind)?;
                    Some(run.basic(skeleton))
                })
                .collect();
            // Writing JSON into a Vec cannot fail.
            let _ = serde_json::to_writer(out, &paging.answer(contents, total));
        })
    }

    /// Rolls back a FAILED task whose template allows it (TSK10009 when `prohibitRollback`,
    /// TSK10007 when not FAILED).
    pub fn rollback_task(
        &mut self,
        templates: &TaskTemplates,
        executor: &str,
        id: i64,
        now_ms: i64,
    ) -> Result<Value, OcpError> {
        let task = self.task_mut(id)?;
        let template = templates.of(task.origin.kind);
        if template.prohibit_rollback() {
            let args = vec![id.to_string(), task.state.as_str().to_owned()];
            return Err(OcpError::new(&TASK_ROLLBACK_PROHIBITED, args)
                .with_debug("the task's prohibitRollback is true"));
        }
        let before = task.render(template, executor);
        let subtasks = before["subtasks"].as_array().map_or(&[][..], Vec::as_slice);
        if let Some(kept) = subtasks
            .iter()
            .find(|s| s["status"] == "FAILED" && s["prohibitRollback"] == json!(true))
        {
            let args = vec![id.to_string(), task.state.as_str().to_owned()];
            return Err(
                OcpError::new(&TASK_ROLLBACK_PROHIBITED, args).with_debug(format!(
                    "failed subtask {} has prohibitRollback true",
                    kept["id"]
                )),
            );
        }
        task.rollback(now_ms).map_err(|state| {
            state_conflict(id, state.as_str(), "only a FAILED task can be rolled back")
        })?;
        let data = task.render(template, executor);
        self.settle(id);
        self.wake_at(id, now_ms);
        Ok(data)
    }

    /// Retries, skips or cancels one subtask of a task; answers the subtask as it stands after.
    pub fn subtask_call(
        &mut self,
        templates: &TaskTemplates,
        executor: &str,
        (task_id, subtask_id): (i64, i64),
        call: SubtaskCall,
        now_ms: i64,
    ) -> Result<Value, OcpError> {
        let task = self.task_mut(task_id)?;
        let template = templates.of(task.origin.kind);
        let data = task.render(template, executor);
        let i = task
            .subtask_index(&data, subtask_id)
            .ok_or_else(|| subtask_not_found(subtask_id))?;
        let refused = |why: &'static str| {
            move |Refused(status): Refused| state_conflict(subtask_id, status.as_str(), why)
        };
        match call {
            SubtaskCall::Retry => task
                .retry_subtask(i, now_ms)
                .map_err(refused("only a FAILED subtask can be retried"))?,
            SubtaskCall::Cancel => task
                .cancel_subtask(i, now_ms)
                .map_err(refused("only a RUNNING or READY subtask can be canceled"))?,
            SubtaskCall::Skip => {
                let subtask = &data["subtasks"][i];
                let skip_refused = |why: &str| {
                    let status = subtask["status"].as_str().unwrap_or_default().to_owned();
                    OcpError::new(
                        &SUBTASK_SKIP_PROHIBITED,
                        vec![subtask_id.to_string(), status],
                    )
                    .with_debug(why)
                };
                if subtask["prohibitSkip"] == json!(true) {
                    return Err(skip_refused("the subtask's prohibitSkip is true"));
                }
                task.skip_subtask(i, now_ms)
                    .map_err(|_| skip_refused("only a FAILED subtask can be skipped"))?
            }
        }
        let after = task.render(template, executor);
        self.settle(task_id);
        self.wake_at(task_id, now_ms);
        Ok(after["subtasks"][i].clone())
    }

    /// The log of one subtask of a task, as it stands.
    pub fn subtask_log(
        &self,
        templates: &TaskTemplates,
        executor: &str,
        task_id: i64,
        subtask_id: i64,
    ) -> Result<String, OcpError> {
        let task = self.tasks.get(&task_id).ok_or_else(|| {
            OcpError::new(&TASK_NOT_FOUND, vec![task_id.to_string()]).with_target("taskInstanceId")
        })?;
        let data = task.render(templates.of(task.origin.kind), executor);
        let i = task
            .subtask_index(&data, subtask_id)
            .ok_or_else(|| subtask_not_found(subtask_id))?;
        Ok(task.subtask_log(&data, i))
    }
}

#[cfg(test)]
mod tests;
