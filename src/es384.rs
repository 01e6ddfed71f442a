//! ES384: ECDSA on P-384 with SHA-384 (RFC 7518 §3.4), verification only. The same rules as
//! ES256 ([`crate::es256`]): the key is a point on the curve given by its affine coordinates
//! (48 bytes each); the signature is raw `r || s` (96 bytes), r and s in [1, n − 1]; high-S is
//! accepted, as JWS allows it.
//!
//! Two paths, with the same decisions:
//! * plain: `tessera-curves` (`crates/curves/`, compiled for size; its README says why):
//!   Shamir's trick over 4-bit windows on the same point arithmetic as the tables
//!   (`weierstrass::verify_without_tables`), not p384's `verify_prehash`, whose projective
//!   arithmetic, with p256's, measured 7.2 kB gzip of the verify build. Always there; the only
//!   path without the feature `es384-tables`.
//! * tables (feature `es384-tables`): ES256's fixed-base tables (`tessera_curves::weierstrass`,
//!   compiled for P-384 in that crate, at its size-first opt-level) on p384's field arithmetic,
//!   once a key has been seen more than `TABLE_AFTER` times, exactly as for ES256. Memory, per
//!   instance: G's table (width [`G_WINDOW`]) is 38 windows × 512 entries + 16, 96 bytes each =
//!   **1.87 MB** (1,869,312 bytes); each key's (width [`KEY_WINDOW`]) 48 windows × 128 entries + 1
//!   = **0.59 MB** (589,920 bytes), at most `MAX_KEY_TABLES` (4) keys: at most 1.87 + 4 × 0.59 ≈
//!   **4.2 MB** for P-384 (on top of ES256's ≤ 5.8 MiB).
//!
//! Why a feature: the table path costs the verify build 4.2 kB gzip (142.8 → 147.0 kB with its
//! JS), for ES384 `verifySync` about 7× faster (273 → 1,960 ops/s in Node; jose's `jwtVerify`
//! 1,422–1,486, node:crypto's raw verify 1,576–1,595 in the same runs). `scripts/build.sh` enables it
//! in the verify build only: the authority build (opt-level z, under a size budget, and not the
//! fast verifier) keeps the plain path. Native builds and tests have it by default.

use crate::error::{Error, ErrorCode, Result};
use crate::rsassa::Hash;

/// A P-384 public key known to be a valid point on the curve (not the identity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(tessera_curves::es384::PublicKey);

impl PublicKey {
    /// From the affine coordinates, exactly 48 big-endian bytes each (RFC 7518 §6.2.1.2).
    pub fn from_coordinates(x: &[u8], y: &[u8]) -> Result<Self> {
        let (Ok(x), Ok(y)) = (<&[u8; 48]>::try_from(x), <&[u8; 48]>::try_from(y)) else {
            return Err(Error::new(ErrorCode::InvalidKey, "EC P-384 coordinates must be 48 bytes each"));
        };
        tessera_curves::es384::PublicKey::from_coordinates(x, y)
            .map(PublicKey)
            .ok_or_else(|| Error::new(ErrorCode::InvalidKey, "EC P-384 point is not on the curve"))
    }

    /// The affine coordinates `(x, y)`, 48 bytes each.
    pub fn coordinates(&self) -> ([u8; 48], [u8; 48]) {
        self.0.coordinates()
    }

    /// Verifies a raw `r || s` signature over `message`. Every failure is the same opaque
    /// `ERR_BAD_SIGNATURE`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        // RS384's and PS384's SHA-384 (`rsassa::Hash`), so that the build has one instance of it:
        // 0.4 kB gzip less than tessera-curves hashing with its own.
        let digest = Hash::Sha384.digest(&[message]);
        let digest: &[u8; 48] = digest.as_slice().try_into().map_err(|_| Error::bad_signature())?;
        #[cfg(feature = "es384-tables")]
        if let Some(verdict) = tables::verify(self.0.point(), digest, signature) {
            return Error::signature_verdict(verdict);
        }
        Error::signature_verdict(self.0.verify_digest(digest, signature))
    }

    /// Verifies a raw `r || s` signature over a SHA-384 `digest` on the path without tables, the
    /// one a key's first verifications take (tests compare it with p384 on every input).
    #[doc(hidden)]
    pub fn verify_digest_without_tables(&self, digest: &[u8; 48], signature: &[u8]) -> Result<()> {
        Error::signature_verdict(self.0.verify_digest(digest, signature))
    }

    /// Builds G's and this key's tables now, whatever the counts, so that [`PublicKey::verify`]
    /// takes the table path from now on (tests). `false` if they could not be built.
    #[cfg(feature = "es384-tables")]
    #[doc(hidden)]
    pub fn build_tables_now(&self) -> bool {
        tables::build_now(self.0.point())
    }

    /// Verifies a raw `r || s` signature over a SHA-384 `digest` on the table path, building the
    /// tables first if needed (tests compare it with p384 on every input).
    #[cfg(feature = "es384-tables")]
    #[doc(hidden)]
    pub fn verify_digest_with_tables(&self, digest: &[u8; 48], signature: &[u8]) -> Result<()> {
        Error::signature_verdict(tables::verify_digest_now(self.0.point(), digest, signature))
    }
}

#[cfg(feature = "es384-tables")]
pub use tables::{table_bytes, G_WINDOW, KEY_WINDOW};

#[cfg(feature = "es384-tables")]
use tessera_curves::es384::tables;
