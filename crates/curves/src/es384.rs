//! ECDSA on P-384 with SHA-384 (RFC 7518 §3.4), verification only, on RustCrypto `p384`.
//!
//! Keys are built from their affine coordinates with the curve equation (`from_coordinates`), not
//! from SEC1 bytes, so point decompression (a square root) stays out of the build.

use p384::ecdsa::signature::hazmat::PrehashVerifier;
use p384::ecdsa::{Signature, VerifyingKey};
use p384::elliptic_curve::point::AffineCoordinates;
use p384::{AffinePoint, FieldBytes};
use sha2::{Digest, Sha384};

/// A P-384 public key known to be a point on the curve, not the identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    /// From the affine coordinates (48 big-endian bytes each); `None` for a point not on the
    /// curve, a coordinate not below p, or the identity.
    pub fn from_coordinates(x: &[u8; 48], y: &[u8; 48]) -> Option<PublicKey> {
        Option::<AffinePoint>::from(AffinePoint::from_coordinates(&FieldBytes::from(*x), &FieldBytes::from(*y)))
            .and_then(|point| VerifyingKey::from_affine(point).ok())
            .map(|key| PublicKey { key })
    }

    /// The affine coordinates `(x, y)`, 48 bytes each.
    pub fn coordinates(&self) -> ([u8; 48], [u8; 48]) {
        let point = self.key.as_affine();
        (point.x().into(), point.y().into())
    }

    /// Whether `signature`, raw `r || s` of exactly 96 bytes with r and s in [1, n − 1], is valid
    /// for `message`. High-S is accepted, as JWS allows it.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        if signature.len() != 96 {
            return false;
        }
        // `from_slice` rejects r or s equal to zero or not below the group order.
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        self.key.verify_prehash(&Sha384::digest(message), &signature).is_ok()
    }
}
