//! The life of every consignment and carrier of one replication, event by event, for
//! `--trace` (see `src/run/trace.rs`, which assembles the files).
//!
//! A [`Tracer`] is called by the handlers where things happen (creation, arrival at a node,
//! each service or border stage, boarding, a carrier's departure and arrival, delivery) and
//! writes each event at once to three writers: the event as a JSON-OCEL 2.0 array element,
//! the objects it sees for the first time as JSON-OCEL 2.0 array elements, and a row of
//! trace.csv. Nothing grows with the horizon but the output: the only state is the ids of the
//! consignments and carriers now in the world. Each JSON element is written with a leading
//! comma, so fragments of several replications can be concatenated (dropping the first comma).
//!
//! With tracing off, the handlers test one `Option` and call nothing.

use std::collections::HashMap;
use std::io::{self, Write};

use bevy_ecs::prelude::Entity;

use super::Cid;
use super::border_state::Stage;
use crate::engine::SimTime;
use crate::engine::time::MS_PER_HOUR;
use crate::report::{fmt_value, iso_datetime};
use crate::scenario::Model;

/// The header of trace.csv.
pub(crate) const TRACE_CSV_HEADER: &str = "replication,event_id,time_h,timestamp,event,consignment,flow,node,carrier,service,stage,time_ms\n";

/// Every event type of the log, in the order of `eventTypes`; the border stages are
/// `border_<stage>_started`, `_ended` and `_preempted`, the stage being one of
/// [`BORDER_STAGES`].
pub(crate) const EVENT_TYPES: &[&str] = &[
    "created",
    "arrived",
    "service_started",
    "service_ended",
    "border_documents_started",
    "border_documents_ended",
    "border_documents_preempted",
    "border_document_check_started",
    "border_document_check_ended",
    "border_document_check_preempted",
    "border_inspection_started",
    "border_inspection_ended",
    "border_inspection_preempted",
    "border_technical_started",
    "border_technical_ended",
    "border_technical_preempted",
    "left",
    "waiting_for_carrier",
    "boarded",
    "departed",
    "arrived_by_carrier",
    "unloaded",
    "returned",
    "delivered",
];

/// The border stages, as event types and trace.csv's `stage` column name them.
pub(crate) const BORDER_STAGES: &[&str] =
    &["documents", "document_check", "inspection", "technical"];

/// What happened to a border stage.
#[derive(Clone, Copy, Debug)]
pub(super) enum StageEvent {
    /// Its service started (or resumed after a preemption).
    Started,
    /// Its service ended.
    Ended,
    /// A consignment of a higher class took its server; it waits again.
    Preempted,
}

fn stage_index(stage: Stage) -> usize {
    match stage {
        Stage::Docs | Stage::Arrived => 0,
        Stage::Check => 1,
        Stage::Inspect => 2,
        Stage::Technical => 3,
    }
}

/// The JSON text of a string (quoted and escaped).
fn json(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The writers a tracer writes to.
pub(crate) struct TraceWriters {
    /// JSON-OCEL 2.0 events, each with a leading comma.
    pub(crate) events: Box<dyn Write + Send>,
    /// JSON-OCEL 2.0 objects (consignments and carriers), each with a leading comma.
    pub(crate) objects: Box<dyn Write + Send>,
    /// Rows of trace.csv, without the header.
    pub(crate) csv: Box<dyn Write + Send>,
}

/// Writes the events of one replication as they happen (see the module documentation).
pub(crate) struct Tracer {
    rep: u32,
    start_day: i64,
    out: TraceWriters,
    nodes: Vec<String>,
    flows: Vec<String>,
    services: Vec<String>,
    /// The TEU of each flow's consignments, for consignment objects.
    teu: Vec<u32>,
    next_event: u64,
    next_consignment: u64,
    next_carrier: u64,
    /// Numbers and flows of the consignments in the world.
    consignments: HashMap<Cid, (u64, u32)>,
    /// Numbers and services of the carriers in the world.
    carriers: HashMap<Entity, (u64, u32)>,
    /// The first error writing, reported by [`Tracer::finish`].
    error: Option<io::Error>,
}

/// One event as the tracer writes it.
struct Ev<'a> {
    kind: &'a str,
    now: SimTime,
    /// The consignments it concerns (with their flows).
    consignments: &'a [(u64, u32)],
    node: Option<u32>,
    carrier: Option<(u64, u32)>,
    stage: Option<usize>,
}

impl Tracer {
    /// A tracer of replication `rep` of `model`, writing to `out`.
    pub(crate) fn new(model: &Model, rep: u32, out: TraceWriters) -> Tracer {
        Tracer {
            rep,
            start_day: model.start_day,
            out,
            nodes: model.nodes.iter().map(|n| n.id.clone()).collect(),
            flows: model.flows.iter().map(|f| f.id.clone()).collect(),
            services: model.services.iter().map(|s| s.id.clone()).collect(),
            teu: model.flows.iter().map(|f| f.teu).collect(),
            next_event: 0,
            next_consignment: 0,
            next_carrier: 0,
            consignments: HashMap::new(),
            carriers: HashMap::new(),
            error: None,
        }
    }

    /// Flushes the writers.
    ///
    /// # Errors
    /// The first error met writing.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.events.flush()?;
        self.out.objects.flush()?;
        self.out.csv.flush()
    }

    fn consignment_id(&self, (n, _): (u64, u32)) -> String {
        format!("r{}:c{n}", self.rep)
    }

    fn carrier_id(&self, (n, _): (u64, u32)) -> String {
        format!("r{}:k{n}", self.rep)
    }

    fn of(&self, c: Cid) -> (u64, u32) {
        self.consignments.get(&c).copied().unwrap_or((u64::MAX, 0))
    }

    fn write(&mut self, ev: Ev) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.try_write(ev) {
            self.error = Some(e);
        }
    }

    fn try_write(&mut self, ev: Ev) -> io::Result<()> {
        let id = format!("r{}:e{}", self.rep, self.next_event);
        self.next_event += 1;
        let timestamp = iso_datetime(self.start_day, ev.now, 1);
        let kind = match ev.stage {
            Some(s) => format!("border_{}_{}", BORDER_STAGES[s], ev.kind),
            None => ev.kind.to_string(),
        };
        // JSON-OCEL 2.0 event.
        let mut rel = Vec::new();
        for &c in ev.consignments {
            rel.push((self.consignment_id(c), "consignment"));
        }
        if let Some(k) = ev.carrier {
            rel.push((self.carrier_id(k), "carrier"));
        }
        if let Some(n) = ev.node {
            rel.push((format!("node:{}", self.nodes[n as usize]), "node"));
        }
        let rels: Vec<String> = rel
            .iter()
            .map(|(o, q)| format!("{{\"objectId\":{},\"qualifier\":\"{q}\"}}", json(o)))
            .collect();
        writeln!(
            self.out.events,
            ",{{\"id\":\"{id}\",\"type\":\"{kind}\",\"time\":\"{timestamp}\",\"attributes\":[],\"relationships\":[{}]}}",
            rels.join(",")
        )?;
        // trace.csv.
        let consignments: Vec<String> = ev
            .consignments
            .iter()
            .map(|&c| self.consignment_id(c))
            .collect();
        let flows: Vec<&str> = ev
            .consignments
            .iter()
            .map(|&(_, f)| self.flows[f as usize].as_str())
            .collect();
        let mut flows = flows;
        flows.sort_unstable();
        flows.dedup();
        let mut row = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        let time_h = fmt_value(ev.now.0 as f64 / MS_PER_HOUR as f64);
        let fields = [
            self.rep.to_string(),
            id,
            time_h,
            timestamp,
            kind,
            consignments.join(" "),
            flows.join(" "),
            ev.node
                .map_or(String::new(), |n| self.nodes[n as usize].clone()),
            ev.carrier.map_or(String::new(), |k| self.carrier_id(k)),
            ev.carrier
                .map_or(String::new(), |(_, s)| self.services[s as usize].clone()),
            ev.stage
                .map_or(String::new(), |s| BORDER_STAGES[s].to_string()),
            ev.now.0.to_string(),
        ];
        row.write_record(&fields).map_err(io::Error::other)?;
        let bytes = row
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.out.csv.write_all(&bytes)
    }

    fn object(&mut self, text: String) {
        if self.error.is_none()
            && let Err(e) = self.out.objects.write_all(text.as_bytes())
        {
            self.error = Some(e);
        }
    }

    /// Consignment `c` of flow `flow` is created now.
    #[cold]
    #[inline(never)]
    pub(super) fn created(&mut self, now: SimTime, c: Cid, flow: u32) {
        let k = (self.next_consignment, flow);
        self.next_consignment += 1;
        self.consignments.insert(c, k);
        let text = format!(
            ",{{\"id\":{},\"type\":\"consignment\",\"attributes\":[{{\"name\":\"flow\",\"time\":\"{}\",\"value\":{}}},{{\"name\":\"teu\",\"time\":\"{}\",\"value\":{}}}],\"relationships\":[]}}\n",
            json(&self.consignment_id(k)),
            iso_datetime(self.start_day, now, 1),
            json(&self.flows[flow as usize]),
            iso_datetime(self.start_day, now, 1),
            self.teu[flow as usize],
        );
        self.object(text);
        self.write(Ev {
            kind: "created",
            now,
            consignments: &[k],
            node: None,
            carrier: None,
            stage: None,
        });
    }

    /// An event `kind` of consignment `c` at `node`.
    #[cold]
    #[inline(never)]
    pub(super) fn at_node(&mut self, kind: &'static str, now: SimTime, c: Cid, node: u32) {
        let k = self.of(c);
        self.write(Ev {
            kind,
            now,
            consignments: &[k],
            node: Some(node),
            carrier: None,
            stage: None,
        });
    }

    /// Border stage `stage` of consignment `c` at `node` started, ended or was preempted.
    #[cold]
    #[inline(never)]
    pub(super) fn border(
        &mut self,
        what: StageEvent,
        now: SimTime,
        c: Cid,
        node: u32,
        stage: Stage,
    ) {
        let k = self.of(c);
        let kind = match what {
            StageEvent::Started => "started",
            StageEvent::Ended => "ended",
            StageEvent::Preempted => "preempted",
        };
        self.write(Ev {
            kind,
            now,
            consignments: &[k],
            node: Some(node),
            carrier: None,
            stage: Some(stage_index(stage)),
        });
    }

    /// Consignment `c` leaves the last node of its route, `node`, delivered.
    #[cold]
    #[inline(never)]
    pub(super) fn delivered(&mut self, now: SimTime, c: Cid, node: u32) {
        self.at_node("delivered", now, c, node);
        self.consignments.remove(&c);
    }

    /// Carrier `carrier` of service `svc` leaves with `load` on board at `node`: one
    /// `boarded` event per consignment.
    #[cold]
    #[inline(never)]
    pub(super) fn boarded(
        &mut self,
        now: SimTime,
        carrier: Entity,
        svc: u32,
        node: u32,
        load: &[Cid],
    ) {
        let k = (self.next_carrier, svc);
        self.next_carrier += 1;
        self.carriers.insert(carrier, k);
        let text = format!(
            ",{{\"id\":{},\"type\":\"carrier\",\"attributes\":[{{\"name\":\"service\",\"time\":\"{}\",\"value\":{}}}],\"relationships\":[]}}\n",
            json(&self.carrier_id(k)),
            iso_datetime(self.start_day, now, 1),
            json(&self.services[svc as usize]),
        );
        self.object(text);
        for &c in load {
            let ck = self.of(c);
            self.write(Ev {
                kind: "boarded",
                now,
                consignments: &[ck],
                node: Some(node),
                carrier: Some(k),
                stage: None,
            });
        }
    }

    /// An event `kind` of carrier `carrier` at `node` with `load` on board; `returned` also
    /// forgets the carrier.
    #[cold]
    #[inline(never)]
    pub(super) fn carrier(
        &mut self,
        kind: &'static str,
        now: SimTime,
        carrier: Entity,
        node: u32,
        load: &[Cid],
    ) {
        let k = self
            .carriers
            .get(&carrier)
            .copied()
            .unwrap_or((u64::MAX, 0));
        let load: Vec<(u64, u32)> = load.iter().map(|&c| self.of(c)).collect();
        self.write(Ev {
            kind,
            now,
            consignments: &load,
            node: Some(node),
            carrier: Some(k),
            stage: None,
        });
        if kind == "returned" {
            self.carriers.remove(&carrier);
        }
    }
}

/// The JSON-OCEL 2.0 text before the events: object and event types, and `"events":[`.
pub(crate) fn ocel_head() -> String {
    let a = |name: &str, t: &str| format!("{{\"name\":\"{name}\",\"type\":\"{t}\"}}");
    let object_types = [
        format!(
            "{{\"name\":\"consignment\",\"attributes\":[{},{}]}}",
            a("flow", "string"),
            a("teu", "integer")
        ),
        format!(
            "{{\"name\":\"carrier\",\"attributes\":[{}]}}",
            a("service", "string")
        ),
        format!(
            "{{\"name\":\"node\",\"attributes\":[{}]}}",
            a("kind", "string")
        ),
    ];
    let event_types: Vec<String> = EVENT_TYPES
        .iter()
        .map(|t| format!("{{\"name\":\"{t}\",\"attributes\":[]}}"))
        .collect();
    format!(
        "{{\"objectTypes\":[\n{}\n],\n\"eventTypes\":[\n{}\n],\n\"events\":[\n",
        object_types.join(",\n"),
        event_types.join(",\n")
    )
}

/// The JSON-OCEL 2.0 text between the events and the consignments and carriers: the end of
/// the events, `"objects":[` and the nodes of `model` (so every later object has a leading
/// comma).
pub(crate) fn ocel_middle(model: &Model) -> String {
    let time = iso_datetime(model.start_day, SimTime::ZERO, 1);
    let nodes: Vec<String> = model
        .nodes
        .iter()
        .map(|n| {
            let kind = match n.kind {
                crate::scenario::NodeKind::Station { .. } => "station",
                crate::scenario::NodeKind::Border(_) => "border",
            };
            format!(
                "{{\"id\":{},\"type\":\"node\",\"attributes\":[{{\"name\":\"kind\",\"time\":\"{time}\",\"value\":\"{kind}\"}}],\"relationships\":[]}}",
                json(&format!("node:{}", n.id))
            )
        })
        .collect();
    format!("],\n\"objects\":[\n{}\n", nodes.join(",\n"))
}

/// The JSON-OCEL 2.0 text after the last object.
pub(crate) const OCEL_TAIL: &str = "]}\n";
