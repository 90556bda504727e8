//! Value parsers for the flags whose values the model's own `FromStr` does not cover: listen
//! addresses, seeds, bounded counts and durations. clap calls them for a flag and for its
//! `OCP_MOCK_*` twin alike, so both are refused with the same message.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use ocp_mock::Expect;
use ocp_mock::check::DeleteTarget;

/// The longest duration a flag takes: a day, far below where adding it to a clock overflows.
pub const MAX_MILLIS: u64 = 86_400_000;

/// Why one value was refused. The flag's name is not part of the message: the error report
/// puts it in front, whether the value came from the flag or from its variable.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    /// Not `HOST:PORT` at all.
    #[error("{0:?} is not HOST:PORT (e.g. 127.0.0.1:8080)")]
    NotHostPort(String),
    /// `HOST:PORT`, but the host has no address.
    #[error("cannot resolve {host}: {reason}")]
    CannotResolve { host: String, reason: String },
    /// A seed that is neither decimal nor `0x` hexadecimal, or past 64 bits.
    #[error("{0:?} is not a 64-bit number (decimal or 0x-hex)")]
    NotSeed(String),
    /// A count outside the range the setting can take.
    #[error("{value:?} is not a whole number from {min} to {max}")]
    NotCount { value: String, min: u64, max: u64 },
    /// A duration that is not a number of milliseconds, or longer than a day.
    #[error("{0:?} is not a number of milliseconds from 0 to {MAX_MILLIS}")]
    NotMillis(String),
    /// A cluster id that is not a Java Long.
    #[error("{0:?} is not a Long")]
    NotLong(String),
    /// An HTTP status outside 100..=599.
    #[error("{0:?} is not an HTTP status")]
    NotStatus(String),
    /// An `--expect` other than `any` or `new-task`.
    #[error("{0:?} is not any or new-task")]
    NotExpect(String),
    /// Refused by the model's own parser, whose message says why.
    #[error("{0}")]
    Model(String),
}

/// `HOST:PORT`: an IP address is taken as is, a host name is resolved and its first address
/// is the one to bind (`localhost:0` works on any machine).
pub fn listen_addr(s: &str) -> Result<SocketAddr, ValueError> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let not = || ValueError::NotHostPort(s.to_owned());
    let (host, port) = s.rsplit_once(':').ok_or_else(not)?;
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(not());
    }
    let cannot = |reason: String| ValueError::CannotResolve {
        host: host.to_owned(),
        reason,
    };
    let mut found = s.to_socket_addrs().map_err(|e| cannot(e.to_string()))?;
    found.next().ok_or_else(|| cannot("no address".into()))
}

/// A seed in decimal or `0x` hexadecimal.
pub fn seed(s: &str) -> Result<u64, ValueError> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| ValueError::NotSeed(s.to_owned()))
}

/// A count of at least `MIN`, as the `usize` the settings hold.
pub fn count<const MIN: u64>(s: &str) -> Result<usize, ValueError> {
    let max = u64::try_from(usize::MAX).unwrap_or(u64::MAX);
    bounded(s, MIN, max).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// The reads `check --all-reads` may send: 1 to 10000.
pub fn max_calls(s: &str) -> Result<usize, ValueError> {
    bounded(s, 1, 10_000).map(|n| usize::try_from(n).unwrap_or(1))
}

/// A number of threads: 1 to 256.
pub fn threads(s: &str) -> Result<usize, ValueError> {
    bounded(s, 1, 256).map(|n| usize::try_from(n).unwrap_or(1))
}

/// Milliseconds, at least `MIN` and at most a day.
pub fn millis_from<const MIN: u64>(s: &str) -> Result<Duration, ValueError> {
    bounded(s, MIN, MAX_MILLIS).map(Duration::from_millis)
}

/// Milliseconds, from 0 to a day.
pub fn millis(s: &str) -> Result<Duration, ValueError> {
    match s.trim().parse::<u64>() {
        Ok(ms) if ms <= MAX_MILLIS => Ok(Duration::from_millis(ms)),
        _ => Err(ValueError::NotMillis(s.to_owned())),
    }
}

fn bounded(s: &str, min: u64, max: u64) -> Result<u64, ValueError> {
    match s.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ValueError::NotCount {
            value: s.to_owned(),
            min,
            max,
        }),
    }
}

/// A cluster id: a Java Long.
pub fn long(s: &str) -> Result<i64, ValueError> {
    s.trim()
        .parse()
        .map_err(|_| ValueError::NotLong(s.to_owned()))
}

/// An HTTP status, 100 to 599.
pub fn http_status(s: &str) -> Result<u16, ValueError> {
    s.trim()
        .parse::<u16>()
        .ok()
        .filter(|n| (100..=599).contains(n))
        .ok_or_else(|| ValueError::NotStatus(s.to_owned()))
}

/// `any` or `new-task`.
pub fn expect(s: &str) -> Result<Expect, ValueError> {
    match s {
        "any" => Ok(Expect::Any),
        "new-task" => Ok(Expect::NewTask),
        other => Err(ValueError::NotExpect(other.to_owned())),
    }
}

/// `CLUSTER_ID:SERVER_IDS`, e.g. `1:2` or `1:2,3`.
pub fn delete_target(s: &str) -> Result<DeleteTarget, ValueError> {
    DeleteTarget::parse(s).map_err(|e| ValueError::Model(e.to_string()))
}
