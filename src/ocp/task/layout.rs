//! Where each subtask of a task over N servers sits: the template's nodes fanned out into
//! lanes, with edges as positions and ids as offsets. Shared by every task of as many servers.

use std::ops::Range;
use std::sync::Arc;

use super::TaskTemplate;

/// The subtasks of one task with their edges, in two allocations.
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
}

/// One subtask of a laid-out task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The template node it copies.
    pub node: usize,
    /// Its lane (`parallelIdx`), for a per-server subtask.
    pub lane: Option<usize>,
    /// Its id minus the task's first subtask id.
    pub offset: i64,
    /// Where its upstreams and downstreams sit in the layout's edge list.
    upstreams: Range<usize>,
    downstreams: Range<usize>,
}

impl TaskTemplate {
    /// The id of node `n` in lane `lane`, counted from the task's first subtask id: lane 0 keeps
    /// the example's layout, later lanes follow.
    fn subtask_offset(&self, n: usize, lane: usize) -> i64 {
        let node = &self.nodes[n];
        if lane == 0 {
            node.example_id - self.first_id
        } else {
            self.span + (lane as i64 - 1) * self.per_server_count + node.lane_rank as i64
        }
    }

    /// The subtasks of a task over `lanes` servers, in the order they are listed: each template
    /// node in turn, a per-server node once per lane; edges as positions in that list; ids
    /// counted from the task's first subtask id. Shared: built once per number of lanes.
    pub fn layout(&self, lanes: usize) -> Arc<Layout> {
        let lanes = lanes.max(1);
        match self.layouts.get(lanes) {
            Some(cached) => cached.get_or_init(|| Arc::new(self.lay_out(lanes))).clone(),
            None => Arc::new(self.lay_out(lanes)),
        }
    }

    fn lay_out(&self, lanes: usize) -> Layout {
        let mut offsets = Vec::with_capacity(self.nodes.len());
        let mut total = 0;
        for node in &self.nodes {
            offsets.push(total);
            total += if node.per_server { lanes } else { 1 };
        }
        let mut layout = Layout {
            slots: Vec::with_capacity(total),
            edges: Vec::with_capacity(total * 4),
        };
        let push_targets = |edges: &mut Vec<usize>, to: &[usize], own: Option<usize>| {
            let start = edges.len();
            for &t in to {
                let base = offsets[t];
                match (self.nodes[t].per_server, own) {
                    (false, _) => edges.push(base),
                    (true, Some(lane)) => edges.push(base + lane),
                    (true, None) => edges.extend((0..lanes).map(|l| base + l)),
                }
            }
            start..edges.len()
        };
        for (n, node) in self.nodes.iter().enumerate() {
            let copies = if node.per_server { lanes } else { 1 };
            for lane in 0..copies {
                let own = node.per_server.then_some(lane);
                let upstreams = push_targets(&mut layout.edges, &node.upstreams, own);
                let downstreams = push_targets(&mut layout.edges, &node.downstreams, own);
                layout.slots.push(Slot {
                    node: n,
                    lane: own,
                    offset: self.subtask_offset(n, lane),
                    upstreams,
                    downstreams,
                });
            }
        }
        layout
    }
}
