//! Deleting OBProxy servers, by either documented route: every server is checked before anything
//! changes, then one task is created and the servers are marked.

use super::*;
use crate::mock::sim::effect::Effect;

/// What a call that deletes OBProxy servers asks for, whichever route it came by.
pub struct DeleteCall<'a> {
    /// Which documented task it creates (the DELETE's, or 4.3.5's POST's).
    pub kind: TaskKind,
    /// The parameter a refused server is named by (`obproxyIds`, `obproxyServerIds`).
    pub target: &'static str,
    /// The cluster of the path.
    pub cluster_id: i64,
    /// The servers to delete, in request order, repeats folded.
    pub server_ids: &'a [i64],
    /// Servers whose hosts are left alone (4.3.5's POST), recorded in the task.
    pub skip_host_servers: &'a [i64],
    /// Who is calling: the task's creator.
    pub creator: &'a Identity,
    /// When the call arrived: the task's creation.
    pub start_ms: i64,
    /// The subtask the task fails at (the `fail-at` scenario).
    pub fail_at: Option<String>,
}

impl State {
    /// Checks a delete call against the inventory, creates its task from the template of its
    /// kind and marks its servers; returns what the answer is written from.
    ///
    /// All or nothing: every server is checked (cluster first, then servers in request order)
    /// before anything changes.
    pub fn delete_servers(
        &mut self,
        templates: &TaskTemplates,
        call: DeleteCall<'_>,
    ) -> Result<Arc<TaskOrigin>, OcpError> {
        let service_name = self.inventory.cluster(call.cluster_id).map_or_else(
            || {
                Err(OcpError::new(
                    &CLUSTER_NOT_FOUND,
                    vec![call.cluster_id.to_string()],
                ))
            },
            |c| Ok(c.name.clone()),
        );
        let service_name = service_name.map_err(|e| e.with_target("id"))?;
        let servers = call
            .server_ids
            .iter()
            .map(|&id| self.deletable_server(call.cluster_id, id, call.target))
            .collect::<Result<Vec<_>, _>>()?;
        for &(id, _) in &servers {
            self.inventory
                .set_server_status(id, "DELETING", "OPERATING");
        }
        Ok(self.create_task(
            templates,
            TaskSpec {
                kind: call.kind,
                creator: call.creator,
                start_ms: call.start_ms,
                fail_at: call.fail_at,
                cluster_id: call.cluster_id,
                service_name,
                servers,
                skip_host_servers: call.skip_host_servers.to_vec(),
                effect: Effect::RemoveServers,
            },
        ))
    }

    /// Server `id` with its host, if it may be deleted from cluster `cluster_id` now.
    pub(super) fn deletable_server(
        &self,
        cluster_id: i64,
        id: i64,
        target: &str,
    ) -> Result<(i64, i64), OcpError> {
        let server = self.inventory.server(id).ok_or_else(|| {
            OcpError::new(&SERVER_NOT_FOUND, vec![id.to_string()]).with_target(target)
        })?;
        if server.cluster_id != cluster_id {
            return Err(OcpError::new(
                &SERVER_NOT_IN_CLUSTER,
                vec![id.to_string(), cluster_id.to_string()],
            )
            .with_target(target)
            .with_debug(format!(
                "obproxy server {id} belongs to cluster {}",
                server.cluster_id
            )));
        }
        if server.status == "DELETING" || server.operate_status == "OPERATING" {
            return Err(OcpError::new(
                &SERVER_STATUS_CONFLICT,
                vec![id.to_string(), server.status.clone()],
            )
            .with_target(target)
            .with_debug(format!(
                "obproxy server {id} is {} / {}: another operation is under way",
                server.status, server.operate_status
            )));
        }
        Ok((id, server.host_id))
    }
}
