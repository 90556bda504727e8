//! OceanBase clusters, as OCP's cluster list (`GET /api/v2/ob/clusters`) shows them.
//!
//! A file names at least `id`, `name`, `obClusterId`, `obVersion`, `status` and `type`; the
//! other fields take the documented sample's values. `tenantCount` and `serverCount` are counted
//! (from the tenants of the file and the zones' `serverCount`), never written.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Inventory, InventoryError, OB_CLUSTER_STATUSES, OB_CLUSTER_TYPES, file};
use crate::ocp::time::format_seconds;

/// An OceanBase cluster managed by OCP (ObCluster).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObCluster {
    /// OCP's id of the cluster, as paths name it.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// OceanBase's own id of the cluster (`cluster_id` of its observers).
    pub ob_cluster_id: i64,
    /// The OceanBase version it runs.
    pub ob_version: String,
    /// One of [`OB_CLUSTER_STATUSES`].
    pub status: String,
    /// PRIMARY or STANDBY.
    #[serde(rename = "type")]
    pub cluster_type: String,
    /// Who created it in OCP.
    #[serde(default = "file::creator_name")]
    pub creator: String,
    /// When it was created, in epoch milliseconds (written in whole seconds).
    #[serde(
        rename = "createTime",
        default = "create_time",
        deserialize_with = "file::ocp_time"
    )]
    pub create_time_ms: i64,
    /// When it was last modified, in epoch milliseconds (written in whole seconds).
    #[serde(
        rename = "updateTime",
        default = "create_time",
        deserialize_with = "file::ocp_time"
    )]
    pub update_time_ms: i64,
    /// How many regions its zones span.
    #[serde(default = "one")]
    pub region_count: i64,
    /// How many partitions it holds.
    #[serde(default)]
    pub partition_count: i64,
    /// Whether automatic deadlock detection is on (documented from 4.3.4).
    #[serde(default)]
    pub dead_lock_detection_enabled: bool,
    /// Its RootServers.
    #[serde(default)]
    pub root_servers: Vec<RootServer>,
    /// Its zones.
    #[serde(default)]
    pub zones: Vec<ObZone>,
}

/// A RootServer of a cluster (`rootServers`), written as the sample writes it (`sql_port`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RootServer {
    /// `IP:RPC port`.
    pub address: String,
    /// LEADER or FOLLOWER.
    pub role: String,
    /// The SQL port.
    pub sql_port: u16,
}

/// A zone of a cluster, with the fields of the sample's zones.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObZone {
    /// The zone's name (`zone1`).
    pub name: String,
    /// The IDC it stands in.
    #[serde(default = "one")]
    pub idc_id: i64,
    /// The IDC's name.
    pub idc_name: String,
    /// The region's name.
    pub region_name: String,
    /// RUNNING, ...
    #[serde(default = "running")]
    pub status: String,
    /// OceanBase's own status of the zone (ACTIVE, ...).
    #[serde(default = "active")]
    pub inner_status: String,
    /// NORMAL or OPERATING.
    #[serde(default = "normal")]
    pub operate_status: String,
    /// How many OBServers it has.
    #[serde(default = "one")]
    pub server_count: i64,
}

fn one() -> i64 {
    1
}

fn running() -> String {
    "RUNNING".into()
}

fn active() -> String {
    "ACTIVE".into()
}

fn normal() -> String {
    "NORMAL".into()
}

/// The cluster list sample's `createTime`, `2020-11-29T22:23:12+08:00` (written there with a
/// stray leading space).
fn create_time() -> i64 {
    1_606_659_792_000
}

/// A cluster names a status and a type OCP documents.
pub(super) fn check_ob_cluster(i: usize, c: &ObCluster) -> Result<(), InventoryError> {
    let at = |field: &str, value: &str| InventoryError {
        pointer: format!("/obClusters/{i}/{field}"),
        reason: format!("unknown {field} {value:?}"),
    };
    if !OB_CLUSTER_STATUSES.contains(&c.status.as_str()) {
        return Err(at("status", &c.status));
    }
    if !OB_CLUSTER_TYPES.contains(&c.cluster_type.as_str()) {
        return Err(at("type", &c.cluster_type));
    }
    Ok(())
}

impl Inventory {
    /// OceanBase cluster `id`, if there is one.
    pub fn ob_cluster(&self, id: i64) -> Option<&ObCluster> {
        self.ob_clusters.get(&id)
    }

    /// Every OceanBase cluster, by id.
    pub fn ob_clusters(&self) -> impl Iterator<Item = &ObCluster> {
        self.ob_clusters.values()
    }

    /// An OceanBase cluster as OCP's cluster list shows it: the sample's fields, with
    /// `partitionCount` and `updateTime` the table adds, and `deadLockDetectionEnabled` where
    /// the version documents it (4.3.4 on).
    pub fn ob_cluster_json(&self, c: &ObCluster, dead_lock_field: bool) -> Value {
        let zones: Vec<Value> = c
            .zones
            .iter()
            .map(|z| {
                json!({
                    "idcId": z.idc_id,
                    "idcName": z.idc_name,
                    "innerStatus": z.inner_status,
                    "name": z.name,
                    "operateStatus": z.operate_status,
                    "regionName": z.region_name,
                    "serverCount": z.server_count,
                    "servers": [],
                    "status": z.status,
                })
            })
            .collect();
        let mut value = json!({
            "createTime": format_seconds(c.create_time_ms),
            "creator": c.creator,
            "id": c.id,
            "name": c.name,
            "obClusterId": c.ob_cluster_id,
            "obVersion": c.ob_version,
            "partitionCount": c.partition_count,
            "regionCount": c.region_count,
            "rootServers": c.root_servers,
            "serverCount": c.zones.iter().map(|z| z.server_count).sum::<i64>(),
            "standbyClusters": [],
            "status": c.status,
            "tenantCount": self.tenants_of(c.id).count(),
            "type": c.cluster_type,
            "updateTime": format_seconds(c.update_time_ms),
            "zones": zones,
        });
        if dead_lock_field {
            value["deadLockDetectionEnabled"] = json!(c.dead_lock_detection_enabled);
        }
        value
    }
}
