//! The mock's settings: one struct shared by the CLI, the library builder and the handlers.

use crate::auth::AuthSettings;
use crate::journal::DEFAULT_CAPACITY;
use crate::ocp::clock::ClockMode;
use crate::ocp::error::ErrorCodeStyle;
use crate::ocp::inventory::Inventory;
use crate::ocp::progress::TaskPace;
use crate::ocp::task::TaskTemplate;
use crate::scenario::Scenario;

/// Everything that shapes the mock's answers. `Default` is the documented behaviour.
#[derive(Debug, Clone)]
pub struct Settings {
    /// First `traceId` (as a number); the sequence continues deterministically from it.
    pub seed: u64,
    pub clock: ClockMode,
    /// The envelope's `server`.
    pub server_name: String,
    /// The task's `executor`.
    pub executor: String,
    pub error_code: ErrorCodeStyle,
    pub inventory: Inventory,
    /// One line per request on stderr.
    pub log_requests: bool,
    /// Who may call the mock.
    pub auth: AuthSettings,
    /// How fast tasks progress.
    pub task_pace: TaskPace,
    /// Scenarios active from the start (and after a reset).
    pub scenarios: Vec<Scenario>,
    /// How many requests the journal keeps.
    pub journal_size: usize,
    /// Serve the admin API under `/__mock/`.
    pub admin_api: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let template = TaskTemplate::documented();
        Self {
            seed: template.trace_seed,
            clock: ClockMode::Fixed,
            server_name: template.server,
            executor: template.executor,
            error_code: ErrorCodeStyle::Number,
            inventory: Inventory::default_inventory(),
            log_requests: false,
            auth: AuthSettings::default(),
            task_pace: TaskPace::default(),
            scenarios: Vec::new(),
            journal_size: DEFAULT_CAPACITY,
            admin_api: true,
        }
    }
}
