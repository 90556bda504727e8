//! The inventory: OBProxy clusters, their OBProxy servers and the hosts those servers sit on,
//! and the OceanBase clusters with their tenants.
//!
//! A Delete OBProxy call is answered from it: the cluster name becomes the task's
//! `service_name`, the servers' hosts its `host_ids`, and an id it does not hold is a 404.
//! The OceanBase clusters and tenants are optional in a file (`obClusters`, `tenants`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

mod file;
mod hosts;
mod lifecycle;
mod ob;
mod render;
mod tenants;

pub use hosts::{HOST_STATUSES, Host, HostView, SERVICE_TYPES};
pub use ob::ObCluster;
pub use render::ClusterView;
pub use tenants::{TENANT_MODES, TENANT_STATUSES, Tenant};

/// The inventory a fresh mock starts with (cluster 1 "test": servers 1-4 on hosts 1-4;
/// cluster 2 "prod": servers 5-6 on hosts 5-6).
pub const DEFAULT_INVENTORY: &str = include_str!("../../fixtures/inventory.json");

/// An OBProxy cluster: what the ObproxyCluster table of OCP's cluster views documents, less
/// what is counted from its servers (`obproxies`, `versions`, `topo`).
///
/// Every field after `workMode` may be left out of a file (older inventories have none of
/// them): it then takes the value of the documented sample response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObproxyCluster {
    /// The cluster's id, as paths name it.
    pub id: i64,
    /// Its name: a new task's `stringMap.service_name`.
    pub name: String,
    /// The address clients connect to.
    pub address: String,
    /// The port clients connect to.
    pub port: u16,
    /// How OBProxy finds the OceanBase clusters behind it (`RS_LIST`, `CONFIG_URL`).
    pub work_mode: String,
    /// The version of the cluster's parameters: a client compares it with each server's.
    #[serde(default = "file::parameter_version")]
    pub parameter_version: i64,
    /// The id of the user who created the cluster.
    #[serde(default = "file::creator_id")]
    pub creator_id: i64,
    /// The name of that user.
    #[serde(default = "file::creator_name")]
    pub creator_name: String,
    /// When the cluster was created, in epoch milliseconds (written in whole seconds).
    #[serde(
        rename = "createTime",
        default = "file::create_time",
        deserialize_with = "file::ocp_time"
    )]
    pub create_time_ms: i64,
    /// When it was last modified, in epoch milliseconds (written in whole seconds).
    #[serde(
        rename = "updateTime",
        default = "file::update_time",
        deserialize_with = "file::ocp_time"
    )]
    pub update_time_ms: i64,
    /// The ConfigUrl service OBProxy reads its cluster list from; absent: OCP's own service
    /// at the mock's default address, for this cluster's name (the documented sample's form).
    #[serde(default)]
    pub config_url: Option<String>,
    /// The OceanBase clusters this OBProxy cluster can connect to.
    #[serde(default)]
    pub ob_links: Vec<ObLink>,
}

/// An OceanBase cluster an OBProxy cluster can connect to (OCP's ObLink).
///
/// `connections` is left out: 4.3.4 documents it as deprecated (a monitoring metric now).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObLink {
    /// The OCP id of the OceanBase cluster.
    pub cluster_id: i64,
    /// Its name.
    pub cluster_name: String,
    /// The user OBProxy connects as (`proxyro`).
    pub username: String,
    /// The OceanBase cluster's status (one of [`OB_CLUSTER_STATUSES`]).
    pub status: String,
    /// The OceanBase cluster's own id (`cluster_id` of its observers).
    pub ob_cluster_id: i64,
    /// PRIMARY or STANDBY.
    pub cluster_type: String,
}

/// One OBProxy process of a cluster, on one host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObproxyServer {
    /// The server's id, as a Delete OBProxy call names it.
    pub id: i64,
    /// The cluster it belongs to.
    pub cluster_id: i64,
    /// The host it runs on.
    pub host_id: i64,
    /// The SQL port (2883 by default).
    pub sql_port: u16,
    /// The metrics exporter's port (2884 by default).
    pub exporter_port: u16,
    /// The OBProxy version it runs.
    pub version: String,
    /// CREATING, RUNNING, RESTARTING, UPGRADING, REFRESHING, DELETING, UNAVAILABLE, TAKINGOVER.
    pub status: String,
    /// NORMAL or OPERATING.
    pub operate_status: String,
    /// The version of the parameters it runs with (behind its cluster's while it catches up).
    #[serde(default = "file::parameter_version")]
    pub parameter_version: i64,
    /// When OCP last heard from it, in epoch milliseconds (written in whole seconds).
    #[serde(
        rename = "lastActiveTime",
        default = "file::last_active_time",
        deserialize_with = "file::ocp_time"
    )]
    pub last_active_time_ms: i64,
}

/// Why an inventory file was refused: where (a JSON pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryError {
    /// Where in the file, as a JSON pointer (`""` is the whole file, or a syntax error, whose
    /// line and column the reason gives).
    pub pointer: String,
    /// What is wrong there.
    pub reason: String,
}

/// `at "/clusters/0/id": duplicate id 1`; the whole file's errors (a syntax error: `line 3
/// column 5: ...`) without an empty pointer.
impl std::fmt::Display for InventoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "at {:?}: {}", self.pointer, self.reason)
        }
    }
}

impl std::error::Error for InventoryError {}

/// serde_json's message for a syntax error, with its line and column once, in front.
fn syntax_error(e: &serde_json::Error) -> InventoryError {
    let message = e.to_string();
    let place = format!(" at line {} column {}", e.line(), e.column());
    let what = message.strip_suffix(&place).unwrap_or(&message);
    InventoryError {
        pointer: String::new(),
        reason: format!("line {} column {}: {what}", e.line(), e.column()),
    }
}

/// Every `operateStatus` OCP documents for an OBProxy server.
pub const OPERATE_STATUSES: [&str; 2] = ["NORMAL", "OPERATING"];

/// Every `status` OCP documents for an OceanBase cluster an OBProxy cluster links to.
pub const OB_CLUSTER_STATUSES: [&str; 15] = [
    "RUNNING",
    "UNAVAILABLE",
    "STOPPED",
    "CREATING",
    "TAKINGOVER",
    "DELETING",
    "MOVINGOUT",
    "RESTARTING",
    "STARTING",
    "STOPPING",
    "SWITCHOVER",
    "FAILOVER",
    "UPGRADING",
    "OPERATING",
    "ABANDONED",
];

/// Every `clusterType` OCP documents for a linked OceanBase cluster.
pub const OB_CLUSTER_TYPES: [&str; 2] = ["PRIMARY", "STANDBY"];

/// How an OBProxy cluster finds its OceanBase clusters (`workMode`), the first the default.
pub const WORK_MODES: [&str; 2] = ["CONFIG_URL", "RS_LIST"];

/// Every `status` OCP documents for an OBProxy server.
pub const SERVER_STATUSES: [&str; 8] = [
    "CREATING",
    "RUNNING",
    "RESTARTING",
    "UPGRADING",
    "REFRESHING",
    "DELETING",
    "UNAVAILABLE",
    "TAKINGOVER",
];

/// A cluster's links name statuses and types OCP documents.
fn check_links(i: usize, c: &ObproxyCluster) -> Result<(), InventoryError> {
    for (j, link) in c.ob_links.iter().enumerate() {
        let at = |field: &str, value: &str| InventoryError {
            pointer: format!("/clusters/{i}/obLinks/{j}/{field}"),
            reason: format!("unknown {field} {value:?}"),
        };
        if !OB_CLUSTER_STATUSES.contains(&link.status.as_str()) {
            return Err(at("status", &link.status));
        }
        if !OB_CLUSTER_TYPES.contains(&link.cluster_type.as_str()) {
            return Err(at("clusterType", &link.cluster_type));
        }
    }
    Ok(())
}

/// Clusters, hosts, servers, OceanBase clusters and tenants by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    // Items sit behind `Arc` so that a list can take what its page shows in a few pointer copies
    // and write it after the state lock is released; a change copies only an item shared so.
    clusters: BTreeMap<i64, Arc<ObproxyCluster>>,
    hosts: BTreeMap<i64, Arc<Host>>,
    servers: BTreeMap<i64, Arc<ObproxyServer>>,
    /// Each cluster's server ids, so a cluster's answer costs its own servers, not all of them.
    by_cluster: BTreeMap<i64, BTreeSet<i64>>,
    ob_clusters: BTreeMap<i64, ObCluster>,
    tenants: BTreeMap<i64, Tenant>,
}

impl Inventory {
    /// The embedded default inventory.
    pub fn default_inventory() -> Self {
        Self::parse(DEFAULT_INVENTORY).expect("the embedded inventory is checked by a unit test")
    }

    /// Parses and validates an inventory document: unique ids, servers on known clusters and hosts.
    pub fn parse(text: &str) -> Result<Self, InventoryError> {
        let value: Value = serde_json::from_str(text).map_err(|e| syntax_error(&e))?;
        let file = file::read_file(value)?;
        let mut inv = Self {
            clusters: BTreeMap::new(),
            hosts: BTreeMap::new(),
            servers: BTreeMap::new(),
            by_cluster: BTreeMap::new(),
            ob_clusters: BTreeMap::new(),
            tenants: BTreeMap::new(),
        };
        let dup = |what: &str, i: usize, id: i64| InventoryError {
            pointer: format!("/{what}/{i}/id"),
            reason: format!("duplicate id {id}"),
        };
        for (i, c) in file.clusters.into_iter().enumerate() {
            check_links(i, &c)?;
            let id = c.id;
            if inv.clusters.insert(id, Arc::new(c)).is_some() {
                return Err(dup("clusters", i, id));
            }
        }
        for (i, h) in file.hosts.into_iter().enumerate() {
            hosts::check_host(i, &h)?;
            let id = h.id;
            if inv.hosts.insert(id, Arc::new(h)).is_some() {
                return Err(dup("hosts", i, id));
            }
        }
        for (i, s) in file.obproxies.into_iter().enumerate() {
            inv.check_server(i, &s)?;
            let (id, cluster_id) = (s.id, s.cluster_id);
            if inv.servers.insert(id, Arc::new(s)).is_some() {
                return Err(dup("obproxies", i, id));
            }
            inv.by_cluster.entry(cluster_id).or_default().insert(id);
        }
        for (i, c) in file.ob_clusters.into_iter().enumerate() {
            ob::check_ob_cluster(i, &c)?;
            let id = c.id;
            if inv.ob_clusters.insert(id, c).is_some() {
                return Err(dup("obClusters", i, id));
            }
        }
        for (i, t) in file.tenants.into_iter().enumerate() {
            inv.check_tenant(i, &t)?;
            let id = t.id;
            if inv.tenants.insert(id, t).is_some() {
                return Err(dup("tenants", i, id));
            }
        }
        Ok(inv)
    }

    /// A server names a known cluster and host, and statuses OCP documents.
    fn check_server(&self, i: usize, s: &ObproxyServer) -> Result<(), InventoryError> {
        let at = |field: &str, reason: String| InventoryError {
            pointer: format!("/obproxies/{i}/{field}"),
            reason,
        };
        if !self.clusters.contains_key(&s.cluster_id) {
            return Err(at("clusterId", format!("no cluster {}", s.cluster_id)));
        }
        if !self.hosts.contains_key(&s.host_id) {
            return Err(at("hostId", format!("no host {}", s.host_id)));
        }
        if !SERVER_STATUSES.contains(&s.status.as_str()) {
            return Err(at("status", format!("unknown status {:?}", s.status)));
        }
        if !OPERATE_STATUSES.contains(&s.operate_status.as_str()) {
            return Err(at(
                "operateStatus",
                format!("unknown operate status {:?}", s.operate_status),
            ));
        }
        Ok(())
    }

    /// Cluster `id`, if there is one.
    pub fn cluster(&self, id: i64) -> Option<&ObproxyCluster> {
        self.clusters.get(&id).map(|c| &**c)
    }

    /// Server `id`, if there is one.
    pub fn server(&self, id: i64) -> Option<&ObproxyServer> {
        self.servers.get(&id).map(|s| &**s)
    }

    /// Host `id`, if there is one.
    pub fn host(&self, id: i64) -> Option<&Host> {
        self.hosts.get(&id).map(|h| &**h)
    }

    /// Every cluster, by id.
    pub fn clusters(&self) -> impl Iterator<Item = &ObproxyCluster> {
        self.clusters.values().map(|c| &**c)
    }

    /// Marks a server as being operated on (a delete under way).
    pub fn set_server_status(&mut self, id: i64, status: &str, operate_status: &str) {
        if let Some(s) = self.servers.get_mut(&id).map(Arc::make_mut) {
            // Reuses the strings' buffers: this runs on every delete.
            s.status.clear();
            s.status.push_str(status);
            s.operate_status.clear();
            s.operate_status.push_str(operate_status);
        }
    }

    /// Forgets a server once its deletion finished.
    pub fn remove_server(&mut self, id: i64) {
        if let Some(s) = self.servers.remove(&id)
            && let Some(ids) = self.by_cluster.get_mut(&s.cluster_id)
        {
            ids.remove(&id);
        }
    }

    /// The servers of one cluster, by id.
    pub fn servers_of(&self, cluster_id: i64) -> impl Iterator<Item = &ObproxyServer> {
        self.by_cluster
            .get(&cluster_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.servers.get(id))
            .map(|s| &**s)
    }

    /// How many clusters there are.
    pub fn cluster_count(&self) -> usize {
        self.clusters.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_inventory_is_valid_and_holds_cluster_test() {
        let inv = Inventory::default_inventory();
        assert_eq!(inv.cluster(1).unwrap().name, "test");
        let ids: Vec<(i64, i64)> = inv.servers_of(1).map(|s| (s.id, s.host_id)).collect();
        assert_eq!(ids, vec![(1, 1), (2, 2), (3, 3), (4, 4)]);
        assert!(inv.clusters().count() >= 2);
    }

    #[test]
    fn a_wrong_field_is_pointed_at_in_its_item() {
        let text = DEFAULT_INVENTORY.replacen("\"sqlPort\": 2883", "\"sqlPort\": \"x\"", 1);
        let err = Inventory::parse(&text).unwrap_err();
        assert_eq!(err.pointer, "/obproxies/0");
        assert!(err.reason.contains("invalid type"), "{err}");
        let text = DEFAULT_INVENTORY.replacen("\"name\": \"test\", ", "", 1);
        let err = Inventory::parse(&text).unwrap_err();
        assert_eq!(err.pointer, "/clusters/0/name");
        let err = Inventory::parse("{\"clusters\": [], \"hosts\": []}").unwrap_err();
        assert_eq!(err.pointer, "/obproxies");
        let err = Inventory::parse("{\"clusters\": [").unwrap_err();
        assert!(err.reason.starts_with("line 1 column"), "{err}");
    }

    #[test]
    fn a_syntax_error_says_its_line_and_column_once_and_no_pointer() {
        let err = Inventory::parse("{\n  \"clusters\": [,]\n}").unwrap_err();
        assert_eq!(err.to_string(), "line 2 column 16: expected value");
        let err = Inventory::parse("[]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected an object with clusters, hosts and obproxies (obClusters and tenants optional)"
        );
        let text = DEFAULT_INVENTORY.replacen("\"hostId\": 2", "\"hostId\": 99", 1);
        let err = Inventory::parse(&text).unwrap_err();
        assert_eq!(err.to_string(), "at \"/obproxies/1/hostId\": no host 99");
    }

    #[test]
    fn a_broken_inventory_names_the_place() {
        let text = DEFAULT_INVENTORY.replacen("\"hostId\": 2", "\"hostId\": 99", 1);
        let err = Inventory::parse(&text).unwrap_err();
        assert_eq!(err.pointer, "/obproxies/1/hostId");
        assert_eq!(err.reason, "no host 99");
    }
}
