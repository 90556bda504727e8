//! The answer of a documented endpoint that no family handles: its page's sample `data`, with
//! the path's ids echoed, after the request is checked as the page documents it.
//!
//! Echoing is conservative: a value of the sample is replaced only where it equals what the
//! sample request's path gave a parameter, under a key that names that parameter (the
//! parameter's own name anywhere, `<noun>Id` for the capture after `/<nouns>/` anywhere, and
//! `id` at the top of `data` for a capture named `id`).

use serde_json::{Value, json};

use crate::mock::api::{Call, Ctx, Data, Outcome};
use crate::mock::router::Params;
use crate::mock::sim::effect::Effect;
use crate::mock::state::{State, TaskSpec};
use crate::ocp::catalogue::{Endpoint, SampleResponse};
use crate::ocp::error::OcpError;
use crate::ocp::task::TaskKind;

/// Any documented endpoint without a handler of its own: checked, then its sample.
pub fn replay(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    call.check_documented(params)?;
    let Some(endpoint) = call.endpoint else {
        // Only documented endpoints are routed here.
        return Err(OcpError::no_such_route(
            call.req.method.as_str(),
            &call.req.path,
        ));
    };
    let sample = endpoint.sample();
    if let Some(text) = &sample.text {
        return Ok((sample.status, Some(Data::Text(text.clone()))));
    }
    if let Some(kind) = ctx
        .templates
        .documented(call.req.method.as_str(), &endpoint.pattern)
    {
        return Ok(new_task(ctx, state, params, call, (kind, sample)));
    }
    let echoes = params
        .iter()
        .any(|(name, requested)| echoed(endpoint, name, requested).is_some());
    if !echoes {
        // Nothing of the request differs from the sample's: its data, serialised once.
        return Ok((
            sample.status,
            endpoint.sample_data_text().map(Data::JsonText),
        ));
    }
    let data = sample.data.as_ref().map(|data| {
        let mut data = data.clone();
        for (name, requested) in params.iter() {
            echo(endpoint, name, requested, &mut data);
        }
        Data::Json(data)
    });
    Ok((sample.status, data))
}

/// The answer of a documented call that starts a task of `kind`: the task, created, in the
/// shape of the sample (a task, or a page holding it).
fn new_task(
    ctx: Ctx<'_>,
    state: &mut State,
    params: &Params,
    call: &Call,
    (kind, sample): (TaskKind, &SampleResponse),
) -> (u16, Option<Data>) {
    let origin = state.create_task(
        ctx.templates,
        TaskSpec {
            kind,
            creator: call.identity,
            start_ms: call.stamp.arrival_ms,
            fail_at: call.fail_at.clone(),
            cluster_id: params.long("id").unwrap_or(0),
            service_name: String::new(),
            servers: Vec::new(),
            skip_host_servers: Vec::new(),
            effect: Effect::None,
        },
    );
    let in_page = sample
        .data
        .as_ref()
        .is_some_and(|d| d.get("contents").is_some());
    if in_page {
        let task = ctx
            .templates
            .of(kind)
            .build(&origin.new_task(&ctx.settings.executor));
        return (
            sample.status,
            Some(Data::Json(json!({ "contents": [task] }))),
        );
    }
    (sample.status, Some(Data::NewTask(origin)))
}

/// The sample's value of the capture `name`, when the request gives it another: what an echo
/// replaces.
fn echoed<'e>(endpoint: &'e Endpoint, name: &str, requested: &str) -> Option<&'e str> {
    endpoint
        .sample_path_value(name)
        .filter(|sample| *sample != requested)
}

/// One parameter's echo: what the sample's path gave it, what the request gives it, and the
/// keys that name it.
struct Echo<'a> {
    sample: &'a str,
    requested: &'a str,
    /// Keys replaced at any depth.
    keys: Vec<String>,
    /// `id`, replaced only at the top of `data`.
    top_id: bool,
}

/// Replaces in `data` the sample's value of the capture `name` by the requested one.
pub fn echo(endpoint: &Endpoint, name: &str, requested: &str, data: &mut Value) {
    let Some(sample) = echoed(endpoint, name, requested) else {
        return;
    };
    let mut keys = Vec::new();
    if name != "id" {
        keys.push(name.to_owned());
    }
    if let Some(noun) = endpoint.noun_before(name) {
        let singular = noun.strip_suffix('s').unwrap_or(noun);
        keys.push(format!("{singular}Id"));
    }
    let rule = Echo {
        sample,
        requested,
        keys,
        top_id: name == "id",
    };
    walk(data, true, &rule);
}

fn walk(value: &mut Value, top: bool, rule: &Echo) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let named =
                    rule.keys.iter().any(|k| k == key) || (top && rule.top_id && key == "id");
                if named && let Some(new) = replaced(item, rule) {
                    *item = new;
                } else {
                    walk(item, false, rule);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, false, rule)),
        _ => {}
    }
}

/// The requested value in place of `item` when `item` is the sample's value, in `item`'s JSON
/// type.
fn replaced(item: &Value, rule: &Echo) -> Option<Value> {
    match item {
        Value::Number(n) if n.to_string() == rule.sample => {
            rule.requested.parse::<i64>().ok().map(Value::from)
        }
        Value::String(s) if s == rule.sample => Some(Value::String(rule.requested.to_owned())),
        _ => None,
    }
}
