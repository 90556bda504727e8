//! A new task's `data`: built as a JSON tree (for progress to lay its statuses over) or
//! written straight to bytes from the template's precomputed text (for the DELETE answer).

use serde_json::{Map, Value, json};

use super::layout::Layout;
use super::{NewTask, Node, TaskTemplate, TemplateError};
use crate::ocp::holes::{Holes, hole, write_int, write_str};
use crate::ocp::time::{format_time, write_time};

const TASK_HOLES: [&str; 8] = [
    "id",
    "startTime",
    "creator",
    "executor",
    "obproxy_server_ids",
    "host_ids",
    "service_name",
    "subtasks",
];
const TASK_ID: usize = 0;
const TASK_START: usize = 1;
const TASK_CREATOR: usize = 2;
const TASK_EXECUTOR: usize = 3;
const TASK_SERVER_IDS: usize = 4;
const TASK_HOST_IDS: usize = 5;
const TASK_SERVICE_NAME: usize = 6;
const SUB_HOLES: [&str; 4] = ["id", "upstreams", "downstreams", "taskId"];
const SUB_ID: usize = 0;
const SUB_UPSTREAMS: usize = 1;
const SUB_DOWNSTREAMS: usize = 2;
/// OCP 4.3.5 names the task on each subtask (`taskId`); earlier versions do not.
const SUB_TASK_ID: usize = 3;

/// Sets `key` of a context map to what the task fills in, only where the template has it: a
/// documented task that does not name servers, hosts or a service keeps its context as written.
fn replace(map: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some(slot) = map.get_mut(key) {
        *slot = value;
    }
}

/// The hosts of the servers, each once, in server order.
fn hosts<'a>(t: &'a NewTask<'_>) -> impl Iterator<Item = i64> + 'a {
    t.servers
        .iter()
        .enumerate()
        .filter(|(i, (_, h))| !t.servers[..*i].iter().any(|(_, e)| e == h))
        .map(|(_, (_, h))| *h)
}

/// The ids of the slots at `edges`, counted from the task's first subtask id.
fn edge_ids<'a>(
    layout: &'a Layout,
    edges: &'a [usize],
    first: i64,
) -> impl Iterator<Item = i64> + 'a {
    edges.iter().map(move |&e| first + layout.slots[e].offset)
}

/// Writes ids as a JSON array of numbers: `[3,4]`.
fn write_ids(out: &mut Vec<u8>, ids: impl Iterator<Item = i64>) {
    out.push(b'[');
    for (i, id) in ids.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_int(out, id);
    }
    out.push(b']');
}

/// Writes ids as JSON strings (`["2"]`), as OCP's listMap holds them.
fn write_quoted_ids(out: &mut Vec<u8>, ids: impl Iterator<Item = i64>) {
    out.push(b'[');
    for (i, id) in ids.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        write_int(out, id);
        out.push(b'"');
    }
    out.push(b']');
}

impl TaskTemplate {
    /// Builds the task (`data`) of a new call, as it stands at creation.
    pub fn build(&self, t: &NewTask<'_>) -> Value {
        let layout = &self.layout;
        let first = t.first_subtask_id;
        let ids = |edges| edge_ids(layout, edges, first).collect::<Vec<_>>();
        let subtasks: Vec<Value> = layout
            .slots
            .iter()
            .map(|slot| {
                let mut s = self.nodes[slot.node].fields.clone();
                s.insert("id".into(), json!(first + slot.offset));
                s.insert("upstreams".into(), json!(ids(layout.upstreams(slot))));
                s.insert("downstreams".into(), json!(ids(layout.downstreams(slot))));
                if s.contains_key("taskId") {
                    s.insert("taskId".into(), json!(t.task_id));
                }
                Value::Object(s)
            })
            .collect();
        let server_ids: Vec<String> = t.servers.iter().map(|(s, _)| s.to_string()).collect();
        let host_ids: Vec<String> = hosts(t).map(|h| h.to_string()).collect();
        let mut task = self.task.clone();
        if let Some(mut context) = self.context.clone() {
            if let Some(Value::Object(list_map)) = context.get_mut("listMap") {
                replace(list_map, "obproxy_server_ids", json!(server_ids));
                replace(list_map, "host_ids", json!(host_ids));
            }
            if let Some(Value::Object(string_map)) = context.get_mut("stringMap") {
                replace(string_map, "service_name", json!(t.service_name));
            }
            task.insert("context".into(), Value::Object(context));
        }
        task.insert("id".into(), json!(t.task_id));
        task.insert("startTime".into(), json!(format_time(t.start_ms)));
        task.insert("creator".into(), json!(t.creator));
        task.insert("executor".into(), json!(t.executor));
        task.insert("subtasks".into(), Value::Array(subtasks));
        Value::Object(task)
    }

    /// About how many bytes [`TaskTemplate::write`] writes for `servers` servers: the fixed
    /// text, and room for each server's id and host id in `listMap`.
    pub fn size_hint(&self, servers: usize) -> usize {
        self.text.size + ID_ROOM * servers.saturating_sub(1)
    }

    /// Writes exactly the bytes `build(t).to_string()` gives, from the precomputed text.
    pub fn write(&self, t: &NewTask<'_>, out: &mut Vec<u8>) {
        let layout = &self.layout;
        self.text.task.write(out, |hole, out| match hole {
            TASK_ID => write_int(out, t.task_id),
            TASK_START => write_time(out, t.start_ms),
            TASK_CREATOR => write_str(out, t.creator),
            TASK_EXECUTOR => write_str(out, t.executor),
            TASK_SERVER_IDS => write_quoted_ids(out, t.servers.iter().map(|s| s.0)),
            TASK_HOST_IDS => write_quoted_ids(out, hosts(t)),
            TASK_SERVICE_NAME => write_str(out, t.service_name),
            _ => self.write_subtasks(out, layout, t.first_subtask_id, t.task_id),
        });
    }

    /// The `subtasks` array of a task laid out as `layout`, ids counted from `first`.
    fn write_subtasks(&self, out: &mut Vec<u8>, layout: &Layout, first: i64, task_id: i64) {
        out.push(b'[');
        for (i, slot) in layout.slots.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.text.subtasks[slot.node].write(out, |hole, out| match hole {
                SUB_ID => write_int(out, first + slot.offset),
                SUB_UPSTREAMS => write_ids(out, edge_ids(layout, layout.upstreams(slot), first)),
                SUB_DOWNSTREAMS => {
                    write_ids(out, edge_ids(layout, layout.downstreams(slot), first));
                }
                SUB_TASK_ID => write_int(out, task_id),
                _ => {}
            });
        }
        out.push(b']');
    }
}

/// The template serialised once, with holes where tasks differ.
#[derive(Debug, Clone)]
pub(super) struct Text {
    task: Holes,
    /// One per template node.
    subtasks: Vec<Holes>,
    /// About how many bytes a task over one server takes.
    size: usize,
}

/// Room for one more server in `listMap`: its id and its host's, quoted, with commas.
const ID_ROOM: usize = 48;

impl Text {
    /// Serialises the shared task fields and every node, with holes where a task differs.
    pub(super) fn new(
        task: &Map<String, Value>,
        context: Option<&Map<String, Value>>,
        nodes: &[Node],
    ) -> Result<Self, TemplateError> {
        let mut data = task.clone();
        for key in ["id", "startTime", "creator", "executor", "subtasks"] {
            data.insert(key.into(), hole(key));
        }
        if let Some(context) = context {
            let mut context = context.clone();
            if let Some(Value::Object(list_map)) = context.get_mut("listMap") {
                replace(list_map, "obproxy_server_ids", hole("obproxy_server_ids"));
                replace(list_map, "host_ids", hole("host_ids"));
            }
            if let Some(Value::Object(string_map)) = context.get_mut("stringMap") {
                replace(string_map, "service_name", hole("service_name"));
            }
            data.insert("context".into(), Value::Object(context));
        }
        let task = Holes::new(&Value::Object(data), &TASK_HOLES)?;
        let subtasks = nodes
            .iter()
            .map(|node| {
                let mut s = node.fields.clone();
                for key in SUB_HOLES {
                    if key != "taskId" || s.contains_key(key) {
                        s.insert(key.into(), hole(key));
                    }
                }
                Holes::new(&Value::Object(s), &SUB_HOLES)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let all: usize = subtasks.iter().map(Holes::fixed_len).sum();
        Ok(Self {
            size: task.fixed_len() + all + 512,
            task,
            subtasks,
        })
    }
}
