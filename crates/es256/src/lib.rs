//! ES256 (ECDSA on P-256 with SHA-256, RFC 7518 §3.4) on fixed-base tables: README.md says why
//! this is a crate of its own. Every function answers with `bool` or `Option`; Tessera's
//! `src/es256.rs` turns that into its error vocabulary.
//!
//! * Verification (SEC 1 §4.1.4): `R = u1·G + u2·Q` is about 22 + 26 mixed additions into one
//!   Jacobian accumulator, no doublings, and no inversion at the end: `x(R) mod n = r` is checked
//!   as `X = r·Z²`, or `X = (r + n)·Z²` when `r + n < p` (`x(R)` is below `p < 2n`). Before the
//!   tables exist (a key's first verifications, one-off keys) the same decision is made without
//!   them (`weierstrass::verify_without_tables`: Shamir's trick over 4-bit windows), not with
//!   p256's `verify_prehash`: its projective arithmetic, with p384's for ES384, measured 7.2 kB
//!   gzip of the verify build, and the windowed path verified 23 % more cold tokens a second.
//!   The tables (`tessera_curves::weierstrass`, shared with ES384) are built lazily and in slices.
//! * Signing: RFC 6979 nonces exactly as p256 derives them (so signatures are byte-identical to
//!   p256's), `k·G` from G's table in constant time (`FixedBaseTable::mul_ct`), the rest as p256
//!   does it. The private scalar `d` never indexes anything.
//!
//! Memory: G's table (width [`G_WINDOW`]) is 21 windows × 2048 entries + 16, 64 bytes each =
//! **2.63 MiB** (2,753,536 bytes) per instance; each public key's (width [`KEY_WINDOW`]) 25
//! windows × 512 entries + 64 = **0.79 MiB** (823,296 bytes), at most [`MAX_KEY_TABLES`] keys, so
//! all P-256 tables together stay below 2.63 + 4 × 0.79 ≈ 5.8 MiB. (Smaller widths trade speed for
//! memory: a key table of width 8 is 0.25 MiB and costs 7 more additions per verification, about
//! +10 %.)

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::ff::PrimeField as _;
use p256::elliptic_curve::ops::{Invert, Reduce};
use p256::elliptic_curve::point::AffineCoordinates as _;
use p256::elliptic_curve::Curve as _;
use p256::{FieldBytes, NistP256, NonZeroScalar, Scalar, U256};
use sha2::{Digest, Sha256};
use zeroize::Zeroize as _;

use tessera_curves::weierstrass::curve::{Affine, Fe};
use tessera_curves::weierstrass::table::FixedBaseTable;
use tessera_curves::weierstrass::{self, precomputed};

pub use precomputed::{MAX_KEY_TABLES, TABLE_AFTER};
pub use tessera_curves::es256::{G_WINDOW, KEY_WINDOW};

/// Memory held by complete tables in this instance (thread): `(G's bytes, each key table's bytes)`.
pub fn table_bytes() -> (usize, Vec<usize>) {
    precomputed::table_bytes::<NistP256>()
}

/// Sub-window width for `k·G` when signing (divides [`G_WINDOW`]).
const SIGN_SUB_WINDOW: u32 = 6;

/// A P-256 public key known to be a valid point on the curve (not the identity).
#[derive(Clone, Debug)]
pub struct PublicKey {
    key: VerifyingKey,
    /// The same point in `weierstrass::curve` form: the key's identity for its table.
    point: Affine<NistP256>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key.as_affine() == other.key.as_affine()
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// From the affine coordinates (32 big-endian bytes each); `None` for a point not on the
    /// curve, a coordinate not below p, or the identity. Straight from the coordinates (each below
    /// p, y² = x³ − 3x + b), as SEC1 decoding of an uncompressed point checks them, without
    /// SEC1's decoder: it brings point decompression (a square root, 7 KB of wasm) that
    /// uncompressed points never need.
    pub fn from_coordinates(x: &[u8; 32], y: &[u8; 32]) -> Option<Self> {
        Option::<p256::AffinePoint>::from(p256::AffinePoint::from_coordinates(&FieldBytes::from(*x), &FieldBytes::from(*y)))
            .and_then(|point| VerifyingKey::from_affine(point).ok())
            .map(PublicKey::from_key)
    }

    fn from_key(key: VerifyingKey) -> PublicKey {
        // A valid verifying key is never the identity, so `from_point` succeeds; the fallback
        // (G, which no table lookup will ever match wrongly) only keeps this panic-free.
        let point = Affine::from_point(key.as_affine()).or_else(Affine::generator).unwrap_or(Affine {
            x: Fe::<NistP256>::ZERO,
            y: Fe::<NistP256>::ZERO,
        });
        PublicKey { key, point }
    }

    /// The affine coordinates `(x, y)`, 32 bytes each.
    pub fn coordinates(&self) -> ([u8; 32], [u8; 32]) {
        let point = self.key.as_affine();
        (point.x().into(), point.y().into())
    }

    /// Whether `signature` has the shape of an ES256 signature: 64 bytes, r and s in [1, n − 1].
    pub fn is_signature_shape(signature: &[u8]) -> bool {
        signature.len() == 64 && Signature::from_slice(signature).is_ok()
    }

    /// Whether `signature`, raw `r || s` of exactly 64 bytes (RFC 7518 §3.4) with r and s in
    /// [1, n − 1] (CVE-2022-21449), is valid for `message`. High-S is accepted, as JWS allows it.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        if signature.len() != 64 {
            return false;
        }
        // `from_slice` rejects r or s equal to zero or not below the group order.
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        let (u1, u2, r) = scalars(&Sha256::digest(message).into(), &signature);
        match precomputed::for_key(&self.point, precomputed::STEP_ENTRIES) {
            Some((generator, key)) => weierstrass::verify_with_tables(&generator, &key, &u1, &u2, &r),
            None => weierstrass::verify_without_tables(&self.point, &u1, &u2, &r),
        }
    }

    /// Whether `signature` is valid for a SHA-256 `digest` on the table path, building G's and
    /// this key's tables first if needed (tests compare it with p256 on every input).
    pub fn verify_digest_with_tables(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        let (u1, u2, r) = scalars(digest, &signature);
        match precomputed::complete_now(Some(&self.point)) {
            Some((generator, Some(key))) => weierstrass::verify_with_tables(&generator, &key, &u1, &u2, &r),
            _ => false,
        }
    }

    /// Whether `signature` is valid for a SHA-256 `digest` on the path without tables, the one a
    /// key's first verifications take (tests compare it with p256 on every input).
    pub fn verify_digest_without_tables(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        let (u1, u2, r) = scalars(digest, &signature);
        weierstrass::verify_without_tables(&self.point, &u1, &u2, &r)
    }
}

/// ECDSA verification's scalars (SEC 1 §4.1.4 steps 4–5): `u1 = z·s⁻¹`, `u2 = r·s⁻¹` and `r`, big-endian;
/// `signature` has r and s in [1, n − 1] (`Signature::from_slice`).
fn scalars(digest: &[u8; 32], signature: &Signature) -> (FieldBytes, FieldBytes, FieldBytes) {
    let (r, s) = signature.split_scalars();
    let z = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*digest));
    let s_inv = *Invert::invert_vartime(&s);
    ((z * s_inv).to_bytes(), (*r * s_inv).to_bytes(), r.to_bytes())
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
    /// From the 32-byte big-endian scalar `d`; `None` unless it is in [1, n − 1].
    pub fn from_scalar(d: &[u8; 32]) -> Option<Self> {
        SigningKey::from_slice(d).ok().map(PrivateKey)
    }

    /// The scalar `d`, 32 big-endian bytes.
    pub fn scalar(&self) -> [u8; 32] {
        self.0.to_bytes().into()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_key(*self.0.verifying_key())
    }

    /// Signs `message` with deterministic RFC 6979 nonces; returns raw `r || s`. Byte-identical
    /// to p256's `SigningKey::sign`, which it uses until G's table is ready.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        if let Some(generator) = precomputed::for_signing::<NistP256>(precomputed::STEP_ENTRIES) {
            if let Some(signature) = sign_with_table(&self.0, &generator, &Sha256::digest(message).into()) {
                return signature;
            }
        }
        let signature: Signature = self.0.sign(message);
        signature.to_bytes().into()
    }

    /// Signs a SHA-256 `digest` on the table path, building G's table first if needed (tests).
    pub fn sign_digest_with_table(&self, digest: &[u8; 32]) -> Option<[u8; 64]> {
        let (generator, _) = precomputed::complete_now::<NistP256>(None)?;
        sign_with_table(&self.0, &generator, digest)
    }
}

/// ECDSA signing (SEC 1 §4.1.3) with the RFC 6979 nonce p256 would use (HMAC-DRBG over SHA-256
/// seeded with `d` and the digest, no extra data), and `k·G` from G's table in constant time.
/// `None` only if something impossible happened; the caller then signs with p256.
fn sign_with_table(key: &SigningKey, generator: &FixedBaseTable<NistP256>, digest: &[u8; 32]) -> Option<[u8; 64]> {
    let d: &NonZeroScalar = key.as_nonzero_scalar();
    let order: &U256 = NistP256::ORDER.as_ref();
    let mut nonces = rfc6979::KGenerator::<Sha256, U256>::new(&d.to_repr(), digest, &[], order);
    let z = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*digest));
    // A candidate fails only if r or s is zero (probability ~2^-256 each); bounded anyway.
    let mut k_bytes = FieldBytes::default();
    let mut signature = None;
    for _ in 0..8 {
        nonces.fill_next_k(&mut k_bytes);
        match sign_with_nonce(d, &z, &k_bytes, generator) {
            Attempt::Signed(found) => signature = Some(found),
            Attempt::NextNonce => continue,
            // Leave it to p256 rather than drift from RFC 6979's sequence of nonces.
            Attempt::Failed => {}
        }
        break;
    }
    k_bytes.as_mut_slice().zeroize();
    signature
}

enum Attempt {
    Signed([u8; 64]),
    /// RFC 6979 §3.2 step h.3: this k gives r = 0 or s = 0 (or is out of range); take the next.
    NextNonce,
    /// An internal step failed (never expected).
    Failed,
}

/// `r || s` for the nonce `k_bytes`.
fn sign_with_nonce(d: &NonZeroScalar, z: &Scalar, k_bytes: &FieldBytes, generator: &FixedBaseTable<NistP256>) -> Attempt {
    let Some(k) = Option::<NonZeroScalar>::from(NonZeroScalar::from_repr(*k_bytes)) else {
        return Attempt::NextNonce;
    };
    let Some(point) = generator.mul_ct(k_bytes, SIGN_SUB_WINDOW) else {
        return Attempt::Failed;
    };
    let x = if point.is_identity() {
        // Only for a handful of k out of n (see `mul_ct`): compute k·G with p256 instead.
        use p256::elliptic_curve::{group::Group as _, point::AffineCoordinates as _};
        p256::ProjectivePoint::mul_by_generator(&*k).to_affine().x()
    } else {
        match point.affine_x() {
            Some(x) => x.to_repr(),
            None => return Attempt::Failed,
        }
    };
    let r = <Scalar as Reduce<FieldBytes>>::reduce(&x);
    let Some(k_inv) = Option::<Scalar>::from(k.as_ref().invert()) else {
        return Attempt::Failed;
    };
    let s = k_inv * (*z + r * d.as_ref());
    match Signature::from_scalars(r, s) {
        Ok(signature) => Attempt::Signed(signature.to_bytes().into()),
        Err(_) => Attempt::NextNonce,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_verify() {
        let Some(key) = PrivateKey::from_scalar(&[7u8; 32]) else {
            unreachable!("7…7 is a valid scalar")
        };
        let public = key.public_key();
        let signature = key.sign(b"hello");
        assert!(public.verify(b"hello", &signature));
        assert!(!public.verify(b"hellp", &signature));
        assert!(!public.verify(b"hello", signature.get(..63).unwrap_or_default()));
        assert!(!public.verify(b"hello", &[0u8; 64]), "r = s = 0 (CVE-2022-21449)");
        assert!(!PublicKey::is_signature_shape(&[0u8; 64]));
        assert!(PublicKey::is_signature_shape(&signature));
        let (x, y) = public.coordinates();
        assert_eq!(PublicKey::from_coordinates(&x, &y), Some(public));
        assert_eq!(key.scalar(), [7u8; 32]);
    }

    #[test]
    fn refuses_points_off_the_curve_and_scalars_out_of_range() {
        assert!(PublicKey::from_coordinates(&[1u8; 32], &[2u8; 32]).is_none());
        assert!(PrivateKey::from_scalar(&[0u8; 32]).is_none());
        assert!(PrivateKey::from_scalar(&[0xffu8; 32]).is_none());
    }
}
