//! Creating a task of any documented kind: what every task-creating call shares once it has
//! checked its input (ids, the task's run, its place in the schedule and in retention).

use super::*;
use crate::mock::sim::effect::Effect;

/// What varies from one task to the next, whatever its kind.
#[derive(Debug, Clone)]
pub struct TaskSpec<'a> {
    /// Which documented task it follows.
    pub kind: TaskKind,
    /// Who is calling: the task's creator.
    pub creator: &'a Identity,
    /// When the call arrived: the task's creation.
    pub start_ms: i64,
    /// The subtask the task fails at (the `fail-at` scenario).
    pub fail_at: Option<String>,
    /// The OBProxy cluster it concerns (0 when none does yet).
    pub cluster_id: i64,
    /// That cluster's name (`stringMap.service_name` where the template has one).
    pub service_name: String,
    /// The servers it concerns, with their hosts (`listMap.obproxy_server_ids`, `host_ids`).
    pub servers: Vec<(i64, i64)>,
    /// Servers whose hosts are left alone (OCP 4.3.5's POST), recorded in the task.
    pub skip_host_servers: Vec<i64>,
    /// What it does once it succeeds.
    pub effect: Effect,
}

impl State {
    /// Creates a task of `spec.kind` with the next task id and fresh subtask ids, and starts it;
    /// returns what the answer is written from. The caller has checked everything: this cannot
    /// fail.
    pub fn create_task(
        &mut self,
        templates: &TaskTemplates,
        spec: TaskSpec<'_>,
    ) -> Arc<TaskOrigin> {
        let template = templates.of(spec.kind);
        let origin = Arc::new(TaskOrigin {
            task_id: self.next_task_id,
            first_subtask_id: self.next_subtask_id,
            created_ms: spec.start_ms,
            creator_id: spec.creator.id,
            creator: spec.creator.name.clone(),
            cluster_id: spec.cluster_id,
            service_name: spec.service_name,
            servers: spec.servers,
            kind: spec.kind,
            skip_host_servers: spec.skip_host_servers,
            effect: spec.effect,
        });
        self.next_task_id += 1;
        self.next_subtask_id += template.subtask_ids_needed();
        let task_id = origin.task_id;
        let run = TaskRun::new(template, origin.clone(), spec.fail_at.as_deref());
        self.tasks.insert(task_id, Box::new(run));
        self.running.insert(task_id);
        self.wake_at(task_id, spec.start_ms);
        self.evict();
        origin
    }
}
