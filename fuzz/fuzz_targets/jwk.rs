//! JWK and JWK Set parsing from untrusted JSON: `json::parse_object` → `jwk::parse`,
//! `jwk::parse_private`, `jwk::thumbprint`, and `KeySet::from_json` both on the object itself
//! and wrapped as `{"keys":[object]}`.
//!
//! Beyond "no panic": every key error is `ERR_INVALID_KEY`; an accepted key round-trips through
//! its public (and private) JSON with the same point, members and RFC 7638 thumbprint; a private
//! key signs what its public key verifies; a set with private members is always refused; an
//! accepted set round-trips through `to_json`, and `to_json_text` writes the same JSON. RSA,
//! Ed25519 and P-384 keys go into a set exactly when `jwk::parse_public` takes them, and verify
//! only algorithms of their family (exactly their `alg` when they have one).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use tessera::fuzzing::json;
use tessera::jose::jwa::Algorithm;
use tessera::jose::jwk::{self, Parsed};
use tessera::{ErrorCode, KeySet};

#[path = "../common/mod.rs"]
mod common;

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(map) = json::parse_object(data, "JWK") else { return };
    let value = Value::Object(map.clone());
    // The library's own list (RFC 7518 §6.2.2, §6.3.2 with `oth`, §6.4.1): a copy here went stale.
    let has_private = jwk::PRIVATE_MEMBERS.iter().any(|m| map.contains_key(*m));

    let thumbprint = jwk::thumbprint(&map);
    if let Err(e) = &thumbprint {
        assert_eq!(e.code(), ErrorCode::InvalidKey);
    }
    let wrapped = KeySet::from_json(&json!({ "keys": [value.clone()] }));
    let private = jwk::parse_private(&map);

    match jwk::parse(&map) {
        Ok(Parsed::P256(key)) => {
            let Ok(thumbprint) = thumbprint else { panic!("a valid P-256 JWK has no thumbprint") };
            assert_eq!(key.thumbprint(), thumbprint, "thumbprint of the key differs from that of its JSON");
            let public_json = key.to_public_json();
            assert!(public_json.get("d").is_none());
            let Ok(Parsed::P256(again)) = jwk::parse(&object(public_json.clone())) else { panic!("public JSON of a valid key does not parse") };
            assert_eq!(again.public, key.public);
            assert_eq!((&again.kid, &again.alg, &again.key_use, &again.key_ops), (&key.kid, &key.alg, &key.key_use, &key.key_ops));
            assert_eq!(jwk::thumbprint(&object(public_json)).ok(), Some(thumbprint));
            match &key.private {
                Some(secret) => {
                    assert!(private.is_ok());
                    let Some(private_json) = key.to_private_json() else { panic!("private key without private JSON") };
                    let Ok(again) = jwk::parse_private(&object(private_json)) else { panic!("private JSON does not parse") };
                    assert_eq!(again.private.as_ref().map(|k| k.scalar()), Some(secret.scalar()));
                    let signature = secret.sign(data);
                    assert!(key.public.verify(data, &signature).is_ok(), "own signature does not verify");
                }
                None => {
                    assert!(key.to_private_json().is_none());
                    assert!(private.is_err());
                }
            }
            if has_private {
                assert_eq!(wrapped.map(|s| s.len()).map_err(|e| e.code()), Err(ErrorCode::InvalidKey));
            } else {
                let Ok(set) = wrapped else { panic!("a valid public key is refused in a set") };
                let kid = key.kid.as_deref();
                let selected = set.select(kid, Algorithm::Es256);
                let usable = key.key_use.as_deref().is_none_or(|u| u == "sig") && key.key_ops.as_ref().is_none_or(|ops| ops.iter().any(|o| o == "verify"));
                // A key not for verification is not in the set at all.
                assert_eq!(set.len(), usize::from(usable));
                assert_eq!(selected.is_ok(), usable);
                if let Ok(public) = selected {
                    assert_eq!(public, &key.public);
                }
            }
        }
        Ok(Parsed::OtherKind) => {
            assert!(private.is_err());
            if has_private {
                assert!(wrapped.is_err());
            } else {
                // RSA, OKP Ed25519 and EC P-384 keys verify; other kinds, encryption keys and
                // sign-only keys are skipped; a malformed key of a used kind refuses the set.
                match jwk::parse_public(&map) {
                    Ok(Some(public)) => {
                        let Ok(set) = wrapped else { panic!("a usable public key is refused in a set") };
                        assert_eq!(set.len(), 1);
                        // Bound to algorithms: never across families, exactly its alg when it has one.
                        for alg in Algorithm::ALL {
                            if let Ok(selected) = set.select_for(public.kid.as_deref(), alg, Some(&[alg])) {
                                assert!(selected.key.fits(alg), "{} verifies with a key of another family", alg.name());
                                assert!(public.alg.is_none_or(|own| own == alg), "a key bound to one alg verifies {}", alg.name());
                            }
                        }
                        let json = set.to_json();
                        let Ok(again) = KeySet::from_json(&json) else { panic!("to_json of a set does not parse") };
                        assert_eq!(again.len(), 1);
                        assert_eq!(again.to_json(), json);
                    }
                    Ok(None) => assert_eq!(wrapped.map(|s| s.len()).ok(), Some(0), "a skipped key must not be in the set"),
                    Err(e) => {
                        assert_eq!(e.code(), ErrorCode::InvalidKey);
                        assert!(wrapped.is_err(), "a malformed key is accepted in a set");
                    }
                }
            }
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::InvalidKey);
            assert!(private.is_err());
            // A key a verification set would never use (use other than "sig", key_ops without
            // "verify") is skipped without reading its key material, malformed or not: a provider's odd encryption key must
            // not take its signing keys down. Any other malformed key refuses the set.
            // Also a key for an algorithm Tessera does not implement (other than none and HS*,
            // which contradict a public key).
            let unknown_alg = map
                .get("alg")
                .and_then(Value::as_str)
                .is_some_and(|name| Algorithm::from_name(name).is_none() && name != "none" && !name.starts_with("HS"));
            let unused = unknown_alg
                || map.get("use").is_some_and(|u| u.as_str() != Some("sig"))
                || map.get("key_ops").and_then(Value::as_array).is_some_and(|ops| !ops.iter().any(|op| op.as_str() == Some("verify")));
            match jwk::parse_public(&map) {
                Ok(None) if unused && !has_private => assert_eq!(wrapped.map(|s| s.len()).ok(), Some(0), "a skipped key must not be in the set"),
                Ok(Some(_)) | Ok(None) => panic!("a P-256 key jwk::parse refuses is taken or skipped for another reason"),
                Err(_) => assert!(wrapped.is_err(), "a malformed key is accepted in a set"),
            }
        }
    }

    // The object itself as a set ({"keys":[…]} or anything else).
    match KeySet::from_json(&value) {
        Ok(set) => {
            let json = set.to_json();
            // The hand-written text form (exported state) says what the value form says.
            let text = set.to_json_text();
            assert_eq!(serde_json::from_str::<Value>(&text).ok().as_ref(), Some(&json), "to_json_text differs from to_json: {text}");
            let Ok(again) = KeySet::from_json(&json) else { panic!("to_json of a set does not parse") };
            assert_eq!(again.len(), set.len());
            assert_eq!(again.to_json(), json);
            for kid in [None, Some(common::KID), Some("")] {
                let _ = set.select(kid, Algorithm::Es256);
            }
            if let Some(Value::Array(keys)) = map.get("keys") {
                for key in keys {
                    if let Some(kid) = key.get("kid").and_then(Value::as_str) {
                        let _ = set.select(Some(kid), Algorithm::Es256);
                    }
                }
            }
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::InvalidKey),
    }
});
