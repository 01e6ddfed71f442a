//! The JavaScript binding layer: converts input, calls the core, converts output. No decision
//! lives here, and no user code runs while Rust frames are on the stack: the package's
//! JavaScript glue turns every value a user hands over into JSON text (or a plain data copy)
//! inside a `try`, and performs the I/O (fetch, timers, locks, channels, stores) the core asks
//! for. [`error::to_js`] is the only place a Rust error becomes a JavaScript value.
//!
//! One module per role; each WebAssembly build enables one role (Cargo features).

mod error;

#[cfg(feature = "authority")]
mod authority;
#[cfg(feature = "verify")]
mod redact;
#[cfg(feature = "session")]
mod session;
#[cfg(feature = "authority")]
mod signer;
#[cfg(feature = "authority")]
mod store;
#[cfg(feature = "verify")]
mod verify;

use wasm_bindgen::prelude::*;

use crate::time::Time;

/// Every WebAssembly build allocates with talc, std's builds too: std's dlmalloc measured 2.1 kB
/// gzip more in the session build, 1.7 kB in verify and 2.8 kB in authority, and no faster (talc is
/// built with `disable-realloc-in-place`, the smaller of its size options).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The session build alone: a panic (none is reachable: the lints deny unwrap, expect, indexing
/// and panics) traps without formatting a message, so no formatting code ships.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Diagnostics: an address on the shadow stack. Equal before and after any number of calls
/// that returned or threw: a JavaScript exception unwinding through Rust frames would have left
/// the stack pointer lower (the tests call it around thousands of hostile inputs).
#[wasm_bindgen(js_name = __stackPointer)]
pub fn stack_pointer() -> usize {
    let marker = 0u8;
    core::hint::black_box(core::ptr::addr_of!(marker)) as usize
}

/// A clock reading from JavaScript (`Date.now()`, milliseconds) as the core's time; a value that
/// is no time at all (NaN, negative, past year 9999) reads as the epoch, which no token passes.
fn time(ms: f64) -> Time {
    Time::from_millis_f64(ms).unwrap_or_default()
}
