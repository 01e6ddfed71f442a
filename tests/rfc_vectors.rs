//! Known-answer vectors from the RFCs: RFC 7515 Appendix A.3 (ES256 JWS) and RFC 7638
//! (JWK thumbprints) through the public API.

// Test code: panicking on a broken expectation is the point (clippy's allow-*-in-tests settings
// only cover `#[test]` functions, not the helpers they call).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{at, b64, code, object, segments};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tessera::authority::signer::{SignOptions, SignerOptions};
use tessera::jose::jwa::Algorithm;
use tessera::jose::jwk::{self, Jwk, Parsed};
use tessera::jose::jws;
use tessera::jose::jwt::{self, Validation};
use tessera::{ErrorCode, KeySet, Signer, Time, Verifier, VerifierOptions};

/// RFC 7515 Appendix A.3.1: the complete JWS.
const A3_TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const A3_D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
const A3_EXP: f64 = 1_300_819_380.0;
const IS_ROOT: &str = "http://example.com/is_root";

fn a3_public() -> Value {
    json!({ "kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y })
}

fn a3_private() -> Value {
    json!({ "kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y, "d": A3_D })
}

fn a3_keys() -> KeySet {
    KeySet::from_json(&json!({ "keys": [a3_public()] })).expect("A.3 key set")
}

fn validation(options: Value) -> Validation {
    let options = VerifierOptions::from_json(options).expect("options");
    Validation::new(&options.rules).expect("validation")
}

/// Replaces the character at `index` of the signature segment with another alphabet character.
fn tamper_signature(token: &str, index: usize) -> String {
    let (header, payload, signature) = segments(token);
    let mut chars: Vec<char> = signature.chars().collect();
    chars[index] = if chars[index] == 'A' { 'B' } else { 'A' };
    format!("{header}.{payload}.{}", chars.into_iter().collect::<String>())
}

#[test]
fn a3_segments_decode_to_the_rfc_text() {
    let (header, payload, signature) = segments(A3_TOKEN);
    assert_eq!(b64::decode(&header, "h").expect("header"), br#"{"alg":"ES256"}"#);
    assert_eq!(
        b64::decode(&payload, "p").expect("payload"),
        b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
    );
    let raw = b64::decode(&signature, "s").expect("signature");
    assert_eq!(raw.len(), 64, "raw r || s");
    // Every segment is canonical: re-encoding gives the same text.
    assert_eq!(b64::encode(&raw), signature);
}

#[test]
fn a3_verifies_through_jwt_verify_before_exp() {
    let keys = a3_keys();
    assert_eq!(keys.len(), 1);
    let claims = jwt::verify(A3_TOKEN, &keys, &validation(json!({})), at(A3_EXP - 10.0), &[]).expect("A.3 verifies");
    assert_eq!(claims.get("iss"), Some(&json!("joe")));
    assert_eq!(claims.get(IS_ROOT), Some(&json!(true)));
    assert_eq!(claims.get("exp").and_then(Value::as_f64), Some(A3_EXP));
    assert_eq!(claims.len(), 3);
    // One second before exp is still valid; issuer "joe" matches when required.
    let strict = validation(json!({ "issuer": "joe", "requiredClaims": ["exp", IS_ROOT] }));
    assert!(jwt::verify(A3_TOKEN, &keys, &strict, at(A3_EXP - 1.0), &[]).is_ok());
    assert_eq!(
        code(&jwt::verify(
            A3_TOKEN,
            &keys,
            &validation(json!({ "issuer": "jane" })),
            at(A3_EXP - 10.0),
            &[]
        )),
        Some(ErrorCode::BadIssuer)
    );
}

#[test]
fn a3_through_the_verifier_and_the_jws_layer() {
    let verifier = Verifier::new(&VerifierOptions {
        jwks: Some(json!({ "keys": [a3_public()] })),
        ..VerifierOptions::default()
    })
    .expect("verifier");
    let claims = verifier.verify(A3_TOKEN, at(1_300_819_370.0), &[]).expect("verifies");
    assert_eq!(claims.get("iss"), Some(&json!("joe")));
    let verified = jws::verify_compact(A3_TOKEN, &a3_keys(), Some(&[Algorithm::Es256])).expect("JWS verifies");
    assert_eq!(verified.header.alg, "ES256");
    assert!(verified.header.kid.is_none() && verified.header.typ.is_none());
    // With no algorithm allowed, the same token is refused before any key is chosen.
    assert_eq!(
        code(&jws::verify_compact(A3_TOKEN, &a3_keys(), Some(&[]))),
        Some(ErrorCode::AlgNotAllowed)
    );
}

#[test]
fn a3_is_expired_at_exp() {
    let keys = a3_keys();
    for now in [A3_EXP, A3_EXP + 1.0, A3_EXP + 1e6] {
        let error = jwt::verify(A3_TOKEN, &keys, &validation(json!({})), at(now), &[]).expect_err("expired");
        assert_eq!(error.code(), ErrorCode::Expired, "now = {now}");
        assert_eq!(error.claim_name(), Some("exp"));
        assert_eq!(error.code().as_str(), "ERR_EXPIRED");
    }
    // A clock tolerance of 5 s keeps it valid until exp + 5 (exclusive).
    let lenient = validation(json!({ "clockTolerance": 5 }));
    assert!(jwt::verify(A3_TOKEN, &keys, &lenient, at(A3_EXP + 4.0), &[]).is_ok());
    assert_eq!(
        code(&jwt::verify(A3_TOKEN, &keys, &lenient, at(A3_EXP + 5.0), &[])),
        Some(ErrorCode::Expired)
    );
}

#[test]
fn a3_with_a_tampered_signature_is_bad_signature() {
    let keys = a3_keys();
    let rules = validation(json!({}));
    let (_, _, signature) = segments(A3_TOKEN);
    // Every non-final position (the final one also carries unused bits).
    for index in 0..signature.len() - 1 {
        let tampered = tamper_signature(A3_TOKEN, index);
        let error = jwt::verify(&tampered, &keys, &rules, at(A3_EXP - 10.0), &[]).expect_err("tampered");
        assert_eq!(error.code(), ErrorCode::BadSignature, "index {index}");
        assert_eq!(error.message(), "signature verification failed");
    }
    // An expired token with a bad signature reports the signature, not the expiry: claims are
    // only looked at once the signature holds.
    assert_eq!(
        code(&jwt::verify(&tamper_signature(A3_TOKEN, 0), &keys, &rules, at(A3_EXP + 10.0), &[])),
        Some(ErrorCode::BadSignature)
    );
    // Tampered payload (the exp changed), original signature.
    let (header, _, signature) = segments(A3_TOKEN);
    let forged = format!(
        "{header}.{}.{signature}",
        b64::encode(br#"{"iss":"joe","exp":9999999999,"http://example.com/is_root":true}"#)
    );
    assert_eq!(
        code(&jwt::verify(&forged, &keys, &rules, at(A3_EXP + 10.0), &[])),
        Some(ErrorCode::BadSignature)
    );
}

#[test]
fn a3_requires_typ_when_configured() {
    // The A.3 header has no typ.
    let rules = validation(json!({ "typ": "JWT" }));
    let error = jwt::verify(A3_TOKEN, &a3_keys(), &rules, at(A3_EXP - 10.0), &[]).expect_err("no typ");
    assert_eq!(error.code(), ErrorCode::BadType);
    assert_eq!(error.claim_name(), Some("typ"));
}

#[test]
fn a3_private_key_signs_with_the_signer_and_verifies() {
    let signer = Signer::new(&SignerOptions {
        private_jwk: a3_private(),
        issuer: Some("joe".into()),
        audience: None,
    })
    .expect("signer");
    // Without a kid in the JWK the signer's kid is the RFC 7638 thumbprint.
    assert_eq!(signer.kid(), jwk::thumbprint(&object(a3_public())).expect("thumbprint"));
    let mut claims = Map::new();
    claims.insert(IS_ROOT.into(), Value::Bool(true));
    let now = 1_300_819_370.0;
    let token = signer
        .sign(
            claims,
            &SignOptions {
                now: Some(now),
                expires_in: Some(10),
                typ: None,
            },
            Time::from_secs(0),
        )
        .expect("sign");
    let (header, _, _) = segments(&token);
    let header = object(serde_json::from_slice(&b64::decode(&header, "h").expect("header")).expect("json"));
    assert_eq!(header.get("alg"), Some(&json!("ES256")));
    assert_eq!(header.get("typ"), Some(&json!("at+jwt")));
    assert_eq!(header.get("kid"), Some(&json!(signer.kid())));

    // The published key must carry the kid the token names.
    let keys = KeySet::from_json(&json!({ "keys": [signer.public_jwk()] })).expect("set");
    let claims = jwt::verify(
        &token,
        &keys,
        &validation(json!({ "issuer": "joe", "typ": "at+jwt", "requiredClaims": ["jti"] })),
        at(now),
        &[],
    )
    .expect("verifies");
    assert_eq!(claims.get("iss"), Some(&json!("joe")));
    assert_eq!(claims.get(IS_ROOT), Some(&json!(true)));
    assert_eq!(claims.get("iat").and_then(Value::as_f64), Some(now));
    assert_eq!(claims.get("exp").and_then(Value::as_f64), Some(A3_EXP));
    assert_eq!(
        code(&jwt::verify(&token, &keys, &validation(json!({})), at(A3_EXP), &[])),
        Some(ErrorCode::Expired)
    );

    // A set whose only key has no kid does not match a token that names a kid.
    assert_eq!(
        code(&jwt::verify(&token, &a3_keys(), &validation(json!({})), at(now), &[])),
        Some(ErrorCode::NoMatchingKey)
    );
    // Tokens from the A.3 key verify against A.3 public coordinates: same key, other kid.
    let other_kid =
        KeySet::from_json(&json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y, "kid": "other" }] })).expect("set");
    assert_eq!(
        code(&jwt::verify(&token, &other_kid, &validation(json!({})), at(now), &[])),
        Some(ErrorCode::NoMatchingKey)
    );
}

#[test]
fn a3_private_key_signs_the_a3_signing_input_deterministically() {
    let key = jwk::parse_private(&object(a3_private())).expect("private JWK");
    let private = key.private.as_ref().expect("private");
    let (x, y) = private.public_key().coordinates();
    assert_eq!((b64::encode(&x), b64::encode(&y)), (A3_X.to_string(), A3_Y.to_string()));
    assert_eq!(b64::encode(&private.scalar()), A3_D);
    let (header, payload, _) = segments(A3_TOKEN);
    let signing_input = format!("{header}.{payload}");
    let first = private.sign(signing_input.as_bytes());
    // RFC 6979 nonces: the same input gives the same signature (the RFC's is randomized, so it
    // differs from A.3's, but both verify).
    assert_eq!(first, private.sign(signing_input.as_bytes()));
    let token = format!("{signing_input}.{}", b64::encode(&first));
    assert_ne!(token, A3_TOKEN);
    let claims = jwt::verify(&token, &a3_keys(), &validation(json!({})), at(A3_EXP - 10.0), &[]).expect("verifies");
    assert_eq!(claims.get("iss"), Some(&json!("joe")));
}

/// RFC 7638 §3: the SHA-256 of `{"crv":…,"kty":"EC","x":…,"y":…}`, built independently here.
fn independent_ec_thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    b64::encode(&Sha256::digest(canonical.as_bytes()))
}

#[test]
fn ec_thumbprint_is_consistent() {
    let expected = independent_ec_thumbprint(A3_X, A3_Y);
    // Member order, optional members and the private scalar do not change the thumbprint.
    let variants = [
        a3_public(),
        a3_private(),
        json!({ "y": A3_Y, "x": A3_X, "kty": "EC", "crv": "P-256", "kid": "k", "alg": "ES256", "use": "sig", "key_ops": ["verify"] }),
    ];
    for variant in variants {
        let map = object(variant.clone());
        assert_eq!(jwk::thumbprint(&map).expect("thumbprint"), expected, "{variant}");
        let Ok(Parsed::P256(key)) = jwk::parse(&map) else {
            panic!("A.3 key must parse as P-256")
        };
        assert_eq!(key.thumbprint(), expected, "Jwk::thumbprint for {variant}");
        // The JSON a Jwk writes out has the same thumbprint as the Jwk itself.
        assert_eq!(
            jwk::thumbprint(&object(key.to_public_json())).expect("thumbprint"),
            key.thumbprint()
        );
    }
    // Generated keys: Jwk::thumbprint equals the thumbprint of their own JSON, public or private,
    // and becomes the kid when none is given.
    for _ in 0..8 {
        let generated = Jwk::generate(None).expect("generate");
        let public = object(generated.to_public_json());
        let private = object(generated.to_private_json().expect("private"));
        let tp = generated.thumbprint();
        assert_eq!(jwk::thumbprint(&public).expect("tp"), tp);
        assert_eq!(jwk::thumbprint(&private).expect("tp"), tp);
        let x = public.get("x").and_then(Value::as_str).expect("x");
        let y = public.get("y").and_then(Value::as_str).expect("y");
        assert_eq!(independent_ec_thumbprint(x, y), tp);
        assert_eq!(generated.kid.as_deref(), Some(tp.as_str()));
        assert_eq!(tp.len(), 43, "base64url of 32 bytes");
    }
    // Different keys have different thumbprints.
    assert_ne!(
        Jwk::generate(None).expect("g").thumbprint(),
        Jwk::generate(None).expect("g").thumbprint()
    );
}

#[test]
fn rfc7638_section_3_1_rsa_known_answer_through_the_public_api() {
    let rsa = object(json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    }));
    assert_eq!(
        jwk::thumbprint(&rsa).expect("thumbprint"),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}
