//! The mock's settings: one struct shared by the CLI, the library builder and the handlers.

use crate::auth::AuthSettings;
use crate::ocp::clock::ClockMode;
use crate::ocp::error::ErrorCodeStyle;
use crate::ocp::inventory::Inventory;
use crate::ocp::task::TaskTemplate;

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
        }
    }
}
