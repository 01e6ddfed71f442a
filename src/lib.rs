//! Tessera: strict ES256 JWT verification and signing for the web, in Rust compiled to
//! WebAssembly.
//!
//! The core modules are sans-I/O (no clock, no network, no JS): `now` is always an argument.
//! The `wasm` module is the thin JavaScript binding layer on top.

pub mod authority;
pub mod b64;
pub mod cache;
pub mod cookie;
pub mod error;
pub mod es256;
pub mod handshake;
pub mod json;
pub mod jwk;
pub mod jwks;
pub mod jws;
pub mod jwt;
pub mod options;
mod random;
pub mod redact;
pub mod refresh;
pub mod remote;
pub mod session;
pub mod signer;
pub mod store;
pub mod verifier;

pub mod wasm;

pub use error::{Error, ErrorCode, Result};
pub use jwks::KeySet;
pub use signer::Signer;
pub use verifier::{Verifier, VerifierOptions, VerifyOptions};
