//! A response schema from a page's tables: OCP's success envelope (the hand-written one of
//! `schemas/success-envelope.json`, inlined) with `data` typed from the tables, each data
//! structure a `$defs` entry of its own.
//!
//! Types as OCP's pages use them: `Long`/`Integer` an integer, `Double`/`Float` a number,
//! `Datetime`/`OffsetDateTime` OCP's time (`schemas/common.json`), `Object`/`Array`/`List<X>`/
//! `X[]` the structure the description or the type names ("see **Data structure of
//! ObproxyServer**", "see the following table"), the asynchronous task of
//! `schemas/task-instance.json` where the page links to the task structure. A field the tables
//! type loosely (`-`, `Timestamp`, a name no table defines) is left unconstrained. Objects never
//! forbid fields the tables do not list.

use serde_json::{Map, Value, json};

use super::fit::Disagreement;
use super::tables::{Field, Structure, Tables, key, valid_values};

/// The draft every schema declares.
pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The hand-written schemas the generated ones inline.
const COMMON: &str = include_str!("../../../schemas/common.json");
const SUCCESS: &str = include_str!("../../../schemas/success-envelope.json");
const TASK: &str = include_str!("../../../schemas/task-instance.json");
const SUBTASK: &str = include_str!("../../../schemas/subtask-instance.json");

/// How a page's answer is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// OCP's success envelope, `data` from the tables.
    Envelope,
    /// The tables' fields as a bare object (`GET /api/v2/info`).
    Bare,
    /// Plain text; `time` when it is OCP's time (`GET /api/v2/time`).
    Text { time: bool },
}

/// The schema of an answer of this shape, from these tables, and where the tables had to
/// give way to the sample's `data` before its values were looked at (a `data` the table calls a
/// task when the sample's is none, an array the sample wraps as `{"contents": [...]}`).
pub fn schema<'t>(
    shape: Shape,
    title: &str,
    tables: &'t Tables,
    sample: Option<&'t Value>,
) -> (Value, Vec<Disagreement>) {
    let mut builder = Builder {
        structures: &tables.structures,
        defs: Map::new(),
        sample,
        notes: Vec::new(),
    };
    let mut root = match shape {
        Shape::Text { time } => {
            let mut text = if time {
                common("time")
            } else {
                json!({"type": "string"})
            };
            text["description"] = "A plain-text answer (not JSON), judged as a JSON string.".into();
            text
        }
        Shape::Bare => builder.object(&tables.envelope),
        Shape::Envelope => builder.envelope(&tables.envelope),
    };
    let mut head = Map::new();
    head.insert("$schema".into(), DRAFT.into());
    head.insert("title".into(), title.into());
    let Value::Object(body) = root.take() else {
        unreachable!("every shape is an object schema")
    };
    head.extend(body.into_iter().filter(|(k, _)| k != "title"));
    if !builder.defs.is_empty() {
        head.insert("$defs".into(), Value::Object(builder.defs));
    }
    (Value::Object(head), builder.notes)
}

/// Builds schemas for one page, collecting the structures they refer to.
struct Builder<'t> {
    structures: &'t [Structure],
    defs: Map<String, Value>,
    /// The sample's `data`, when it has one.
    sample: Option<&'t Value>,
    /// Choices made against the tables.
    notes: Vec<Disagreement>,
}

impl<'t> Builder<'t> {
    /// The success envelope, its `data` from the table's `data` row.
    fn envelope(&mut self, fields: &[Field]) -> Value {
        let mut envelope = inline(parse(SUCCESS));
        let properties = &mut envelope["properties"];
        match fields.iter().find(|f| f.name == "data") {
            Some(data) => properties["data"] = self.data(data),
            None => {
                if let Some(p) = properties.as_object_mut() {
                    p.remove("data");
                }
            }
        }
        for key in ["$id", "description"] {
            if let Some(e) = envelope.as_object_mut() {
                e.remove(key);
            }
        }
        envelope
    }

    /// `data`: as any field, except where the page or its sample says more (see `paged`,
    /// `not_a_task`, `first_structure`, `wrapped_list`).
    fn data(&mut self, data: &Field) -> Value {
        if let Some(page) = self.paged(data) {
            return describe(page, &data.description);
        }
        let schema = self.field(data);
        let schema = self.not_a_task(schema);
        let schema = self.first_structure(schema, data);
        let schema = self.wrapped_list(schema);
        describe(schema, &data.description)
    }

    /// An untyped object next to a page-parameters table is a page of the first structure.
    fn paged(&mut self, data: &Field) -> Option<Value> {
        let page = self.find("pageparameters")?;
        if !data.children.is_empty() || !is_object(&data.ty) || self.reference(data).is_some() {
            return None;
        }
        let items = self.first().map_or(json!({}), |s| self.define(s));
        let page = self.define(page);
        Some(json!({"type": "object", "properties": {
            "contents": {"type": "array", "items": items}, "page": page}}))
    }

    /// A `data` the table calls the task when the sample's is none (no `subtasks`, a page
    /// copied from a task page): the page's own structure.
    fn not_a_task(&mut self, schema: Value) -> Value {
        let task = self.sample.map(is_task);
        if schema.get("$ref") != Some(&json!("#/$defs/TaskInstance")) || task != Some(false) {
            return schema;
        }
        let Some(first) = self.first() else {
            return schema;
        };
        self.defs.remove("TaskInstance");
        self.defs.remove("SubtaskInstance");
        self.notes.push(Disagreement {
            pointer: "/data".into(),
            table: "the asynchronous task".into(),
            sample: "no task (no subtasks)".into(),
            done: format!("types data from \"{}\"", first.title),
        });
        let mut schema = self.define(first);
        schema["description"] = format!(
            "Typed from the page's \"{}\": the table's data row names the asynchronous task, \
             which the page's sample is not.",
            first.title
        )
        .into();
        schema
    }

    /// A `data` the tables name no structure for: the page's first one.
    fn first_structure(&mut self, schema: Value, data: &Field) -> Value {
        let untyped = schema.get("properties").is_none()
            && schema
                .get("items")
                .is_none_or(|i| i.as_object().is_some_and(Map::is_empty))
            && schema.get("$ref").is_none();
        let shaped = is_object(&data.ty) || is_array(&data.ty);
        match self.first() {
            Some(first) if data.children.is_empty() && untyped && shaped => {
                let target = self.define(first);
                if is_array(&data.ty) {
                    json!({"type": "array", "items": target})
                } else {
                    target
                }
            }
            _ => schema,
        }
    }

    /// A `data` the table calls an array, or one task, that the sample gives as OCP's list
    /// data (`{"contents": [...]}`, a batch call's tasks): the array, or a list of tasks, as
    /// `contents`.
    fn wrapped_list(&mut self, schema: Value) -> Value {
        let contents = self.sample.and_then(|d| d.get("contents"));
        let Some(contents) = contents.filter(|c| c.is_array()) else {
            return schema;
        };
        let task = json!("#/$defs/TaskInstance");
        let (table, items) = if schema.get("type") == Some(&json!("array")) {
            ("an array", schema)
        } else if schema.get("$ref") == Some(&task) && contents.pointer("/0/subtasks").is_some() {
            ("one task", json!({"type": "array", "items": schema}))
        } else {
            return schema;
        };
        self.notes.push(Disagreement {
            pointer: "/data".into(),
            table: table.into(),
            sample: "an object with a list as contents".into(),
            done: "types data.contents with the table's items".into(),
        });
        json!({"type": "object", "properties": {"contents": items}})
    }

    /// The schema of one field.
    fn field(&mut self, field: &Field) -> Value {
        let ty = field.ty.trim().trim_matches('`').to_ascii_lowercase();
        let schema = if !field.children.is_empty() {
            let object = self.object(&field.children);
            if is_array(&ty) {
                json!({"type": "array", "items": object})
            } else {
                object
            }
        } else {
            self.typed(&ty, field)
        };
        describe(schema, &field.description)
    }

    /// The schema of a documented type (lowercased) without nested rows.
    fn typed(&mut self, ty: &str, field: &Field) -> Value {
        if let Some(element) = element_type(ty) {
            let items = match scalar(element, &field.description) {
                Some(s) => s,
                None => self.reference(field).unwrap_or_else(|| json!({})),
            };
            return json!({"type": "array", "items": items});
        }
        if let Some(s) = scalar(ty, &field.description) {
            return s;
        }
        if is_array(ty) {
            let items = self.reference(field).unwrap_or_else(|| json!({}));
            return json!({"type": "array", "items": items});
        }
        if is_object(ty) {
            return self
                .reference(field)
                .unwrap_or_else(|| json!({"type": "object"}));
        }
        // A structure's name as the type, or a type no table defines.
        self.reference(field).unwrap_or_else(|| json!({}))
    }

    /// An object of these fields: none required, none forbidden.
    fn object(&mut self, fields: &[Field]) -> Value {
        let mut properties = Map::new();
        for f in fields {
            if !properties.contains_key(&f.name) {
                let schema = self.field(f);
                properties.insert(f.name.clone(), schema);
            }
        }
        json!({"type": "object", "properties": properties})
    }

    /// The structure an `Object` or `Array` field refers to, as a `$ref`.
    fn reference(&mut self, field: &Field) -> Option<Value> {
        let description = field.description.to_ascii_lowercase();
        if let Some(named) = named_structure(&description).and_then(|k| self.find(&k)) {
            return Some(self.define(named));
        }
        if description.contains("the following table") {
            return self.first().map(|s| self.define(s));
        }
        let flat: String = description
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let by_name = [
            key(&field.ty),
            key(&field.name),
            format!("{}parameters", key(&field.name)),
        ];
        let mentioned = self
            .structures
            .iter()
            .filter(|s| s.key.len() >= 6 && flat.contains(&s.key))
            .max_by_key(|s| s.key.len());
        if let Some(s) = by_name.iter().find_map(|k| self.find(k)).or(mentioned) {
            return Some(self.define(s));
        }
        links_the_task(&description, &field.ty).then(|| self.task())
    }

    /// The structure whose key is `key`.
    fn find(&self, key: &str) -> Option<&'t Structure> {
        let structures: &'t [Structure] = self.structures;
        (!key.is_empty())
            .then(|| structures.iter().find(|s| s.key == key))
            .flatten()
    }

    /// The first structure of the page that is not the page parameters.
    fn first(&self) -> Option<&'t Structure> {
        let structures: &'t [Structure] = self.structures;
        structures
            .iter()
            .find(|s| s.key != "pageparameters" && !s.request)
    }

    /// A `$ref` to the structure, defined in `$defs` on first use.
    fn define(&mut self, structure: &Structure) -> Value {
        let name = def_name(&structure.title);
        if !self.defs.contains_key(&name) {
            // A placeholder first, so that a structure that refers to itself ends.
            self.defs.insert(name.clone(), json!({}));
            let mut object = self.object(&structure.fields);
            object["title"] = structure.title.clone().into();
            self.defs.insert(name.clone(), object);
        }
        json!({"$ref": format!("#/$defs/{name}")})
    }

    /// A `$ref` to the hand-written task, defined (with its subtask) on first use.
    fn task(&mut self) -> Value {
        if !self.defs.contains_key("TaskInstance") {
            let mut task = inline(parse(TASK));
            let mut subtask = inline(parse(SUBTASK));
            for schema in [&mut task, &mut subtask] {
                if let Some(s) = schema.as_object_mut() {
                    s.remove("$id");
                    s.remove("$schema");
                }
            }
            self.defs.insert("TaskInstance".into(), task);
            self.defs.insert("SubtaskInstance".into(), subtask);
        }
        json!({"$ref": "#/$defs/TaskInstance"})
    }
}

/// Whether a sample's `data` is a task, a page of tasks or a list of them.
fn is_task(data: &Value) -> bool {
    let one = |v: &Value| v.get("subtasks").is_some();
    one(data) || data.pointer("/contents/0").is_some_and(one) || data.get(0).is_some_and(one)
}

/// The schema of a scalar type (lowercased), with the description's valid values as an enum.
fn scalar(ty: &str, description: &str) -> Option<Value> {
    let schema = match ty {
        "long" | "integer" | "int" | "short" | "int32" | "int64" => json!({"type": "integer"}),
        "double" | "float" | "number" | "bigdecimal" => json!({"type": "number"}),
        "boolean" | "bool" => json!({"type": "boolean"}),
        "datetime" | "offsetdatetime" => common("time"),
        "string" | "enum" => match valid_values(description) {
            Some(values) => json!({"type": "string", "enum": values}),
            None => json!({"type": "string"}),
        },
        _ => return None,
    };
    Some(schema)
}

/// The element type of a list type: `List<Long>`, `Long[]`, `LongArray`, `StringArray`.
fn element_type(ty: &str) -> Option<&str> {
    if let Some(inner) = ty.strip_prefix("list<").and_then(|t| t.strip_suffix('>')) {
        return Some(inner.trim());
    }
    if let Some(inner) = ty.strip_suffix("[]") {
        return Some(inner.trim());
    }
    match ty {
        "stringarray" | "arraystring" => Some("string"),
        "longarray" => Some("long"),
        "integerarray" => Some("integer"),
        "objectarray" => Some("object"),
        _ => None,
    }
}

fn is_array(ty: &str) -> bool {
    let ty = ty.to_ascii_lowercase();
    matches!(ty.as_str(), "array" | "arrays" | "list" | "set") || element_type(&ty).is_some()
}

fn is_object(ty: &str) -> bool {
    matches!(ty.to_ascii_lowercase().as_str(), "object" | "map" | "")
}

/// The key of the structure a description names: "see **Data structure of `X`**", "see the
/// **X data structure**".
fn named_structure(description: &str) -> Option<String> {
    let (at, skip) = match description.find("data structure of") {
        Some(at) => (at, "data structure of".len()),
        None => {
            let end = description.find(" data structure")?;
            let start = description[..end].rfind("see").map_or(0, |s| s + 3);
            return Some(key(&description[start..end]));
        }
    };
    let rest = &description[at + skip..];
    let end = rest.find(['.', ']', '(', ',']).unwrap_or(rest.len());
    Some(key(&rest[..end]))
}

/// Whether a field refers to the asynchronous task whose structure another page documents.
fn links_the_task(description: &str, ty: &str) -> bool {
    ty.eq_ignore_ascii_case("TaskInstance")
        || description.contains("task-return-structure")
        || description.contains("[task information]")
        || description.contains("[task](")
        || description.contains("dag task information")
        || description.contains("asynchronous task")
        || description.contains("asynchronous dag task")
}

/// A `$defs` name for a structure's title: `Data structure of the host information` gives
/// `HostInformation`.
fn def_name(title: &str) -> String {
    let lower = title.to_ascii_lowercase();
    let skip = ["data structure of", "structure of"]
        .iter()
        .find_map(|p| lower.find(p).map(|at| at + p.len()))
        .unwrap_or(0);
    let rest = title[skip..].trim().trim_start_matches("the ");
    let words = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "data" && *w != "structure");
    let name: String = words
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    if name.is_empty() { "Data".into() } else { name }
}

/// Adds a description, unless it is empty or the schema has one.
fn describe(mut schema: Value, description: &str) -> Value {
    let text = description.trim();
    if !text.is_empty() && schema.get("description").is_none() {
        schema["description"] = text.into();
    }
    schema
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("the hand-written schemas are JSON")
}

/// A definition of `schemas/common.json`, references inside it resolved.
fn common(name: &str) -> Value {
    inline(parse(COMMON)["$defs"][name].take())
}

/// A hand-written schema made self-contained: `common.json` definitions written in place, and
/// the task and subtask files referred to as `#/$defs/TaskInstance`, `#/$defs/SubtaskInstance`.
fn inline(value: Value) -> Value {
    match value {
        Value::Object(mut object) => {
            let target = object
                .get("$ref")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let local = target.as_deref().and_then(|t| {
                t.strip_prefix("common.json#/$defs/").or_else(|| {
                    t.strip_prefix("#/$defs/")
                        .filter(|n| COMMON_NAMES.contains(n))
                })
            });
            if let Some(name) = local {
                object.remove("$ref");
                let mut base = common(name);
                for (k, v) in object {
                    base[k] = inline(v);
                }
                return base;
            }
            match target.as_deref() {
                Some("task-instance.json") => object["$ref"] = "#/$defs/TaskInstance".into(),
                Some("subtask-instance.json") => object["$ref"] = "#/$defs/SubtaskInstance".into(),
                _ => {}
            }
            Value::Object(object.into_iter().map(|(k, v)| (k, inline(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(inline).collect()),
        other => other,
    }
}

/// The definitions of `schemas/common.json`.
const COMMON_NAMES: &[&str] = &["time", "traceId", "long", "integer", "longList"];
