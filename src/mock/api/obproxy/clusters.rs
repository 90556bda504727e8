//! Creating, updating and deleting OBProxy clusters.
//!
//! Create and delete answer a task, as OCP documents them ("Install obproxy", "Offline
//! obproxy"); the cluster appears, or is gone with its servers, when the task succeeds. An
//! update answers the cluster at once.

use super::body::{Body, ob_links};
use super::{CLUSTER, CLUSTERS, caller};
use crate::mock::api::{Call, Ctx, Data, Outcome};
use crate::mock::router::Params;
use crate::mock::sim::effect::NewCluster;
use crate::mock::state::{ClusterCreate, State};
use crate::ocp::error::OcpError;
use crate::ocp::inventory::WORK_MODES;

/// The port clients reach a cluster on when a create does not say: OBProxy's SQL port.
const DEFAULT_PORT: u16 = 2883;
/// The exporter port of OBProxy when not given.
const DEFAULT_EXPORTER_PORT: u16 = 2884;

/// `POST /api/v2/obproxy/clusters`: a cluster to create, by an "Install obproxy" task.
///
/// `name` is required; `address` defaults to the first install host's IP (else 127.0.0.1),
/// `port` to 2883, `workMode` to `CONFIG_URL`. With `obproxyInstallParam.hostIds` not empty
/// the cluster comes with a server on each host, and `version` is required.
pub fn create_cluster(ctx: Ctx<'_>, state: &mut State, _params: &Params, call: &Call) -> Outcome {
    let body = Body::object(call.req)?;
    let name = body.text("name")?;
    let work_mode = body
        .opt_text("workMode")?
        .unwrap_or_else(|| WORK_MODES[0].to_owned());
    if !WORK_MODES.contains(&work_mode.as_str()) {
        return Err(OcpError::invalid_parameter(
            "workMode",
            &work_mode,
            "not CONFIG_URL or RS_LIST",
        ));
    }
    let port = body.opt_port("port")?.unwrap_or(DEFAULT_PORT);
    let links = match body.has("obLinks") {
        true => ob_links(&body.objects("obLinks", ctx.settings.limits.max_ids)?)?,
        false => Vec::new(),
    };
    let install = body.opt_object("obproxyInstallParam")?;
    let (host_ids, sql_port, exporter_port, version) = match install {
        Some(p) if p.has("hostIds") => (
            p.longs("hostIds", ctx.settings.limits.max_ids)?,
            p.opt_port("sqlPort")?.unwrap_or(DEFAULT_PORT),
            p.opt_port("exportPort")?.unwrap_or(DEFAULT_EXPORTER_PORT),
            p.text("version")?,
        ),
        _ => (
            Vec::new(),
            DEFAULT_PORT,
            DEFAULT_EXPORTER_PORT,
            String::new(),
        ),
    };
    let first_ip = host_ids
        .first()
        .and_then(|&h| state.inventory.host(h))
        .map(|h| h.ip.clone());
    let address = match body.opt_text("address")? {
        Some(a) => a,
        None => first_ip.unwrap_or_else(|| "127.0.0.1".to_owned()),
    };
    let cluster = NewCluster {
        name,
        address,
        port,
        work_mode,
        host_ids,
        sql_port,
        exporter_port,
        version,
        ob_links: links,
        creator: (call.identity.id, call.identity.name.clone()),
    };
    let caller = caller(ctx, call, "POST", CLUSTERS);
    let task = state.create_cluster(ctx.templates, ClusterCreate { caller, cluster })?;
    Ok((200, Some(Data::NewTask(task))))
}

/// `PATCH /api/v2/obproxy/clusters/{id}`: sets `address` and `port` (those given; other
/// fields are ignored) and answers the cluster as updated.
pub fn update_cluster(_ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let id = params.long("id")?;
    let body = Body::object(call.req)?;
    let address = body.opt_text("address")?;
    if address.as_deref().is_some_and(|a| a.trim().is_empty()) {
        return Err(OcpError::invalid_parameter(
            "address",
            "",
            "must not be blank",
        ));
    }
    let port = body.opt_port("port")?;
    let cluster = state.update_cluster(id, address, port, call.stamp.arrival_ms)?;
    Ok((200, Some(Data::Json(cluster))))
}

/// `DELETE /api/v2/obproxy/clusters/{id}`: the cluster and its servers, by an "Offline
/// obproxy" task.
pub fn delete_cluster(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let id = params.long("id")?;
    let caller = caller(ctx, call, "DELETE", CLUSTER);
    let task = state.delete_cluster(ctx.templates, id, caller)?;
    Ok((200, Some(Data::NewTask(task))))
}
