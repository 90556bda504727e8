//! Which documented reads `--all-reads` sends, in which order, and where each path id comes from.
//!
//! A path id is learned from an earlier answer, never guessed: the capture after `/<noun>/` is
//! the `id` (or the capture's own name, or `name` for a `...Name` capture) of the first item of
//! a documented list of that noun (`{tenantId}` after `tenants` from `GET .../tenants`), or of
//! the first item of an array field of that name in the parent's answer (`{subtaskInstanceId}`
//! after `subtasks` from the task's own `subtasks`). Where several lists end in the noun, the
//! one whose path shares the most with the endpoint's wins (`/ob/clusters/{id}/tenants` over
//! `/ob/tenants` for a tenant under a cluster). Lists are placed before the reads that need
//! them; everything else keeps the catalogue's order.

use std::collections::HashSet;

use http::Method;
use serde_json::Value;

use crate::ocp::catalogue::{Catalogue, Endpoint, Location, Segment};

/// One documented GET, and what the run does with it.
#[derive(Debug)]
pub struct Step {
    /// The endpoint.
    pub endpoint: &'static Endpoint,
    /// Send it, or why not.
    pub action: Action,
}

/// What the run does with a step.
#[derive(Debug)]
pub enum Action {
    /// Send it, each capture (in path order) filled from an earlier answer.
    Call(Vec<Source>),
    /// Never sent, and why.
    Skip(String),
}

/// Where one capture's value is learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The capture's name.
    pub capture: String,
    /// Only digits fit (`{id:[\\d]+}`).
    pub digits: bool,
    /// The earlier step whose answer names the value.
    pub step: usize,
    /// Where its items are in that answer.
    pub items: Items,
    /// The item fields tried, in order.
    pub fields: Vec<String>,
}

/// Where the items that name ids are in an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Items {
    /// A list: `data.contents`, or `data` itself when it is an array.
    List,
    /// An array field of an item's detail: `data.<field>`.
    Field(String),
}

/// Why a read is never sent: the start of each reason, for counting them.
pub mod why {
    /// A required query parameter the run cannot know (a time range, a filter).
    pub const NEEDS_QUERY: &str = "needs query parameters";
    /// A required body: a GET that takes one is not a plain read.
    pub const NEEDS_BODY: &str = "needs a request body";
    /// No response schema is documented for the endpoint (decided at run time).
    pub const NO_SCHEMA: &str = "no response schema";
    /// No documented read names the values of a capture.
    pub const NO_SOURCE: &str = "no documented read lists";
    /// The read that names the values was not sent, or named none (decided at run time).
    pub const NO_ID: &str = "no id learned for";
    /// `--max-calls` was reached (decided at run time).
    pub const CAP: &str = "the cap of";
    /// Several calls in a row got no answer in time (decided at run time).
    pub const GONE: &str = "the target stopped answering";
    /// Every reason, in the order reports count them, with how the tally names the reads
    /// skipped for it.
    pub const ALL: [(&str, &str); 7] = [
        (NEEDS_QUERY, "need query parameters"),
        (NEEDS_BODY, "need a request body"),
        (NO_SOURCE, "have no documented list of their ids"),
        (NO_SCHEMA, "have no response schema"),
        (NO_ID, "learned no id"),
        (CAP, "are past --max-calls"),
        (GONE, "came after the target stopped answering"),
    ];
}

/// Every documented GET of `catalogue`, sources before the reads that need them.
pub fn plan(catalogue: &'static Catalogue) -> Vec<Step> {
    let gets: Vec<&'static Endpoint> = catalogue
        .endpoints
        .iter()
        .filter(|e| e.method == Method::GET)
        .collect();
    let mut planner = Planner {
        gets: gets.clone(),
        steps: Vec::new(),
        visiting: HashSet::new(),
    };
    for endpoint in gets {
        planner.place(endpoint);
    }
    planner.steps
}

struct Planner {
    gets: Vec<&'static Endpoint>,
    steps: Vec<Step>,
    /// The patterns being placed, against a list that (through its own ids) needs itself.
    visiting: HashSet<&'static str>,
}

impl Planner {
    /// The index of the step of `endpoint`, placing it (and its sources first) when new;
    /// `None` while it is being placed.
    fn place(&mut self, endpoint: &'static Endpoint) -> Option<usize> {
        if let Some(at) = self.steps.iter().position(|s| same(s.endpoint, endpoint)) {
            return Some(at);
        }
        if !self.visiting.insert(&endpoint.pattern) {
            return None;
        }
        let action = match static_skip(endpoint) {
            Some(why) => Action::Skip(why),
            None => match self.sources(endpoint) {
                Ok(sources) => Action::Call(sources),
                Err(why) => Action::Skip(why),
            },
        };
        self.visiting.remove(endpoint.pattern.as_str());
        self.steps.push(Step { endpoint, action });
        Some(self.steps.len() - 1)
    }

    /// A source for each capture, or why one has none.
    fn sources(&mut self, endpoint: &'static Endpoint) -> Result<Vec<Source>, String> {
        let mut out = Vec::new();
        for (at, segment) in endpoint.segments.iter().enumerate() {
            let Segment::Capture { name, digits } = segment else {
                continue;
            };
            let mut found = None;
            for (candidate, items) in self.candidates(endpoint, at, name) {
                let Some(step) = self.place(candidate) else {
                    continue;
                };
                if matches!(self.steps[step].action, Action::Call(_)) {
                    found = Some((step, items));
                    break;
                }
            }
            let Some((step, items)) = found else {
                return Err(format!("{} {{{name}}}", why::NO_SOURCE));
            };
            out.push(Source {
                capture: name.clone(),
                digits: *digits,
                step,
                items,
                fields: fields_for(name),
            });
        }
        Ok(out)
    }

    /// The reads that may name the capture `name` at segment `at` of `endpoint`, best first.
    fn candidates(
        &self,
        endpoint: &Endpoint,
        at: usize,
        name: &str,
    ) -> Vec<(&'static Endpoint, Items)> {
        let before = &endpoint.segments[..at];
        let noun = match at.checked_sub(1).map(|i| &endpoint.segments[i]) {
            Some(Segment::Literal(noun)) => Some(noun.as_str()),
            _ => None,
        };
        let stem = name
            .strip_suffix("Id")
            .or_else(|| name.strip_suffix("Name"))
            .filter(|s| !s.is_empty());
        let mut lists: Vec<(usize, bool, &'static Endpoint)> = Vec::new();
        for &list in &self.gets {
            let Some(Segment::Literal(last)) = list.segments.last() else {
                continue;
            };
            let named = noun.is_some_and(|n| same_noun(last, n))
                || stem.is_some_and(|s| same_noun(last, s));
            if !named || same(list, endpoint) {
                continue;
            }
            let shared = shared_prefix(&list.segments, before);
            let continues = self.continues(list, endpoint.segments.get(at + 1));
            lists.push((shared, continues, list));
        }
        // Stable: equal scores keep the catalogue's order.
        lists.sort_by_key(|&(shared, continues, _)| std::cmp::Reverse((shared, continues)));
        let mut out: Vec<(&'static Endpoint, Items)> = lists
            .into_iter()
            .map(|(_, _, l)| (l, Items::List))
            .collect();
        if let Some(noun) = noun {
            let parent = &before[..before.len() - 1];
            for &detail in &self.gets {
                let aligned = detail.segments.len() == parent.len()
                    && shared_prefix(&detail.segments, parent) == parent.len();
                if aligned && !same(detail, endpoint) && documents_array(detail, noun) {
                    out.push((detail, Items::Field(noun.to_owned())));
                }
            }
        }
        out
    }

    /// Whether some documented GET goes on below an item of `list` the way `endpoint` goes on
    /// below its capture (`/ob/clusters/{id}/zones` for `/clusters/{clusterId}/zones`): what
    /// tells the OceanBase clusters from the OBProxy ones when the path does not.
    fn continues(&self, list: &Endpoint, next: Option<&Segment>) -> bool {
        let Some(Segment::Literal(next)) = next else {
            return false;
        };
        let depth = list.segments.len();
        self.gets.iter().any(|e| {
            e.segments.len() > depth + 1
                && shared_prefix(&e.segments, &list.segments) == depth
                && matches!(e.segments[depth], Segment::Capture { .. })
                && matches!(&e.segments[depth + 1], Segment::Literal(l) if same_noun(l, next))
        })
    }
}

/// Why a read cannot be sent as it is, whatever the target answers.
fn static_skip(endpoint: &Endpoint) -> Option<String> {
    let required = |location| -> Vec<&str> {
        endpoint
            .params
            .iter()
            .filter(|p| p.location == location && p.required)
            .map(|p| p.name.as_str())
            .collect()
    };
    let query = required(Location::Query);
    if !query.is_empty() {
        return Some(format!("{} {}", why::NEEDS_QUERY, query.join(", ")));
    }
    let body = required(Location::Body);
    if !body.is_empty() {
        return Some(format!("{} ({})", why::NEEDS_BODY, body.join(", ")));
    }
    None
}

/// The fields of an item that may hold the value of the capture `name`.
pub fn fields_for(name: &str) -> Vec<String> {
    let mut out = vec![name.to_owned()];
    let lower = name.to_ascii_lowercase();
    if name != "id" && lower.ends_with("id") {
        out.push("id".to_owned());
    }
    if name != "name" && lower.ends_with("name") {
        out.push("name".to_owned());
    }
    out
}

/// Whether the documented answer of `detail` has an array `data.<field>`.
fn documents_array(detail: &Endpoint, field: &str) -> bool {
    detail
        .sample()
        .data
        .as_ref()
        .and_then(|d| d.get(field))
        .is_some_and(Value::is_array)
}

fn same(a: &Endpoint, b: &Endpoint) -> bool {
    a.method == b.method && a.pattern == b.pattern
}

/// `cluster` and `clusters` name the same thing.
fn same_noun(a: &str, b: &str) -> bool {
    a == b || a.strip_suffix('s') == Some(b) || b.strip_suffix('s') == Some(a)
}

/// How many leading segments agree: literals naming the same noun, any capture with any.
fn shared_prefix(a: &[Segment], b: &[Segment]) -> usize {
    a.iter()
        .zip(b)
        .take_while(|pair| match pair {
            (Segment::Literal(x), Segment::Literal(y)) => same_noun(x, y),
            (Segment::Capture { .. }, Segment::Capture { .. }) => true,
            _ => false,
        })
        .count()
}
