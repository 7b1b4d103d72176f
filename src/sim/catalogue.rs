//! The metric catalogue: every metric corridor writes, declared once with its scope, unit and
//! one-line meaning. The emitters of each part of the model (flows, stations, borders, services,
//! yards, links, pipelines) write their rows through `rows::Sink` with these declarations, and a
//! test holds the catalogue against the tables of `scenarios/OUTPUTS.md`, so that the files,
//! the code and the documentation name the same metrics with the same units.
//!
//! The order of [`CATALOGUE`] is the order of the rows in a replication's output for each
//! scope; `stable`, derived over replications, is written in summary.csv after the trend it
//! judges. A unit written `a or b` depends on the element (a pipeline's `t` or `bbl`): its rows
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

/// Declares the metrics of one scope as constants of a module named after it, and `ALL`, the
/// scope's metrics in the order they are written.
macro_rules! scope {
    ($scope:ident: $($name:ident = $metric:literal, $unit:literal, $meaning:literal;)*) => {
        /// The metrics of this scope; each is documented by its `meaning`.
        #[allow(missing_docs)]
        pub mod $scope {
            use super::Metric;
            $(
                pub const $name: Metric = Metric {
                    scope: stringify!($scope),
                    name: $metric,
                    unit: $unit,
                    meaning: $meaning,
                };
            )*
            /// Every metric of the scope, in the order the rows are written.
            pub const ALL: &[Metric] = &[$($name),*];
        }
    };
}

scope!(corridor:
    CREATED = "created", "count",
        "consignments created from time 0 to the horizon";
    DELIVERED = "delivered", "count",
        "consignments delivered from time 0 to the horizon";
    IN_SYSTEM_END = "in_system_end", "count",
        "consignments still in the system at the horizon (queued, in service, travelling, waiting at a yard gate or for a carrier, or on board)";
    EVENTS = "events", "count",
        "events processed: creations, arrivals, service ends, border stage ends (including those made stale by a preemption), border openings, departures and max-wait timers of services, carrier phases, and the end of the warm-up";
);

scope!(flow:
    CREATED = "created", "count",
        "consignments created at or after the warm-up";
    DELIVERED_CONSIGNMENTS = "delivered_consignments", "count",
        "of those, delivered by the horizon";
    IN_SYSTEM_END = "in_system_end", "count",
        "of those, still in the system at the horizon; `created = delivered_consignments + in_system_end`";
    DELIVERED = "delivered", "TEU",
        "`delivered_consignments × teu`";
    THROUGHPUT = "throughput", "TEU/day",
        "TEU delivered during the window, whenever created, / window length in days: the long-run delivery rate";
    TRANSIT_MEAN = "transit_mean", "h",
        "mean transit time, creation to delivery, of consignments created after the warm-up and delivered";
    TRANSIT_P50 = "transit_p50", "h",
        "median of those transit times";
    TRANSIT_P95 = "transit_p95", "h",
        "95th percentile of those transit times";
    TRANSIT_MAX = "transit_max", "h",
        "longest of those transit times";
    MOVING = "moving", "h",
        "mean time travelling: link travel times and carrier travel (dwells written into a link's time count here)";
    WAITING_FOR_CARRIER = "waiting_for_carrier", "h",
        "mean time waiting at a boarding node for a carrier to depart";
    QUEUEING = "queueing", "h",
        "mean time waiting: for station servers, at a yard gate, for a path on a link with a headway, and on board for berths, paths, weather and yard space";
    HANDLING = "handling", "h",
        "mean time in station service and in carrier loading and unloading";
    BORDER = "border", "h",
        "mean time at border crossings, arrival to release";
    DISTANCE = "distance", "km",
        "route length; only for a flow whose every route step is a link with `distance_km`";
    SPEED_WITHOUT_DELAY = "speed_without_delay", "km/h",
        "`distance / moving` (CAREC CPMM SWOD); only with `distance`";
    SPEED_WITH_DELAY = "speed_with_delay", "km/h",
        "`distance / transit_mean` (CAREC CPMM SWD); only with `distance`";
    TARGET_TRANSIT = "target_transit", "h",
        "the flow's `target_transit` (flows that set one)";
    ON_TIME_SHARE = "on_time_share", "ratio",
        "share of the consignments created at or after the warm-up that were delivered by the horizon within `target_transit`; the undelivered count as late";
    WIP_MEAN = "wip_mean", "count",
        "time-average number of the flow's consignments in the system, whenever created";
    WIP_TREND = "wip_trend", "count",
        "fitted rise of the flow's consignments in the system over the second half of the window: the least-squares slope of its bin means (bins of a day, or wider so that there are at most 1000, or `scenario.period` wide) times the half's length; negative when it falls";
    STABLE = "stable", "flag",
        "summary.csv only: 0 when the level does not settle: the 95% interval of `wip_trend` over the replications lies above zero and its mean is at least 1 and at least a tenth of the level's time-average (`wip_mean`), so figures that depend on it depend on the horizon; else 1; empty with fewer than 2 replications";
);

scope!(route:
    SHARE = "share", "ratio",
        "id `FLOW/ROUTE`: consignments of the flow created at or after the warm-up that chose the route / all the flow's consignments created then";
    CHOSEN = "chosen", "count",
        "consignments of the flow created at or after the warm-up that chose the route";
    REDIRECTED = "redirected", "count",
        "of those, sent to it because the route chosen first had taken its `capacity_teu_per_day` that day";
    DELIVERED_CONSIGNMENTS = "delivered_consignments", "count",
        "of those that chose it, delivered by the horizon";
    TRANSIT_MEAN = "transit_mean", "h",
        "mean transit time, creation to delivery, of those delivered";
    TRANSIT_P50 = "transit_p50", "h",
        "median of those transit times";
    TRANSIT_P95 = "transit_p95", "h",
        "95th percentile of those transit times";
    PRIOR = "prior", "h",
        "the expected transit the choice starts from: the route's `prior`, or its free-flow time (mean times at its nodes and on its legs, without queueing, waiting for a carrier or closures)";
    EXPECTED_END = "expected_end", "h",
        "the learned expected transit at the horizon (the prior, smoothed by every delivery on the route since time 0)";
    WIP_MEAN = "wip_mean", "count",
        "time-average number of the flow's consignments on the route, whenever created";
    CHARGES = "charges", "USD/TEU",
        "with costs: the mean charges per TEU delivered on the route (its consignments created at or after the warm-up), as the flow's `cost` `charges`";
    GENERALISED = "generalised", "USD/TEU",
        "with costs: `charges` + the flow's `value_of_time` x the route's `transit_mean`";
    CO2E = "co2e", "kg/TEU",
        "with costs: kg CO2e per TEU delivered on the route, as the flow's `cost` `co2e`";
);

scope!(node:
    UTILISATION = "utilisation", "ratio",
        "`busy_mean` / servers (a border's lanes); empty for `\"unlimited\"` nodes";
    BUSY_MEAN = "busy_mean", "servers",
        "time-average number of busy servers (unlimited nodes: consignments in service; borders: busy lanes)";
    WAIT_MEAN = "wait_mean", "h",
        "stations: mean wait from arrival to start of service, over services started in the window; borders: `queueing_mean + closed_wait_mean`, over consignments released in the window";
    WAIT_P95 = "wait_p95", "h",
        "95th percentile of those waits";
    SOJOURN_MEAN = "sojourn_mean", "h",
        "stations: mean time from arrival to end of service, over services ended in the window; borders: the mean time to clear";
    QUEUE_MEAN = "queue_mean", "count",
        "time-average number waiting (not in service); at a border, waiting for any of its lanes, bays and tracks";
    QUEUE_MAX = "queue_max", "count",
        "largest number waiting in the window (including the queue at the end of the warm-up)";
    WIP_MEAN = "wip_mean", "count",
        "time-average number at the node (waiting + in service)";
    ARRIVALS = "arrivals", "count",
        "arrivals in the window (each visit counts)";
    ARRIVAL_RATE = "arrival_rate", "1/day",
        "`arrivals` / window length in days";
    THROUGHPUT = "throughput", "1/day",
        "departures in the window (stations: ends of service; borders: releases) / window length in days";
    QUEUE_TREND = "queue_trend", "count",
        "fitted rise of the number waiting over the second half of the window: the least-squares slope of its bin means (bins of a day, or wider so that there are at most 1000, or `scenario.period` wide) times the half's length; negative when it falls";
    STABLE = "stable", "flag",
        "summary.csv only: 0 when the level does not settle: the 95% interval of `queue_trend` over the replications lies above zero and its mean is at least 1 and at least a tenth of the level's time-average (`queue_mean`), so figures that depend on it depend on the horizon; else 1; empty with fewer than 2 replications";
);

scope!(border:
    DIGITISATION_LEVEL = "digitisation_level", "ratio",
        "the level used, 0 (paper) to 1";
    RELEASED = "released", "count",
        "consignments released in the window";
    CLEAR_MEAN = "clear_mean", "h",
        "mean time to clear: arrival to release";
    CLEAR_P95 = "clear_p95", "h",
        "95th percentile of the time to clear";
    TFI1_TIME_TO_CLEAR = "tfi1_time_to_clear", "h",
        "CAREC CPMM indicator TFI1, the mean time to clear (the same value as `clear_mean`)";
    QUEUEING_MEAN = "queueing_mean", "h",
        "mean time waiting for lanes and bays while the border is open, plus all waiting for technical tracks";
    CLOSED_WAIT_MEAN = "closed_wait_mean", "h",
        "mean time waiting for lanes and bays while the border is closed";
    DOCUMENT_MEAN = "document_mean", "h",
        "mean time in document processing and yellow-channel checks";
    INSPECTION_MEAN = "inspection_mean", "h",
        "mean time in physical inspection (red channel)";
    TECHNICAL_MEAN = "technical_mean", "h",
        "mean time in technical operations";
    INSPECTED_SHARE = "inspected_share", "ratio",
        "share of the released consignments sent to the red channel at least once";
    LANE_UTILISATION = "lane_utilisation", "ratio",
        "busy lane time / available lane time; available time counts closed hours too";
    BAY_UTILISATION = "bay_utilisation", "ratio",
        "the same for inspection bays";
    TRACK_UTILISATION = "track_utilisation", "ratio",
        "the same for technical tracks; empty for unlimited tracks";
);

scope!(service:
    DEPARTURES = "departures", "count",
        "departures in the window, including empty timetabled ones";
    DEPARTURES_PER_DAY = "departures_per_day", "1/day",
        "`departures` / window length in days";
    MISSED_DEPARTURES = "missed_departures", "count",
        "timetabled departures in the window with no carrier available";
    LOAD_FACTOR = "load_factor", "ratio",
        "mean over the window's departures of TEU loaded / capacity";
    TEU_CARRIED = "teu_carried", "TEU",
        "TEU loaded on the window's departures";
    CARRIER_WAIT_MEAN = "carrier_wait_mean", "h",
        "mean wait for a carrier of the consignments that boarded in the window, from the end of their service at the boarding node to the departure";
    QUEUE_TEU_MEAN = "queue_teu_mean", "TEU",
        "time-average TEU waiting to board";
    CARRIER_DELAY_MEAN = "carrier_delay_mean", "h",
        "mean per trip of the carrier's waits for a berth at each end, for a path and the weather, and for yard space at the destination; recorded when the load is handed over, for trips that end in the window";
    CARRIERS_HELD_MEAN = "carriers_held_mean", "carriers",
        "time-average number of carriers loaded and held for a path or the weather (carriers queued for berths are in the `berths` rows)";
    FLEET_AWAY_MEAN = "fleet_away_mean", "carriers",
        "time-average number of carriers not idle at the boarding node (queued for a berth, loading, held, travelling, unloading, returning)";
    FLEET_UTILISATION = "fleet_utilisation", "ratio",
        "`fleet_away_mean` / fleet: near 1, consignments wait for carriers to come back";
    QUEUE_TEU_TREND = "queue_teu_trend", "TEU",
        "fitted rise of the TEU waiting to board over the second half of the window (as a node's `queue_trend`)";
    STABLE = "stable", "flag",
        "summary.csv only: 0 when the level does not settle: the 95% interval of `queue_teu_trend` over the replications lies above zero and its mean is at least 1 and at least a tenth of the level's time-average (`queue_teu_mean`), so figures that depend on it depend on the horizon; else 1; empty with fewer than 2 replications";
);

scope!(berths:
    BERTH_UTILISATION = "berth_utilisation", "ratio",
        "time-average busy berths / berths; a carrier holds its berth while it loads, while it unloads and while it waits for yard space to hand its load over";
    CARRIERS_QUEUED_MEAN = "carriers_queued_mean", "carriers",
        "time-average number of carriers waiting for a berth (to load or to unload)";
    CARRIERS_QUEUED_MAX = "carriers_queued_max", "carriers",
        "largest number of carriers waiting for a berth in the window (including the queue at the end of the warm-up)";
    BERTH_WAIT_MEAN = "berth_wait_mean", "h",
        "mean wait for a berth, from the departure decision (loading) or the arrival (unloading) to the berth, over berths granted in the window; zero for carriers served at once";
    CARRIERS_QUEUED_TREND = "carriers_queued_trend", "carriers",
        "fitted rise of the carriers waiting for a berth over the second half of the window (as a node's `queue_trend`)";
    STABLE = "stable", "flag",
        "summary.csv only: 0 when the level does not settle: the 95% interval of `carriers_queued_trend` over the replications lies above zero and its mean is at least 1 and at least a tenth of the level's time-average (`carriers_queued_mean`), so figures that depend on it depend on the horizon; else 1; empty with fewer than 2 replications";
);

scope!(yard:
    OCCUPANCY_MEAN = "occupancy_mean", "TEU",
        "time-average TEU in the yard";
    OCCUPANCY_MAX = "occupancy_max", "TEU",
        "largest occupancy in the window (including the level at the end of the warm-up)";
    OCCUPANCY_SHARE = "occupancy_share", "ratio",
        "`occupancy_mean` / the yard's capacity in TEU";
    BLOCKED_MEAN = "blocked_mean", "count",
        "time-average number of entries waiting at the gate; an entry is a consignment, or a carrier with its whole load";
    BLOCKED_SHARE = "blocked_share", "ratio",
        "share of the window during which anything waits at the gate";
    BLOCKED_WAIT_MEAN = "blocked_wait_mean", "h",
        "mean wait at the gate per admission in the window, zero for those admitted at once; a carrier's whole load is one admission";
    BLOCKED_TREND = "blocked_trend", "count",
        "fitted rise of the entries waiting at the gate over the second half of the window (as a node's `queue_trend`)";
    STABLE = "stable", "flag",
        "summary.csv only: 0 when the level does not settle: the 95% interval of `blocked_trend` over the replications lies above zero and its mean is at least 1 and at least a tenth of the level's time-average (`blocked_mean`), so figures that depend on it depend on the horizon; else 1; empty with fewer than 2 replications";
);

scope!(link:
    PATH_WAIT_MEAN = "path_wait_mean", "h",
        "mean wait for a path before entering the link, recorded when the consignment leaves `from`";
    ENTRIES = "entries", "count",
        "consignments created at or after the warm-up that requested a path by the horizon, whenever they did";
    PATH_UTILISATION = "path_utilisation", "ratio",
        "`entries` x headway / window length: the share of the window the link's paths were taken";
);

scope!(wait:
    WAIT_MEAN = "wait_mean", "h",
        "id `FLOW@SCOPE:ID`: time the flow's consignments created at or after the warm-up waited for that resource (a node's servers or border lanes, bays and tracks; a yard's gate; berths; a service's carriers, or on board held for a path or the weather; a link's path), divided by those consignments";
    TRANSIT_SHARE = "transit_share", "ratio",
        "`wait_mean` / the flow's `transit_mean`: the share of its transit spent waiting for that resource";
    HOURS_PER_DAY = "hours_per_day", "h/day",
        "consignment-hours the flow waited for that resource per day of the window: what ranks the bottlenecks";
);

scope!(pipeline:
    DELIVERED = "delivered", "t or bbl",
        "product delivered in the window: it entered `transit` earlier, at `min(demand_per_day, capacity_per_day)` while the line was up";
    THROUGHPUT = "throughput", "t/day or bbl/day",
        "`delivered` / window length in days";
    UTILISATION = "utilisation", "ratio",
        "`throughput / capacity_per_day`";
    OUTAGE_SHARE = "outage_share", "ratio",
        "share of the window during which the line was down";
    TRANSIT = "transit", "h",
        "the pipeline's `transit`";
);

scope!(section:
    DISTANCE = "distance", "km",
        "the link's `distance_km`";
    TRAVEL_MEAN = "travel_mean", "h",
        "mean travel time on the link (without the wait for a path)";
    TIME_MEAN = "time_mean", "h",
        "mean time from entering the link at `from` to leaving `to` (end of service there, or release at a border), so the delay at `to` counts in its inbound section";
    SPEED_WITHOUT_DELAY = "speed_without_delay", "km/h",
        "`distance / travel_mean` (SWOD)";
    SPEED_WITH_DELAY = "speed_with_delay", "km/h",
        "`distance / time_mean` (SWD)";
);

scope!(cost:
    FREIGHT = "freight", "USD/TEU",
        "charges with item `freight` (carriage) per TEU delivered, of consignments created at or after the warm-up and delivered";
    HANDLING = "handling", "USD/TEU",
        "charges with item `handling` per TEU delivered, as `freight`";
    STORAGE = "storage", "USD/TEU",
        "charges with item `storage` per TEU delivered, as `freight`";
    FEES = "fees", "USD/TEU",
        "charges with item `fee` per TEU delivered, as `freight`";
    INFORMAL = "informal", "USD/TEU",
        "charges with item `informal` per TEU delivered, as `freight`";
    CHARGES = "charges", "USD/TEU",
        "the sum of the five items above: the mean charges per TEU delivered";
    VALUE_OF_TIME = "value_of_time", "USD/TEU-h",
        "the flow's `value_of_time`";
    TIME_COST = "time_cost", "USD/TEU",
        "`value_of_time × transit_mean`: the flow's transit time in money";
    GENERALISED = "generalised", "USD/TEU",
        "`charges + time_cost`: the generalised cost per TEU";
    TONNES_PER_TEU = "tonnes_per_teu", "t/TEU",
        "the flow's cargo tonnes per TEU (its own, `[costs]`'s, or 10)";
    CO2E = "co2e", "kg/TEU",
        "kg CO2e emitted per TEU delivered (moving on links and carriers with a distance and a factor, carriers' waits, consignment-hours at nodes with an idling factor), as `freight`";
    CO2E_PER_TEU_KM = "co2e_per_teu_km", "kg/TEU-km",
        "those emissions over the TEU-km travelled on links and services with a distance";
);

scope!(cpmm:
    BORDER_COST = "border_cost", "USD/20t",
        "id a border node: its charges per consignment (fees, informal payments and any other item charged there, for the visit and by the hour), scaled to 20 t of cargo through the flow's `tonnes_per_teu`, mean over the consignments created at or after the warm-up that left it (CAREC CPMM TFI2)";
    INFORMAL = "informal", "USD/20t",
        "id a border node: the `informal` part of `border_cost`";
    DISTANCE = "distance", "km",
        "id a section (link `from->to` with `distance_km`) or a service with `distance_km`: its length";
    SECTION_COST = "section_cost", "USD/500km/20t",
        "id a section or a service: its own charges per consignment scaled to 20 t, mean over the consignments created at or after the warm-up that entered it, × 500 / `distance` (CAREC CPMM TFI3)";
);

/// Every metric, scope by scope, in the order the rows are written.
pub const CATALOGUE: &[&[Metric]] = &[
    corridor::ALL,
    flow::ALL,
    route::ALL,
    node::ALL,
    border::ALL,
    service::ALL,
    berths::ALL,
    yard::ALL,
    link::ALL,
    wait::ALL,
    pipeline::ALL,
    section::ALL,
    cost::ALL,
    cpmm::ALL,
];
