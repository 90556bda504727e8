//! Task information: the tasks OCP's asynchronous calls answer with, first of all the "Offline
//! obproxy" task of the Delete OBProxy call.
//!
//! A documented sample is the template. It is parsed once into [`TaskTemplate`]; each call
//! then fills in what varies (ids, time, creator, and where the sample's context names them,
//! servers, hosts, cluster name). Any documented single-task sample is a template
//! ([`TaskTemplates::add_documented`]); a kind ([`TaskKind`]) names one of the profile's. The DAG is the
//! example's, one lane whatever the number of servers, as every documented task has it: the
//! servers are named in `context.listMap`. With one server and the first ids the result is the
//! example itself.

//!
//! - [`parse`](self::parse): the example read into a template, once;
//! - [`layout`]: the subtasks of a task, with their edges;
//! - `write`: a new task built as JSON or written straight to bytes;
//! - [`status`]: OCP's task and subtask statuses;
//! - `registry`: the templates of a profile, and which documented call creates which task.

mod layout;
mod parse;
mod registry;
mod status;
mod write;

#[cfg(test)]
mod samples;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde_json::{Map, Value};

use write::Text;

pub use layout::{Layout, Slot};
pub use status::{SubtaskStatus, TaskStatus};

/// The task types OCP documents for the task list's `type` (`SYS_ONECE` spelt as OCP spells it).
pub const TASK_TYPES: &[&str] = &["MANUAL", "SYS_ONECE", "SCHEDULED", "SYS_SCHEDULED"];

/// The properties the task list's `sort` may name: each orders tasks as their ids do (a task's
/// creation and start come with its id).
pub const TASK_SORT_PROPERTIES: &[&str] = &["id", "createTime", "startTime"];

/// The documented answer to `DELETE /api/v2/obproxy/clusters/1/obproxies/2`, verbatim: the
/// template of every task the mock creates and what the checker compares a real answer with.
/// The crate embeds it here only.
pub const DOCUMENTED_EXAMPLE: &str = include_str!("../../../fixtures/delete-obproxy.json");

/// The DELETE's answer as OCP 4.3.5 documents it ("not recommended"): the seed's task, answered
/// by another server. The DELETE's template under `--ocp-version 4.3.5`.
pub const V4_3_5_DELETE_EXAMPLE: &str =
    include_str!("../../../fixtures/v4.3.5/delete-obproxy.json");

/// The documented answer to `POST /api/v2/obproxy/clusters/13153297/servers/delete` (OCP
/// 4.3.5): the "Delete obproxy server" task of 20 subtasks every such call follows.
pub const V4_3_5_SERVERS_DELETE_EXAMPLE: &str =
    include_str!("../../../fixtures/v4.3.5/delete-obproxy-servers.json");

/// Which documented task a task follows: an index into its profile's [`TaskTemplates`], so a
/// task query rebuilds the task from the template it was created from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TaskKind(usize);

impl TaskKind {
    /// "Offline obproxy", the DELETE's task.
    pub const OFFLINE_OBPROXY: Self = Self(0);
    /// "Delete obproxy server", the task of OCP 4.3.5's `POST .../servers/delete` (the DELETE's
    /// stands in under older profiles, which never create it).
    pub const DELETE_OBPROXY_SERVER: Self = Self(1);
}

pub use registry::TaskTemplates;

/// One subtask of the template, with its edges as indexes into the template's node list.
#[derive(Debug, Clone)]
struct Node {
    /// Every field but `id`, `upstreams` and `downstreams`.
    fields: Map<String, Value>,
    example_id: i64,
    upstreams: Vec<usize>,
    downstreams: Vec<usize>,
    /// What progress needs of the subtask, read once rather than looked up per task.
    facts: SubtaskFacts,
}

/// The fields of a template subtask that a running task needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtaskFacts {
    /// The subtask's `name`: what a `fail-at` scenario names.
    pub name: String,
    /// READY at creation (the entry), else PENDING.
    pub ready_at_start: bool,
    /// Its `runTime` at creation: executions so far, grown by a retry.
    pub run_time: i64,
}

/// What varies from one Delete OBProxy task to the next.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    /// The task's `id`.
    pub task_id: i64,
    /// The first of [`TaskTemplate::subtask_ids_needed`] fresh subtask ids.
    pub first_subtask_id: i64,
    /// Its `startTime`, on the mock's clock.
    pub start_ms: i64,
    /// Who asked (`creator`, a name in a write answer).
    pub creator: &'a str,
    /// The OCP node said to run it (`executor`).
    pub executor: &'a str,
    /// The servers being deleted, in request order, with the hosts they sit on.
    pub servers: &'a [(i64, i64)],
    /// The cluster's name (`stringMap.service_name`).
    pub service_name: &'a str,
}

/// The documented example, taken apart once so that building a task never re-parses it.
#[derive(Debug, Clone)]
pub struct TaskTemplate {
    /// Task-level fields that every task shares (`name`, `type`, `operation`, ...).
    task: Map<String, Value>,
    /// The example's `context`; OCP 4.3.5's POST answers without one.
    context: Option<Map<String, Value>>,
    nodes: Vec<Node>,
    first_id: i64,
    /// Subtask ids one task uses: from the smallest example id to the largest.
    span: i64,
    /// The task's `prohibitRollback`, as its `stringMap.prohibit_rollback` says.
    prohibit_rollback: bool,
    /// The documented task id: the first task the mock creates takes it.
    pub task_id: i64,
    /// The documented task `startTime`: where the fixed clock starts.
    pub start_ms: i64,
    /// The documented `timestamp` minus `startTime`: when the answer is stamped.
    pub respond_after_ms: i64,
    /// The documented `duration`.
    pub duration_ms: i64,
    /// The documented `traceId`, as a number: the default seed.
    pub trace_seed: u64,
    /// The documented `server`.
    pub server: String,
    /// The documented `executor`.
    pub executor: String,
    /// The documented `creator`.
    pub creator: String,
    text: Text,
    /// The subtasks and their edges, shared by every task.
    layout: Arc<Layout>,
}

/// Why the template could not be read (only reachable with a broken fixture).
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The text is not JSON.
    #[error("task template: not json: {0}")]
    Json(#[from] serde_json::Error),
    /// A field the template needs is absent.
    #[error("task template: missing {0}")]
    Missing(String),
    /// A field has the wrong type or form.
    #[error("task template: {key} is not {what}")]
    Not {
        /// The field, or what the value is (`a subtask`).
        key: String,
        /// What it should be (`an integer`).
        what: &'static str,
    },
    /// An edge names a subtask id the example does not have.
    #[error("task template: edge to unknown subtask {0}")]
    UnknownEdge(i64),
    /// The text with holes could not be made.
    #[error("task template: text with holes: {0}")]
    Holes(#[from] crate::ocp::holes::HolesError),
}

impl TaskTemplate {
    /// The names of the template's subtasks, for checking a `fail-at` scenario.
    pub fn subtask_names(&self) -> impl Iterator<Item = &str> {
        self.nodes
            .iter()
            .filter_map(|n| n.fields.get("name").and_then(Value::as_str))
    }

    /// The task's `name` (`Offline obproxy`, `Delete obproxy server`).
    pub fn name(&self) -> &str {
        self.task.get("name").and_then(Value::as_str).unwrap_or("")
    }

    /// The smallest subtask id of the example: where a fresh mock's subtask ids start.
    pub fn first_subtask_id(&self) -> i64 {
        self.first_id
    }

    /// How many fresh subtask ids a task takes: the example's span, whatever the number of
    /// servers (one lane).
    pub fn subtask_ids_needed(&self) -> i64 {
        self.span
    }

    /// The subtasks of every task, in the order they are listed, with their edges.
    pub fn layout(&self) -> Arc<Layout> {
        Arc::clone(&self.layout)
    }

    /// The task's `prohibitRollback` in a task query: the template's
    /// `stringMap.prohibit_rollback` ("false" in the example, as the documented task query has it).
    pub fn prohibit_rollback(&self) -> bool {
        self.prohibit_rollback
    }

    /// A task-level text every task of the template shares (`name`, `type`): what a task list
    /// filters on without building each task.
    pub fn task_text(&self, key: &str) -> Option<&str> {
        self.task.get(key).and_then(Value::as_str)
    }

    /// What a running task needs of a slot's subtask (its name, whether it starts READY, `runTime`).
    pub fn slot_facts(&self, slot: &Slot) -> Option<&SubtaskFacts> {
        self.nodes.get(slot.node).map(|n| &n.facts)
    }
}
