//! OCP's OBProxy routes: delete OBProxies (a new task), list clusters, get one cluster.

use http::Method;

use crate::mock::api::{Call, Ctx, Data, Handler, Outcome};
use crate::mock::paging::PageRequest;
use crate::mock::router::{Params, Route};
use crate::mock::state::{DeleteCall, State};
use crate::ocp::error::OcpError;
use crate::ocp::task::TaskKind;

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
    let task = state.delete_servers(
        ctx.templates,
        DeleteCall {
            kind: TaskKind::OfflineObproxy,
            target: "obproxyIds",
            cluster_id,
            server_ids: &server_ids,
            skip_host_servers: &[],
            creator: call.identity,
            start_ms: call.stamp.arrival_ms,
            fail_at: call.fail_at.clone(),
        },
    )?;
    Ok((200, Some(Data::NewTask(task))))
}

/// `GET /api/v2/obproxy/clusters`: OBProxy clusters, paged.
///
/// OCP documents no request parameter here, yet answers a page object, so the mock pages as
/// every list route does ([`PageRequest::from_query`]) and refuses nothing. Every other query
/// parameter is ignored, as Spring ignores parameters a handler does not bind.
pub fn list_clusters(_ctx: Ctx<'_>, state: &mut State, _params: &Params, call: &Call) -> Outcome {
    let paging = PageRequest::from_query(call.req);
    Ok((200, Some(Data::Json(state.clusters_page(paging)))))
}

/// `GET /api/v2/obproxy/clusters/{id}`: one OBProxy cluster with its servers.
pub fn get_cluster(_ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let id = params.long("id")?;
    Ok((200, Some(Data::Json(state.cluster(id)?))))
}

/// The OBProxy family's routes.
pub const ROUTES: &[Route<Handler>] = &[
    Route {
        pattern: "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}",
        methods: &[(Method::DELETE, Handler::Ocp(delete_obproxies))],
    },
    Route {
        pattern: "/api/v2/obproxy/clusters",
        methods: &[(Method::GET, Handler::Ocp(list_clusters))],
    },
    Route {
        pattern: "/api/v2/obproxy/clusters/{id}",
        methods: &[(Method::GET, Handler::Ocp(get_cluster))],
    },
];
