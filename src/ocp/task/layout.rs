//! Where each subtask of a task sits: the template's nodes in the example's order, with edges
//! as positions and ids as offsets. One layout serves every task, whatever the number of
//! servers: OCP documents one lane per task (no documented task repeats a `seriesId` or has a
//! `parallelIdx` past 0), and the servers are named in `context.listMap`.

use std::ops::Range;

use super::Node;

/// The subtasks of a task with their edges, in two allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The subtasks in the order they are listed.
    pub slots: Vec<Slot>,
    /// Every slot's upstreams and downstreams, as positions in `slots`.
    edges: Vec<usize>,
}

impl Layout {
    /// The positions of a slot's upstreams.
    pub fn upstreams(&self, slot: &Slot) -> &[usize] {
        self.edges.get(slot.upstreams.clone()).unwrap_or_default()
    }

    /// The positions of a slot's downstreams.
    pub fn downstreams(&self, slot: &Slot) -> &[usize] {
        self.edges.get(slot.downstreams.clone()).unwrap_or_default()
    }

    /// Lays the template's nodes out as they are listed; `first_id` is the example's smallest
    /// subtask id, from which offsets count.
    pub(super) fn new(nodes: &[Node], first_id: i64) -> Self {
        let mut layout = Layout {
            slots: Vec::with_capacity(nodes.len()),
            edges: Vec::with_capacity(nodes.len() * 2),
        };
        for (n, node) in nodes.iter().enumerate() {
            let start = layout.edges.len();
            layout.edges.extend_from_slice(&node.upstreams);
            let middle = layout.edges.len();
            layout.edges.extend_from_slice(&node.downstreams);
            layout.slots.push(Slot {
                node: n,
                offset: node.example_id - first_id,
                upstreams: start..middle,
                downstreams: middle..layout.edges.len(),
            });
        }
        layout
    }
}

/// One subtask of a laid-out task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The template node it copies.
    pub node: usize,
    /// Its id minus the task's first subtask id.
    pub offset: i64,
    /// Where its upstreams and downstreams sit in the layout's edge list.
    upstreams: Range<usize>,
    downstreams: Range<usize>,
}
