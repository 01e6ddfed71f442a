//! Fixed-window precomputed multiples of one public key, so `u2·Q` in ECDSA verification is
//! [`WINDOWS`] mixed additions instead of ~256 doublings and additions.
//!
//! `points[i·(2^W − 1) + d − 1] = d · 2^(W·i) · Q` for every window `i` and digit `d` in
//! 1..2^W, in affine form. Memory: `WINDOWS × (2^W − 1)` affine points, 43 × 63 × ~72 bytes
//! ≈ 190 KiB per key. Only public data (the key, the signature scalars) flows through it, so
//! variable time is fine.

use p256::elliptic_curve::group::Curve as _;
use p256::elliptic_curve::group::Group as _;
use p256::{AffinePoint, ProjectivePoint, Scalar};

/// Window width in bits.
pub const W: usize = 6;
/// Windows covering a 256-bit scalar.
pub const WINDOWS: usize = 256_usize.div_ceil(W);
const DIGITS: usize = (1 << W) - 1;

#[derive(Clone, Debug)]
pub struct KeyTable {
    points: Vec<AffinePoint>,
}

impl KeyTable {
    pub fn new(q: &ProjectivePoint) -> KeyTable {
        let mut projective = Vec::with_capacity(WINDOWS * DIGITS);
        let mut base = *q;
        for _ in 0..WINDOWS {
            let mut multiple = base;
            for _ in 0..DIGITS {
                projective.push(multiple);
                multiple += base;
            }
            // `multiple` is now 2^W · base: the next window's base.
            base = multiple;
        }
        let mut points = vec![AffinePoint::IDENTITY; projective.len()];
        ProjectivePoint::batch_normalize(&projective, &mut points);
        KeyTable { points }
    }

    /// `k · Q`.
    pub fn mul(&self, k: &Scalar) -> ProjectivePoint {
        let bytes = k.to_bytes(); // big-endian
        let mut acc = ProjectivePoint::identity();
        for window in 0..WINDOWS {
            let digit = digit(&bytes, window);
            if digit != 0 {
                if let Some(point) = self.points.get(window * DIGITS + digit - 1) {
                    acc += point;
                }
            }
        }
        acc
    }
}

/// Bits `[W·window, W·window + W)` of the big-endian 256-bit integer `bytes`.
fn digit(bytes: &[u8], window: usize) -> usize {
    let mut value = 0usize;
    for bit in 0..W {
        let index = window * W + bit;
        if index >= 256 {
            break;
        }
        let byte = bytes.get(31 - index / 8).copied().unwrap_or(0);
        value |= usize::from((byte >> (index % 8)) & 1) << bit;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::ops::Reduce;
    use p256::FieldBytes;
    use sha2::{Digest, Sha256};

    fn scalar(i: u32) -> Scalar {
        let digest = Sha256::digest(i.to_be_bytes());
        <Scalar as Reduce<FieldBytes>>::reduce(&digest)
    }

    #[test]
    fn table_multiplication_matches_the_curve() {
        let q = ProjectivePoint::GENERATOR * scalar(99);
        let table = KeyTable::new(&q);
        for i in 0..64 {
            let k = scalar(i);
            assert_eq!(table.mul(&k), q * k);
        }
        assert_eq!(table.mul(&Scalar::ZERO), ProjectivePoint::identity());
        assert_eq!(table.mul(&Scalar::ONE), q);
        assert_eq!(table.mul(&-Scalar::ONE), -q);
    }
}
