//! The simulation engine: time, the event calendar (and its guard against an instant that never
//! ends), random streams, distributions, statistics and shared resources (server pools,
//! containers). Nothing here knows about freight; a queueing textbook could use it as it is.

pub mod bins;
pub mod calendar;
pub mod closures;
pub mod dist;
pub mod hours;
pub mod instant;
pub mod mser;
pub mod periods;
pub mod prefetch;
pub mod profile;
pub mod random;
pub mod resource;
pub mod significance;
pub mod slab;
pub mod stats;
pub mod summary;
pub mod time;

pub use calendar::Calendar;
pub use dist::Dist;
pub use instant::InstantGuard;
pub use random::Stream;
pub use time::{SimDur, SimTime};
