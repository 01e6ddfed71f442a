//! ES256 (ECDSA on P-256 with SHA-256, RFC 7518 §3.4): the one small interface the rest of the
//! crate uses for signatures, so faster arithmetic can replace it without touching callers.

mod table;

use std::cell::{Cell, OnceCell};
use std::rc::Rc;

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::group::Group as _;
use p256::elliptic_curve::ops::{Invert, Reduce};
use p256::elliptic_curve::point::AffineCoordinates as _;
use p256::{FieldBytes, ProjectivePoint, Scalar};
use sha2::{Digest, Sha256};

use table::KeyTable;

/// A key gets its precomputed table (≈190 KiB, see `es256/table.rs`) on its third
/// verification: keys live long, and one-off keys do not pay for a table.
pub const TABLE_AFTER: u32 = 2;

use crate::error::{Error, ErrorCode, Result};

/// A P-256 public key known to be a valid point on the curve (not the identity).
#[derive(Clone, Debug)]
pub struct PublicKey {
    key: VerifyingKey,
    verifications: Cell<u32>,
    table: OnceCell<Rc<KeyTable>>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key.as_affine() == other.key.as_affine()
    }
}

impl PublicKey {
    /// From the affine coordinates, exactly 32 big-endian bytes each.
    pub fn from_coordinates(x: &[u8], y: &[u8]) -> Result<Self> {
        if x.len() != 32 || y.len() != 32 {
            return Err(Error::new(ErrorCode::InvalidKey, "EC P-256 coordinates must be 32 bytes each"));
        }
        let mut sec1 = [0u8; 65];
        sec1[0] = 0x04;
        sec1[1..33].copy_from_slice(x);
        sec1[33..].copy_from_slice(y);
        VerifyingKey::from_sec1_bytes(&sec1)
            .map(PublicKey::from_key)
            .map_err(|_| Error::new(ErrorCode::InvalidKey, "EC P-256 point is not on the curve"))
    }

    fn from_key(key: VerifyingKey) -> PublicKey {
        PublicKey {
            key,
            verifications: Cell::new(0),
            table: OnceCell::new(),
        }
    }

    /// The affine coordinates `(x, y)`, 32 bytes each.
    pub fn coordinates(&self) -> ([u8; 32], [u8; 32]) {
        let point = self.key.to_sec1_point(false);
        let bytes = point.as_bytes();
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        if let (Some(xs), Some(ys)) = (bytes.get(1..33), bytes.get(33..65)) {
            x.copy_from_slice(xs);
            y.copy_from_slice(ys);
        }
        (x, y)
    }

    /// Verifies a raw `r || s` signature (exactly 64 bytes, RFC 7518 §3.4) over `message`.
    /// r and s must lie in [1, n-1] (CVE-2022-21449); high-S is accepted, as JWS allows it.
    /// Every failure is the same opaque `ERR_BAD_SIGNATURE`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        if signature.len() != 64 {
            return Err(Error::bad_signature());
        }
        // `from_slice` rejects r or s equal to zero or not below the group order.
        let signature = Signature::from_slice(signature).map_err(|_| Error::bad_signature())?;
        let digest = Sha256::digest(message);
        let count = self.verifications.get().saturating_add(1);
        self.verifications.set(count);
        if count > TABLE_AFTER {
            return self.verify_with_table(&digest.into(), &signature);
        }
        self.key.verify_prehash(&digest, &signature).map_err(|_| Error::bad_signature())
    }

    /// ECDSA verification (SEC 1 §4.1.4) with `u1·G` from p256's base-point table and `u2·Q`
    /// from this key's table (built on first use). Same decisions as [`PublicKey::verify`].
    #[doc(hidden)]
    pub fn verify_with_table(&self, digest: &[u8; 32], signature: &Signature) -> Result<()> {
        let table = self
            .table
            .get_or_init(|| Rc::new(KeyTable::new(&ProjectivePoint::from(*self.key.as_affine()))));
        let (r, s) = signature.split_scalars();
        let z = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*digest));
        let s_inv = *Invert::invert_vartime(&s);
        let u1 = z * s_inv;
        let u2 = *r * s_inv;
        let point = ProjectivePoint::mul_by_generator(&u1) + table.mul(&u2);
        if bool::from(point.is_identity()) {
            return Err(Error::bad_signature());
        }
        let x = <Scalar as Reduce<FieldBytes>>::reduce(&point.to_affine().x());
        if x == *r {
            Ok(())
        } else {
            Err(Error::bad_signature())
        }
    }
}

/// A P-256 private key. `Debug` shows nothing secret; p256 zeroizes the scalar on drop.
#[derive(Clone)]
pub struct PrivateKey(SigningKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

impl PrivateKey {
    /// From the 32-byte big-endian scalar `d`, which must be in [1, n-1].
    pub fn from_scalar(d: &[u8]) -> Result<Self> {
        if d.len() != 32 {
            return Err(Error::new(ErrorCode::InvalidKey, "EC P-256 private scalar must be 32 bytes"));
        }
        SigningKey::from_slice(d)
            .map(PrivateKey)
            .map_err(|_| Error::new(ErrorCode::InvalidKey, "EC P-256 private scalar is out of range"))
    }

    /// A new key from 32 bytes of the platform's cryptographic random source.
    pub fn generate() -> Result<Self> {
        // A uniformly random 256-bit string is ≥ n with probability < 2^-32; retry then.
        for _ in 0..64 {
            let mut d = [0u8; 32];
            crate::random::fill(&mut d)?;
            if let Ok(key) = SigningKey::from_slice(&d) {
                return Ok(PrivateKey(key));
            }
        }
        Err(Error::new(ErrorCode::InvalidKey, "could not generate a P-256 key"))
    }

    pub fn scalar(&self) -> [u8; 32] {
        self.0.to_bytes().into()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_key(*self.0.verifying_key())
    }

    /// Signs `message` with deterministic RFC 6979 nonces; returns raw `r || s`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let signature: Signature = self.0.sign(message);
        signature.to_bytes().into()
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
