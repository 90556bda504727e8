//! The inventory as OCP's cluster views show it: the ObproxyCluster and ObproxyServer of
//! `GET /api/v2/obproxy/clusters` and `GET /api/v2/obproxy/clusters/{id}`.
//!
//! Every field of the documented tables and nothing else; keys come out in the documented
//! samples' (alphabetical) order, times in whole seconds as the samples write them.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Inventory, ObproxyCluster, ObproxyServer};
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

impl Inventory {
    /// An ObproxyServer as OCP's cluster views show it; IP, IDC and architecture are its host's.
    pub fn server_json(&self, s: &ObproxyServer) -> Value {
        let host = self.host(s.host_id);
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

    /// An OBProxy cluster with its servers, as `GET /api/v2/obproxy/clusters/{id}` shows it:
    /// `versions` and `topo` count the servers it has now.
    pub fn cluster_json(&self, c: &ObproxyCluster) -> Value {
        let servers: Vec<&ObproxyServer> = self.servers_of(c.id).collect();
        let idcs = servers
            .iter()
            .filter_map(|s| self.host(s.host_id))
            .map(|h| h.idc_name.as_str());
        let config_url = c.config_url.clone().unwrap_or_else(|| {
            let name: String = form_urlencoded::byte_serialize(c.name.as_bytes()).collect();
            format!("{CONFIG_SERVICE}{name}")
        });
        json!({
            "address": c.address,
            "configUrl": config_url,
            "createTime": format_seconds(c.create_time_ms),
            "creatorId": c.creator_id,
            "creatorName": c.creator_name,
            "id": c.id,
            "name": c.name,
            "obLinks": c.ob_links,
            "obproxies": servers.iter().map(|s| self.server_json(s)).collect::<Vec<_>>(),
            "parameterVersion": c.parameter_version,
            "port": c.port,
            "topo": counted("idcName", idcs),
            "updateTime": format_seconds(c.update_time_ms),
            "versions": counted("version", servers.iter().map(|s| s.version.as_str())),
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
