//! The documented tasks of a profile: every template a mock's tasks are built from, and which
//! documented call (method and path pattern) creates a task of which template.
//!
//! The DELETE's templates come first and are fixed (their answer is the seed's, byte for byte);
//! any other documented task sample can be registered for its call when the mock is built.

use std::collections::BTreeMap;

use super::{TaskKind, TaskTemplate, TemplateError};
use crate::ocp::version::OcpVersion;

/// OCP's documented answer to `POST /api/v2/obproxy/clusters` ("Install obproxy").
pub const CLUSTER_CREATE_EXAMPLE: &str =
    include_str!("../../../fixtures/ocp-examples/26-obproxy-cluster-create.json");
/// OCP's documented answer to `DELETE /api/v2/obproxy/clusters/{id}` ("Offline obproxy", two
/// subtasks).
pub const CLUSTER_DELETE_EXAMPLE: &str =
    include_str!("../../../fixtures/ocp-examples/27-obproxy-cluster-delete.json");
/// OCP's documented answer to `POST /api/v2/obproxy/clusters/{id}/obproxies/batchAdd`: a page
/// of "Install obproxy" tasks, one per host.
pub const BATCH_ADD_EXAMPLE: &str =
    include_str!("../../../fixtures/ocp-examples/37-obproxy-batch-add.json");

/// The OBProxy routes whose documented task the mock follows, with the sample each follows.
/// 4.3.4 documents `takeOver` with the batchAdd's sample, and `restart` and `upgrade` with the
/// DELETE's "Offline obproxy" task: the mock answers what the pages show.
const OBPROXY_CALLS: [(&str, &str, Sample); 6] = [
    (
        "POST",
        "/api/v2/obproxy/clusters",
        Sample::Text(CLUSTER_CREATE_EXAMPLE),
    ),
    (
        "DELETE",
        "/api/v2/obproxy/clusters/{id}",
        Sample::Text(CLUSTER_DELETE_EXAMPLE),
    ),
    (
        "POST",
        "/api/v2/obproxy/clusters/{id}/obproxies/batchAdd",
        Sample::Text(BATCH_ADD_EXAMPLE),
    ),
    (
        "POST",
        "/api/v2/obproxy/clusters/{id}/takeOver",
        Sample::Text(BATCH_ADD_EXAMPLE),
    ),
    (
        "POST",
        "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/restart",
        Sample::Offline,
    ),
    (
        "POST",
        "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}/upgrade",
        Sample::Offline,
    ),
];

/// The DELETE of OBProxy servers, the seed's call.
pub const DELETE_OBPROXIES: &str = "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}";
/// OCP 4.3.5's POST that replaces it.
pub const SERVERS_DELETE: &str = "/api/v2/obproxy/clusters/{id}/servers/delete";

/// Which documented sample a call follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sample {
    /// The DELETE's "Offline obproxy" task (the profile's own).
    Offline,
    /// A sample registered through [`TaskTemplates::add_documented`].
    Text(&'static str),
}

/// The documented tasks a mock's profile creates, parsed once when the mock is built: a task is
/// built and queried from the template of its [`TaskKind`].
#[derive(Debug, Clone)]
pub struct TaskTemplates {
    /// Every template; [`TaskKind`] indexes it. 0 is the DELETE's, 1 the 4.3.5 POST's (the
    /// DELETE's again under older profiles).
    list: Vec<TaskTemplate>,
    /// Whether the profile has OCP 4.3.5's `POST .../servers/delete`.
    servers_delete: bool,
    /// The documented calls that create each kind, by path pattern: (METHOD, kind). Keyed by the
    /// pattern alone so that a replayed call finds its kind without building a key.
    calls: BTreeMap<String, Vec<(String, TaskKind)>>,
}

impl TaskTemplates {
    /// The templates of profile `version`.
    pub fn for_version(version: OcpVersion) -> Self {
        let servers_delete = version >= OcpVersion::V4_3_5;
        let (offline, post) = if servers_delete {
            (
                TaskTemplate::v4_3_5_delete(),
                TaskTemplate::v4_3_5_servers_delete(),
            )
        } else {
            (TaskTemplate::documented(), TaskTemplate::documented())
        };
        let mut templates = Self {
            list: vec![offline, post],
            servers_delete,
            calls: BTreeMap::new(),
        };
        templates.register("DELETE", DELETE_OBPROXIES, TaskKind::OFFLINE_OBPROXY);
        if servers_delete {
            templates.register("POST", SERVERS_DELETE, TaskKind::DELETE_OBPROXY_SERVER);
        }
        for (method, pattern, sample) in OBPROXY_CALLS {
            match sample {
                Sample::Offline => templates.register(method, pattern, TaskKind::OFFLINE_OBPROXY),
                Sample::Text(text) => {
                    templates
                        .add_documented(method, pattern, text)
                        .expect("the embedded samples are parsed by a unit test");
                }
            }
        }
        templates
    }

    /// Templates holding `template` alone, as the DELETE's (for tests of edited templates).
    #[cfg(test)]
    pub fn only(template: TaskTemplate) -> Self {
        Self {
            list: vec![template.clone(), template],
            servers_delete: false,
            calls: BTreeMap::new(),
        }
    }

    /// Registers the documented task sample `envelope_text` (a success envelope whose `data` is
    /// a task, or a page of tasks) as what `method pattern` creates, and returns its kind.
    ///
    /// The DELETE's own calls keep their templates (their answer is the seed's, byte for byte):
    /// the sample is still read, and the existing kind returned.
    pub fn add_documented(
        &mut self,
        method: &str,
        pattern: &str,
        envelope_text: &str,
    ) -> Result<TaskKind, TemplateError> {
        let template = TaskTemplate::parse(envelope_text)?;
        if let Some(kind) = self.documented(method, pattern)
            && kind.0 <= TaskKind::DELETE_OBPROXY_SERVER.0
        {
            return Ok(kind);
        }
        let kind = self.push(template);
        self.register(method, pattern, kind);
        Ok(kind)
    }

    /// The kind of task the documented call `method pattern` creates, if one is registered.
    pub fn documented(&self, method: &str, pattern: &str) -> Option<TaskKind> {
        self.calls
            .get(pattern)?
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(method))
            .map(|&(_, kind)| kind)
    }

    /// The template tasks of `kind` are built from (a kind the profile lacks is never created;
    /// the DELETE's stands in).
    pub fn of(&self, kind: TaskKind) -> &TaskTemplate {
        self.list.get(kind.0).unwrap_or(&self.list[0])
    }

    /// The template whose documented answer a fresh mock gives first: the profile's
    /// recommended delete, which sets the clock, the ids and the envelope's timing.
    pub fn lead(&self) -> &TaskTemplate {
        let kind = if self.servers_delete {
            TaskKind::DELETE_OBPROXY_SERVER
        } else {
            TaskKind::OFFLINE_OBPROXY
        };
        self.of(kind)
    }

    /// Every template, for checking that a scenario names a subtask some task has.
    pub fn all(&self) -> Vec<&TaskTemplate> {
        self.list.iter().collect()
    }

    fn push(&mut self, template: TaskTemplate) -> TaskKind {
        self.list.push(template);
        TaskKind(self.list.len() - 1)
    }

    fn register(&mut self, method: &str, pattern: &str, kind: TaskKind) {
        let methods = self.calls.entry(pattern.to_owned()).or_default();
        let method = method.to_ascii_uppercase();
        match methods.iter_mut().find(|(m, _)| *m == method) {
            Some(entry) => entry.1 = kind,
            None => methods.push((method, kind)),
        }
    }
}
