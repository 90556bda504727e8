//! The OBProxy lifecycle: clusters created and deleted, servers added, taken over, restarted
//! and upgraded, as tasks whose effect lands when they succeed; cluster updates and links,
//! which OCP answers at once.
//!
//! Every call checks all its input before anything changes (all or nothing); a refused call
//! takes no task id.

use super::*;
use crate::mock::sim::effect::{Effect, NewCluster};
use crate::ocp::error::{CLUSTER_STATUS_CONFLICT, NAME_EXISTS, SERVICE_ON_HOST};
use crate::ocp::inventory::{ObLink, ObproxyCluster, ObproxyServer};

/// The ids the next OBProxy cluster and server take: past every id the inventory held, so an
/// id is never given twice, even after its cluster or server was deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextIds {
    cluster: i64,
    server: i64,
}

impl NextIds {
    /// The ids after those of `inventory`.
    pub fn after(inventory: &Inventory) -> Self {
        let (cluster, server) = inventory.largest_ids();
        Self {
            cluster: cluster + 1,
            server: server + 1,
        }
    }
}

/// What the task of a call carries besides its input: who, when, which kind, which fault.
#[derive(Debug, Clone)]
pub struct Caller<'a> {
    /// Which documented task the call creates.
    pub kind: TaskKind,
    /// Who is calling: the task's creator.
    pub creator: &'a Identity,
    /// When the call arrived.
    pub start_ms: i64,
    /// The subtask its tasks fail at (the `fail-at` scenario).
    pub fail_at: Option<String>,
}

/// `POST /api/v2/obproxy/clusters`: a cluster to create.
#[derive(Debug, Clone)]
pub struct ClusterCreate<'a> {
    /// Who, when, which task.
    pub caller: Caller<'a>,
    /// The cluster as asked for.
    pub cluster: NewCluster,
}

/// `POST .../obproxies/batchAdd` or `.../takeOver`: servers to add on hosts.
#[derive(Debug, Clone)]
pub struct ServerAdd<'a> {
    /// Who, when, which task.
    pub caller: Caller<'a>,
    /// The cluster of the path.
    pub cluster_id: i64,
    /// The parameter the hosts come from (`hostIds`, `hosts`).
    pub target: &'static str,
    /// One server per host: (host, SQL port).
    pub hosts: Vec<(i64, u16)>,
    /// The exporter port of the new servers.
    pub exporter_port: u16,
    /// The version they run.
    pub version: String,
    /// `CREATING` (added) or `TAKINGOVER` (taken over) until their task succeeds.
    pub status: &'static str,
}

/// `POST .../obproxies/{obproxyIds}/restart` or `/upgrade`: servers to operate on.
#[derive(Debug, Clone)]
pub struct ServersOperation<'a> {
    /// Who, when, which task.
    pub caller: Caller<'a>,
    /// The cluster of the path.
    pub cluster_id: i64,
    /// The servers, in request order, repeats folded.
    pub server_ids: &'a [i64],
    /// `RESTARTING` or `UPGRADING` while the task runs.
    pub status: &'static str,
    /// The version they run once upgraded; none for a restart.
    pub version: Option<String>,
}

impl State {
    /// Applies the effect of task `origin` once it succeeded.
    pub(super) fn apply(&mut self, origin: &TaskOrigin) {
        match &origin.effect {
            Effect::None => {}
            Effect::RemoveServers => {
                for &(id, _) in &origin.servers {
                    if self.respawn_deleted {
                        self.inventory.set_server_status(id, "RUNNING", "NORMAL");
                    } else {
                        self.inventory.remove_server(id);
                    }
                }
            }
            Effect::ServersRunning => self.servers_running(origin),
            Effect::Upgrade(version) => {
                for &(id, _) in &origin.servers {
                    self.inventory.set_server_version(id, version);
                }
                self.servers_running(origin);
            }
            Effect::CreateCluster(new) => self.add_cluster(new, origin.created_ms),
            Effect::RemoveCluster(id) => self.inventory.remove_cluster(*id),
        }
    }

    /// What a rolled-back task leaves: no new cluster; otherwise its servers back RUNNING /
    /// NORMAL (a cluster it was deleting stays, with its servers).
    pub(super) fn undo(&mut self, origin: &TaskOrigin) {
        if !matches!(origin.effect, Effect::CreateCluster(_)) {
            self.servers_running(origin);
        }
    }

    fn servers_running(&mut self, origin: &TaskOrigin) {
        for &(id, _) in &origin.servers {
            self.inventory.set_server_status(id, "RUNNING", "NORMAL");
        }
    }

    /// The cluster a create task asked for, with a RUNNING server on each of its hosts.
    fn add_cluster(&mut self, new: &NewCluster, at_ms: i64) {
        let id = self.obproxy_ids.cluster;
        self.obproxy_ids.cluster += 1;
        self.inventory.add_cluster(ObproxyCluster {
            id,
            name: new.name.clone(),
            address: new.address.clone(),
            port: new.port,
            work_mode: new.work_mode.clone(),
            parameter_version: 1,
            creator_id: new.creator.0,
            creator_name: new.creator.1.clone(),
            create_time_ms: at_ms,
            update_time_ms: at_ms,
            config_url: None,
            ob_links: new.ob_links.clone(),
        });
        for &host in &new.host_ids {
            let server = self.new_server(id, host, new.sql_port, new.exporter_port, at_ms);
            self.inventory.add_server(ObproxyServer {
                version: new.version.clone(),
                ..server
            });
        }
    }

    /// A RUNNING server of cluster `cluster_id` on `host_id`, with the next server id.
    fn new_server(
        &mut self,
        cluster_id: i64,
        host_id: i64,
        sql: u16,
        exp: u16,
        at: i64,
    ) -> ObproxyServer {
        let id = self.obproxy_ids.server;
        self.obproxy_ids.server += 1;
        ObproxyServer {
            id,
            cluster_id,
            host_id,
            sql_port: sql,
            exporter_port: exp,
            version: String::new(),
            status: "RUNNING".into(),
            operate_status: "NORMAL".into(),
            parameter_version: 1,
            last_active_time_ms: at,
        }
    }

    /// Effects of tasks that have not succeeded yet (running, or failed and waiting for a
    /// retry): what the inventory will become.
    fn pending_effects(&self) -> impl Iterator<Item = &Effect> {
        self.tasks
            .values()
            .filter(|t| t.state != TaskStatus::Successful)
            .map(|t| &t.origin.effect)
    }

    /// Cluster `id`'s name, if it exists and no task is deleting it.
    fn live_cluster(&self, id: i64) -> Result<String, OcpError> {
        let cluster = self.inventory.cluster(id).ok_or_else(|| {
            OcpError::new(&CLUSTER_NOT_FOUND, vec![id.to_string()]).with_target("id")
        })?;
        let deleting = self
            .pending_effects()
            .any(|e| *e == Effect::RemoveCluster(id));
        if deleting {
            return Err(OcpError::new(
                &CLUSTER_STATUS_CONFLICT,
                vec![id.to_string(), "DELETING".into()],
            )
            .with_target("id")
            .with_debug(format!("obproxy cluster {id} is being deleted")));
        }
        Ok(cluster.name.clone())
    }

    /// Checks hosts for new servers: each known (else 404), named once, and running no OBProxy
    /// yet.
    fn free_hosts(&self, hosts: &[i64], target: &str) -> Result<(), OcpError> {
        for (i, &host) in hosts.iter().enumerate() {
            if self.inventory.host(host).is_none() {
                // As the host routes answer an unknown host: 404 CMP07005.
                return Err(host_not_found(host, target));
            }
            if hosts[..i].contains(&host) {
                return Err(OcpError::invalid_parameter(
                    target,
                    &host.to_string(),
                    &format!("host {host} is listed twice"),
                ));
            }
            let taken = self.inventory.server_on_host(host).is_some()
                || self.pending_effects().any(|e| match e {
                    Effect::CreateCluster(c) => c.host_ids.contains(&host),
                    _ => false,
                });
            if taken {
                return Err(OcpError::new(
                    &SERVICE_ON_HOST,
                    vec![host.to_string(), "obproxy".into()],
                )
                .with_target(target)
                .with_debug(format!("host {host} already runs an OBProxy")));
            }
        }
        Ok(())
    }

    /// Creates a cluster: a task that adds it (and a server on each host) when it succeeds. A
    /// name is unique among clusters and clusters being created (400 `COM10001`).
    pub fn create_cluster(
        &mut self,
        templates: &TaskTemplates,
        call: ClusterCreate<'_>,
    ) -> Result<Arc<TaskOrigin>, OcpError> {
        let name = call.cluster.name.clone();
        let pending = self.pending_effects().any(|e| match e {
            Effect::CreateCluster(c) => c.name == name,
            _ => false,
        });
        if pending || self.inventory.cluster_named(&name).is_some() {
            return Err(OcpError::new(
                &NAME_EXISTS,
                vec!["OBProxy cluster".into(), format!("name={name}")],
            )
            .with_target("name")
            .with_debug(format!(
                "an obproxy cluster named {name:?} exists or is being created"
            )));
        }
        self.free_hosts(&call.cluster.host_ids, "obproxyInstallParam.hostIds")?;
        let caller = call.caller;
        Ok(self.create_task(
            templates,
            TaskSpec {
                kind: caller.kind,
                creator: caller.creator,
                start_ms: caller.start_ms,
                fail_at: caller.fail_at,
                cluster_id: 0,
                service_name: name,
                servers: Vec::new(),
                skip_host_servers: Vec::new(),
                effect: Effect::CreateCluster(Box::new(call.cluster)),
            },
        ))
    }

    /// Deletes cluster `id`: its servers are DELETING until the task succeeds, then the cluster
    /// and its servers are gone. A cluster being deleted is a 409 `ODP21010`, one with a server
    /// under another operation a 409 `ODP21016`.
    pub fn delete_cluster(
        &mut self,
        templates: &TaskTemplates,
        id: i64,
        caller: Caller<'_>,
    ) -> Result<Arc<TaskOrigin>, OcpError> {
        let name = self.live_cluster(id)?;
        let ids: Vec<i64> = self.inventory.servers_of(id).map(|s| s.id).collect();
        let servers = ids
            .iter()
            .map(|&s| self.deletable_server(id, s, "id"))
            .collect::<Result<Vec<_>, _>>()?;
        for &(s, _) in &servers {
            self.inventory.set_server_status(s, "DELETING", "OPERATING");
        }
        Ok(self.create_task(
            templates,
            TaskSpec {
                kind: caller.kind,
                creator: caller.creator,
                start_ms: caller.start_ms,
                fail_at: caller.fail_at,
                cluster_id: id,
                service_name: name,
                servers,
                skip_host_servers: Vec::new(),
                effect: Effect::RemoveCluster(id),
            },
        ))
    }

    /// Adds a server on each host, at once in `call.status` / OPERATING, with one task per
    /// server that makes it RUNNING / NORMAL when it succeeds.
    pub fn add_servers(
        &mut self,
        templates: &TaskTemplates,
        call: ServerAdd<'_>,
    ) -> Result<Vec<Arc<TaskOrigin>>, OcpError> {
        let name = self.live_cluster(call.cluster_id)?;
        let hosts: Vec<i64> = call.hosts.iter().map(|h| h.0).collect();
        self.free_hosts(&hosts, call.target)?;
        let mut tasks = Vec::with_capacity(hosts.len());
        for &(host, sql_port) in &call.hosts {
            let at = call.caller.start_ms;
            let server = self.new_server(call.cluster_id, host, sql_port, call.exporter_port, at);
            let id = server.id;
            self.inventory.add_server(ObproxyServer {
                version: call.version.clone(),
                status: call.status.into(),
                operate_status: "OPERATING".into(),
                ..server
            });
            tasks.push(self.create_task(
                templates,
                TaskSpec {
                    kind: call.caller.kind,
                    creator: call.caller.creator,
                    start_ms: at,
                    fail_at: call.caller.fail_at.clone(),
                    cluster_id: call.cluster_id,
                    service_name: name.clone(),
                    servers: vec![(id, host)],
                    skip_host_servers: Vec::new(),
                    effect: Effect::ServersRunning,
                },
            ));
        }
        Ok(tasks)
    }

    /// Restarts or upgrades servers: `call.status` / OPERATING while the task runs, RUNNING /
    /// NORMAL (on the new version) once it succeeded. Checked as a delete is.
    pub fn operate_servers(
        &mut self,
        templates: &TaskTemplates,
        call: ServersOperation<'_>,
    ) -> Result<Arc<TaskOrigin>, OcpError> {
        let name = self.live_cluster(call.cluster_id)?;
        let servers = call
            .server_ids
            .iter()
            .map(|&id| self.deletable_server(call.cluster_id, id, "obproxyIds"))
            .collect::<Result<Vec<_>, _>>()?;
        for &(id, _) in &servers {
            self.inventory
                .set_server_status(id, call.status, "OPERATING");
        }
        let effect = match call.version {
            Some(version) => Effect::Upgrade(version),
            None => Effect::ServersRunning,
        };
        Ok(self.create_task(
            templates,
            TaskSpec {
                kind: call.caller.kind,
                creator: call.caller.creator,
                start_ms: call.caller.start_ms,
                fail_at: call.caller.fail_at,
                cluster_id: call.cluster_id,
                service_name: name,
                servers,
                skip_host_servers: Vec::new(),
                effect,
            },
        ))
    }

    /// Sets a cluster's address and port (those given), as `PATCH .../clusters/{id}` does at
    /// once; returns the cluster as updated.
    pub fn update_cluster(
        &mut self,
        id: i64,
        address: Option<String>,
        port: Option<u16>,
        now_ms: i64,
    ) -> Result<Value, OcpError> {
        self.live_cluster(id)?;
        if let Some(c) = self.inventory.cluster_mut(id) {
            if let Some(address) = address {
                c.address = address;
            }
            if let Some(port) = port {
                c.port = port;
            }
            c.update_time_ms = now_ms;
        }
        self.cluster(id)
    }

    /// Links cluster `id` to OceanBase clusters (a link to a cluster of the same name is
    /// replaced), at once.
    pub fn add_links(&mut self, id: i64, links: Vec<ObLink>) -> Result<(), OcpError> {
        self.live_cluster(id)?;
        self.inventory.add_links(id, links);
        Ok(())
    }

    /// Unlinks cluster `id` from the OceanBase cluster `name`, at once; unlinking a cluster that
    /// is not linked changes nothing and succeeds, as a repeated DELETE does.
    pub fn remove_link(&mut self, id: i64, name: &str) -> Result<(), OcpError> {
        self.live_cluster(id)?;
        self.inventory.remove_link(id, name);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
