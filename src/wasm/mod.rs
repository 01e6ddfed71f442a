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
#[cfg(feature = "session")]
mod session;
#[cfg(feature = "verify")]
mod verify;

use crate::time::Time;

/// A clock reading from JavaScript (`Date.now()`, milliseconds) as the core's time; a value that
/// is no time at all (NaN, negative, past year 9999) reads as the epoch, which no token passes.
fn time(ms: f64) -> Time {
    Time::from_millis_f64(ms).unwrap_or_default()
}
