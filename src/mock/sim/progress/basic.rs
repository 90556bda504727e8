//! A task as OCP's task list shows it (BasicTaskInstance): its id, name, creator, status and
//! times, and each subtask's id, name, description, status and operation.
//!
//! A list page may hold 2000 tasks and is written under the state lock, so a listed task is not
//! built whole from its template: what every task of a template shares (names, descriptions,
//! where each subtask's id sits from the first) is taken once per page from one built task, and
//! each task adds only its own ids, statuses, operations and times.

use super::*;

/// What every task of one template shows in the list.
#[derive(Debug, Clone)]
pub struct BasicSkeleton {
    name: Value,
    /// Per subtask, in the listed order: description, name, the template's operation and the
    /// id's distance from the task's first subtask id.
    subtasks: Vec<(Value, Value, Value, i64)>,
}

impl BasicSkeleton {
    /// The shared part of the tasks of `template`, read from a fresh task like `run`.
    pub fn of(run: &TaskRun, template: &TaskTemplate, executor: &str) -> Self {
        let fresh = TaskRun::new(template, run.origin.clone(), None);
        let data = fresh.render(template, executor);
        let first = fresh.origin.first_subtask_id;
        let subtasks = data["subtasks"].as_array().map_or(&[][..], Vec::as_slice);
        Self {
            name: data["name"].clone(),
            subtasks: subtasks
                .iter()
                .map(|s| {
                    let offset = s["id"].as_i64().unwrap_or(first) - first;
                    let (d, n, o) = (&s["description"], &s["name"], &s["operation"]);
                    (d.clone(), n.clone(), o.clone(), offset)
                })
                .collect(),
        }
    }
}

impl TaskRun {
    /// This task as the task list shows it.
    pub fn basic(&self, skeleton: &BasicSkeleton) -> Value {
        let subtasks: Vec<Value> = skeleton
            .subtasks
            .iter()
            .zip(&self.nodes)
            .enumerate()
            .map(|(i, ((description, name, operation, offset), node))| {
                let operation = match self.op_of(i) {
                    Some(op) => json!(op.as_str()),
                    None if node.retried => json!("RETRY"),
                    None => operation.clone(),
                };
                json!({
                    "description": description,
                    "id": self.origin.first_subtask_id + offset,
                    "name": name,
                    "operation": operation,
                    "status": node.status.as_str(),
                })
            })
            .collect();
        let mut task = json!({
            "creator": {"id": self.origin.creator_id, "name": self.origin.creator},
            "id": self.origin.task_id,
            "name": skeleton.name,
            "startTime": format_time(self.origin.created_ms),
            "status": self.state.as_str(),
            "subtasks": subtasks,
        });
        if let Some(t) = self.finish_ms {
            task["finishTime"] = json!(format_time(t));
        }
        task
    }
}
