//! EdDSA with Ed25519 (RFC 8032 §5.1, in JOSE RFC 8037): 64-byte signatures, 32-byte public keys,
//! verified by `tessera-curves` (`crates/curves/`, on `ed25519-dalek`, compiled for size; its
//! README says why) with Tessera's errors. Strict: a key must be canonical and not of small order,
//! and verification is `verify_strict` (no malleated second signature verifies).

use crate::error::{Error, ErrorCode, Result};

/// An Ed25519 public key known to be a canonical, non-small-order point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(tessera_curves::eddsa::PublicKey);

impl PublicKey {
    /// From the JWK member `x` (RFC 8037 §2): exactly 32 bytes.
    pub fn from_bytes(x: &[u8]) -> Result<PublicKey> {
        let invalid = |message| Error::claim(ErrorCode::InvalidKey, "x", message);
        let bytes: &[u8; 32] = x
            .try_into()
            .map_err(|_| invalid("an Ed25519 public key must be exactly 32 bytes"))?;
        tessera_curves::eddsa::PublicKey::from_bytes(bytes)
            .map(PublicKey)
            .ok_or_else(|| invalid("an Ed25519 public key must be a canonical point on the curve, not of small order"))
    }

    /// The 32-byte encoding (the JWK's `x`).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Verifies a 64-byte signature over `message`; every failure is the same opaque
    /// `ERR_BAD_SIGNATURE`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        Error::signature_verdict(self.0.verify(message, signature))
    }
}
