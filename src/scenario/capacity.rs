//! Offered load of every capacity in a model, before anything runs: the work that the flows
//! bring to a resource per unit of time, divided by the work it can do in that time. A load of
//! 1 or more means that the resource's queue grows without bound, and that every figure
//! downstream of it depends on the horizon.
//!
//! What is counted, per resource (rates are flows' mean arrival rates; work is mean times):
//! - station servers: consignments (or TEU, or wagons, as the service is counted) x service / servers;
//! - border lanes: passes x (documents x the level's scale + yellow share x document check),
//!   inspection bays: passes x red share x inspection, technical tracks: technical operations;
//!   lanes and bays over the share of the window the border is open;
//! - berths: carriers loading and unloading there (per carrier or per TEU) / berths;
//! - a service's fleet: TEU to carry / (capacity x fleet / mean cycle), the cycle being loading,
//!   travel, unloading and return, over the share of time the leg is open (weather, closures);
//! - a timetable: TEU to carry / (capacity x departures per unit time);
//! - line paths: entries x headway (links with a headway, and services with one).
//!
//! Carriers are counted full where they leave when full (the fewest departures, so a lower
//! bound of the load of berths and paths); with a maximum wait they may leave part-loaded and
//! the true load can be higher. Yards are not counted: their load depends on dwell times that
//! only a run measures (`occupancy_mean` against `yard_teu`).

use super::model::{Departure, Leg, Model, NodeKind};

/// One resource's offered load.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    /// What the resource is, as warnings name it: `node "X"`, `border "X" inspection bays`,
    /// `service "S" fleet`, ...
    pub resource: String,
    /// Offered work / capacity.
    pub load: f64,
    /// How it was computed, in a few words.
    pub rule: &'static str,
}

impl Model {
    /// The offered load of every finite capacity, in the order nodes, berths, services, links.
    /// With dated changes, each resource's highest load over the periods of the window
    /// between changes (the capacities in force from the warm-up's end, then after each change
    /// in the window): a resource overloaded in any period is reported.
    pub fn offered_loads(&self) -> Vec<Load> {
        if self.changes.is_empty() {
            return self.offered_loads_now();
        }
        // One copy, the changes applied to it in date order (they are sorted by date).
        let mut m = self.without_changes();
        let mut next = 0;
        while next < self.changes.len() && self.changes[next].at <= self.warmup {
            m.apply(&self.changes[next].settings);
            next += 1;
        }
        let mut worst = m.offered_loads_now();
        for c in &self.changes[next..] {
            if c.at > self.horizon {
                break;
            }
            m.apply(&c.settings);
            for load in m.offered_loads_now() {
                match worst.iter_mut().find(|w| w.resource == load.resource) {
                    Some(w) if load.load > w.load => *w = load,
                    Some(_) => {}
                    None => worst.push(load),
                }
            }
        }
        worst
    }

    /// The offered loads with the capacities of the model as they are (no dated changes).
    fn offered_loads_now(&self) -> Vec<Load> {
        let mut out = Vec::new();
        let rate = self.node_rates();
        let window = self.window().as_secs_f64();
        for (i, n) in self.nodes.iter().enumerate() {
            let named = format!("node \"{}\"", n.id);
            match &n.kind {
                NodeKind::Station {
                    servers, service, ..
                } => {
                    if let Some(c) = servers {
                        out.push(Load {
                            resource: named,
                            load: rate[i] * service.mean_secs() / *c as f64,
                            rule: "arrival rate x mean service / servers",
                        });
                    }
                }
                NodeKind::Border(b) => {
                    let e = b.effect();
                    let open = if window > 0.0 {
                        let closed = b.hours.closed_between(self.warmup, self.horizon);
                        1.0 - closed.as_secs_f64() / window
                    } else {
                        1.0
                    };
                    let passes = b.passes() as f64;
                    let mut lane = b.documents.mean_secs() * e.doc_scale;
                    if let Some(c) = &b.document_check {
                        lane += e.yellow * c.mean_secs();
                    }
                    out.push(Load {
                        resource: named,
                        load: rate[i] * passes * lane / b.lanes as f64 / open,
                        rule: "arrival rate x document work / lanes / open share",
                    });
                    if let Some(insp) = &b.inspection {
                        out.push(Load {
                            resource: format!("border \"{}\" inspection bays", n.id),
                            load: rate[i] * passes * e.red * insp.mean_secs()
                                / b.bays as f64
                                / open,
                            rule: "arrival rate x red share x inspection / bays / open share",
                        });
                    }
                    if let (Some(t), Some(tracks)) = (&b.technical, b.tracks) {
                        out.push(Load {
                            resource: format!("border \"{}\" technical tracks", n.id),
                            load: rate[i] * t.mean_secs() / tracks as f64,
                            rule: "arrival rate x technical operations / tracks",
                        });
                    }
                }
            }
        }
        // Services' rates, once for the berths and the services.
        let teu = self.service_teu_rates();
        let carriers = self.carrier_rates(&teu);
        out.extend(self.berth_loads(&teu, &carriers));
        out.extend(self.service_loads(&teu, &carriers));
        out.extend(self.path_loads());
        out
    }

    /// Units of station work per second arriving at each node (consignments, or TEU or wagons
    /// where the station counts its service so; consignments at borders).
    fn node_rates(&self) -> Vec<f64> {
        let mut rate = vec![0.0; self.nodes.len()];
        for f in &self.flows {
            for (route, _, share) in f.paths() {
                for &n in route {
                    let units = match self.nodes[n].kind {
                        NodeKind::Station { per, .. } => per.units(f.teu),
                        NodeKind::Border(_) => 1.0,
                    };
                    rate[n] += share * units / f.mean_gap_secs();
                }
            }
        }
        rate
    }

    /// TEU per second to be carried by each service.
    fn service_teu_rates(&self) -> Vec<f64> {
        let mut rate = vec![0.0; self.services.len()];
        if self.services.is_empty() {
            return rate;
        }
        for f in &self.flows {
            for (_, legs, share) in f.paths() {
                for leg in legs {
                    if let Leg::Service(s) = leg {
                        rate[*s] += share * f.teu as f64 / f.mean_gap_secs();
                    }
                }
            }
        }
        rate
    }

    /// Carrier departures per second of each service: timetable slots, or full carriers.
    /// `teu`: [`Model::service_teu_rates`].
    fn carrier_rates(&self, teu: &[f64]) -> Vec<f64> {
        self.services
            .iter()
            .zip(teu)
            .map(|(s, &r)| match &s.departure {
                Departure::Timetable { offsets, period } => {
                    offsets.len() as f64 / period.as_secs_f64()
                }
                Departure::WhenFull | Departure::WhenFullOrMaxWait(_) => r / s.capacity_teu as f64,
            })
            .collect()
    }

    /// `teu` and `carriers`: [`Model::service_teu_rates`] and [`Model::carrier_rates`].
    fn berth_loads(&self, teu: &[f64], carriers: &[f64]) -> Vec<Load> {
        let mut work = vec![0.0; self.nodes.len()];
        for (i, s) in self.services.iter().enumerate() {
            // Per carrier, or per TEU on board.
            let per_time = |d: &Option<crate::engine::Dist>| {
                d.as_ref().map_or(0.0, |d| {
                    d.mean_secs()
                        * if s.handling_per_teu {
                            teu[i]
                        } else {
                            carriers[i]
                        }
                })
            };
            work[s.from] += per_time(&s.loading);
            work[s.to] += per_time(&s.unloading);
        }
        self.nodes
            .iter()
            .zip(work)
            .filter_map(|(n, w)| {
                n.berths.map(|b| Load {
                    resource: format!("node \"{}\" berths", n.id),
                    load: w / b as f64,
                    rule: "carriers x loading or unloading / berths",
                })
            })
            .collect()
    }

    /// `teu` and `carriers`: [`Model::service_teu_rates`] and [`Model::carrier_rates`].
    fn service_loads(&self, teu: &[f64], carriers: &[f64]) -> Vec<Load> {
        let mut out = Vec::new();
        for (i, s) in self.services.iter().enumerate() {
            let mean = |d: &Option<crate::engine::Dist>| d.as_ref().map_or(0.0, |d| d.mean_secs());
            let per_carrier = |d: &Option<crate::engine::Dist>| {
                mean(d)
                    * if s.handling_per_teu {
                        s.capacity_teu as f64
                    } else {
                        1.0
                    }
            };
            let cycle = per_carrier(&s.loading)
                + s.travel.mean_secs()
                + per_carrier(&s.unloading)
                + mean(&s.return_trip);
            let open = self.leg_open_share(s);
            if cycle > 0.0 {
                let capacity = s.capacity_teu as f64 * s.fleet as f64 / cycle * open;
                out.push(Load {
                    resource: format!("service \"{}\" fleet", s.id),
                    load: teu[i] / capacity,
                    rule: "TEU to carry / (capacity x fleet / cycle x open share)",
                });
            }
            if let Departure::Timetable { offsets, period } = &s.departure {
                let per_sec = offsets.len() as f64 / period.as_secs_f64();
                out.push(Load {
                    resource: format!("service \"{}\" timetable", s.id),
                    load: teu[i] / (s.capacity_teu as f64 * per_sec),
                    rule: "TEU to carry / (capacity x departures)",
                });
            }
            if let Some(h) = s.headway {
                out.push(Load {
                    resource: format!("service \"{}\" paths", s.id),
                    load: carriers[i] * h.as_secs_f64(),
                    rule: "departures x headway",
                });
            }
        }
        out
    }

    /// The expected share of the window a service's leg is open: dated closures, and weather
    /// closing each day with its probability for its mean duration (overlaps ignored, so a
    /// lower bound of the open share).
    fn leg_open_share(&self, s: &super::model::ServiceModel) -> f64 {
        let window = self.window().as_secs_f64();
        let dated: f64 = s
            .closures
            .iter()
            .map(|&(a, b)| {
                let (a, b) = (a.max(self.warmup), b.min(self.horizon));
                if b > a { (b - a).as_secs_f64() } else { 0.0 }
            })
            .sum();
        let weather = s
            .weather
            .as_ref()
            .map_or(0.0, |(p, d)| p * d.mean_secs() / 86_400.0);
        let closed = if window > 0.0 { dated / window } else { 0.0 } + weather;
        (1.0 - closed).max(0.0)
    }

    fn path_loads(&self) -> Vec<Load> {
        let mut entries = vec![0.0; self.links.len()];
        for f in &self.flows {
            for (_, legs, share) in f.paths() {
                for leg in legs {
                    if let Leg::Link(l) = leg {
                        entries[*l] += share / f.mean_gap_secs();
                    }
                }
            }
        }
        self.links
            .iter()
            .zip(entries)
            .filter_map(|(l, e)| {
                l.headway.map(|h| Load {
                    resource: format!(
                        "link {}->{} paths",
                        self.nodes[l.from].id, self.nodes[l.to].id
                    ),
                    load: e * h.as_secs_f64(),
                    rule: "entries x headway",
                })
            })
            .collect()
    }
}

impl Model {
    /// With demand profiles: the offered load of every capacity (in the order of
    /// [`Model::offered_loads`]) in its busiest calendar month of the statistics window, each
    /// flow at its mean of m over that month, with the month's first day (`YYYY-MM-DD`, UTC).
    /// `None` when no flow has a profile (every month has the mean load).
    pub fn peak_month_loads(&self) -> Option<Vec<(Load, String)>> {
        if self.flows.iter().all(|f| f.profile.is_none()) {
            return None;
        }
        // Each month at its own demand and with the capacities in force at its start: one
        // copy, the dated changes applied to it as the months pass (they are sorted by date).
        let mut month = self.without_changes();
        let mut next = 0;
        let mut peak: Vec<(Load, String)> = Vec::new();
        for (a, b) in
            crate::engine::profile::months(self.start_day, self.warmup.ms(), self.horizon.ms())
        {
            while next < self.changes.len() && self.changes[next].at.ms() <= a {
                month.apply(&self.changes[next].settings);
                next += 1;
            }
            for (f, m) in month.flows.iter_mut().zip(&self.flows) {
                f.profile_mean = m.profile.as_ref().map_or(1.0, |p| p.mean(a, b));
            }
            let label = crate::engine::profile::date_text(self.start_day, a);
            let loads = month.offered_loads_now();
            if peak.is_empty() {
                peak = loads.into_iter().map(|l| (l, label.clone())).collect();
                continue;
            }
            for (p, l) in peak.iter_mut().zip(loads) {
                if l.load > p.0.load {
                    *p = (l, label.clone());
                }
            }
        }
        Some(peak)
    }
}
