//! Links as the outputs see them: line sections with a path capacity (scope `link`) and with a
//! distance (scope `section`, the CAREC CPMM speeds). Travel itself is in `node::leave`.

use super::Replication;
use super::catalogue::{link as path, section};
use super::rows::Sink;
use super::rows::{Window, speed};
use crate::scenario::Setting;

/// The rows of links with a headway: waits for a path.
pub(super) fn path_rows(r: &Replication, w: &Window, sink: &mut Sink) {
    let m = r.model;
    // Line sections with a path capacity.
    for (i, l) in m.links.iter().enumerate() {
        if l.headway.is_none() {
            continue;
        }
        let link = &r.links[i];
        let id = format!("{}->{}", m.nodes[l.from].id, m.nodes[l.to].id);
        sink.put(&id, &path::PATH_WAIT_MEAN, link.path_wait.mean_hours());
        sink.put(&id, &path::ENTRIES, link.path_wait.count() as f64);
        let taken =
            if m.changes_any(|s| matches!(s, Setting::LinkHeadway { link, .. } if *link == i)) {
                // The headways each entry took, as they changed.
                link.taken.0 as f64
            } else {
                link.path_wait.count() as f64 * l.headway.map_or(0, |h| h.0) as f64
            };
        let window = w.days * crate::engine::time::MS_PER_DAY as f64;
        sink.put(&id, &path::PATH_UTILISATION, taken / window);
    }
}

/// The rows of links with a distance: CAREC CPMM speeds.
pub(super) fn section_rows(r: &Replication, sink: &mut Sink) {
    let m = r.model;
    // Sections (links with a distance): CAREC CPMM speeds.
    for (i, l) in m.links.iter().enumerate() {
        let Some(km) = l.distance_km else { continue };
        let link = &r.links[i];
        let id = format!("{}->{}", m.nodes[l.from].id, m.nodes[l.to].id);
        sink.put(&id, &section::DISTANCE, km);
        sink.put(&id, &section::TRAVEL_MEAN, link.travel.mean_hours());
        sink.put(&id, &section::TIME_MEAN, link.section.mean_hours());
        sink.put(
            &id,
            &section::SPEED_WITHOUT_DELAY,
            speed(km, link.travel.mean_hours()),
        );
        sink.put(
            &id,
            &section::SPEED_WITH_DELAY,
            speed(km, link.section.mean_hours()),
        );
    }
}
