//! Border crossings and the customs digitisation model: the validated form of a
//! `kind = "border"` node and of the `[digitisation]` section.
//!
//! # The digitisation model (implemented exactly as documented in scenarios/README.md)
//! A border's level `L` is a number from 0 (paper) to 1 (fully digital). With parameters
//! `document_factor` (d), `variability_factor` (v), `yellow_factor` (y), `red_factor` (r) and
//! `pre_arrival_from` (p):
//! - each document-processing time `x` drawn from `documents` (mean `m`, as on paper) becomes
//!   `s(L) * (m + c(L) * (x - m))`, floored at 0, with `s(L) = 1 - L (1 - d)` (the mean's scale)
//!   and `c(L) = 1 - L (1 - v)` (the spread's scale);
//! - the yellow share becomes `yellow * (1 - L (1 - y))`, the red share `red * (1 - L (1 - r))`,
//!   and green takes the rest;
//! - from `L > p`, a share `q(L) = (L - p) / (1 - p)` of the document work is done before the
//!   consignment arrives, as far as the time since it left the previous node allows: at the
//!   border only `work - min(q(L) * work, lead time)` is left;
//! - technical operations (`technical`) are not affected.
//!
//! Congestion is separate: the level changes how long work takes, never the queue rules.

use super::file::{DigitisationParamsSpec, Level};
use crate::engine::Dist;
use crate::engine::hours::OpeningHours;

/// Named levels and their numeric values.
pub const LEVEL_NAMES: &[(&str, f64)] = &[
    ("paper", 0.0),
    ("electronic_documents", 1.0 / 3.0),
    ("single_window", 2.0 / 3.0),
    ("pre_arrival", 1.0),
];

/// Parameters of the digitisation model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DigitisationParams {
    /// Document time multiplier at level 1 (default 0.25).
    pub document_factor: f64,
    /// Multiplier of the document times' spread around their mean at level 1 (default 0.5).
    pub variability_factor: f64,
    /// Yellow-channel share multiplier at level 1 (default 0.5).
    pub yellow_factor: f64,
    /// Red-channel share multiplier at level 1 (default 0.3).
    pub red_factor: f64,
    /// Level above which document work starts before arrival (default 2/3, single window).
    pub pre_arrival_from: f64,
}

impl Default for DigitisationParams {
    fn default() -> Self {
        DigitisationParams {
            document_factor: 0.25,
            variability_factor: 0.5,
            yellow_factor: 0.5,
            red_factor: 0.3,
            pre_arrival_from: 2.0 / 3.0,
        }
    }
}

impl DigitisationParams {
    /// These parameters with the ones given in `spec` replaced.
    pub fn with(mut self, spec: &DigitisationParamsSpec) -> Self {
        if let Some(x) = spec.document_factor {
            self.document_factor = x;
        }
        if let Some(x) = spec.variability_factor {
            self.variability_factor = x;
        }
        if let Some(x) = spec.yellow_factor {
            self.yellow_factor = x;
        }
        if let Some(x) = spec.red_factor {
            self.red_factor = x;
        }
        if let Some(x) = spec.pre_arrival_from {
            self.pre_arrival_from = x;
        }
        self
    }

    /// The first parameter outside its allowed range, as (name, value, rule).
    pub fn invalid(&self) -> Option<(&'static str, f64, &'static str)> {
        let in01 = |x: f64| (0.0..=1.0).contains(&x);
        [
            (
                "document_factor",
                self.document_factor,
                in01(self.document_factor) && self.document_factor > 0.0,
                "must be in (0, 1]",
            ),
            (
                "variability_factor",
                self.variability_factor,
                in01(self.variability_factor),
                "must be in [0, 1]",
            ),
            (
                "yellow_factor",
                self.yellow_factor,
                in01(self.yellow_factor),
                "must be in [0, 1]",
            ),
            (
                "red_factor",
                self.red_factor,
                in01(self.red_factor),
                "must be in [0, 1]",
            ),
            (
                "pre_arrival_from",
                self.pre_arrival_from,
                (0.0..1.0).contains(&self.pre_arrival_from),
                "must be in [0, 1)",
            ),
        ]
        .into_iter()
        .find(|(_, _, ok, _)| !ok)
        .map(|(n, v, _, rule)| (n, v, rule))
    }

    /// The effect of level `l` on a border with paper-level shares `yellow` and `red`.
    pub fn effect(&self, l: f64, yellow: f64, red: f64) -> Effect {
        Effect {
            doc_scale: 1.0 - l * (1.0 - self.document_factor),
            spread: 1.0 - l * (1.0 - self.variability_factor),
            yellow: yellow * (1.0 - l * (1.0 - self.yellow_factor)),
            red: red * (1.0 - l * (1.0 - self.red_factor)),
            pre_arrival: if l > self.pre_arrival_from {
                (l - self.pre_arrival_from) / (1.0 - self.pre_arrival_from)
            } else {
                0.0
            },
        }
    }
}

/// What a digitisation level does at one border.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effect {
    /// Scale of the mean document time.
    pub doc_scale: f64,
    /// Scale of the document times' spread around their mean.
    pub spread: f64,
    /// Share sent to the yellow channel (document check).
    pub yellow: f64,
    /// Share sent to the red channel (physical inspection).
    pub red: f64,
    /// Share of document work that may be done before arrival.
    pub pre_arrival: f64,
}

impl Effect {
    /// Document work at this level for a paper-level draw `x` (seconds) of mean `mean`.
    pub fn document_secs(&self, x: f64, mean: f64) -> f64 {
        (self.doc_scale * (mean + self.spread * (x - mean))).max(0.0)
    }
}

/// Parses a level (number or name); the message says what is allowed.
pub fn level_value(l: &Level) -> Result<f64, String> {
    let names = || {
        LEVEL_NAMES
            .iter()
            .map(|(n, v)| format!("{n} ({v:.3})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match l {
        Level::Number(x) if (0.0..=1.0).contains(x) => Ok(*x),
        Level::Number(x) => Err(format!(
            "{} is outside [0, 1]; a digitisation level is a number from 0 (paper) to 1 (fully digital) or one of: {}",
            if x.abs() < 1e15 { x.to_string() } else { format!("{x:e}") },
            names()
        )),
        Level::Name(n) => LEVEL_NAMES
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("unknown digitisation level \"{n}\"; allowed: a number from 0 to 1 or one of: {}", names())),
    }
}

/// A validated border crossing.
#[derive(Clone, Debug)]
pub struct BorderModel {
    /// Officers or lanes doing document work (document processing and yellow checks).
    pub lanes: u32,
    /// Document processing time per control at level 0 (paper).
    pub documents: Dist,
    /// Paper-level shares of the green, yellow and red channels (sum 1).
    pub channels: [f64; 3],
    /// Yellow channel: extra document check, by a lane.
    pub document_check: Option<Dist>,
    /// Red channel: physical inspection, in an inspection bay.
    pub inspection: Option<Dist>,
    /// Inspection bays or scanners.
    pub bays: u32,
    /// Technical operations digitisation does not remove (locomotive change, wagon inspection).
    pub technical: Option<Dist>,
    /// Tracks for technical operations (`None` = unlimited).
    pub tracks: Option<u32>,
    /// National controls in sequence (before joint control is applied).
    pub controls: u32,
    /// One-stop border post: the controls run once, together.
    pub joint_control: bool,
    /// When lanes and bays work (technical operations run around the clock).
    pub hours: OpeningHours,
    /// Higher-priority consignments interrupt lower ones at lanes and bays (preemptive resume).
    pub preemption: bool,
    /// Digitisation level, 0 to 1.
    pub level: f64,
    /// What `hours` was built from, so that dated changes of the hours can rebuild it.
    pub hours_parts: HoursParts,
    /// Digitisation model parameters.
    pub params: DigitisationParams,
}

/// A border's opening hours as the file gives them: the weekly windows of each calendar month
/// (all twelve alike without `seasons`), the UTC offset and the closed intervals (holidays and
/// `closures`), all in local minutes.
#[derive(Clone, Debug, Default)]
pub struct HoursParts {
    /// Weekly windows (minutes from Monday 00:00) of each month, January first; empty: none
    /// given (open around the clock).
    pub by_month: Vec<Vec<(u64, u64)>>,
    /// Local time minus UTC, minutes.
    pub offset: i64,
    /// Closed intervals, local minutes since 1970-01-01.
    pub closed: Vec<(i64, i64)>,
}

impl BorderModel {
    /// Control passes each consignment makes (1 with joint control).
    pub fn passes(&self) -> u32 {
        if self.joint_control { 1 } else { self.controls }
    }

    /// The effect of this border's level.
    pub fn effect(&self) -> Effect {
        self.effect_at(self.level)
    }

    /// The effect of level `level` at this border (a level set by a dated change).
    pub fn effect_at(&self, level: f64) -> Effect {
        self.params
            .effect(level, self.channels[1], self.channels[2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level_value(&Level::Name("paper".into())), Ok(0.0));
        assert_eq!(level_value(&Level::Name("pre_arrival".into())), Ok(1.0));
        assert!(
            level_value(&Level::Number(1.5))
                .unwrap_err()
                .contains("outside [0, 1]")
        );
        assert!(
            level_value(&Level::Name("digital".into()))
                .unwrap_err()
                .contains("single_window")
        );
    }

    #[test]
    fn effect_is_monotone_in_level() {
        let p = DigitisationParams::default();
        let mut prev = p.effect(0.0, 0.3, 0.2);
        assert_eq!(prev.doc_scale, 1.0);
        assert_eq!(prev.pre_arrival, 0.0);
        for i in 1..=20 {
            let e = p.effect(i as f64 / 20.0, 0.3, 0.2);
            assert!(e.doc_scale <= prev.doc_scale && e.red <= prev.red && e.yellow <= prev.yellow);
            assert!(e.pre_arrival >= prev.pre_arrival);
            prev = e;
        }
        assert!((prev.doc_scale - 0.25).abs() < 1e-12);
        assert!((prev.red - 0.06).abs() < 1e-12);
        assert_eq!(prev.pre_arrival, 1.0);
        // The mean document time scales exactly (spread is symmetric around the mean).
        let e = p.effect(0.5, 0.0, 0.0);
        let m = 10.0;
        let avg = (e.document_secs(6.0, m) + e.document_secs(14.0, m)) / 2.0;
        assert!((avg - e.doc_scale * m).abs() < 1e-12);
    }
}
