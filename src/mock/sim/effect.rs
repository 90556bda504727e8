//! What a task does to the inventory once it succeeds: applied once, when the task first ends
//! SUCCESSFUL (a retried task that then succeeds applies it then), never on failure.

/// A new OBProxy cluster, as a create call describes it: it appears when its task succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCluster {
    /// Its name (unique among clusters and clusters being created).
    pub name: String,
    /// The address clients connect to.
    pub address: String,
    /// The port clients connect to.
    pub port: u16,
    /// `CONFIG_URL` or `RS_LIST`.
    pub work_mode: String,
    /// The hosts OBProxies are installed on (`obproxyInstallParam.hostIds`).
    pub host_ids: Vec<i64>,
    /// Their SQL port.
    pub sql_port: u16,
    /// Their exporter port.
    pub exporter_port: u16,
    /// Their version.
    pub version: String,
    /// The OceanBase clusters it may connect to.
    pub ob_links: Vec<crate::ocp::inventory::ObLink>,
    /// Who created it: `creatorId`, `creatorName`.
    pub creator: (i64, String),
}

/// What a task does once it succeeds, to the servers of its origin or to a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Effect {
    /// Nothing.
    #[default]
    None,
    /// The task's servers are gone (or back RUNNING with `--respawn-deleted`): the DELETE's.
    RemoveServers,
    /// The task's servers are RUNNING / NORMAL (added, restarted, taken over).
    ServersRunning,
    /// The task's servers are RUNNING / NORMAL on this version.
    Upgrade(String),
    /// A new cluster appears, with a RUNNING server on each of its hosts.
    CreateCluster(Box<NewCluster>),
    /// The cluster of this id and all its servers are gone.
    RemoveCluster(i64),
}
