//! Dated changes (`[[changes]]`): each is one calendar event, scheduled before the run, that
//! sets its capacities in the order the file gives them. What is under way at the change is
//! left to finish; each resource says how (see the `set_*` functions it calls).

use super::border_state::{BAYS, LANES, TRACKS};
use super::{Replication, border, carrier, node, station};
use crate::engine::{SimDur, SimTime};
use crate::scenario::Setting;

/// The earliest next entry onto a line once its headway becomes `new`: the new headway after
/// the previous entry (`next_free` minus the `old` headway), none before the first entry.
pub(super) fn respaced(next_free: SimTime, old: Option<SimDur>, new: SimDur) -> SimTime {
    match old {
        Some(old) if next_free > SimTime::ZERO => SimTime(next_free.0.saturating_sub(old.0)) + new,
        _ => next_free,
    }
}

/// Change `index` of the model applies now.
#[cold]
pub(super) fn apply(r: &mut Replication, index: u32) {
    let model = r.model;
    for s in &model.schedule[index as usize].settings {
        match s {
            Setting::Servers { node, servers } => station::set_servers(r, *node as u32, *servers),
            Setting::Lanes { node, lanes } => border::set_servers(r, *node as u32, LANES, *lanes),
            Setting::Bays { node, bays } => border::set_servers(r, *node as u32, BAYS, *bays),
            Setting::Tracks { node, tracks } => {
                border::set_servers(r, *node as u32, TRACKS, *tracks)
            }
            Setting::Berths { node, berths } => carrier::set_berths(r, *node, *berths),
            Setting::YardTeu { node, teu } => node::set_yard(r, *node, *teu),
            Setting::Fleet { service, fleet } => carrier::set_fleet(r, *service as u32, *fleet),
            Setting::CapacityTeu { service, teu } => {
                carrier::set_capacity(r, *service as u32, *teu)
            }
            Setting::Every { service, every } => carrier::set_every(r, *service as u32, *every),
            Setting::ServiceHeadway { service, headway } => {
                carrier::set_headway(r, *service as u32, *headway)
            }
            Setting::LinkHeadway { link, headway } => {
                let l = &mut r.links[*link];
                l.next_free = respaced(l.next_free, l.headway, *headway);
                l.headway = Some(*headway);
            }
            Setting::Digitisation { node, level } => border::set_level(r, *node as u32, *level),
            // Built into the border's opening hours when the model was validated.
            Setting::Hours { .. } => {}
            Setting::RouteShares { flow, shares } => {
                super::route_choice::set_shares(r, *flow, shares)
            }
            Setting::LinkTime { link, time } => {
                r.links[*link].time = time.clone();
            }
        }
    }
}
