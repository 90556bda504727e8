//! Hosts: the machines OCP manages, as its host detail (`GET /api/v2/compute/hosts/{hostId}`)
//! and host list show them.
//!
//! A file names at least `id`, `ip` and `name`; every other field of the documented "host
//! information" table may be left out and then takes the value of the documented sample
//! response, so older inventories keep loading. `services` is never written in a file: it is
//! what runs on the host now (its OBProxy servers), and changes as they come and go.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Inventory, InventoryError, ObproxyCluster, ObproxyServer, file};
use crate::ocp::time::format_seconds;

/// A machine managed by OCP: where an OBProxy's IP, IDC and architecture come from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Host {
    /// The host's id: a server's `hostId`, a task's `host_ids`.
    pub id: i64,
    /// Its IP address: a server's `ip`, the host's `innerIpAddress`.
    pub ip: String,
    /// Its host name.
    pub name: String,
    /// The IDC it stands in: a server's `idcName`, counted in the cluster's `topo`.
    #[serde(default = "file::idc_name")]
    pub idc_name: String,
    /// Its hardware architecture (`x86_64`, `aarch64`): a server's `architecture`.
    #[serde(default = "file::architecture")]
    pub architecture: String,
    /// A name given by the user (`null` in the sample).
    #[serde(default)]
    pub alias: Option<String>,
    /// A free description (`null` in the sample).
    #[serde(default)]
    pub description: Option<String>,
    /// The kernel release the OCP Agent reports.
    #[serde(default = "operating_system")]
    pub operating_system: String,
    /// The distribution's release name.
    #[serde(default = "operating_system_release")]
    pub operating_system_release: String,
    /// The machine's serial number (`null` in the sample).
    #[serde(default)]
    pub serial_number: Option<String>,
    /// The port OCP reaches it by SSH on.
    #[serde(default = "ssh_port")]
    pub ssh_port: u16,
    /// One of [`HOST_KINDS`].
    #[serde(default = "kind")]
    pub kind: String,
    /// A container's port mapping (`null` for a physical machine).
    #[serde(default)]
    pub publish_ports: Option<String>,
    /// One of [`HOST_STATUSES`].
    #[serde(default = "status")]
    pub status: String,
    /// The id of its IDC.
    #[serde(default = "one")]
    pub idc_id: i64,
    /// Its IDC's description.
    #[serde(default)]
    pub idc_description: Option<String>,
    /// The id of its host type (machine model).
    #[serde(default = "one")]
    pub type_id: i64,
    /// The host type's name.
    #[serde(default = "region_name")]
    pub type_name: String,
    /// The host type's description.
    #[serde(default)]
    pub type_description: Option<String>,
    /// The id of its region.
    #[serde(default = "one")]
    pub region_id: i64,
    /// The region's name.
    #[serde(default = "region_name")]
    pub region_name: String,
    /// The region's description.
    #[serde(default)]
    pub region_description: Option<String>,
    /// The id of the OCP Agent on it.
    #[serde(default = "host_agent_id")]
    pub host_agent_id: i64,
    /// The OCP Agent's version.
    #[serde(default = "host_agent_version")]
    pub host_agent_version: String,
    /// One of [`HOST_AGENT_STATUSES`].
    #[serde(default = "host_agent_status")]
    pub host_agent_status: String,
    /// When OCP first managed it, in epoch milliseconds (written in whole seconds).
    #[serde(
        rename = "createTime",
        default = "create_time",
        deserialize_with = "file::ocp_time"
    )]
    pub create_time_ms: i64,
    /// When it was last modified, in epoch milliseconds (written in whole seconds).
    #[serde(
        rename = "updateTime",
        default = "update_time",
        deserialize_with = "file::ocp_time"
    )]
    pub update_time_ms: i64,
}

/// Every `kind` OCP documents for a host.
pub const HOST_KINDS: [&str; 2] = ["DEDICATED_PHYSICAL_MACHINE", "DEDICATED_CONTAINER"];

/// Every `status` OCP documents for a host.
pub const HOST_STATUSES: [&str; 5] = ["NEW", "AVAILABLE", "ONLINE", "OFFLINE", "DELETING"];

/// Every `hostAgentStatus` OCP documents (`REINTSTALLING` is spelt as OCP spells it).
pub const HOST_AGENT_STATUSES: [&str; 6] = [
    "AVAILABLE",
    "RESTARTING",
    "STOPPING",
    "REINTSTALLING",
    "OFFLINE",
    "DELETED",
];

/// Every service type OCP documents for a host's `services` (and the list's filters).
pub const SERVICE_TYPES: [&str; 7] = [
    "OB_CLUSTER",
    "OB_PROXY",
    "OCP_AGENT",
    "BACKUP_AGENT",
    "RESTORE_AGENT",
    "BACKUP_RESTORE_AGENT",
    "OMS",
];

fn operating_system() -> String {
    "4.9.168-018.ali3000.alios7.x86_64".into()
}

fn operating_system_release() -> String {
    "alios7".into()
}

fn ssh_port() -> u16 {
    22
}

fn kind() -> String {
    "DEDICATED_PHYSICAL_MACHINE".into()
}

fn status() -> String {
    "ONLINE".into()
}

fn one() -> i64 {
    1
}

/// The sample's `regionName`, also its `typeName`.
fn region_name() -> String {
    "beijing".into()
}

fn host_agent_id() -> i64 {
    6_000_001
}

fn host_agent_version() -> String {
    "3.1.2-20210812221645".into()
}

fn host_agent_status() -> String {
    "AVAILABLE".into()
}

/// The sample's `createTime`, `2021-08-10T11:56:16+08:00`.
fn create_time() -> i64 {
    1_628_567_776_000
}

/// The sample's `updateTime`, `2021-08-25T15:09:53+08:00`.
fn update_time() -> i64 {
    1_629_875_393_000
}

/// A host names a kind and statuses OCP documents.
pub(super) fn check_host(i: usize, h: &Host) -> Result<(), InventoryError> {
    let fields = [
        ("kind", h.kind.as_str(), &HOST_KINDS[..]),
        ("status", h.status.as_str(), &HOST_STATUSES[..]),
        (
            "hostAgentStatus",
            h.host_agent_status.as_str(),
            &HOST_AGENT_STATUSES[..],
        ),
    ];
    for (field, value, allowed) in fields {
        if !allowed.contains(&value) {
            return Err(InventoryError {
                pointer: format!("/hosts/{i}/{field}"),
                reason: format!("unknown {field} {value:?}"),
            });
        }
    }
    Ok(())
}

impl Inventory {
    /// The services on host `id` now, as OCP's ServiceSummary: one per OBProxy server on it,
    /// named after its cluster.
    pub fn host_services(&self, id: i64) -> Vec<Value> {
        self.servers_on(id).map(|s| self.service_json(s)).collect()
    }

    /// Every host with what runs on it, in pointer copies, from one pass over the servers: a
    /// host list costs its hosts and the servers (not hosts × servers) under the state lock, and
    /// filters, sorts and writes them after it is released.
    pub fn host_views(&self) -> Vec<HostView> {
        let mut services: BTreeMap<i64, Vec<Service>> = BTreeMap::new();
        for s in self.servers.values() {
            let cluster = self.clusters.get(&s.cluster_id).cloned();
            services
                .entry(s.host_id)
                .or_default()
                .push((s.clone(), cluster));
        }
        self.hosts
            .values()
            .map(|h| HostView {
                host: h.clone(),
                services: services.remove(&h.id).unwrap_or_default(),
            })
            .collect()
    }

    /// A server as its host's `services` show it.
    fn service_json(&self, s: &ObproxyServer) -> Value {
        service_json(s, self.cluster(s.cluster_id))
    }

    /// A host as OCP's host detail and host list show it: every field of the documented
    /// sample, in its (alphabetical) order, nulls written as the sample writes them.
    pub fn host_json(&self, h: &Host) -> Value {
        Self::host_json_with(h, self.host_services(h.id))
    }

    /// [`Inventory::host_json`] with the host's `services` already written.
    pub fn host_json_with(h: &Host, services: Vec<Value>) -> Value {
        json!({
            "alias": h.alias,
            "architecture": h.architecture,
            "createTime": format_seconds(h.create_time_ms),
            "description": h.description,
            "hostAgentId": h.host_agent_id,
            "hostAgentStatus": h.host_agent_status,
            "hostAgentVersion": h.host_agent_version,
            "id": h.id,
            "idcDescription": h.idc_description,
            "idcId": h.idc_id,
            "idcName": h.idc_name,
            "innerIpAddress": h.ip,
            "kind": h.kind,
            "name": h.name,
            "operatingSystem": h.operating_system,
            "operatingSystemRelease": h.operating_system_release,
            "publishPorts": h.publish_ports,
            "regionDescription": h.region_description,
            "regionId": h.region_id,
            "regionName": h.region_name,
            "serialNumber": h.serial_number,
            "services": services,
            "sshPort": h.ssh_port,
            "status": h.status,
            "typeDescription": h.type_description,
            "typeId": h.type_id,
            "typeName": h.type_name,
            "updateTime": format_seconds(h.update_time_ms),
        })
    }

    /// Every host, by id.
    pub fn hosts(&self) -> impl Iterator<Item = &Host> {
        self.hosts.values().map(|h| &**h)
    }

    /// The OBProxy servers on host `id`, by server id.
    pub fn servers_on(&self, host_id: i64) -> impl Iterator<Item = &ObproxyServer> {
        self.servers
            .values()
            .map(|s| &**s)
            .filter(move |s| s.host_id == host_id)
    }

    /// Forgets a host once it was deleted.
    pub fn remove_host(&mut self, id: i64) {
        self.hosts.remove(&id);
    }
}

/// An OBProxy server on a host, with its cluster.
type Service = (Arc<ObproxyServer>, Option<Arc<ObproxyCluster>>);

/// A server as its host's `services` show it: OBProxy, named after its cluster.
fn service_json(s: &ObproxyServer, cluster: Option<&ObproxyCluster>) -> Value {
    json!({
        "name": cluster.map_or("", |c| c.name.as_str()),
        "softwarePackageId": null,
        "type": "OB_PROXY",
        "version": s.version,
    })
}

/// A host and the services on it, taken in pointer copies ([`Inventory::host_views`]).
#[derive(Debug, Clone)]
pub struct HostView {
    host: Arc<Host>,
    services: Vec<Service>,
}

impl HostView {
    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The names of its services (their clusters'), in server order.
    pub fn service_names(&self) -> impl Iterator<Item = &str> {
        self.services
            .iter()
            .map(|(_, c)| c.as_deref().map_or("", |c| c.name.as_str()))
    }

    /// The types of its services: every server the mock knows is an OBProxy.
    pub fn service_types(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.services.iter().map(|_| "OB_PROXY")
    }

    /// The host as OCP's host list shows it ([`Inventory::host_json`]).
    pub fn to_json(&self) -> Value {
        let services = self
            .services
            .iter()
            .map(|(s, c)| service_json(s, c.as_deref()))
            .collect();
        Inventory::host_json_with(&self.host, services)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_times_are_the_documented_ones() {
        assert_eq!(format_seconds(create_time()), "2021-08-10T11:56:16+08:00");
        assert_eq!(format_seconds(update_time()), "2021-08-25T15:09:53+08:00");
    }

    #[test]
    fn a_host_with_an_undocumented_status_is_pointed_at() {
        let text = crate::ocp::inventory::DEFAULT_INVENTORY.replacen(
            "\"status\": \"ONLINE\"",
            "\"status\": \"ASLEEP\"",
            1,
        );
        let err = Inventory::parse(&text).unwrap_err();
        assert_eq!(err.pointer, "/hosts/0/status");
        assert_eq!(err.reason, "unknown status \"ASLEEP\"");
    }
}
