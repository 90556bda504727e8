//! The state behind the handlers: inventory, tasks, clock, trace ids, id counters, scenarios and
//! the request journal.
//!
//! One mutex guards it all. Every critical section is plain field updates with no I/O and no
//! await; JSON is serialised after the lock is released. `reset` puts back a copy of the state
//! the mock started with.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;

use crate::mock::auth::Identity;
use crate::mock::journal::Journal;
use crate::mock::later::Later;
use crate::mock::paging::PageRequest;
use crate::mock::scenario::{Fault, MAX_LATENCY_MS, RateLimit, Scenario};
use crate::mock::settings::Settings;
use crate::mock::sim::clock::{Clock, TraceIds};
use crate::mock::sim::progress::{TaskOrigin, TaskPace, TaskRun};
use crate::ocp::error::{
    CLUSTER_NOT_FOUND, OcpError, SERVER_NOT_FOUND, SERVER_NOT_IN_CLUSTER, SERVER_STATUS_CONFLICT,
    TASK_NOT_FOUND, TASK_STATE_CONFLICT,
};
use crate::ocp::inventory::{ClusterView, Inventory};
use crate::ocp::task::{TaskKind, TaskStatus, TaskTemplate, TaskTemplates};

/// When a request arrived and the trace id it answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The arrival instant, on the mock's clock.
    pub arrival_ms: i64,
    /// The `traceId` every envelope of this request carries.
    pub trace_id: String,
}

/// The calls counted in the current throttling window.
#[derive(Debug, Clone, Copy)]
struct Window {
    start_ms: i64,
    count: u32,
}

/// What one call does to a throttling window: the `RateLimit-*` values to send
/// (limit, remaining, seconds to reset) and whether the call is past the limit.
type Hit = ((u32, u32, i64), bool);

impl Window {
    fn new() -> Self {
        Self {
            start_ms: i64::MIN,
            count: 0,
        }
    }

    /// Counts a call at `now_ms` against `limit` calls per `window_ms`; a call past the
    /// window's end opens a new one.
    fn hit(&mut self, limit: u32, window_ms: i64, now_ms: i64) -> Hit {
        if now_ms.saturating_sub(self.start_ms) >= window_ms {
            self.start_ms = now_ms;
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        let reset_ms = self
            .start_ms
            .saturating_add(window_ms)
            .saturating_sub(now_ms);
        let values = (
            limit,
            limit.saturating_sub(self.count),
            reset_ms.saturating_add(999) / 1000,
        );
        (values, self.count > limit)
    }
}

/// Of two throttles a call meets, the headers of the one with fewer calls left (the
/// later one on a tie), as a client must obey the tighter.
fn tighter(a: Option<(u32, u32, i64)>, b: (u32, u32, i64)) -> (u32, u32, i64) {
    match a {
        Some(a) if a.1 < b.1 => a,
        _ => b,
    }
}

/// A scenario with the counters `throttle` needs.
#[derive(Debug, Clone)]
struct Active {
    scenario: Scenario,
    window: Window,
}

/// What the active scenarios do to one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Close the connection without an answer.
    pub drop: bool,
    /// Hold the answer this long.
    pub latency_ms: u64,
    /// Answer with an error envelope of this status.
    pub error: Option<u16>,
    /// `RateLimit-Limit`, `-Remaining`, `-Reset`: of the default rate limit, or of a matching
    /// throttle scenario with fewer calls left.
    pub rate_limit: Option<(u32, u32, i64)>,
    /// Past the rate limit or a throttle's: answer 429.
    pub throttled: bool,
    /// A task created by this request fails at this subtask.
    pub fail_at: Option<String>,
}

/// Everything that changes while the mock runs.
#[derive(Debug, Clone)]
pub struct State {
    /// The OBProxy clusters, servers and hosts as they stand.
    pub inventory: Inventory,
    clock: Clock,
    trace_ids: TraceIds,
    next_task_id: i64,
    next_subtask_id: i64,
    /// The instant of the latest request: what the admin API reports as "now".
    now_ms: i64,
    /// Boxed: retiring the oldest task shifts the B-tree's entries, a pointer each (unboxed,
    /// the shift copied whole tasks: 0.7% of the mock's CPU under the DELETE benchmark).
    tasks: BTreeMap<i64, Box<TaskRun>>,
    /// Ids of the tasks still RUNNING, so time-paced progress never walks finished ones.
    running: BTreeSet<i64>,
    /// When each running task next changes under a time pace, as (instant, task id): a request
    /// advances only the tasks due by its instant, not every running one.
    wake: BTreeSet<(i64, i64)>,
    /// The successful tasks still kept, oldest first: what retention forgets first.
    succeeded: BTreeSet<i64>,
    task_retention: usize,
    respawn_deleted: bool,
    scenarios: Vec<Active>,
    rate_limit: RateLimit,
    rate_window: Window,
    /// The recent requests, for the admin API.
    pub journal: Journal,
    /// The ids the next OBProxy cluster and server take.
    obproxy_ids: obproxy::NextIds,
}

/// The mock's mutable state, and the state it started with.
#[derive(Debug)]
pub struct Store {
    state: Mutex<State>,
    initial: State,
}

impl Store {
    /// The state the settings describe, kept to return to on reset.
    pub fn new(settings: &Settings, template: &TaskTemplate) -> Self {
        let initial = State {
            inventory: settings.inventory.clone(),
            clock: Clock::new(settings.clock, template.start_ms),
            trace_ids: TraceIds::new(settings.seed),
            next_task_id: template.task_id,
            next_subtask_id: template.first_subtask_id(),
            now_ms: template.start_ms,
            tasks: BTreeMap::new(),
            running: BTreeSet::new(),
            wake: BTreeSet::new(),
            succeeded: BTreeSet::new(),
            task_retention: settings.task_retention.max(1),
            respawn_deleted: settings.respawn_deleted,
            scenarios: settings
                .scenarios
                .iter()
                .cloned()
                .map(Active::new)
                .collect(),
            rate_limit: settings.rate_limit,
            rate_window: Window::new(),
            journal: Journal::new(settings.journal_size),
            obproxy_ids: obproxy::NextIds::after(&settings.inventory),
        };
        Self {
            state: Mutex::new(initial.clone()),
            initial,
        }
    }

    /// A panic cannot leave the state half-written (handlers validate before they mutate), so a
    /// poisoned lock is still usable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Inventory, tasks, ids, clock, scenarios and journal back to their start values.
    pub fn reset(&self) {
        *self.lock() = self.initial.clone();
    }
}

impl Active {
    fn new(scenario: Scenario) -> Self {
        Self {
            scenario,
            window: Window::new(),
        }
    }
}

impl State {
    /// Stamps a new request: advances the clock and the trace id sequence.
    pub fn stamp(&mut self) -> Stamp {
        self.now_ms = self.clock.tick();
        Stamp {
            arrival_ms: self.now_ms,
            trace_id: self.trace_ids.next_id(),
        }
    }

    /// The instant of the latest request on the mock's clock.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// The active scenarios, in the order they were set.
    pub fn scenarios(&self) -> Vec<Scenario> {
        self.scenarios.iter().map(|a| a.scenario.clone()).collect()
    }

    /// Replaces the active scenarios; throttling windows start afresh.
    pub fn set_scenarios(&mut self, scenarios: Vec<Scenario>) {
        self.scenarios = scenarios.into_iter().map(Active::new).collect();
    }

    /// Applies the rate limit, the active scenarios and those of the request's own header to
    /// one request.
    pub fn faults(&mut self, method: &str, path: &str, own: &[Scenario], now_ms: i64) -> Faults {
        let mut faults = Faults::default();
        let apply = |s: &Scenario, faults: &mut Faults| match &s.fault {
            Fault::FailAt(name) => faults.fail_at = Some(name.clone()),
            // Summed, then capped as one scenario is: stacking them cannot hold a request longer.
            Fault::Latency(ms) => {
                faults.latency_ms = faults.latency_ms.saturating_add(*ms).min(MAX_LATENCY_MS)
            }
            Fault::Error(status) => faults.error = faults.error.or(Some(*status)),
            Fault::Drop => faults.drop = true,
            Fault::Throttle { .. } => {}
        };
        if let RateLimit::PerWindow { limit, window_ms } = self.rate_limit
            && path.starts_with("/api/")
        {
            self.throttle(&mut faults, |w| w.rate_window.hit(limit, window_ms, now_ms));
        }
        for i in 0..self.scenarios.len() {
            let active = &self.scenarios[i];
            if !active.scenario.applies_to(method, path) {
                continue;
            }
            if let Fault::Throttle { limit, window_ms } = active.scenario.fault {
                self.throttle(&mut faults, |w| {
                    w.scenarios[i].window.hit(limit, window_ms, now_ms)
                });
            }
            apply(&self.scenarios[i].scenario, &mut faults);
        }
        for s in own.iter().filter(|s| s.applies_to(method, path)) {
            apply(s, &mut faults);
        }
        faults
    }

    /// Counts a call in one throttling window and keeps the tighter headers.
    fn throttle(&mut self, faults: &mut Faults, hit: impl FnOnce(&mut Self) -> Hit) {
        let (values, over) = hit(self);
        faults.throttled |= over;
        faults.rate_limit = Some(tighter(faults.rate_limit, values));
    }

    /// Moves the running tasks due by `now_ms` on to it (time pace), and settles those that
    /// finished; the others cannot have changed since they were last advanced.
    pub fn advance_all(&mut self, pace: TaskPace, now_ms: i64) {
        let TaskPace::Time(per_subtask) = pace else {
            // Tasks advance when queried: nothing is ever due.
            self.wake.clear();
            return;
        };
        while let Some(&(at, id)) = self.wake.first() {
            if at > now_ms {
                break;
            }
            self.wake.pop_first();
            let next = self
                .tasks
                .get_mut(&id)
                .and_then(|t| t.advance_to(now_ms, per_subtask));
            self.settle(id);
            if let Some(next) = next {
                self.wake.insert((next, id));
            }
        }
    }

    /// Looks at task `id` again at the first request from `at_ms` on (time pace).
    fn wake_at(&mut self, id: i64, at_ms: i64) {
        self.wake.insert((at_ms, id));
    }

    /// Once a task ended it leaves the running set; once it succeeded its effect is applied
    /// (the DELETE's servers are gone, or back to RUNNING with `respawn_deleted`).
    fn settle(&mut self, task_id: i64) {
        let Some(task) = self.tasks.get(&task_id) else {
            return;
        };
        if task.state == TaskStatus::Running {
            self.running.insert(task_id);
            return;
        }
        // A task ends once (until a retry runs it again): what it did to its servers must not be
        // done again when it is queried later, when the servers may be someone else's.
        if !self.running.remove(&task_id) {
            return;
        }
        if task.state == TaskStatus::Successful {
            let origin = task.origin.clone();
            // A rollback undid the operation: what it did is undone, not applied.
            if task.rolled_back() {
                self.undo(&origin);
            } else {
                self.apply(&origin);
            }
            // Retention holds as tasks finish, not only when the next one is created.
            self.succeeded.insert(task_id);
            self.evict();
        }
    }

    /// Forgets the oldest successful tasks past the retention limit. A FAILED task is kept: its
    /// servers stay DELETING until it is retried, so forgetting it would strand them.
    fn evict(&mut self) {
        while self.tasks.len() > self.task_retention {
            match self.succeeded.pop_first() {
                Some(id) => {
                    self.tasks.remove(&id);
                }
                None => return,
            }
        }
    }

    /// Task `id`, or `TSK10001` naming the path parameter as the route does (`taskInstanceId`,
    /// as the 400 for a malformed id does).
    fn task_mut(&mut self, id: i64) -> Result<&mut TaskRun, OcpError> {
        self.tasks.get_mut(&id).map(|t| &mut **t).ok_or_else(|| {
            OcpError::new(&TASK_NOT_FOUND, vec![id.to_string()]).with_target("taskInstanceId")
        })
    }

    /// A task query: with the polls pace, each query advances the task.
    pub fn query_task(
        &mut self,
        templates: &TaskTemplates,
        executor: &str,
        id: i64,
        pace: TaskPace,
        now_ms: i64,
    ) -> Result<Value, OcpError> {
        let task = self.task_mut(id)?;
        if let TaskPace::Polls(steps) = pace {
            task.poll(steps, now_ms);
        }
        let data = task.render(templates.of(task.origin.kind), executor);
        self.settle(id);
        Ok(data)
    }

    /// Retries a FAILED task from its failed subtasks.
    pub fn retry_task(
        &mut self,
        templates: &TaskTemplates,
        executor: &str,
        id: i64,
        now_ms: i64,
    ) -> Result<Value, OcpError> {
        let task = self.task_mut(id)?;
        task.retry(now_ms).map_err(|state| {
            OcpError::new(
                &TASK_STATE_CONFLICT,
                vec![id.to_string(), state.as_str().to_owned()],
            )
            .with_debug("only a FAILED task can be retried")
        })?;
        let data = task.render(templates.of(task.origin.kind), executor);
        self.settle(id);
        self.wake_at(id, now_ms);
        Ok(data)
    }

    /// Cluster `id` as `GET /api/v2/obproxy/clusters/{id}` shows it, or `ODP21001`.
    pub fn cluster(&self, id: i64) -> Result<Value, OcpError> {
        let c = self.inventory.cluster(id).ok_or_else(|| {
            OcpError::new(&CLUSTER_NOT_FOUND, vec![id.to_string()]).with_target("id")
        })?;
        Ok(self.inventory.cluster_json(c))
    }

    /// One page of the cluster list.
    pub fn clusters_page(&self, paging: PageRequest) -> Later {
        // Only the page's clusters are taken, in pointer copies: a page costs its own clusters'
        // servers under the lock, and its JSON is written after the lock is released.
        let views: Vec<ClusterView> = self
            .inventory
            .clusters()
            .skip(paging.offset())
            .take(paging.limit())
            .filter_map(|c| self.inventory.cluster_view(c))
            .collect();
        let total = self.inventory.cluster_count();
        let servers: usize = views.iter().map(ClusterView::server_count).sum();
        Later::new(256 + views.len() * 512 + servers * 384, move |out| {
            let page = paging.answer(Vec::new(), total);
            ClusterView::write_page(&views, &page["page"], out);
        })
    }

    /// How many tasks exist, for the health report.
    pub fn task_count(&self) -> usize {
        self.tasks.len()
    }

    /// The tasks kept, by id: what the admin API shows of what each call asked for.
    pub fn tasks(&self) -> impl Iterator<Item = &TaskRun> {
        self.tasks.values().map(|t| &**t)
    }
}

mod create;
mod delete;
mod hosts;
mod obproxy;
mod tasks;

pub use create::TaskSpec;
pub use delete::DeleteCall;
pub use hosts::host_not_found;
pub use obproxy::{Caller, ClusterCreate, ServerAdd, ServersOperation};
pub use tasks::{SubtaskCall, TaskFilter};

#[cfg(test)]
mod tests;
