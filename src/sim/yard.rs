//! Yard capacity at a node, in TEU: consignments occupy the yard from admission until they
//! leave the node (by link, or when the carrier they boarded departs). When the yard is full,
//! arriving consignments wait at its gate and arriving carriers wait at their berth without
//! unloading (blocking), first come first served: this is how congestion propagates back along
//! a corridor. Nothing is lost; everything blocked is still in the system.
//!
//! The yard is data only: an [`engine::resource::Container`](crate::engine::resource::Container)
//! that says whom it admits; the node module hands them over to their node or carrier.

use bevy_ecs::prelude::*;

use crate::engine::resource::Container;

/// What waits at a full yard.
#[derive(Clone, Copy, Debug)]
pub enum Blocked {
    /// A consignment arrived by link or directly.
    Consignment(Entity),
    /// A carrier that cannot unload its load.
    Carrier(Entity),
}

/// A node's yard: TEU held, and the gate's FIFO of blocked entries.
#[derive(Component)]
pub struct Yard(pub Container<Blocked>);

impl Yard {
    /// An empty yard of `capacity` TEU.
    pub fn new(capacity: u32) -> Yard {
        Yard(Container::new(capacity as u64))
    }
}
