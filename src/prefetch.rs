//! A hint to the processor's caches: nothing here changes a result.

/// Asks the processor to bring `x`'s cache line in ahead of its use. A merit day's switches
/// update entries indexed by operator (its census entry, its group's tally), a cache
/// miss each from 100,000 miners up; asked for a few switches ahead, the misses overlap
/// (CORE-1 100k 0.95-0.97, 1M x 365 0.95-0.97). A plain load handed to `black_box` instead
/// (issue 17's sixth session) waits like any load and was slower (1.039 at 100k). The
/// ranking's changed entries asked for one step ahead gained nothing (100k 1.016, 1M 1.029);
/// asked for in two steps (an entity's slot, then from its place its block) they did (100k
/// 0.88-0.95, issue 17's ninth session), and more with the entity's hashrate in the first
/// step once a switch no longer touched an operator state of 3 MB (100k 0.97-0.99, tenth).
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    // SAFETY: `_mm_prefetch` only hints the cache hierarchy: it cannot fault or write memory
    // (and `x` is a live reference).
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((x as *const T).cast::<i8>())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// How many switches ahead a merit day asks for the entries it will update: 4 and 16 measured
/// the same as 8 on CORE-1 at 100,000 miners.
pub const AHEAD: usize = 8;
