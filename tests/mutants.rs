//! Tests written to kill the mutants that survived `scripts/mutants.sh` (see MUTANTS.md): each
//! pins down a rule of a security module that no other test stated precisely enough, through
//! the public API. The comment above each test names the mutants it kills.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{authority_options, ORIGIN};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tessera::authority::{Authority, AuthorityOptions, LoginOptions, Request};
use tessera::redact::FingerprintKey;
use tessera::{ErrorCode, Time};

const NOW: i64 = 1_700_000_000;

fn authority_with(extra: Value) -> Authority {
    Authority::new(&AuthorityOptions::from_json(authority_options(extra)).unwrap()).unwrap()
}

fn authority() -> Authority {
    authority_with(json!({}))
}

fn new_authority_error(extra: Value) -> ErrorCode {
    match AuthorityOptions::from_json(authority_options(extra)) {
        Ok(options) => Authority::new(&options).unwrap_err().code(),
        Err(error) => error.code(),
    }
}

fn request(cookie: Option<String>) -> Request {
    Request {
        method: "POST".into(),
        url: "https://auth.example/auth/refresh".into(),
        origin: Some(ORIGIN.into()),
        csrf: Some("1".into()),
        cookie,
        ..Request::default()
    }
}

fn login_options(sub: &str) -> LoginOptions {
    LoginOptions {
        sub: sub.into(),
        scope: Some("read".into()),
        claims: None,
    }
}

// ---------------------------------------------------------------------------------------------
// authority/cookie.rs

/// The `Cookie` header limit is 8 KiB, inclusive: a header of exactly 8192 bytes is read, one
/// byte more is refused. Kills `8 * 1024` → `8 + 1024` and `>` → `>=` in `cookie::read`.
#[test]
fn cookie_header_of_exactly_8_kib_is_read() {
    let a = authority();
    let (family, token) = a.start(&login_options("alice"), 0, Time::from_secs(NOW)).unwrap();
    let pair = format!("rt={}", token.as_str());
    let header = |total: usize| format!("pad={}; {pair}", "a".repeat(total - pair.len() - "pad=; ".len()));
    let presented = a.presented(&request(Some(header(8192)))).unwrap();
    assert_eq!(presented.family, family.family);
    let error = a.presented(&request(Some(header(8193)))).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Malformed);
}

/// A cookie path holding `;` or a control character is refused (each alone, neither being
/// whitespace). Kills both `||` → `&&` in `cookie::check_options`' path test.
#[test]
fn cookie_paths_with_separators_or_controls_are_refused() {
    for path in ["/a;b", "/a\u{1}b", "/a\u{7f}", "/a b", "/a\tb"] {
        assert_eq!(
            new_authority_error(json!({ "cookie": { "name": "rt", "path": path } })),
            ErrorCode::InvalidOptions,
            "{path:?}"
        );
    }
    // And the plain path is fine, so the refusals above are about the character.
    let _ = authority_with(json!({ "cookie": { "name": "rt", "path": "/a-b_c.d" } }));
}

// ---------------------------------------------------------------------------------------------
// redact.rs

const FINGERPRINT_KEY: [u8; 32] = [7u8; 32];

fn redact(text: &str) -> String {
    tessera::redact::redact(text, &FingerprintKey::new(&FINGERPRINT_KEY).unwrap())
}

/// `[label xxxxxxxx]`: the first four bytes of HMAC-SHA-256(key, secret) in lower-case hex,
/// computed here independently of the crate.
fn fingerprint(label: &str, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&FINGERPRINT_KEY).unwrap();
    mac.update(secret.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("[{label} {hex}]")
}

/// Fingerprints are exactly the first 32 bits of the keyed HMAC, in hex, whatever the nibbles.
/// Kills `>>` → `<<` and `&` → `|`/`^` in `FingerprintKey::hex`, and `is_keyed` → `false`.
#[test]
fn fingerprints_are_the_hmac_prefix_in_hex() {
    for secret in ["dXNlcjpwYXNz", "a", "opaque-1", "opaque-2", "c3Vuc2hpbmU0Mg==", "x-y_z~"] {
        assert_eq!(
            redact(&format!("Authorization: Basic {secret}")),
            format!("Authorization: Basic {}", fingerprint("basic", secret)),
            "{secret}"
        );
    }
    assert!(FingerprintKey::new(&FINGERPRINT_KEY).unwrap().is_keyed());
}

/// A Bearer credential ending a sentence keeps its full stop outside the fingerprint; it is
/// scrubbed at the end of the text too. Kills the mutants of the second trailing-dot trim in
/// `authorization_at` (`>`, `-`, `-=`), and `-=` → `+=` of the first (which ran past the text).
#[test]
fn a_bearer_credential_before_a_full_stop() {
    assert_eq!(redact("Bearer abc.def."), format!("Bearer {}.", fingerprint("bearer", "abc.def")));
    assert_eq!(redact("Bearer abc..."), format!("Bearer {}...", fingerprint("bearer", "abc")));
    assert_eq!(
        redact("sent Bearer abc. Then more."),
        format!("sent Bearer {}. Then more.", fingerprint("bearer", "abc"))
    );
}

/// The scheme is a word: followed by a space or a tab, never by another letter. Kills
/// `b == b'\t'` → `!=` in `authorization_at`.
#[test]
fn bearer_scheme_then_space_or_tab() {
    assert_eq!(redact("Bearer\tabc123"), format!("Bearer\t{}", fingerprint("bearer", "abc123")));
    assert_eq!(redact("Bearers and Basically"), "Bearers and Basically");
}

/// A plain `Set-Cookie` line: its first pair's value is scrubbed, attributes kept (the array
/// form is only for `[`). Kills `&&` → `||` before `bytes.get(start) == Some(&b'[')` in
/// `cookie_at`.
#[test]
fn set_cookie_line_with_an_opaque_value() {
    assert_eq!(
        redact("Set-Cookie: sid=opaque123; Path=/; HttpOnly"),
        format!("Set-Cookie: sid={}; Path=/; HttpOnly", fingerprint("cookie", "opaque123"))
    );
}

/// Node's `set-cookie` array with a space before a comma: every string's pair is scrubbed.
/// Kills `i += 1` → `i -= 1` in the space skip before `,` in `cookie_array`.
#[test]
fn set_cookie_array_with_spaces_before_commas() {
    assert_eq!(
        redact("set-cookie: [ 'a=opaque1; Path=/' , 'b=opaque2' ]"),
        format!(
            "set-cookie: [ 'a={}; Path=/' , 'b={}' ]",
            fingerprint("cookie", "opaque1"),
            fingerprint("cookie", "opaque2")
        )
    );
}

/// What follows `Cookie:` but is no `name=value` pair is left as text (module docs). Kills
/// `||` → `&&` in `cookie_pairs`' test for a pair.
#[test]
fn cookie_header_text_without_a_pair_is_kept() {
    assert_eq!(redact("Cookie: none set"), "Cookie: none set");
}

/// A second pass leaves a scrubbed cookie line as it is, short lines included. Kills
/// `end += len` → `end -= len` for a fingerprint found in a cookie value (it underflowed).
#[test]
fn a_scrubbed_cookie_is_a_fixed_point() {
    for line in ["Cookie:a=1", "c=x; Cookie: a=1", "Set-Cookie: s=v; Path=/"] {
        let once = redact(line);
        assert_ne!(once, line);
        assert_eq!(redact(&once), once, "{line}");
    }
}

/// A quoted cookie value (RFC 6265 allows `name="value"`) followed by a space and `;`: the
/// value with its quotes is scrubbed, the next pair too. Kills the mutants of the quoted-value
/// branch of `cookie_pairs` (`q.byte != b'"'`, `end += 1` ×2, `== Some(&b'"')`, `end + 1`).
#[test]
fn quoted_cookie_values_then_a_spaced_semicolon() {
    assert_eq!(
        redact(r#"Cookie: q="abc" ; r=1"#),
        format!(
            r#"Cookie: q={} ; r={}"#,
            fingerprint("cookie", r#""abc""#),
            fingerprint("cookie", "1")
        )
    );
    // The same inside a single-quoted string (util.inspect).
    assert_eq!(
        redact(r#"{ cookie: 'q="abc" ; r=1' }"#),
        format!(
            r#"{{ cookie: 'q={} ; r={}' }}"#,
            fingerprint("cookie", r#""abc""#),
            fingerprint("cookie", "1")
        )
    );
}

/// A value outside the cookie grammar is scrubbed up to the next `;`, line feed or carriage
/// return — not beyond. Kills both `&&` → `||` in `cookie_pairs`' scan to the end of the value.
#[test]
fn an_odd_cookie_value_ends_at_a_semicolon_or_line_end() {
    assert_eq!(
        redact("Cookie: a=1 b=2; sid=opaque"),
        format!(
            "Cookie: a={}; sid={}",
            fingerprint("cookie", "1 b=2"),
            fingerprint("cookie", "opaque")
        )
    );
    assert_eq!(
        redact("Cookie: a=1 b=2\nnext line"),
        format!("Cookie: a={}\nnext line", fingerprint("cookie", "1 b=2"))
    );
    assert_eq!(
        redact("Cookie: a=1 b=2\r\nnext line"),
        format!("Cookie: a={}\r\nnext line", fingerprint("cookie", "1 b=2"))
    );
}

// ---------------------------------------------------------------------------------------------
// authority/mod.rs: options, requests and login checks as the JavaScript glue passes them (the
// JS suites test them through the package; these pin the core's rules natively).

fn option_message(extra: Value) -> String {
    match AuthorityOptions::from_json(authority_options(extra)) {
        Ok(options) => Authority::new(&options).unwrap_err().message().to_string(),
        Err(error) => error.message().to_string(),
    }
}

/// Durations: whole seconds up to ten years, each with its own floor in the message. Kills the
/// mutants of `ttl` (`==` → `!=` in the message, `*` → `+` in the ten-year bound).
#[test]
fn option_durations_and_their_bounds() {
    assert!(AuthorityOptions::from_json(authority_options(json!({ "sessionTtl": 315_360_000 }))).is_ok());
    for (name, floor) in [
        ("accessTokenTtl", "5"),
        ("sessionTtl", "60"),
        ("idleTtl", "60"),
        ("reuseGrace", "0"),
    ] {
        let message = option_message(json!({ name: 315_360_001u64 }));
        assert!(
            message.contains(&format!("must be a whole number of seconds from {floor} to 315360000")),
            "{name}: {message}"
        );
    }
}

/// The text form the glue passes reads as the value form; a single audience stays a string,
/// several an array; signing keys must be a non-empty list. Kills `AuthorityOptions::parse`,
/// `LoginOptions::{from_json, parse, read}` → `Default`, and the guards of `read`.
#[test]
fn options_as_text_and_their_shapes() {
    let value = authority_options(json!({ "audience": ["https://api.example"] }));
    let from_text = AuthorityOptions::parse(&value.to_string()).unwrap();
    assert_eq!(from_text, AuthorityOptions::from_json(value).unwrap());
    assert_eq!(from_text.audience, json!("https://api.example"));
    let two = AuthorityOptions::from_json(authority_options(json!({ "audience": ["a", "b"] }))).unwrap();
    assert_eq!(two.audience, json!(["a", "b"]));
    assert_eq!(Authority::new(&two).unwrap().audience(), &json!(["a", "b"]));
    assert!(option_message(json!({ "signingKeys": [] })).contains("signingKeys needs at least one private JWK"));
    // Refused while the options are read (before any other check).
    let error = AuthorityOptions::from_json(authority_options(json!({ "signingKeys": [] }))).unwrap_err();
    assert_eq!(error.claim_name(), Some("signingKeys"));

    let login = json!({ "sub": "alice", "scope": "read", "claims": { "tenant": "t1" } });
    let expected = LoginOptions {
        sub: "alice".into(),
        scope: Some("read".into()),
        claims: Some(json!({ "tenant": "t1" }).as_object().unwrap().clone()),
    };
    assert_eq!(LoginOptions::parse(&login.to_string()).unwrap(), expected);
    assert_eq!(LoginOptions::from_json(login).unwrap(), expected);
    assert_eq!(LoginOptions::parse("{}").unwrap_err().claim_name(), Some("sub"));
}

/// Requests as the binding writes them. Kills `Request::parse` → `Default` and `>=` → `<` on
/// the body length, and the 16 KiB limit's `*` → `+`/`/` and `>` → `>=`.
#[test]
fn requests_as_text_and_the_body_limit() {
    let text = json!({ "method": "POST", "url": "https://auth.example/auth/refresh", "origin": ORIGIN, "csrf": "1", "cookie": "rt=x", "bodyLength": 16384 });
    let parsed = Request::parse(&text.to_string()).unwrap();
    assert_eq!(
        parsed,
        Request {
            cookie: Some("rt=x".into()),
            body_length: Some(16384),
            ..request(None)
        }
    );
    let a = authority();
    assert!(a.check_request(&parsed).is_ok(), "16 KiB exactly");
    let over = Request {
        body_length: Some(16385),
        ..parsed.clone()
    };
    assert_eq!(a.check_request(&over).unwrap_err().message(), "the request body is too large");
    let negative = json!({ "method": "POST", "bodyLength": -1 });
    assert_eq!(Request::parse(&negative.to_string()).unwrap().body_length, None);
    let zero = json!({ "method": "POST", "bodyLength": 0 });
    assert_eq!(Request::parse(&zero.to_string()).unwrap().body_length, Some(0));
}

/// Login checks: `sub` of 1 to 255 bytes, claims up to 4 KiB of JSON. Kills the `||`/`>`
/// mutants of `check_login`.
#[test]
fn login_subject_and_claims_limits() {
    let a = authority();
    assert!(a.check_login(&login_options(&"s".repeat(255))).is_ok());
    for bad in ["".to_string(), "s".repeat(256)] {
        assert_eq!(
            a.check_login(&login_options(&bad)).unwrap_err().claim_name(),
            Some("sub"),
            "{} bytes",
            bad.len()
        );
    }
    // {"c":"…"} is 8 bytes of JSON around the value.
    let claims = |len: usize| LoginOptions {
        claims: Some(json!({ "c": "x".repeat(len - 8) }).as_object().unwrap().clone()),
        ..login_options("alice")
    };
    assert!(a.check_login(&claims(4096)).is_ok());
    assert_eq!(a.check_login(&claims(4097)).unwrap_err().claim_name(), Some("claims"));
}

/// Store lifetimes: a live family until its earlier expiry plus the grace window and a second,
/// a revoked one a second; a subject record the session lifetime plus the same. Kills the
/// arithmetic mutants of `family_ttl` and `subject_ttl`.
#[test]
fn store_lifetimes_are_exact() {
    let a = authority(); // sessionTtl 86400, idleTtl 3600, reuseGrace 10
    let now = Time::from_secs(NOW);
    let (family, _) = a.start(&login_options("alice"), 0, now).unwrap();
    assert_eq!(a.family_ttl(&family, now), 3600 + 10 + 1);
    assert_eq!(a.family_ttl(&family, Time::from_secs(NOW + 600)), 3000 + 10 + 1);
    assert_eq!(a.family_ttl(&family, Time::from_secs(NOW + 90_000)), 10 + 1);
    assert_eq!(a.family_ttl(&family.revoke("logout"), now), 1);
    assert_eq!(a.subject_ttl(), 86_400 + 10 + 1);
}

/// The access token: its lifetime is `accessTokenTtl`, its signature checks against the active
/// key, and `verify` returns its claims; the getters say what the options said. Kills
/// `expires_in` deleted in `access_token_input`, `verifies` → `true`/`false`, `verify`,
/// `jwks`, `issuer` and `audience` → defaults.
#[test]
fn access_tokens_and_public_values() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let a = authority_with(json!({ "accessTokenTtl": 120 })); // not the signer's default
    let now = Time::from_secs(NOW);
    let (family, _) = a.start(&login_options("alice"), 0, now).unwrap();
    let input = a.access_token_input(&family, now).unwrap();
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(input.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(), 120);
    let signature = a.sign_input(&input).unwrap();
    assert!(a.verifies(&input, &signature));
    let mut wrong = signature;
    wrong[10] ^= 1;
    assert!(!a.verifies(&input, &wrong));
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
    let claims = a.verify(&token, now, &[]).unwrap();
    assert_eq!(
        (claims["sub"].as_str(), claims["sid"].as_str()),
        (Some("alice"), Some(family.family.as_str()))
    );
    assert_eq!(a.issuer(), "https://auth.example");
    assert_eq!(a.audience(), &json!("https://api.example"));
    assert_eq!(a.jwks()["keys"].as_array().map(Vec::len), Some(1));
}

// ---------------------------------------------------------------------------------------------
// authority/store.rs: the embedded store as the handshake uses it (the JS MemoryStore runs on it)

/// Polls a handshake future over the in-memory store to completion (it never waits).
fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Login, refresh and verify over `RefCell<MemoryStore>` (what the binding uses by default);
/// `live` counts records whose TTL has not run out at `now`, exclusive. Kills the `Store` impl's
/// `get`/`put` → constants, `live`'s `>` → `>=` and `is_empty` → constants.
#[test]
fn the_memory_store_through_the_handshake() {
    use std::cell::RefCell;
    use tessera::authority::handshake;
    use tessera::authority::store::MemoryStore;
    let (a, store) = (authority(), RefCell::new(MemoryStore::new()));
    assert!(store.borrow().is_empty());
    let now = Time::from_secs(NOW);
    let login = ready(handshake::login(&a, &store, &request(None), &login_options("alice"), now, &()));
    assert_eq!(login.status, 200);
    assert!(!store.borrow().is_empty());
    let cookie = login
        .headers
        .iter()
        .find(|(n, _)| *n == "set-cookie")
        .unwrap()
        .1
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let refreshed = ready(handshake::refresh(&a, &store, &request(Some(cookie.clone())), now, &()));
    assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
    let access = refreshed.body["access_token"].as_str().unwrap();
    assert!(ready(handshake::verify(&a, &store, access, now, &[])).is_ok());
    // The first token is now the previous one: refreshed again after the grace window, it is reuse.
    let later = Time::from_secs(NOW + 60);
    assert_eq!(
        ready(handshake::refresh(&a, &store, &request(Some(cookie)), later, &())).status,
        401
    );
    assert_eq!(
        ready(handshake::verify(&a, &store, access, later, &[])).unwrap_err().code(),
        ErrorCode::Revoked
    );

    let mut plain = MemoryStore::new();
    assert!(plain.put("k", json!({ "generation": 0 }), None, 5, now));
    assert_eq!(plain.live(Time::from_secs(NOW + 4)), 1);
    assert_eq!(plain.live(Time::from_secs(NOW + 5)), 0, "expired at its TTL");
}
