//! Counts the allocations made on the current thread, for a test or a bench that asks how many
//! a piece of work makes (`allocations(|| ...)`). Installed as the binary's global allocator;
//! everything else goes straight to `System`.
// A counting allocator is the one place the workspace needs `unsafe`: it forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

pub struct Counting;

thread_local! {
    static MADE: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // Not while the thread's locals are being torn down.
    let _ = MADE.try_with(|made| made.set(made.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What `work` returns, and the allocations (and reallocations) it made on this thread.
pub fn allocations<T>(work: impl FnOnce() -> T) -> (T, u64) {
    let before = MADE.with(Cell::get);
    let out = work();
    (out, MADE.with(Cell::get) - before)
}
