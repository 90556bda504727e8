//! Reading the documented example into a [`TaskTemplate`]: once, when the mock starts.

use std::sync::{Arc, LazyLock};

use serde_json::{Map, Value};

use super::layout::Layout;
use super::write::Text;
use super::{Node, SubtaskFacts, SubtaskStatus, TaskTemplate, TemplateError};
use crate::ocp::time::parse_time;

fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a Value, TemplateError> {
    obj.get(key)
        .ok_or_else(|| TemplateError::Missing(key.to_owned()))
}

fn not(key: &str, what: &'static str) -> TemplateError {
    TemplateError::Not {
        key: key.to_owned(),
        what,
    }
}

fn int(obj: &Map<String, Value>, key: &str) -> Result<i64, TemplateError> {
    field(obj, key)?
        .as_i64()
        .ok_or_else(|| not(key, "an integer"))
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, TemplateError> {
    field(obj, key)?
        .as_str()
        .ok_or_else(|| not(key, "a string"))
}

fn time(obj: &Map<String, Value>, key: &str) -> Result<i64, TemplateError> {
    parse_time(text(obj, key)?).ok_or_else(|| not(key, "a time"))
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, TemplateError> {
    v.as_object().ok_or_else(|| not(what, "an object"))
}

/// The task-level fields every task shares: `data` without what varies or is rebuilt.
fn shared_fields(data: &Map<String, Value>) -> Map<String, Value> {
    let mut task = data.clone();
    for key in [
        "subtasks",
        "id",
        "startTime",
        "executor",
        "creator",
        "context",
    ] {
        task.remove(key);
    }
    task
}

/// Each documented example, taken apart once per process: settings, mocks and checks made
/// later copy it instead of parsing it again.
static DOCUMENTED: LazyLock<TaskTemplate> = LazyLock::new(|| {
    TaskTemplate::parse(super::DOCUMENTED_EXAMPLE)
        .expect("the documented example is checked by a unit test")
});
static V4_3_5_DELETE: LazyLock<TaskTemplate> = LazyLock::new(|| {
    TaskTemplate::parse(super::V4_3_5_DELETE_EXAMPLE)
        .expect("the 4.3.5 DELETE example is checked by a unit test")
});
static V4_3_5_SERVERS_DELETE: LazyLock<TaskTemplate> = LazyLock::new(|| {
    TaskTemplate::parse(super::V4_3_5_SERVERS_DELETE_EXAMPLE)
        .expect("the 4.3.5 POST example is checked by a unit test")
});

impl TaskTemplate {
    /// The template of the documented example.
    pub fn documented() -> Self {
        DOCUMENTED.clone()
    }

    /// The DELETE's template as OCP 4.3.5 documents it.
    pub fn v4_3_5_delete() -> Self {
        V4_3_5_DELETE.clone()
    }

    /// The template of OCP 4.3.5's `POST .../servers/delete`.
    pub fn v4_3_5_servers_delete() -> Self {
        V4_3_5_SERVERS_DELETE.clone()
    }

    /// Reads a success envelope whose `data` is a task, as the documented example is, or a
    /// page of tasks (`data.contents`, as OCP's batch calls answer), whose first task it takes.
    ///
    /// Any documented task sample is accepted: a write's answer (the task at creation) as it
    /// is, and a task query's (`creator` as `{id, name}`, subtasks under way or done) turned
    /// back into the task at creation: entry subtasks READY, the others PENDING, no times of a
    /// run.
    pub fn parse(envelope_text: &str) -> Result<Self, TemplateError> {
        let envelope: Value = serde_json::from_str(envelope_text)?;
        let envelope = object(&envelope, "the envelope")?;
        let data = task_of(object(field(envelope, "data")?, "data")?)?;
        let subtasks = field(data, "subtasks")?
            .as_array()
            .ok_or_else(|| not("subtasks", "an array"))?;
        let nodes = read_nodes(subtasks)?;
        let at_creation = nodes.iter().any(|n| n.facts.ready_at_start)
            && nodes.iter().all(|n| is_creation_status(&n.fields));
        let first_id = nodes.iter().map(|n| n.example_id).min().unwrap_or(0);
        let last_id = nodes.iter().map(|n| n.example_id).max().unwrap_or(0);
        let start_ms = time(data, "startTime")?;
        let trace_seed = u64::from_str_radix(text(envelope, "traceId")?, 16)
            .map_err(|_| not("traceId", "hex"))?;
        let context = match data.get("context") {
            Some(c) => Some(object(c, "context")?.clone()),
            None => None,
        };
        let prohibit_rollback = match &context {
            Some(context) => {
                context
                    .get("stringMap")
                    .and_then(|m| m.get("prohibit_rollback"))
                    .and_then(Value::as_str)
                    == Some("true")
            }
            None => data.get("prohibitRollback").and_then(Value::as_bool) == Some(true),
        };
        let mut task = shared_fields(data);
        let nodes = if at_creation {
            nodes
        } else {
            for key in ["createTime", "finishTime"] {
                task.remove(key);
            }
            task.insert("status".into(), Value::from("RUNNING"));
            nodes.into_iter().map(Node::at_creation).collect()
        };
        Ok(Self {
            layout: Arc::new(Layout::new(&nodes, first_id)),
            text: Text::new(&task, context.as_ref(), &nodes)?,
            task,
            context,
            first_id,
            span: last_id - first_id + 1,
            prohibit_rollback,
            nodes,
            task_id: int(data, "id")?,
            start_ms,
            respond_after_ms: time(envelope, "timestamp")? - start_ms,
            duration_ms: int(envelope, "duration")?,
            trace_seed,
            server: text(envelope, "server")?.to_owned(),
            executor: text(data, "executor")?.to_owned(),
            creator: creator(data)?,
        })
    }
}

/// The task of `data`: itself, or the first of a page's `contents`.
fn task_of(data: &Map<String, Value>) -> Result<&Map<String, Value>, TemplateError> {
    if data.contains_key("subtasks") {
        return Ok(data);
    }
    let contents = field(data, "contents")?
        .as_array()
        .ok_or_else(|| not("contents", "an array"))?;
    object(
        contents
            .first()
            .ok_or_else(|| TemplateError::Missing("contents/0".into()))?,
        "contents/0",
    )
}

/// The task's `creator`: a name in a write's answer, `{id, name}` in a task query's.
fn creator(data: &Map<String, Value>) -> Result<String, TemplateError> {
    match field(data, "creator")? {
        Value::String(name) => Ok(name.clone()),
        Value::Object(c) => Ok(text(c, "name")?.to_owned()),
        _ => Err(not("creator", "a name")),
    }
}

/// A subtask as a task at creation shows it: READY or PENDING.
fn is_creation_status(fields: &Map<String, Value>) -> bool {
    matches!(
        fields.get("status").and_then(Value::as_str),
        Some("READY" | "PENDING")
    )
}

impl Node {
    /// The subtask as it stands when its task is created: READY if it has no upstreams, else
    /// PENDING, with no trace of a run (times, executor, retries).
    fn at_creation(mut self) -> Self {
        let ready = self.upstreams.is_empty();
        let status = if ready { "READY" } else { "PENDING" };
        self.fields.insert("status".into(), Value::from(status));
        for key in ["startTime", "finishTime", "createTime", "executor"] {
            self.fields.remove(key);
        }
        for (key, value) in [("runTime", Value::from(1)), ("operation", "EXECUTE".into())] {
            if self.fields.contains_key(key) {
                self.fields.insert(key.into(), value);
            }
        }
        self.facts = facts(&self.fields);
        self
    }
}

/// One subtask of the example as written, before its edges are resolved to node indexes.
struct RawSubtask<'a> {
    id: i64,
    upstreams: Vec<i64>,
    downstreams: Vec<i64>,
    object: &'a Map<String, Value>,
}

impl<'a> RawSubtask<'a> {
    fn read(s: &'a Value) -> Result<Self, TemplateError> {
        let object = object(s, "a subtask")?;
        let ids = |key| -> Result<Vec<i64>, TemplateError> {
            field(object, key)?
                .as_array()
                .and_then(|a| a.iter().map(Value::as_i64).collect())
                .ok_or_else(|| not(key, "a list of ids"))
        };
        Ok(Self {
            id: int(object, "id")?,
            upstreams: ids("upstreams")?,
            downstreams: ids("downstreams")?,
            object,
        })
    }

    /// Every field but those a task fills in itself.
    fn fields(&self) -> Map<String, Value> {
        let mut fields = self.object.clone();
        for key in ["id", "upstreams", "downstreams"] {
            fields.remove(key);
        }
        fields
    }
}

/// What progress needs of a subtask, read once.
fn facts(fields: &Map<String, Value>) -> SubtaskFacts {
    let status = fields.get("status").and_then(Value::as_str);
    SubtaskFacts {
        name: fields
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        ready_at_start: status.and_then(|s| s.parse().ok()) == Some(SubtaskStatus::Ready),
        run_time: fields.get("runTime").and_then(Value::as_i64).unwrap_or(1),
    }
}

/// The example's subtasks as nodes, edges resolved to positions in the list.
fn read_nodes(subtasks: &[Value]) -> Result<Vec<Node>, TemplateError> {
    let raw = subtasks
        .iter()
        .map(RawSubtask::read)
        .collect::<Result<Vec<_>, _>>()?;
    let edges = |ids: &[i64]| -> Result<Vec<usize>, TemplateError> {
        ids.iter()
            .map(|&id| {
                raw.iter()
                    .position(|r| r.id == id)
                    .ok_or(TemplateError::UnknownEdge(id))
            })
            .collect()
    };
    raw.iter()
        .map(|r| {
            let fields = r.fields();
            Ok(Node {
                facts: facts(&fields),
                fields,
                example_id: r.id,
                upstreams: edges(&r.upstreams)?,
                downstreams: edges(&r.downstreams)?,
            })
        })
        .collect()
}
