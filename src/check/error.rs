//! Why a check could not run, or why an answer could not be read.
//!
//! One type for the whole checker, so that `?` carries a failure from the client to the command
//! line unchanged. Most variants stop the check (exit 2): there is nothing to judge. Two of them,
//! [`CheckError::TooLarge`] and [`CheckError::Protocol`], are the target's fault rather than the
//! check's: a probe that meets one reports it as a violation and the check goes on
//! ([`CheckError::is_answer_fault`]).

use std::time::Duration;

/// The check could not run: a bad target URL, no connection, no TLS session, no answer in time,
/// unreadable input. Exit status 2. The messages are one line each, printed after `ocp-mock: `.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The target URL cannot name an OCP: checked before anything is sent.
    #[error("{url:?} {why}")]
    BadTarget {
        /// The URL as given.
        url: String,
        /// What is wrong with it, worded to follow the quoted URL.
        why: String,
    },
    /// An https target, but this build has no TLS code (the `tls` feature is off).
    #[error(
        "{target}: this ocp-mock was built without the `tls` feature, so it cannot check an https:// target"
    )]
    TlsUnavailable {
        /// The target, as the report would name it.
        target: String,
    },
    /// `--ca-cert` names a file that holds no usable certificate.
    #[error("--ca-cert {path}: {reason}")]
    CaCert {
        /// The file as given.
        path: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A request header would hold a control character (an access key id with a line break,
    /// say), which could forge headers of its own.
    #[error("the {name} header would hold a control character")]
    BadHeader {
        /// The header's name.
        name: String,
    },
    /// The client's runtime cannot start (no thread or timer left on this machine).
    #[error("cannot start the client's runtime: {0}")]
    Runtime(std::io::Error),
    /// The target's host name does not resolve.
    #[error("cannot resolve {authority}: {error}")]
    Resolve {
        /// `host:port`.
        authority: String,
        /// The resolver's answer.
        error: std::io::Error,
    },
    /// No TCP connection to any address of the target.
    #[error("cannot connect to {authority}: {error}")]
    Connect {
        /// `host:port`.
        authority: String,
        /// Why the last address refused.
        error: std::io::Error,
    },
    /// No TLS session: an untrusted certificate, a protocol mismatch, a closed connection.
    #[error("tls with {authority}: {reason}")]
    Tls {
        /// `host:port`.
        authority: String,
        /// rustls's reason.
        reason: String,
    },
    /// The connection broke while the request was sent or the answer read (a reset, say).
    #[error("the connection to {authority} broke: {reason}")]
    Broken {
        /// `host:port`.
        authority: String,
        /// What the socket reported.
        reason: String,
    },
    /// A deadline passed: `--timeout` bounds connect, send and the whole answer together.
    #[error("no {waiting_for} within {} ms", .after.as_millis())]
    Timeout {
        /// What did not come: `complete answer`, `connection to HOST:PORT`, ...
        waiting_for: String,
        /// The timeout that passed.
        after: Duration,
    },
    /// An answer body over the limit; refused without being read when its length is announced.
    #[error("a body of {length} bytes or more, over the {limit}-byte limit")]
    TooLarge {
        /// The announced length, or how far the reading got.
        length: u64,
        /// The limit.
        limit: usize,
    },
    /// The target answered, but not with HTTP/1.x the client can read.
    #[error("{0}")]
    Protocol(String),
    /// The target refused the credentials given: every later probe would fail for that reason.
    #[error("the target refused {who}: 401 on {request}")]
    Refused {
        /// The credentials, without the secret.
        who: String,
        /// The request refused.
        request: String,
    },
    /// What the check was asked to do cannot be done on this target: the cluster to delete from
    /// is unknown, or a server to delete is not there (an earlier run deleted it). A stale
    /// setting, not a contract violation.
    #[error("{0}")]
    Precondition(String),
    /// `validate --endpoint` names an endpoint the version's pages do not document.
    #[error("OCP {version} documents no {endpoint}{hint} (see schemas/endpoints/V{version}.json)")]
    UnknownEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// The version whose schemas were searched.
        version: crate::ocp::version::OcpVersion,
        /// The methods it documents for that path, when there are some: `; that path takes GET, DELETE`.
        hint: String,
    },
    /// A saved answer (`validate`) cannot be read.
    #[error("cannot read {file}: {error}")]
    Read {
        /// The path as given, or `-`.
        file: String,
        /// Why.
        error: std::io::Error,
    },
}

impl CheckError {
    /// Whether the target answered something unreadable: a violation of the probe that asked,
    /// not a reason to stop the check.
    pub fn is_answer_fault(&self) -> bool {
        matches!(self, Self::TooLarge { .. } | Self::Protocol(_))
    }
}
