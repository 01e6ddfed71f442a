//! ECDSA on P-384 with SHA-384 (RFC 7518 §3.4), verification only, on RustCrypto `p384`'s field
//! and scalar arithmetic and this crate's point arithmetic ([`crate::weierstrass`]).
//!
//! Keys are built from their affine coordinates with the curve equation (`from_coordinates`), not
//! from SEC1 bytes, so point decompression (a square root) stays out of the build. Without tables,
//! verification is `weierstrass::verify_without_tables` (Shamir's trick over 4-bit windows), not
//! p384's `verify_prehash`: its projective arithmetic, with p256's for ES256, measured 7.2 kB gzip
//! of the verify build.

use p384::elliptic_curve::ff::PrimeField as _;
use p384::elliptic_curve::ops::Reduce;
use p384::elliptic_curve::point::AffineCoordinates as _;
use p384::elliptic_curve::Curve as _;
use p384::{AffinePoint, FieldBytes, NistP384, Scalar, U384};

use crate::weierstrass::curve::Affine;
use crate::weierstrass::invert::invert_vartime;

/// A P-384 public key known to be a point on the curve, not the identity.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicKey {
    point: Affine<NistP384>,
}

impl Eq for PublicKey {}

impl PublicKey {
    /// From the affine coordinates (48 big-endian bytes each); `None` for a point not on the
    /// curve, a coordinate not below p, or the identity.
    pub fn from_coordinates(x: &[u8; 48], y: &[u8; 48]) -> Option<PublicKey> {
        Option::<AffinePoint>::from(AffinePoint::from_coordinates(&FieldBytes::from(*x), &FieldBytes::from(*y)))
            .and_then(|point| Affine::from_point(&point))
            .map(|point| PublicKey { point })
    }

    /// The affine coordinates `(x, y)`, 48 bytes each.
    pub fn coordinates(&self) -> ([u8; 48], [u8; 48]) {
        (self.point.x.to_repr().into(), self.point.y.to_repr().into())
    }

    /// The point, in the form the tables take ([`tables`]).
    pub fn point(&self) -> &Affine<NistP384> {
        &self.point
    }

    /// Whether `signature`, raw `r || s` of exactly 96 bytes with r and s in [1, n − 1], is valid
    /// for the message whose SHA-384 `digest` this is (the caller hashes: Tessera has one SHA-384
    /// for every algorithm). High-S is accepted, as JWS allows it.
    pub fn verify_digest(&self, digest: &[u8; 48], signature: &[u8]) -> bool {
        scalars(digest, signature).is_some_and(|(u1, u2, r)| crate::weierstrass::verify_without_tables(&self.point, &u1, &u2, &r))
    }
}

/// ECDSA verification's scalars (SEC 1 §4.1.4 steps 4–5) for a SHA-384 `digest`: `u1 = z·s⁻¹`,
/// `u2 = r·s⁻¹` and `r`, big-endian. `None` unless `signature` is exactly 96 bytes with r and s in
/// [1, n − 1]: the checks of `ecdsa::Signature::from_slice`, without its generic code (1 KB of
/// wasm in the verify build; ES256 keeps it, in `tessera-es256`).
fn scalars(digest: &[u8; 48], signature: &[u8]) -> Option<(FieldBytes, FieldBytes, FieldBytes)> {
    let signature: &[u8; 96] = signature.try_into().ok()?;
    let (r_bytes, s_bytes) = signature.split_at(48);
    let nonzero = |bytes: &[u8]| {
        let scalar = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::try_from(bytes).ok()?))?;
        (!bool::from(scalar.is_zero())).then_some(scalar)
    };
    let (r, s) = (nonzero(r_bytes)?, nonzero(s_bytes)?);
    let z = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*digest));
    let s_inv = Option::<Scalar>::from(Scalar::from_uint(&invert_vartime(&s.to_canonical(), NistP384::ORDER.as_ref())?))?;
    Some(((z * s_inv).to_bytes(), (r * s_inv).to_bytes(), FieldBytes::try_from(r_bytes).ok()?))
}

/// P-384's field modulus p = 2³⁸⁴ − 2¹²⁸ − 2⁹⁶ + 2³² − 1, for the field inversions of
/// [`crate::weierstrass::invert`] (which replaces p384's safegcd here: see there).
const P: U384 = U384::from_be_hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff");

/// ES384 on the fixed-base tables of [`crate::weierstrass`] (Tessera's `es384` says when, and
/// the memory). Concrete functions, so the generic table code is compiled here for P-384, at
/// this crate's opt-level (`s` in release builds): measured in the verify build, 3.8 kB gzip
/// against 7.5 kB when Tessera's opt-level-3 code instantiated it, and still 1.5× jose.
pub mod tables {
    use std::cell::RefCell;
    use std::thread::LocalKey;

    use p384::{FieldBytes, NistP384};

    use crate::weierstrass::curve::{Affine, Fe};
    use crate::weierstrass::invert::invert_vartime;
    use crate::weierstrass::precomputed::{self, State};
    use crate::weierstrass::table::FixedBaseTable;
    use crate::weierstrass::{verify_with_tables, Curve};

    /// A public key's point in table form: its identity for its table.
    pub type Point = Affine<NistP384>;

    /// Window width of the generator's table: 38 windows × 512 entries + 16, 96 bytes each =
    /// 1,869,312 bytes per instance.
    pub const G_WINDOW: u32 = 10;
    /// Window width of each public key's table: 48 windows × 128 entries + 1 = 589,920 bytes.
    pub const KEY_WINDOW: u32 = 8;
    /// Entries built per call while a table is incomplete: a P-384 entry costs about twice a
    /// P-256 one, so this is about the time of ES256's slice.
    const STEP_ENTRIES: usize = precomputed::STEP_ENTRIES / 2;

    impl Curve for NistP384 {
        const G_WINDOW: u32 = G_WINDOW;
        const KEY_WINDOW: u32 = KEY_WINDOW;
        const ORDER_BYTES: &'static [u8] = &[
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec,
            0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
        ];
        const P_MINUS_N: &'static [u8] = &[
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x38, 0x9c, 0xb2, 0x7e, 0x0b, 0xc8, 0xd2, 0x1f, 0xa7,
            0xe5, 0xf2, 0x4c, 0xb7, 0x4f, 0x58, 0x85, 0x13, 0x13, 0xe6, 0x96, 0x33, 0x3a, 0xd6, 0x8c,
        ];

        fn tables() -> &'static LocalKey<RefCell<State<NistP384>>> {
            thread_local! {
                static TABLES: RefCell<State<NistP384>> = RefCell::new(State::default());
            }
            &TABLES
        }

        fn invert_vartime(value: &Fe<NistP384>) -> Option<Fe<NistP384>> {
            Option::from(Fe::<NistP384>::from_uint(&invert_vartime(&value.to_canonical(), &super::P)?))
        }
    }

    /// The table path's verdict over a SHA-384 `digest` once both tables exist; `None` (verify the
    /// plain way) before, the call having counted the use and built one slice of a missing table.
    pub fn verify(point: &Point, digest: &[u8; 48], signature: &[u8]) -> Option<bool> {
        let (generator, key) = precomputed::for_key(point, STEP_ENTRIES)?;
        Some(verify_digest(&generator, &key, &FieldBytes::from(*digest), signature))
    }

    /// Builds G's and the key's tables now, whatever the counts (tests); whether both exist.
    pub fn build_now(point: &Point) -> bool {
        matches!(precomputed::complete_now(Some(point)), Some((_, Some(_))))
    }

    /// The table path's verdict over a SHA-384 `digest`, building the tables first (tests).
    pub fn verify_digest_now(point: &Point, digest: &[u8; 48], signature: &[u8]) -> bool {
        match precomputed::complete_now(Some(point)) {
            Some((generator, Some(key))) => verify_digest(&generator, &key, &FieldBytes::from(*digest), signature),
            _ => false,
        }
    }

    /// ECDSA verification (SEC 1 §4.1.4) with both tables; same decisions as without them.
    fn verify_digest(generator: &FixedBaseTable<NistP384>, key: &FixedBaseTable<NistP384>, digest: &FieldBytes, signature: &[u8]) -> bool {
        super::scalars(&(*digest).into(), signature).is_some_and(|(u1, u2, r)| verify_with_tables(generator, key, &u1, &u2, &r))
    }

    /// Memory held by complete P-384 tables in this instance: `(G's bytes, each key table's bytes)`.
    pub fn table_bytes() -> (usize, Vec<usize>) {
        precomputed::table_bytes::<NistP384>()
    }
}

#[cfg(test)]
mod tests {
    use super::tables::Point;
    use super::*;
    use crate::weierstrass::curve::Fe;
    use crate::weierstrass::Curve as _;

    fn signature(r: &[u8], s: &[u8]) -> Vec<u8> {
        [r, s].concat()
    }

    #[test]
    fn signature_scalars_must_be_in_1_to_n_minus_1() {
        let n = NistP384::ORDER_BYTES;
        let mut n_minus_1 = n.to_vec();
        n_minus_1[47] -= 1;
        let zero = [0u8; 48];
        let mut one = [0u8; 48];
        one[47] = 1;
        let digest = [7u8; 48];
        for (r, s) in [(&one[..], &one[..]), (&n_minus_1, &n_minus_1), (&one, &n_minus_1)] {
            assert!(scalars(&digest, &signature(r, s)).is_some());
        }
        for (r, s) in [
            (&zero[..], &one[..]),
            (&one, &zero),
            (n, &one),
            (&one, n),
            (&[0xff; 48], &one),
            (&one, &[0xff; 48]),
        ] {
            assert_eq!(scalars(&digest, &signature(r, s)), None);
        }
        for len in [0, 48, 95, 97, 192] {
            assert_eq!(scalars(&digest, &vec![1u8; len]), None);
        }
        // The returned r is the signature's.
        let (_, _, r) = scalars(&digest, &signature(&n_minus_1, &one)).unwrap();
        assert_eq!(r.as_slice(), n_minus_1.as_slice());
    }

    #[test]
    fn the_field_inversion_is_the_inverse() {
        let point: &Point = &Affine::<NistP384>::generator().unwrap();
        for value in [point.x, point.y, point.x * point.y, -point.x] {
            assert_eq!(
                NistP384::invert_vartime(&value).map(|inverse| inverse * value),
                Some(Fe::<NistP384>::ONE)
            );
        }
        assert_eq!(NistP384::invert_vartime(&Fe::<NistP384>::ZERO), None);
    }
}
