//! How a task moves through its DAG after it was created, as OCP's task query shows it.
//!
//! A subtask runs only once all its upstreams succeeded: PENDING -> READY -> RUNNING ->
//! SUCCESSFUL (or FAILED). The task is SUCCESSFUL when its exit subtask is, FAILED as soon as a
//! subtask fails. The pace is a setting: a number of steps per query (deterministic whatever the
//! wall clock) or a duration per subtask on the mock's clock.
//!
//! Times follow OCP's documented task query: `createTime` in whole seconds, before `startTime`;
//! every subtask runs for a while (its `startTime` before its `finishTime`); the task's
//! `finishTime` comes after its last subtask's.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::mock::sim::effect::Effect;
use crate::ocp::task::{Layout, NewTask, SubtaskStatus, TaskKind, TaskStatus, TaskTemplate};
use crate::ocp::time::{format_seconds, format_time};

/// How fast tasks progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskPace {
    /// Each query of a task advances it by this many steps, spread evenly over the time since
    /// the previous step.
    Polls(u32),
    /// Each subtask runs for this many milliseconds of the mock's clock (at least 1).
    Time(i64),
}

/// The most steps one query may take: more than any task needs.
pub const MAX_STEPS: u32 = 1000;

/// The longest a subtask may run with the time pace: a day.
pub const MAX_SUBTASK_MS: i64 = 86_400_000;

/// An odd number of steps per query, so that a poller sees a subtask RUNNING at one poll and
/// one READY at the next (an even number always stops between two subtasks, READY), and the
/// documented chain of 16 steps ends at the fourth poll.
impl Default for TaskPace {
    fn default() -> Self {
        Self::Polls(5)
    }
}

/// How long after its exit subtask a task is closed: OCP's `finishTime` of the task comes after
/// its last subtask's.
pub const TASK_CLOSE_MS: i64 = 1;

/// A `--task-pace` value that is not `polls:N` or `time:MS` within bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not polls:N or time:MS (N from 1 to {MAX_STEPS}, MS from 0 to {MAX_SUBTASK_MS})")]
pub struct BadPace(pub String);

impl std::str::FromStr for TaskPace {
    type Err = BadPace;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadPace(s.to_owned());
        match s.split_once(':') {
            Some(("polls", n)) => match n.parse::<u32>() {
                Ok(n) if (1..=MAX_STEPS).contains(&n) => Ok(Self::Polls(n)),
                _ => Err(bad()),
            },
            Some(("time", ms)) => match ms.parse::<i64>() {
                Ok(ms) if (0..=MAX_SUBTASK_MS).contains(&ms) => Ok(Self::Time(ms)),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }
}

#[derive(Debug, Clone)]
struct Node {
    status: SubtaskStatus,
    /// When the subtask became READY or started RUNNING: the time pace counts from it.
    since_ms: i64,
    start_ms: Option<i64>,
    finish_ms: Option<i64>,
    /// It has run at least once: OCP names its `executor` from then on.
    started: bool,
    /// Executions so far (`runTime`): 1 at creation, one more per retry.
    run_time: i64,
    retried: bool,
    /// This subtask fails the next time it would succeed (the `fail-at` scenario, once).
    fails: bool,
}

/// What a task was created from: enough to build its `data` again from the template, so a
/// kept task costs a few hundred bytes rather than its whole JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskOrigin {
    /// The task's id.
    pub task_id: i64,
    /// Its first subtask id; the others follow.
    pub first_subtask_id: i64,
    /// When it was created, on the mock's clock (`createTime`, `startTime`).
    pub created_ms: i64,
    /// The id of who asked (`creator.id` in a task query).
    pub creator_id: i64,
    /// The name of who asked.
    pub creator: String,
    /// The OBProxy cluster its servers belong to.
    pub cluster_id: i64,
    /// The cluster's name (`stringMap.service_name`).
    pub service_name: String,
    /// The servers it deletes, with their hosts.
    pub servers: Vec<(i64, i64)>,
    /// Which documented task it follows.
    pub kind: TaskKind,
    /// The servers whose hosts are left as they are (`skipHostOperationServerIds` of OCP 4.3.5's
    /// POST): a subset of `servers`, in request order.
    pub skip_host_servers: Vec<i64>,
    /// What it does once it succeeds.
    pub effect: Effect,
}

/// A task after creation, moving through its DAG.
#[derive(Debug, Clone)]
pub struct TaskRun {
    /// What it was created from, shared with the answer that announced it and with the effect
    /// applied once it succeeds (no copy of its strings and lists per request).
    pub origin: Arc<TaskOrigin>,
    /// Where it stands.
    pub state: TaskStatus,
    finish_ms: Option<i64>,
    /// The instant of the latest step (creation, a step, a retry): the polls pace spreads the
    /// steps of a query over the time since.
    last_ms: i64,
    retried: bool,
    nodes: Vec<Node>,
    /// The subtasks' DAG, node i being slot i (shared with every task).
    layout: Arc<Layout>,
    exit: usize,
    /// Operations applied to single subtasks and rollbacks (`subtasks`).
    marks: Marks,
}

impl TaskRun {
    /// Starts following a task just built from `template` for `origin`; `fail_at` names the
    /// subtask (case-insensitively) it fails at once.
    pub fn new(template: &TaskTemplate, origin: Arc<TaskOrigin>, fail_at: Option<&str>) -> Self {
        let layout = template.layout();
        let nodes: Vec<Node> = layout
            .slots
            .iter()
            .map(|slot| {
                let facts = template.slot_facts(slot);
                Node {
                    status: if facts.is_some_and(|f| f.ready_at_start) {
                        SubtaskStatus::Ready
                    } else {
                        SubtaskStatus::Pending
                    },
                    since_ms: origin.created_ms,
                    start_ms: None,
                    finish_ms: None,
                    started: false,
                    run_time: facts.map_or(1, |f| f.run_time),
                    retried: false,
                    fails: fail_at.is_some_and(|name| {
                        facts.is_some_and(|f| f.name.eq_ignore_ascii_case(name))
                    }),
                }
            })
            .collect();
        let exit = layout
            .slots
            .iter()
            .position(|s| layout.downstreams(s).is_empty())
            .unwrap_or(0);
        Self {
            last_ms: origin.created_ms,
            origin,
            state: TaskStatus::Running,
            finish_ms: None,
            retried: false,
            nodes,
            layout,
            exit,
            marks: Marks::default(),
        }
    }

    /// The task as `GET /api/v2/tasks/instances/{id}` shows it: built again from the template,
    /// with the progress laid over it (`creator` as `{id, name}`, `createTime`,
    /// `prohibitRollback`, times, statuses, the `executor` of every subtask that ran).
    pub fn render(&self, template: &TaskTemplate, executor: &str) -> Value {
        let mut data = template.build(&self.origin.new_task(executor));
        let created = json!(create_time(self.origin.created_ms));
        if let Some(subtasks) = data["subtasks"].as_array_mut() {
            for (s, node) in subtasks.iter_mut().zip(&self.nodes) {
                let Some(s) = s.as_object_mut() else { continue };
                s.insert("status".into(), json!(node.status.as_str()));
                s.insert("createTime".into(), created.clone());
                s.insert("runTime".into(), json!(node.run_time));
                if node.started {
                    s.insert("executor".into(), json!(executor));
                }
                if node.retried {
                    s.insert("operation".into(), json!("RETRY"));
                }
                if let Some(t) = node.start_ms {
                    s.insert("startTime".into(), json!(format_time(t)));
                }
                if let Some(t) = node.finish_ms {
                    s.insert("finishTime".into(), json!(format_time(t)));
                }
            }
        }
        data["status"] = json!(self.state.as_str());
        data["creator"] = json!({"id": self.origin.creator_id, "name": self.origin.creator});
        data["createTime"] = created;
        data["prohibitRollback"] = json!(template.prohibit_rollback());
        if self.retried {
            data["operation"] = json!("RETRY");
        }
        if let Some(t) = self.finish_ms {
            data["finishTime"] = json!(format_time(t));
        }
        self.overlay(&mut data);
        if self.origin.kind == TaskKind::DELETE_OBPROXY_SERVER {
            self.tag(&mut data);
        }
        data
    }

    /// What OCP 4.3.5 adds to a task query (its task pages): `tags`, one InstanceFullTag per
    /// server named with its cluster and host (`deleted` once the task removed it), and
    /// `isRemote`. The POST's own answer has neither, as its documented example shows.
    fn tag(&self, data: &mut Value) {
        let deleted = self.state == TaskStatus::Successful;
        let tags: Vec<Value> = self
            .origin
            .servers
            .iter()
            .map(|&(server, host)| {
                json!({
                    "obproxyClusterId": self.origin.cluster_id,
                    "obproxyClusterName": self.origin.service_name,
                    "obproxyServerId": server,
                    "hostId": host,
                    "deleted": deleted,
                })
            })
            .collect();
        data["tags"] = Value::Array(tags);
        data["isRemote"] = json!(false);
    }

    fn set(&mut self, i: usize, status: SubtaskStatus, now_ms: i64) {
        let node = &mut self.nodes[i];
        node.status = status;
        node.since_ms = now_ms;
        match status {
            SubtaskStatus::Running => {
                node.start_ms = Some(now_ms);
                node.finish_ms = None;
                node.started = true;
            }
            SubtaskStatus::Failed | SubtaskStatus::Successful => node.finish_ms = Some(now_ms),
            SubtaskStatus::Pending | SubtaskStatus::Ready | SubtaskStatus::Canceling => {}
        }
    }

    /// Ends running subtask `i` at `at`: it fails if told to, else succeeds and readies those of
    /// its downstreams whose upstreams have all succeeded.
    fn end(&mut self, i: usize, at: i64) {
        if self.end_rollback(i, at) {
            return;
        }
        if std::mem::take(&mut self.nodes[i].fails) {
            self.set(i, SubtaskStatus::Failed, at);
            self.state = TaskStatus::Failed;
            self.finish_ms = Some(at.saturating_add(TASK_CLOSE_MS));
            return;
        }
        self.set(i, SubtaskStatus::Successful, at);
        let layout = Arc::clone(&self.layout);
        for &d in layout.downstreams(&layout.slots[i]) {
            let ready = self.nodes[d].status == SubtaskStatus::Pending
                && layout
                    .upstreams(&layout.slots[d])
                    .iter()
                    .all(|&u| self.nodes[u].status == SubtaskStatus::Successful);
            if ready {
                self.set(d, SubtaskStatus::Ready, at);
            }
        }
        if i == self.exit && self.state == TaskStatus::Running {
            self.state = TaskStatus::Successful;
            self.finish_ms = Some(at.saturating_add(TASK_CLOSE_MS));
        }
    }

    /// A query under the polls pace: `steps` steps, spread evenly over the time from the latest
    /// step to `now_ms`, each at least 1 ms after the one before, so that a subtask's
    /// `startTime` comes before its `finishTime` whatever the clock.
    pub fn poll(&mut self, steps: u32, now_ms: i64) {
        let from = self.last_ms;
        let span = i128::from(now_ms.saturating_sub(from).max(0));
        let steps = i128::from(steps.max(1));
        for i in 1..=steps {
            if self.state != TaskStatus::Running {
                break;
            }
            let spread = i64::try_from(span * i / steps).unwrap_or(i64::MAX);
            let at = from
                .saturating_add(spread)
                .max(self.last_ms.saturating_add(1));
            self.step(at);
            self.last_ms = at;
        }
    }

    /// One step: running subtasks end, ready ones start, pending ones whose upstreams are done
    /// become ready.
    pub fn step(&mut self, now_ms: i64) {
        if self.state != TaskStatus::Running {
            return;
        }
        let before: Vec<SubtaskStatus> = self.nodes.iter().map(|n| n.status).collect();
        for (i, status) in before.iter().enumerate() {
            match status {
                SubtaskStatus::Running => self.end(i, now_ms),
                SubtaskStatus::Ready => self.set(i, SubtaskStatus::Running, now_ms),
                _ => {}
            }
        }
    }

    /// Runs the task on the mock's clock up to `now_ms`, each subtask taking `per_subtask_ms`
    /// (at least 1 ms: a subtask's `startTime` comes before its `finishTime`). Returns when the
    /// task next changes, while it runs: nothing about it changes before then.
    pub fn advance_to(&mut self, now_ms: i64, per_subtask_ms: i64) -> Option<i64> {
        let per_subtask_ms = per_subtask_ms.max(1);
        while self.state == TaskStatus::Running {
            let mut next: Option<i64> = None;
            for i in 0..self.nodes.len() {
                let node = &self.nodes[i];
                if node.status == SubtaskStatus::Ready && node.since_ms <= now_ms {
                    let since = node.since_ms;
                    self.set(i, SubtaskStatus::Running, since);
                }
                let node = &self.nodes[i];
                if node.status == SubtaskStatus::Running {
                    let due = node.since_ms.saturating_add(per_subtask_ms);
                    next = Some(next.map_or(due, |n: i64| n.min(due)));
                }
            }
            let Some(at) = next.filter(|&at| at <= now_ms) else {
                // Nothing running yet nothing finished: look again at the next request.
                return Some(next.unwrap_or(now_ms));
            };
            for i in 0..self.nodes.len() {
                let node = &self.nodes[i];
                if self.state == TaskStatus::Running
                    && node.status == SubtaskStatus::Running
                    && node.since_ms.saturating_add(per_subtask_ms) == at
                {
                    self.end(i, at);
                }
            }
        }
        None
    }

    /// Resumes a FAILED task from its failed subtasks: they run again (`runTime` grows).
    /// `Err` carries the state that does not allow a retry.
    pub fn retry(&mut self, now_ms: i64) -> Result<(), TaskStatus> {
        if self.state != TaskStatus::Failed {
            return Err(self.state);
        }
        for i in 0..self.nodes.len() {
            if self.nodes[i].status == SubtaskStatus::Failed {
                self.set(i, SubtaskStatus::Ready, now_ms);
                let node = &mut self.nodes[i];
                node.run_time += 1;
                node.retried = true;
                node.start_ms = None;
                node.finish_ms = None;
            }
        }
        self.state = TaskStatus::Running;
        self.retried = true;
        self.finish_ms = None;
        self.last_ms = self.last_ms.max(now_ms);
        Ok(())
    }
}

/// A task's `createTime` as OCP writes it, in whole seconds (`2021-08-25T15:09:31+08:00` in the
/// documented task query): the last whole second before the task started, so that it reads
/// earlier than `startTime`.
pub fn create_time(start_ms: i64) -> String {
    format_seconds(start_ms.saturating_sub(1))
}

impl TaskOrigin {
    /// What the template needs to write this task.
    pub fn new_task<'a>(&'a self, executor: &'a str) -> NewTask<'a> {
        NewTask {
            task_id: self.task_id,
            first_subtask_id: self.first_subtask_id,
            start_ms: self.created_ms,
            creator: &self.creator,
            executor,
            servers: &self.servers,
            service_name: &self.service_name,
        }
    }
}

mod basic;
mod subtasks;

pub use basic::BasicSkeleton;
use subtasks::Marks;
pub use subtasks::Refused;

#[cfg(test)]
mod tests;
