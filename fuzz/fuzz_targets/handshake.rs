//! The refresh handshake's inputs: the `Cookie` header (`cookie::read`, `read_all`), the refresh token inside it, the
//! authority and login options (JSON text, as the binding passes them), and stored family and
//! subject records (a store is outside the trust boundary too).
//!
//! Beyond "no panic": a forged token is always `ERR_INVALID_GRANT`; only a token the fixture key
//! minted authenticates; a record that parses round-trips through JSON; a rotation decision
//! against a fuzzed record is only `Rotate`/`Retry` for a live family, the presented token's own
//! family, and its generation (or its successor's within the grace window); a rotated record
//! keeps the family's identity and absolute expiry, and its token authenticates. The fuzzed
//! record is decided on as it is, and again with its hashes patched to the real token's (so the
//! paths behind the hash comparison are reached: current token, previous token within and
//! outside the grace window).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera::authority::refresh::{self, Family, Policy, Presented, RefreshKey, RefreshToken, Rotation};
use tessera::authority::store::Subject;
use tessera::authority::{Authority, AuthorityOptions, LoginOptions};
use tessera::fuzzing::cookie;
use tessera::{ErrorCode, Time};

#[path = "../common/mod.rs"]
mod common;

const POLICY: Policy = Policy { session_ttl: 3600, idle_ttl: 600, reuse_grace: 10 };

fn key() -> RefreshKey {
    match RefreshKey::new(&[7u8; 32]) {
        Ok(key) => key,
        Err(e) => panic!("fixture key: {e}"),
    }
}

/// A real token and its record, minted once (login at `common::now()`).
fn minted() -> &'static (Family, RefreshToken) {
    thread_local! {
        static MINTED: &'static (Family, RefreshToken) = match refresh::start(&key(), "s", "read", Default::default(), 0, &POLICY, common::now()) {
            Ok(pair) => Box::leak(Box::new(pair)),
            Err(e) => panic!("fixture start: {e}"),
        };
    }
    MINTED.with(|m| *m)
}

/// `rotate` on `record` with `presented` at `now`, and the properties of its decision.
fn decide(record: &Family, presented: &Presented, now: Time) {
    let epoch = record.subject_epoch;
    let Ok(rotation) = refresh::rotate(&key(), record, presented, &POLICY, epoch, now) else { return };
    let live = record.is_live(epoch, now.secs());
    // F9 (fixed): only a sound record of the presented token's family is computed with.
    assert!(record.is_sound(&presented.family), "rotate decided on an unsound record: {record:?}");
    match rotation {
        Rotation::Rotate { record: next, token } => {
            assert!(live, "rotated a family that is not live: {record:?}");
            assert_eq!(presented.generation, record.generation);
            assert_eq!(presented.token.hash(), record.current);
            assert_eq!((&next.family, &next.sub, next.expires_at, next.created_at), (&record.family, &record.sub, record.expires_at, record.created_at));
            assert_eq!(next.generation, record.generation + 1);
            assert_eq!(next.current, token.hash());
            assert!(next.idle_expires_at <= next.expires_at);
            let again = refresh::authenticate(&key(), token.as_str()).unwrap_or_else(|e| panic!("a successor does not authenticate: {e}"));
            assert_eq!((again.family.as_str(), again.generation), (record.family.as_str(), next.generation));
        }
        Rotation::Retry { token } => {
            assert!(live, "a retry for a family that is not live: {record:?}");
            assert_eq!(token.hash(), record.current, "a retry hands out another token than the current one");
            assert_eq!(presented.generation + 1, record.generation);
            assert!(now.secs().saturating_sub(record.rotated_at) <= POLICY.reuse_grace);
        }
        Rotation::Reuse { record: revoked } => {
            assert!(revoked.revoked);
            assert_eq!(revoked.family, record.family);
        }
        Rotation::Expired | Rotation::Revoked => assert!(!live || record.revoked),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let key = key();

    // The Cookie header and the token in it; `read` is `read_all` when at most one is present.
    let all = cookie::read_all(Some(text), "tessera_rt");
    match (cookie::read(Some(text), "tessera_rt"), &all) {
        (Ok(one), Ok(all)) => assert!(all.len() <= 1 && one.as_ref() == all.first(), "read {one:?}, read_all {all:?}"),
        (Err(e), Ok(all)) => assert!(e.code() == ErrorCode::InvalidGrant && all.len() >= 2, "read: {e}, read_all {all:?}"),
        (Err(e), Err(f)) => assert_eq!((e.code(), f.code()), (ErrorCode::Malformed, ErrorCode::Malformed)),
        (Ok(_), Err(f)) => panic!("read_all refused what read accepted: {f}"),
    }
    match cookie::read(Some(text), "tessera_rt") {
        Ok(Some(value)) => match refresh::authenticate(&key, &value) {
            // Only a token minted with the key authenticates: re-minting is impossible here,
            // so an authenticated fuzz input must have hit a real tag (it never should).
            Ok(presented) => panic!("a fuzzed token authenticated: {:?}", presented.family),
            Err(e) => assert_eq!(e.code(), ErrorCode::InvalidGrant),
        },
        Ok(None) => {}
        Err(e) => assert!(matches!(e.code(), ErrorCode::InvalidGrant | ErrorCode::Malformed), "{e}"),
    }
    if let Err(e) = refresh::authenticate(&key, text) {
        assert_eq!(e.code(), ErrorCode::InvalidGrant);
    }

    // A stored family record from an untrusted store, then rotation decisions against a real token.
    if let Ok(record) = serde_json::from_str::<Family>(text) {
        let again: Family = serde_json::from_value(serde_json::to_value(&record).unwrap_or(Value::Null)).unwrap_or_else(|e| panic!("round trip: {e}"));
        assert_eq!(again, record);
        let (_, token) = minted();
        let presented = refresh::authenticate(&key, token.as_str()).unwrap_or_else(|e| panic!("fixture token: {e}"));
        let now = common::now().plus_secs(30);
        decide(&record, &presented, now);
        // The real token as the record's current token, then as its previous one.
        let current = Family { generation: presented.generation, current: token.hash(), ..record.clone() };
        decide(&current, &presented, now);
        let previous = Family { generation: presented.generation + 1, previous: Some(token.hash()), ..record.clone() };
        decide(&previous, &presented, now);
        if record.is_live(record.subject_epoch, now.secs()) {
            assert!(record.remaining(now.secs()) > 0);
        }
    }

    // A stored subject record; "log out everywhere" raises its epoch.
    if let Ok(subject) = serde_json::from_str::<Subject>(text) {
        let again: Subject = serde_json::from_value(serde_json::to_value(&subject).unwrap_or(Value::Null)).unwrap_or_else(|e| panic!("round trip: {e}"));
        assert_eq!(again, subject);
        // Any record: no overflow. A sound one (what the handshake computes with, F9): the
        // epoch and the version go up.
        let revoked = subject.revoked(common::NOW_SECS);
        if subject.is_sound() {
            assert!(revoked.epoch > subject.epoch, "log out everywhere did not raise the epoch");
            assert!(revoked.generation > subject.generation);
        }
    }

    // Authority and login options, as JSON text.
    if let Ok(options) = AuthorityOptions::parse(text) {
        if let Ok(authority) = Authority::new(&options) {
            if let Ok(login) = LoginOptions::parse(text) {
                let _ = authority.check_login(&login);
            }
        }
    }
    if let Ok(options) = LoginOptions::parse(text) {
        assert!(options.claims.is_none_or(|c| c.len() < text.len()));
    }
});
