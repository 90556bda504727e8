//! Matching a request to a route: path patterns with `{name}` segments, the methods each takes,
//! and the one place that answers an unknown path (404) or a known path with another method
//! (405 with `Allow`).
//!
//! A [`Router`] is a tree of path segments built once: a lookup walks the request's segments,
//! so its cost grows with the path's length, not with the number of routes. A literal segment
//! wins over a capture (`.../obproxies/batchAdd` before `.../obproxies/{obproxyIds}`); a capture
//! written `{id:[\\d]+}` takes digits only.
//!
//! The router knows nothing of handlers: it maps (method, path) to any value, so OCP's routes
//! and the mock's own admin API share one matcher and one 404/405 path.

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use http::Method;
use percent_encoding::percent_decode_str;

use crate::ocp::error::OcpError;
use crate::ocp::ids::{parse_long, parse_long_list};

/// A path pattern and what each of its methods runs: how a family lists its routes.
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

    /// Every parameter, by name, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(n, v)| (*n, v.as_ref()))
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

/// One segment of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'p> {
    /// Text the path must carry as written.
    Literal(&'p str),
    /// A `{name}` capture; `digits` when only digits match (`{id:[\\d]+}`).
    Capture {
        /// The parameter's name.
        name: &'p str,
        /// Whether only digits match.
        digits: bool,
    },
}

/// The segments of a pattern after its leading `/`.
pub fn segments(pattern: &str) -> impl Iterator<Item = Seg<'_>> {
    pattern.split('/').skip(1).map(|part| {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(inner) => {
                let (name, regex) = inner.split_once(':').unwrap_or((inner, ""));
                Seg::Capture {
                    name,
                    digits: regex.contains('d'),
                }
            }
            None => Seg::Literal(part),
        }
    })
}

/// What a method of a path runs, with the names of the path's captures in order.
struct Entry<T> {
    method: Method,
    names: Vec<&'static str>,
    value: T,
}

/// A node of the tree: one path segment deep.
struct Node<T> {
    literals: HashMap<&'static str, usize>,
    any: Option<usize>,
    digits: Option<usize>,
    /// The methods of the path that ends here, in `Allow` order.
    entries: Vec<Entry<T>>,
}

impl<T> Node<T> {
    fn new() -> Self {
        Self {
            literals: HashMap::new(),
            any: None,
            digits: None,
            entries: Vec::new(),
        }
    }
}

/// The most segments a path can have and match a route (OCP's deepest documented path has 8; a
/// route deeper than this never matches).
const MAX_DEPTH: usize = 32;

/// The captures of a lookup so far, on the stack.
struct Captured<'p> {
    parts: [&'p str; MAX_DEPTH],
    len: usize,
}

/// Routes, as a tree of segments.
pub struct Router<T> {
    nodes: Vec<Node<T>>,
}

impl<T> fmt::Debug for Router<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let routes: usize = self.nodes.iter().map(|n| n.entries.len()).sum();
        write!(f, "Router({routes} routes)")
    }
}

impl<T> Default for Router<T> {
    fn default() -> Self {
        Self {
            nodes: vec![Node::new()],
        }
    }
}

/// Where `Allow` lists a method: the order OCP's pages use for reading before writing.
fn method_rank(method: &Method) -> usize {
    [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ]
    .iter()
    .position(|m| m == method)
    .unwrap_or(5)
}

impl<T> Router<T> {
    /// Adds `value` for `method` on a path of these segments (see [`segments`]). A second value
    /// for the same method and path replaces the first.
    pub fn insert(
        &mut self,
        method: Method,
        segs: impl IntoIterator<Item = Seg<'static>>,
        value: T,
    ) {
        let mut at = 0;
        let mut names = Vec::new();
        for seg in segs {
            at = match seg {
                Seg::Literal(text) => self.child(
                    at,
                    |n| n.literals.get(text).copied(),
                    |n, c| {
                        n.literals.insert(text, c);
                    },
                ),
                Seg::Capture { name, digits } => {
                    names.push(name);
                    if digits {
                        self.child(at, |n| n.digits, |n, c| n.digits = Some(c))
                    } else {
                        self.child(at, |n| n.any, |n, c| n.any = Some(c))
                    }
                }
            };
        }
        let entries = &mut self.nodes[at].entries;
        entries.retain(|e| e.method != method);
        let rank = method_rank(&method);
        let pos = entries.partition_point(|e| method_rank(&e.method) <= rank);
        entries.insert(
            pos,
            Entry {
                method,
                names,
                value,
            },
        );
    }

    /// The child of `at` that `get` finds, made by `set` when missing.
    fn child(
        &mut self,
        at: usize,
        get: impl Fn(&Node<T>) -> Option<usize>,
        set: impl FnOnce(&mut Node<T>, usize),
    ) -> usize {
        if let Some(child) = get(&self.nodes[at]) {
            return child;
        }
        let child = self.nodes.len();
        self.nodes.push(Node::new());
        set(&mut self.nodes[at], child);
        child
    }

    /// The value for `method` on `path`, with the path's parameters; OCP's 404 for a path no
    /// route has, 405 (with `Allow` listing the path's methods) for a method it does not take.
    pub fn resolve<'p>(
        &self,
        method: &Method,
        path: &'p str,
    ) -> Result<(&T, Params<'p>), OcpError> {
        // The segments and captures on the stack: a lookup allocates only the parameters it
        // returns. A path deeper than any route can be is a 404 without a walk.
        let mut parts = [""; MAX_DEPTH];
        let mut depth = 0;
        for part in path
            .strip_prefix('/')
            .into_iter()
            .flat_map(|r| r.split('/'))
        {
            if depth == MAX_DEPTH {
                return Err(OcpError::no_such_route(method.as_str(), path));
            }
            parts[depth] = part;
            depth += 1;
        }
        let mut captured = Captured {
            parts: [""; MAX_DEPTH],
            len: 0,
        };
        let found = (depth > 0)
            .then(|| self.find(0, &parts[..depth], &mut captured))
            .flatten();
        let Some(at) = found else {
            return Err(OcpError::no_such_route(method.as_str(), path));
        };
        let captured = &captured.parts[..captured.len];
        let entries = &self.nodes[at].entries;
        let Some(entry) = entries.iter().find(|e| e.method == method) else {
            let allow: Vec<&str> = entries.iter().map(|e| e.method.as_str()).collect();
            return Err(OcpError::method_not_supported(
                method.as_str(),
                &allow.join(", "),
            ));
        };
        let params = entry
            .names
            .iter()
            .zip(captured)
            .map(|(name, raw)| (*name, percent_decode_str(raw).decode_utf8_lossy()))
            .collect();
        Ok((&entry.value, Params(params)))
    }

    /// The node where a path with routes ends, literals tried before captures.
    fn find<'p>(&self, at: usize, parts: &[&'p str], captured: &mut Captured<'p>) -> Option<usize> {
        let node = &self.nodes[at];
        let Some((first, rest)) = parts.split_first() else {
            return (!node.entries.is_empty()).then_some(at);
        };
        if let Some(&next) = node.literals.get(*first)
            && let Some(found) = self.find(next, rest, captured)
        {
            return Some(found);
        }
        let digits = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
        let captures = [node.digits.filter(|_| digits), node.any];
        for next in captures.into_iter().flatten() {
            captured.parts[captured.len] = first;
            captured.len += 1;
            if let Some(found) = self.find(next, rest, captured) {
                return Some(found);
            }
            captured.len -= 1;
        }
        None
    }
}
