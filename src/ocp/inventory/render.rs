//! The inventory as OCP's cluster views show it: the ObproxyCluster and ObproxyServer of
//! `GET /api/v2/obproxy/clusters` and `GET /api/v2/obproxy/clusters/{id}`.
//!
//! Every field of the documented tables and nothing else; keys come out in the documented
//! samples' (alphabetical) order, times in whole seconds as the samples write them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
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
/// Fields in the documented samples' (alphabetical) order, as a `Value` would write them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServerOut<'a> {
    architecture: &'a str,
    cluster_id: i64,
    exporter_port: u16,
    host_id: i64,
    id: i64,
    idc_name: &'a str,
    ip: &'a str,
    last_active_time: String,
    operate_status: &'a str,
    parameter_version: i64,
    sql_port: u16,
    status: &'a str,
    version: &'a str,
}

/// An ObproxyCluster with its servers, fields in alphabetical order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClusterOut<'a> {
    address: &'a str,
    config_url: String,
    create_time: String,
    creator_id: i64,
    creator_name: &'a str,
    id: i64,
    name: &'a str,
    /// A `Value`, so that each link's keys come out sorted too.
    ob_links: Value,
    obproxies: Vec<ServerOut<'a>>,
    parameter_version: i64,
    port: u16,
    topo: Vec<Value>,
    update_time: String,
    versions: Vec<Value>,
    work_mode: &'a str,
}

fn server_out<'a>(s: &'a ObproxyServer, host: Option<&'a Host>) -> ServerOut<'a> {
    ServerOut {
        architecture: host.map_or("", |h| h.architecture.as_str()),
        cluster_id: s.cluster_id,
        exporter_port: s.exporter_port,
        host_id: s.host_id,
        id: s.id,
        idc_name: host.map_or("", |h| h.idc_name.as_str()),
        ip: host.map_or("", |h| h.ip.as_str()),
        last_active_time: format_seconds(s.last_active_time_ms),
        operate_status: &s.operate_status,
        parameter_version: s.parameter_version,
        sql_port: s.sql_port,
        status: &s.status,
        version: &s.version,
    }
}

impl ClusterView {
    /// How many servers the cluster has.
    pub fn server_count(&self) -> usize {
        self.servers.len()
    }

    /// The cluster as `GET /api/v2/obproxy/clusters/{id}` shows it: `versions` and `topo` count
    /// the servers it has now.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.out()).unwrap_or_default()
    }

    /// Writes `{"contents": [clusters], "page": page}`: a list's `data`, written straight from
    /// the views (no `Value` per server).
    pub fn write_page(views: &[ClusterView], page: &Value, out: &mut Vec<u8>) {
        #[derive(Serialize)]
        struct PageOut<'a> {
            contents: Vec<ClusterOut<'a>>,
            page: &'a Value,
        }
        let contents = views.iter().map(ClusterView::out).collect();
        // Writing JSON into a Vec cannot fail.
        let _ = serde_json::to_writer(out, &PageOut { contents, page });
    }

    fn out(&self) -> ClusterOut<'_> {
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
        ClusterOut {
            address: &c.address,
            config_url,
            create_time: format_seconds(c.create_time_ms),
            creator_id: c.creator_id,
            creator_name: &c.creator_name,
            id: c.id,
            name: &c.name,
            ob_links: json!(c.ob_links),
            obproxies: self
                .servers
                .iter()
                .map(|(s, h)| server_out(s, h.as_deref()))
                .collect(),
            parameter_version: c.parameter_version,
            port: c.port,
            topo: counted("idcName", idcs),
            update_time: format_seconds(c.update_time_ms),
            versions: counted(
                "version",
                self.servers.iter().map(|(s, _)| s.version.as_str()),
            ),
            work_mode: &c.work_mode,
        }
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
    fn a_page_written_from_views_is_byte_for_byte_the_page_of_values() {
        let inv = Inventory::default_inventory();
        let views: Vec<ClusterView> = inv.clusters().filter_map(|c| inv.cluster_view(c)).collect();
        assert!(views.iter().any(|v| v.server_count() > 0));
        let page = json!({"number": 1, "size": 10});
        let mut written = Vec::new();
        ClusterView::write_page(&views, &page, &mut written);
        // A `Value` writes its keys sorted: the order the documented samples have.
        let values: Vec<Value> = views.iter().map(ClusterView::to_json).collect();
        let expected = serde_json::to_vec(&json!({"contents": values, "page": page})).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(expected).unwrap()
        );
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
