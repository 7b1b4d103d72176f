//! Where each flow waits: the waiting time of a flow's consignments, resource by resource.
//!
//! The transit decomposition (`queueing`, `waiting_for_carrier`, `border`) says how long a flow
//! waits; these rows say for what. Every wait of a consignment created after the warm-up is
//! added, when it ends, to its flow's account for the resource that caused it; `wait_mean` is
//! the account over the flow's consignments created after the warm-up, so a flow's
//! `wait_mean`s add up to its mean waiting per consignment:
//!
//! | resource | the wait |
//! |---|---|
//! | `node` | for a station's servers; at a border, for lanes, bays and tracks, open or closed |
//! | `yard` | at the gate of a full yard, as a consignment or on board a carrier at its berth |
//! | `berths` | on board, for a berth to load (at the boarding node) or to unload |
//! | `service` | for a carrier to depart, and on board, held for a path or the weather |
//! | `link` | for a path on a link with a headway |
//!
//! A flow's pairs are fixed by its route (the same rows in every replication): every node it
//! visits, the yards of those nodes, the berths where it boards or leaves a carrier, the
//! services it boards and the links with a headway it takes. The accounts live beside the
//! world, indexed by flow and by a small sorted list of the flow's resources, so recording a
//! wait costs no component lookup.

use super::Replication;
use super::catalogue::wait as metric;
use super::rows::{Sink, Window};
use crate::engine::SimDur;
use crate::engine::time::MS_PER_HOUR;
use crate::scenario::{Leg, Model};

/// A resource that can make consignments wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Res {
    /// Node `i`'s servers, lanes, bays or tracks.
    Node(usize),
    /// The yard of node `i`.
    Yard(usize),
    /// The berths of node `i`.
    Berths(usize),
    /// Service `i`'s fleet and line.
    Service(usize),
    /// The path of link `i`.
    Link(usize),
}

impl Res {
    /// The scope and id under which the resource's own rows are written.
    pub(super) fn name(self, m: &Model) -> (&'static str, String) {
        match self {
            Res::Node(i) => ("node", m.nodes[i].id.clone()),
            Res::Yard(i) => ("yard", m.nodes[i].id.clone()),
            Res::Berths(i) => ("berths", m.nodes[i].id.clone()),
            Res::Service(i) => ("service", m.services[i].id.clone()),
            Res::Link(i) => {
                let l = &m.links[i];
                (
                    "link",
                    format!("{}->{}", m.nodes[l.from].id, m.nodes[l.to].id),
                )
            }
        }
    }
}

/// Every flow's accounts.
#[derive(Clone, Debug, Default)]
pub(super) struct Waits {
    /// Per flow: its resources, sorted, and the milliseconds waited at each, in the same order.
    flows: Vec<(Vec<Res>, Vec<u64>)>,
    /// Per flow, route (0 for a flow with one route) and step: where the step's node is in the
    /// flow's list (`u32::MAX` for a node that makes nobody wait). The waits at a step's node,
    /// the most frequent, are summed by step (`super::steps`) and added to the accounts here
    /// when the rows are written.
    at_step: Vec<Vec<Vec<u32>>>,
}

impl Waits {
    /// The accounts of every flow of `m`, all empty.
    pub(super) fn of(m: &Model) -> Waits {
        let flows = m
            .flows
            .iter()
            .map(|f| {
                let mut res = Vec::new();
                for (route, legs, _) in f.paths() {
                    for (k, &n) in route.iter().enumerate() {
                        let node = &m.nodes[n];
                        if node.servers().is_some() || node.border().is_some() {
                            res.push(Res::Node(n));
                        }
                        if node.yard_teu.is_some() {
                            res.push(Res::Yard(n));
                        }
                        match legs.get(k) {
                            Some(Leg::Service(s)) => {
                                let sv = &m.services[*s];
                                res.push(Res::Service(*s));
                                for end in [sv.from, sv.to] {
                                    if m.nodes[end].berths.is_some() {
                                        res.push(Res::Berths(end));
                                    }
                                }
                            }
                            Some(Leg::Link(l)) if m.links[*l].headway.is_some() => {
                                res.push(Res::Link(*l));
                            }
                            _ => {}
                        }
                    }
                }
                res.sort();
                res.dedup();
                let accounts = vec![0; res.len()];
                (res, accounts)
            })
            .collect::<Vec<_>>();
        let steps = |route: &[usize], res: &[Res]| -> Vec<u32> {
            route
                .iter()
                .map(|&n| {
                    res.binary_search(&Res::Node(n))
                        .map_or(u32::MAX, |i| i as u32)
                })
                .collect()
        };
        let at_step = m
            .flows
            .iter()
            .zip(&flows)
            .map(|(f, (res, _))| {
                f.paths()
                    .iter()
                    .map(|(route, _, _)| steps(route, res))
                    .collect()
            })
            .collect();
        Waits { flows, at_step }
    }

    /// Flow `flow` waited `d` at `res`.
    #[inline]
    pub(super) fn add(&mut self, flow: u32, res: Res, d: SimDur) {
        let (list, accounts) = &mut self.flows[flow as usize];
        if let Ok(i) = list.binary_search(&res) {
            accounts[i] += d.0;
        }
    }

    /// Forgets every wait (end of warm-up: only consignments created after it count, and
    /// none of them has waited yet).
    pub(super) fn reset(&mut self) {
        for (_, accounts) in &mut self.flows {
            accounts.iter_mut().for_each(|a| *a = 0);
        }
    }
}

/// The rows of every (flow, resource) pair: `FLOW@SCOPE:ID`.
pub(super) fn rows(r: &Replication, w: &Window, sink: &mut Sink) {
    let m = r.model;
    for (f, (list, accounts)) in r.waits.flows.iter().enumerate() {
        let mut accounts = accounts.clone();
        for (k, at) in r.waits.at_step[f].iter().enumerate() {
            for (&i, ms) in at.iter().zip(r.steps.waits(f, k)) {
                if let Some(a) = accounts.get_mut(i as usize) {
                    *a += ms;
                }
            }
        }
        let fs = &r.flow_stats[f];
        let transit = fs.transit.mean_hours();
        for (res, &ms) in list.iter().zip(&accounts) {
            let (scope, id) = res.name(m);
            let pair = format!("{}@{scope}:{id}", m.flows[f].id);
            let hours = ms as f64 / MS_PER_HOUR as f64;
            let mean = if fs.created > 0 {
                hours / fs.created as f64
            } else {
                f64::NAN
            };
            sink.put(&pair, &metric::WAIT_MEAN, mean);
            sink.put(&pair, &metric::TRANSIT_SHARE, mean / transit);
            sink.put(&pair, &metric::HOURS_PER_DAY, hours / w.days);
        }
    }
}
