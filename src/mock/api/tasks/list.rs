//! `GET /api/v2/tasks/instances`: the task list, filtered and paged as OCP documents it.

use crate::mock::api::{Call, Ctx, Data, Outcome};
use crate::mock::paging::PageRequest;
use crate::mock::request::MockRequest;
use crate::mock::router::Params;
use crate::mock::state::{State, TaskFilter};
use crate::ocp::error::OcpError;
use crate::ocp::ids::parse_long;
use crate::ocp::task::{TASK_SORT_PROPERTIES, TASK_TYPES, TaskStatus};

/// `GET /api/v2/tasks/instances`: one page of the tasks the filters admit, newest first unless
/// `sort` says `asc`.
///
/// Filters as documented: `name` (a keyword, any case), `status` (comma-separated and/or
/// repeated), `type`, `hostId` (tasks with a server on that host), `clusterId`, `cluterName`
/// (as OCP spells it; `clusterName` too), `tenantId`, `tenantName` (OceanBase clusters and
/// tenants, which the mock's OBProxy tasks belong to none of), `page`, `size` (at most 2000),
/// `sort` (`id,asc`). A value OCP could not read is a 400 naming the parameter.
pub fn list_tasks(ctx: Ctx<'_>, state: &mut State, _params: &Params, call: &Call) -> Outcome {
    let filter = read_filter(call.req)?;
    let paging = PageRequest::from_query(call.req);
    let page = state.task_page(ctx.templates, &ctx.settings.executor, &filter, paging);
    Ok((200, Some(Data::Later(page))))
}

/// Every value of query parameter `name`, in order.
fn values(req: &MockRequest, name: &str) -> Vec<String> {
    let query = req.query.as_deref().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// The first non-empty value of `name`.
fn text(req: &MockRequest, name: &str) -> Option<String> {
    req.query_param(name).filter(|v| !v.is_empty())
}

/// A `Long` parameter: absent or empty is unset, anything else must be a Java `Long`.
fn long(req: &MockRequest, name: &str) -> Result<Option<i64>, OcpError> {
    text(req, name)
        .map(|v| parse_long(&v).map_err(|e| OcpError::invalid_parameter(name, &v, &e.to_string())))
        .transpose()
}

/// The statuses of every `status` value, each a comma-separated list.
fn statuses(req: &MockRequest) -> Result<Vec<TaskStatus>, OcpError> {
    let mut out = Vec::new();
    for value in values(req, "status") {
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let status = part
                .parse::<TaskStatus>()
                .map_err(|e| OcpError::invalid_parameter("status", &value, &e.to_string()))?;
            if !out.contains(&status) {
                out.push(status);
            }
        }
    }
    Ok(out)
}

/// Whether `sort` asks for oldest first; absent is newest first.
fn ascending(req: &MockRequest) -> Result<bool, OcpError> {
    let Some(sort) = text(req, "sort") else {
        return Ok(false);
    };
    let bad = |why: &str| OcpError::invalid_parameter("sort", &sort, why);
    let (property, direction) = sort.split_once(',').unwrap_or((sort.as_str(), "asc"));
    if !TASK_SORT_PROPERTIES.contains(&property.trim()) {
        return Err(bad("the mock sorts by id, createTime or startTime"));
    }
    match direction.trim().to_ascii_lowercase().as_str() {
        "asc" => Ok(true),
        "desc" => Ok(false),
        _ => Err(bad("the direction is asc or desc")),
    }
}

/// The documented filters of the task list, read from the query.
pub fn read_filter(req: &MockRequest) -> Result<TaskFilter, OcpError> {
    let task_type = text(req, "type");
    if let Some(t) = &task_type
        && !TASK_TYPES.contains(&t.as_str())
    {
        return Err(OcpError::invalid_parameter(
            "type",
            t,
            "one of MANUAL, SYS_ONECE, SCHEDULED, SYS_SCHEDULED",
        ));
    }
    let cluster_id = long(req, "clusterId")?;
    let tenant_id = long(req, "tenantId")?;
    let named = ["cluterName", "clusterName", "tenantName"]
        .iter()
        .any(|n| text(req, n).is_some());
    Ok(TaskFilter {
        name: text(req, "name").map(|n| n.to_lowercase()),
        statuses: statuses(req)?,
        task_type,
        host_id: long(req, "hostId")?,
        ob_scope: named || cluster_id.is_some() || tenant_id.is_some(),
        ascending: ascending(req)?,
    })
}
