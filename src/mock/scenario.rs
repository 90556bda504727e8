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

use std::fmt;

use crate::ocp::task::TaskTemplate;

/// What a scenario does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    FailAt(String),
    Latency(u64),
    Error(u16),
    Throttle { limit: u32, window_ms: i64 },
    Drop,
}

/// Which requests a scenario applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFilter {
    pub method: Option<String>,
    pub path: String,
}

/// One fault and where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub fault: Fault,
    pub route: Option<RouteFilter>,
}

/// The longest latency a scenario may add: long enough for any client timeout test.
pub const MAX_LATENCY_MS: u64 = 300_000;

/// The longest throttling window: a day.
pub const MAX_WINDOW_MS: i64 = 86_400_000;

impl std::str::FromStr for Scenario {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let spec = spec.trim();
        let (fault, route) = match spec.split_once('@') {
            Some((f, r)) => (f.trim(), Some(parse_route(r.trim())?)),
            None => (spec, None),
        };
        let (kind, arg) = match fault.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (fault, None),
        };
        let need = |what: &str| -> Result<&str, String> {
            arg.filter(|a| !a.is_empty())
                .ok_or_else(|| format!("scenario {kind:?} needs {what}"))
        };
        let fault = match kind {
            "fail-at" => Fault::FailAt(need("a subtask name (fail-at:Wait node)")?.to_owned()),
            "latency" => {
                let ms: u64 = need("milliseconds (latency:250)")?
                    .parse()
                    .map_err(|_| format!("latency {arg:?} is not a number of milliseconds"))?;
                if ms > MAX_LATENCY_MS {
                    return Err(format!("latency {ms} ms is over {MAX_LATENCY_MS} ms"));
                }
                Fault::Latency(ms)
            }
            "error" => {
                let status: u16 = need("an HTTP status (error:503)")?
                    .parse()
                    .map_err(|_| format!("error status {arg:?} is not a number"))?;
                if !(400..=599).contains(&status) {
                    return Err(format!("error status {status} is not in 400-599"));
                }
                Fault::Error(status)
            }
            "throttle" => {
                let a = need("N/MS (throttle:5/60000)")?;
                let parsed = a
                    .split_once('/')
                    .and_then(|(n, ms)| Some((n.parse::<u32>().ok()?, ms.parse::<i64>().ok()?)));
                match parsed {
                    Some((limit, window_ms)) if (1..=MAX_WINDOW_MS).contains(&window_ms) => {
                        Fault::Throttle { limit, window_ms }
                    }
                    _ => {
                        return Err(format!(
                            "throttle {a:?} is not N/MS with MS from 1 to {MAX_WINDOW_MS}"
                        ));
                    }
                }
            }
            "drop" if arg.is_none() => Fault::Drop,
            _ => {
                return Err(format!(
                    "unknown scenario {spec:?} (expected fail-at:SUBTASK, latency:MS, error:STATUS, throttle:N/MS or drop, each optionally @[METHOD ]PATH)"
                ));
            }
        };
        Ok(Self { fault, route })
    }
}

impl std::str::FromStr for RouteFilter {
    type Err = String;

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

fn parse_route(r: &str) -> Result<RouteFilter, String> {
    let (method, path) = match r.split_once(' ') {
        Some((m, p)) => (Some(m.trim().to_ascii_uppercase()), p.trim()),
        None => (None, r),
    };
    if !path.starts_with('/') {
        return Err(format!(
            "scenario route {r:?} must be a path starting with /"
        ));
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
    /// Whether this scenario applies to a request.
    pub fn applies_to(&self, method: &str, path: &str) -> bool {
        match &self.route {
            None => path.starts_with("/api/"),
            Some(r) => r.matches(method, path),
        }
    }

    /// Refuses a `fail-at` naming a subtask the task lacks, listing the ones it has.
    pub fn check(&self, template: &TaskTemplate) -> Result<(), ScenarioError> {
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
}

/// Parses the `X-OCP-Mock-Scenario` header: scenarios separated by `;`.
pub fn parse_list(header: &str) -> Result<Vec<Scenario>, String> {
    header
        .split(';')
        .filter(|s| !s.trim().is_empty())
        .map(str::parse)
        .collect()
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
            let err = spec.parse::<Scenario>().unwrap_err();
            assert!(err.contains(why), "{spec}: {err}");
        }
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

/// A scenario this mock cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// `fail-at` names a subtask the task does not have.
    #[error("fail-at: the task has no subtask {name:?} (it has: {})", known.join(", "))]
    UnknownSubtask {
        /// The name the scenario gave.
        name: String,
        /// The subtasks the task has, in order.
        known: Vec<String>,
    },
}
