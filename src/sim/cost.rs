//! Charges and emissions booked on each consignment as it travels, when the scenario asks for
//! costs (`Model::costs`): at each node it leaves, each link it takes, each wait for a
//! carrier and each carrier trip it makes, from what that element charges and emits
//! (`scenario/cost.rs`). Nothing here reads a flow's route: whichever way a consignment
//! goes, it pays for what it passes. Without costs none of this runs (one `Option` test at
//! each place).
//!
//! At delivery a consignment created after the warm-up adds its books to its flow's; the
//! CPMM border and section costs are recorded per consignment as it passes.

use super::catalogue::{cost as metric, cpmm};
use super::components::Consignment;
use super::rows::Sink;
use super::{Cid, Replication};
use crate::engine::SimDur;
use crate::scenario::cost::{CPMM_KM, CPMM_TONNES, ElementCost, N_ITEMS};

/// What one consignment has paid and emitted so far (in [`Books`], in the slot of its
/// [`Consignment`], only in a scenario with costs).
#[derive(Clone, Copy, Default)]
pub(super) struct Ledger {
    /// The node it is at (set on arrival).
    pub node: u32,
    /// TEU of the consignment.
    pub teu: u32,
    /// Its cargo tonnes per TEU.
    pub tonnes: f64,
    /// Charges so far by item, USD.
    pub parts: [f64; N_ITEMS],
    /// Emissions so far, kg CO2e.
    pub co2e: f64,
    /// TEU-km travelled on elements with a distance.
    pub teu_km: f64,
}

/// A sum and a count.
#[derive(Clone, Copy, Default)]
struct Mean {
    sum: f64,
    n: u64,
}

impl Mean {
    fn add(&mut self, x: f64) {
        self.sum += x;
        self.n += 1;
    }
    fn mean(&self) -> f64 {
        if self.n > 0 {
            self.sum / self.n as f64
        } else {
            f64::NAN
        }
    }
}

/// A flow's books: the sums over its consignments created after the warm-up and delivered.
#[derive(Clone, Copy, Default)]
struct FlowBooks {
    parts: [f64; N_ITEMS],
    co2e: f64,
    teu_km: f64,
    teu: u64,
}

/// The replication's books: per flow, and the CPMM indicators per border and section.
#[derive(Default)]
pub(super) struct Books {
    flows: Vec<FlowBooks>,
    /// Per node: its charges per consignment scaled to 20 t (TFI2 at borders).
    nodes: Vec<Mean>,
    /// Per node: the informal part of those.
    informal: Vec<Mean>,
    /// Per link: its charges per consignment scaled to 20 t.
    links: Vec<Mean>,
    /// Per service: its charges per consignment scaled to 20 t.
    services: Vec<Mean>,
    /// The ledgers of the consignments in flight, by slot (a side table of the slab).
    ledgers: Vec<Ledger>,
}

impl Books {
    /// Empty books for `r`'s model.
    pub(super) fn of(m: &crate::scenario::Model) -> Books {
        Books {
            flows: vec![FlowBooks::default(); m.flows.len()],
            nodes: vec![Mean::default(); m.nodes.len()],
            informal: vec![Mean::default(); m.nodes.len()],
            links: vec![Mean::default(); m.links.len()],
            services: vec![Mean::default(); m.services.len()],
            ledgers: Vec::new(),
        }
    }

    /// Opens the ledger of the new consignment `c`.
    pub(super) fn open(&mut self, c: Cid, l: Ledger) {
        let i = c.slot();
        if i >= self.ledgers.len() {
            self.ledgers.resize(i + 1, Ledger::default());
        }
        self.ledgers[i] = l;
    }
}

/// The factor that scales a consignment's charge to the CPMM's 20 t of cargo.
fn per_20t(l: &Ledger) -> f64 {
    CPMM_TONNES / (l.teu as f64 * l.tonnes)
}

fn hours(d: SimDur) -> f64 {
    d.as_hours_f64()
}

/// A new consignment of flow `f` with `teu` TEU: its empty ledger.
pub(super) fn ledger(m: &crate::scenario::Model, f: u32, teu: u32) -> Ledger {
    let costs = m.costs.as_deref().expect("costs");
    Ledger {
        teu,
        tonnes: costs.tonnes_per_teu[f as usize],
        ..Default::default()
    }
}

/// Consignment `c` arrives at `node`.
pub(super) fn arrived(r: &mut Replication, c: Cid, node: u32) {
    if let Some(b) = r.books.as_deref_mut() {
        b.ledgers[c.slot()].node = node;
    }
}

/// Time-bound charges and waiting emissions of `hours` at a node.
fn node_time(el: &ElementCost, l: &mut Ledger, hours: f64) -> f64 {
    l.co2e += el.idle_co2e_kg_per_hour * hours;
    el.charge_time(l.teu, hours, &mut l.parts)
}

/// Consignment `c` (state `cm` before departing) leaves the node it is at: the node's charges
/// for the visit and the time since arrival.
pub(super) fn left_node(r: &mut Replication, c: Cid, cm: &Consignment) {
    let now = r.cal.now();
    let costs = r.model.costs.as_deref().expect("costs");
    let Some(b) = r.books.as_deref_mut() else {
        return;
    };
    let l = &mut b.ledgers[c.slot()];
    let node = l.node as usize;
    let el = &costs.nodes[node];
    let informal_before = l.parts[crate::scenario::cost::Item::Informal as usize];
    let visit = el.charge(l.teu, 0.0, &mut l.parts);
    let time = node_time(el, l, hours(now - cm.at_node));
    let informal = l.parts[crate::scenario::cost::Item::Informal as usize] - informal_before;
    let scale = per_20t(l);
    if cm.counted {
        b.nodes[node].add((visit + time) * scale);
        b.informal[node].add(informal * scale);
    }
}

/// Consignment `c` waited `wait` at its node for a carrier, which now takes it.
pub(super) fn waited(r: &mut Replication, c: Cid, wait: SimDur) {
    let costs = r.model.costs.as_deref().expect("costs");
    if let Some(b) = r.books.as_deref_mut() {
        let l = &mut b.ledgers[c.slot()];
        let el = &costs.nodes[l.node as usize];
        node_time(el, l, hours(wait));
    }
}

/// Moving emissions of `el` for the ledger's consignment; the TEU-km it travelled.
fn moved(el: &ElementCost, l: &mut Ledger) {
    if let Some(km) = el.km {
        l.teu_km += km * l.teu as f64;
        if let Some(f) = el.co2e_kg_per_tkm {
            l.co2e += f * km * l.teu as f64 * l.tonnes;
        }
    }
}

/// Consignment `c` enters link `link` for `d` (its wait for a path and its travel).
pub(super) fn link(r: &mut Replication, c: Cid, counted: bool, link: usize, d: SimDur) {
    let costs = r.model.costs.as_deref().expect("costs");
    let el = &costs.links[link];
    let Some(b) = r.books.as_deref_mut() else {
        return;
    };
    let l = &mut b.ledgers[c.slot()];
    let paid = el.charge(l.teu, hours(d), &mut l.parts);
    moved(el, l);
    let scale = per_20t(l);
    if counted {
        b.links[link].add(paid * scale);
    }
}

/// Consignment `c` leaves a carrier of service `svc` after `on_board` on it; the carrier
/// waited `delay` (berths, path, weather, yard) with `carried` TEU on board, of which the
/// consignment's share of TEU bears the waiting emissions.
pub(super) fn unloaded(
    r: &mut Replication,
    c: Cid,
    svc: usize,
    on_board: SimDur,
    (delay, carried): (SimDur, u32),
) {
    let costs = r.model.costs.as_deref().expect("costs");
    let el = &costs.services[svc];
    let counted = r.cons.get(c).is_some_and(|cm| cm.counted);
    let Some(b) = r.books.as_deref_mut() else {
        return;
    };
    let l = &mut b.ledgers[c.slot()];
    let paid = el.charge(l.teu, hours(on_board), &mut l.parts);
    moved(el, l);
    let share = l.teu as f64 / carried.max(1) as f64;
    l.co2e += el.idle_co2e_kg_per_hour * hours(delay) * share;
    let scale = per_20t(l);
    if counted {
        b.services[svc].add(paid * scale);
    }
}

/// Consignment `c` of flow `flow` is delivered: a counted one adds its books to the flow's.
pub(super) fn delivered(r: &mut Replication, c: Cid, flow: u32, counted: bool) {
    let Some(b) = r.books.as_deref_mut() else {
        return;
    };
    let l = b.ledgers[c.slot()];
    if counted {
        let f = &mut b.flows[flow as usize];
        for (s, x) in f.parts.iter_mut().zip(l.parts) {
            *s += x;
        }
        f.co2e += l.co2e;
        f.teu_km += l.teu_km;
        f.teu += l.teu as u64;
    }
}

/// With costs, what consignment `c` has paid (USD) and emitted (kg CO2e) so far.
pub(super) fn paid(r: &Replication, c: Cid) -> Option<(f64, f64)> {
    let l = &r.books.as_deref()?.ledgers[c.slot()];
    Some((l.parts.iter().sum(), l.co2e))
}

/// The cost rows of each flow, then the CPMM rows of each border and section.
pub(super) fn rows(r: &Replication, sink: &mut Sink) {
    let (Some(costs), Some(b)) = (r.model.costs.as_deref(), r.books.as_deref()) else {
        return;
    };
    let m = r.model;
    for (i, f) in m.flows.iter().enumerate() {
        let fb = &b.flows[i];
        let per_teu = |x: f64| {
            if fb.teu > 0 {
                x / fb.teu as f64
            } else {
                f64::NAN
            }
        };
        let fs = &r.flow_stats[i];
        let id = &f.id;
        let parts = [
            &metric::FREIGHT,
            &metric::HANDLING,
            &metric::STORAGE,
            &metric::FEES,
            &metric::INFORMAL,
        ];
        for (k, p) in parts.into_iter().enumerate() {
            sink.put(id, p, per_teu(fb.parts[k]));
        }
        let charges = per_teu(fb.parts.iter().sum());
        let time = f.value_of_time * fs.transit.mean_hours();
        sink.put(id, &metric::CHARGES, charges);
        sink.put(id, &metric::VALUE_OF_TIME, f.value_of_time);
        sink.put(id, &metric::TIME_COST, time);
        sink.put(id, &metric::GENERALISED, charges + time);
        sink.put(id, &metric::TONNES_PER_TEU, costs.tonnes_per_teu[i]);
        sink.put(id, &metric::CO2E, per_teu(fb.co2e));
        let per_km = if fb.teu_km > 0.0 {
            fb.co2e / fb.teu_km
        } else {
            f64::NAN
        };
        sink.put(id, &metric::CO2E_PER_TEU_KM, per_km);
    }
    for (i, n) in m.nodes.iter().enumerate() {
        if n.border().is_none() {
            continue;
        }
        sink.put(&n.id, &cpmm::BORDER_COST, b.nodes[i].mean());
        sink.put(&n.id, &cpmm::INFORMAL, b.informal[i].mean());
    }
    let sections = m.links.iter().enumerate().filter_map(|(i, l)| {
        let id = format!("{}->{}", m.nodes[l.from].id, m.nodes[l.to].id);
        l.distance_km.map(|km| (id, km, b.links[i]))
    });
    let legs = m.services.iter().enumerate().filter_map(|(i, s)| {
        costs.services[i]
            .km
            .map(|km| (s.id.clone(), km, b.services[i]))
    });
    for (id, km, mean) in sections.chain(legs) {
        sink.put(&id, &cpmm::DISTANCE, km);
        sink.put(&id, &cpmm::SECTION_COST, mean.mean() * CPMM_KM / km);
    }
}
