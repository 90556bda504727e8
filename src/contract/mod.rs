//! The contract: what an OCP answer must look like, checkable against the mock and against a
//! real OCP alike.
//!
//! It has three layers, each in its own file:
//!
//! - **Schemas** (`schemas/*.json`, embedded as [`SCHEMAS`]): the shapes of the success and
//!   error envelopes, the `error` object, TaskInstance and SubtaskInstance, written for every
//!   documented OCP version (V3.1.1 to V4.3.4), so that optional fields stay optional.
//! - **Invariants** no schema can state: the body's `status` and `successful` agree with the
//!   HTTP status, the subtasks form one DAG (unique ids, mirrored edges, no cycle, one entry and
//!   one exit), and a freshly created task is RUNNING with only its entry READY.
//! - **Normalisation and diff** ([`normalize`], [`unified_diff`]): volatile fields redacted and
//!   subtasks in DAG order, so two answers to the same call compare equal and a difference reads
//!   as a diff.
//!
//! Every check returns all [`Violation`]s at once, each with the JSON pointer it is about, and
//! never panics, whatever the JSON.
//!
//! ```
//! use ocp_mock::contract::{Contract, Expect};
//! use ocp_mock::DOCUMENTED_EXAMPLE;
//!
//! let body: serde_json::Value = serde_json::from_str(DOCUMENTED_EXAMPLE).unwrap();
//! assert!(Contract::global().check_response(200, &body, Expect::NewTask).is_empty());
//!
//! let mut late = body.clone();
//! late["data"]["status"] = "SUCCESSFUL".into();
//! let violations = Contract::global().check_response(200, &late, Expect::NewTask);
//! assert_eq!(
//!     violations[0].to_string(),
//!     "/data/status: expected RUNNING for a new task, got SUCCESSFUL"
//! );
//! ```

mod dag;
mod diff;
mod invariants;
mod normalize;
mod schema;

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

pub use diff::unified_diff;
pub use normalize::normalize;
pub use schema::SCHEMAS;

#[cfg(test)]
pub(crate) use schema::describe;
pub(crate) use schema::violation;
use schema::{Envelope, Schemas};

/// One contract violation: where and what.
///
/// `pointer` is a JSON pointer (RFC 6901) into the checked value; `""` is the value itself.
/// A missing field is reported at the pointer the field should have (`/data/subtasks/0/name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, as a JSON pointer, e.g. `/data/subtasks/3/upstreams/0`.
    pub pointer: String,
    /// What, in a short lowercase sentence.
    pub message: String,
}

impl Violation {
    pub(crate) fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// Shows `<pointer>: <message>`. The empty pointer (the whole value) shows as `(root)`, because
/// `/` is itself a pointer: it names the field whose key is the empty string.
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.message)
    }
}

/// What the caller knows about the answer being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expect {
    /// Any answer the contract allows.
    #[default]
    Any,
    /// The immediate answer of an asynchronous write: a fresh task, RUNNING, with its entry
    /// subtask READY, all others PENDING and nothing finished.
    NewTask,
}

/// The compiled contract. Compiling the schemas takes a moment, so it is done once and shared
/// through [`Contract::global`].
pub struct Contract {
    schemas: Schemas,
}

impl Contract {
    /// The contract from the embedded schemas, compiled once and shared.
    pub fn global() -> &'static Contract {
        static GLOBAL: OnceLock<Contract> = OnceLock::new();
        GLOBAL.get_or_init(|| Contract {
            schemas: Schemas::compile()
                .expect("the embedded schemas compile: the contract tests build them"),
        })
    }

    /// Checks a whole HTTP answer: its status and its parsed JSON body. Returns every violation;
    /// empty means it passes.
    ///
    /// The body is checked against the envelope its `successful` field announces. When that
    /// field is missing or not a boolean (itself a violation), it is checked against the envelope
    /// the rest suggests: the error envelope if there is an `error` field or the HTTP status is
    /// not 2xx, the success envelope otherwise. A `data` with `subtasks` is a task and gets the
    /// DAG checks; with [`Expect::NewTask`], `data` must be such a task.
    pub fn check_response(&self, http_status: u16, body: &Value, expect: Expect) -> Vec<Violation> {
        let envelope = match body.get("successful") {
            Some(Value::Bool(true)) => Envelope::Success,
            Some(Value::Bool(false)) => Envelope::Error,
            _ if body.get("error").is_some() || !(200..300).contains(&http_status) => {
                Envelope::Error
            }
            _ => Envelope::Success,
        };
        let mut out = self.schemas.check_envelope(envelope, body);
        invariants::check_envelope(http_status, body, &mut out);
        let task = body
            .get("data")
            .filter(|data| data.get("subtasks").is_some());
        match task {
            Some(task) if envelope == Envelope::Success => {
                invariants::check_task(task, "/data", expect, &mut out);
            }
            _ if expect == Expect::NewTask && body.is_object() => out.push(Violation::new(
                "/data",
                "expected a new task (an object with subtasks)",
            )),
            _ => {}
        }
        dedup(out)
    }

    /// Checks a TaskInstance on its own: schema and DAG invariants, plus the state of a new task
    /// with [`Expect::NewTask`]. Pointers are relative to the task (`/subtasks/0/id`).
    pub fn check_task(&self, task: &Value, expect: Expect) -> Vec<Violation> {
        let mut out = self.schemas.check_task(task);
        invariants::check_task(task, "", expect, &mut out);
        dedup(out)
    }
}

/// Drops repeated violations, keeping the first: a time string that breaks both the time
/// pattern and the date-time format is one mistake, reported once.
pub(crate) fn dedup(violations: Vec<Violation>) -> Vec<Violation> {
    let mut out: Vec<Violation> = Vec::with_capacity(violations.len());
    for violation in violations {
        if !out.contains(&violation) {
            out.push(violation);
        }
    }
    out
}
