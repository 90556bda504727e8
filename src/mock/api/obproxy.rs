//! OCP's OBProxy routes: delete OBProxies (a new task), list clusters, get one cluster.

use crate::mock::api::{Call, Ctx, Data, Outcome, page_param};
use crate::mock::router::Params;
use crate::mock::state::State;
use crate::ocp::error::OcpError;

/// `DELETE /api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}`: a new "Offline obproxy" task.
pub fn delete_obproxies(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let cluster_id = params.long("id")?;
    let max = ctx.settings.limits.max_ids;
    let listed = params.get("obproxyIds").split(',').count();
    if listed > max {
        return Err(OcpError::invalid_parameter(
            "obproxyIds",
            params.get("obproxyIds"),
            &format!("{listed} ids, more than the limit of {max}"),
        ));
    }
    let server_ids = params.longs("obproxyIds")?;
    let task = state.delete_obproxies(
        ctx.template,
        cluster_id,
        &server_ids,
        call.identity,
        call.stamp.arrival_ms,
        call.fail_at.clone(),
    )?;
    Ok((200, Some(Data::NewTask(task))))
}

/// `GET /api/v2/obproxy/clusters?page=1&size=10`: OBProxy clusters, paged.
pub fn list_clusters(_ctx: Ctx<'_>, state: &mut State, _params: &Params, call: &Call) -> Outcome {
    let page = page_param(call.req, "page", 1, i64::from(i32::MAX))?;
    let size = page_param(call.req, "size", 10, 2000)?;
    Ok((200, Some(Data::Json(state.clusters_page(page, size)))))
}

/// `GET /api/v2/obproxy/clusters/{id}`: one OBProxy cluster with its servers.
pub fn get_cluster(_ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let id = params.long("id")?;
    Ok((200, Some(Data::Json(state.cluster(id)?))))
}
