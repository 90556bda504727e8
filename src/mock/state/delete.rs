//! Deleting OBProxy servers, by either documented route: every server is checked before anything
//! changes, then one task is created and the servers are marked.

use super::*;

/// What a call that deletes OBProxy servers asks for, whichever route it came by.
struct DeleteCall<'a> {
    template: &'a TaskTemplate,
    kind: TaskKind,
    /// The parameter a refused server is named by (`obproxyIds`, `obproxyServerIds`).
    target: &'static str,
    cluster_id: i64,
    server_ids: &'a [i64],
    skip_host_servers: &'a [i64],
    creator: &'a Identity,
    start_ms: i64,
    fail_at: Option<String>,
}

impl State {
    /// Checks a Delete OBProxy call against the inventory, creates its task and marks its servers;
    /// returns what the answer is written from.
    ///
    /// All or nothing: every server is checked (cluster first, then servers in request order)
    /// before anything changes.
    pub fn delete_obproxies(
        &mut self,
        template: &TaskTemplate,
        cluster_id: i64,
        server_ids: &[i64],
        creator: &Identity,
        start_ms: i64,
        fail_at: Option<String>,
    ) -> Result<TaskOrigin, OcpError> {
        self.create_delete_task(DeleteCall {
            template,
            kind: TaskKind::OfflineObproxy,
            target: "obproxyIds",
            cluster_id,
            server_ids,
            skip_host_servers: &[],
            creator,
            start_ms,
            fail_at,
        })
    }

    /// OCP 4.3.5's `POST .../servers/delete`: as the DELETE, servers named by `obproxyServerIds`,
    /// and the servers whose hosts are left alone recorded in the task. The handler checked the
    /// body's form and refused servers of another cluster.
    pub fn delete_obproxy_servers(
        &mut self,
        template: &TaskTemplate,
        cluster_id: i64,
        (server_ids, skip_host_servers): (&[i64], &[i64]),
        creator: &Identity,
        start_ms: i64,
        fail_at: Option<String>,
    ) -> Result<TaskOrigin, OcpError> {
        self.create_delete_task(DeleteCall {
            template,
            kind: TaskKind::DeleteObproxyServer,
            target: "obproxyServerIds",
            cluster_id,
            server_ids,
            skip_host_servers,
            creator,
            start_ms,
            fail_at,
        })
    }

    /// Creates the task of a delete call once every server passed; nothing changes otherwise.
    fn create_delete_task(&mut self, call: DeleteCall<'_>) -> Result<TaskOrigin, OcpError> {
        let cluster = self.inventory.cluster(call.cluster_id).ok_or_else(|| {
            OcpError::new(&CLUSTER_NOT_FOUND, vec![call.cluster_id.to_string()]).with_target("id")
        })?;
        let servers = call
            .server_ids
            .iter()
            .map(|&id| self.deletable_server(call.cluster_id, id, call.target))
            .collect::<Result<Vec<_>, _>>()?;
        let origin = TaskOrigin {
            task_id: self.next_task_id,
            first_subtask_id: self.next_subtask_id,
            created_ms: call.start_ms,
            creator_id: call.creator.id,
            creator: call.creator.name.clone(),
            cluster_id: call.cluster_id,
            service_name: cluster.name.clone(),
            servers,
            kind: call.kind,
            skip_host_servers: call.skip_host_servers.to_vec(),
        };
        self.next_task_id += 1;
        self.next_subtask_id += call.template.subtask_ids_needed();
        for &(id, _) in &origin.servers {
            self.inventory
                .set_server_status(id, "DELETING", "OPERATING");
        }
        let task_id = origin.task_id;
        let answer = origin.clone();
        let run = TaskRun::new(call.template, origin, call.fail_at.as_deref());
        self.tasks.insert(task_id, run);
        self.running.insert(task_id);
        self.wake_at(task_id, call.start_ms);
        self.evict();
        Ok(answer)
    }

    /// Server `id` with its host, if it may be deleted from cluster `cluster_id` now.
    fn deletable_server(
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
