//! EdDSA with Ed25519 (RFC 8032 §5.1; in JOSE, RFC 8037), verification only, on `ed25519-dalek`.
//!
//! Strict, as RFC 8032 §5.1.7 and the JWS setting call for: the public key must be the canonical
//! encoding of a point that is not of small order (a weak key verifies signatures for many
//! messages), and verification is `verify_strict`: `S` below the group order, `R` not of small
//! order and equal, byte for byte, to the recomputed `R`. So a message and key have no second,
//! malleated signature that verifies.

use ed25519_dalek::{Signature, VerifyingKey};

/// An Ed25519 public key known to be a canonical, non-small-order point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    /// From the 32-byte encoding; `None` when it is not a point, not canonical (a `y` at or above
    /// p, which decompression accepts), or of small order.
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<PublicKey> {
        let key = VerifyingKey::from_bytes(bytes).ok()?;
        (key.to_edwards().compress().as_bytes() == bytes && !key.is_weak()).then_some(PublicKey { key })
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Whether the 64-byte `signature` is valid for `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature).is_ok_and(|signature| self.key.verify_strict(message, &signature).is_ok())
    }
}
