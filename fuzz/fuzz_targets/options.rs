//! Option objects from untrusted JSON (what a JavaScript caller passes), read by name:
//! `VerifierOptions`, `VerifyOptions`, `SignerOptions`, `SignOptions`, `KeyPairOptions`,
//! `AuthorityOptions` and `LoginOptions` (`from_json`), then `Verifier::new` (local JWK Set or
//! `jwksUrl`), `Verifier::verify` of a fixed valid token, `Signer::new`, `Signer::sign`,
//! `Authority::new` and `Authority::check_login`.
//!
//! The input object is used whole for every options type, and its members `verifier`,
//! `verify`, `signer`, `sign`, `claims`, `authority` and `login` (when present) for the
//! matching type, so one input can configure a signer and a verifier together.
//!
//! Beyond "no panic": option errors are `ERR_INVALID_OPTIONS` naming an option (as `claim`),
//! and their text never depends on — so never repeats — a string value of the input; the
//! constructors' errors use their documented codes and repeat no value either; a token the
//! signer made verifies with a verifier built from the same options.
//! (The same readers from JSON *text*, as the binding passes them: target `options_text`.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use tessera::authority::signer::{KeyPairOptions, SignOptions, SignerOptions};
use tessera::authority::{Authority, AuthorityOptions, LoginOptions};
use tessera::fuzzing::json;
use tessera::{Error, ErrorCode, Result, Signer, Verifier, VerifierOptions, VerifyOptions};

#[path = "../common/mod.rs"]
mod common;

/// A `from_json` reader, checked: the error is `ERR_INVALID_OPTIONS`, names an option, and is
/// the same when every non-empty string value is replaced (so it cannot repeat one).
fn read<T>(value: &Value, what: &'static str, reader: fn(Value) -> Result<T>) -> Option<T> {
    match reader(value.clone()) {
        Ok(options) => Some(options),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::InvalidOptions, "{what}: {e}");
            if value.is_object() {
                assert!(e.claim_name().is_some(), "the {what} options error names no option: {e}");
            }
            let blank = reader(common::blank_strings(value)).err();
            // Finding F1 (fixed): a value containing ", expected " used to leak its tail.
            assert_eq!(Some(&e), blank.as_ref(), "the {what} options error depends on a string value (a leak)");
            None
        }
    }
}

/// Characters that never occur in Tessera's fixed message texts: a string value holding one
/// cannot be part of the fixed text, so finding it in a message means the value was copied.
fn unusual(value: &str) -> bool {
    value.chars().any(|c| !(c.is_ascii_alphanumeric() || " .,:;()'\"/+-_=<>[]!?".contains(c)))
}

/// A constructor's error repeats no string value of its options (beyond member names).
fn no_echo(e: &Error, options: &Value) {
    let mut values = Vec::new();
    common::string_values(options, &mut values);
    let mut names = Vec::new();
    common::member_names(options, &mut names);
    for value in values {
        if value.chars().count() >= 3 && unusual(value) && !names.iter().any(|n| n.contains(value)) {
            assert!(!e.message().contains(value), "an error repeats the option value {value:?}: {e}");
            assert!(!e.claim_name().is_some_and(|c| c.contains(value)), "an error's claim repeats the option value {value:?}: {e}");
        }
    }
}

fn member<'a>(map: &'a Map<String, Value>, name: &str, whole: &'a Value) -> &'a Value {
    map.get(name).unwrap_or(whole)
}

fuzz_target!(|data: &[u8]| {
    let Ok(map) = json::parse_object(data, "options") else { return };
    let whole = Value::Object(map.clone());

    let verify_options = read(member(&map, "verify", &whole), "verify", VerifyOptions::from_json).unwrap_or_default();
    let now = match verify_options.now(common::now()) {
        Ok(now) => now,
        Err(e) => {
            assert_eq!((e.code(), e.claim_name()), (ErrorCode::InvalidOptions, Some("now")));
            common::now()
        }
    };
    let _ = read(&whole, "generateKeyPair", KeyPairOptions::from_json);

    let verifier_json = member(&map, "verifier", &whole);
    if let Some(options) = read(verifier_json, "Verifier", VerifierOptions::from_json) {
        match Verifier::new(&options) {
            Ok(verifier) => {
                let _ = verifier.verify(common::valid_token(), now, &verify_options.required_scopes);
            }
            Err(e) => {
                assert!(matches!(e.code(), ErrorCode::InvalidOptions | ErrorCode::InvalidKey), "Verifier::new: {e}");
                no_echo(&e, verifier_json);
            }
        }
    }

    let signer_json = member(&map, "signer", &whole);
    let signer_options = read(signer_json, "Signer", SignerOptions::from_json);
    let sign_options = read(member(&map, "sign", &whole), "sign", SignOptions::from_json);
    if let Some(signer_options) = signer_options {
        match Signer::new(&signer_options) {
            Ok(signer) => {
                if let Some(sign_options) = sign_options {
                    let claims = match map.get("claims") {
                        Some(Value::Object(claims)) => claims.clone(),
                        _ => Map::new(),
                    };
                    round_trip(&signer, &signer_options, &sign_options, claims);
                }
            }
            Err(e) => {
                assert!(matches!(e.code(), ErrorCode::InvalidOptions | ErrorCode::InvalidKey), "Signer::new: {e}");
                no_echo(&e, signer_json);
            }
        }
    }

    let authority_json = member(&map, "authority", &whole);
    if let Some(options) = read(authority_json, "Authority", AuthorityOptions::from_json) {
        match Authority::new(&options) {
            Ok(authority) => {
                if let Some(login) = read(member(&map, "login", &whole), "login", LoginOptions::from_json) {
                    if let Err(e) = authority.check_login(&login) {
                        assert_eq!(e.code(), ErrorCode::InvalidOptions, "check_login: {e}");
                        assert!(e.claim_name().is_some(), "check_login: {e}");
                    }
                }
            }
            Err(e) => {
                assert!(matches!(e.code(), ErrorCode::InvalidOptions | ErrorCode::InvalidKey), "Authority::new: {e}");
                no_echo(&e, authority_json);
            }
        }
    }
});

/// Signs, then verifies with the signer's public key, issuer, audience and typ.
fn round_trip(signer: &Signer, signer_options: &SignerOptions, sign_options: &SignOptions, claims: Map<String, Value>) {
    let token = match signer.sign(claims.clone(), sign_options, common::now()) {
        Ok(token) => token,
        Err(e) => {
            assert!(matches!(e.code(), ErrorCode::InvalidOptions | ErrorCode::InvalidClaim), "sign: {e}");
            return;
        }
    };
    // `sign` accepted its `now`, so it is a time.
    let now = match sign_options.now {
        None => common::now(),
        Some(seconds) => tessera::Time::from_secs_f64(seconds).unwrap_or_else(|| panic!("sign accepted now {seconds}")),
    };
    let typ = sign_options.typ.clone().unwrap_or_else(|| "at+jwt".into());
    let verifier_options = json!({
        "jwks": { "keys": [signer.public_jwk()] },
        "issuer": signer_options.issuer,
        "audience": signer_options.audience,
        "typ": typ,
    });
    let verifier = VerifierOptions::from_json(verifier_options).and_then(|o| Verifier::new(&o));
    let Ok(verifier) = verifier else { panic!("the signer's own options do not make a verifier: {verifier:?}") };
    let result = verifier.verify(&token, now, &[]);
    // Claims the caller passed may legitimately fail validation (a future nbf, an aud with no
    // audience configured, a number beyond 2^53 - 1): only a token without those must verify.
    let caller_set = ["nbf", "aud", "iss", "sub", "scope", "scp"].iter().any(|c| claims.contains_key(*c))
        || json::check_exact_integers(&claims).is_err();
    // Finding F2 (fixed): `sign` used to accept any finite `now`; past 2^53 seconds the f64 sum
    // now + expiresIn rounds (at 2^62 back to now) and past 2^63 `as i64` saturates, so the
    // token was expired the moment it was made.
    // Finding F4 (fixed): a private JWK whose `use` is not "sig" or whose `key_ops` lack "sign"
    // used to sign, and its published public JWK was unusable (`key_ops: ["sign"]`).
    if !caller_set {
        assert!(result.is_ok(), "a freshly signed token does not verify: {result:?} (now {now:?}, token {token})");
    }
}
