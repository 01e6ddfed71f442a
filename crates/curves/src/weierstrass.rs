//! Fast ECDSA verification on the NIST curves y² = x³ − 3x + b of prime order, generic over the
//! curve: P-256 (Tessera's `es256`, which also signs with it; parameters in [`crate::es256`]) and
//! P-384 ([`crate::es384::tables`]; Tessera's feature `es384-tables`). One implementation for both,
//! on the curve crates' own field arithmetic (`p256`, `p384`, reached through `elliptic_curve`'s
//! `FieldArithmetic`).
//!
//! Why here and generic: generic code is compiled in the crate that names the curve, at that
//! crate's opt-level. `tessera-es256` names P-256, so ES256 runs it at the verify build's
//! opt-level 3 (and the authority build's z);
//! `es384::tables` names P-384 here, so ES384's copy is compiled for size (`s`, the main
//! `Cargo.toml`): measured in the verify build, 3.8 kB gzip instead of 7.5 kB at opt-level 3, for
//! 1,834 instead of 2,385 ES384 verifications a second (jose: 1,388 in the same runs).
//!
//! The parts:
//!
//! * `curve.rs`: Jacobian and affine points, mixed addition and doubling (a = −3), every
//!   exceptional case of the incomplete formulas handled where inputs are public.
//! * `table.rs`: fixed-base signed-window tables, `add_multiple_vartime` for verification and
//!   (P-256 only) the constant-time `mul_ct` for signing. Scalars have the field's width (256 or
//!   384 bits: for both curves n and p have the same bit length).
//! * `precomputed.rs`: per curve, one process-global (per instance) table for G and tables for
//!   keys seen more than `TABLE_AFTER` times, built in budgeted slices, bounded and evicted.
//!
//! [`verify_with_tables`] is ECDSA's last step (SEC 1 §4.1.4 steps 5–7) with both tables, and
//! [`verify_without_tables`] the same decision before they exist (Shamir's trick over 4-bit
//! windows on the same point arithmetic: smaller and faster in wasm than the curve crates' own
//! `verify_prehash`, whose projective arithmetic it keeps out of the builds); the callers
//! compute `u1 = z·s⁻¹` and `u2 = r·s⁻¹` with their curve's scalar type.

pub mod curve;
pub mod invert;
pub mod precomputed;
pub mod table;

use std::cell::RefCell;
use std::thread::LocalKey;

use p384::elliptic_curve::ff::PrimeField as _;
use p384::elliptic_curve::hazmat::FieldArithmetic;
use p384::elliptic_curve::FieldBytes;

use curve::{Affine, Jacobian};
use precomputed::State;
use table::FixedBaseTable;

/// A curve with a = −3 and prime order n (no point of order 2), whose order has the bit length of
/// its field (`Fe::NUM_BITS`), with what its tables need.
pub trait Curve: FieldArithmetic + Copy + std::fmt::Debug + PartialEq + 'static {
    /// Window width of the generator's table.
    const G_WINDOW: u32;
    /// Window width of each public key's table.
    const KEY_WINDOW: u32;
    /// The group order n, big-endian (`FieldBytes` length).
    const ORDER_BYTES: &'static [u8];
    /// p − n, big-endian (`FieldBytes` length): `r + n < p` exactly when `r` is below it.
    const P_MINUS_N: &'static [u8];
    /// This curve's tables in this instance (thread).
    fn tables() -> &'static LocalKey<RefCell<State<Self>>>;
    /// `1 / value` in variable time (public values only); `None` for zero.
    fn invert_vartime(value: &curve::Fe<Self>) -> Option<curve::Fe<Self>>;
}

/// Accepts iff `R = u1·G + u2·Q` is not the identity and `x(R) mod n = r`. `u1`, `u2` and `r`
/// are big-endian scalars (`r` in [1, n − 1]). x(R) < p < 2n, so x(R) is r or r + n, the latter
/// only possible when r + n < p; both are checked as `X = v·Z²`, without an inversion.
pub fn verify_with_tables<C: Curve>(
    generator: &FixedBaseTable<C>,
    key: &FixedBaseTable<C>,
    u1: &FieldBytes<C>,
    u2: &FieldBytes<C>,
    r: &FieldBytes<C>,
) -> bool {
    let mut point = Jacobian::IDENTITY;
    if generator.add_multiple_vartime(&mut point, u1).is_none() || key.add_multiple_vartime(&mut point, u2).is_none() {
        return false;
    }
    x_matches(&point, r)
}

/// [`verify_with_tables`]'s decision without tables, for a key's first verifications (before its
/// and G's tables exist) and for builds without them: Shamir's trick over 4-bit windows, from
/// the most significant, with 1·B … 15·B of both bases in affine form (one batched inversion).
/// For P-384: 384 doublings and at most 192 mixed additions, after 28 additions and the
/// inversion for the multiples. Variable time: every input is public.
pub fn verify_without_tables<C: Curve>(key: &Affine<C>, u1: &FieldBytes<C>, u2: &FieldBytes<C>, r: &FieldBytes<C>) -> bool {
    let Some(generator) = Affine::<C>::generator() else {
        return false;
    };
    let mut multiples = Vec::with_capacity(30);
    for base in [&generator, key] {
        let mut multiple = Jacobian::from_affine(base);
        multiples.push(multiple);
        for _ in 2..=15 {
            multiple.add_affine_vartime(base);
            multiples.push(multiple);
        }
    }
    // None only if some k·B with 1 ≤ k ≤ 15 were the identity: never, for a point of prime order.
    let Some(multiples) = curve::batch_to_affine(&multiples) else {
        return false;
    };
    let (of_g, of_key) = multiples.split_at(15);
    let mut point = Jacobian::IDENTITY;
    for (a, b) in u1.iter().zip(u2.iter()) {
        for shift in [4, 0] {
            for _ in 0..4 {
                point = point.double();
            }
            for (digit, table) in [((a >> shift) & 15, of_g), ((b >> shift) & 15, of_key)] {
                if let Some(multiple) = usize::from(digit).checked_sub(1).and_then(|i| table.get(i)) {
                    point.add_affine_vartime(multiple);
                }
            }
        }
    }
    x_matches(&point, r)
}

/// Whether `x(point) mod n = r` (SEC 1 §4.1.4 steps 5–7; false for the identity).
fn x_matches<C: Curve>(point: &Jacobian<C>, r: &FieldBytes<C>) -> bool {
    let Some(r_fe) = curve::fe_from_bytes::<C>(r) else {
        return false;
    };
    // `x_equals` is false for the identity.
    if point.x_equals(&r_fe) {
        return true;
    }
    r.as_slice() < C::P_MINUS_N
        && FieldBytes::<C>::try_from(C::ORDER_BYTES)
            .ok()
            .and_then(|order| curve::fe_from_bytes::<C>(&order))
            .is_some_and(|n| point.x_equals(&(r_fe + n)))
}

/// Bits of C's scalars and field elements.
fn scalar_bits<C: Curve>() -> usize {
    curve::Fe::<C>::NUM_BITS as usize
}
