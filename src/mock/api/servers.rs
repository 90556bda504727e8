//! OCP 4.3.5's OBProxy server routes: `POST /api/v2/obproxy/clusters/{id}/servers/delete`, the
//! delete that replaces the "not recommended" DELETE. Other profiles have no such route.

use http::Method;

use serde_json::Value;

use crate::mock::api::{Call, Ctx, Data, Handler, Outcome};
use crate::mock::router::{Params, Route};
use crate::mock::state::{DeleteCall, State};
use crate::ocp::error::OcpError;
use crate::ocp::ids::json_long;
use crate::ocp::task::TaskKind;

/// The body's list of servers to delete.
const SERVER_IDS: &str = "obproxyServerIds";
/// The body's list of servers whose hosts are left alone.
const SKIP_HOST_IDS: &str = "skipHostOperationServerIds";

/// `POST /api/v2/obproxy/clusters/{id}/servers/delete`: a new "Delete obproxy server" task.
///
/// Under older profiles the path is unknown: their catalogues do not document it.
pub fn delete_servers(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let cluster_id = params.long("id")?;
    let body: Value = serde_json::from_slice(&call.req.body).map_err(|e| {
        OcpError::invalid_parameter(
            "body",
            &String::from_utf8_lossy(&call.req.body),
            &e.to_string(),
        )
    })?;
    let max = ctx.settings.limits.max_ids;
    let server_ids = id_list(&body, SERVER_IDS, max)?
        .ok_or_else(|| OcpError::invalid_parameter(SERVER_IDS, "null", "must not be null"))?;
    if server_ids.is_empty() {
        return Err(OcpError::invalid_parameter(
            SERVER_IDS,
            "[]",
            "must not be empty",
        ));
    }
    let skip = id_list(&body, SKIP_HOST_IDS, max)?.unwrap_or_default();
    if let Some(id) = skip.iter().find(|id| !server_ids.contains(id)) {
        return Err(OcpError::invalid_parameter(
            SKIP_HOST_IDS,
            &id.to_string(),
            &format!("{id} is not among {SERVER_IDS}"),
        ));
    }
    refuse_other_clusters(state, cluster_id, &server_ids)?;
    // Only a 4.3.5 profile documents this route, and it has this task's template.
    let task = state.delete_servers(
        ctx.templates,
        DeleteCall {
            kind: TaskKind::DELETE_OBPROXY_SERVER,
            target: SERVER_IDS,
            cluster_id,
            server_ids: &server_ids,
            skip_host_servers: &skip,
            creator: call.identity,
            start_ms: call.stamp.arrival_ms,
            fail_at: call.fail_at.clone(),
        },
    )?;
    Ok((200, Some(Data::NewTask(task))))
}

/// The ids of `key`: `None` when absent or null; refused unless an array of distinct Longs no
/// longer than `max`.
fn id_list(body: &Value, key: &str, max: usize) -> Result<Option<Vec<i64>>, OcpError> {
    let Some(object) = body.as_object() else {
        return Err(OcpError::invalid_parameter(
            "body",
            &body.to_string(),
            "not a JSON object",
        ));
    };
    let value = match object.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let bad = |why: &str| OcpError::invalid_parameter(key, &value.to_string(), why);
    let items = value.as_array().ok_or_else(|| bad("not a list of ids"))?;
    if items.len() > max {
        return Err(bad(&format!(
            "{} ids, more than the limit of {max}",
            items.len()
        )));
    }
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let id = json_long(item).ok_or_else(|| bad("not a list of ids"))?;
        if ids.contains(&id) {
            return Err(bad(&format!("{id} is listed twice")));
        }
        ids.push(id);
    }
    Ok(Some(ids))
}

/// A server of another cluster is a bad parameter of this route (unknown servers and an
/// unknown cluster are left to the 404s the DELETE gives).
fn refuse_other_clusters(state: &State, cluster_id: i64, ids: &[i64]) -> Result<(), OcpError> {
    if state.inventory.cluster(cluster_id).is_none() {
        return Ok(());
    }
    for &id in ids {
        if let Some(server) = state.inventory.server(id)
            && server.cluster_id != cluster_id
        {
            return Err(OcpError::invalid_parameter(
                SERVER_IDS,
                &id.to_string(),
                &format!(
                    "obproxy server {id} belongs to cluster {}",
                    server.cluster_id
                ),
            ));
        }
    }
    Ok(())
}

/// OCP 4.3.5's delete of OBProxy servers, the only route of this family.
pub const ROUTES: &[Route<Handler>] = &[Route {
    pattern: super::SERVERS_DELETE,
    methods: &[(Method::POST, Handler::Ocp(delete_servers))],
}];
