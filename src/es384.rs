//! ES384: ECDSA on P-384 with SHA-384 (RFC 7518 §3.4), verification only: `tessera-curves`
//! (`crates/curves/`, compiled for size; its README says why) with Tessera's errors. The same
//! rules as ES256 ([`crate::es256`]): the key is a point on the curve given by its affine
//! coordinates (48 bytes each); the signature is raw `r || s` (96 bytes), r and s in [1, n − 1];
//! high-S is accepted, as JWS allows it.

use crate::error::{Error, ErrorCode, Result};

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
        if self.0.verify(message, signature) {
            Ok(())
        } else {
            Err(Error::bad_signature())
        }
    }
}
