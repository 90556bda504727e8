//! What the destructive probe needs before it may judge anything: the cluster and its servers
//! exist. A second `--delete 1:2` run against the same target meets a server the first one
//! deleted; that is the check's setting gone stale, not drift, so it stops the check (exit 2)
//! with one line that says so, rather than failing the contract with a diff of a 404.

use http::Method;
use serde_json::Value;

use super::probes::{Checker, Who};
use super::{CheckError, DeleteTarget};

impl Checker {
    /// Reads the cluster the delete names and refuses to go on when it is unknown (404) or
    /// lacks one of the servers. Any other answer lets the delete probe judge for itself.
    pub(crate) fn delete_precondition(&self, target: &DeleteTarget) -> Result<(), CheckError> {
        let path = format!("/api/v2/obproxy/clusters/{}", target.cluster_id);
        let Ok(answer) = self.ask(Method::GET, &path, Who::Caller)? else {
            return Ok(());
        };
        let cluster = target.cluster_id;
        if answer.status == 404 {
            return Err(CheckError::Precondition(format!(
                "--delete {cluster}:...: the target has no cluster {cluster} (404 on GET {path})"
            )));
        }
        let Ok(body) = serde_json::from_slice::<Value>(&answer.body) else {
            return Ok(());
        };
        let Some(servers) = body.pointer("/data/obproxies").and_then(Value::as_array) else {
            return Ok(());
        };
        let listed: Vec<i64> = servers
            .iter()
            .filter_map(|s| s.get("id").and_then(Value::as_i64))
            .collect();
        let missing: Vec<String> = target
            .server_ids
            .iter()
            .filter(|id| !listed.contains(id))
            .map(i64::to_string)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(CheckError::Precondition(format!(
            "--delete {cluster}:...: cluster {cluster} has no server {} (an earlier run may have \
             deleted it; pick servers GET {path} lists)",
            missing.join(",")
        )))
    }
}

/// A delete refused because a server is already being deleted (409): the same stale setting.
pub(crate) fn refused_delete(status: Option<u16>, body: Option<&Value>) -> Option<CheckError> {
    if status != Some(409) {
        return None;
    }
    let message = body
        .and_then(|b| b.pointer("/error/message"))
        .and_then(Value::as_str)
        .unwrap_or("conflict");
    Some(CheckError::Precondition(format!(
        "--delete: the target refused the delete with 409 ({message}); the servers are busy"
    )))
}
