//! Deleting hosts: a host an OBProxy server or a running task still uses stays; the others go,
//! all or nothing.

use super::*;
use crate::ocp::error::{HOST_IN_USE, HOST_NOT_FOUND};

/// The status a host must be back in before OCP deletes it (`{1}` of `CMP07004`).
const FREE_STATUS: &str = "AVAILABLE";

/// OCP's "host does not exist" for host `id`, naming the parameter `target`.
pub fn host_not_found(id: i64, target: &str) -> OcpError {
    OcpError::new(&HOST_NOT_FOUND, vec!["id".into(), id.to_string()]).with_target(target)
}

impl State {
    /// The first running task (by id) among whose servers one sits on host `host_id`: a host
    /// such a task works on cannot be deleted.
    pub fn task_using_host(&self, host_id: i64) -> Option<i64> {
        self.running.iter().copied().find(|id| {
            self.tasks
                .get(id)
                .is_some_and(|t| t.origin.servers.iter().any(|&(_, h)| h == host_id))
        })
    }

    /// Why host `id` cannot be deleted now, if it cannot: missing (`CMP07005`, 404) or in use
    /// by a running task or an OBProxy server (`CMP07004`, 409, with the user named in
    /// `debugMessage`).
    fn host_refusal(&self, id: i64, target: &str) -> Option<OcpError> {
        let Some(host) = self.inventory.host(id) else {
            return Some(host_not_found(id, target));
        };
        let in_use = || {
            OcpError::new(&HOST_IN_USE, vec![host.ip.clone(), FREE_STATUS.into()])
                .with_target(target)
        };
        if let Some(task) = self.task_using_host(id) {
            return Some(in_use().with_debug(format!("host {id} is used by running task {task}")));
        }
        let server = self.inventory.servers_on(id).next()?;
        Some(in_use().with_debug(format!(
            "host {id} runs OBProxy server {} of OBProxy cluster {}",
            server.id, server.cluster_id
        )))
    }

    /// Deletes hosts `ids`, all or nothing: every host is checked, in request order, before
    /// any is removed; the first refusal is the answer and nothing changes.
    pub fn delete_hosts(&mut self, ids: &[i64], target: &str) -> Result<(), OcpError> {
        if let Some(refusal) = ids.iter().find_map(|&id| self.host_refusal(id, target)) {
            return Err(refusal);
        }
        for &id in ids {
            self.inventory.remove_host(id);
        }
        Ok(())
    }
}
