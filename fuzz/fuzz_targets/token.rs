//! Compact JWS / JWT verification from untrusted input.
//!
//! Two shapes of input:
//! * raw: UTF-8 bytes are a token string, run through `jws::parse_compact` and `jwt::verify`
//!   (structure, base64url, header JSON, crit/b64/alg/kid/typ, key selection, signature);
//! * structured: `HEADER 0xFF PAYLOAD [0xFF SELECTORS]` (or, for input starting with `{`, the
//!   whole input as the payload under a fixed valid header). Header and payload bytes are
//!   base64url-encoded and signed with the fixture private key, so the fuzzer gets past the
//!   signature into payload decoding and claim validation. 0xFF never occurs in UTF-8, so it
//!   cannot clash with the JSON.
//!
//! Beyond "no panic", the structured mode checks that `jwt::verify` equals its specification
//! composed from the parts (parse header → alg → key → claims → exact integers → validate),
//! that accepted claims really satisfy the strict validation (numbers within ±(2^53−1)
//! included), and that a changed signature never verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use tessera::fuzzing::{b64, json};
use tessera::jose::jwa::Algorithm;
use tessera::jose::{jws, jwt};
use tessera::{ErrorCode, Time};

#[path = "../common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        raw(text);
    }
    if let Some(split) = data.iter().position(|&b| b == 0xFF) {
        let header = &data[..split];
        let rest = &data[split + 1..];
        let (payload, selectors) = match rest.iter().position(|&b| b == 0xFF) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        structured(header, payload, selectors);
    } else if data.first() == Some(&b'{') {
        structured(common::HEADER.as_bytes(), data, &[]);
    }
});

fn raw(text: &str) {
    if let Ok(compact) = jws::parse_compact(text) {
        // The parts are the three segments, the signing input the first two with their dot.
        let segments: Vec<&str> = text.split('.').collect();
        assert_eq!(segments.len(), 3);
        assert_eq!(compact.payload, segments[1]);
        assert_eq!(compact.signature, segments[2]);
        assert_eq!(compact.signing_input.len(), segments[0].len() + 1 + segments[1].len());
        assert!(text.starts_with(compact.signing_input));
        // Strict base64url: the header decoded, so it must be the one canonical encoding.
        if let Ok(bytes) = b64::decode(segments[0], "") {
            assert_eq!(b64::encode(&bytes), segments[0]);
        }
        assert_eq!(compact.header.members.get("alg").and_then(Value::as_str), Some(compact.header.alg.as_str()));
    }
    let validations = common::validations();
    let _ = jwt::verify(text, common::key_set(), &validations[0], common::now(), &common::scopes(1));
    // Every algorithm family (RSA PKCS#1 v1.5 and PSS, Ed25519, P-384) with keys bound to them: a
    // token verifies only under an algorithm Tessera implements, allowed by the list, that its
    // key is bound to.
    for allowed in [None, Some(&Algorithm::ALL[..]), Some(&[Algorithm::Rs256, Algorithm::EdDsa][..])] {
        if let Ok(verified) = jws::verify_compact(text, common::mixed_key_set(), allowed) {
            let alg = Algorithm::from_name(&verified.header.alg);
            assert!(alg.is_some_and(|alg| allowed.is_none_or(|list| list.contains(&alg))), "verified under {}", verified.header.alg);
            // The RSA key without alg ("rs") verifies only when the list chose one RSA family.
            if verified.header.kid.as_deref() == Some("rs") {
                assert!(allowed.is_some(), "an RSA key without alg verified without the algorithms option");
            }
        }
    }
}

/// What `jwt::verify` must return for a token whose signature is known to be good, composed
/// from the public parts: header checks, alg allow-list, key selection, claims, validation.
fn expected(token: &str, payload: &[u8], validation: &jwt::Validation, now: Time, scopes: &[String]) -> Result<Map<String, Value>, ErrorCode> {
    let compact = jws::parse_compact(token).map_err(|e| e.code())?;
    if compact.header.alg != "ES256" {
        return Err(ErrorCode::AlgNotAllowed);
    }
    if compact.header.kid.as_deref().is_some_and(|kid| kid != common::KID) {
        return Err(ErrorCode::NoMatchingKey);
    }
    let claims = json::parse_object(payload, "claims").map_err(|e| e.code())?;
    json::check_exact_integers(&claims).map_err(|e| e.code())?;
    validation.validate(&compact.header, &claims, now, scopes).map_err(|e| e.code())?;
    Ok(claims)
}

fn structured(header: &[u8], payload: &[u8], selectors: &[u8]) {
    let now = common::now_at(selectors.first().copied().unwrap_or(0));
    let scopes = common::scopes(selectors.get(1).copied().unwrap_or(1));
    let token = common::sign(header, payload);
    let validations = common::validations();

    for (i, validation) in validations.iter().enumerate() {
        // The signature check is the expensive part: run the full path for the strict
        // configuration only and validate the same claims directly for the others.
        let actual = if i == 0 {
            jwt::verify(&token, common::key_set(), validation, now, &scopes).map_err(|e| e.code())
        } else {
            match jws::parse_compact(&token) {
                Ok(compact) if compact.header.alg == "ES256" && compact.header.kid.as_deref().is_none_or(|k| k == common::KID) => json::parse_object(payload, "claims")
                    .and_then(|claims| json::check_exact_integers(&claims).map(|()| claims))
                    .map_err(|e| e.code())
                    .and_then(|claims| validation.validate(&compact.header, &claims, now, &scopes).map(|()| claims).map_err(|e| e.code())),
                _ => continue,
            }
        };
        assert_eq!(actual, expected(&token, payload, validation, now, &scopes), "verify differs from its composition");
        if let Ok(claims) = &actual {
            check_accepted(validation, i, claims, now, &scopes, &token);
        }
    }
}

/// Properties of an accepted token that hold whatever path the code took to accept it.
fn check_accepted(validation: &jwt::Validation, index: usize, claims: &Map<String, Value>, now: Time, scopes: &[String], token: &str) {
    assert!(json::check_exact_integers(claims).is_ok(), "accepted a number beyond ±(2^53−1)");
    let secs = now.secs_f64();
    for claim in &validation.required_claims {
        assert!(claims.contains_key(claim), "accepted without required claim {claim}");
    }
    if let Some(issuers) = &validation.issuer {
        let iss = claims.get("iss").and_then(Value::as_str);
        assert!(iss.is_some_and(|iss| issuers.iter().any(|i| i == iss)), "accepted a foreign issuer");
    }
    match (&validation.audience, claims.get("aud")) {
        (None, aud) => assert!(aud.is_none(), "accepted an audience with none configured"),
        (Some(expected), Some(Value::String(aud))) => assert!(expected.contains(aud), "accepted a foreign audience"),
        (Some(expected), Some(Value::Array(auds))) => assert!(auds.iter().any(|a| a.as_str().is_some_and(|a| expected.iter().any(|e| e == a)))),
        (Some(_), other) => panic!("accepted aud {other:?}"),
    }
    let tolerance = validation.clock_tolerance as f64 / 1000.0;
    if let Some(exp) = claims.get("exp") {
        let exp = exp.as_f64().unwrap_or(f64::NAN);
        assert!(exp > secs - tolerance, "accepted an expired token");
    }
    if let Some(nbf) = claims.get("nbf") {
        assert!(nbf.as_f64().is_some_and(|nbf| nbf <= secs + tolerance), "accepted before nbf");
    }
    if let Some(iat) = claims.get("iat") {
        assert!(iat.as_f64().is_some_and(|iat| iat <= secs + tolerance), "accepted iat in the future");
    }
    if !scopes.is_empty() {
        let mut granted: Vec<&str> = claims.get("scope").and_then(Value::as_str).map(|s| s.split(' ').collect()).unwrap_or_default();
        if let Some(Value::Array(scp)) = claims.get("scp") {
            granted.extend(scp.iter().filter_map(Value::as_str));
        }
        assert!(scopes.iter().all(|s| !s.is_empty() && granted.contains(&s.as_str())), "accepted without the required scopes");
    }
    if index == 0 {
        // A different signature over the same input never verifies.
        let (signing_input, signature) = token.rsplit_once('.').unwrap_or_default();
        let mut raw_signature = b64::decode(signature, "").unwrap_or_default();
        if let Some(byte) = raw_signature.get_mut(7) {
            *byte ^= 0x01;
        }
        let tampered = format!("{signing_input}.{}", b64::encode(&raw_signature));
        let result = jwt::verify(&tampered, common::key_set(), validation, now, scopes);
        assert_eq!(result.map_err(|e| e.code()), Err(ErrorCode::BadSignature), "a changed signature verified");
    }
}
