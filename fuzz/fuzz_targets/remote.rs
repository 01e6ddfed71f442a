//! The remote JWK Set cache fed untrusted bytes: `RemoteJwks::complete_fetch(200, body, now)`
//! (size limit, strict JSON, JWK Set), `RemoteJwks::import` of the body as any JSON value and
//! wrapped as a well-formed exported state, and `RemoteJwks::new` with the input as the URL.
//!
//! Beyond "no panic": a refused response never replaces a good cached set and starts the
//! cooldown; an accepted one makes the cache fresh; export → import round-trips; a failed
//! import changes nothing; an accepted URL is https: or loopback http:.
//!
//! Discovery: the body as the issuer's metadata (`RemoteJwks::complete` for the OpenID document
//! URL) and the input as a discovery issuer. An accepted document names exactly the configured
//! issuer and an https: (or loopback http:) `jwks_uri`, which becomes the key set URL and is
//! asked for next; a refused one leaves no key set URL and cools down.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tessera::verifier::remote::RemoteJwks;
use tessera::ErrorCode;

#[path = "../common/mod.rs"]
mod common;

fn remote() -> RemoteJwks {
    match RemoteJwks::new(common::URL, Some(600_000.0), Some(30_000.0), None) {
        Ok(r) => r,
        Err(e) => panic!("fixture remote: {e}"),
    }
}

/// A remote holding the fixture set, fetched at the fixed clock.
fn loaded() -> RemoteJwks {
    let mut r = remote();
    r.begin_fetch(common::now());
    let body = json!({ "keys": [common::public_jwk()] }).to_string();
    if let Err(e) = r.complete_fetch(200, body.as_bytes(), common::now()) {
        panic!("fixture fetch: {e}");
    }
    r
}

fn key_count(r: &RemoteJwks) -> Option<usize> {
    r.keys().map(|k| k.len())
}

/// An accepted `http:` URL must point at a loopback host, as a WHATWG URL parser reads it: the
/// authority ends at `/`, `?`, `#` or `\`; userinfo before `@` is not the host.
fn check_loopback_authority(rest: &str) {
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    if authority.contains('@') {
        // Finding F3 (fixed): "http://localhost:x@evil.example/" passed the loopback prefix
        // check, but its host is evil.example (localhost:x is userinfo).
        panic!("http: URL with userinfo accepted; its host is not loopback: {rest}");
    }
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    assert!(matches!(host, "127.0.0.1" | "localhost" | "[::1]"), "http: URL accepted for non-loopback host {host:?}");
}

/// export → import → export is the identity, and the exported text says what the cache holds:
/// its URL, `fetchedAt` in whole seconds, and the usable keys as `KeySet::to_json` writes them.
fn check_round_trip(r: &RemoteJwks) {
    let state = r.export();
    let parsed: Value = serde_json::from_str(&state).unwrap_or_else(|e| panic!("export is not JSON ({e}): {state}"));
    assert_eq!(parsed.get("url").and_then(Value::as_str), Some(r.url()));
    assert!(parsed.get("fetchedAt").is_some_and(Value::is_u64), "fetchedAt is not whole seconds: {state}");
    assert_eq!(parsed.get("jwks"), Some(&r.keys().map_or(Value::Null, |k| k.to_json())), "the exported jwks differ from the cache");
    let mut other = remote();
    assert!(other.import(&state).is_ok(), "export does not import: {state}");
    assert_eq!(other.export(), state);
    assert_eq!(key_count(&other), key_count(r));
}

const OPENID: &str = "https://issuer.example/.well-known/openid-configuration";

fn discovery(data: &[u8]) {
    let now = common::now();
    let Ok(mut d) = RemoteJwks::discovered(common::ISSUER, Some(600_000.0), Some(30_000.0), None) else { panic!("fixture discovery") };
    assert_eq!(d.needs_discovery(now), Ok(true));
    assert_eq!(d.begin_discovery(now).url, OPENID);
    match d.complete(OPENID, Some((200, data)), now) {
        Ok(()) => {
            let Ok(metadata) = tessera::fuzzing::json::parse_object(data, "") else { panic!("accepted metadata that is no strict JSON object") };
            assert_eq!(metadata.get("issuer").and_then(Value::as_str), Some(common::ISSUER));
            let jwks_uri = metadata.get("jwks_uri").and_then(Value::as_str).unwrap_or_default();
            assert_eq!(d.url(), jwks_uri);
            assert!(RemoteJwks::new(jwks_uri, None, None, None).is_ok(), "accepted a jwks_uri a jwksUrl may not be: {jwks_uri}");
            assert_eq!(d.needs_discovery(now), Ok(false));
            assert!(d.key_set_due() && d.needs_fetch(now) == Ok(true));
            assert_eq!(d.begin_fetch(now).url, jwks_uri);
            assert!(!d.key_set_due());
            // The export carries the issuer and imports into a fresh discovering cache.
            let state = d.export();
            let Ok(mut other) = RemoteJwks::discovered(common::ISSUER, None, None, None) else { panic!("fixture discovery") };
            assert!(other.import(&state).is_ok(), "discovery export does not import: {state}");
            assert_eq!(other.export(), state);
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::JwksFetch, "{e}");
            assert_eq!(d.url(), "");
            assert_eq!(d.needs_discovery(now.plus_secs(1)).map_err(|e| e.code()), Err(ErrorCode::JwksFetch), "no cooldown");
        }
    }
    // The input as the issuer: accepted only as a jwksUrl would be, without query or fragment.
    if let Ok(issuer) = std::str::from_utf8(data) {
        if let Ok(mut r) = RemoteJwks::discovered(issuer, None, None, None) {
            assert!(RemoteJwks::new(issuer, None, None, None).is_ok(), "issuer {issuer:?}");
            assert!(!issuer.contains(['?', '#']));
            let url = r.begin_discovery(now).url;
            assert!(url.ends_with("/.well-known/openid-configuration"), "{url}");
            assert!(RemoteJwks::new(&url, None, None, None).is_ok(), "metadata URL {url:?} is not a URL a jwksUrl may be");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    discovery(data);

    // A cold cache.
    let mut cold = remote();
    cold.begin_fetch(common::now());
    match cold.complete_fetch(200, data, common::now()) {
        Ok(()) => {
            assert!(cold.keys().is_some());
            assert_eq!(cold.needs_fetch(common::now().plus_secs(1)), Ok(false));
            check_round_trip(&cold);
        }
        Err(e) => {
            assert!(matches!(e.code(), ErrorCode::JwksFetch | ErrorCode::InvalidKey), "{e}");
            assert!(cold.keys().is_none());
            assert_eq!(cold.needs_fetch(common::now().plus_secs(1)).map_err(|e| e.code()), Err(ErrorCode::JwksFetch), "no cooldown after a failure");
        }
    }

    // A warm cache: a bad response must not replace the good set.
    let mut warm = loaded();
    warm.begin_fetch(common::now().plus_secs(700));
    if warm.complete_fetch(200, data, common::now().plus_secs(700)).is_err() {
        assert_eq!(key_count(&warm), Some(1));
        assert!(!warm.may_refetch_for(Some("other"), common::now().plus_secs(701)));
    }
    let _ = warm.complete_fetch(500, data, common::now().plus_secs(800));
    assert!(warm.keys().is_some());

    // Import of the body as a whole state (JSON text), and as the jwks of a well-formed state.
    if let Ok(text) = std::str::from_utf8(data) {
        let wrapped = format!("{{\"url\":{},\"fetchedAt\":{},\"jwks\":{text}}}", json!(common::URL), common::NOW_SECS);
        for state in [text, wrapped.as_str()] {
            let mut target = loaded();
            let before = target.export();
            match target.import(state) {
                Ok(()) => {
                    // Only a strict JSON object (no duplicate members) with the known members.
                    let Ok(object) = tessera::fuzzing::json::parse_object(state.as_bytes(), "") else { panic!("imported a state that is no strict JSON object: {state}") };
                    assert!(object.keys().all(|k| matches!(k.as_str(), "url" | "fetchedAt" | "jwks")));
                    check_round_trip(&target);
                }
                Err(e) => {
                    assert!(matches!(e.code(), ErrorCode::InvalidOptions | ErrorCode::InvalidKey), "{e}");
                    assert_eq!(target.export(), before, "a failed import changed the cache");
                }
            }
        }
    }

    // The input as the jwksUrl.
    if let Ok(url) = std::str::from_utf8(data) {
        if let Ok(r) = RemoteJwks::new(url, None, None, None) {
            assert!(url.starts_with("https://") || url.starts_with("http://"), "scheme of {url:?}");
            assert!(!url.contains(|c: char| c.is_whitespace() || c.is_control()));
            assert_eq!(r.url(), url);
            if let Some(rest) = url.strip_prefix("http://") {
                check_loopback_authority(rest);
            }
        }
    }
});
