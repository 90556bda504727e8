//! Task information: the "Offline obproxy" task a Delete OBProxy call answers with.
//!
//! The documented example is the template. It is parsed once into [`TaskTemplate`]; each call
//! then fills in what varies (ids, time, servers, hosts, cluster name) and fans the per-server
//! subtasks (`parallelIdx` 0 in the example) out into one lane per server. With one server and
//! the first ids the result is the example itself.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};

use super::holes::{Holes, hole, write_int, write_str};
use super::time::{format_time, parse_time, write_time};

/// The documented answer to `DELETE /api/v2/obproxy/clusters/1/obproxies/2`, verbatim.
pub const DOCUMENTED_EXAMPLE: &str = include_str!("../../fixtures/delete-obproxy.json");

/// One subtask of the template, with its edges as indexes into the template's node list.
#[derive(Debug, Clone)]
struct Node {
    /// Every field but `id`, `upstreams`, `downstreams` and `parallelIdx`.
    fields: Map<String, Value>,
    example_id: i64,
    /// Per-server: fanned out into one copy per server.
    per_server: bool,
    /// Among the per-server nodes, this one's position (orders the ids of later lanes).
    lane_rank: usize,
    upstreams: Vec<usize>,
    downstreams: Vec<usize>,
    /// What progress needs of the subtask, read once rather than looked up per task.
    facts: SubtaskFacts,
}

/// The fields of a template subtask that a running task needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtaskFacts {
    pub name: String,
    /// READY at creation (the entry), else PENDING.
    pub ready_at_start: bool,
    pub run_time: i64,
}

/// What varies from one Delete OBProxy task to the next.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub task_id: i64,
    /// The first of [`TaskTemplate::subtask_ids_needed`] fresh subtask ids.
    pub first_subtask_id: i64,
    pub start_ms: i64,
    pub creator: &'a str,
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
    context: Map<String, Value>,
    nodes: Vec<Node>,
    first_id: i64,
    /// Subtask ids one lane-0 task uses: from the smallest example id to the largest.
    span: i64,
    per_server_count: i64,
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
    /// The documented `server` and `executor`.
    pub server: String,
    pub executor: String,
    /// The documented `creator`.
    pub creator: String,
    text: Text,
    /// Layouts by number of lanes, built on first use.
    layouts: Vec<OnceLock<Arc<Layout>>>,
}

/// Tasks over up to this many servers share a cached layout; larger ones build their own.
const CACHED_LANES: usize = 64;

/// Why the template could not be read (only reachable with a broken fixture).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "task template: {}", self.0)
    }
}

impl std::error::Error for TemplateError {}

fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a Value, TemplateError> {
    obj.get(key)
        .ok_or_else(|| TemplateError(format!("missing {key}")))
}

fn int(obj: &Map<String, Value>, key: &str) -> Result<i64, TemplateError> {
    field(obj, key)?
        .as_i64()
        .ok_or_else(|| TemplateError(format!("{key} is not an integer")))
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, TemplateError> {
    field(obj, key)?
        .as_str()
        .ok_or_else(|| TemplateError(format!("{key} is not a string")))
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, TemplateError> {
    v.as_object()
        .ok_or_else(|| TemplateError(format!("{what} is not an object")))
}

impl TaskTemplate {
    /// The template of the documented example.
    pub fn documented() -> Self {
        Self::parse(DOCUMENTED_EXAMPLE).expect("the documented example is checked by a unit test")
    }

    /// Reads a success envelope whose `data` is a task, as the documented example is.
    pub fn parse(envelope_text: &str) -> Result<Self, TemplateError> {
        let envelope: Value =
            serde_json::from_str(envelope_text).map_err(|e| TemplateError(e.to_string()))?;
        let envelope = object(&envelope, "the envelope")?;
        let data = object(field(envelope, "data")?, "data")?;
        let subtasks = field(data, "subtasks")?
            .as_array()
            .ok_or_else(|| TemplateError("subtasks is not an array".into()))?;

        let mut raw = Vec::with_capacity(subtasks.len());
        for s in subtasks {
            let s = object(s, "a subtask")?;
            let ids = |key| -> Result<Vec<i64>, TemplateError> {
                field(s, key)?
                    .as_array()
                    .and_then(|a| a.iter().map(Value::as_i64).collect())
                    .ok_or_else(|| TemplateError(format!("{key} is not a list of ids")))
            };
            raw.push((
                int(s, "id")?,
                int(s, "parallelIdx")?,
                ids("upstreams")?,
                ids("downstreams")?,
                s,
            ));
        }
        let index_of = |id: i64| {
            raw.iter()
                .position(|r| r.0 == id)
                .ok_or_else(|| TemplateError(format!("edge to unknown subtask {id}")))
        };
        let mut nodes = Vec::with_capacity(raw.len());
        let mut lane_rank = 0;
        for (id, parallel_idx, ups, downs, s) in &raw {
            let mut fields = (*s).clone();
            for key in ["id", "upstreams", "downstreams", "parallelIdx"] {
                fields.remove(key);
            }
            let per_server = *parallel_idx == 0;
            let facts = SubtaskFacts {
                name: fields
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                ready_at_start: fields.get("status").and_then(Value::as_str) == Some("READY"),
                run_time: fields.get("runTime").and_then(Value::as_i64).unwrap_or(1),
            };
            nodes.push(Node {
                facts,
                fields,
                example_id: *id,
                per_server,
                lane_rank,
                upstreams: ups.iter().map(|&u| index_of(u)).collect::<Result<_, _>>()?,
                downstreams: downs
                    .iter()
                    .map(|&d| index_of(d))
                    .collect::<Result<_, _>>()?,
            });
            lane_rank += usize::from(per_server);
        }
        let first_id = raw.iter().map(|r| r.0).min().unwrap_or(0);
        let last_id = raw.iter().map(|r| r.0).max().unwrap_or(0);

        let start_ms = parse_time(text(data, "startTime")?)
            .ok_or_else(|| TemplateError("startTime is not a time".into()))?;
        let stamped = parse_time(text(envelope, "timestamp")?)
            .ok_or_else(|| TemplateError("timestamp is not a time".into()))?;
        let trace_seed = u64::from_str_radix(text(envelope, "traceId")?, 16)
            .map_err(|_| TemplateError("traceId is not hex".into()))?;
        let context = object(field(data, "context")?, "context")?.clone();

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
        let serialised = Text::new(&task, &context, &nodes)?;
        Ok(Self {
            layouts: (0..=CACHED_LANES).map(|_| OnceLock::new()).collect(),
            text: serialised,
            task,
            context,
            first_id,
            span: last_id - first_id + 1,
            per_server_count: lane_rank as i64,
            nodes,
            task_id: int(data, "id")?,
            start_ms,
            respond_after_ms: stamped - start_ms,
            duration_ms: int(envelope, "duration")?,
            trace_seed,
            server: text(envelope, "server")?.to_owned(),
            executor: text(data, "executor")?.to_owned(),
            creator: text(data, "creator")?.to_owned(),
        })
    }

    /// The names of the template's subtasks, for checking a `fail-at` scenario.
    pub fn subtask_names(&self) -> impl Iterator<Item = &str> {
        self.nodes
            .iter()
            .filter_map(|n| n.fields.get("name").and_then(Value::as_str))
    }

    /// The smallest subtask id of the example: where a fresh mock's subtask ids start.
    pub fn first_subtask_id(&self) -> i64 {
        self.first_id
    }

    /// How many fresh subtask ids a task over `servers` servers takes.
    pub fn subtask_ids_needed(&self, servers: usize) -> i64 {
        self.span + (servers.max(1) as i64 - 1) * self.per_server_count
    }

    /// The id of node `n` in lane `lane`, counted from the task's first subtask id: lane 0 keeps
    /// the example's layout, later lanes follow.
    fn subtask_offset(&self, n: usize, lane: usize) -> i64 {
        let node = &self.nodes[n];
        if lane == 0 {
            node.example_id - self.first_id
        } else {
            self.span + (lane as i64 - 1) * self.per_server_count + node.lane_rank as i64
        }
    }

    /// The subtasks of a task over `lanes` servers, in the order they are listed: each template
    /// node in turn, a per-server node once per lane; edges as positions in that list; ids
    /// counted from the task's first subtask id. Shared: built once per number of lanes.
    pub fn layout(&self, lanes: usize) -> Arc<Layout> {
        let lanes = lanes.max(1);
        match self.layouts.get(lanes) {
            Some(cached) => cached.get_or_init(|| Arc::new(self.lay_out(lanes))).clone(),
            None => Arc::new(self.lay_out(lanes)),
        }
    }

    fn lay_out(&self, lanes: usize) -> Layout {
        let mut offsets = Vec::with_capacity(self.nodes.len());
        let mut total = 0;
        for node in &self.nodes {
            offsets.push(total);
            total += if node.per_server { lanes } else { 1 };
        }
        let mut layout = Layout {
            slots: Vec::with_capacity(total),
            edges: Vec::with_capacity(total * 4),
        };
        let push_targets = |edges: &mut Vec<usize>, to: &[usize], own: Option<usize>| {
            let start = edges.len();
            for &t in to {
                let base = offsets[t];
                match (self.nodes[t].per_server, own) {
                    (false, _) => edges.push(base),
                    (true, Some(lane)) => edges.push(base + lane),
                    (true, None) => edges.extend((0..lanes).map(|l| base + l)),
                }
            }
            start..edges.len()
        };
        for (n, node) in self.nodes.iter().enumerate() {
            let copies = if node.per_server { lanes } else { 1 };
            for lane in 0..copies {
                let own = node.per_server.then_some(lane);
                let upstreams = push_targets(&mut layout.edges, &node.upstreams, own);
                let downstreams = push_targets(&mut layout.edges, &node.downstreams, own);
                layout.slots.push(Slot {
                    node: n,
                    lane: own,
                    offset: self.subtask_offset(n, lane),
                    upstreams,
                    downstreams,
                });
            }
        }
        layout
    }

    /// What a running task needs of a slot's subtask (its name, whether it starts READY, `runTime`).
    pub fn slot_facts(&self, slot: &Slot) -> Option<&SubtaskFacts> {
        self.nodes.get(slot.node).map(|n| &n.facts)
    }

    /// Builds the task (`data`) of a new Delete OBProxy call, as it stands at creation.
    pub fn build(&self, t: &NewTask<'_>) -> Value {
        let layout = self.layout(t.servers.len());
        let first = t.first_subtask_id;
        let ids = |edges: &[usize]| -> Vec<i64> {
            edges
                .iter()
                .map(|&e| first + layout.slots[e].offset)
                .collect()
        };
        let subtasks: Vec<Value> = layout
            .slots
            .iter()
            .map(|slot| {
                let mut s = self.nodes[slot.node].fields.clone();
                s.insert("id".into(), json!(first + slot.offset));
                s.insert("upstreams".into(), json!(ids(layout.upstreams(slot))));
                s.insert("downstreams".into(), json!(ids(layout.downstreams(slot))));
                s.insert(
                    "parallelIdx".into(),
                    json!(slot.lane.map_or(-1, |l| l as i64)),
                );
                Value::Object(s)
            })
            .collect();
        let mut context = self.context.clone();
        if let Some(Value::Object(list_map)) = context.get_mut("listMap") {
            list_map.insert("obproxy_server_ids".into(), json!(server_ids(t)));
            list_map.insert("host_ids".into(), json!(host_ids(t)));
        }
        if let Some(Value::Object(string_map)) = context.get_mut("stringMap") {
            string_map.insert("service_name".into(), json!(t.service_name));
        }
        let mut task = self.task.clone();
        task.insert("id".into(), json!(t.task_id));
        task.insert("startTime".into(), json!(format_time(t.start_ms)));
        task.insert("creator".into(), json!(t.creator));
        task.insert("executor".into(), json!(t.executor));
        task.insert("context".into(), Value::Object(context));
        task.insert("subtasks".into(), Value::Array(subtasks));
        Value::Object(task)
    }

    /// About how many bytes [`TaskTemplate::write`] writes for `servers` servers.
    pub fn size_hint(&self, servers: usize) -> usize {
        self.text.size_one_lane + self.text.size_per_lane * servers.saturating_sub(1)
    }

    /// Writes exactly the bytes `build(t).to_string()` gives, from the precomputed text.
    pub fn write(&self, t: &NewTask<'_>, out: &mut Vec<u8>) {
        let layout = self.layout(t.servers.len());
        let slots = &layout.slots;
        let first = t.first_subtask_id;
        let ids = |out: &mut Vec<u8>, edges: &[usize]| {
            out.push(b'[');
            for (i, &e) in edges.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_int(out, first + slots[e].offset);
            }
            out.push(b']');
        };
        // Ids as JSON strings (`["2"]`), as OCP's listMap holds them.
        let quoted_ids = |out: &mut Vec<u8>, items: &mut dyn Iterator<Item = i64>| {
            out.push(b'[');
            for (i, item) in items.enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                write_int(out, item);
                out.push(b'"');
            }
            out.push(b']');
        };
        self.text.task.write(out, |hole, out| match hole {
            TASK_ID => write_int(out, t.task_id),
            TASK_START => write_time(out, t.start_ms),
            TASK_CREATOR => write_str(out, t.creator),
            TASK_EXECUTOR => write_str(out, t.executor),
            TASK_SERVER_IDS => quoted_ids(out, &mut t.servers.iter().map(|s| s.0)),
            TASK_HOST_IDS => quoted_ids(
                out,
                &mut t
                    .servers
                    .iter()
                    .enumerate()
                    .filter(|(i, (_, h))| !t.servers[..*i].iter().any(|(_, e)| e == h))
                    .map(|(_, (_, h))| *h),
            ),
            TASK_SERVICE_NAME => write_str(out, t.service_name),
            _ => {
                out.push(b'[');
                for (i, slot) in slots.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.text.subtasks[slot.node].write(out, |hole, out| match hole {
                        SUB_ID => write_int(out, first + slot.offset),
                        SUB_UPSTREAMS => ids(out, layout.upstreams(slot)),
                        SUB_DOWNSTREAMS => ids(out, layout.downstreams(slot)),
                        _ => write_int(out, slot.lane.map_or(-1, |l| l as i64)),
                    });
                }
                out.push(b']');
            }
        });
    }
}

/// The subtasks of one task with their edges, in two allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub slots: Vec<Slot>,
    /// Every slot's upstreams and downstreams, as positions in `slots`.
    edges: Vec<usize>,
}

impl Layout {
    pub fn upstreams(&self, slot: &Slot) -> &[usize] {
        self.edges.get(slot.upstreams.clone()).unwrap_or_default()
    }

    pub fn downstreams(&self, slot: &Slot) -> &[usize] {
        self.edges.get(slot.downstreams.clone()).unwrap_or_default()
    }
}

/// One subtask of a laid-out task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The template node it copies.
    pub node: usize,
    /// Its lane (`parallelIdx`), for a per-server subtask.
    pub lane: Option<usize>,
    /// Its id minus the task's first subtask id.
    pub offset: i64,
    /// Where its upstreams and downstreams sit in the layout's edge list.
    upstreams: std::ops::Range<usize>,
    downstreams: std::ops::Range<usize>,
}

fn server_ids(t: &NewTask<'_>) -> Vec<String> {
    t.servers.iter().map(|(s, _)| s.to_string()).collect()
}

/// The hosts of the servers, each once, in server order.
fn host_ids(t: &NewTask<'_>) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::with_capacity(t.servers.len());
    for (_, h) in t.servers {
        let h = h.to_string();
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    hosts
}

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
const SUB_HOLES: [&str; 4] = ["id", "upstreams", "downstreams", "parallelIdx"];
const SUB_ID: usize = 0;
const SUB_UPSTREAMS: usize = 1;
const SUB_DOWNSTREAMS: usize = 2;

/// The template serialised once, with holes where tasks differ.
#[derive(Debug, Clone)]
struct Text {
    task: Holes,
    /// One per template node.
    subtasks: Vec<Holes>,
    /// About how many bytes a task over one server takes, and each further server adds.
    size_one_lane: usize,
    size_per_lane: usize,
}

impl Text {
    fn new(
        task: &Map<String, Value>,
        context: &Map<String, Value>,
        nodes: &[Node],
    ) -> Result<Self, TemplateError> {
        let bad = |e: String| TemplateError(format!("text with holes: {e}"));
        let mut context = context.clone();
        if let Some(Value::Object(list_map)) = context.get_mut("listMap") {
            list_map.insert("obproxy_server_ids".into(), hole("obproxy_server_ids"));
            list_map.insert("host_ids".into(), hole("host_ids"));
        }
        if let Some(Value::Object(string_map)) = context.get_mut("stringMap") {
            string_map.insert("service_name".into(), hole("service_name"));
        }
        let mut data = task.clone();
        for key in ["id", "startTime", "creator", "executor", "subtasks"] {
            data.insert(key.into(), hole(key));
        }
        data.insert("context".into(), Value::Object(context));
        let task = Holes::new(&Value::Object(data), &TASK_HOLES).map_err(bad)?;
        let subtasks = nodes
            .iter()
            .map(|node| {
                let mut s = node.fields.clone();
                for key in SUB_HOLES {
                    s.insert(key.into(), hole(key));
                }
                Holes::new(&Value::Object(s), &SUB_HOLES).map_err(bad)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let all: usize = subtasks.iter().map(Holes::fixed_len).sum();
        let size_per_lane = subtasks
            .iter()
            .zip(nodes)
            .filter(|(_, n)| n.per_server)
            .map(|(h, _)| h.fixed_len() + 64)
            .sum();
        Ok(Self {
            size_one_lane: task.fixed_len() + all + 512,
            task,
            subtasks,
            size_per_lane,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documented_call(template: &TaskTemplate) -> NewTask<'_> {
        NewTask {
            task_id: template.task_id,
            first_subtask_id: template.first_id,
            start_ms: template.start_ms,
            creator: &template.creator,
            executor: &template.executor,
            servers: &[(2, 2)],
            service_name: "test",
        }
    }

    #[test]
    fn one_server_rebuilds_the_documented_task() {
        let template = TaskTemplate::documented();
        let example: Value = serde_json::from_str(DOCUMENTED_EXAMPLE).unwrap();
        assert_eq!(template.build(&documented_call(&template)), example["data"]);
        assert_eq!(template.subtask_ids_needed(1), 8);
        assert_eq!(template.respond_after_ms, 11);
        assert_eq!(template.duration_ms, 17);
    }

    #[test]
    fn writing_gives_the_bytes_of_the_built_task() {
        let template = TaskTemplate::documented();
        let servers = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)];
        for n in 1..=servers.len() {
            let call = NewTask {
                servers: &servers[..n],
                first_subtask_id: 40_000,
                creator: "ops \"quoted\"",
                service_name: "名字",
                ..documented_call(&template)
            };
            let mut out = Vec::new();
            template.write(&call, &mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                template.build(&call).to_string()
            );
        }
    }

    #[test]
    fn four_servers_fan_out_the_per_server_subtasks() {
        let template = TaskTemplate::documented();
        let servers = [(1, 1), (2, 2), (3, 3), (4, 4)];
        let call = NewTask {
            servers: &servers,
            first_subtask_id: 100,
            ..documented_call(&template)
        };
        let task = template.build(&call);
        let subtasks = task["subtasks"].as_array().unwrap();
        assert_eq!(subtasks.len(), 8 + 3 * 3);
        assert_eq!(template.subtask_ids_needed(4), 17);
        let mut ids: Vec<i64> = subtasks.iter().map(|s| s["id"].as_i64().unwrap()).collect();
        ids.sort_unstable();
        assert_eq!(ids, (100..117).collect::<Vec<_>>());
        let start = subtasks.iter().find(|s| s["name"] == "Start node").unwrap();
        assert_eq!(start["downstreams"].as_array().unwrap().len(), 4);
        let lanes: Vec<i64> = subtasks
            .iter()
            .filter(|s| s["name"] == "Prepare offline obproxy")
            .map(|s| s["parallelIdx"].as_i64().unwrap())
            .collect();
        assert_eq!(lanes, vec![0, 1, 2, 3]);
        assert_eq!(
            task["context"]["listMap"]["obproxy_server_ids"],
            json!(["1", "2", "3", "4"])
        );
    }
}
