//! The platform's cryptographic random source (getrandom: the OS natively,
//! `crypto.getRandomValues` in wasm). The only source of randomness in the crate.
//!
//! Two entry points:
//! - [`fill_key`] draws straight from the platform, for long-lived secrets (private keys, the
//!   refresh MAC key): those bytes never sit in a buffer.
//! - [`fill`] serves per-request values (refresh nonces and first tokens, family ids, `jti`) from
//!   a small per-thread pool refilled from the platform 256 bytes at a time: in wasm every platform
//!   call crosses into JavaScript, and a refresh needs two draws (≈ 4% of an Authority's CPU time
//!   in workerd before the pool). Served bytes are wiped from the pool as they are handed out, so
//!   the pool only ever holds values not yet used. Whoever can read the wasm memory could read
//!   the next values; the same reader already has the signing key, so this adds nothing to them.

#[cfg(feature = "authority")]
use std::cell::RefCell;

#[cfg(feature = "authority")]
use zeroize::Zeroize;

use crate::error::{Error, ErrorCode, Result};

#[cfg(feature = "authority")]
const POOL: usize = 256;
/// Larger requests skip the pool.
#[cfg(feature = "authority")]
const MAX_POOLED: usize = 64;

#[cfg(feature = "authority")]
struct Pool {
    bytes: [u8; POOL],
    /// Bytes before `used` have been handed out (and wiped).
    used: usize,
}

#[cfg(feature = "authority")]
thread_local! {
    static POOL_STATE: RefCell<Pool> = const { RefCell::new(Pool { bytes: [0; POOL], used: POOL }) };
}

/// Random bytes for long-lived secrets (and for the pool), straight from the platform.
pub fn fill_key(buffer: &mut [u8]) -> Result<()> {
    // ERR_UNSUPPORTED: the runtime forbids random values here (workerd's global scope).
    getrandom::fill(buffer).map_err(|_| Error::new(ErrorCode::Unsupported, "no cryptographic random source is available here"))
}

/// Random bytes for per-request values, from the pool (see the module docs).
#[cfg(feature = "authority")]
pub fn fill(buffer: &mut [u8]) -> Result<()> {
    if buffer.len() > MAX_POOLED {
        return fill_key(buffer);
    }
    POOL_STATE.with(|pool| {
        // Not re-entered (getrandom never calls back into the crate), so the borrow cannot fail;
        // should it ever, the platform serves the request directly.
        let Ok(mut pool) = pool.try_borrow_mut() else {
            return fill_key(buffer);
        };
        let pool = &mut *pool;
        if POOL - pool.used < buffer.len() {
            // Refill in place; the pool counts as empty until the refill succeeds (on failure the
            // error goes to the caller and nothing is served from a half-written pool).
            pool.used = POOL;
            fill_key(&mut pool.bytes)?;
            pool.used = 0;
        }
        let end = pool.used + buffer.len();
        let Some(served) = pool.bytes.get_mut(pool.used..end) else {
            return fill_key(buffer);
        };
        buffer.copy_from_slice(served);
        served.zeroize();
        pool.used = end;
        Ok(())
    })
}

#[cfg(all(test, feature = "authority"))]
mod tests {
    use super::*;

    #[test]
    fn pooled_values_differ_and_are_wiped_from_the_pool() {
        let mut seen = std::collections::HashSet::new();
        for len in [16usize, 32, 1, 64, 7] {
            for _ in 0..40 {
                let mut value = vec![0u8; len];
                fill(&mut value).unwrap();
                if len >= 16 {
                    assert!(seen.insert(value), "a repeated {len}-byte value");
                }
                POOL_STATE.with(|pool| {
                    let pool = pool.borrow();
                    assert!(pool.bytes[..pool.used].iter().all(|&b| b == 0), "served bytes are wiped");
                });
            }
        }
    }

    #[test]
    fn large_requests_and_keys_bypass_the_pool() {
        let before = POOL_STATE.with(|pool| pool.borrow().used);
        let mut big = [0u8; 65];
        fill(&mut big).unwrap();
        let mut key = [0u8; 32];
        fill_key(&mut key).unwrap();
        assert_eq!(POOL_STATE.with(|pool| pool.borrow().used), before);
        assert_ne!(big, [0u8; 65]);
        assert_ne!(key, [0u8; 32]);
    }
}
