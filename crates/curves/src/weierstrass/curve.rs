//! Point arithmetic in Jacobian coordinates on the curve crate's own field arithmetic (p256's,
//! p384's), for curves with a = −3 and no point of order 2.
//!
//! p256 and p384 keep their point coordinates private and use complete projective formulas (≈ 14
//! multiplications per addition plus an inversion to leave projective form). The fixed-base
//! multiplications of `table.rs` only ever add an affine table entry to an accumulator,
//! so they use Jacobian coordinates `(X, Y, Z) ↦ (X/Z², Y/Z³)` and mixed Jacobian + affine
//! addition (8M + 3S; Hankerson, Menezes and Vanstone, *Guide to Elliptic Curve Cryptography*
//! §3.2.2). Those formulas are
//! not complete: [`Jacobian::add_affine_vartime`] handles the identity, `P == Q` and `P == −Q`
//! with explicit (variable-time) branches, and [`Jacobian::add_affine_ct`] is only used where
//! the callers show those cases cannot happen (see `table.rs`).
//!
//! The field type is the curve crate's `FieldElement` (Montgomery form, always reduced), reached
//! through the public `FieldArithmetic::FieldElement` associated type (p256 and p384 0.14 have no
//! `expose-field` feature).

use p384::elliptic_curve::ff::{Field as _, PrimeField as _};
use p384::elliptic_curve::point::AffineCoordinates as _;
use p384::elliptic_curve::subtle::{Choice, ConditionallySelectable, ConstantTimeEq as _};
use p384::elliptic_curve::{CurveAffine as _, FieldBytes};

use super::Curve;

/// An element of GF(p) for the curve `C`.
pub type Fe<C> = <C as p384::elliptic_curve::hazmat::FieldArithmetic>::FieldElement;

/// A point `(x, y)` on the curve, never the identity. 64 bytes (P-256), 96 (P-384).
#[derive(Debug, PartialEq)]
pub struct Affine<C: Curve> {
    pub x: Fe<C>,
    pub y: Fe<C>,
}

impl<C: Curve> Affine<C> {
    /// The point with these coordinates (big-endian, each below p), which the caller knows to be
    /// on the curve (a parsed key, G); `None` if a coordinate is not below p.
    pub fn from_coordinates(x: &FieldBytes<C>, y: &FieldBytes<C>) -> Option<Affine<C>> {
        Some(Affine {
            x: fe_from_bytes::<C>(x)?,
            y: fe_from_bytes::<C>(y)?,
        })
    }

    /// The curve crate's point in this representation; `None` for the identity.
    pub fn from_point(point: &C::AffinePoint) -> Option<Affine<C>> {
        if bool::from(point.is_identity()) {
            return None;
        }
        Affine::from_coordinates(&point.x(), &point.y())
    }

    /// The curve crate's generator G.
    pub fn generator() -> Option<Affine<C>> {
        Affine::from_point(&C::AffinePoint::generator())
    }

    pub fn neg(&self) -> Affine<C> {
        Affine { x: self.x, y: -self.y }
    }
}

/// Back to p256's point (tests).
#[cfg(test)]
impl Affine<p256::NistP256> {
    pub fn to_p256(self) -> Option<p256::AffinePoint> {
        Option::from(p256::AffinePoint::from_coordinates(&self.x.to_repr(), &self.y.to_repr()))
    }
}

// Copies as plain bytes (what `derive` gives a non-generic struct; on a generic one it clones
// field by field, which the authority build's opt-level z did not always fold).
impl<C: Curve> Copy for Affine<C> {}
impl<C: Curve> Clone for Affine<C> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C: Curve> Copy for Jacobian<C> {}
impl<C: Curve> Clone for Jacobian<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Curve> ConditionallySelectable for Affine<C> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Affine {
            x: Fe::<C>::conditional_select(&a.x, &b.x, choice),
            y: Fe::<C>::conditional_select(&a.y, &b.y, choice),
        }
    }
}

/// `(X, Y, Z)` standing for `(X/Z², Y/Z³)`; `Z = 0` is the identity.
#[derive(Debug)]
pub struct Jacobian<C: Curve> {
    pub x: Fe<C>,
    pub y: Fe<C>,
    pub z: Fe<C>,
}

impl<C: Curve> ConditionallySelectable for Jacobian<C> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Jacobian {
            x: Fe::<C>::conditional_select(&a.x, &b.x, choice),
            y: Fe::<C>::conditional_select(&a.y, &b.y, choice),
            z: Fe::<C>::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl<C: Curve> Jacobian<C> {
    pub const IDENTITY: Jacobian<C> = Jacobian {
        x: Fe::<C>::ONE,
        y: Fe::<C>::ONE,
        z: Fe::<C>::ZERO,
    };

    pub fn from_affine(point: &Affine<C>) -> Jacobian<C> {
        Jacobian {
            x: point.x,
            y: point.y,
            z: Fe::<C>::ONE,
        }
    }

    pub fn is_identity(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    /// `2·self` ("dbl-2001-b", a = −3: 3M + 5S). The identity stays the identity (Z3 = 0), and
    /// the curve has no point of order 2, so this is complete.
    pub fn double(&self) -> Jacobian<C> {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        let z3 = (self.y + self.z).square() - gamma - delta;
        let gamma2 = gamma.square();
        let y3 = alpha * (beta4 - x3) - gamma2.double().double().double();
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// The mixed sum without any case analysis: correct only when `self` is not the identity and
    /// `self ≠ ±point`. When `self == point` or `self == −point` the result has `Z = 0`.
    /// Constant time (straight-line field arithmetic).
    fn add_affine_unchecked(&self, point: &Affine<C>) -> (Jacobian<C>, Fe<C>, Fe<C>) {
        let z1z1 = self.z.square();
        let u2 = point.x * z1z1;
        let s2 = point.y * (self.z * z1z1);
        let h = u2 - self.x;
        let r = s2 - self.y;
        let hh = h.square();
        let hhh = h * hh;
        let v = self.x * hh;
        let x3 = r.square() - hhh - v.double();
        let y3 = r * (v - x3) - self.y * hhh;
        let z3 = self.z * h;
        (Jacobian { x: x3, y: y3, z: z3 }, h, r)
    }

    /// `self + point`, every case handled; variable time (public inputs only).
    pub fn add_affine_vartime(&mut self, point: &Affine<C>) {
        if self.is_identity() {
            *self = Jacobian::from_affine(point);
            return;
        }
        let (sum, h, r) = self.add_affine_unchecked(point);
        if bool::from(h.is_zero()) {
            // Same x: either the same point (double it) or its negation (the sum is the identity).
            *self = if bool::from(r.is_zero()) {
                self.double()
            } else {
                Jacobian::IDENTITY
            };
            return;
        }
        *self = sum;
    }

    /// `self + point` in constant time when `self` is not known to be the identity: `self_is_identity`
    /// says whether it is, and the result takes `point` then. The caller guarantees
    /// `self ≠ ±point` whenever `self` is not the identity; otherwise the result has `Z = 0`.
    pub fn add_affine_ct(&self, point: &Affine<C>, self_is_identity: Choice) -> Jacobian<C> {
        let (sum, _, _) = self.add_affine_unchecked(point);
        Jacobian::conditional_select(&sum, &Jacobian::from_affine(point), self_is_identity)
    }

    /// Affine `x` as a field element (one inversion, constant time). `None` for the identity.
    pub fn affine_x(&self) -> Option<Fe<C>> {
        let z_inv = Option::<Fe<C>>::from(p384::elliptic_curve::ff::Field::invert(&self.z))?;
        Some(self.x * z_inv.square())
    }

    /// Whether the affine x-coordinate, as an integer, equals `value` (< p), without an inversion:
    /// `X == value·Z²`.
    pub fn x_equals(&self, value: &Fe<C>) -> bool {
        if self.is_identity() {
            return false;
        }
        bool::from(self.x.ct_eq(&(*value * self.z.square())))
    }
}

/// Affine forms of `points` with one field inversion (Montgomery's trick): 3M per point for the
/// batch inversion, then 3M + 1S for `(X/Z², Y/Z³)`. `None` if any point is the identity.
pub fn batch_to_affine<C: Curve>(points: &[Jacobian<C>]) -> Option<Vec<Affine<C>>> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut product = Fe::<C>::ONE;
    for point in points {
        if point.is_identity() {
            return None;
        }
        prefix.push(product);
        product *= point.z;
    }
    let mut inverse = C::invert_vartime(&product)?;
    let mut out = vec![
        Affine::<C> {
            x: Fe::<C>::ZERO,
            y: Fe::<C>::ZERO
        };
        points.len()
    ];
    for ((point, before), slot) in points.iter().zip(prefix.iter()).zip(out.iter_mut()).rev() {
        // `inverse` is 1/(z_0·…·z_i); times z_0·…·z_{i−1} it is 1/z_i.
        let z_inv = inverse * before;
        inverse *= point.z;
        let z_inv2 = z_inv.square();
        *slot = Affine {
            x: point.x * z_inv2,
            y: point.y * (z_inv2 * z_inv),
        };
    }
    Some(out)
}

/// A field element from its big-endian bytes; `None` unless the integer is below p.
pub fn fe_from_bytes<C: Curve>(bytes: &FieldBytes<C>) -> Option<Fe<C>> {
    Option::from(Fe::<C>::from_repr(*bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::ops::Double as _;
    use p256::elliptic_curve::ops::Reduce;
    use p256::{ProjectivePoint, Scalar};
    use sha2::{Digest, Sha256};

    fn scalar(i: u32) -> Scalar {
        <Scalar as Reduce<p256::FieldBytes>>::reduce(&Sha256::digest(i.to_be_bytes()))
    }

    type P256 = p256::NistP256;

    fn affine(p: ProjectivePoint) -> Affine<P256> {
        Affine::from_point(&p.to_affine()).unwrap()
    }

    fn to_p256(p: &Jacobian<P256>) -> ProjectivePoint {
        if p.is_identity() {
            return ProjectivePoint::IDENTITY;
        }
        let all = batch_to_affine(&[*p]).unwrap();
        ProjectivePoint::from(all[0].to_p256().unwrap())
    }

    #[test]
    fn addition_and_doubling_match_p256_including_the_exceptional_cases() {
        let g = ProjectivePoint::GENERATOR;
        for i in 0..16 {
            let a = g * scalar(i);
            let b = g * scalar(i + 100);
            // A non-trivial Z: 2·(a/2) computed in Jacobian form.
            let half = scalar(i) * Scalar::from(2u64).invert().unwrap();
            let mut acc = Jacobian::from_affine(&affine(g * half));
            acc = acc.double();
            assert_eq!(to_p256(&acc), a);
            let mut sum = acc;
            sum.add_affine_vartime(&affine(b));
            assert_eq!(to_p256(&sum), a + b);
            let mut same = acc;
            same.add_affine_vartime(&affine(a));
            assert_eq!(to_p256(&same), a.double());
            let mut opposite = acc;
            opposite.add_affine_vartime(&affine(-a));
            assert!(opposite.is_identity());
            let mut from_identity = Jacobian::<P256>::IDENTITY;
            from_identity.add_affine_vartime(&affine(b));
            assert_eq!(to_p256(&from_identity), b);
            assert!(Jacobian::<P256>::IDENTITY.double().is_identity());
            let ct = acc.add_affine_ct(&affine(b), Choice::from(0));
            assert_eq!(to_p256(&ct), a + b);
            let ct = Jacobian::<P256>::IDENTITY.add_affine_ct(&affine(b), Choice::from(1));
            assert_eq!(to_p256(&ct), b);
            let x = acc.affine_x().unwrap();
            assert_eq!(x.to_repr(), a.to_affine().x());
            assert!(acc.x_equals(&x));
            assert!(!acc.x_equals(&(x + Fe::<P256>::ONE)));
        }
    }
}
