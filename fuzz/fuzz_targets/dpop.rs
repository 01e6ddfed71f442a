//! DPoP at the resource server (`Verifier::attempt_request`) from untrusted input.
//!
//! Two shapes of input:
//! * raw: UTF-8 text `METHOD \n URL \n AUTHORIZATION \n DPOP` (missing lines are absent headers),
//!   through the whole request path with nonces on and the built-in replay cache; and the URL
//!   through `normalize_htu`, whose output must be a fixed point (normalising it again changes
//!   nothing) and parse as an http(s) URL without query or fragment;
//! * structured: `PROOF_CLAIMS 0xFF TOKEN_CLAIMS [0xFF SELECTORS]`: fuzzer-chosen JSON signed
//!   with the fixture key as a proof (`typ dpop+jwt`, the fixture public key as `jwk`) and as
//!   the access token, so the fuzzer reaches every claim check. Whatever is accepted must really
//!   satisfy RFC 9449 §4.3 as the spec says: `htm` equals the method, `htu` normalises to the
//!   request URL's normal form, `ath` is the token's hash, the token's `cnf.jkt` is the key's
//!   thumbprint, `iat` within the window, the nonce the current one; and the same request again
//!   is a replay. In the proof's claims `$ath` and `$nonce` are replaced by the token's hash and
//!   the server's current nonce before signing (the fuzzer could not compute them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tessera::fuzzing::b64;
use tessera::jose::dpop::{normalize_htu, token_hash};
use tessera::verifier::{RequestParts, Step, Verifier, VerifierOptions};
use tessera::ErrorCode;

#[path = "../common/mod.rs"]
mod common;

const METHOD: &str = "GET";
const URL: &str = "https://api.example/orders?x=1";

fn verifier(nonces: bool) -> Verifier {
    let dpop = if nonces {
        json!({ "nonceSecret": b64::encode(&[3u8; 32]), "maxAge": 60 })
    } else {
        json!({ "maxAge": 60 })
    };
    let options = json!({ "jwks": { "keys": [common::public_jwk()] }, "dpop": dpop });
    let options = VerifierOptions::from_json(options).unwrap_or_default();
    match Verifier::new(&options) {
        Ok(v) => v,
        Err(e) => panic!("fixture verifier: {e}"),
    }
}

fn run(verifier: &mut Verifier, request: &RequestParts<'_>) -> Result<String, ErrorCode> {
    match verifier.attempt_request(request, common::now(), &[], false) {
        Ok(Step::Done((claims, None))) => Ok(claims),
        Ok(other) => panic!("a local key set with the built-in replay cache: {other:?}"),
        Err(e) => Err(e.code()),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        raw(text);
    }
    if let Some(split) = data.iter().position(|&b| b == 0xFF) {
        let proof = &data[..split];
        let rest = &data[split + 1..];
        let (token, selectors) = match rest.iter().position(|&b| b == 0xFF) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        structured(proof, token, selectors);
    }
});

fn raw(text: &str) {
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or_default();
    let url = lines.next().unwrap_or_default();
    let authorization = lines.next();
    let dpop = lines.next();
    let mut v = verifier(true);
    let _ = run(&mut v, &RequestParts { method, url, authorization, dpop });
    for candidate in [text, url] {
        if let Some(normal) = normalize_htu(candidate) {
            assert_eq!(normalize_htu(&normal).as_deref(), Some(normal.as_str()), "not a fixed point: {candidate:?}");
            assert!(!normal.contains(['?', '#']), "{normal:?}");
            assert!(normal.starts_with("http://") || normal.starts_with("https://"), "{normal:?}");
        }
    }
}

fn structured(proof_claims: &[u8], token_claims: &[u8], selectors: &[u8]) {
    let mut jwk = common::public_jwk();
    if let Some(map) = jwk.as_object_mut() {
        map.remove("kid");
    }
    let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": jwk }).to_string();
    let nonces = selectors.get(2).is_some_and(|s| s & 1 == 1);
    let mut v = verifier(nonces);
    // `$nonce` in the proof's claims stands for the server's current nonce (the fuzzer cannot
    // compute an HMAC), `$ath` for the token's hash.
    let token = common::sign(common::HEADER.as_bytes(), token_claims);
    let nonce = v.dpop.nonce(common::now()).unwrap_or_default();
    let proof_claims = String::from_utf8_lossy(proof_claims).replace("$nonce", &nonce).replace("$ath", &token_hash(&token));
    let proof_claims = proof_claims.as_bytes();
    let proof = common::sign(header.as_bytes(), proof_claims);
    let scheme = if selectors.first().is_some_and(|s| s & 1 == 1) { "Bearer" } else { "DPoP" };
    let authorization = format!("{scheme} {token}");
    let url = if selectors.get(1).is_some_and(|s| s & 1 == 1) { "HTTPS://API.example:443/orders#f" } else { URL };
    let request = RequestParts {
        method: METHOD,
        url,
        authorization: Some(&authorization),
        dpop: (scheme == "DPoP").then_some(proof.as_str()),
    };
    let Ok(_) = run(&mut v, &request) else { return };
    if scheme == "Bearer" {
        return;
    }
    // Accepted: the proof and the token really say what RFC 9449 requires.
    let claims: Value = serde_json::from_slice(proof_claims).unwrap_or_default();
    let token_json: Value = serde_json::from_slice(token_claims).unwrap_or_default();
    assert_eq!(claims["htm"], METHOD);
    assert_eq!(normalize_htu(claims["htu"].as_str().unwrap_or_default()), normalize_htu(url));
    assert_eq!(claims["ath"].as_str(), Some(token_hash(&token).as_str()));
    let thumbprint = tessera::jose::jwk::thumbprint(jwk.as_object().unwrap_or(&Default::default())).unwrap_or_default();
    assert_eq!(token_json["cnf"]["jkt"].as_str(), Some(thumbprint.as_str()));
    let iat = claims["iat"].as_i64().unwrap_or(i64::MIN);
    assert!(iat <= common::NOW_SECS && iat >= common::NOW_SECS - 60, "iat {iat}");
    if nonces {
        assert_eq!(claims["nonce"].as_str(), Some(nonce.as_str()), "nonces are on: an accepted proof has the current one");
    }
    // The same request again is a replay.
    assert_eq!(run(&mut v, &request), Err(ErrorCode::DpopReplay));
}
