//! The inventory as OCP's cluster views show it: the ObproxyCluster and ObproxyServer of
//! `GET /api/v2/obproxy/clusters` and `GET /api/v2/obproxy/clusters/{id}`.
//!
//! Every field of the documented tables and nothing else; keys come out in the documented
//! samples' (alphabetical) order, times in whole seconds as the samples write them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Host, Inventory, ObproxyCluster, ObproxyServer};
use crate::ocp::time::format_seconds;

/// Where OCP's ConfigUrl service is, when an inventory does not say: the mock's own default
/// address, since OCP serves it itself.
const CONFIG_SERVICE: &str = "http://127.0.0.1:8080/services?Action=GetObProxyConfig&User_ID=alibaba&UID=admin&ObproxyClusterName=";

/// `[{count, <key>}]` for each distinct value, in the value's order: OCP's VersionStatInfo
/// (`key` = `version`) and IdcStatInfo (`key` = `idcName`).
fn counted<'a>(key: &str, values: impl Iterator<Item = &'a str>) -> Vec<Value> {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(v, count)| json!({ "count": count, key: v }))
        .collect()
}

/// One cluster as a list shows it, taken from the inventory in pointer copies (the cluster,
/// each server and its host): a page of views is taken under the state lock and written after
/// it is released, so a large page holds the lock for microseconds per server, not for its JSON.
#[derive(Debug, Clone)]
pub struct ClusterView {
    cluster: Arc<ObproxyCluster>,
    servers: Vec<(Arc<ObproxyServer>, Option<Arc<Host>>)>,
}

impl Inventory {
    /// What cluster `c` shows, in pointer copies; `None` if `c` is not in the inventory.
    pub fn cluster_view(&self, c: &ObproxyCluster) -> Option<ClusterView> {
        let cluster = self.clusters.get(&c.id)?.clone();
        let ids = self.by_cluster.get(&c.id).into_iter().flatten();
        let servers = ids
            .filter_map(|id| self.servers.get(id))
            .map(|s| (s.clone(), self.hosts.get(&s.host_id).cloned()))
            .collect();
        Some(ClusterView { cluster, servers })
    }

    /// An OBProxy cluster with its servers, as `GET /api/v2/obproxy/clusters/{id}` shows it.
    pub fn cluster_json(&self, c: &ObproxyCluster) -> Value {
        self.cluster_view(c)
            .map_or(Value::Null, |view| view.to_json())
    }
}

/// An ObproxyServer as OCP's cluster views show it; IP, IDC and architecture are its host's.
fn server_json(s: &ObproxyServer, host: Option<&Host>) -> Value {
    json!({
        "architecture": host.map_or("", |h| h.architecture.as_str()),
        "clusterId": s.cluster_id,
        "exporterPort": s.exporter_port,
        "hostId": s.host_id,
        "id": s.id,
        "idcName": host.map_or("", |h| h.idc_name.as_str()),
        "ip": host.map_or("", |h| h.ip.as_str()),
        "lastActiveTime": format_seconds(s.last_active_time_ms),
        "operateStatus": s.operate_status,
        "parameterVersion": s.parameter_version,
        "sqlPort": s.sql_port,
        "status": s.status,
        "version": s.version,
    })
}

impl ClusterView {
    /// How many servers the cluster has.
    pub fn server_count(&self) -> usize {
        self.servers.len()
    }

    /// The cluster as `GET /api/v2/obproxy/clusters/{id}` shows it: `versions` and `topo` count
    /// the servers it has now.
    pub fn to_json(&self) -> Value {
        let c = &*self.cluster;
        let idcs = self
            .servers
            .iter()
            .filter_map(|(_, h)| h.as_deref())
            .map(|h| h.idc_name.as_str());
        let config_url = c.config_url.clone().unwrap_or_else(|| {
            let name: String = form_urlencoded::byte_serialize(c.name.as_bytes()).collect();
            format!("{CONFIG_SERVICE}{name}")
        });
        let servers: Vec<Value> = self
            .servers
            .iter()
            .map(|(s, h)| server_json(s, h.as_deref()))
            .collect();
        json!({
            "address": c.address,
            "configUrl": config_url,
            "createTime": format_seconds(c.create_time_ms),
            "creatorId": c.creator_id,
            "creatorName": c.creator_name,
            "id": c.id,
            "name": c.name,
            "obLinks": c.ob_links,
            "obproxies": servers,
            "parameterVersion": c.parameter_version,
            "port": c.port,
            "topo": counted("idcName", idcs),
            "updateTime": format_seconds(c.update_time_ms),
            "versions": counted("version", self.servers.iter().map(|(s, _)| s.version.as_str())),
            "workMode": c.work_mode,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_whole_seconds_as_the_samples_do() {
        assert_eq!(
            format_seconds(1_630_486_376_000),
            "2021-09-01T16:52:56+08:00"
        );
        assert_eq!(
            format_seconds(1_630_486_376_999),
            "2021-09-01T16:52:56+08:00"
        );
        assert_eq!(format_seconds(-1), "1970-01-01T07:59:59+08:00");
    }

    #[test]
    fn versions_and_topo_count_the_servers_by_value() {
        let inv = Inventory::default_inventory();
        let json = inv.cluster_json(inv.cluster(1).unwrap());
        assert_eq!(
            json["topo"],
            json!([{"count": 2, "idcName": "am171"}, {"count": 2, "idcName": "am172"}])
        );
        assert_eq!(
            json["versions"],
            json!([{"count": 4, "version": "4.2.1.0"}])
        );
    }
}
