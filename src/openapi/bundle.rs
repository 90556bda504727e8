//! `components.schemas`: the contract's schema files and every endpoint schema's `$defs`, moved
//! into the document with their references rewritten.
//!
//! Inside an OpenAPI document a schema's `#/$defs/x` resolves against the document, not the
//! schema, and a relative file reference (`common.json#/$defs/time`) against a location a
//! reader does not have: both are rewritten to `#/components/schemas/...`. Endpoints share many
//! definitions (the task, the page): a definition is stored once when the same name with the
//! same content (the definitions it reaches included) comes again, and under a numbered name
//! when the content differs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use crate::contract::SCHEMAS;

/// Where components live in the document.
const PREFIX: &str = "#/components/schemas/";

/// The schemas the document's operations refer to.
#[derive(Debug, Default)]
pub struct Components {
    schemas: Map<String, Value>,
    /// An endpoint definition's identity (its name and the content it reaches) to its name here.
    seen: HashMap<String, String>,
}

impl Components {
    /// The contract's schema files, each under its name in PascalCase (`error-envelope.json` is
    /// `ErrorEnvelope`), its definitions under `Name.definition` (`Common.time`).
    pub fn with_contract() -> Self {
        let mut components = Self::default();
        for (file, text) in SCHEMAS {
            // The embedded schema files are JSON: the contract's tests compile them.
            let mut schema: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            let name = file_name(file);
            let defs = take_defs(&mut schema);
            for (def, mut body) in defs {
                rewrite(&mut body, &|r| contract_ref(&name, r));
                components.schemas.insert(format!("{name}.{def}"), body);
            }
            rewrite(&mut schema, &|r| contract_ref(&name, r));
            components.schemas.insert(name, schema);
        }
        components
    }

    /// A reference to the contract's schema `file` (`error-envelope.json`).
    pub fn contract(file: &str) -> Value {
        json!({"$ref": format!("{PREFIX}{}", file_name(file))})
    }

    /// A self-contained schema as the document holds it: its `$defs` moved into the
    /// components (shared with other endpoints where identical), its references rewritten.
    pub fn hoist(&mut self, schema: &Value) -> Value {
        let mut root = schema.clone();
        let defs = take_defs(&mut root);
        let mut names: HashMap<String, String> = HashMap::new();
        let mut fresh: Vec<(String, Value)> = Vec::new();
        for (local, body) in &defs {
            let identity = identity(local, &defs);
            let name = match self.seen.get(&identity) {
                Some(name) => name.clone(),
                None => {
                    let name = self.free_name(local);
                    // Reserved now, so that the next definition of the same name numbers on.
                    self.schemas.insert(name.clone(), Value::Null);
                    self.seen.insert(identity, name.clone());
                    fresh.push((name.clone(), body.clone()));
                    name
                }
            };
            names.insert(local.clone(), name);
        }
        let local_ref = |r: &str| {
            let rest = r.strip_prefix("#/$defs/")?;
            let (def, tail) = rest.split_once('/').map_or((rest, ""), |(d, t)| (d, t));
            let name = names.get(&unescape(def))?;
            let tail = if tail.is_empty() {
                String::new()
            } else {
                format!("/{tail}")
            };
            Some(format!("{PREFIX}{name}{tail}"))
        };
        let rewriter = |r: &str| local_ref(r).or_else(|| contract_ref("", r));
        for (name, mut body) in fresh {
            rewrite(&mut body, &rewriter);
            self.schemas.insert(name, body);
        }
        rewrite(&mut root, &rewriter);
        root
    }

    /// The first of `Name`, `Name_2`, `Name_3`, ... that no component has.
    fn free_name(&self, local: &str) -> String {
        let base: String = local
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let base = if base.is_empty() {
            "Schema".into()
        } else {
            base
        };
        (1..)
            .map(|n| match n {
                1 => base.clone(),
                n => format!("{base}_{n}"),
            })
            .find(|name| !self.schemas.contains_key(name))
            .unwrap_or(base)
    }

    /// The components, for the document.
    pub fn into_schemas(self) -> Map<String, Value> {
        self.schemas
    }
}

/// `error-envelope.json` as a component name: `ErrorEnvelope`.
fn file_name(file: &str) -> String {
    let stem = file.strip_suffix(".json").unwrap_or(file);
    stem.split(['-', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// A reference of the contract file `Name` (empty outside the contract's files) rewritten to
/// the components: `#/$defs/x` of the file itself, `other.json`, `other.json#/$defs/x`.
fn contract_ref(name: &str, r: &str) -> Option<String> {
    let (file, pointer) = r.split_once('#').unwrap_or((r, ""));
    let target = if file.is_empty() {
        (!name.is_empty()).then(|| name.to_owned())?
    } else {
        file.ends_with(".json").then(|| file_name(file))?
    };
    match pointer.strip_prefix("/$defs/") {
        Some(def) => Some(format!("{PREFIX}{target}.{def}")),
        None if pointer.is_empty() => Some(format!("{PREFIX}{target}")),
        None => Some(format!("{PREFIX}{target}{pointer}")),
    }
}

/// Removes a schema's `$defs` (and the `$id` and `$schema` that would change how a reader
/// resolves it inside the document), returning the definitions by name.
fn take_defs(schema: &mut Value) -> BTreeMap<String, Value> {
    let Some(object) = schema.as_object_mut() else {
        return BTreeMap::new();
    };
    object.remove("$id");
    object.remove("$schema");
    match object.remove("$defs") {
        Some(Value::Object(defs)) => defs.into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

/// Rewrites every `$ref` under `value` that `to` maps.
fn rewrite(value: &mut Value, to: &dyn Fn(&str) -> Option<String>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                match child {
                    Value::String(r) if key == "$ref" => {
                        if let Some(new) = to(r) {
                            *r = new;
                        }
                    }
                    _ => rewrite(child, to),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, to)),
        _ => {}
    }
}

/// What makes a definition the same as another: its name, and every definition it reaches
/// (itself included) by name and content.
fn identity(local: &str, defs: &BTreeMap<String, Value>) -> String {
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    let mut stack = vec![local];
    while let Some(name) = stack.pop() {
        let Some((name, body)) = defs.get_key_value(name) else {
            continue;
        };
        if reached.insert(name) {
            let mut refs = Vec::new();
            local_refs(body, &mut refs);
            stack.extend(refs.into_iter().filter_map(|r| {
                let def = r.split('/').next()?;
                defs.get_key_value(&unescape(def)).map(|(k, _)| k.as_str())
            }));
        }
    }
    let closure: BTreeMap<&str, &Value> = reached
        .into_iter()
        .filter_map(|n| defs.get_key_value(n).map(|(k, v)| (k.as_str(), v)))
        .collect();
    format!("{local}\u{0}{}", json!(closure))
}

/// The `#/$defs/...` references under `value`, without that prefix.
fn local_refs<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                match child {
                    Value::String(r) if key == "$ref" => {
                        if let Some(rest) = r.strip_prefix("#/$defs/") {
                            out.push(rest);
                        }
                    }
                    _ => local_refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| local_refs(v, out)),
        _ => {}
    }
}

/// A JSON pointer token as the name it stands for (`~1` is `/`, `~0` is `~`).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
