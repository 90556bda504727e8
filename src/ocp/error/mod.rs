//! OCP's errors: which error the mock answers, with which HTTP status, and how a version writes it.
//!
//! An error is named by its V4 id (`ODP21001`); `table` holds, per OCP version, the code and the
//! English and Chinese messages that version's error table documents, with `{0}`, `{1}` filled in
//! from the request, so a client that shows `error.message` to a person shows what OCP would.

mod language;
mod table;

pub use language::Language;

pub use table::{code, table};

use crate::ocp::version::OcpVersion;

/// An error the mock answers: its name in OCP's tables and the HTTP status the mock gives it.
/// OCP's tables document no statuses, so the status is the mock's and the same in every version.
#[derive(Debug, PartialEq, Eq)]
pub struct ErrorCode {
    /// The V4 id (`ODP21001`, `0` for the 429): the key of every version's table.
    pub id: &'static str,
    /// The HTTP status the mock answers it with.
    pub status: u16,
}

/// A parameter empty or invalid (a path id that is not a Long): 400.
pub const INVALID_PARAMETER: ErrorCode = ErrorCode {
    id: "COM10001",
    status: 400,
};
/// A request the mock cannot read at all: 400.
pub const INVALID_REQUEST: ErrorCode = ErrorCode {
    id: "COM10003",
    status: 400,
};
/// An unknown route: OCP's table has no row for it, so the mock uses "invalid request" with 404.
pub const NO_SUCH_ROUTE: ErrorCode = ErrorCode {
    status: 404,
    ..INVALID_REQUEST
};
/// A request target past the mock's limit.
pub const URI_TOO_LONG: ErrorCode = ErrorCode {
    status: 414,
    ..INVALID_REQUEST
};
/// Request headers past the mock's limit.
pub const HEADERS_TOO_LARGE: ErrorCode = ErrorCode {
    status: 431,
    ..INVALID_REQUEST
};
/// A connection past the mock's limit on connections at once.
pub const TOO_MANY_CONNECTIONS: ErrorCode = ErrorCode {
    status: 503,
    ..INVALID_REQUEST
};
/// A body that did not arrive in time.
pub const REQUEST_TIMEOUT: ErrorCode = ErrorCode {
    id: "COM10004",
    status: 408,
};
/// A body past the mock's limit: "invalid request" with 413.
pub const PAYLOAD_TOO_LARGE: ErrorCode = ErrorCode {
    status: 413,
    ..INVALID_REQUEST
};
/// A known route with the wrong method: 405.
pub const METHOD_NOT_SUPPORTED: ErrorCode = ErrorCode {
    id: "COM10008",
    status: 405,
};
/// No or wrong credentials: 401.
pub const NOT_LOGGED_IN: ErrorCode = ErrorCode {
    id: "IAM10000",
    status: 401,
};
/// A role that may not do this (a viewer's write): 403.
pub const NOT_AUTHORIZED: ErrorCode = ErrorCode {
    id: "IAM11000",
    status: 403,
};
/// No task of that id: 404.
pub const TASK_NOT_FOUND: ErrorCode = ErrorCode {
    id: "TSK10001",
    status: 404,
};
/// No OBProxy cluster of that id: 404.
pub const CLUSTER_NOT_FOUND: ErrorCode = ErrorCode {
    id: "ODP21001",
    status: 404,
};
/// No OBProxy server of that id: 404.
pub const SERVER_NOT_FOUND: ErrorCode = ErrorCode {
    id: "ODP21002",
    status: 404,
};
/// A server being deleted or operated on: 409.
pub const SERVER_STATUS_CONFLICT: ErrorCode = ErrorCode {
    id: "ODP21016",
    status: 409,
};
/// A server of another cluster named in the path: 400.
pub const SERVER_NOT_IN_CLUSTER: ErrorCode = ErrorCode {
    id: "ODP21019",
    status: 400,
};
/// An OBProxy cluster whose status does not allow the operation (being deleted): 409.
pub const CLUSTER_STATUS_CONFLICT: ErrorCode = ErrorCode {
    id: "ODP21010",
    status: 409,
};
/// A name another item of its kind has (a new OBProxy cluster's): 409.
pub const NAME_EXISTS: ErrorCode = ErrorCode {
    id: "COM10006",
    status: 409,
};
/// A host that already runs an OBProxy, named for a new one: 409.
pub const SERVICE_ON_HOST: ErrorCode = ErrorCode {
    id: "ODP21116",
    status: 409,
};

/// An operation the task's status does not allow (a retry of a running task): 409.
pub const TASK_STATE_CONFLICT: ErrorCode = ErrorCode {
    id: "TSK10007",
    status: 409,
};
/// A rollback of a task whose `prohibitRollback` is true: 409.
pub const TASK_ROLLBACK_PROHIBITED: ErrorCode = ErrorCode {
    id: "TSK10009",
    status: 409,
};
/// A skip of a subtask that may not be skipped (not FAILED, or `prohibitSkip`): 409.
pub const SUBTASK_SKIP_PROHIBITED: ErrorCode = ErrorCode {
    id: "TSK10010",
    status: 409,
};
/// An error injected by the `error:STATUS` scenario, 5xx: OCP's "unknown operation error".
pub const INJECTED_SERVER_ERROR: ErrorCode = ErrorCode {
    id: "COM10015",
    status: 500,
};
/// OCP's documented throttling answer: code 0, with `RateLimit-*` headers.
pub const THROTTLED: ErrorCode = ErrorCode {
    id: "0",
    status: 429,
};

/// No host of that id (`Host <id:{hostId}> does not exist.`): 404.
pub const HOST_NOT_FOUND: ErrorCode = ErrorCode {
    id: "CMP07005",
    status: 404,
};
/// A host an OBProxy server or a running task still uses cannot be deleted: 409.
pub const HOST_IN_USE: ErrorCode = ErrorCode {
    id: "CMP07004",
    status: 409,
};
/// No OceanBase cluster of that id: 404.
pub const OB_CLUSTER_NOT_FOUND: ErrorCode = ErrorCode {
    id: "OBE11001",
    status: 404,
};
/// No tenant of that id (in the cluster of the path): 404.
pub const TENANT_NOT_FOUND: ErrorCode = ErrorCode {
    id: "OBE21003",
    status: 404,
};

/// Every error the mock answers, one per id: the tests hold each version's table to it.
#[cfg(test)]
pub const ERRORS: [&ErrorCode; 23] = [
    &INVALID_PARAMETER,
    &INVALID_REQUEST,
    &REQUEST_TIMEOUT,
    &METHOD_NOT_SUPPORTED,
    &NOT_LOGGED_IN,
    &NOT_AUTHORIZED,
    &TASK_NOT_FOUND,
    &CLUSTER_NOT_FOUND,
    &SERVER_NOT_FOUND,
    &SERVER_STATUS_CONFLICT,
    &SERVER_NOT_IN_CLUSTER,
    &CLUSTER_STATUS_CONFLICT,
    &SERVICE_ON_HOST,
    &NAME_EXISTS,
    &TASK_STATE_CONFLICT,
    &TASK_ROLLBACK_PROHIBITED,
    &SUBTASK_SKIP_PROHIBITED,
    &INJECTED_SERVER_ERROR,
    &THROTTLED,
    &HOST_NOT_FOUND,
    &HOST_IN_USE,
    &OB_CLUSTER_NOT_FOUND,
    &TENANT_NOT_FOUND,
];

/// A rejected value as quoted in a message: at most `max` characters, so that a hostile 64 KB
/// id list does not come back in full.
fn clip(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &value[..at]),
        None => value.to_owned(),
    }
}

/// A form of `error.code` forced over the OCP version's own (`--error-code`), for a client
/// written against the other form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCodeStyle {
    /// OCP's integers as V3.1.1's table numbers them (`21001`, `1001`), whatever the version.
    Number,
    /// OCP's prefixed ids as V4.2.2 and later name them (`"ODP21001"`), whatever the version.
    String,
}

/// A `--error-code` value that names no [`ErrorCodeStyle`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code style {0:?} (expected number or string)")]
pub struct UnknownCodeStyle(pub String);

impl std::str::FromStr for ErrorCodeStyle {
    type Err = UnknownCodeStyle;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "number" => Ok(Self::Number),
            "string" => Ok(Self::String),
            other => Err(UnknownCodeStyle(other.to_owned())),
        }
    }
}

/// An error answer before it is put in an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcpError {
    /// The row of OCP's error table.
    pub code: &'static ErrorCode,
    /// Values for `{0}`, `{1}`, ... in the message.
    pub args: Vec<String>,
    /// For a person debugging a client: what exactly was wrong.
    pub debug_message: Option<String>,
    /// An HTTP status other than the code's own (an injected error).
    pub status_override: Option<u16>,
    /// The parameter or resource the error is about.
    pub target: Option<String>,
    /// Extra response headers (`Allow` on a 405).
    pub headers: Vec<(&'static str, String)>,
}

/// The status, the id and the English message of the default version: `404 ODP21001: ...`,
/// for logs and tests.
impl std::fmt::Display for OcpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status(),
            self.code.id,
            self.message(OcpVersion::default(), Language::En)
        )?;
        match &self.debug_message {
            Some(debug) => write!(f, " ({debug})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for OcpError {}

impl OcpError {
    /// An error of `code` with its message's placeholders filled by `args`.
    pub fn new(code: &'static ErrorCode, args: Vec<String>) -> Self {
        Self {
            code,
            args,
            debug_message: None,
            status_override: None,
            target: None,
            headers: Vec::new(),
        }
    }

    /// Adds `debugMessage`: what exactly was wrong.
    pub fn with_debug(mut self, debug: impl Into<String>) -> Self {
        self.debug_message = Some(debug.into());
        self
    }

    /// Adds `target`: the parameter or resource at fault.
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Adds a response header (`Allow`, `RateLimit-*`).
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status_override.unwrap_or(self.code.status)
    }

    /// The answer of the `error:STATUS` scenario.
    pub fn injected(status: u16) -> Self {
        let code = if status >= 500 {
            &INJECTED_SERVER_ERROR
        } else {
            &INVALID_REQUEST
        };
        // V4 fills one placeholder (the message); V3.1.1's 1999 two (cause, error).
        let args = vec![
            format!("error {status} injected by a scenario"),
            format!("HTTP {status}"),
        ];
        let mut e = Self::new(code, args);
        e.status_override = Some(status);
        e
    }

    /// The message `version` documents for this error in `lang`, placeholders filled.
    pub fn message(&self, version: OcpVersion, lang: Language) -> String {
        let Some(row) = table(version).row(self.code.id) else {
            return self.code.id.to_owned();
        };
        let mut out = row.template(lang).to_owned();
        for (i, arg) in self.args.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), arg);
        }
        out
    }

    /// A path id that is not a Long: 400 naming the parameter and the rejected value.
    pub fn invalid_parameter(name: &str, value: &str, why: &str) -> Self {
        Self::new(
            &INVALID_PARAMETER,
            vec![format!("{name}={}", clip(value, 64))],
        )
        .with_target(name)
        .with_debug(clip(&format!("parameter {name}: {why}"), 200))
    }

    /// A path OCP does not have: 404.
    pub fn no_such_route(method: &str, path: &str) -> Self {
        Self::new(
            &NO_SUCH_ROUTE,
            vec![format!("no handler for {method} {path}")],
        )
    }

    /// A body over the limit: 413.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            &PAYLOAD_TOO_LARGE,
            vec![format!("request body larger than {limit} bytes")],
        )
    }

    /// A body that could not be read off the connection: 400.
    pub fn unreadable_body(why: &str) -> Self {
        Self::new(
            &INVALID_REQUEST,
            vec![format!(
                "the request body could not be read: {}",
                clip(why, 120)
            )],
        )
    }

    /// A body that did not arrive in time: 408.
    pub fn body_timeout(limit: std::time::Duration) -> Self {
        Self::new(&REQUEST_TIMEOUT, Vec::new()).with_debug(format!(
            "the request body did not arrive within {} ms",
            limit.as_millis()
        ))
    }

    /// A request target over the limit: 414.
    pub fn uri_too_long(limit: usize) -> Self {
        Self::new(
            &URI_TOO_LONG,
            vec![format!("request target longer than {limit} bytes")],
        )
    }

    /// Headers over the limit: 431.
    pub fn headers_too_large(limit: usize) -> Self {
        Self::new(
            &HEADERS_TOO_LARGE,
            vec![format!("request headers larger than {limit} bytes")],
        )
    }

    /// Past the connection limit: 503.
    pub fn too_many_connections(limit: usize) -> Self {
        Self::new(
            &TOO_MANY_CONNECTIONS,
            vec![format!(
                "the mock serves at most {limit} connections at once"
            )],
        )
    }

    /// A known path with the wrong method: 405 `COM10008` with `Allow`.
    pub fn method_not_supported(method: &str, allow: &str) -> Self {
        Self::new(&METHOD_NOT_SUPPORTED, Vec::new())
            .with_debug(format!(
                "method {method} not supported here; allowed: {allow}"
            ))
            .with_header("allow", allow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_its_own_id() {
        let mut ids: Vec<&str> = ERRORS.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ERRORS.len());
    }

    #[test]
    fn accept_language_picks_the_first_known_language() {
        assert_eq!(Language::from_accept_language(Some("zh-CN")), Language::Zh);
        assert_eq!(
            Language::from_accept_language(Some("fr-FR, zh_CN;q=0.8, en;q=0.5")),
            Language::Zh
        );
        assert_eq!(
            Language::from_accept_language(Some("en-US,zh-CN")),
            Language::En
        );
        assert_eq!(Language::from_accept_language(None), Language::En);
    }

    #[test]
    fn messages_fill_their_placeholders() {
        let v4 = OcpVersion::V4_3_4;
        let e = OcpError::new(&SERVER_NOT_IN_CLUSTER, vec!["5".into(), "1".into()]);
        assert_eq!(
            e.message(v4, Language::En),
            "The OBProxy server 5 is not in OBProxy cluster 1. The operation is not allowed."
        );
        assert_eq!(
            e.message(v4, Language::Zh),
            "OBProxy server 5 不在OBProxy集群 1 中，不允许该操作"
        );
    }

    #[test]
    fn version_3_1_1_speaks_its_own_words() {
        let v3 = OcpVersion::V3_1_1;
        let e = OcpError::new(&CLUSTER_NOT_FOUND, vec!["9".into()]);
        assert_eq!(
            e.message(v3, Language::En),
            "The OBProxy cluster with an ID of 9 does not exist."
        );
        assert_eq!(e.message(v3, Language::Zh), "未找到obproxy cluster, id=9。");
        let injected = OcpError::injected(503);
        assert_eq!(
            injected.message(v3, Language::En),
            "An unknown error occurred. Cause: error 503 injected by a scenario. Error: HTTP 503. \
             Please contact the administrator."
        );
        assert_eq!(
            injected.message(OcpVersion::V4_3_4, Language::En),
            "Unknown operation error, error message: error 503 injected by a scenario"
        );
    }
}
