//! Normalisation: the same call answered twice, by the mock or by a real OCP, normalises to the
//! same value, so snapshots stay stable and comparisons show only what matters.
//!
//! Volatile fields (the spec's section 7) are replaced by placeholders where present; absent
//! fields stay absent, so a field appearing or vanishing still shows. Subtasks are put in DAG
//! order and their ids replaced by position labels (`#1`, `#2`, ...), with `upstreams` and
//! `downstreams` rewritten to the same labels: raw ids go, the DAG's shape stays visible.
//! Normalising a normalised value changes nothing: labels are read back as the graph they name.

use serde_json::{Map, Value};

use super::dag::Dag;

/// Every placeholder [`normalize`](super::normalize) writes, by the field it replaces.
pub(crate) mod placeholder {
    pub(crate) const TIMESTAMP: &str = "[timestamp]";
    pub(crate) const DURATION: &str = "[duration]";
    pub(crate) const TRACE_ID: &str = "[traceId]";
    pub(crate) const SERVER: &str = "[server]";
    pub(crate) const TASK_ID: &str = "[task id]";
    pub(crate) const TIME: &str = "[time]";
    pub(crate) const EXECUTOR: &str = "[executor]";
    pub(crate) const HOST_IDS: &str = "[host ids]";
    /// An `upstreams`/`downstreams` entry that names no subtask.
    pub(crate) const UNKNOWN_ID: &str = "[unknown id]";
}

/// Returns a copy of `body` with volatile fields redacted and subtasks in DAG order.
///
/// Envelope bookkeeping (`timestamp`, `duration`, `traceId`, `server`) is redacted on every
/// envelope. Task fields are redacted when `data` is a task (an object with `subtasks`), on each
/// task of a paged list (`data.contents`), and on a bare task passed on its own. An error
/// envelope (`successful: false`) gets the bookkeeping only. Any JSON value is accepted; what is
/// not an envelope or a task comes back unchanged.
pub fn normalize(body: &Value) -> Value {
    let mut out = body.clone();
    if is_task(&out) {
        normalize_task(&mut out);
        return out;
    }
    let Some(envelope) = out.as_object_mut() else {
        return out;
    };
    redact(envelope, "timestamp", placeholder::TIMESTAMP);
    redact(envelope, "duration", placeholder::DURATION);
    redact(envelope, "traceId", placeholder::TRACE_ID);
    redact(envelope, "server", placeholder::SERVER);
    if envelope.get("successful") == Some(&Value::Bool(false)) {
        return out;
    }
    if let Some(data) = envelope.get_mut("data") {
        if is_task(data) {
            normalize_task(data);
        } else if let Some(contents) = data.get_mut("contents").and_then(Value::as_array_mut) {
            contents
                .iter_mut()
                .filter(|item| is_task(item))
                .for_each(normalize_task);
        }
    }
    out
}

fn is_task(value: &Value) -> bool {
    value.get("subtasks").is_some()
}

fn normalize_task(task: &mut Value) {
    let Some(fields) = task.as_object_mut() else {
        return;
    };
    redact(fields, "id", placeholder::TASK_ID);
    for time in ["createTime", "startTime", "finishTime"] {
        redact(fields, time, placeholder::TIME);
    }
    redact(fields, "executor", placeholder::EXECUTOR);
    if let Some(list_map) = fields
        .get_mut("context")
        .and_then(|context| context.get_mut("listMap"))
        .and_then(Value::as_object_mut)
    {
        redact(list_map, "host_ids", placeholder::HOST_IDS);
    }
    if let Some(Value::Array(subtasks)) = fields.get_mut("subtasks") {
        *subtasks = match read_labels(subtasks) {
            Some(numbered) => in_dag_order(&numbered),
            None => in_dag_order(subtasks),
        };
    }
}

/// Subtasks already normalised, with their labels read back as numbers, so that normalising
/// twice changes nothing more: their graph is the one the labels describe.
///
/// A task is read this way only when no subtask has an integer id (what the first pass leaves)
/// and at least one is labelled. Its ids and `upstreams`/`downstreams` entries that are labels
/// become the label's number; any other entry, naming no subtask there, becomes `null`, which
/// still names none.
fn read_labels(subtasks: &[Value]) -> Option<Vec<Value>> {
    let has_id = |test: fn(&Value) -> bool| subtasks.iter().any(|s| s.get("id").is_some_and(test));
    if has_id(Value::is_i64) || !has_id(|id| label_number(id).is_some()) {
        return None;
    }
    let number = |value: &Value| label_number(value).map_or(Value::Null, Value::from);
    let mut numbered = subtasks.to_vec();
    for fields in numbered.iter_mut().filter_map(Value::as_object_mut) {
        if let Some(id) = fields.get_mut("id")
            && let Some(n) = label_number(id)
        {
            *id = Value::from(n);
        }
        for key in ["upstreams", "downstreams"] {
            if let Some(Value::Array(entries)) = fields.get_mut(key) {
                entries.iter_mut().for_each(|entry| *entry = number(entry));
            }
        }
    }
    Some(numbered)
}

/// The number of a position label (`#3` is 3), written exactly as [`in_dag_order`] writes it.
fn label_number(value: &Value) -> Option<i64> {
    let n: i64 = value.as_str()?.strip_prefix('#')?.parse().ok()?;
    (n > 0 && value.as_str() == Some(format!("#{n}").as_str())).then_some(n)
}

/// The subtasks in DAG order, relabelled. A subtask that is not an object keeps its place in
/// the order but has nothing to relabel; an entry naming no subtask becomes a placeholder.
fn in_dag_order(subtasks: &[Value]) -> Vec<Value> {
    let dag = Dag::read(subtasks);
    let (order, _) = dag.order();
    let mut label_at = vec![0usize; subtasks.len()];
    for (label, &position) in order.iter().enumerate() {
        label_at[position] = label + 1;
    }
    let label_of = |entry: &Value| -> (usize, Value) {
        match entry.as_i64().and_then(|id| dag.index.get(&id)) {
            Some(&position) => (
                label_at[position],
                Value::String(format!("#{}", label_at[position])),
            ),
            None => (
                usize::MAX,
                Value::String(placeholder::UNKNOWN_ID.to_owned()),
            ),
        }
    };
    order
        .iter()
        .map(|&position| {
            let mut subtask = subtasks[position].clone();
            if let Some(fields) = subtask.as_object_mut() {
                if fields.contains_key("id") {
                    fields.insert(
                        "id".to_owned(),
                        Value::String(format!("#{}", label_at[position])),
                    );
                }
                redact(fields, "taskId", placeholder::TASK_ID);
                for time in ["createTime", "startTime", "finishTime"] {
                    redact(fields, time, placeholder::TIME);
                }
                redact(fields, "executor", placeholder::EXECUTOR);
                for key in ["upstreams", "downstreams"] {
                    if let Some(Value::Array(entries)) = fields.get_mut(key) {
                        // Raw order follows raw ids; label order is stable across runs.
                        let mut labelled: Vec<(usize, Value)> =
                            entries.iter().map(label_of).collect();
                        labelled.sort_by_key(|(label, _)| *label);
                        *entries = labelled.into_iter().map(|(_, label)| label).collect();
                    }
                }
            }
            subtask
        })
        .collect()
}

/// Replaces a field's value by a placeholder, only when the field is there.
fn redact(fields: &mut Map<String, Value>, key: &str, placeholder: &str) {
    if let Some(value) = fields.get_mut(key) {
        *value = Value::String(placeholder.to_owned());
    }
}
