//! OCP's host routes: list hosts, get one, delete one, delete several.
//!
//! A host an OBProxy server or a running task still uses is refused (`CMP07004`, 409); an
//! unknown host is `CMP07005` (404). A deleted host is gone until `/__mock/reset`.

use http::Method;
use serde_json::Value;

use crate::mock::api::{Call, Ctx, Data, Handler, Outcome};
use crate::mock::later::Later;
use crate::mock::paging::{PageRequest, enum_list_param, sort_by, text_param};
use crate::mock::router::{Params, Route};
use crate::mock::state::{State, host_not_found};
use crate::ocp::error::OcpError;
use crate::ocp::ids::json_long;
use crate::ocp::inventory::{HOST_STATUSES, HostView, SERVICE_TYPES};

/// The body's list of hosts to delete (`POST .../batchDelete`).
const HOST_ID_LIST: &str = "hostIdList";

/// `GET /api/v2/compute/hosts`: hosts, filtered and paged.
///
/// The documented filters: `status` (any of a comma-separated list), `keyword` (a
/// case-insensitive part of the name, the IP or a service's name), `includedServiceType` (runs
/// one of them), `excludedServiceType` (runs none of them); then `sort`, `page`, `size`. A
/// status or service type OCP does not document is a 400, as Spring refuses an unknown enum.
pub fn list_hosts(_ctx: Ctx<'_>, state: &mut State, _params: &Params, call: &Call) -> Outcome {
    let req = call.req;
    let filter = HostFilter {
        statuses: enum_list_param(req, "status", &HOST_STATUSES)?,
        keyword: text_param(req, "keyword").map(|k| k.to_lowercase()),
        included: enum_list_param(req, "includedServiceType", &SERVICE_TYPES)?,
        excluded: enum_list_param(req, "excludedServiceType", &SERVICE_TYPES)?,
    };
    let sort = text_param(req, "sort");
    let paging = PageRequest::from_query(req);
    // Under the lock only pointer copies; filtered, sorted and written after it is released.
    let views = state.inventory.host_views();
    let hint = 256 + views.len().min(paging.limit()) * 1024;
    let page = Later::new(hint, move |out| {
        let mut hosts: Vec<Value> = views
            .iter()
            .filter(|v| filter.admits(v))
            .map(HostView::to_json)
            .collect();
        sort_by(sort.as_deref(), &mut hosts);
        // Writing JSON into a Vec cannot fail.
        let _ = serde_json::to_writer(out, &paging.of_items(hosts, |h| h));
    });
    Ok((200, Some(Data::Later(page))))
}

/// The host list's documented filters, each `None` when not given.
struct HostFilter {
    statuses: Option<Vec<String>>,
    keyword: Option<String>,
    included: Option<Vec<String>>,
    excluded: Option<Vec<String>>,
}

impl HostFilter {
    /// Whether the host passes every filter given.
    fn admits(&self, view: &HostView) -> bool {
        let h = view.host();
        let runs = |types: &[String]| view.service_types().any(|s| types.iter().any(|t| t == s));
        let has = |text: &str, k: &str| text.to_lowercase().contains(k);
        self.statuses.as_ref().is_none_or(|s| s.contains(&h.status))
            && self.keyword.as_ref().is_none_or(|k| {
                has(&h.name, k) || has(&h.ip, k) || view.service_names().any(|n| has(n, k))
            })
            && self.included.as_ref().is_none_or(|t| runs(t))
            && self.excluded.as_ref().is_none_or(|t| !runs(t))
    }
}

/// `GET /api/v2/compute/hosts/{hostId}`: one host as OCP's host detail shows it.
pub fn get_host(_ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let id = params.long("hostId")?;
    let host = state
        .inventory
        .host(id)
        .ok_or_else(|| host_not_found(id, "hostId"))?;
    Ok((200, Some(Data::Json(state.inventory.host_json(host)))))
}

/// `DELETE /api/v2/compute/hosts/{hostId}`: the host is gone, unless something uses it. The
/// documented answer has no `data`.
pub fn delete_host(_ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let id = params.long("hostId")?;
    state.delete_hosts(&[id], "hostId")?;
    Ok((200, None))
}

/// `POST /api/v2/compute/hosts/batchDelete` with `{"hostIdList": [...]}`: all the hosts go, or
/// none does (the first host refused is the answer). A repeated id counts once.
pub fn batch_delete(ctx: Ctx<'_>, state: &mut State, _params: &Params, call: &Call) -> Outcome {
    let ids = host_id_list(&call.req.body, ctx.settings.limits.max_ids)?;
    state.delete_hosts(&ids, HOST_ID_LIST)?;
    Ok((200, None))
}

/// The body's `hostIdList`: a non-empty list of Longs no longer than `max`, repeats folded.
fn host_id_list(body: &[u8], max: usize) -> Result<Vec<i64>, OcpError> {
    let text = String::from_utf8_lossy(body);
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| OcpError::invalid_parameter("body", &text, &e.to_string()))?;
    let list = value.get(HOST_ID_LIST).unwrap_or(&Value::Null);
    let bad = |why: &str| OcpError::invalid_parameter(HOST_ID_LIST, &list.to_string(), why);
    let items = list
        .as_array()
        .ok_or_else(|| bad("a list of host ids is required"))?;
    if items.is_empty() {
        return Err(bad("must not be empty"));
    }
    if items.len() > max {
        return Err(bad(&format!(
            "{} ids, more than the limit of {max}",
            items.len()
        )));
    }
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let id = json_long(item).ok_or_else(|| bad("not a list of ids"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The host family's routes (`batchDelete` before `{hostId}`, which would take it).
pub const ROUTES: &[Route<Handler>] = &[
    Route {
        pattern: "/api/v2/compute/hosts",
        methods: &[(Method::GET, Handler::Ocp(list_hosts))],
    },
    Route {
        pattern: "/api/v2/compute/hosts/batchDelete",
        methods: &[(Method::POST, Handler::Ocp(batch_delete))],
    },
    Route {
        pattern: "/api/v2/compute/hosts/{hostId}",
        methods: &[
            (Method::GET, Handler::Ocp(get_host)),
            (Method::DELETE, Handler::Ocp(delete_host)),
        ],
    },
];
