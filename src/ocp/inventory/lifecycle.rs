//! Changing the OBProxy inventory as OCP's lifecycle calls do: clusters created, updated and
//! deleted, servers added, links to OceanBase clusters added and removed.

use std::sync::Arc;

use super::{Inventory, ObLink, ObproxyCluster, ObproxyServer};

impl Inventory {
    /// The largest cluster id and the largest server id held, 0 when there is none.
    pub fn largest_ids(&self) -> (i64, i64) {
        let cluster = self.clusters.keys().next_back().copied().unwrap_or(0);
        let server = self.servers.keys().next_back().copied().unwrap_or(0);
        (cluster.max(0), server.max(0))
    }

    /// Cluster `id`, to change its address, port or links.
    pub fn cluster_mut(&mut self, id: i64) -> Option<&mut ObproxyCluster> {
        self.clusters.get_mut(&id).map(Arc::make_mut)
    }

    /// The cluster named `name`, if any.
    pub fn cluster_named(&self, name: &str) -> Option<&ObproxyCluster> {
        self.clusters
            .values()
            .map(|c| &**c)
            .find(|c| c.name == name)
    }

    /// Adds a cluster (its id unused).
    pub fn add_cluster(&mut self, cluster: ObproxyCluster) {
        self.by_cluster.entry(cluster.id).or_default();
        self.clusters.insert(cluster.id, Arc::new(cluster));
    }

    /// Forgets cluster `id` and every server of it.
    pub fn remove_cluster(&mut self, id: i64) {
        self.clusters.remove(&id);
        for server in self.by_cluster.remove(&id).unwrap_or_default() {
            self.servers.remove(&server);
        }
    }

    /// Adds a server to its cluster (cluster and host known, id unused).
    pub fn add_server(&mut self, server: ObproxyServer) {
        self.by_cluster
            .entry(server.cluster_id)
            .or_default()
            .insert(server.id);
        self.servers.insert(server.id, Arc::new(server));
    }

    /// The server installed on host `host_id`, if any: OCP installs one OBProxy per host.
    pub fn server_on_host(&self, host_id: i64) -> Option<&ObproxyServer> {
        self.servers
            .values()
            .map(|s| &**s)
            .find(|s| s.host_id == host_id)
    }

    /// Sets the version a server runs (after an upgrade).
    pub fn set_server_version(&mut self, id: i64, version: &str) {
        if let Some(s) = self.servers.get_mut(&id).map(Arc::make_mut) {
            version.clone_into(&mut s.version);
        }
    }

    /// Adds links to cluster `id`, replacing those to an OceanBase cluster of the same name.
    pub fn add_links(&mut self, id: i64, links: Vec<ObLink>) {
        if let Some(c) = self.clusters.get_mut(&id).map(Arc::make_mut) {
            for link in links {
                c.ob_links.retain(|l| l.cluster_name != link.cluster_name);
                c.ob_links.push(link);
            }
        }
    }

    /// Removes the link of cluster `id` to the OceanBase cluster `name`; whether there was one.
    pub fn remove_link(&mut self, id: i64, name: &str) -> bool {
        let Some(c) = self.clusters.get_mut(&id).map(Arc::make_mut) else {
            return false;
        };
        let before = c.ob_links.len();
        c.ob_links.retain(|l| l.cluster_name != name);
        c.ob_links.len() != before
    }
}
