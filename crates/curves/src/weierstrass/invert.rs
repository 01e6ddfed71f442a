//! Modular inversion of public values by the binary algorithm (the binary extended Euclidean
//! algorithm with its halvings done modulo m: Hankerson, Menezes and Vanstone, *Guide to Elliptic
//! Curve Cryptography* §2.2.5), on `crypto-bigint`'s `Uint` (through `p384`).
//!
//! Why not the curve crate's own `invert_vartime` (crypto-bigint's safegcd): ES384 is the only
//! user of 384-bit inversions in the verify build (the scalar `s⁻¹` of every verification, and the
//! field inversion that takes a batch of points to affine form), and safegcd's instance for 6
//! limbs is 3.6 KB of wasm there, against 1.4 KB for this loop, which only needs addition,
//! subtraction, a one-bit shift and comparison. Measured in the verify build: 110,835 → 109,940
//! bytes gzip. It is slower (one bit per step, where safegcd works on 62 bits at a time): ES384
//! `verifySync` 6–10 % slower in an A/B in one Node process, still 1.5× jose (`bench/README.md`).
//! P-256 keeps p256's own inversion: ES256 is the hot path, and its 4-limb safegcd stays in the
//! build for it anyway.
//!
//! Variable time in every input: only for public values (signatures, points built from public
//! keys), never for secrets.

use core::cmp::Ordering;

use p384::elliptic_curve::bigint::Uint;

/// `a⁻¹ mod m` for an odd modulus `m > 1` and `a` in `[1, m − 1]`; `None` for any other input or
/// when `a` and `m` are not coprime (never, for a prime `m`). Always terminates: `u + v` falls at
/// every step.
pub fn invert_vartime<const L: usize>(a: &Uint<L>, m: &Uint<L>) -> Option<Uint<L>> {
    let odd = |x: &Uint<L>| bool::from(x.is_odd());
    if !odd(m) || *m == Uint::ONE || a.is_zero_vartime() || a.cmp_vartime(m) != Ordering::Less {
        return None;
    }
    // x / 2 mod m for an odd x < m is ⌊x / 2⌋ + (m + 1) / 2, which stays below m: no overflow.
    let half = m.wrapping_shr_vartime(1).wrapping_add(&Uint::ONE);
    let halve = |x: &Uint<L>| {
        let shifted = x.wrapping_shr_vartime(1);
        if odd(x) {
            shifted.wrapping_add(&half)
        } else {
            shifted
        }
    };
    // x − y mod m for x, y < m.
    let sub = |x: &Uint<L>, y: &Uint<L>| {
        let difference = x.wrapping_sub(y);
        if x.cmp_vartime(y) == Ordering::Less {
            difference.wrapping_add(m)
        } else {
            difference
        }
    };
    // Pairs (u, x) with u ≡ x·a (mod m) and u positive; gcd of the two u's = gcd(a, m).
    let mut pairs = [(*a, Uint::<L>::ONE), (*m, Uint::<L>::ZERO)];
    loop {
        for (u, x) in pairs.iter_mut() {
            while !odd(u) {
                *u = u.wrapping_shr_vartime(1);
                *x = halve(x);
            }
            if *u == Uint::ONE {
                return Some(*x);
            }
        }
        // Both odd and above 1: the larger minus the smaller is even and positive.
        let [first, second] = &mut pairs;
        let (larger, smaller) = match first.0.cmp_vartime(&second.0) {
            Ordering::Greater => (first, second),
            Ordering::Less => (second, first),
            Ordering::Equal => return None,
        };
        larger.0 = larger.0.wrapping_sub(&smaller.0);
        larger.1 = sub(&larger.1, &smaller.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p384::elliptic_curve::bigint::{U384, U64};
    use p384::elliptic_curve::ff::PrimeField as _;
    use p384::elliptic_curve::ops::Reduce;
    use p384::{FieldBytes, Scalar};
    use sha2::{Digest, Sha384};

    const N: U384 = U384::from_be_hex("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");

    fn scalar_bytes(value: &Scalar) -> U384 {
        U384::from_be_slice(&value.to_repr())
    }

    #[test]
    fn agrees_with_p384_on_random_scalars_and_the_edges() {
        let mut values: Vec<Scalar> = (0u32..2000)
            .map(|i| <Scalar as Reduce<FieldBytes>>::reduce(&Sha384::digest(i.to_be_bytes())))
            .filter(|s| !bool::from(s.is_zero()))
            .collect();
        // 1, 2, n − 1, n − 2, (n + 1) / 2, powers of two.
        values.extend([
            Scalar::ONE,
            Scalar::from(2u64),
            -Scalar::ONE,
            -Scalar::from(2u64),
            Scalar::from(2u64).invert().unwrap(),
        ]);
        values.extend((0..383).scan(Scalar::ONE, |power, _| {
            *power = power.double();
            Some(*power)
        }));
        for value in values {
            let expected = scalar_bytes(&value.invert().unwrap());
            assert_eq!(invert_vartime(&scalar_bytes(&value), &N), Some(expected), "{value:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_invertible_here() {
        assert_eq!(invert_vartime(&U384::ZERO, &N), None);
        assert_eq!(invert_vartime(&N, &N), None);
        assert_eq!(invert_vartime(&N.wrapping_add(&U384::ONE), &N), None);
        assert_eq!(invert_vartime(&U384::MAX, &N), None);
        // An even modulus, the modulus 1, and a value sharing a factor with the modulus.
        assert_eq!(invert_vartime(&U64::from(3u64), &U64::from(10u64)), None);
        assert_eq!(invert_vartime(&U64::ZERO, &U64::ONE), None);
        assert_eq!(invert_vartime(&U64::from(6u64), &U64::from(15u64)), None);
        assert_eq!(invert_vartime(&U64::from(15u64), &U64::from(15u64)), None);
        // Small moduli by brute force.
        for m in (3u64..200).step_by(2) {
            for a in 1..m {
                let expected = (1..m).find(|x| a * x % m == 1);
                let got = invert_vartime(&U64::from(a), &U64::from(m)).map(|x| x.as_words()[0]);
                assert_eq!(got, expected, "{a}⁻¹ mod {m}");
            }
        }
    }
}
