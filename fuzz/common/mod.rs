//! Fixtures shared by the fuzz targets: the RFC 7515 Appendix A.3 P-256 key (public as the one
//! key of a verification set, private for signing fuzzer-chosen headers and claims), a fixed
//! clock, verifier configurations built once, and readers that turn JSON into the core's
//! types the way the JavaScript binding does (the session role has no JSON parser of its own).
#![allow(dead_code)]

use std::sync::OnceLock;

use serde_json::{json, Map, Value};
use tessera::es256::PrivateKey;
use tessera::fuzzing::b64;
use tessera::jose::jwt::{ClaimRules, Validation};
use tessera::session::message::Fields;
use tessera::session::plain::{PlainData, WrongType};
use tessera::session::{SessionOptions, TokenResponse};
use tessera::{KeySet, Time};

pub const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
pub const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
pub const D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
pub const KID: &str = "k";
pub const ISSUER: &str = "https://issuer.example";
pub const AUDIENCE: &str = "api";
pub const URL: &str = "https://issuer.example/jwks";
pub const ORIGIN: &str = "https://app.example";
/// A 32-byte refresh secret, base64url (deterministic refresh-token tags across runs).
pub const REFRESH_SECRET: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
/// The fixed clock (unix seconds) the targets verify at.
pub const NOW_SECS: i64 = 1_700_000_000;

/// The fixed clock as the core's time.
pub const fn now() -> Time {
    Time::from_secs(NOW_SECS)
}

pub fn public_jwk() -> Value {
    json!({"kty": "EC", "crv": "P-256", "x": X, "y": Y, "kid": KID})
}

pub fn private_jwk() -> Value {
    json!({"kty": "EC", "crv": "P-256", "x": X, "y": Y, "d": D, "kid": KID})
}

/// The verification set: one P-256 key, kid "k". Per thread (a key set caches its
/// verification tables in cells, so it is not `Sync`); leaked once, fuzzing is one thread.
pub fn key_set() -> &'static KeySet {
    thread_local! {
        static SET: &'static KeySet = match KeySet::from_json(&json!({ "keys": [public_jwk()] })) {
            Ok(set) => Box::leak(Box::new(set)),
            Err(e) => panic!("fixture key set: {e}"),
        };
    }
    SET.with(|set| *set)
}

/// RFC 7515 A.2's 2048-bit RSA modulus (exponent AQAB).
pub const RSA_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
/// RFC 8037 A.2's Ed25519 public key.
pub const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
pub const X384: &str = "CE1K_dnMRws7vIiKF-6K711wlLNBhWNSjK2efct6aMKpFCuzMNXdn-MWAP9AxXEW";
pub const Y384: &str = "MeXXINdb0mj-Hy_tVledEHM-fRa9bA53JBithzJefhm74cAl6K2V9kT7ivTasaNr";

/// A set as providers publish them, one key per family: the fixture P-256 key, the RFC 7515 A.2
/// RSA key twice (kid "rs" bound to RS256 without alg... "rs" without alg, "ps" with PS384), the
/// RFC 8037 Ed25519 key (kid "ed", and without kid), a P-384 key, an encryption key and a key of
/// an unknown type (both skipped). Fuzzed tokens reach the RSA, EdDSA and ES384 verifiers through it.
pub fn mixed_key_set() -> &'static KeySet {
    thread_local! {
        static SET: &'static KeySet = match KeySet::from_json(&json!({ "keys": [
            public_jwk(),
            {"kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": "rs", "x5c": ["MIIC"], "x5t": "AAAA"},
            {"kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": "ps", "alg": "PS384"},
            {"kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": "enc", "use": "enc"},
            {"kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": "ed"},
            {"kty": "OKP", "crv": "Ed25519", "x": ED_X},
            {"kty": "EC", "crv": "P-384", "x": X384, "y": Y384, "kid": "ec384", "alg": "ES384"},
            {"kty": "AKP", "alg": "ML-DSA-44", "kid": "pq", "pub": "AAAA"},
        ] })) {
            Ok(set) => Box::leak(Box::new(set)),
            Err(e) => panic!("fixture mixed key set: {e}"),
        };
    }
    SET.with(|set| *set)
}

/// The private half of the fixture key.
pub fn private_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let d = b64::decode(D, "d").unwrap_or_default();
        match PrivateKey::from_scalar(&d) {
            Ok(key) => key,
            Err(e) => panic!("fixture private key: {e}"),
        }
    })
}

fn validation(rules: ClaimRules) -> Validation {
    match Validation::new(&rules) {
        Ok(v) => v,
        Err(e) => panic!("fixture validation: {e}"),
    }
}

fn one(s: &str) -> Option<Vec<String>> {
    Some(vec![s.to_string()])
}

/// Verifier configurations, the first being the strictest (RFC 9068 `at+jwt` profile).
pub fn validations() -> &'static [Validation] {
    static V: OnceLock<Vec<Validation>> = OnceLock::new();
    V.get_or_init(|| {
        vec![
            // RFC 9068 access tokens: iss, aud, typ at+jwt and the seven required claims.
            validation(ClaimRules {
                issuer: one(ISSUER),
                audience: Some(vec!["other".into(), AUDIENCE.into()]),
                profile: Some("at+jwt".into()),
                ..ClaimRules::default()
            }),
            // Nothing configured: only the types and times of the claims present are checked.
            validation(ClaimRules::default()),
            // Subject, age, tolerance, typ with the application/ prefix, extra required claims.
            validation(ClaimRules {
                issuer: Some(vec![ISSUER.into(), "https://b.example".into()]),
                subject: Some("user-1".into()),
                typ: Some("application/JWT".into()),
                max_token_age: Some(3600.0),
                clock_tolerance: Some(60.0),
                required_claims: Some(vec!["nonce".into()]),
                ..ClaimRules::default()
            }),
        ]
    })
}

/// Required-scope lists a selector byte chooses from.
pub fn scopes(selector: u8) -> Vec<String> {
    match selector % 4 {
        0 => vec![],
        1 => vec!["read".into()],
        2 => vec!["read".into(), "write".into()],
        _ => vec!["".into()],
    }
}

/// Clocks a selector byte chooses from (edge values included: the epoch, the last millisecond
/// of year 9999, a fraction of a second after the fixed clock).
pub fn now_at(selector: u8) -> Time {
    match selector % 7 {
        0 => now(),
        1 => now().plus_secs(3600),
        2 => Time::from_millis(0),
        3 => Time::MAX,
        4 => now().plus_millis(999),
        5 => now().plus_secs(-86400),
        _ => now().plus_millis(-1),
    }
}

/// `BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(ES256 signature)` with the fixture key.
pub fn sign(header: &[u8], payload: &[u8]) -> String {
    let mut token = b64::encode(header);
    token.push('.');
    token.push_str(&b64::encode(payload));
    let signature = private_key().sign(token.as_bytes());
    token.push('.');
    token.push_str(&b64::encode(&signature));
    token
}

pub const HEADER: &str = r#"{"alg":"ES256","kid":"k","typ":"at+jwt"}"#;

pub fn claims() -> Map<String, Value> {
    let now = NOW_SECS;
    match json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "client_id": "client-1",
        "iat": now - 10, "exp": now + 300, "jti": "j-1", "scope": "read write"
    }) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A valid RFC 9068 access token for the fixture key, valid at [`now`].
pub fn valid_token() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| sign(HEADER.as_bytes(), Value::Object(claims()).to_string().as_bytes()))
}

/// Authority options (JSON) with the fixture key, a fixed refresh secret and one allowed origin.
pub fn authority_options() -> Value {
    json!({
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "signingKeys": [private_jwk()],
        "allowedOrigins": [ORIGIN],
        "refreshSecret": REFRESH_SECRET,
        "sessionTtl": 3600,
        "idleTtl": 600,
        "reuseGrace": 10,
    })
}

/// Every non-empty string *value* (not member name) in a JSON value, replaced by a fixed
/// placeholder (empty strings stay empty: readers refuse them as such).
pub fn blank_strings(value: &Value) -> Value {
    match value {
        Value::String(s) if s.is_empty() => Value::String(String::new()),
        Value::String(_) => Value::String("\u{1}".into()),
        Value::Array(items) => Value::Array(items.iter().map(blank_strings).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), blank_strings(v))).collect()),
        other => other.clone(),
    }
}

/// Every string value (not member name) anywhere in a JSON value.
pub fn string_values<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| string_values(v, out)),
        Value::Object(map) => map.values().for_each(|v| string_values(v, out)),
        _ => {}
    }
}

/// Every member name anywhere in a JSON value.
pub fn member_names<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| member_names(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k);
            member_names(v, out)
        }),
        _ => {}
    }
}

// ---- The session's plain-data readers (tessera::session::plain), over a JSON value instead of
// the binding's JsValue: the member names, types and rules are the core's, as the binding uses them.

/// A JSON value read as the binding reads a JavaScript data object.
struct Json<'a>(&'a Value);

impl Json<'_> {
    /// A member: `Ok(None)` when absent or `null` (or the value is not an object), `Err` when
    /// present with another type than `read` takes.
    fn member<T>(&self, name: &str, read: impl FnOnce(&Value) -> Option<T>) -> Result<Option<T>, WrongType> {
        match self.0.as_object().and_then(|o| o.get(name)) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => read(value).map(Some).ok_or(WrongType),
        }
    }
}

impl PlainData for Json<'_> {
    fn string(&self, name: &str) -> Result<Option<String>, WrongType> {
        self.member(name, |v| v.as_str().map(str::to_string))
    }

    fn number(&self, name: &str) -> Result<Option<f64>, WrongType> {
        self.member(name, Value::as_f64)
    }

    fn boolean(&self, name: &str) -> Result<Option<bool>, WrongType> {
        self.member(name, Value::as_bool)
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, WrongType> {
        self.member(name, |v| v.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect())
    }

}

/// A token response as the binding reads a `JSON.parse`d body.
pub fn token_response(data: &Value) -> TokenResponse {
    TokenResponse::read(&Json(data))
}

/// A channel message's fields as the binding reads structured-clone data.
pub fn message_fields(data: &Value) -> Option<Fields> {
    Fields::read(&Json(data))
}

/// `new TokenSession(options)` as the binding reads a data copy of the options.
pub fn session_options(data: &Value, page_origin: &str) -> SessionOptions {
    let mut read = SessionOptions::read(&Json(data), page_origin.to_string());
    for name in data.as_object().into_iter().flat_map(|map| map.keys()) {
        read.member_name(name.clone());
    }
    read
}

/// Known findings (listed in README.md) are skipped rather than asserted, so a run can go on
/// past them, unless the environment sets `TESSERA_FUZZ_STRICT=1` (to reproduce them, or once
/// they are fixed).
pub fn known_findings_gated() -> bool {
    static GATED: OnceLock<bool> = OnceLock::new();
    *GATED.get_or_init(|| std::env::var_os("TESSERA_FUZZ_STRICT").is_none_or(|v| v != "1"))
}

/// Drives a future that never waits (the handshake over a `RefCell<MemoryStore>` and the
/// default host): polled once with a no-op waker.
pub fn ready<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut context = Context::from_waker(Waker::noop());
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a handshake future over the memory store waited"),
    }
}
