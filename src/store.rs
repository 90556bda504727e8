//! The state behind the handlers: inventory, clock, trace ids and the id counters.
//!
//! One mutex guards it all; every critical section is a few field updates with no I/O and no
//! await, so contention stays negligible.

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::Value;

use crate::ocp::clock::{Clock, TraceIds};
use crate::ocp::error::{CLUSTER_NOT_FOUND, OcpError, SERVER_NOT_FOUND, SERVER_NOT_IN_CLUSTER};
use crate::ocp::inventory::Inventory;
use crate::ocp::task::{NewTask, TaskTemplate};
use crate::settings::Settings;

/// When a request arrived and the trace id it answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub arrival_ms: i64,
    pub trace_id: String,
}

#[derive(Debug, Clone)]
struct State {
    inventory: Inventory,
    clock: Clock,
    trace_ids: TraceIds,
    next_task_id: i64,
    next_subtask_id: i64,
}

/// The mock's mutable state.
#[derive(Debug)]
pub struct Store {
    state: Mutex<State>,
}

impl Store {
    pub fn new(settings: &Settings, template: &TaskTemplate) -> Self {
        let first_subtask_id = template.first_subtask_id();
        Self {
            state: Mutex::new(State {
                inventory: settings.inventory.clone(),
                clock: Clock::new(settings.clock, template.start_ms),
                trace_ids: TraceIds::new(settings.seed),
                next_task_id: template.task_id,
                next_subtask_id: first_subtask_id,
            }),
        }
    }

    /// A panic elsewhere cannot leave these fields half-written, so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stamps a new request: advances the clock and the trace id sequence.
    pub fn stamp(&self) -> Stamp {
        let mut s = self.lock();
        Stamp {
            arrival_ms: s.clock.tick(),
            trace_id: s.trace_ids.next_id(),
        }
    }

    /// Checks a Delete OBProxy call against the inventory and creates its task.
    ///
    /// Checks run in OCP's order: the cluster, then each server in request order.
    pub fn delete_obproxies(
        &self,
        template: &TaskTemplate,
        cluster_id: i64,
        server_ids: &[i64],
        creator: &str,
        executor: &str,
        start_ms: i64,
    ) -> Result<Value, OcpError> {
        let mut s = self.lock();
        let cluster = s.inventory.cluster(cluster_id).ok_or_else(|| {
            OcpError::new(&CLUSTER_NOT_FOUND, vec![cluster_id.to_string()]).with_target("id")
        })?;
        let mut servers = Vec::with_capacity(server_ids.len());
        for &id in server_ids {
            let server = s.inventory.server(id).ok_or_else(|| {
                OcpError::new(&SERVER_NOT_FOUND, vec![id.to_string()]).with_target("obproxyIds")
            })?;
            if server.cluster_id != cluster_id {
                return Err(OcpError::new(
                    &SERVER_NOT_IN_CLUSTER,
                    vec![id.to_string(), cluster_id.to_string()],
                )
                .with_target("obproxyIds")
                .with_debug(format!(
                    "obproxy server {id} belongs to cluster {}",
                    server.cluster_id
                )));
            }
            servers.push((id, server.host_id));
        }
        let service_name = cluster.name.clone();
        let task_id = s.next_task_id;
        let first_subtask_id = s.next_subtask_id;
        s.next_task_id += 1;
        s.next_subtask_id += template.subtask_ids_needed(servers.len());
        drop(s);
        Ok(template.build(&NewTask {
            task_id,
            first_subtask_id,
            start_ms,
            creator,
            executor,
            servers: &servers,
            service_name: &service_name,
        }))
    }
}
