//! ES384: ECDSA on P-384 with SHA-384 (RFC 7518 §3.4), verification only. The same rules as
//! ES256 ([`crate::es256`]): the key is a point on the curve given by its affine coordinates
//! (48 bytes each); the signature is raw `r || s` (96 bytes), r and s in [1, n − 1]; high-S is
//! accepted, as JWS allows it.
//!
//! Two paths, with the same decisions:
//! * plain: `tessera-curves` (`crates/curves/`, compiled for size; its README says why), p384's
//!   own `verify_prehash`. Always there; the only path without the feature `es384-tables`.
//! * tables (feature `es384-tables`): ES256's fixed-base tables (`tessera_curves::weierstrass`,
//!   compiled for P-384 in that crate, at its size-first opt-level) on p384's field arithmetic,
//!   once a key has been seen more than `TABLE_AFTER` times, exactly as for ES256. Memory, per
//!   instance: G's table (width [`G_WINDOW`]) is 38 windows × 512 entries + 16, 96 bytes each =
//!   **1.87 MB** (1,869,312 bytes); each key's (width [`KEY_WINDOW`]) 48 windows × 128 entries + 1
//!   = **0.59 MB** (589,920 bytes), at most `MAX_KEY_TABLES` (4) keys: at most 1.87 + 4 × 0.59 ≈
//!   **4.2 MB** for P-384 (on top of ES256's ≤ 5.8 MiB).
//!
//! Why a feature: the table path costs the verify build 4.2 kB gzip of wasm (144.3 → 148.5 kB),
//! for ES384 `verifySync` about 7× faster (257 → 1,834 ops/s in Node; jose's `jwtVerify` 1,388
//! in the same run). `scripts/build.sh` enables it
//! in the verify build only: the authority build (opt-level z, under a size budget, and not the
//! fast verifier) keeps the plain path. Native builds and tests have it by default.

use crate::error::{Error, ErrorCode, Result};

/// A P-384 public key known to be a valid point on the curve (not the identity).
#[derive(Clone, Debug)]
pub struct PublicKey {
    key: tessera_curves::es384::PublicKey,
    /// The same point in `weierstrass::curve` form: the key's identity for its table (`None`
    /// never happens for a valid key; the plain path serves then).
    #[cfg(feature = "es384-tables")]
    point: Option<tables::Point>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// From the affine coordinates, exactly 48 big-endian bytes each (RFC 7518 §6.2.1.2).
    pub fn from_coordinates(x: &[u8], y: &[u8]) -> Result<Self> {
        let (Ok(x), Ok(y)) = (<&[u8; 48]>::try_from(x), <&[u8; 48]>::try_from(y)) else {
            return Err(Error::new(ErrorCode::InvalidKey, "EC P-384 coordinates must be 48 bytes each"));
        };
        let key = tessera_curves::es384::PublicKey::from_coordinates(x, y)
            .ok_or_else(|| Error::new(ErrorCode::InvalidKey, "EC P-384 point is not on the curve"))?;
        Ok(PublicKey {
            key,
            #[cfg(feature = "es384-tables")]
            point: tables::point(x, y),
        })
    }

    /// The affine coordinates `(x, y)`, 48 bytes each.
    pub fn coordinates(&self) -> ([u8; 48], [u8; 48]) {
        self.key.coordinates()
    }

    /// Verifies a raw `r || s` signature over `message`. Every failure is the same opaque
    /// `ERR_BAD_SIGNATURE`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        #[cfg(feature = "es384-tables")]
        if let Some(verdict) = self.point.as_ref().and_then(|point| tables::verify(point, message, signature)) {
            return verdict.then_some(()).ok_or_else(Error::bad_signature);
        }
        if self.key.verify(message, signature) {
            Ok(())
        } else {
            Err(Error::bad_signature())
        }
    }

    /// Builds G's and this key's tables now, whatever the counts, so that [`PublicKey::verify`]
    /// takes the table path from now on (tests). `false` if they could not be built.
    #[cfg(feature = "es384-tables")]
    #[doc(hidden)]
    pub fn build_tables_now(&self) -> bool {
        self.point.as_ref().is_some_and(tables::build_now)
    }

    /// Verifies a raw `r || s` signature over a SHA-384 `digest` on the table path, building the
    /// tables first if needed (tests compare it with p384 on every input).
    #[cfg(feature = "es384-tables")]
    #[doc(hidden)]
    pub fn verify_digest_with_tables(&self, digest: &[u8; 48], signature: &[u8]) -> Result<()> {
        let tabled = self
            .point
            .as_ref()
            .is_some_and(|point| tables::verify_digest_now(point, digest, signature));
        tabled.then_some(()).ok_or_else(Error::bad_signature)
    }
}

#[cfg(feature = "es384-tables")]
pub use tables::{table_bytes, G_WINDOW, KEY_WINDOW};

#[cfg(feature = "es384-tables")]
use tessera_curves::es384::tables;

/// The table path against p384's own verification (what `tessera-curves` runs) on random keys,
/// tampered signatures and signatures crafted to meet the incomplete addition's exceptional cases.
/// (Wycheproof's P-384 vectors run through both paths in tests/algorithms.rs.)
#[cfg(all(test, feature = "es384-tables"))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;
    use p384::ecdsa::signature::hazmat::{PrehashSigner as _, PrehashVerifier as _};
    use p384::ecdsa::{Signature, SigningKey, VerifyingKey};
    use p384::elliptic_curve::ff::PrimeField as _;
    use p384::elliptic_curve::ops::Reduce;
    use p384::elliptic_curve::point::{AffineCoordinates as _, DecompressPoint as _};
    use p384::elliptic_curve::subtle::Choice;
    use p384::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};
    use sha2::{Digest as _, Sha384};

    use tessera_curves::weierstrass::Curve as _;

    fn scalar(seed: &[u8]) -> Scalar {
        <Scalar as Reduce<FieldBytes>>::reduce(&Sha384::digest(seed))
    }

    fn public(point: &AffinePoint) -> PublicKey {
        PublicKey::from_coordinates(&point.x(), &point.y()).unwrap()
    }

    /// p384's verdict (the plain path's verification).
    fn reference(key: &PublicKey, digest: &[u8; 48], signature: &[u8]) -> bool {
        let (x, y) = key.coordinates();
        let point = AffinePoint::from_coordinates(&x.into(), &y.into()).unwrap();
        let key = VerifyingKey::from_affine(point).unwrap();
        Signature::from_slice(signature).is_ok_and(|sig| key.verify_prehash(digest, &sig).is_ok())
    }

    /// Both paths' verdicts, which must agree; returns it.
    fn agreed(key: &PublicKey, digest: &[u8; 48], signature: &[u8], what: &str) -> bool {
        let expected = reference(key, digest, signature);
        assert_eq!(key.verify_digest_with_tables(digest, signature).is_ok(), expected, "{what}");
        expected
    }

    #[test]
    fn curve_constants() {
        let fe = |bytes: &[u8]| {
            tessera_curves::weierstrass::curve::fe_from_bytes::<p384::NistP384>(&FieldBytes::try_from(bytes).unwrap()).unwrap()
        };
        // (p − n) + n ≡ 0 (mod p), and n ≡ 0 (mod n) with n < 2^384 < 2n.
        assert!(bool::from(
            (fe(p384::NistP384::P_MINUS_N) + fe(p384::NistP384::ORDER_BYTES)).is_zero()
        ));
        assert_eq!(scalar_of(p384::NistP384::ORDER_BYTES), Scalar::ZERO);
        assert_eq!(scalar_of(p384::NistP384::P_MINUS_N).to_repr().as_slice(), p384::NistP384::P_MINUS_N);
        assert_eq!(table_bytes().0 % 96, 0);
    }

    fn scalar_of(bytes: &[u8]) -> Scalar {
        <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::try_from(bytes).unwrap())
    }

    #[test]
    fn random_keys_and_tampered_signatures_agree() {
        for round in 0u8..3 {
            let signing = SigningKey::from_slice(&scalar(&[round]).to_repr()).unwrap();
            let key = public(signing.verifying_key().as_affine());
            for i in 0u32..16 {
                let digest: [u8; 48] = Sha384::digest(format!("claims {round}/{i}")).into();
                let signature: Signature = signing.sign_prehash(&digest).unwrap();
                let signature = signature.to_bytes();
                assert!(agreed(&key, &digest, &signature, "valid"));
                for bit in [i as usize * 29 % 768, 0, 383, 384, 767] {
                    let mut tampered = signature;
                    tampered[bit / 8] ^= 1 << (bit % 8);
                    assert!(!agreed(&key, &digest, &tampered, &format!("round {round} message {i} bit {bit}")));
                }
                // High-S is valid too; a zero s, a wrong length and another digest are not.
                let (r, s) = Signature::from_slice(&signature).unwrap().split_scalars();
                let high = [r.to_bytes(), (-*s).to_bytes()].concat();
                assert!(agreed(&key, &digest, &high, "high s"));
                let zero = [r.to_bytes(), FieldBytes::default()].concat();
                assert!(!agreed(&key, &digest, &zero, "s = 0"));
                assert!(!agreed(&key, &digest, &signature[..95], "95 bytes"));
                assert!(!agreed(&key, &[7; 48], &signature, "another digest"));
            }
        }
    }

    /// `(digest, r || s)` for which verification computes `R = u1·G + u2·Q` (`Q = d·G`), with
    /// `r = x(R) mod n`: valid unless R is the identity (then r = 1, which must fail).
    fn craft(d: &Scalar, u1: &Scalar, u2: &Scalar) -> ([u8; 48], Vec<u8>) {
        let point = (ProjectivePoint::GENERATOR * u1 + ProjectivePoint::GENERATOR * (*d * u2)).to_affine();
        let r = if point == AffinePoint::IDENTITY {
            Scalar::ONE
        } else {
            <Scalar as Reduce<FieldBytes>>::reduce(&point.x())
        };
        let s = r * u2.invert().unwrap();
        ((*u1 * s).to_bytes().into(), [r.to_bytes(), s.to_bytes()].concat())
    }

    #[test]
    fn exceptional_cases_of_the_addition_formulas() {
        let d = scalar(b"edge-case key");
        let key = public(&(ProjectivePoint::GENERATOR * d).to_affine());
        let power = |k: u64, bits: u32| (0..bits).fold(Scalar::from(k), |v, _| v.double());
        let cases = [
            // u1·G = ±u2·Q at the junction of the two tables: doubling, identity.
            ("doubling", d, Scalar::ONE, true),
            ("identity", -d, Scalar::ONE, false),
            ("doubling, larger", d * Scalar::from(1000u64), Scalar::from(1000u64), true),
            ("identity, larger", -(d * Scalar::from(777u64)), Scalar::from(777u64), false),
            // Through the identity, then more of the key's digits; equal to a key entry mid-way.
            ("identity mid-way", -d, Scalar::ONE + power(5, 30), true),
            ("doubling mid-way", d * power(3, 40), power(3, 40) + power(7, 200), true),
            ("negation mid-way", -(d * power(3, 40)), power(3, 40) + power(7, 200), true),
            ("u1 = 0", Scalar::ZERO, scalar(b"u2"), true),
            ("u1 = 0, u2 = 1", Scalar::ZERO, Scalar::ONE, true),
            ("u2 = −1", scalar(b"u1"), -Scalar::ONE, true),
            ("u1 = n − 1", -Scalar::ONE, scalar(b"u2 again"), true),
            ("top digits", power(1, 383), power(3, 382), true),
        ];
        for (name, u1, u2, valid) in cases {
            let (digest, signature) = craft(&d, &u1, &u2);
            assert_eq!(agreed(&key, &digest, &signature, name), valid, "{name}");
            let mut tampered = signature.clone();
            tampered[47] ^= 1;
            assert!(!agreed(&key, &digest, &tampered, name));
        }
    }

    #[test]
    fn x_coordinates_above_the_group_order() {
        // A key Q with x in [n, p): u1 = 0, u2 = 1 give R = Q and r = x(Q) − n, checked as
        // X = (r + n)·Z².
        let mut found = 0;
        for t in 1u64..64 {
            // x = n + t (no carry into the upper bytes for small t).
            let mut bytes: [u8; 48] = p384::NistP384::ORDER_BYTES.try_into().unwrap();
            let low = u64::from_be_bytes(bytes[40..].try_into().unwrap()) + t;
            bytes[40..].copy_from_slice(&low.to_be_bytes());
            let Some(point) = Option::<AffinePoint>::from(AffinePoint::decompress(&bytes.into(), Choice::from(0))) else {
                continue;
            };
            let key = public(&point);
            let r = Scalar::from(t).to_bytes();
            let signature = [r, r].concat(); // s = r: u2 = 1
            assert!(agreed(&key, &[0; 48], &signature, "x ≥ n"), "t = {t}");
            let mut wrong = signature.clone();
            wrong[47] ^= 2;
            wrong[95] ^= 2;
            assert!(!agreed(&key, &[0; 48], &wrong, "x ≥ n, wrong"), "t = {t}");
            found += 1;
        }
        assert!(found > 5, "{found}");
    }
}
