//! The platform's cryptographic random source (getrandom: the OS natively,
//! `crypto.getRandomValues` in wasm). The only source of randomness in the crate.

use crate::error::{Error, ErrorCode, Result};

pub fn fill(buffer: &mut [u8]) -> Result<()> {
    // ERR_UNSUPPORTED: the runtime forbids random values here (workerd's global scope).
    getrandom::fill(buffer).map_err(|_| Error::new(ErrorCode::Unsupported, "no cryptographic random source is available here"))
}
