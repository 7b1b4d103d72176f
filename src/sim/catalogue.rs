//! The metric catalogue: every metric corridor writes, declared once with its scope, unit and
//! one-line meaning. The emitters of each part of the model (flows, stations, borders, services,
//! yards, links, pipelines) write their rows through `rows::Sink` with these declarations, and a
//! test holds the catalogue against the tables of `scenarios/OUTPUTS.md`, so that the files,
//! the code and the documentation name the same metrics with the same units.
//!
//! The order of [`CATALOGUE`] is the order of the rows in a replication's output for each
//! scope. A unit written `a or b` depends on the element (a pipeline's `t` or `bbl`): its rows
//! carry the element's own unit.

/// A metric: where it applies, its name and unit as written in the files, and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    /// The scope column: what the `id` names.
    pub scope: &'static str,
    /// The metric column.
    pub name: &'static str,
    /// The unit column (`a or b` where the element decides).
    pub unit: &'static str,
    /// One line for people: what it measures, over which window.
    pub meaning: &'static str,
}

/// Scope `corridor`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod corridor {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "corridor",
            name,
            unit,
            meaning,
        }
    }

    pub const CREATED: Metric = m(
        "created",
        "count",
        "consignments created from time 0 to the horizon",
    );
    pub const DELIVERED: Metric = m(
        "delivered",
        "count",
        "consignments delivered from time 0 to the horizon",
    );
    pub const IN_SYSTEM_END: Metric = m(
        "in_system_end",
        "count",
        "consignments still in the system at the horizon (queued, in service, travelling, waiting at a yard gate or for a carrier, or on board)",
    );
    pub const EVENTS: Metric = m(
        "events",
        "count",
        "events processed: creations, arrivals, service ends, border stage ends (including those made stale by a preemption), border openings, departures and max-wait timers of services, carrier phases, and the end of the warm-up",
    );
}

/// Scope `flow`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod flow {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "flow",
            name,
            unit,
            meaning,
        }
    }

    pub const CREATED: Metric = m(
        "created",
        "count",
        "consignments created at or after the warm-up",
    );
    pub const DELIVERED_CONSIGNMENTS: Metric = m(
        "delivered_consignments",
        "count",
        "of those, delivered by the horizon",
    );
    pub const IN_SYSTEM_END: Metric = m(
        "in_system_end",
        "count",
        "of those, still in the system at the horizon; `created = delivered_consignments + in_system_end`",
    );
    pub const DELIVERED: Metric = m("delivered", "TEU", "`delivered_consignments × teu`");
    pub const THROUGHPUT: Metric = m(
        "throughput",
        "TEU/day",
        "TEU delivered during the window, whenever created, / window length in days: the long-run delivery rate",
    );
    pub const TRANSIT_MEAN: Metric = m(
        "transit_mean",
        "h",
        "mean transit time, creation to delivery, of consignments created after the warm-up and delivered",
    );
    pub const TRANSIT_P50: Metric = m("transit_p50", "h", "median of those transit times");
    pub const TRANSIT_P95: Metric = m("transit_p95", "h", "95th percentile of those transit times");
    pub const TRANSIT_MAX: Metric = m("transit_max", "h", "longest of those transit times");
    pub const MOVING: Metric = m(
        "moving",
        "h",
        "mean time travelling: link travel times and carrier travel (dwells written into a link's time count here)",
    );
    pub const WAITING_FOR_CARRIER: Metric = m(
        "waiting_for_carrier",
        "h",
        "mean time waiting at a boarding node for a carrier to depart",
    );
    pub const QUEUEING: Metric = m(
        "queueing",
        "h",
        "mean time waiting: for station servers, at a yard gate, for a path on a link with a headway, and on board for berths, paths, weather and yard space",
    );
    pub const HANDLING: Metric = m(
        "handling",
        "h",
        "mean time in station service and in carrier loading and unloading",
    );
    pub const BORDER: Metric = m(
        "border",
        "h",
        "mean time at border crossings, arrival to release",
    );
    pub const DISTANCE: Metric = m(
        "distance",
        "km",
        "route length; only for a flow whose every route step is a link with `distance_km`",
    );
    pub const SPEED_WITHOUT_DELAY: Metric = m(
        "speed_without_delay",
        "km/h",
        "`distance / moving` (CAREC CPMM SWOD); only with `distance`",
    );
    pub const SPEED_WITH_DELAY: Metric = m(
        "speed_with_delay",
        "km/h",
        "`distance / transit_mean` (CAREC CPMM SWD); only with `distance`",
    );
}

/// Scope `node`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod node {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "node",
            name,
            unit,
            meaning,
        }
    }

    pub const UTILISATION: Metric = m(
        "utilisation",
        "ratio",
        "`busy_mean` / servers (a border's lanes); empty for `\"unlimited\"` nodes",
    );
    pub const BUSY_MEAN: Metric = m(
        "busy_mean",
        "servers",
        "time-average number of busy servers (unlimited nodes: consignments in service; borders: busy lanes)",
    );
    pub const WAIT_MEAN: Metric = m(
        "wait_mean",
        "h",
        "stations: mean wait from arrival to start of service, over services started in the window; borders: `queueing_mean + closed_wait_mean`, over consignments released in the window",
    );
    pub const WAIT_P95: Metric = m("wait_p95", "h", "95th percentile of those waits");
    pub const SOJOURN_MEAN: Metric = m(
        "sojourn_mean",
        "h",
        "stations: mean time from arrival to end of service, over services ended in the window; borders: the mean time to clear",
    );
    pub const QUEUE_MEAN: Metric = m(
        "queue_mean",
        "count",
        "time-average number waiting (not in service); at a border, waiting for any of its lanes, bays and tracks",
    );
    pub const QUEUE_MAX: Metric = m(
        "queue_max",
        "count",
        "largest number waiting in the window (including the queue at the end of the warm-up)",
    );
    pub const WIP_MEAN: Metric = m(
        "wip_mean",
        "count",
        "time-average number at the node (waiting + in service)",
    );
    pub const ARRIVALS: Metric = m(
        "arrivals",
        "count",
        "arrivals in the window (each visit counts)",
    );
    pub const ARRIVAL_RATE: Metric = m(
        "arrival_rate",
        "1/day",
        "`arrivals` / window length in days",
    );
    pub const THROUGHPUT: Metric = m(
        "throughput",
        "1/day",
        "departures in the window (stations: ends of service; borders: releases) / window length in days",
    );
}

/// Scope `border`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod border {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "border",
            name,
            unit,
            meaning,
        }
    }

    pub const DIGITISATION_LEVEL: Metric = m(
        "digitisation_level",
        "ratio",
        "the level used, 0 (paper) to 1",
    );
    pub const RELEASED: Metric = m("released", "count", "consignments released in the window");
    pub const CLEAR_MEAN: Metric = m("clear_mean", "h", "mean time to clear: arrival to release");
    pub const CLEAR_P95: Metric = m("clear_p95", "h", "95th percentile of the time to clear");
    pub const TFI1_TIME_TO_CLEAR: Metric = m(
        "tfi1_time_to_clear",
        "h",
        "CAREC CPMM indicator TFI1, the mean time to clear (the same value as `clear_mean`)",
    );
    pub const QUEUEING_MEAN: Metric = m(
        "queueing_mean",
        "h",
        "mean time waiting for lanes and bays while the border is open, plus all waiting for technical tracks",
    );
    pub const CLOSED_WAIT_MEAN: Metric = m(
        "closed_wait_mean",
        "h",
        "mean time waiting for lanes and bays while the border is closed",
    );
    pub const DOCUMENT_MEAN: Metric = m(
        "document_mean",
        "h",
        "mean time in document processing and yellow-channel checks",
    );
    pub const INSPECTION_MEAN: Metric = m(
        "inspection_mean",
        "h",
        "mean time in physical inspection (red channel)",
    );
    pub const TECHNICAL_MEAN: Metric =
        m("technical_mean", "h", "mean time in technical operations");
    pub const INSPECTED_SHARE: Metric = m(
        "inspected_share",
        "ratio",
        "share of the released consignments sent to the red channel at least once",
    );
    pub const LANE_UTILISATION: Metric = m(
        "lane_utilisation",
        "ratio",
        "busy lane time / available lane time; available time counts closed hours too",
    );
    pub const BAY_UTILISATION: Metric =
        m("bay_utilisation", "ratio", "the same for inspection bays");
    pub const TRACK_UTILISATION: Metric = m(
        "track_utilisation",
        "ratio",
        "the same for technical tracks; empty for unlimited tracks",
    );
}

/// Scope `service`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod service {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "service",
            name,
            unit,
            meaning,
        }
    }

    pub const DEPARTURES: Metric = m(
        "departures",
        "count",
        "departures in the window, including empty timetabled ones",
    );
    pub const DEPARTURES_PER_DAY: Metric = m(
        "departures_per_day",
        "1/day",
        "`departures` / window length in days",
    );
    pub const MISSED_DEPARTURES: Metric = m(
        "missed_departures",
        "count",
        "timetabled departures in the window with no carrier available",
    );
    pub const LOAD_FACTOR: Metric = m(
        "load_factor",
        "ratio",
        "mean over the window's departures of TEU loaded / capacity",
    );
    pub const TEU_CARRIED: Metric = m(
        "teu_carried",
        "TEU",
        "TEU loaded on the window's departures",
    );
    pub const CARRIER_WAIT_MEAN: Metric = m(
        "carrier_wait_mean",
        "h",
        "mean wait for a carrier of the consignments that boarded in the window, from the end of their service at the boarding node to the departure",
    );
    pub const QUEUE_TEU_MEAN: Metric =
        m("queue_teu_mean", "TEU", "time-average TEU waiting to board");
    pub const CARRIER_DELAY_MEAN: Metric = m(
        "carrier_delay_mean",
        "h",
        "mean per trip of the carrier's waits for a berth at each end, for a path and the weather, and for yard space at the destination; recorded when the load is handed over, for trips that end in the window",
    );
    pub const CARRIERS_HELD_MEAN: Metric = m(
        "carriers_held_mean",
        "carriers",
        "time-average number of carriers loaded and held for a path or the weather (carriers queued for berths are in the `berths` rows)",
    );
    pub const FLEET_AWAY_MEAN: Metric = m(
        "fleet_away_mean",
        "carriers",
        "time-average number of carriers not idle at the boarding node (queued for a berth, loading, held, travelling, unloading, returning)",
    );
}

/// Scope `berths`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod berths {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "berths",
            name,
            unit,
            meaning,
        }
    }

    pub const BERTH_UTILISATION: Metric = m(
        "berth_utilisation",
        "ratio",
        "time-average busy berths / berths; a carrier holds its berth while it loads, while it unloads and while it waits for yard space to hand its load over",
    );
    pub const CARRIERS_QUEUED_MEAN: Metric = m(
        "carriers_queued_mean",
        "carriers",
        "time-average number of carriers waiting for a berth (to load or to unload)",
    );
    pub const CARRIERS_QUEUED_MAX: Metric = m(
        "carriers_queued_max",
        "carriers",
        "largest number of carriers waiting for a berth in the window (including the queue at the end of the warm-up)",
    );
    pub const BERTH_WAIT_MEAN: Metric = m(
        "berth_wait_mean",
        "h",
        "mean wait for a berth, from the departure decision (loading) or the arrival (unloading) to the berth, over berths granted in the window; zero for carriers served at once",
    );
}

/// Scope `yard`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod yard {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "yard",
            name,
            unit,
            meaning,
        }
    }

    pub const OCCUPANCY_MEAN: Metric = m("occupancy_mean", "TEU", "time-average TEU in the yard");
    pub const OCCUPANCY_MAX: Metric = m(
        "occupancy_max",
        "TEU",
        "largest occupancy in the window (including the level at the end of the warm-up)",
    );
    pub const BLOCKED_MEAN: Metric = m(
        "blocked_mean",
        "count",
        "time-average number of entries waiting at the gate; an entry is a consignment, or a carrier with its whole load",
    );
    pub const BLOCKED_SHARE: Metric = m(
        "blocked_share",
        "ratio",
        "share of the window during which anything waits at the gate",
    );
    pub const BLOCKED_WAIT_MEAN: Metric = m(
        "blocked_wait_mean",
        "h",
        "mean wait at the gate per admission in the window, zero for those admitted at once; a carrier's whole load is one admission",
    );
}

/// Scope `link`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod link {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "link",
            name,
            unit,
            meaning,
        }
    }

    pub const PATH_WAIT_MEAN: Metric = m(
        "path_wait_mean",
        "h",
        "mean wait for a path before entering the link, recorded when the consignment leaves `from`",
    );
    pub const ENTRIES: Metric = m(
        "entries",
        "count",
        "consignments created at or after the warm-up that requested a path by the horizon, whenever they did",
    );
}

/// Scope `pipeline`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod pipeline {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "pipeline",
            name,
            unit,
            meaning,
        }
    }

    pub const DELIVERED: Metric = m(
        "delivered",
        "t or bbl",
        "product delivered in the window: it entered `transit` earlier, at `min(demand_per_day, capacity_per_day)` while the line was up",
    );
    pub const THROUGHPUT: Metric = m(
        "throughput",
        "t/day or bbl/day",
        "`delivered` / window length in days",
    );
    pub const UTILISATION: Metric = m("utilisation", "ratio", "`throughput / capacity_per_day`");
    pub const OUTAGE_SHARE: Metric = m(
        "outage_share",
        "ratio",
        "share of the window during which the line was down",
    );
    pub const TRANSIT: Metric = m("transit", "h", "the pipeline's `transit`");
}

/// Scope `section`.
#[allow(missing_docs)] // each metric is documented by its `meaning`
pub mod section {
    use super::Metric;

    const fn m(name: &'static str, unit: &'static str, meaning: &'static str) -> Metric {
        Metric {
            scope: "section",
            name,
            unit,
            meaning,
        }
    }

    pub const DISTANCE: Metric = m("distance", "km", "the link's `distance_km`");
    pub const TRAVEL_MEAN: Metric = m(
        "travel_mean",
        "h",
        "mean travel time on the link (without the wait for a path)",
    );
    pub const TIME_MEAN: Metric = m(
        "time_mean",
        "h",
        "mean time from entering the link at `from` to leaving `to` (end of service there, or release at a border), so the delay at `to` counts in its inbound section",
    );
    pub const SPEED_WITHOUT_DELAY: Metric = m(
        "speed_without_delay",
        "km/h",
        "`distance / travel_mean` (SWOD)",
    );
    pub const SPEED_WITH_DELAY: Metric =
        m("speed_with_delay", "km/h", "`distance / time_mean` (SWD)");
}

/// Every metric, scope by scope, in the order the rows are written.
pub const CATALOGUE: &[Metric] = &[
    corridor::CREATED,
    corridor::DELIVERED,
    corridor::IN_SYSTEM_END,
    corridor::EVENTS,
    flow::CREATED,
    flow::DELIVERED_CONSIGNMENTS,
    flow::IN_SYSTEM_END,
    flow::DELIVERED,
    flow::THROUGHPUT,
    flow::TRANSIT_MEAN,
    flow::TRANSIT_P50,
    flow::TRANSIT_P95,
    flow::TRANSIT_MAX,
    flow::MOVING,
    flow::WAITING_FOR_CARRIER,
    flow::QUEUEING,
    flow::HANDLING,
    flow::BORDER,
    flow::DISTANCE,
    flow::SPEED_WITHOUT_DELAY,
    flow::SPEED_WITH_DELAY,
    node::UTILISATION,
    node::BUSY_MEAN,
    node::WAIT_MEAN,
    node::WAIT_P95,
    node::SOJOURN_MEAN,
    node::QUEUE_MEAN,
    node::QUEUE_MAX,
    node::WIP_MEAN,
    node::ARRIVALS,
    node::ARRIVAL_RATE,
    node::THROUGHPUT,
    border::DIGITISATION_LEVEL,
    border::RELEASED,
    border::CLEAR_MEAN,
    border::CLEAR_P95,
    border::TFI1_TIME_TO_CLEAR,
    border::QUEUEING_MEAN,
    border::CLOSED_WAIT_MEAN,
    border::DOCUMENT_MEAN,
    border::INSPECTION_MEAN,
    border::TECHNICAL_MEAN,
    border::INSPECTED_SHARE,
    border::LANE_UTILISATION,
    border::BAY_UTILISATION,
    border::TRACK_UTILISATION,
    service::DEPARTURES,
    service::DEPARTURES_PER_DAY,
    service::MISSED_DEPARTURES,
    service::LOAD_FACTOR,
    service::TEU_CARRIED,
    service::CARRIER_WAIT_MEAN,
    service::QUEUE_TEU_MEAN,
    service::CARRIER_DELAY_MEAN,
    service::CARRIERS_HELD_MEAN,
    service::FLEET_AWAY_MEAN,
    berths::BERTH_UTILISATION,
    berths::CARRIERS_QUEUED_MEAN,
    berths::CARRIERS_QUEUED_MAX,
    berths::BERTH_WAIT_MEAN,
    yard::OCCUPANCY_MEAN,
    yard::OCCUPANCY_MAX,
    yard::BLOCKED_MEAN,
    yard::BLOCKED_SHARE,
    yard::BLOCKED_WAIT_MEAN,
    link::PATH_WAIT_MEAN,
    link::ENTRIES,
    pipeline::DELIVERED,
    pipeline::THROUGHPUT,
    pipeline::UTILISATION,
    pipeline::OUTAGE_SHARE,
    pipeline::TRANSIT,
    section::DISTANCE,
    section::TRAVEL_MEAN,
    section::TIME_MEAN,
    section::SPEED_WITHOUT_DELAY,
    section::SPEED_WITH_DELAY,
];
