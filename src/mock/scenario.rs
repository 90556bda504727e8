//! Faults on demand: scenarios that make the mock fail the way a real OCP sometimes does.
//!
//! A scenario is written `KIND[:ARG][@[METHOD ]PATH]`, the same on the command line
//! (`--scenario`), in the admin API (`PUT /__mock/scenarios`, a JSON list of these strings) and
//! in the per-request header `X-OCP-Mock-Scenario` (several separated by `;`):
//!
//! | scenario | effect |
//! |---|---|
//! | `fail-at:SUBTASK` | a task created while it is active fails at the subtask named SUBTASK, once |
//! | `latency:MS` | the answer is sent MS milliseconds late |
//! | `error:STATUS` | the answer is an error envelope with that HTTP status (400-599) |
//! | `throttle:N/MS` | past N requests per window of MS milliseconds of the mock's clock (the fixed clock moves 1 s per request): 429 with `RateLimit-*` |
//! | `drop` | the connection is closed without an answer |
//!
//! `@PATH` limits a scenario to matching requests (`*` matches anything, `/` included), with an
//! optional method: `latency:500@GET /api/v2/tasks/*`. Without it a scenario applies to every
//! request under `/api/`.
//!
//! Beside the scenarios, [`RateLimit`] is OCP's default throttling, on for every `/api/` call.

use std::fmt;

use crate::ocp::task::TaskTemplate;

/// What a scenario does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `fail-at:SUBTASK`: a task created meanwhile fails at that subtask, once.
    FailAt(String),
    /// `latency:MS`: the answer waits this many milliseconds.
    Latency(u64),
    /// `error:STATUS`: an error envelope with this HTTP status.
    Error(u16),
    /// `throttle:N/MS`: past `limit` requests per window, 429.
    Throttle {
        /// Requests allowed per window.
        limit: u32,
        /// The window, on the mock's clock.
        window_ms: i64,
    },
    /// `drop`: the connection closes without an answer.
    Drop,
}

/// Which requests a scenario applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFilter {
    /// Only requests with this method (uppercase); any method without it.
    pub method: Option<String>,
    /// A glob over the path (`*` matches anything, `/` included).
    pub path: String,
}

/// One fault and where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// What happens.
    pub fault: Fault,
    /// To which requests; every request under `/api/` without it.
    pub route: Option<RouteFilter>,
}

/// The longest latency a scenario may add: long enough for any client timeout test.
pub const MAX_LATENCY_MS: u64 = 300_000;

/// The most scenarios active at once, or sent in one header: each is looked at on every
/// request, so their number bounds what every request costs.
pub const MAX_SCENARIOS: usize = 64;

/// The longest throttling window: a day.
pub const MAX_WINDOW_MS: i64 = 86_400_000;

/// Why a scenario was refused, in the words `--scenario`, the admin API and the header answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// A kind that takes an argument was given none.
    #[error("scenario {kind:?} needs {what}")]
    NeedsArgument {
        /// The scenario's kind (`latency`).
        kind: String,
        /// What it takes, with an example.
        what: &'static str,
    },
    /// `latency:MS` with MS not a number.
    #[error("latency {0:?} is not a number of milliseconds")]
    BadLatency(String),
    /// `latency:MS` past five minutes (`MAX_LATENCY_MS`).
    #[error("latency {0} ms is over {MAX_LATENCY_MS} ms")]
    LatencyTooLong(u64),
    /// `error:STATUS` with STATUS not a number.
    #[error("error status {0:?} is not a number")]
    BadStatus(String),
    /// `error:STATUS` with STATUS not an error status.
    #[error("error status {0} is not in 400-599")]
    NotAnErrorStatus(u16),
    /// `throttle:N/MS` malformed or out of bounds.
    #[error("throttle {0:?} is not N/MS with MS from 1 to {MAX_WINDOW_MS}")]
    BadThrottle(String),
    /// No such kind.
    #[error(
        "unknown scenario {0:?} (expected fail-at:SUBTASK, latency:MS, error:STATUS, throttle:N/MS or drop, each optionally @[METHOD ]PATH)"
    )]
    Unknown(String),
    /// More scenarios than the 64 kept at once (`MAX_SCENARIOS`).
    #[error("{0} scenarios, more than the {MAX_SCENARIOS} the mock keeps at once")]
    TooMany(usize),
    /// `@PATH` that is not a path.
    #[error("scenario route {0:?} must be a path starting with /")]
    BadRoute(String),
    /// `@/__mock/...`: the mock's own API, which no scenario touches.
    #[error("scenario route {0:?} names the mock's own API, which scenarios never touch")]
    AdminRoute(String),
    /// `fail-at:SUBTASK` naming no subtask of the mock's task; lists those it has.
    #[error("fail-at: the task has no subtask {name:?} (it has: {})", known.join(", "))]
    UnknownSubtask {
        /// The name given.
        name: String,
        /// The task's subtask names, in template order.
        known: Vec<String>,
    },
}

impl std::str::FromStr for Scenario {
    type Err = ScenarioError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let spec = spec.trim();
        let (fault, route) = match spec.split_once('@') {
            Some((f, r)) => (f.trim(), Some(scenario_route(r.trim())?)),
            None => (spec, None),
        };
        let (kind, arg) = match fault.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (fault, None),
        };
        let need = |what: &'static str| -> Result<&str, ScenarioError> {
            arg.filter(|a| !a.is_empty())
                .ok_or_else(|| ScenarioError::NeedsArgument {
                    kind: kind.to_owned(),
                    what,
                })
        };
        let fault = match kind {
            "fail-at" => Fault::FailAt(need("a subtask name (fail-at:Wait node)")?.to_owned()),
            "latency" => parse_latency(need("milliseconds (latency:250)")?)?,
            "error" => parse_error(need("an HTTP status (error:503)")?)?,
            "throttle" => parse_throttle(need("N/MS (throttle:5/60000)")?)?,
            "drop" if arg.is_none() => Fault::Drop,
            _ => return Err(ScenarioError::Unknown(spec.to_owned())),
        };
        Ok(Self { fault, route })
    }
}

fn parse_latency(arg: &str) -> Result<Fault, ScenarioError> {
    let ms: u64 = arg
        .parse()
        .map_err(|_| ScenarioError::BadLatency(arg.to_owned()))?;
    if ms > MAX_LATENCY_MS {
        return Err(ScenarioError::LatencyTooLong(ms));
    }
    Ok(Fault::Latency(ms))
}

fn parse_error(arg: &str) -> Result<Fault, ScenarioError> {
    let status: u16 = arg
        .parse()
        .map_err(|_| ScenarioError::BadStatus(arg.to_owned()))?;
    if !(400..=599).contains(&status) {
        return Err(ScenarioError::NotAnErrorStatus(status));
    }
    Ok(Fault::Error(status))
}

fn parse_throttle(arg: &str) -> Result<Fault, ScenarioError> {
    let parsed = arg
        .split_once('/')
        .and_then(|(n, ms)| Some((n.parse::<u32>().ok()?, ms.parse::<i64>().ok()?)));
    match parsed {
        Some((limit, window_ms)) if (1..=MAX_WINDOW_MS).contains(&window_ms) => {
            Ok(Fault::Throttle { limit, window_ms })
        }
        _ => Err(ScenarioError::BadThrottle(arg.to_owned())),
    }
}

/// OCP's own throttling of every call under `/api/`, on by default as in OCP: each answer
/// carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds), and a call
/// past the limit gets the documented 429. Written `N/MS` or `off` (`--rate-limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    /// No throttling and no `RateLimit-*` headers.
    Off,
    /// At most `limit` calls per window of `window_ms` of the mock's clock.
    PerWindow {
        /// Calls allowed per window.
        limit: u32,
        /// The window, on the mock's clock.
        window_ms: i64,
    },
}

/// The default limit: 10000 calls a minute, so that no test or polling client meets it (the
/// fixed clock moves 1 s per request: at most 60 calls fall in one window) while the headers
/// are there to read.
pub const DEFAULT_RATE_LIMIT: RateLimit = RateLimit::PerWindow {
    limit: 10_000,
    window_ms: 60_000,
};

impl Default for RateLimit {
    fn default() -> Self {
        DEFAULT_RATE_LIMIT
    }
}

/// A `--rate-limit` value that is neither `off` nor `N/MS` within bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rate limit {0:?} is not off or N/MS (N from 1, MS from 1 to {MAX_WINDOW_MS})")]
pub struct BadRateLimit(pub String);

impl std::str::FromStr for RateLimit {
    type Err = BadRateLimit;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "off" {
            return Ok(Self::Off);
        }
        match parse_throttle(text) {
            Ok(Fault::Throttle { limit, window_ms }) if limit >= 1 => {
                Ok(Self::PerWindow { limit, window_ms })
            }
            _ => Err(BadRateLimit(text.to_owned())),
        }
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Off => f.write_str("off"),
            Self::PerWindow { limit, window_ms } => write!(f, "{limit}/{window_ms}"),
        }
    }
}

impl std::str::FromStr for RouteFilter {
    type Err = ScenarioError;

    /// `[METHOD ]PATH`, PATH a glob starting with `/`.
    fn from_str(r: &str) -> Result<Self, Self::Err> {
        parse_route(r.trim())
    }
}

impl RouteFilter {
    /// Whether a request with this method and path is one the filter names.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && glob_match(&self.path, path)
    }
}

/// A scenario's route: also never the mock's own API, which scenarios do not touch (a route
/// there would be accepted and never apply).
fn scenario_route(r: &str) -> Result<RouteFilter, ScenarioError> {
    let route = parse_route(r)?;
    if route.path.starts_with("/__mock") {
        return Err(ScenarioError::AdminRoute(r.to_owned()));
    }
    Ok(route)
}

fn parse_route(r: &str) -> Result<RouteFilter, ScenarioError> {
    let (method, path) = match r.split_once(' ') {
        Some((m, p)) => (Some(m.trim().to_ascii_uppercase()), p.trim()),
        None => (None, r),
    };
    if !path.starts_with('/') {
        return Err(ScenarioError::BadRoute(r.to_owned()));
    }
    Ok(RouteFilter {
        method,
        path: path.to_owned(),
    })
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fault {
            Fault::FailAt(name) => write!(f, "fail-at:{name}")?,
            Fault::Latency(ms) => write!(f, "latency:{ms}")?,
            Fault::Error(status) => write!(f, "error:{status}")?,
            Fault::Throttle { limit, window_ms } => write!(f, "throttle:{limit}/{window_ms}")?,
            Fault::Drop => f.write_str("drop")?,
        }
        match &self.route {
            Some(RouteFilter {
                method: Some(m),
                path,
            }) => write!(f, "@{m} {path}"),
            Some(RouteFilter { method: None, path }) => write!(f, "@{path}"),
            None => Ok(()),
        }
    }
}

impl Scenario {
    /// Checks a `fail-at` scenario against the subtasks of the mock's task: a name it does not
    /// have would never fire, so it is refused up front, listing the names it has.
    pub fn check_subtasks(&self, template: &TaskTemplate) -> Result<(), ScenarioError> {
        match &self.fault {
            Fault::FailAt(name)
                if !template
                    .subtask_names()
                    .any(|n| n.eq_ignore_ascii_case(name)) =>
            {
                Err(ScenarioError::UnknownSubtask {
                    name: name.clone(),
                    known: template.subtask_names().map(str::to_owned).collect(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Whether this scenario applies to a request.
    pub fn applies_to(&self, method: &str, path: &str) -> bool {
        match &self.route {
            None => path.starts_with("/api/"),
            Some(r) => r.matches(method, path),
        }
    }
}

/// Refuses a list the mock cannot keep: more than [`MAX_SCENARIOS`], or a `fail-at` naming a
/// subtask that none of the mock's tasks has (`templates`: the tasks this profile creates).
pub fn check_all(list: &[Scenario], templates: &[&TaskTemplate]) -> Result<(), ScenarioError> {
    if list.len() > MAX_SCENARIOS {
        return Err(ScenarioError::TooMany(list.len()));
    }
    list.iter().try_for_each(|s| {
        let mut checks = templates.iter().map(|t| s.check_subtasks(t));
        let first = checks.next().unwrap_or(Ok(()));
        if first.is_ok() || checks.any(|c| c.is_ok()) {
            Ok(())
        } else {
            first
        }
    })
}

/// Parses the `X-OCP-Mock-Scenario` header: scenarios separated by `;`.
pub fn parse_list(header: &str) -> Result<Vec<Scenario>, ScenarioError> {
    let specs: Vec<&str> = header.split(';').filter(|s| !s.trim().is_empty()).collect();
    if specs.len() > MAX_SCENARIOS {
        return Err(ScenarioError::TooMany(specs.len()));
    }
    specs.into_iter().map(str::parse).collect()
}

/// `*` matches any run of characters, `/` included; everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split yields at least one part");
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_parse_and_print_the_same() {
        for spec in [
            "fail-at:Stop and uninstall obproxy",
            "latency:250@GET /api/v2/tasks/*",
            "error:503@/api/v2/obproxy/*",
            "throttle:5/1000",
            "drop@DELETE /api/*",
        ] {
            assert_eq!(spec.parse::<Scenario>().unwrap().to_string(), spec);
        }
    }

    #[test]
    fn bad_scenarios_say_why() {
        for (spec, why) in [
            ("latency:soon", "not a number"),
            ("error:200", "not in 400-599"),
            ("throttle:5", "not N/MS"),
            ("throttle:1/9223372036854775807", "not N/MS"),
            ("explode", "unknown scenario"),
            ("drop@api", "must be a path"),
            ("fail-at:", "needs a subtask name"),
        ] {
            let err = spec.parse::<Scenario>().unwrap_err().to_string();
            assert!(err.contains(why), "{spec}: {err}");
        }
        assert_eq!(
            "latency:soon".parse::<Scenario>().unwrap_err().to_string(),
            "latency \"soon\" is not a number of milliseconds"
        );
    }

    #[test]
    fn rate_limits_parse_and_print_the_same_and_bad_ones_are_refused() {
        for text in ["off", "1/1", "10000/60000", "5/86400000"] {
            assert_eq!(text.parse::<RateLimit>().unwrap().to_string(), text);
        }
        assert_eq!(RateLimit::default().to_string(), "10000/60000");
        for bad in [
            "",
            "on",
            "0/1000",
            "5",
            "5/0",
            "5/86400001",
            "-1/1000",
            "5/x",
            "x/5",
            " 5/1000",
        ] {
            assert_eq!(
                bad.parse::<RateLimit>(),
                Err(BadRateLimit(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_fail_at_naming_no_subtask_lists_the_names_there_are() {
        let template = TaskTemplate::documented();
        let ok: Scenario = "fail-at:wait NODE".parse().unwrap();
        assert_eq!(ok.check_subtasks(&template), Ok(()));
        let err = "fail-at:Nope"
            .parse::<Scenario>()
            .unwrap()
            .check_subtasks(&template)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "fail-at: the task has no subtask \"Nope\" (it has: Delete obproxy info, \
             Unreserve host, Stop and uninstall obproxy, Finish node, Offline obproxy exporter, \
             Prepare offline obproxy, Wait node, Start node)"
        );
    }

    #[test]
    fn routes_match_method_and_glob() {
        let s: Scenario = "drop@GET /api/v2/tasks/*".parse().unwrap();
        assert!(s.applies_to("GET", "/api/v2/tasks/instances/1"));
        assert!(!s.applies_to("DELETE", "/api/v2/tasks/instances/1"));
        assert!(!s.applies_to("GET", "/api/v2/obproxy/clusters"));
        let all: Scenario = "drop".parse().unwrap();
        assert!(all.applies_to("GET", "/api/v2/x"));
        assert!(!all.applies_to("GET", "/__mock/health"));
        assert!(glob_match("/a/*/c*", "/a/b/x/c"));
        assert!(!glob_match("/a/*/c", "/a/b/c/d"));
    }
}
