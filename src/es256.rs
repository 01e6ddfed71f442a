//! ES256 (ECDSA on P-256 with SHA-256, RFC 7518 §3.4): the one small interface the rest of the
//! crate uses for signatures, so faster arithmetic can replace it without touching callers.
//!
//! The arithmetic is `tessera-es256` (`crates/es256/`: fixed-base tables, p256 before a key's
//! tables exist, RFC 6979 signing with `k·G` in constant time; its README says why it is a crate of
//! its own: the verify build compiles it at opt-level 3 and this crate for size). Memory: at most
//! 5.8 MiB of P-256 tables per instance (that crate's docs have the arithmetic). This module
//! turns its answers into Tessera's errors.

pub use tessera_es256::{table_bytes, G_WINDOW, KEY_WINDOW, MAX_KEY_TABLES, TABLE_AFTER};

use crate::error::{Error, ErrorCode, Result};

/// A P-256 public key known to be a valid point on the curve (not the identity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(tessera_es256::PublicKey);

impl PublicKey {
    /// From the affine coordinates, exactly 32 big-endian bytes each.
    pub fn from_coordinates(x: &[u8], y: &[u8]) -> Result<Self> {
        let (Ok(x), Ok(y)) = (<&[u8; 32]>::try_from(x), <&[u8; 32]>::try_from(y)) else {
            return Err(Error::new(ErrorCode::InvalidKey, "EC P-256 coordinates must be 32 bytes each"));
        };
        tessera_es256::PublicKey::from_coordinates(x, y)
            .map(PublicKey)
            .ok_or_else(|| Error::new(ErrorCode::InvalidKey, "EC P-256 point is not on the curve"))
    }

    /// The affine coordinates `(x, y)`, 32 bytes each.
    pub fn coordinates(&self) -> ([u8; 32], [u8; 32]) {
        self.0.coordinates()
    }

    /// Whether `signature` has the shape of an ES256 signature: 64 bytes, r and s in [1, n − 1].
    pub fn is_signature_shape(signature: &[u8]) -> bool {
        tessera_es256::PublicKey::is_signature_shape(signature)
    }

    /// Verifies a raw `r || s` signature (exactly 64 bytes, RFC 7518 §3.4) over `message`.
    /// r and s must lie in [1, n-1] (CVE-2022-21449); high-S is accepted, as JWS allows it.
    /// Every failure is the same opaque `ERR_BAD_SIGNATURE`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        Error::signature_verdict(self.0.verify(message, signature))
    }

    /// Verifies a raw `r || s` signature over a SHA-256 `digest` on the path without tables, the
    /// one a key's first verifications take (tests compare it with p256 on every input).
    #[doc(hidden)]
    pub fn verify_digest_without_tables(&self, digest: &[u8; 32], signature: &[u8]) -> Result<()> {
        Error::signature_verdict(self.0.verify_digest_without_tables(digest, signature))
    }

    /// Verifies a raw `r || s` signature over a SHA-256 `digest` on the table path, building G's
    /// and this key's tables first if needed (tests compare it with p256 on every input).
    #[doc(hidden)]
    pub fn verify_digest_with_tables(&self, digest: &[u8; 32], signature: &[u8]) -> Result<()> {
        Error::signature_verdict(self.0.verify_digest_with_tables(digest, signature))
    }
}

/// A P-256 private key. `Debug` shows nothing secret; p256 zeroizes the scalar on drop.
#[derive(Clone, Debug)]
pub struct PrivateKey(tessera_es256::PrivateKey);

impl PrivateKey {
    /// From the 32-byte big-endian scalar `d`, which must be in [1, n-1].
    pub fn from_scalar(d: &[u8]) -> Result<Self> {
        let Ok(d) = <&[u8; 32]>::try_from(d) else {
            return Err(Error::new(ErrorCode::InvalidKey, "EC P-256 private scalar must be 32 bytes"));
        };
        tessera_es256::PrivateKey::from_scalar(d)
            .map(PrivateKey)
            .ok_or_else(|| Error::new(ErrorCode::InvalidKey, "EC P-256 private scalar is out of range"))
    }

    /// A new key from 32 bytes of the platform's cryptographic random source.
    pub fn generate() -> Result<Self> {
        // A uniformly random 256-bit string is ≥ n with probability < 2^-32; retry then.
        for _ in 0..64 {
            let mut d = [0u8; 32];
            crate::random::fill_key(&mut d)?;
            let key = tessera_es256::PrivateKey::from_scalar(&d);
            zeroize::Zeroize::zeroize(&mut d);
            if let Some(key) = key {
                return Ok(PrivateKey(key));
            }
        }
        Err(Error::new(ErrorCode::InvalidKey, "could not generate a P-256 key"))
    }

    pub fn scalar(&self) -> [u8; 32] {
        self.0.scalar()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.public_key())
    }

    /// Signs `message` with deterministic RFC 6979 nonces; returns raw `r || s`. Byte-identical
    /// to p256's `SigningKey::sign`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message)
    }

    /// Signs a SHA-256 `digest` on the table path, building G's table first if needed (tests).
    #[doc(hidden)]
    pub fn sign_digest_with_table(&self, digest: &[u8; 32]) -> Option<[u8; 64]> {
        self.0.sign_digest_with_table(digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_verify() -> Result<()> {
        let key = PrivateKey::generate()?;
        let public = key.public_key();
        let signature = key.sign(b"hello");
        public.verify(b"hello", &signature)?;
        assert_eq!(
            public.verify(b"hellp", &signature).map_err(|e| e.code()),
            Err(ErrorCode::BadSignature)
        );
        assert!(public.verify(b"hello", &signature[..63]).is_err());
        assert!(public.verify(b"hello", &[0u8; 64]).is_err(), "r = s = 0 (CVE-2022-21449)");
        let (x, y) = public.coordinates();
        assert_eq!(PublicKey::from_coordinates(&x, &y)?, public);
        Ok(())
    }

    #[test]
    fn rejects_points_off_the_curve() {
        let (x, mut y) = ([1u8; 32], [2u8; 32]);
        assert!(PublicKey::from_coordinates(&x, &y).is_err());
        y[0] = 0;
        assert!(PublicKey::from_coordinates(&x, &y[..31]).is_err());
        assert!(PrivateKey::from_scalar(&[0u8; 32]).is_err());
        assert!(PrivateKey::from_scalar(&[0xffu8; 32]).is_err());
    }
}
