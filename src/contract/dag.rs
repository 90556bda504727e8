//! The subtasks of a task read as a graph, for the invariants and for normalisation.
//!
//! OCP's array order of `subtasks` is not execution order and `seriesId` is not ordered either:
//! only `upstreams`/`downstreams` say what runs after what. Both sides are read, so an edge that
//! one side forgot still orders the graph (the invariants report the forgetting separately).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use serde_json::Value;

/// Which list of which subtask an edge was read from, to point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Upstreams,
    Downstreams,
}

impl Side {
    /// The field holding the list.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Side::Upstreams => "upstreams",
            Side::Downstreams => "downstreams",
        }
    }

    /// The list that must hold the same edge seen from its other end.
    pub(crate) fn mirror(self) -> Side {
        match self {
            Side::Upstreams => Side::Downstreams,
            Side::Downstreams => Side::Upstreams,
        }
    }
}

/// An edge `from -> to` (from runs first), with the list entry it was read from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    pub(crate) from: usize,
    pub(crate) to: usize,
    /// The subtask whose list holds the entry, the list, and the entry's index in it.
    pub(crate) source: (usize, Side, usize),
}

/// The graph over the subtasks, by array position.
pub(crate) struct Dag {
    /// The id of each subtask, when it is an integer.
    pub(crate) ids: Vec<Option<i64>>,
    /// The position of the first subtask with each id.
    pub(crate) index: HashMap<i64, usize>,
    /// Every distinct edge, in the order first read.
    pub(crate) edges: Vec<Edge>,
    /// Tie-break rank of each subtask: (parallelIdx, name, seriesId, position) ascending.
    rank: Vec<usize>,
}

impl Dag {
    /// Reads whatever can be read: a subtask that is not an object, an id that is not an integer,
    /// an entry that names no subtask are left out of the graph rather than refused, so any
    /// input yields some graph.
    pub(crate) fn read(subtasks: &[Value]) -> Self {
        let ids: Vec<Option<i64>> = subtasks
            .iter()
            .map(|s| s.get("id").and_then(Value::as_i64))
            .collect();
        let mut index = HashMap::new();
        for (position, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                index.entry(*id).or_insert(position);
            }
        }
        let mut edges: Vec<Edge> = Vec::new();
        let mut seen = HashSet::new();
        // Downstreams first: an edge both sides list is then pointed at from where it starts.
        for side in [Side::Downstreams, Side::Upstreams] {
            for (position, subtask) in subtasks.iter().enumerate() {
                for (entry, other) in list(subtask, side).iter().enumerate() {
                    let Some(other) = other.as_i64().and_then(|id| index.get(&id)).copied() else {
                        continue;
                    };
                    let (from, to) = match side {
                        Side::Downstreams => (position, other),
                        Side::Upstreams => (other, position),
                    };
                    if seen.insert((from, to)) {
                        edges.push(Edge {
                            from,
                            to,
                            source: (position, side, entry),
                        });
                    }
                }
            }
        }
        let mut by_key: Vec<usize> = (0..subtasks.len()).collect();
        by_key.sort_by_key(|&position| {
            let subtask = &subtasks[position];
            (
                subtask.get("parallelIdx").and_then(Value::as_i64),
                subtask.get("name").and_then(Value::as_str),
                subtask.get("seriesId").and_then(Value::as_i64),
                position,
            )
        });
        let mut rank = vec![0; subtasks.len()];
        for (r, position) in by_key.into_iter().enumerate() {
            rank[position] = r;
        }
        Self {
            ids,
            index,
            edges,
            rank,
        }
    }

    /// Topological order, ties broken by rank so that parallel lanes read one after the other.
    /// Returns the order of every subtask and how many of them the sort placed: when there is a
    /// cycle, the subtasks on it or after it follow, by rank, a stable order rather than none.
    pub(crate) fn order(&self) -> (Vec<usize>, usize) {
        let n = self.rank.len();
        let mut by_rank = vec![0; n];
        for (position, &r) in self.rank.iter().enumerate() {
            by_rank[r] = position;
        }
        let mut in_degree = vec![0usize; n];
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
        for edge in &self.edges {
            in_degree[edge.to] += 1;
            next[edge.from].push(edge.to);
        }
        let mut ready: BinaryHeap<Reverse<usize>> = (0..n)
            .filter(|&p| in_degree[p] == 0)
            .map(|p| Reverse(self.rank[p]))
            .collect();
        let mut order = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        while let Some(Reverse(r)) = ready.pop() {
            let position = by_rank[r];
            order.push(position);
            placed[position] = true;
            for &to in &next[position] {
                in_degree[to] -= 1;
                if in_degree[to] == 0 {
                    ready.push(Reverse(self.rank[to]));
                }
            }
        }
        let sorted = order.len();
        order.extend(by_rank.iter().copied().filter(|&p| !placed[p]));
        (order, sorted)
    }

    /// One cycle, as positions along its edges, and the edge that closes it (from the last
    /// position back to the first); `None` when the graph is acyclic.
    ///
    /// Every subtask the topological sort could not place has an unplaced predecessor, so walking
    /// predecessors from one of them must come back to a subtask already seen: that is a cycle.
    /// It is then started where the rest of the graph enters it, so the closing edge is the one
    /// that leads back, the edge a reader would call wrong.
    pub(crate) fn cycle(&self) -> Option<(Vec<usize>, Edge)> {
        let (order, sorted) = self.order();
        let mut unplaced = vec![false; self.rank.len()];
        for &position in order.get(sorted..)? {
            unplaced[position] = true;
        }
        let start = *order.get(sorted)?;
        let mut walk = vec![start];
        let mut seen_at = HashMap::from([(start, 0usize)]);
        let at = loop {
            let current = *walk.last()?;
            let back = self
                .edges
                .iter()
                .find(|edge| edge.to == current && unplaced[edge.from])?;
            if let Some(&at) = seen_at.get(&back.from) {
                break at;
            }
            seen_at.insert(back.from, walk.len());
            walk.push(back.from);
        };
        // The walk went against the edges: reversed, it runs along them.
        let mut cycle: Vec<usize> = walk[at..].iter().rev().copied().collect();
        let entered = |p: &usize| {
            self.edges
                .iter()
                .any(|edge| edge.to == *p && !unplaced[edge.from])
        };
        let first = cycle
            .iter()
            .filter(|p| entered(p))
            .min_by_key(|&&p| self.rank[p])
            .or_else(|| cycle.iter().min_by_key(|&&p| self.rank[p]))
            .and_then(|first| cycle.iter().position(|p| p == first))?;
        cycle.rotate_left(first);
        let (head, last) = (*cycle.first()?, *cycle.last()?);
        let closing = self
            .edges
            .iter()
            .find(|edge| edge.from == last && edge.to == head)
            .copied()?;
        Some((cycle, closing))
    }
}

/// The `upstreams` or `downstreams` list of a subtask; empty when absent or not an array.
pub(crate) fn list(subtask: &Value, side: Side) -> &[Value] {
    subtask
        .get(side.key())
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}
