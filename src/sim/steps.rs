//! The steps of every flow's routes in one flat vector: what the per-event path reads of a
//! consignment's route, next to the wait its flow has had at each step's node.
//!
//! A consignment's route is a block of consecutive steps (`Consignment::path` is the index of
//! its first); step `leg` of the block holds the node and the leg leaving it.
//! At a large corridor the per-event time goes to loads that miss the caches: reading a route
//! through the model (the flow, its route's vector of nodes, its vector of legs) and adding a
//! wait through the flow's accounts were a chain of dependent misses per event; here they are
//! one step, shared by the events of the consignment at that node (benches/README.md, "Issue
//! 14: a consignment's route as one block of steps").
//!
//! The waits at a step's node are summed here and folded into the flow's accounts
//! ([`super::waits`]) when the rows are written: integer milliseconds, so the sums are those of
//! adding each wait to the account at once.

use crate::engine::SimDur;
use crate::scenario::{Leg, Model};

/// How a consignment leaves a step's node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// To the next node, with no travel time.
    Direct,
    /// On link `i` of the model.
    Link(u32),
    /// On a carrier of service `i` of the model.
    Service(u32),
    /// Nowhere: the last node of the route, where it is delivered.
    Delivered,
}

/// One step of a route.
#[derive(Clone, Copy, Debug)]
pub(super) struct Step {
    /// Milliseconds that counted consignments of the flow waited at this step's node (for its
    /// servers, lanes, bays or tracks), since the last reset.
    pub wait: u64,
    /// The node (index into `Model::nodes`).
    pub node: u32,
    /// The leg leaving the node.
    pub next: Next,
}

/// Every route's steps, block by block.
#[derive(Clone, Debug, Default)]
pub(super) struct Steps {
    /// The steps, a block per flow and route, in flow then route order.
    steps: Vec<Step>,
    /// Per flow, the index in `first` of its route 0; the flow's route `k` is at `+ k`.
    routes: Vec<u32>,
    /// Per flow and route, the index in `steps` of its first step.
    first: Vec<u32>,
}

impl Steps {
    /// The steps of every route of `m`, every wait zero.
    pub(super) fn of(m: &Model) -> Steps {
        let mut s = Steps::default();
        for f in &m.flows {
            s.routes.push(s.first.len() as u32);
            for (route, legs, _) in f.paths() {
                s.first.push(s.steps.len() as u32);
                for (k, &node) in route.iter().enumerate() {
                    let next = match legs.get(k) {
                        Some(Leg::Direct) => Next::Direct,
                        Some(Leg::Link(l)) => Next::Link(*l as u32),
                        Some(Leg::Service(v)) => Next::Service(*v as u32),
                        None => Next::Delivered,
                    };
                    s.steps.push(Step {
                        wait: 0,
                        node: node as u32,
                        next,
                    });
                }
            }
        }
        s
    }

    /// The index of the first step of route `route` of flow `flow`.
    #[inline]
    pub(super) fn path(&self, flow: u32, route: u16) -> u32 {
        self.first[self.routes[flow as usize] as usize + route as usize]
    }

    /// Step `leg` of the route whose first step is `path`.
    #[inline(always)]
    pub(super) fn at(&self, path: u32, leg: u32) -> &Step {
        &self.steps[path as usize + leg as usize]
    }

    /// Starts loading step `leg` of the route at `path` (see `crate::engine::prefetch`).
    #[inline(always)]
    pub(super) fn prefetch(&self, path: u32, leg: u32) {
        if let Some(s) = self.steps.get(path as usize + leg as usize) {
            crate::engine::prefetch::prefetch(s);
        }
    }

    /// A counted consignment waited `d` at the node of step `leg` of the route at `path`.
    #[inline(always)]
    pub(super) fn add_wait(&mut self, path: u32, leg: u32, d: SimDur) {
        self.steps[path as usize + leg as usize].wait += d.0;
    }

    /// The waits at the steps of route `route` of flow `flow`, in step order.
    pub(super) fn waits(&self, flow: usize, route: usize) -> impl Iterator<Item = u64> + '_ {
        let k = self.routes[flow] as usize + route;
        let start = self.first[k] as usize;
        let end = self
            .first
            .get(k + 1)
            .map_or(self.steps.len(), |&e| e as usize);
        self.steps[start..end].iter().map(|s| s.wait)
    }

    /// Forgets every wait (end of warm-up).
    pub(super) fn reset(&mut self) {
        self.steps.iter_mut().for_each(|s| s.wait = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three steps a, b, c: the blocks and the legs as the model has them.
    #[test]
    fn blocks_follow_the_model() {
        let src = r#"
            [scenario]
            name = "t"
            horizon = "10d"
            [[nodes]]
            id = "a"
            kind = "station"
            servers = 1
            service = { dist = "exponential", mean = "1h" }
            [[nodes]]
            id = "b"
            kind = "station"
            servers = 1
            service = { dist = "exponential", mean = "1h" }
            [[links]]
            from = "a"
            to = "b"
            time = { dist = "fixed", value = "2h" }
            [[flows]]
            id = "f"
            route = ["a", "b"]
            arrivals = { dist = "exponential", mean = "4h" }
            [[flows]]
            id = "g"
            route = ["b"]
            arrivals = { dist = "exponential", mean = "4h" }
        "#;
        let m = crate::scenario::parse(std::path::Path::new("t.toml"), src).unwrap();
        let mut s = Steps::of(&m);
        let f = s.path(0, 0);
        let g = s.path(1, 0);
        assert_eq!((f, g), (0, 2));
        assert_eq!((s.at(f, 0).node, s.at(f, 0).next), (0, Next::Link(0)));
        assert_eq!((s.at(f, 1).node, s.at(f, 1).next), (1, Next::Delivered));
        assert_eq!((s.at(g, 0).node, s.at(g, 0).next), (1, Next::Delivered));
        s.add_wait(f, 1, SimDur(5));
        s.add_wait(f, 1, SimDur(7));
        assert_eq!(s.waits(0, 0).collect::<Vec<_>>(), [0, 12]);
        assert_eq!(s.waits(1, 0).collect::<Vec<_>>(), [0]);
        s.reset();
        assert_eq!(s.waits(0, 0).sum::<u64>(), 0);
    }

    /// A flow with two routes: a block per route, in route order, then the next flow's; each
    /// route's waits come back from its own block (the order `Waits::rows` folds them in).
    #[test]
    fn alternatives_have_a_block_each() {
        let station = |id: &str| {
            format!(
                "[[nodes]]\nid = \"{id}\"\nkind = \"station\"\nservers = 1\nservice = {{ dist = \"exponential\", mean = \"1h\" }}\n"
            )
        };
        let src = format!(
            r#"[scenario]
name = "t"
horizon = "10d"
{}{}{}
[[flows]]
id = "f"
arrivals = {{ dist = "exponential", mean = "4h" }}
[[flows.routes]]
id = "short"
route = ["a", "b"]
share = 0.5
[[flows.routes]]
id = "long"
route = ["a", "c", "b"]
share = 0.5

[[flows]]
id = "g"
route = ["c"]
arrivals = {{ dist = "exponential", mean = "4h" }}
"#,
            station("a"),
            station("b"),
            station("c")
        );
        let m = crate::scenario::parse(std::path::Path::new("t.toml"), &src).unwrap();
        let mut s = Steps::of(&m);
        assert_eq!((s.path(0, 0), s.path(0, 1), s.path(1, 0)), (0, 2, 5));
        let nodes = |path: u32, n: u32| (0..n).map(|k| s.at(path, k).node).collect::<Vec<_>>();
        assert_eq!(nodes(0, 2), [0, 1]);
        assert_eq!(nodes(2, 3), [0, 2, 1]);
        assert_eq!(nodes(5, 1), [2]);
        assert_eq!(s.at(2, 1).next, Next::Direct);
        assert_eq!(s.at(2, 2).next, Next::Delivered);
        s.add_wait(s.path(0, 1), 1, SimDur(9));
        s.add_wait(s.path(0, 0), 0, SimDur(4));
        assert_eq!(s.waits(0, 0).collect::<Vec<_>>(), [4, 0]);
        assert_eq!(s.waits(0, 1).collect::<Vec<_>>(), [0, 9, 0]);
        assert_eq!(s.waits(1, 0).collect::<Vec<_>>(), [0]);
    }
}
