//! `warmup = "auto"`: the warm-up chosen by MSER-5 (`engine/mser.rs`) on a pilot run.
//!
//! The pilot runs the scenario's replications (the same seed and numbers, so the same random
//! numbers as the run that follows) with no warm-up, recording the window in 500 time bins.
//! The series examined are each flow's consignments in the system (`wip`) per bin, averaged
//! over the replications: the average removes much of the noise of one path, so what MSER-5
//! sees is the start-up bias of the mean, which is what a warm-up must remove. Each flow's
//! series gets its own truncation; the warm-up is the largest, so that every flow's cohort
//! is counted after its own start-up.

use crate::engine::mser::mser5;
use crate::engine::time::{SimDur, SimTime};
use crate::error::Result;
use crate::report::manifest::AutoWarmupEntry;
use crate::scenario::Model;

/// Time bins of the pilot's window.
pub(crate) const PILOT_BINS: u64 = 500;

/// Runs the pilot of `model` (with `warmup = "auto"`), sets its warm-up and says what was
/// chosen and how (also on stderr).
pub(crate) fn choose(model: &mut Model, jobs: Option<usize>) -> Result<AutoWarmupEntry> {
    let mut pilot = model.clone();
    pilot.warmup = SimTime::ZERO;
    let width = SimDur(model.horizon.ms().div_ceil(PILOT_BINS).max(1));
    pilot.period = Some(width);
    let out = crate::run::run_model(&pilot, jobs)?;
    let reps = out.reps.len().max(1) as f64;
    let mut chosen: Option<(usize, bool, usize)> = None; // (truncation bins, steady, batches)
    let mut bins = 0;
    for (level, key) in out.reps[0].series.keys.iter().enumerate() {
        if !(key.scope == "flow" && key.metric == "wip") {
            continue;
        }
        bins = out.reps[0].series.binning.count();
        let mut mean = vec![0.0; bins];
        for r in &out.reps {
            let v = &r.series.values[level * bins..(level + 1) * bins];
            for (m, x) in mean.iter_mut().zip(v) {
                *m += f64::from(*x) / reps;
            }
        }
        // The last bin may be shorter; MSER-5 drops an incomplete batch anyway.
        if let Some(m) = mser5(&mean) {
            chosen = Some(match chosen {
                None => (m.truncation, m.steady, m.batches),
                Some((t, s, b)) => (t.max(m.truncation), s && m.steady, b),
            });
        }
    }
    let (truncation, steady, batches) = chosen.unwrap_or((0, true, 0));
    let warmup = SimDur(width.ms() * truncation as u64);
    model.warmup = SimTime::ZERO + warmup;
    model.warmup_auto = false;
    let days = warmup.ms() as f64 / 86_400_000.0;
    if steady {
        eprintln!(
            "auto warm-up: {days:.2} days ({truncation} of {bins} bins of {:.2} h), by MSER-5 on each flow's consignments in the system averaged over {} pilot replications",
            width.ms() as f64 / 3_600_000.0,
            out.reps.len()
        );
    } else {
        eprintln!(
            "warning: auto warm-up: MSER-5 finds no truncation point in the first half of the run (some flow's consignments in the system still change in its second half): the scenario shows no steady state; used the best truncation in the first half, {days:.2} days ({truncation} of {bins} bins); give a warm-up (and a longer horizon) yourself"
        );
    }
    Ok(AutoWarmupEntry {
        method: "MSER-5".into(),
        series: "each flow's wip per bin, mean over the pilot replications; the largest truncation over flows".into(),
        pilot_replications: out.reps.len() as u32,
        bin_ms: width.ms(),
        bins: bins as u64,
        batches: batches as u64,
        truncation_bins: truncation as u64,
        warmup_ms: warmup.ms(),
        steady,
    })
}
