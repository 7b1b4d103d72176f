//! What the emitters share: the [`Sink`] that writes a declared metric, the statistics
//! [`Window`], the rows common to every node kind, and the speed rule.

use super::catalogue::Metric;
use crate::engine::SimTime;
use crate::report::Row;

/// Where rows go: the emitters' one way to write a metric.
pub(crate) struct Sink<'a> {
    rows: &'a mut Vec<Row>,
    /// The calendar period of the rows written (empty: the whole window).
    period: &'static str,
}

impl<'a> Sink<'a> {
    /// A sink appending the whole window's rows to `rows`.
    pub(crate) fn new(rows: &'a mut Vec<Row>) -> Self {
        Sink { rows, period: "" }
    }

    /// A sink appending the rows of calendar period `period` to `rows`.
    pub(crate) fn in_period(rows: &'a mut Vec<Row>, period: &'static str) -> Self {
        Sink { rows, period }
    }

    /// Appends a row of the sink's period.
    #[inline]
    fn push(&mut self, mut row: Row) {
        row.period = self.period;
        self.rows.push(row);
    }

    /// Writes metric `m` of element `id`.
    #[inline]
    pub(crate) fn put(&mut self, id: &str, m: &Metric, value: f64) {
        debug_assert!(!m.unit.contains(" or "), "{}: give the unit", m.name);
        self.push(Row::new(m.scope, id, m.name, m.unit, value));
    }

    /// Writes metric `m` of element `id` in `unit`, one of the alternatives its declaration
    /// names (`t/day` of `t/day or bbl/day`).
    pub(crate) fn put_in(&mut self, id: &str, m: &Metric, unit: &'static str, value: f64) {
        debug_assert!(
            m.unit.split(" or ").any(|u| u == unit),
            "{}: {unit}",
            m.name
        );
        self.push(Row::new(m.scope, id, m.name, unit, value));
    }
}

/// The statistics window of a replication, as the emitters need it.
pub(super) struct Window {
    /// The horizon: time averages run to it.
    pub end: SimTime,
    /// The window's length in days, for rates per day.
    pub days: f64,
}

/// The rows every node has, whatever its kind.
pub(super) struct NodeRows {
    pub busy_mean: f64,
    pub wait_mean: f64,
    pub wait_p95: f64,
    pub sojourn_mean: f64,
    pub queue_mean: f64,
    pub queue_max: f64,
    pub wip_mean: f64,
    pub arrivals: f64,
    pub departures: f64,
}

/// km/h; undefined (an empty cell) when no time was spent, rather than infinite.
pub(super) fn speed(km: f64, hours: f64) -> f64 {
    if hours > 0.0 { km / hours } else { f64::NAN }
}
