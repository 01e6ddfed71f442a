//! Tessera: access and refresh tokens on the web, in Rust compiled to WebAssembly.
//!
//! The crate is arranged by role, and each role is a Cargo feature (all three by default), so a
//! WebAssembly build carries only the role it serves:
//!
//! * [`session`] (feature `session`): the browser's access-token lifetime, a state machine.
//! * [`verifier`] (feature `verify`): verification of access tokens against a local or remote
//!   JWK Set, with a cache of verified tokens.
//! * [`authority`] (feature `authority`, which includes `verify`): the refresh-token handshake,
//!   signing, and the session store contract.
//!
//! Below the roles: the JOSE primitives ([`jose`]: base64url, strict JSON, algorithms, JWK, JWK
//! Sets, JWS, JWT), the signature algorithms ([`es256`], [`es384`], [`rsassa`] for RS* and PS*,
//! [`eddsa`]), and the ground every layer stands on ([`Error`], [`Time`], log scrubbing). Imports
//! point down only.
//!
//! The core is sans-I/O: no clock, no network, no JavaScript. `now` is always an argument, and
//! randomness comes from the platform through one module. The `wasm` module is the binding layer
//! on top: it converts, and JavaScript glue in the npm package schedules and fetches.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod error;
mod time;

#[cfg(feature = "verify")]
pub mod eddsa;
#[cfg(feature = "verify")]
pub mod es256;
#[cfg(feature = "verify")]
pub mod es384;
#[cfg(feature = "verify")]
pub mod jose;
#[cfg(feature = "verify")]
pub(crate) mod options;
#[cfg(feature = "verify")]
pub(crate) mod random;
#[cfg(feature = "verify")]
pub mod redact;
#[cfg(feature = "verify")]
pub mod rsassa;

#[cfg(feature = "authority")]
pub mod authority;
#[cfg(feature = "session")]
pub mod session;
#[cfg(feature = "verify")]
pub mod verifier;

#[cfg(target_arch = "wasm32")]
mod wasm;

/// Internals for the fuzz targets (feature `fuzzing`): not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::options::Options;

    /// `authority::cookie` (crate-private): its items.
    pub mod cookie {
        pub use crate::authority::cookie::{check_options, clear, read, read_all, set, HOST_PREFIX, MAX_COOKIE_HEADER};
    }

    /// `jose::b64` (crate-private): its items, since a crate-private module cannot be re-exported.
    pub mod b64 {
        pub use crate::jose::b64::{decode, encode, is_alphabet};
    }

    /// `jose::json` (crate-private): its items.
    pub mod json {
        pub use crate::jose::json::{check_exact_integers, parse_object, parse_value, push_string, MAX_EXACT_INTEGER};
    }
}

pub use error::{Error, ErrorCode, Result};
pub use time::Time;

#[cfg(feature = "authority")]
pub use authority::{signer::Signer, Authority};
#[cfg(feature = "verify")]
pub use jose::jwks::KeySet;
#[cfg(feature = "session")]
pub use session::Session;
#[cfg(feature = "verify")]
pub use verifier::{Verifier, VerifierOptions, VerifyOptions};
