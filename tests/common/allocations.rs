//! A counting global allocator, for a test or a bench that asks how many allocations a piece of
//! work makes on its thread (`allocations(|| ...)`) or how many bytes are live (`live()`). It
//! forwards to mimalloc, as `src/main.rs` declares for `mwatch`, or, with
//! `COUNTING_ALLOCATOR=system` in the environment, to the system's (glibc's) malloc.
//! Installed as the global allocator of `tests/tui` and of `benches/event_memory`, which include
//! this file.
// This is the one place the workspace needs `unsafe`: an allocator forwards raw pointers, and
// reads its choice with `getenv` (which does not allocate) at the first allocation.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::CStr;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use mimalloc::MiMalloc;

pub struct Counting;

/// The environment variable that chooses the system's allocator (`system`).
pub const CHOICE_VAR: &str = "COUNTING_ALLOCATOR";

thread_local! {
    static MADE: Cell<u64> = const { Cell::new(0) };
}

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// 0: not read yet, 1: mimalloc, 2: the system's.
static CHOICE: AtomicU8 = AtomicU8::new(0);

fn system() -> bool {
    match CHOICE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: the name is a C string; `getenv` reads the environment, which nothing
            // changes once threads run.
            let value = unsafe { libc::getenv(c"COUNTING_ALLOCATOR".as_ptr()) };
            let system = !value.is_null() && unsafe { CStr::from_ptr(value) } == c"system";
            CHOICE.store(if system { 2 } else { 1 }, Ordering::Relaxed);
            system
        }
        choice => choice == 2,
    }
}

fn made(size: usize) {
    LIVE.fetch_add(size, Ordering::Relaxed);
    // Not while the thread's locals are being torn down.
    let _ = MADE.try_with(|made| made.set(made.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        made(layout.size());
        if system() {
            unsafe { System.alloc(layout) }
        } else {
            unsafe { MiMalloc.alloc(layout) }
        }
    }

    // Forwarded, not left to the default (alloc, then write zeros): calloc'd pages that are
    // never written stay out of the resident size, as in `mwatch`.
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        made(layout.size());
        if system() {
            unsafe { System.alloc_zeroed(layout) }
        } else {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        if system() {
            unsafe { System.dealloc(ptr, layout) }
        } else {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        made(new_size);
        if system() {
            unsafe { System.realloc(ptr, layout, new_size) }
        } else {
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

/// What `work` returns, and the allocations (and reallocations) it made on this thread.
pub fn allocations<T>(work: impl FnOnce() -> T) -> (T, u64) {
    let before = MADE.with(Cell::get);
    let out = work();
    (out, MADE.with(Cell::get) - before)
}

/// Bytes allocated and not freed, by every thread.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}
