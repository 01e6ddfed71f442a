//! Tests written to kill the mutants that survived `scripts/mutants.sh` (see MUTANTS.md): each
//! pins down a rule of a security module that no other test stated precisely enough, through
//! the public API. The comment above each test names the mutants it kills.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tessera::authority::signer::generate_key_pair;
use tessera::authority::{Authority, AuthorityOptions, LoginOptions, Request};
use tessera::redact::FingerprintKey;
use tessera::{ErrorCode, Time};

const ORIGIN: &str = "https://app.example";
const NOW: i64 = 1_700_000_000;

fn b64(bytes: &[u8]) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    URL_SAFE_NO_PAD.encode(bytes)
}

fn authority_options(extra: Value) -> Value {
    let (private, _) = generate_key_pair(&Default::default()).unwrap();
    let mut options = json!({
        "issuer": "https://auth.example",
        "audience": "https://api.example",
        "signingKeys": [private],
        "accessTokenTtl": 300,
        "sessionTtl": 86400,
        "idleTtl": 3600,
        "reuseGrace": 10,
        "allowedOrigins": [ORIGIN],
        "cookie": { "name": "rt", "path": "/auth" },
        "refreshSecret": b64(&[9u8; 32]),
    });
    for (name, value) in extra.as_object().unwrap() {
        options[name] = value.clone();
    }
    options
}

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
