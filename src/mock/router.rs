//! Matching a request to a route: path patterns with `{name}` segments, the methods each takes,
//! and the one place that answers an unknown path (404) or a known path with another method
//! (405 with `Allow`).
//!
//! The router knows nothing of handlers: a table is a list of [`Route`]s over any handler type,
//! so OCP's routes and the mock's own admin API share one matcher and one 404/405 path.

use std::borrow::Cow;

use http::Method;
use percent_encoding::percent_decode_str;

use crate::ocp::error::OcpError;
use crate::ocp::ids::{parse_long, parse_long_list};

/// A path pattern and what each of its methods runs.
pub struct Route<H: 'static> {
    /// `/api/v2/tasks/instances/{taskInstanceId}`: literal segments and `{name}` captures.
    pub pattern: &'static str,
    /// The methods the path takes, each with its handler.
    pub methods: &'static [(Method, H)],
}

/// Path parameters, percent-decoded (copied only when they had an escape), by name.
pub struct Params<'a>(Vec<(&'static str, Cow<'a, str>)>);

impl Params<'_> {
    /// The parameter's decoded text; empty when the pattern has no such name.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_ref())
    }

    /// The parameter as a Java `Long`, or OCP's invalid-parameter error naming it.
    pub fn long(&self, name: &str) -> Result<i64, OcpError> {
        let value = self.get(name);
        parse_long(value)
            .map_err(|e| OcpError::invalid_parameter(name, value, &format!("{value:?}: {e}")))
    }

    /// The parameter as a comma-separated list of `Long`s, repeats folded.
    pub fn longs(&self, name: &str) -> Result<Vec<i64>, OcpError> {
        let value = self.get(name);
        parse_long_list(value).map_err(|e| OcpError::invalid_parameter(name, value, &e.to_string()))
    }
}

/// Matches `path` against `pattern`, capturing `{name}` segments.
pub fn match_path<'a>(pattern: &'static str, path: &'a str) -> Option<Params<'a>> {
    let mut params = Vec::new();
    let mut segments = path.split('/');
    for part in pattern.split('/') {
        let segment = segments.next()?;
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            params.push((name, percent_decode_str(segment).decode_utf8_lossy()));
        } else if part != segment {
            return None;
        }
    }
    segments.next().is_none().then_some(Params(params))
}

/// The handler for `method` on `path` (the first route of the tables that matches), with the path's parameters; OCP's 404 for a path no
/// route has, 405 (with `Allow` listing the route's methods) for a method it does not take.
pub fn resolve<'p, H: Copy>(
    tables: &[&[Route<H>]],
    method: &Method,
    path: &'p str,
) -> Result<(H, Params<'p>), OcpError> {
    let Some((route, params)) = tables
        .iter()
        .flat_map(|t| t.iter())
        .find_map(|r| match_path(r.pattern, path).map(|p| (r, p)))
    else {
        return Err(OcpError::no_such_route(method.as_str(), path));
    };
    match route.methods.iter().find(|(m, _)| m == method) {
        Some((_, handler)) => Ok((*handler, params)),
        None => {
            let allow: Vec<&str> = route.methods.iter().map(|(m, _)| m.as_str()).collect();
            Err(OcpError::method_not_supported(
                method.as_str(),
                &allow.join(", "),
            ))
        }
    }
}
