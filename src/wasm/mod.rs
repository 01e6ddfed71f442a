//! The JavaScript binding layer: converts input, calls one core function, converts output.
//! No token logic lives here. [`error::to_js`] is the only place a Rust error becomes a JS value.

mod authority;
mod convert;
mod error;
mod fetch;
mod redact;
mod runtime_signer;
mod session;
mod signer;
mod verifier;

pub use authority::{JsAuthority, JsMemoryStore};
pub use redact::redact;
pub use session::JsTokenSession;
pub use signer::{generate_key_pair, JsSigner};
pub use verifier::JsVerifier;
