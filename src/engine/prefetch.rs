//! A hint to the processor: start loading a value into the caches now, because it will be
//! read soon. It changes no result, only when the load's wait is paid.
//!
//! The event loop uses it for the next event's state while it handles the current one: at a
//! large corridor the per-event time goes to loads that miss the caches (a consignment among
//! 1e5 in flight, a station among 1e4), and a load started one event early is one the next
//! event does not wait for (benches/README.md, "Issue 14: the next event's state loaded
//! ahead"). On x86-64 it is the `prefetcht0` instruction (through the `safe_arch` crate, so
//! the crate stays free of `unsafe`); elsewhere it does nothing.

/// Starts loading the cache line that holds the start of `value`.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    safe_arch::prefetch_t0(value);
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = value;
}
