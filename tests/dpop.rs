//! DPoP (RFC 9449) at the resource server, through the core: RFC 9449's own proofs, and every
//! refusal of §4.3 and §7.1 with its code, made by changing one thing of a good request.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{at, b64, TestKey};
use serde_json::{json, Value};
use tessera::jose::dpop::{self, Expected};
use tessera::jose::jwa::Algorithm;
use tessera::verifier::dpop::ProofSignature;
use tessera::verifier::dpop::ReplayWrite;
use tessera::verifier::signature::{RuntimeAlgorithms, Verdict};
use tessera::verifier::{challenge, RequestParts, RequestStep, Settled, Verifier, VerifierOptions};
use tessera::{ErrorCode, Result, Time};

const NOW: i64 = 1_800_000_000;
const URL: &str = "https://api.example/orders";

// RFC 9449 §4.2 (a proof for the token endpoint) and §7.1 (a proof for a resource request with
// its access token); both signed with the key whose thumbprint §6.1 shows.
const RFC_TOKEN_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
const RFC_RESOURCE_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA";
const RFC_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const RFC_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

fn expected<'a>(method: &'a str, url: &'a str, token: Option<&'a str>, now: i64) -> Expected<'a> {
    Expected {
        method,
        url,
        access_token: token,
        algorithms: &[Algorithm::Es256],
        now: Time::from_secs(now),
        max_age_ms: 300_000,
        tolerance_ms: 0,
    }
}

fn code<T: std::fmt::Debug>(result: Result<T>) -> (ErrorCode, Option<String>) {
    let error = result.expect_err("refused");
    (error.code(), error.claim_name().map(str::to_owned))
}

#[test]
fn rfc_9449_proofs() {
    let proof = dpop::check(
        RFC_TOKEN_PROOF,
        &expected("POST", "https://server.example.com/token", None, 1_562_262_616),
    )
    .unwrap();
    assert_eq!(proof.jkt, RFC_JKT);
    assert_eq!(proof.jti, "-BwC3ESc6acc2lTc");
    assert_eq!(proof.iat, Time::from_secs(1_562_262_616));
    let resource = expected(
        "GET",
        "https://resource.example.org/protectedresource",
        Some(RFC_ACCESS_TOKEN),
        1_562_262_618,
    );
    assert_eq!(dpop::check(RFC_RESOURCE_PROOF, &resource).unwrap().jkt, RFC_JKT);
    // The same proofs, one expectation changed at a time.
    let at = |now| expected("GET", "https://resource.example.org/protectedresource", Some(RFC_ACCESS_TOKEN), now);
    assert_eq!(
        code(dpop::check(RFC_RESOURCE_PROOF, &at(1_562_262_618 + 301))),
        (ErrorCode::InvalidDpopProof, Some("iat".into()))
    );
    assert_eq!(
        code(dpop::check(RFC_RESOURCE_PROOF, &at(1_562_262_617))),
        (ErrorCode::InvalidDpopProof, Some("iat".into()))
    );
    let other_token = expected(
        "GET",
        "https://resource.example.org/protectedresource",
        Some("another"),
        1_562_262_618,
    );
    assert_eq!(
        code(dpop::check(RFC_RESOURCE_PROOF, &other_token)),
        (ErrorCode::InvalidDpopProof, Some("ath".into()))
    );
    let no_token = expected("GET", "https://resource.example.org/protectedresource", None, 1_562_262_618);
    assert_eq!(
        code(dpop::check(RFC_RESOURCE_PROOF, &no_token)),
        (ErrorCode::InvalidDpopProof, Some("ath".into()))
    );
    let token_needed = expected("POST", "https://server.example.com/token", Some("t"), 1_562_262_616);
    assert_eq!(
        code(dpop::check(RFC_TOKEN_PROOF, &token_needed)),
        (ErrorCode::InvalidDpopProof, Some("ath".into()))
    );
    let post = expected(
        "POST",
        "https://resource.example.org/protectedresource",
        Some(RFC_ACCESS_TOKEN),
        1_562_262_618,
    );
    assert_eq!(
        code(dpop::check(RFC_RESOURCE_PROOF, &post)),
        (ErrorCode::InvalidDpopProof, Some("htm".into()))
    );
    let elsewhere = expected("GET", "https://resource.example.org/other", Some(RFC_ACCESS_TOKEN), 1_562_262_618);
    assert_eq!(
        code(dpop::check(RFC_RESOURCE_PROOF, &elsewhere)),
        (ErrorCode::InvalidDpopProof, Some("htu".into()))
    );
    // htu is compared normalised, without query and fragment.
    let same = expected(
        "GET",
        "HTTPS://Resource.Example.ORG:443/protectedresource?page=2#x",
        Some(RFC_ACCESS_TOKEN),
        1_562_262_618,
    );
    assert!(dpop::check(RFC_RESOURCE_PROOF, &same).is_ok());
    let mut tampered = RFC_RESOURCE_PROOF.to_owned();
    tampered.pop();
    tampered.push('B');
    assert_eq!(code(dpop::check(&tampered, &resource)).0, ErrorCode::InvalidDpopProof);
}

/// A client with its DPoP key, and an authority key that signs bound access tokens.
struct Setup {
    issuer: TestKey,
    client: TestKey,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            issuer: TestKey::new("issuer-key"),
            client: TestKey::new("client-dpop-key"),
        }
    }

    fn jkt(key: &TestKey) -> String {
        let jwk = key.public_json();
        tessera::jose::jwk::thumbprint(jwk.as_object().unwrap()).unwrap()
    }

    fn verifier(&self, dpop: Value) -> Verifier {
        let mut options = json!({ "jwks": self.issuer.jwks(), "issuer": "https://as.example", "audience": "api" });
        if !dpop.is_null() {
            options["dpop"] = dpop;
        }
        Verifier::new(&VerifierOptions::from_json(options).unwrap()).unwrap()
    }

    fn token(&self, bound_to: Option<&TestKey>) -> String {
        let mut claims = json!({ "iss": "https://as.example", "aud": "api", "sub": "alice", "exp": NOW + 600, "iat": NOW });
        if let Some(key) = bound_to {
            claims["cnf"] = json!({ "jkt": Setup::jkt(key) });
        }
        self.issuer.mint_claims(&claims)
    }

    /// A proof by `key`: `header` and `claims` are merged over good defaults (a `null` removes).
    fn proof_by(key: &TestKey, token: &str, header: Value, claims: Value) -> String {
        let mut jwk = key.public_json();
        jwk.as_object_mut().unwrap().remove("kid");
        let mut h = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": jwk });
        let mut c = json!({ "jti": "jti-0123456789", "htm": "GET", "htu": URL, "iat": NOW, "ath": dpop::token_hash(token) });
        for (target, extra) in [(&mut h, header), (&mut c, claims)] {
            for (name, value) in extra.as_object().cloned().unwrap_or_default() {
                if value.is_null() {
                    target.as_object_mut().unwrap().remove(&name);
                } else {
                    target[&name] = value;
                }
            }
        }
        key.mint(&h.to_string(), &c.to_string())
    }

    fn proof(&self, token: &str, header: Value, claims: Value) -> String {
        Setup::proof_by(&self.client, token, header, claims)
    }
}

fn request<'a>(method: &'a str, authorization: Option<&'a str>, proof: Option<&'a str>) -> RequestParts<'a> {
    RequestParts {
        method,
        url: URL,
        authorization,
        dpop: proof,
    }
}

fn run(verifier: &mut Verifier, request: &RequestParts<'_>, now: i64) -> Result<(Value, Option<ReplayWrite>)> {
    match verifier.attempt_request(request, Time::from_secs(now), &[], false, ProofSignature::InCore)? {
        RequestStep::Done { claims, replay } => Ok((serde_json::from_str(&claims).unwrap(), replay)),
        other => panic!("a local key set never fetches, and the core checks signatures: {other:?}"),
    }
}

#[test]
fn a_bound_token_with_its_proof_is_accepted_once() {
    let setup = Setup::new();
    let mut verifier = setup.verifier(Value::Null);
    let token = setup.token(Some(&setup.client));
    let authorization = format!("DPoP {token}");
    let proof = setup.proof(&token, json!({}), json!({}));
    let (claims, replay) = run(&mut verifier, &request("GET", Some(&authorization), Some(&proof)), NOW).unwrap();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(replay, None, "the built-in replay cache recorded the jti");
    assert_eq!(verifier.dpop.replay_cache_len(), 1);
    // The same proof again: a replay. A fresh jti: fine.
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&authorization), Some(&proof)), NOW + 1)),
        (ErrorCode::DpopReplay, Some("jti".into()))
    );
    let fresh = setup.proof(&token, json!({}), json!({ "jti": "another-jti-000" }));
    assert!(run(&mut verifier, &request("GET", Some(&authorization), Some(&fresh)), NOW + 1).is_ok());
    // An unbound token still works as Bearer.
    let bearer = format!("Bearer {}", setup.token(None));
    assert!(run(&mut verifier, &request("GET", Some(&bearer), None), NOW).is_ok());
}

#[test]
fn every_refusal_has_its_code() {
    let setup = Setup::new();
    let token = setup.token(Some(&setup.client));
    let authorization = format!("DPoP {token}");
    let refused = |header: Value, claims: Value, method: &str, now: i64| {
        let mut verifier = setup.verifier(Value::Null);
        let proof = setup.proof(&token, header, claims);
        let result = run(&mut verifier, &request(method, Some(&authorization), Some(&proof)), now);
        assert_eq!(verifier.dpop.replay_cache_len(), 0, "a refused proof is not recorded");
        code(result)
    };
    let proof_error = |claim: &str| (ErrorCode::InvalidDpopProof, Some(claim.to_owned()));
    assert_eq!(refused(json!({}), json!({}), "POST", NOW), proof_error("htm"));
    assert_eq!(refused(json!({}), json!({ "htm": "get" }), "GET", NOW), proof_error("htm"));
    assert_eq!(
        refused(json!({}), json!({ "htu": "https://api.example/other" }), "GET", NOW),
        proof_error("htu")
    );
    assert_eq!(
        refused(json!({}), json!({ "htu": "https://evil.example/orders" }), "GET", NOW),
        proof_error("htu")
    );
    assert_eq!(refused(json!({}), json!({ "htu": "/orders" }), "GET", NOW), proof_error("htu"));
    assert_eq!(
        refused(json!({}), json!({ "iat": NOW - 301 }), "GET", NOW),
        proof_error("iat"),
        "stale"
    );
    assert_eq!(
        refused(json!({}), json!({ "iat": NOW + 5 }), "GET", NOW),
        proof_error("iat"),
        "future"
    );
    assert_eq!(refused(json!({}), json!({ "iat": 1.5e9 }), "GET", NOW), proof_error("iat"));
    assert_eq!(refused(json!({}), json!({ "iat": null }), "GET", NOW), proof_error("iat"));
    assert_eq!(
        refused(json!({}), json!({ "ath": dpop::token_hash("another token") }), "GET", NOW),
        proof_error("ath")
    );
    assert_eq!(refused(json!({}), json!({ "ath": null }), "GET", NOW), proof_error("ath"));
    assert_eq!(refused(json!({}), json!({ "jti": null }), "GET", NOW), proof_error("jti"));
    assert_eq!(refused(json!({}), json!({ "jti": "" }), "GET", NOW), proof_error("jti"));
    assert_eq!(
        refused(json!({}), json!({ "jti": "j".repeat(257) }), "GET", NOW),
        proof_error("jti")
    );
    assert_eq!(refused(json!({}), json!({ "htm": null }), "GET", NOW), proof_error("htm"));
    assert_eq!(refused(json!({ "typ": "jwt" }), json!({}), "GET", NOW), proof_error("typ"));
    assert_eq!(refused(json!({ "typ": "DPOP+JWT" }), json!({}), "GET", NOW), proof_error("typ"));
    assert_eq!(refused(json!({ "typ": null }), json!({}), "GET", NOW), proof_error("typ"));
    assert_eq!(refused(json!({ "alg": "HS256" }), json!({}), "GET", NOW), proof_error("alg"));
    assert_eq!(refused(json!({ "alg": "none" }), json!({}), "GET", NOW), proof_error("alg"));
    assert_eq!(refused(json!({ "jwk": null }), json!({}), "GET", NOW), proof_error("jwk"));
    assert_eq!(refused(json!({ "jwk": "a string" }), json!({}), "GET", NOW), proof_error("jwk"));
    // The private key in the header (the client's own `d`).
    let private = setup.client.private_json();
    assert_eq!(refused(json!({ "jwk": private }), json!({}), "GET", NOW), proof_error("jwk"));
    assert_eq!(
        refused(json!({ "jwk": { "kty": "oct", "k": "c2VjcmV0" } }), json!({}), "GET", NOW),
        proof_error("jwk")
    );
    // Another key in the header than signed the proof: the signature fails.
    let mut other = TestKey::new("x").public_json();
    other.as_object_mut().unwrap().remove("kid");
    assert_eq!(
        refused(json!({ "jwk": other }), json!({}), "GET", NOW).0,
        ErrorCode::InvalidDpopProof
    );
    // Within maxAge and at the edge of the clock: accepted.
    let mut verifier = setup.verifier(Value::Null);
    let old = setup.proof(&token, json!({}), json!({ "iat": NOW - 300 }));
    assert!(run(&mut verifier, &request("GET", Some(&authorization), Some(&old)), NOW).is_ok());
}

#[test]
fn binding_refusals() {
    let setup = Setup::new();
    let mut verifier = setup.verifier(Value::Null);
    let bound = setup.token(Some(&setup.client));
    let unbound = setup.token(None);
    let proof = setup.proof(&bound, json!({}), json!({}));
    let as_bearer = format!("Bearer {bound}");
    // A bound token sent as Bearer (a copied token used without the key).
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&as_bearer), None), NOW)).0,
        ErrorCode::DpopBinding
    );
    // ... or with a proof beside a Bearer header.
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&as_bearer), Some(&proof)), NOW)).0,
        ErrorCode::DpopBinding
    );
    // A DPoP token without a proof.
    let as_dpop = format!("DPoP {bound}");
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&as_dpop), None), NOW)).0,
        ErrorCode::InvalidDpopProof
    );
    // Two proofs (joined by a comma, as HTTP joins repeated headers).
    let two = format!("{proof}, {proof}");
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&as_dpop), Some(&two)), NOW)).0,
        ErrorCode::InvalidDpopProof
    );
    // The thief's own key: a valid proof by another key than the token is bound to.
    let thief = TestKey::new("thief");
    let thief_proof = Setup::proof_by(&thief, &bound, json!({}), json!({}));
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&as_dpop), Some(&thief_proof)), NOW)).0,
        ErrorCode::DpopBinding
    );
    // An unbound token sent as DPoP.
    let unbound_dpop = format!("DPoP {unbound}");
    let unbound_proof = setup.proof(&unbound, json!({}), json!({}));
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&unbound_dpop), Some(&unbound_proof)), NOW)).0,
        ErrorCode::DpopBinding
    );
    // A malformed cnf.
    let odd = setup
        .issuer
        .mint_claims(&json!({ "iss": "https://as.example", "aud": "api", "exp": NOW + 60, "cnf": { "jkt": 7 } }));
    let odd_auth = format!("DPoP {odd}");
    let odd_proof = setup.proof(&odd, json!({}), json!({}));
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&odd_auth), Some(&odd_proof)), NOW)).0,
        ErrorCode::InvalidClaim
    );
    // The token itself still has to verify: an expired bound token is ERR_EXPIRED.
    let expired = setup
        .issuer
        .mint_claims(&json!({ "iss": "https://as.example", "aud": "api", "exp": NOW - 1, "cnf": { "jkt": Setup::jkt(&setup.client) } }));
    let expired_auth = format!("DPoP {expired}");
    let expired_proof = setup.proof(&expired, json!({}), json!({}));
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&expired_auth), Some(&expired_proof)), NOW)).0,
        ErrorCode::Expired
    );
    assert_eq!(verifier.dpop.replay_cache_len(), 0);
    // With dpop.required, Bearer tokens are refused even when unbound.
    let mut strict = setup.verifier(json!({ "required": true }));
    let unbound_bearer = format!("Bearer {unbound}");
    assert_eq!(
        code(run(&mut strict, &request("GET", Some(&unbound_bearer), None), NOW)).0,
        ErrorCode::DpopBinding
    );
}

#[test]
fn server_nonces() {
    let setup = Setup::new();
    let secret = b64::encode(&[42u8; 32]);
    let mut verifier = setup.verifier(json!({ "nonceSecret": secret, "nonceLifetime": 60 }));
    let token = setup.token(Some(&setup.client));
    let authorization = format!("DPoP {token}");
    let now = Time::from_secs(NOW);
    let nonce = verifier.dpop.nonce(now).unwrap();
    let without = setup.proof(&token, json!({}), json!({}));
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&authorization), Some(&without)), NOW)),
        (ErrorCode::UseDpopNonce, Some("nonce".into()))
    );
    let wrong = setup.proof(&token, json!({}), json!({ "nonce": "bm9wZQ", "jti": "j2-0123456789" }));
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&authorization), Some(&wrong)), NOW)).0,
        ErrorCode::UseDpopNonce
    );
    let with = setup.proof(&token, json!({}), json!({ "nonce": nonce, "jti": "j3-0123456789" }));
    assert!(run(&mut verifier, &request("GET", Some(&authorization), Some(&with)), NOW).is_ok());
    // Expired: two lifetimes later (proofs made then, so only the nonce is old).
    let later = setup.proof(
        &token,
        json!({}),
        json!({ "nonce": nonce, "jti": "j4-0123456789", "iat": NOW + 120 }),
    );
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&authorization), Some(&later)), NOW + 120)).0,
        ErrorCode::UseDpopNonce
    );
    // A nonce of another secret.
    let other = setup
        .verifier(json!({ "nonceSecret": b64::encode(&[43u8; 32]) }))
        .dpop
        .nonce(now)
        .unwrap();
    let foreign = setup.proof(&token, json!({}), json!({ "nonce": other, "jti": "j5-0123456789" }));
    assert_eq!(
        code(run(&mut verifier, &request("GET", Some(&authorization), Some(&foreign)), NOW)).0,
        ErrorCode::UseDpopNonce
    );
    // The answer: 401 use_dpop_nonce, a DPoP challenge and the nonce.
    let answer = challenge::error_answer(Some(ErrorCode::UseDpopNonce));
    let description: Value = serde_json::from_str(&answer.description_text_with_nonce(Some(&nonce))).unwrap();
    assert_eq!(description["status"], 401);
    assert_eq!(
        description["headers"],
        json!([
            ["cache-control", "no-store"],
            ["www-authenticate", "DPoP error=\"use_dpop_nonce\", algs=\"ES256\""],
            ["dpop-nonce", nonce]
        ])
    );
}

#[test]
fn external_replay_store_gets_the_write() {
    let setup = Setup::new();
    let mut verifier = setup.verifier(json!({ "replayStore": true, "maxAge": 60 }));
    let token = setup.token(Some(&setup.client));
    let authorization = format!("DPoP {token}");
    let proof = setup.proof(&token, json!({}), json!({ "iat": NOW - 10 }));
    let (_, write) = run(&mut verifier, &request("GET", Some(&authorization), Some(&proof)), NOW).unwrap();
    let write = write.expect("the binding writes the jti");
    assert!(write.key.starts_with(&format!("dpop-jti:{}:", Setup::jkt(&setup.client))));
    assert_eq!(
        write.key.len(),
        "dpop-jti:".len() + 43 + 1 + 43,
        "thumbprint and a hash of the jti: bounded"
    );
    // Kept until iat + maxAge + 1 s: 10 s of the 60 are gone.
    assert_eq!(write.ttl_secs, 51);
    assert_eq!(verifier.dpop.replay_cache_len(), 0, "the built-in cache is not used");
}

#[test]
fn dpop_options_are_checked() {
    let setup = Setup::new();
    let base = || json!({ "jwks": setup.issuer.jwks(), "issuer": "https://as.example", "audience": "api" });
    for (dpop, claim) in [
        (json!({ "nonceSecret": "c2hvcnQ" }), "dpop.nonceSecret"),
        (json!({ "nonceLifetime": 60 }), "dpop.nonceLifetime"),
        (json!({ "maxAge": 0 }), "dpop.maxAge"),
        (json!({ "maxAge": 3601 }), "dpop.maxAge"),
        (json!({ "required": "yes" }), "dpop.required"),
        (json!({ "nonce": true }), "dpop.nonce"),
        (json!("on"), "dpop"),
    ] {
        let mut options = base();
        options["dpop"] = dpop.clone();
        let error = VerifierOptions::from_json(options)
            .and_then(|o| Verifier::new(&o))
            .expect_err("refused");
        assert_eq!(
            (error.code(), error.claim_name()),
            (ErrorCode::InvalidOptions, Some("dpop")),
            "{dpop}"
        );
        assert!(error.message().contains(&format!("option {claim}")), "{dpop}: {}", error.message());
    }
    let _ = at(0.0);
}

fn settle(verifier: &mut Verifier, ticket: u32, verdict: Verdict) -> Result<Settled<()>> {
    verifier.settle(ticket, verdict, |_| ())
}

fn ticket(step: Result<RequestStep>) -> u32 {
    match step.unwrap() {
        RequestStep::Check(ticket) => ticket,
        other => panic!("a signature check: {other:?}"),
    }
}

#[test]
fn the_binding_checks_the_signature_when_asked_and_only_its_verdict_for_that_ticket_counts() {
    let setup = Setup::new();
    let mut verifier = setup.verifier(Value::Null);
    let token = setup.token(Some(&setup.client));
    let authorization = format!("DPoP {token}");
    let proof = setup.proof(&token, json!({}), json!({}));
    // Signed by the client's key, but over other claims: a forged signature for this proof.
    let other = setup.proof(&token, json!({}), json!({ "jti": "another-jti-000" }));
    let (h, p, _) = common::segments(&proof);
    let (_, _, s) = common::segments(&setup.proof(&token, json!({}), json!({ "jti": "a-third-jti-000" })));
    let forged = format!("{h}.{p}.{s}");
    let req = request("GET", Some(&authorization), Some(&proof));
    let forged_req = request("GET", Some(&authorization), Some(&forged));
    let at = Time::from_secs(NOW);
    let step = |v: &mut Verifier, r: &RequestParts<'_>| v.attempt_request(r, at, &[], false, ProofSignature::Binding);
    // Asked: the check is handed out under a ticket, with the proof's key and signing input.
    let first = ticket(step(&mut verifier, &req));
    let check = verifier.pending_check(first).unwrap();
    assert!(check.verify().is_ok());
    assert_eq!(check.alg, Algorithm::Es256);
    assert_eq!(check.signing_input, proof.rsplit_once('.').unwrap().0);
    let x = setup.client.public_json()["x"].as_str().unwrap().to_owned();
    assert!(check.key.members().contains(&("x", x)));
    // "invalid" refuses it, and the ticket is used once.
    assert_eq!(code(settle(&mut verifier, first, Verdict::Invalid)).0, ErrorCode::InvalidDpopProof);
    assert_eq!(settle(&mut verifier, first, Verdict::Valid).unwrap(), Settled::Again);
    // Two requests at once: each verdict settles its own ticket only. The forged proof, checked
    // in the core, is refused; the good one, "valid", is accepted once.
    let good = ticket(step(&mut verifier, &req));
    let bad = ticket(step(&mut verifier, &forged_req));
    assert_ne!(good, bad);
    assert!(matches!(
        settle(&mut verifier, good, Verdict::Valid).unwrap(),
        Settled::Request { replay: None, .. }
    ));
    assert_eq!(verifier.pending_checks(), 1);
    assert_eq!(code(settle(&mut verifier, bad, Verdict::InCore)).0, ErrorCode::InvalidDpopProof);
    // Replayed: the signature is asked for again, and the replay refused after the verdict.
    let again = ticket(step(&mut verifier, &req));
    assert_eq!(code(settle(&mut verifier, again, Verdict::Valid)).0, ErrorCode::DpopReplay);
    // Claims are checked before the signature is handed out: a wrong method never asks.
    let post = request("POST", Some(&authorization), Some(&other));
    assert_eq!(code(step(&mut verifier, &post)).0, ErrorCode::InvalidDpopProof);
    assert_eq!(verifier.pending_checks(), 0);
    // A proof by another key than the token's binding: refused after its (valid) signature.
    let stranger = TestKey::new("stranger");
    let foreign = Setup::proof_by(&stranger, &token, json!({}), json!({ "jti": "foreign-jti-000" }));
    let foreign_ticket = ticket(step(&mut verifier, &request("GET", Some(&authorization), Some(&foreign))));
    assert_eq!(
        code(settle(&mut verifier, foreign_ticket, Verdict::Valid)).0,
        ErrorCode::DpopBinding
    );
}

#[test]
fn a_token_verified_without_its_request_is_refused_when_bound() {
    use tessera::verifier::dpop::without_proof;
    let claims = || String::from("{\"sub\":\"alice\"}");
    assert_eq!(without_proof((claims(), Ok(None))).unwrap(), claims());
    let bound = without_proof((claims(), Ok(Some("jkt".into())))).unwrap_err();
    assert_eq!(bound.code(), ErrorCode::DpopBinding);
    let malformed = tessera::Error::claim(ErrorCode::InvalidClaim, "cnf", "the token's cnf must be an object");
    assert_eq!(
        without_proof((claims(), Err(malformed))).unwrap_err().code(),
        ErrorCode::InvalidClaim
    );
}

#[test]
fn with_runtime_algorithms_the_token_is_checked_first_then_the_proof() {
    let setup = Setup::new();
    let mut verifier = setup.verifier(Value::Null);
    verifier.set_runtime_algorithms(RuntimeAlgorithms::parse("ES256").unwrap());
    let token = setup.token(Some(&setup.client));
    let authorization = format!("DPoP {token}");
    let proof = setup.proof(&token, json!({}), json!({}));
    let req = request("GET", Some(&authorization), Some(&proof));
    let at = Time::from_secs(NOW);
    let step = |v: &mut Verifier| v.attempt_request(&req, at, &[], false, ProofSignature::Binding);
    // The token's signature first, with the issuer's key; "invalid" is ERR_BAD_SIGNATURE.
    let token_ticket = ticket(step(&mut verifier));
    let check = verifier.pending_check(token_ticket).unwrap();
    assert_eq!(check.signing_input, token.rsplit_once('.').unwrap().0);
    assert_eq!(
        code(settle(&mut verifier, token_ticket, Verdict::Invalid)).0,
        ErrorCode::BadSignature
    );
    // "valid": the token is cached and the request starts over, now with the proof's check.
    let token_ticket = ticket(step(&mut verifier));
    assert_eq!(settle(&mut verifier, token_ticket, Verdict::Valid).unwrap(), Settled::Again);
    let proof_ticket = ticket(step(&mut verifier));
    assert_eq!(
        verifier.pending_check(proof_ticket).unwrap().signing_input,
        proof.rsplit_once('.').unwrap().0
    );
    assert!(matches!(
        settle(&mut verifier, proof_ticket, Verdict::InCore).unwrap(),
        Settled::Request { .. }
    ));
    // In the core (sync paths, ProofSignature::InCore) nothing is handed out.
    let mut core = setup.verifier(Value::Null);
    core.set_runtime_algorithms(RuntimeAlgorithms::parse("ES256").unwrap());
    let fresh = setup.proof(&token, json!({}), json!({ "jti": "in-core-jti-000" }));
    assert!(run(&mut core, &request("GET", Some(&authorization), Some(&fresh)), NOW).is_ok());
}
