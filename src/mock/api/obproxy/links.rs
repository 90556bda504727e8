//! A cluster's links to OceanBase clusters, and its parameters: answered at once, no task.

use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Value, json};

use super::body::{Body, ob_links};
use crate::mock::api::{Call, Ctx, Data, Outcome};
use crate::mock::router::Params;
use crate::mock::state::State;
use crate::ocp::error::OcpError;

/// `POST /api/v2/obproxy/clusters/{id}/obLinks/batchAdd` with a list of ObLinks: the cluster
/// links to them at once (a link to a cluster of the same name is replaced); the answer has no
/// `data`, as documented.
pub fn add_links(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let id = params.long("id")?;
    let items = match Body::value(call.req)? {
        Value::Array(items) => items,
        other => {
            let why = "not a list of ObLinks";
            return Err(OcpError::invalid_parameter("body", &other.to_string(), why));
        }
    };
    if items.is_empty() || items.len() > ctx.settings.limits.max_ids {
        let why = format!("must hold from 1 to {} links", ctx.settings.limits.max_ids);
        return Err(OcpError::invalid_parameter("body", "[]", &why));
    }
    let items = items
        .into_iter()
        .map(|item| match item {
            Value::Object(map) => Ok(Body::of(map)),
            other => Err(OcpError::invalid_parameter(
                "body",
                &other.to_string(),
                "an item is not an object",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    state.add_links(id, ob_links(&items)?)?;
    Ok((200, None))
}

/// `DELETE /api/v2/obproxy/clusters/{id}/obLinks/{obClusterName}`: the cluster no longer links
/// to that OceanBase cluster; the answer has no `data`, as documented.
pub fn remove_link(_ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let id = params.long("id")?;
    state.remove_link(id, params.get("obClusterName"))?;
    Ok((200, None))
}

/// One parameter of the documented sample of `GET .../parameters`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Parameter {
    name: String,
    description: String,
    need_reboot: bool,
    value_string: String,
}

#[derive(Deserialize)]
struct ParameterFile {
    parameters: Vec<Parameter>,
}

/// The parameters OCP's sample shows, with their values there.
static PARAMETERS: LazyLock<Vec<Parameter>> = LazyLock::new(|| {
    let text = include_str!("../../../../fixtures/obproxy-parameters.json");
    serde_json::from_str::<ParameterFile>(text)
        .expect("the embedded parameters are read by a unit test")
        .parameters
});

/// `GET /api/v2/obproxy/clusters/{id}/parameters`: the documented sample's parameters, each
/// with its documented value held by every server of the cluster (their IPs in `obproxies`).
pub fn parameters(_ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let id = params.long("id")?;
    state.cluster(id)?;
    let ips: Vec<&str> = state
        .inventory
        .servers_of(id)
        .filter_map(|s| state.inventory.host(s.host_id))
        .map(|h| h.ip.as_str())
        .collect();
    let contents: Vec<Value> = PARAMETERS
        .iter()
        .map(|p| {
            json!({
                "description": p.description,
                "name": p.name,
                "needReboot": p.need_reboot,
                "valueString": p.value_string,
                "values": [{"obproxies": ips, "value": p.value_string}],
            })
        })
        .collect();
    Ok((200, Some(Data::Json(json!({ "contents": contents })))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_parameters_are_read() {
        assert_eq!(PARAMETERS.len(), 10);
        assert_eq!(PARAMETERS[0].name, "proxy_info_check_interval");
        assert!(PARAMETERS.iter().any(|p| p.need_reboot));
    }
}
