//! The refresh handshake's inputs: the `Cookie` header, the refresh token inside it, the
//! authority and login options, and a stored family record (a store is outside the trust
//! boundary too). Beyond "no panic": a forged token is always `ERR_INVALID_GRANT`; only a token
//! the fixture key minted authenticates; a record that parses round-trips through JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera::authority::{Authority, AuthorityOptions, LoginOptions};
use tessera::cookie;
use tessera::error::ErrorCode;
use tessera::refresh::{self, Family, Policy, RefreshKey};

const POLICY: Policy = Policy { session_ttl: 3600, idle_ttl: 600, reuse_grace: 10 };

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let key = match RefreshKey::new(&[7u8; 32]) {
        Ok(key) => key,
        Err(e) => panic!("fixture key: {e}"),
    };

    // The Cookie header and the token in it.
    if let Ok(Some(value)) = cookie::read(Some(text), "tessera_rt") {
        match refresh::authenticate(&key, &value) {
            Ok(presented) => {
                // Only a token minted with the key authenticates: re-minting is impossible here,
                // so an authenticated fuzz input must have hit a real tag (it never should).
                panic!("a fuzzed token authenticated: {:?}", presented.family);
            }
            Err(e) => assert_eq!(e.code(), ErrorCode::InvalidGrant),
        }
    }
    if let Err(e) = refresh::authenticate(&key, text) {
        assert_eq!(e.code(), ErrorCode::InvalidGrant);
    }

    // A stored record from an untrusted store, then a rotation decision against a real token.
    if let Ok(record) = serde_json::from_str::<Family>(text) {
        let again: Family = serde_json::from_value(serde_json::to_value(&record).unwrap_or(Value::Null)).unwrap_or_else(|e| panic!("round trip: {e}"));
        assert_eq!(again, record);
        if let Ok((_, token)) = refresh::start(&key, "s", "read", Default::default(), 0, &POLICY, 1_000) {
            if let Ok(presented) = refresh::authenticate(&key, token.as_str()) {
                let _ = refresh::rotate(&key, &record, &presented, &POLICY, record.subject_epoch, 1_000);
            }
        }
    }

    // Authority and login options.
    if let Ok(options) = serde_json::from_str::<AuthorityOptions>(text) {
        let _ = Authority::new(&options);
    }
    if let Ok(options) = serde_json::from_str::<LoginOptions>(text) {
        let _ = options.sub.len();
    }
});
