//! The verified-token cache: repeat tokens skip the signature check but never the claim checks,
//! and signatures other than the one that verified are verified again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{flip_s, signature_bytes, with_signature, TestKey};
use serde_json::json;
use tessera::ErrorCode;

#[test]
fn repeat_tokens_still_get_every_claim_check() {
    let key = TestKey::new("k1");
    let verifier = common::verifier(json!({ "jwks": key.jwks(), "issuer": "https://iss", "audience": "api" })).unwrap();
    let token = key.mint_claims(&json!({ "iss": "https://iss", "aud": "api", "sub": "u", "exp": 2_000, "nbf": 1_000, "scope": "read" }));
    assert_eq!(verifier.verify(&token, common::at(1_500.0), &[]).unwrap()["sub"], "u");
    assert_eq!(verifier.cached(), 1);
    // Served from the cache, but exp, nbf and scopes are checked at the new `now` every time.
    assert_eq!(verifier.verify(&token, common::at(1_600.0), &["read".into()]).unwrap()["sub"], "u");
    assert_eq!(
        verifier.verify(&token, common::at(2_000.0), &[]).unwrap_err().code(),
        ErrorCode::Expired
    );
    assert_eq!(
        verifier.verify(&token, common::at(999.0), &[]).unwrap_err().code(),
        ErrorCode::NotYetValid
    );
    assert_eq!(
        verifier.verify(&token, common::at(1_600.0), &["admin".into()]).unwrap_err().code(),
        ErrorCode::InsufficientScope
    );
    assert_eq!(verifier.cached(), 1);
}

#[test]
fn other_signatures_for_a_cached_signing_input_are_verified_again() {
    let key = TestKey::new("k1");
    let verifier = common::verifier(json!({ "jwks": key.jwks() })).unwrap();
    let token = key.mint_claims(&json!({ "sub": "u" }));
    verifier.verify(&token, common::at(10.0), &[]).unwrap();
    // A tampered signature on the same signing input is still refused.
    let mut bad = signature_bytes(&token);
    bad[10] ^= 1;
    assert_eq!(
        verifier
            .verify(&with_signature(&token, &bad), common::at(10.0), &[])
            .unwrap_err()
            .code(),
        ErrorCode::BadSignature
    );
    // The malleated twin (r, n - s) is valid: verified, then accepted.
    let twin = with_signature(&token, &flip_s(&signature_bytes(&token)));
    assert_ne!(twin, token);
    assert_eq!(verifier.verify(&twin, common::at(10.0), &[]).unwrap()["sub"], "u");
    // A different key set (another verifier) never sees this cache.
    let other = TestKey::new("k1");
    let stranger = common::verifier(json!({ "jwks": other.jwks() })).unwrap();
    assert_eq!(
        stranger.verify(&token, common::at(10.0), &[]).unwrap_err().code(),
        ErrorCode::BadSignature
    );
}

#[test]
fn cached_tokens_stop_verifying_when_their_key_leaves_the_remote_set() {
    let (k1, k2) = (TestKey::new("k1"), TestKey::new("k2"));
    let mut verifier = common::verifier(json!({ "jwksUrl": "https://issuer.example/jwks" })).unwrap();
    let load = |verifier: &mut tessera::Verifier, set: serde_json::Value, now: f64| {
        let tessera::verifier::Keys::Remote(remote) = &mut verifier.keys else {
            panic!("remote")
        };
        let _ = remote.begin_fetch(common::at(now));
        remote.complete_fetch(200, set.to_string().as_bytes(), common::at(now)).unwrap();
    };
    load(&mut verifier, k1.jwks(), 1.0);
    let token = k1.mint_claims(&json!({ "sub": "u" }));
    assert_eq!(verifier.verify(&token, common::at(2.0), &[]).unwrap()["sub"], "u");
    assert_eq!(verifier.cached(), 1);
    // The provider rotated k1 out: the cached verification of the k1 token must not be served.
    load(&mut verifier, k2.jwks(), 3.0);
    assert_eq!(
        verifier.verify(&token, common::at(4.0), &[]).unwrap_err().code(),
        ErrorCode::NoMatchingKey
    );
    // The same set again is still a new fetch: a token verified before it is checked again.
    let t2 = k2.mint_claims(&json!({ "sub": "v" }));
    verifier.verify(&t2, common::at(4.0), &[]).unwrap();
    load(&mut verifier, json!({ "keys": [] }), 5.0);
    assert_eq!(
        verifier.verify(&t2, common::at(6.0), &[]).unwrap_err().code(),
        ErrorCode::NoMatchingKey
    );
}
