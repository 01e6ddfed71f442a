//! The remote JWK Set cache fed untrusted bytes: `RemoteJwks::complete_fetch(200, body, now)`
//! (size limit, strict JSON, JWK Set), `RemoteJwks::import` of the body as any JSON value and
//! wrapped as a well-formed exported state, and `RemoteJwks::new` with the input as the URL.
//!
//! Beyond "no panic": a refused response never replaces a good cached set and starts the
//! cooldown; an accepted one makes the cache fresh; export → import round-trips; a failed
//! import changes nothing; an accepted URL is https: or loopback http:.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tessera::error::ErrorCode;
use tessera::remote::RemoteJwks;

#[path = "../common/mod.rs"]
mod common;

fn remote() -> RemoteJwks {
    match RemoteJwks::new(common::URL, Some(600.0), Some(30.0)) {
        Ok(r) => r,
        Err(e) => panic!("fixture remote: {e}"),
    }
}

/// A remote holding the fixture set, fetched at NOW.
fn loaded() -> RemoteJwks {
    let mut r = remote();
    r.begin_fetch(common::NOW);
    let body = json!({ "keys": [common::public_jwk()] }).to_string();
    if let Err(e) = r.complete_fetch(200, body.as_bytes(), common::NOW) {
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

fn check_round_trip(r: &RemoteJwks) {
    let state = r.export();
    let mut other = remote();
    assert!(other.import(&state).is_ok(), "export does not import: {state}");
    assert_eq!(other.export(), state);
}

fuzz_target!(|data: &[u8]| {
    // A cold cache.
    let mut cold = remote();
    cold.begin_fetch(common::NOW);
    match cold.complete_fetch(200, data, common::NOW) {
        Ok(()) => {
            assert!(cold.keys().is_some());
            assert_eq!(cold.needs_fetch(common::NOW + 1.0), Ok(false));
            check_round_trip(&cold);
        }
        Err(e) => {
            assert!(matches!(e.code(), ErrorCode::JwksFetch | ErrorCode::InvalidKey), "{e}");
            assert!(cold.keys().is_none());
            assert_eq!(cold.needs_fetch(common::NOW + 1.0).map_err(|e| e.code()), Err(ErrorCode::JwksFetch), "no cooldown after a failure");
        }
    }

    // A warm cache: a bad response must not replace the good set.
    let mut warm = loaded();
    warm.begin_fetch(common::NOW + 700.0);
    if warm.complete_fetch(200, data, common::NOW + 700.0).is_err() {
        assert_eq!(key_count(&warm), Some(1));
        assert!(!warm.may_refetch_for(Some("other"), common::NOW + 701.0));
    }
    let _ = warm.complete_fetch(500, data, common::NOW + 800.0);
    assert!(warm.keys().is_some());

    // Import of the body as a whole state, and as the jwks of a well-formed state.
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        for state in [value.clone(), json!({ "url": common::URL, "fetchedAt": common::NOW, "jwks": value })] {
            let mut target = loaded();
            let before = target.export();
            match target.import(&state) {
                Ok(()) => check_round_trip(&target),
                Err(e) => {
                    assert!(matches!(e.code(), ErrorCode::InvalidOptions | ErrorCode::InvalidKey), "{e}");
                    assert_eq!(target.export(), before, "a failed import changed the cache");
                }
            }
        }
    }

    // The input as the jwksUrl.
    if let Ok(url) = std::str::from_utf8(data) {
        if let Ok(r) = RemoteJwks::new(url, None, None) {
            assert!(url.starts_with("https://") || url.starts_with("http://"), "scheme of {url:?}");
            assert!(!url.contains(|c: char| c.is_whitespace() || c.is_control()));
            assert_eq!(r.url(), url);
            if let Some(rest) = url.strip_prefix("http://") {
                check_loopback_authority(rest);
            }
        }
    }
});
