//! OCP's OBProxy routes: the clusters and their servers through their lifecycle.
//!
//! - here: delete OBProxies (the seed's call), list clusters, get one cluster;
//! - [`clusters`]: create, update and delete a cluster;
//! - [`proxies`]: add, take over, restart and upgrade servers;
//! - [`links`]: a cluster's links to OceanBase clusters, and its parameters;
//! - `body`: reading the JSON bodies of these calls.

mod body;
pub mod clusters;
pub mod links;
pub mod proxies;

use http::Method;

use crate::mock::api::{Call, Ctx, Data, Handler, Outcome};
use crate::mock::paging::PageRequest;
use crate::mock::router::{Params, Route};
use crate::mock::state::{Caller, DeleteCall, State};
use crate::ocp::task::TaskKind;

/// The cluster list, and where a cluster is created.
pub const CLUSTERS: &str = "/api/v2/obproxy/clusters";
/// One cluster.
pub const CLUSTER: &str = "/api/v2/obproxy/clusters/{id}";
/// Servers of a cluster, named in the path (the seed's DELETE).
pub const OBPROXIES: &str = "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}";
/// Servers added on hosts.
pub const BATCH_ADD: &str = "/api/v2/obproxy/clusters/{id}/obproxies/batchAdd";
/// Running OBProxies taken over.
pub const TAKE_OVER: &str = "/api/v2/obproxy/clusters/{id}/takeOver";
/// Servers restarted.
pub const RESTART: &str = "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/restart";
/// Servers upgraded.
pub const UPGRADE: &str = "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/upgrade";
/// Links to OceanBase clusters added.
pub const LINKS_ADD: &str = "/api/v2/obproxy/clusters/{id}/obLinks/batchAdd";
/// A link to an OceanBase cluster removed.
pub const LINK: &str = "/api/v2/obproxy/clusters/{id}/obLinks/{obClusterName}";
/// A cluster's parameters.
pub const PARAMETERS: &str = "/api/v2/obproxy/clusters/{id}/parameters";

/// Who, when and which task a call of `method pattern` creates: the profile's documented task
/// for that call (the DELETE's stands in for a call none is registered for).
fn caller<'a>(ctx: Ctx<'_>, call: &Call<'a>, method: &str, pattern: &str) -> Caller<'a> {
    Caller {
        kind: ctx
            .templates
            .documented(method, pattern)
            .unwrap_or(TaskKind::OFFLINE_OBPROXY),
        creator: call.identity,
        start_ms: call.stamp.arrival_ms,
        fail_at: call.fail_at.clone(),
    }
}

/// `DELETE /api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}`: a new "Offline obproxy" task.
pub fn delete_obproxies(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let cluster_id = params.long("id")?;
    let server_ids = proxies::path_servers(ctx, params)?;
    let task = state.delete_servers(
        ctx.templates,
        DeleteCall {
            kind: TaskKind::OFFLINE_OBPROXY,
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
/// every list does ([`PageRequest::from_query`]: Spring Data's one-indexed resolver, refusing nothing). Every
/// other query parameter is ignored, as Spring ignores parameters a handler does not bind.
pub fn list_clusters(_ctx: Ctx<'_>, state: &mut State, _params: &Params, call: &Call) -> Outcome {
    let page = PageRequest::from_query(call.req);
    Ok((200, Some(Data::Later(state.clusters_page(page)))))
}

/// `GET /api/v2/obproxy/clusters/{id}`: one OBProxy cluster with its servers.
pub fn get_cluster(_ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let id = params.long("id")?;
    Ok((200, Some(Data::Json(state.cluster(id)?))))
}

/// The OBProxy family's routes. `batchAdd` comes before the servers of the path, which its
/// path also matches.
pub const ROUTES: &[Route<Handler>] = &[
    Route {
        pattern: BATCH_ADD,
        methods: &[(Method::POST, Handler::Ocp(proxies::batch_add))],
    },
    Route {
        pattern: OBPROXIES,
        methods: &[(Method::DELETE, Handler::Ocp(delete_obproxies))],
    },
    Route {
        pattern: CLUSTERS,
        methods: &[
            (Method::GET, Handler::Ocp(list_clusters)),
            (Method::POST, Handler::Ocp(clusters::create_cluster)),
        ],
    },
    Route {
        pattern: CLUSTER,
        methods: &[
            (Method::GET, Handler::Ocp(get_cluster)),
            (Method::PATCH, Handler::Ocp(clusters::update_cluster)),
            (Method::DELETE, Handler::Ocp(clusters::delete_cluster)),
        ],
    },
    Route {
        pattern: TAKE_OVER,
        methods: &[(Method::POST, Handler::Ocp(proxies::take_over))],
    },
    Route {
        pattern: RESTART,
        methods: &[(Method::POST, Handler::Ocp(proxies::restart))],
    },
    Route {
        pattern: UPGRADE,
        methods: &[(Method::POST, Handler::Ocp(proxies::upgrade))],
    },
    Route {
        pattern: LINKS_ADD,
        methods: &[(Method::POST, Handler::Ocp(links::add_links))],
    },
    Route {
        pattern: LINK,
        methods: &[(Method::DELETE, Handler::Ocp(links::remove_link))],
    },
    Route {
        pattern: PARAMETERS,
        methods: &[(Method::GET, Handler::Ocp(links::parameters))],
    },
];
