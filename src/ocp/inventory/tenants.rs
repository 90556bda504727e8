//! Tenants of OceanBase clusters, as OCP's tenant list (`GET /api/v2/ob/clusters/{id}/tenants`)
//! and tenant detail show them.
//!
//! A file names at least `id`, `clusterId`, `name` and `mode`; the other fields take the values
//! of the documented detail sample. What a tenant shows of its cluster (`clusterName`,
//! `clusterType`, `clusterStatus`, `obClusterId`, `obVersion`) is read from the cluster.

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value, json};

use super::{Inventory, InventoryError, file};
use crate::ocp::time::format_seconds;

/// A tenant of an OceanBase cluster.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tenant {
    /// OCP's id of the tenant, as paths name it.
    pub id: i64,
    /// The OCP id of its OceanBase cluster.
    pub cluster_id: i64,
    /// Its name (`sys`).
    pub name: String,
    /// MYSQL or ORACLE.
    pub mode: String,
    /// OceanBase's own id of the tenant.
    #[serde(default = "one")]
    pub ob_tenant_id: i64,
    /// When it was created, in epoch milliseconds (written in whole seconds).
    #[serde(
        rename = "createTime",
        default = "create_time",
        deserialize_with = "file::ocp_time"
    )]
    pub create_time_ms: i64,
    /// Its zone priority (`zone1;zone2`).
    #[serde(default = "zone1")]
    pub primary_zone: String,
    /// Its zones (`zone1;zone2;zone3`).
    #[serde(default = "zone1")]
    pub zone_list: String,
    /// Its replica distribution (`FULL{1}@zone1`).
    #[serde(default = "locality")]
    pub locality: String,
    /// One of [`TENANT_STATUSES`].
    #[serde(default = "normal")]
    pub status: String,
    /// Whether it is locked.
    #[serde(default)]
    pub locked: bool,
    /// Whether it is read-only.
    #[serde(default)]
    pub readonly: bool,
    /// A free description, written only when set (as OCP omits nulls).
    #[serde(default)]
    pub description: Option<String>,
    /// Its character set.
    #[serde(default = "charset")]
    pub charset: String,
    /// Its collation.
    #[serde(default = "collation")]
    pub collation: String,
    /// The addresses allowed to connect.
    #[serde(default = "whitelist")]
    pub whitelist: String,
    /// Whether SQL audit is on.
    #[serde(default = "yes")]
    pub sql_audit_enabled: bool,
    /// Its zones, with their resource pools and units, as the detail shows them.
    #[serde(default)]
    pub zones: Vec<TenantZone>,
}

/// A zone of a tenant (the detail's "zone information").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantZone {
    /// The zone's name.
    pub name: String,
    /// FULL, READONLY, ...
    pub replica_type: String,
    /// The tenant's resource pool in the zone.
    pub resource_pool: ResourcePool,
    /// Its units in the zone.
    #[serde(default)]
    pub units: Vec<Unit>,
}

/// A resource pool of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourcePool {
    /// The pool's id.
    pub id: i64,
    /// The pool's name.
    pub name: String,
    /// The unit configuration of its units.
    pub unit_config: UnitConfig,
    /// How many units it has.
    pub unit_count: i64,
}

/// A unit configuration: CPU in cores (fractions allowed), memory in GB.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnitConfig {
    /// The most CPU cores a unit takes.
    pub max_cpu_core_count: Number,
    /// The most memory a unit takes, in GB.
    pub max_memory_size: i64,
    /// The least CPU cores a unit takes.
    pub min_cpu_core_count: Number,
    /// The least memory a unit takes, in GB.
    pub min_memory_size: i64,
}

/// A unit of a tenant, on one OBServer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unit {
    /// The unit's id.
    pub id: i64,
    /// Its resource pool's id.
    pub resource_pool_id: i64,
    /// The OBServer it is on.
    pub server_id: i64,
    /// That OBServer's IP.
    pub server_ip: String,
    /// That OBServer's RPC port.
    pub server_port: u16,
    /// The unit's status (ACTIVE, ...).
    pub status: String,
    /// Its zone.
    pub zone_name: String,
}

/// Every tenant `status` OCP documents.
pub const TENANT_STATUSES: [&str; 4] = ["NORMAL", "CREATING", "MODIFYING", "DELETING"];

/// Every tenant `mode` OCP documents.
pub const TENANT_MODES: [&str; 2] = ["MYSQL", "ORACLE"];

fn one() -> i64 {
    1
}

fn yes() -> bool {
    true
}

fn zone1() -> String {
    "zone1".into()
}

fn locality() -> String {
    "FULL{1}@zone1".into()
}

fn normal() -> String {
    "NORMAL".into()
}

fn charset() -> String {
    "utf8mb4".into()
}

fn collation() -> String {
    "utf8mb4_general_ci".into()
}

fn whitelist() -> String {
    "%".into()
}

/// The detail sample's `createTime`, `2021-09-02T16:39:57+08:00`.
fn create_time() -> i64 {
    1_630_571_997_000
}

impl Inventory {
    /// A tenant names a known cluster, a mode and a status OCP documents.
    pub(super) fn check_tenant(&self, i: usize, t: &Tenant) -> Result<(), InventoryError> {
        let at = |field: &str, reason: String| InventoryError {
            pointer: format!("/tenants/{i}/{field}"),
            reason,
        };
        if !self.ob_clusters.contains_key(&t.cluster_id) {
            return Err(at("clusterId", format!("no cluster {}", t.cluster_id)));
        }
        if !TENANT_MODES.contains(&t.mode.as_str()) {
            return Err(at("mode", format!("unknown mode {:?}", t.mode)));
        }
        if !TENANT_STATUSES.contains(&t.status.as_str()) {
            return Err(at("status", format!("unknown status {:?}", t.status)));
        }
        Ok(())
    }

    /// Tenant `id` of cluster `cluster_id`, if that cluster has it.
    pub fn tenant(&self, cluster_id: i64, id: i64) -> Option<&Tenant> {
        self.tenants.get(&id).filter(|t| t.cluster_id == cluster_id)
    }

    /// The tenants of one cluster, by id.
    pub fn tenants_of(&self, cluster_id: i64) -> impl Iterator<Item = &Tenant> {
        self.tenants
            .values()
            .filter(move |t| t.cluster_id == cluster_id)
    }

    /// A tenant as OCP's tenant list shows it.
    pub fn tenant_json(&self, t: &Tenant) -> Value {
        let cluster = self.ob_cluster(t.cluster_id);
        let mut value = json!({
            "clusterId": t.cluster_id,
            "clusterName": cluster.map_or("", |c| c.name.as_str()),
            "clusterType": cluster.map_or("", |c| c.cluster_type.as_str()),
            "createTime": format_seconds(t.create_time_ms),
            "id": t.id,
            "locality": t.locality,
            "locked": t.locked,
            "mode": t.mode,
            "name": t.name,
            "obClusterId": cluster.map_or(0, |c| c.ob_cluster_id),
            "obVersion": cluster.map_or("", |c| c.ob_version.as_str()),
            "primaryZone": t.primary_zone,
            "readonly": t.readonly,
            "status": t.status,
            "zoneList": t.zone_list,
        });
        if let Some(description) = &t.description {
            value["description"] = json!(description);
        }
        value
    }

    /// A tenant as OCP's tenant detail shows it: the list's fields and the detail sample's.
    pub fn tenant_detail_json(&self, t: &Tenant) -> Value {
        let mut value = self.tenant_json(t);
        let status = self
            .ob_cluster(t.cluster_id)
            .map_or("", |c| c.status.as_str());
        value["charset"] = json!(t.charset);
        value["clusterStatus"] = json!(status);
        value["collation"] = json!(t.collation);
        value["obTenantId"] = json!(t.ob_tenant_id);
        value["sqlAuditEnabled"] = json!(t.sql_audit_enabled);
        value["whitelist"] = json!(t.whitelist);
        value["zones"] = json!(t.zones);
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_time_is_the_documented_one() {
        assert_eq!(format_seconds(create_time()), "2021-09-02T16:39:57+08:00");
    }
}
