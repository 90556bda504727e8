//! OBProxy servers of a cluster: added on hosts (`batchAdd`), taken over (`takeOver`),
//! restarted and upgraded, each by tasks whose effect lands when they succeed.

use serde_json::{Value, json};

use super::body::Body;
use super::{BATCH_ADD, RESTART, TAKE_OVER, UPGRADE, caller};
use crate::mock::api::{Call, Ctx, Data, Outcome};
use crate::mock::router::Params;
use crate::mock::state::{ServerAdd, ServersOperation, State};
use crate::ocp::error::OcpError;

/// The exporter port of a server taken over: OBProxy's default (the call does not say).
const TAKE_OVER_EXPORTER_PORT: u16 = 2884;

/// The tasks of a batch call as OCP answers them: a page (`contents`) of tasks, one per
/// server, as written at creation.
fn task_page(
    ctx: Ctx<'_>,
    tasks: &[std::sync::Arc<crate::mock::sim::progress::TaskOrigin>],
) -> Value {
    let contents: Vec<Value> = tasks
        .iter()
        .map(|t| {
            let template = ctx.templates.of(t.kind);
            template.build(&t.new_task(&ctx.settings.executor))
        })
        .collect();
    json!({ "contents": contents })
}

/// `POST /api/v2/obproxy/clusters/{id}/obproxies/batchAdd`: a server on each host, CREATING
/// until its own "Install obproxy" task succeeds. Hosts must be known and run no OBProxy.
pub fn batch_add(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let cluster_id = params.long("id")?;
    let body = Body::object(call.req)?;
    let host_ids = body.longs("hostIds", ctx.settings.limits.max_ids)?;
    let sql_port = body.port("sqlPort")?;
    let add = ServerAdd {
        caller: caller(ctx, call, "POST", BATCH_ADD),
        cluster_id,
        target: "hostIds",
        hosts: host_ids.iter().map(|&h| (h, sql_port)).collect(),
        exporter_port: body.port("exporterPort")?,
        version: body.text("version")?,
        status: "CREATING",
    };
    let tasks = state.add_servers(ctx.templates, add)?;
    Ok((200, Some(Data::Json(task_page(ctx, &tasks)))))
}

/// `POST /api/v2/obproxy/clusters/{id}/takeOver`: OBProxies already running on hosts
/// (`hosts: [{hostId, sqlPort}]`) join the cluster, TAKINGOVER until their task succeeds. They
/// run the version of the cluster's first server (the call does not say).
pub fn take_over(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let cluster_id = params.long("id")?;
    let body = Body::object(call.req)?;
    let hosts = body
        .objects("hosts", ctx.settings.limits.max_ids)?
        .iter()
        .map(|h| Ok((h.long("hostId")?, h.port("sqlPort")?)))
        .collect::<Result<Vec<_>, OcpError>>()?;
    let version = state
        .inventory
        .servers_of(cluster_id)
        .next()
        .map(|s| s.version.clone())
        .unwrap_or_default();
    let add = ServerAdd {
        caller: caller(ctx, call, "POST", TAKE_OVER),
        cluster_id,
        target: "hosts",
        hosts,
        exporter_port: TAKE_OVER_EXPORTER_PORT,
        version,
        status: "TAKINGOVER",
    };
    let tasks = state.add_servers(ctx.templates, add)?;
    Ok((200, Some(Data::Json(task_page(ctx, &tasks)))))
}

/// The servers of the path, refused past the id limit as the DELETE refuses them.
pub(super) fn path_servers(ctx: Ctx<'_>, params: &Params) -> Result<Vec<i64>, OcpError> {
    let max = ctx.settings.limits.max_ids;
    let listed = params.get("obproxyIds").split(',').count();
    if listed > max {
        return Err(OcpError::invalid_parameter(
            "obproxyIds",
            params.get("obproxyIds"),
            &format!("{listed} ids, more than the limit of {max}"),
        ));
    }
    params.longs("obproxyIds")
}

/// `POST /api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/restart`: the servers are
/// RESTARTING / OPERATING, then RUNNING / NORMAL once the task succeeds.
pub fn restart(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let cluster_id = params.long("id")?;
    let server_ids = path_servers(ctx, params)?;
    let op = ServersOperation {
        caller: caller(ctx, call, "POST", RESTART),
        cluster_id,
        server_ids: &server_ids,
        status: "RESTARTING",
        version: None,
    };
    let task = state.operate_servers(ctx.templates, op)?;
    Ok((200, Some(Data::NewTask(task))))
}

/// `POST /api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/upgrade` with
/// `{"shortRpmName": ...}`: UPGRADING / OPERATING, then RUNNING / NORMAL on that package.
pub fn upgrade(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let cluster_id = params.long("id")?;
    let server_ids = path_servers(ctx, params)?;
    let package = Body::object(call.req)?.text("shortRpmName")?;
    let op = ServersOperation {
        caller: caller(ctx, call, "POST", UPGRADE),
        cluster_id,
        server_ids: &server_ids,
        status: "UPGRADING",
        version: Some(package),
    };
    let task = state.operate_servers(ctx.templates, op)?;
    Ok((200, Some(Data::NewTask(task))))
}
