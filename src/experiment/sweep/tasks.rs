//! A sweep's tasks, drawn lazily: a point's model exists from its first replication drawn
//! to its last, so a large grid never holds all its models.

use std::sync::Arc;

use super::Plan;
use crate::error::Result;
use crate::scenario::{DataCache, Model};

/// The tasks of a sweep, point after point, each point's model built when its first
/// replication is drawn and dropped after its last has run.
pub(super) struct PointTasks<'p> {
    plan: &'p Plan,
    /// Empirical data, read once for every point.
    cache: DataCache,
    /// Index in `plan.runs` of the point being drawn.
    at: usize,
    /// Its next replication.
    rep: u32,
    model: Option<Arc<Model>>,
}

impl<'p> PointTasks<'p> {
    pub(super) fn new(plan: &'p Plan) -> Self {
        PointTasks {
            plan,
            cache: DataCache::default(),
            at: 0,
            rep: 0,
            model: None,
        }
    }
}

impl Iterator for PointTasks<'_> {
    type Item = Result<(Arc<Model>, u32)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let run = self.plan.runs.get(self.at)?;
            if self.rep >= run.replications {
                (self.at, self.rep, self.model) = (self.at + 1, 0, None);
                continue;
            }
            if self.model.is_none() {
                match self.plan.model(run.number, &mut self.cache) {
                    Ok(m) => self.model = Some(Arc::new(m)),
                    Err(e) => {
                        self.at = self.plan.runs.len();
                        return Some(Err(e));
                    }
                }
            }
            self.rep += 1;
            return self.model.clone().map(|m| Ok((m, self.rep - 1)));
        }
    }
}
