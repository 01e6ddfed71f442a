//! Options as they now cross from JavaScript: JSON *text* (the glue's `JSON.stringify`), read
//! by `VerifierOptions::parse`, `VerifyOptions::parse`, `AuthorityOptions::parse`,
//! `LoginOptions::parse`, `SignerOptions::parse`, `SignOptions::parse` and
//! `KeyPairOptions::parse` (the `Options` reader: by name, typed, unknown names refused,
//! `null` as absent, nested `cookie` options), then the constructors that take them.
//!
//! Beyond "no panic", every reader error:
//! * is `ERR_INVALID_OPTIONS`;
//! * for a text that is a JSON object (or empty, or `null`), has a claim naming an option: one
//!   the type knows, or a member name of the input (an unknown one, cut to 64 characters);
//! * is made of fixed text and names only: `<what> options must be …` (text that is no object)
//!   or `<what> option <name> <problem>` with `<name>` the claim (or `cookie.<member>` under
//!   claim `cookie`) and `<problem>` one of the reader's fixed problems; so it never repeats a
//!   value of the input;
//! * is the same error when every non-empty string value of the input is replaced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera::authority::signer::{KeyPairOptions, SignOptions, SignerOptions};
use tessera::authority::{Authority, AuthorityOptions, LoginOptions};
use tessera::fuzzing::json;
use tessera::{Error, ErrorCode, Result, Signer, Verifier, VerifierOptions, VerifyOptions};

#[path = "../common/mod.rs"]
mod common;

/// The problems `Options` and the option readers state (the text after the option's name).
const PROBLEMS: [&str; 18] = [
    "must be a string",
    "must be a non-empty string",
    "must be true or false",
    "must be a finite number",
    "must be a number",
    "must be a non-negative number of seconds",
    "must be an array of strings",
    "must be a string or an array of strings",
    "must be a non-empty string or list of non-empty strings",
    "must be an object",
    "is unknown",
    "is required",
    "needs at least one private JWK",
    "must be a whole number of seconds from 0 to 315360000",
    "must be a whole number of seconds from 5 to 315360000",
    "must be a whole number of seconds from 60 to 315360000",
    "must be a whole number from 1 to 10000",
    "must be a whole number of seconds between 1 and 31536000",
];

const VERIFIER: &[&str] = &[
    "jwks", "jwksUrl", "cacheMaxAge", "cooldownDuration", "timeoutDuration", "algorithms", "issuer", "audience", "subject", "typ",
    "requiredClaims", "maxTokenAge", "clockTolerance", "profile",
];
const VERIFY: &[&str] = &["now", "requiredScopes"];
const AUTHORITY: &[&str] = &[
    "issuer", "audience", "signingKeys", "accessTokenTtl", "sessionTtl", "idleTtl", "reuseGrace", "allowedOrigins", "cookie",
    "refreshSecret", "clientId", "maxSessionsPerSubject", "fingerprintKey",
];
const LOGIN: &[&str] = &["sub", "scope", "claims"];
const SIGNER: &[&str] = &["privateJwk", "issuer", "audience"];
const SIGN: &[&str] = &["now", "expiresIn", "typ"];
const KEY_PAIR: &[&str] = &["kid"];

fn cut(name: &str) -> String {
    name.chars().take(64).collect()
}

/// The checks above, for one reader's error on `text` (`value`: the text as the strict reader
/// reads it).
fn check_error(e: &Error, what: &str, known: &[&str], text: &str, value: Option<&Value>) {
    assert_eq!(e.code(), ErrorCode::InvalidOptions, "{what}: {e}");
    let message = e.message();
    let object = match value {
        Some(Value::Object(map)) => Some(map),
        Some(Value::Null) => None,
        _ if text.is_empty() => None,
        _ => {
            // Not an object: one of the two whole-text messages, no claim.
            let expected = [format!("{what} options must be JSON-compatible"), format!("{what} options must be an object")];
            assert!(expected.iter().any(|m| m == message), "{what}: unexpected message for a non-object: {message:?}");
            assert_eq!(e.claim_name(), None);
            return;
        }
    };
    let Some(claim) = e.claim_name() else { panic!("{what}: an error about an object names no option: {e}") };
    let input_names: Vec<String> = object.map(|m| m.keys().map(|k| cut(k)).collect()).unwrap_or_default();
    assert!(
        known.contains(&claim) || input_names.iter().any(|n| n == claim),
        "{what}: the claim {claim:?} names neither an option nor a member of the input"
    );
    let Some(rest) = message.strip_prefix(what).and_then(|m| m.strip_prefix(" option ")) else {
        panic!("{what}: message {message:?} is not '<what> option <name> <problem>'")
    };
    let Some(problem) = PROBLEMS.iter().find(|p| rest.strip_suffix(**p).is_some_and(|r| r.ends_with(' '))) else {
        panic!("{what}: message {message:?} states no known problem")
    };
    let path = &rest[..rest.len() - problem.len() - 1];
    if path != claim {
        // Nested: `cookie.<member>` under the claim `cookie`.
        let Some(nested) = path.strip_prefix(claim).and_then(|p| p.strip_prefix('.')) else {
            panic!("{what}: message {message:?} names {path:?}, claim {claim:?}")
        };
        assert_eq!(claim, "cookie", "{what}: nested options other than cookie: {message:?}");
        let inner = object.and_then(|m| m.get(claim)).and_then(Value::as_object);
        assert!(
            ["name", "path", "hostPrefix"].contains(&nested) || inner.is_some_and(|m| m.keys().any(|k| cut(k) == nested)),
            "{what}: the nested name {nested:?} is neither an option nor a member of the input"
        );
    }
}

/// One reader on `text`: its checks, and the same error with the string values replaced.
fn read<T>(text: &str, value: Option<&Value>, what: &str, known: &[&str], parse: fn(&str) -> Result<T>) -> Option<T> {
    match parse(text) {
        Ok(options) => Some(options),
        Err(e) => {
            check_error(&e, what, known, text, value);
            if let Some(value @ Value::Object(_)) = value {
                let blank = parse(&common::blank_strings(value).to_string()).err();
                assert_eq!(Some(&e), blank.as_ref(), "{what}: the error depends on a string value (a leak)");
            }
            None
        }
    }
}

fn constructor_error(e: &Error, what: &str) {
    assert!(matches!(e.code(), ErrorCode::InvalidOptions | ErrorCode::InvalidKey), "{what}: {e}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The text as the readers read it: strict JSON (json::parse_value; the `json` target checks
    // that reader against serde_json), so a text with a duplicate member name is no object.
    let value = json::parse_value(text);
    let value = value.as_ref();

    if let Some(options) = read(text, value, "Verifier", VERIFIER, VerifierOptions::parse) {
        if let Err(e) = Verifier::new(&options) {
            constructor_error(&e, "Verifier::new");
        }
    }
    if let Some(options) = read(text, value, "verify", VERIFY, VerifyOptions::parse) {
        if let Err(e) = options.now(common::now()) {
            assert_eq!((e.code(), e.claim_name()), (ErrorCode::InvalidOptions, Some("now")));
        }
    }
    if let Some(options) = read(text, value, "Authority", AUTHORITY, AuthorityOptions::parse) {
        if let Err(e) = Authority::new(&options) {
            constructor_error(&e, "Authority::new");
        }
    }
    let _ = read(text, value, "login", LOGIN, LoginOptions::parse);
    if let Some(options) = read(text, value, "Signer", SIGNER, SignerOptions::parse) {
        if let Err(e) = Signer::new(&options) {
            constructor_error(&e, "Signer::new");
        }
    }
    let _ = read(text, value, "sign", SIGN, SignOptions::parse);
    let _ = read(text, value, "generateKeyPair", KEY_PAIR, KeyPairOptions::parse);
});
