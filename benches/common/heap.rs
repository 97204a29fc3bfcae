//! The system allocator, counting the heap: shared by the benches that split a peak into heap and
//! the rest (`probe`, `organization`). Included with `#[path = "common/heap.rs"] mod heap;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting the bytes live on the heap and their peak: the memory run splits
/// its VmHWM (code, stacks, heap) into the heap and the rest. Counting is two relaxed atomics per
/// call; the allocations themselves are the system allocator's, as without it.
pub struct CountingAllocator;

/// Heap bytes live now.
pub static HEAP_LIVE: AtomicUsize = AtomicUsize::new(0);
/// Most heap bytes live at once since the last [`heap_peak_reset`].
pub static HEAP_PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; only the counters are added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            heap_grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            heap_grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        HEAP_LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            HEAP_LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            heap_grew(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn heap_grew(size: usize) {
    let live = HEAP_LIVE.fetch_add(size, Ordering::Relaxed) + size;
    HEAP_PEAK.fetch_max(live, Ordering::Relaxed);
}

/// Starts a new heap peak from what is live now.
pub fn heap_peak_reset() {
    HEAP_PEAK.store(HEAP_LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}
