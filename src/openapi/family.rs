//! What the routes the mock answers from its state read of a request beyond their pages'
//! tables, as schemas: the enums their filters take, Spring's lenient paging, the Long ids of
//! their paths, and the bodies of the OBProxy and host calls, field by field.
//!
//! The handlers (`mock/api/`) check these rules in code; the document states them, so that a
//! request the document allows is one the handler accepts. The enums are the model's own
//! lists, shared with the handlers; a test holds the routes listed here to the mock's
//! stateful routes, and Schemathesis in `.ci/run` holds each rule to its handler.

use serde_json::{Value, json};

use crate::ocp::inventory::{
    HOST_STATUSES, OB_CLUSTER_STATUSES, SERVICE_TYPES, TENANT_MODES, TENANT_STATUSES, WORK_MODES,
};
use crate::ocp::task::{TASK_SORT_PROPERTIES, TASK_TYPES, TaskStatus};

/// The most ids or items one call's list may hold: the mock's default `--max-ids`.
const MAX_ITEMS: usize = 1000;

/// The routes the mock answers from its state, as (method, pattern): every capture of their
/// paths is read as a Java `Long` (a list of them for `obproxyIds`), but the name of an
/// OceanBase cluster.
pub const STATEFUL: &[(&str, &str)] = &[
    (
        "DELETE",
        "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}",
    ),
    ("POST", "/api/v2/obproxy/clusters/{id}/obproxies/batchAdd"),
    ("GET", "/api/v2/obproxy/clusters"),
    ("POST", "/api/v2/obproxy/clusters"),
    ("GET", "/api/v2/obproxy/clusters/{id}"),
    ("PATCH", "/api/v2/obproxy/clusters/{id}"),
    ("DELETE", "/api/v2/obproxy/clusters/{id}"),
    ("POST", "/api/v2/obproxy/clusters/{id}/takeOver"),
    (
        "POST",
        "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/restart",
    ),
    (
        "POST",
        "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/upgrade",
    ),
    ("POST", "/api/v2/obproxy/clusters/{id}/obLinks/batchAdd"),
    (
        "DELETE",
        "/api/v2/obproxy/clusters/{id}/obLinks/{obClusterName}",
    ),
    ("GET", "/api/v2/obproxy/clusters/{id}/parameters"),
    ("POST", "/api/v2/obproxy/clusters/{id}/servers/delete"),
    ("GET", "/api/v2/tasks/instances"),
    ("GET", "/api/v2/tasks/instances/{taskInstanceId}"),
    ("POST", "/api/v2/tasks/instances/{taskInstanceId}/retry"),
    ("POST", "/api/v2/tasks/instances/{taskInstanceId}/rollback"),
    (
        "POST",
        "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/retry",
    ),
    (
        "POST",
        "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/skip",
    ),
    (
        "POST",
        "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/cancel",
    ),
    (
        "GET",
        "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/log",
    ),
    ("GET", "/api/v2/time"),
    ("GET", "/api/v2/info"),
    ("GET", "/api/v2/compute/hosts"),
    ("POST", "/api/v2/compute/hosts/batchDelete"),
    ("GET", "/api/v2/compute/hosts/{hostId}"),
    ("DELETE", "/api/v2/compute/hosts/{hostId}"),
    ("GET", "/api/v2/ob/clusters"),
    ("GET", "/api/v2/ob/clusters/{id}"),
    ("GET", "/api/v2/ob/clusters/{clusterId}/tenants"),
    ("GET", "/api/v2/ob/clusters/{clusterId}/tenants/{tenantId}"),
    ("GET", "/api/v2/ob/cluster/{clusterId}/tenants/{tenantId}"),
];

/// Whether the mock answers `method` on `pattern` from its state.
pub fn is_stateful(method: &str, pattern: &str) -> bool {
    STATEFUL.contains(&(method, pattern))
}

/// The schema of a capture of a stateful route.
pub fn path(name: &str) -> Value {
    match name {
        "obClusterName" => json!({"type": "string"}),
        "obproxyIds" => json!({"type": "array", "items": long(), "minItems": 1}),
        _ => long(),
    }
}

/// The schema of a query parameter a stateful route reads its own way, if it does.
pub fn query(method: &str, pattern: &str, name: &str) -> Option<Value> {
    if method != "GET" {
        return None;
    }
    let task_statuses = [
        TaskStatus::Running,
        TaskStatus::Failed,
        TaskStatus::Successful,
    ]
    .map(TaskStatus::as_str);
    if !is_stateful(method, pattern) {
        return None;
    }
    match (pattern, name) {
        (_, "page" | "size") => Some(paging()),
        ("/api/v2/compute/hosts", "status") => Some(enum_list(&HOST_STATUSES)),
        ("/api/v2/compute/hosts", "includedServiceType" | "excludedServiceType") => {
            Some(enum_list(&SERVICE_TYPES))
        }
        ("/api/v2/ob/clusters", "status") => Some(enum_list(&OB_CLUSTER_STATUSES)),
        ("/api/v2/ob/clusters", "withStandby")
        | ("/api/v2/ob/clusters/{clusterId}/tenants", "locked" | "readonly") => Some(
            json!({"anyOf": [{"type": "boolean"}, empty()], "description": "Empty: no filter."}),
        ),
        ("/api/v2/ob/clusters/{clusterId}/tenants", "status") => Some(enum_list(&TENANT_STATUSES)),
        ("/api/v2/ob/clusters/{clusterId}/tenants", "mode") => Some(enum_list(&TENANT_MODES)),
        ("/api/v2/tasks/instances", "status") => Some(enum_list(&task_statuses)),
        ("/api/v2/tasks/instances", "type") => {
            let mut values: Vec<&str> = TASK_TYPES.to_vec();
            values.push("");
            Some(json!({"type": "string", "enum": values}))
        }
        ("/api/v2/tasks/instances", "clusterId" | "tenantId" | "hostId") => {
            Some(json!({"anyOf": [long(), empty()], "description": "Empty: no filter."}))
        }
        ("/api/v2/tasks/instances", "sort") => Some(task_sort()),
        _ => None,
    }
}

/// The JSON body a stateful route reads, if it reads one.
pub fn body(method: &str, pattern: &str) -> Option<Value> {
    let schema = match (method, pattern) {
        ("POST", "/api/v2/obproxy/clusters") => create_cluster(),
        ("PATCH", "/api/v2/obproxy/clusters/{id}") => object(
            &[],
            json!({"address": nullable(non_blank()), "port": nullable(port())}),
        ),
        ("POST", "/api/v2/obproxy/clusters/{id}/obproxies/batchAdd") => object(
            &["hostIds", "sqlPort", "exporterPort", "version"],
            json!({
                "hostIds": longs(true),
                "sqlPort": port(),
                "exporterPort": port(),
                "version": non_blank(),
            }),
        ),
        ("POST", "/api/v2/obproxy/clusters/{id}/takeOver") => {
            let host = object(
                &["hostId", "sqlPort"],
                json!({"hostId": long(), "sqlPort": port()}),
            );
            let mut hosts = items(host);
            hosts["uniqueItems"] = json!(true);
            hosts["description"] = json!("Each host once.");
            object(&["hosts"], json!({"hosts": hosts}))
        }
        ("POST", "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/upgrade") => {
            object(&["shortRpmName"], json!({"shortRpmName": non_blank()}))
        }
        ("POST", "/api/v2/obproxy/clusters/{id}/obLinks/batchAdd") => items(ob_link()),
        ("POST", "/api/v2/obproxy/clusters/{id}/servers/delete") => object(
            &["obproxyServerIds"],
            json!({
                "obproxyServerIds": longs(true),
                "skipHostOperationServerIds": nullable(json!({
                    "type": "array",
                    "items": long(),
                    "maxItems": MAX_ITEMS,
                    "uniqueItems": true,
                    "description": "Each one among obproxyServerIds.",
                })),
            }),
        ),
        ("POST", "/api/v2/compute/hosts/batchDelete") => {
            object(&["hostIdList"], json!({"hostIdList": longs(false)}))
        }
        _ => return None,
    };
    Some(schema)
}

/// `POST /api/v2/obproxy/clusters`: `name` required; with `obproxyInstallParam.hostIds` the
/// cluster gets a server on each host, and `version` is required.
fn create_cluster() -> Value {
    let install = nullable(json!({
        "type": "object",
        "if": {"required": ["hostIds"], "properties": {"hostIds": {"not": {"type": "null"}}}},
        "then": object(
            &["hostIds", "version"],
            json!({
                "hostIds": longs(true),
                "sqlPort": nullable(port()),
                "exportPort": nullable(port()),
                "version": non_blank(),
            }),
        ),
    }));
    object(
        &["name"],
        json!({
            "name": non_blank(),
            "address": {"type": ["string", "null"]},
            "port": nullable(port()),
            "workMode": {"enum": [WORK_MODES[0], WORK_MODES[1], null]},
            "obLinks": nullable(items(ob_link())),
            "obproxyInstallParam": install,
            "startupParameters": {},
            "parameters": {},
        }),
    )
}

/// An ObLink as a request gives it; `clusterId` defaults to `obClusterId`.
fn ob_link() -> Value {
    object(
        &["obClusterId", "clusterName", "username"],
        json!({
            "obClusterId": long(),
            "clusterId": nullable(long()),
            "clusterName": non_blank(),
            "username": non_blank(),
        }),
    )
}

/// An object of `properties`, `required` present and not null; other fields ignored.
fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

/// A list of 1 to [`MAX_ITEMS`] items.
fn items(item: Value) -> Value {
    json!({"type": "array", "items": item, "minItems": 1, "maxItems": MAX_ITEMS})
}

/// A list of 1 to [`MAX_ITEMS`] Longs; `unique` where a repeat is refused.
fn longs(unique: bool) -> Value {
    let mut schema = items(long());
    if unique {
        schema["uniqueItems"] = json!(true);
    }
    schema
}

/// A Java `Long`.
fn long() -> Value {
    json!({"type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX})
}

/// A TCP port.
fn port() -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": 65535})
}

/// Text with something besides white space.
fn non_blank() -> Value {
    json!({"type": "string", "pattern": "\\S"})
}

/// An empty query value, which a filter reads as no filter.
fn empty() -> Value {
    json!({"type": "string", "maxLength": 0})
}

/// `schema`, or null (read as absent).
fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// Spring Data's paging parameter: a number from 1; any other text takes the default.
fn paging() -> Value {
    json!({
        "anyOf": [{"type": "integer", "format": "int32", "minimum": 1}, {"type": "string"}],
        "description": "Read as Spring Data reads it: text that is not a 32-bit number takes \
                        the default (page 1, size 10), a size past 2000 is 2000.",
    })
}

/// A comma-separated list of enum values (empty: no filter).
fn enum_list(values: &[&str]) -> Value {
    json!({"type": "array", "items": {"type": "string", "enum": values}})
}

/// The task list's `sort`: a property, and optionally `asc` or `desc` after a comma.
fn task_sort() -> Value {
    let properties = TASK_SORT_PROPERTIES.join("|");
    json!({
        "type": "string",
        "pattern": format!("^( *({properties}) *(, *([Aa][Ss][Cc]|[Dd][Ee][Ss][Cc]) *)?)?$"),
    })
}
