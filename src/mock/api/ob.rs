//! OCP's OceanBase cluster and tenant routes: list clusters, get one, list a cluster's tenants,
//! get one tenant. Read-only.
//!
//! An unknown cluster is `OBE11001` (404); an unknown tenant, or one of another cluster, is
//! `OBE21003` (404).

use http::Method;
use serde_json::Value;

use crate::mock::api::{Call, Ctx, Data, Handler, Outcome};
use crate::mock::paging::{PageRequest, enum_list_param, sort_items, text_param};
use crate::mock::request::MockRequest;
use crate::mock::router::{Params, Route};
use crate::mock::state::State;
use crate::ocp::error::{OB_CLUSTER_NOT_FOUND, OcpError, TENANT_NOT_FOUND};
use crate::ocp::inventory::{OB_CLUSTER_STATUSES, ObCluster, TENANT_MODES, TENANT_STATUSES};
use crate::ocp::version::OcpVersion;

/// Whether the profile documents `deadLockDetectionEnabled` (4.3.4's table has it, 4.2.2's
/// and 3.1.1's do not).
fn dead_lock_field(ctx: Ctx<'_>) -> bool {
    ctx.settings.ocp_version >= OcpVersion::V4_3_4
}

/// OceanBase cluster `id`, or `OBE11001` naming the path parameter `target`.
fn cluster<'s>(state: &'s State, id: i64, target: &str) -> Result<&'s ObCluster, OcpError> {
    state.inventory.ob_cluster(id).ok_or_else(|| {
        OcpError::new(&OB_CLUSTER_NOT_FOUND, vec![id.to_string()]).with_target(target)
    })
}

/// Whether `value` contains `part`, ignoring case (the lists' `name` filter).
fn contains_ignoring_case(value: &Value, part: &str) -> bool {
    value
        .as_str()
        .is_some_and(|v| v.to_lowercase().contains(&part.to_lowercase()))
}

/// A Boolean filter (`locked=true`): `None` when absent or empty; anything but `true` or
/// `false` is refused, as Spring refuses a parameter it cannot convert.
fn bool_param(req: &MockRequest, name: &str) -> Result<Option<bool>, OcpError> {
    match text_param(req, name).as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(OcpError::invalid_parameter(
            name,
            other,
            "expected true or false",
        )),
    }
}

/// `GET /api/v2/ob/clusters`: OceanBase clusters, filtered by `name` (a case-insensitive part)
/// and `status` (any of a comma-separated list), sorted and paged.
pub fn list_clusters(ctx: Ctx<'_>, state: &mut State, _params: &Params, call: &Call) -> Outcome {
    let req = call.req;
    let name = text_param(req, "name");
    let statuses = enum_list_param(req, "status", &OB_CLUSTER_STATUSES)?;
    // Read as OCP reads it, though the mock's clusters have no standby to leave out.
    bool_param(req, "withStandby")?;
    let inventory = &state.inventory;
    let mut clusters: Vec<Value> = inventory
        .ob_clusters()
        .map(|c| inventory.ob_cluster_json(c, dead_lock_field(ctx)))
        .filter(|c| {
            name.as_ref()
                .is_none_or(|n| contains_ignoring_case(&c["name"], n))
                && statuses
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| c["status"] == s.as_str()))
        })
        .collect();
    sort_items(req, &mut clusters);
    Ok((
        200,
        Some(Data::Json(
            PageRequest::from_query(req).of_items(clusters, |c| c),
        )),
    ))
}

/// `GET /api/v2/ob/clusters/{id}`: one OceanBase cluster, as the list shows it.
pub fn get_cluster(ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let id = params.long("id")?;
    let c = cluster(state, id, "id")?;
    let value = state.inventory.ob_cluster_json(c, dead_lock_field(ctx));
    Ok((200, Some(Data::Json(value))))
}

/// `GET /api/v2/ob/clusters/{clusterId}/tenants`: a cluster's tenants, filtered by `name` (a
/// case-insensitive part), `mode`, `locked`, `readonly` and `status`, sorted and paged.
pub fn list_tenants(_ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let req = call.req;
    let id = params.long("clusterId")?;
    cluster(state, id, "clusterId")?;
    let name = text_param(req, "name");
    let mode = enum_list_param(req, "mode", &TENANT_MODES)?;
    let statuses = enum_list_param(req, "status", &TENANT_STATUSES)?;
    let (locked, readonly) = (bool_param(req, "locked")?, bool_param(req, "readonly")?);
    let inventory = &state.inventory;
    let mut tenants: Vec<Value> = inventory
        .tenants_of(id)
        .filter(|t| {
            name.as_ref()
                .is_none_or(|n| t.name.to_lowercase().contains(&n.to_lowercase()))
                && mode.as_ref().is_none_or(|m| m.contains(&t.mode))
                && locked.is_none_or(|l| t.locked == l)
                && readonly.is_none_or(|r| t.readonly == r)
                && statuses.as_ref().is_none_or(|s| s.contains(&t.status))
        })
        .map(|t| inventory.tenant_json(t))
        .collect();
    sort_items(req, &mut tenants);
    Ok((
        200,
        Some(Data::Json(
            PageRequest::from_query(req).of_items(tenants, |t| t),
        )),
    ))
}

/// `GET /api/v2/ob/clusters/{clusterId}/tenants/{tenantId}`: one tenant with its zones.
pub fn get_tenant(_ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let cluster_id = params.long("clusterId")?;
    let tenant_id = params.long("tenantId")?;
    cluster(state, cluster_id, "clusterId")?;
    let tenant = state
        .inventory
        .tenant(cluster_id, tenant_id)
        .ok_or_else(|| {
            OcpError::new(&TENANT_NOT_FOUND, vec![tenant_id.to_string()])
                .with_target("tenantId")
                .with_debug(format!("no tenant {tenant_id} in cluster {cluster_id}"))
        })?;
    let value = state.inventory.tenant_detail_json(tenant);
    Ok((200, Some(Data::Json(value))))
}

/// The OceanBase family's routes.
pub const ROUTES: &[Route<Handler>] = &[
    Route {
        pattern: "/api/v2/ob/clusters",
        methods: &[(Method::GET, Handler::Ocp(list_clusters))],
    },
    Route {
        pattern: "/api/v2/ob/clusters/{id}",
        methods: &[(Method::GET, Handler::Ocp(get_cluster))],
    },
    Route {
        pattern: "/api/v2/ob/clusters/{clusterId}/tenants",
        methods: &[(Method::GET, Handler::Ocp(list_tenants))],
    },
    Route {
        pattern: "/api/v2/ob/clusters/{clusterId}/tenants/{tenantId}",
        methods: &[(Method::GET, Handler::Ocp(get_tenant))],
    },
    // The tenant page's path as written (`cluster`); its sample request says `clusters`.
    Route {
        pattern: "/api/v2/ob/cluster/{clusterId}/tenants/{tenantId}",
        methods: &[(Method::GET, Handler::Ocp(get_tenant))],
    },
];
