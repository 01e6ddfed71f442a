//! Log scrubbing (`redact`): never panics on any text; its output is a fixed point; and a real
//! JWT, refresh token or Basic credential placed anywhere in the text (as a word) never survives,
//! whatever surrounds it (quotes, cookie headers, member names, schemes, escapes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera::redact::FingerprintKey;

fn redact(text: &str) -> String {
    thread_local! { static KEY: FingerprintKey = FingerprintKey::new(&[7u8; 32]).unwrap_or_else(|_| FingerprintKey::random()); }
    KEY.with(|key| tessera::redact::redact(text, key))
}

const JWT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
/// The same claims under a header written with spaces (`{ "alg": "ES256" }`).
const SPACED_JWT: &str = "eyAiYWxnIjogIkVTMjU2IiB9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
const RT: &str = "tsr1.WnABTQH-DrBu8ewUPuRuYg.0.F8R_q-QXicOIbSnVC57BKy30id8QaJ7vV_35WYpcIBY.1yoXUFISQhTbXzBcJ1xxug";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = redact(text);
    assert_eq!(redact(&once), once, "not idempotent for {text:?}");
    // Split the input in two and put the secrets between the halves, as words.
    let cut = (0..=text.len()).rev().find(|&i| text.is_char_boundary(i) && i <= text.len() / 2).unwrap_or(0);
    let (head, tail) = text.split_at(cut);
    for secret in [JWT, SPACED_JWT, RT] {
        // As a word, and right after a URL escape (`%3D`), which is not a word boundary.
        for line in [format!("{head} {secret} {tail}"), format!("{head}%3D{secret} {tail}")] {
            let out = redact(&line);
            assert!(!out.contains(secret), "{secret} survives in {line:?} → {out:?}");
            assert_eq!(redact(&out), out, "not idempotent for {line:?}");
        }
    }
    // The planted credential. (The input may hold the same characters as text of its own, where
    // they are no credential: `xBasic dXNl…`; after a space, `Basic` is always a scheme.)
    let basic = format!("{head} Authorization: Basic dXNlcjpwYXNzd29yZA== {tail}");
    assert!(!redact(&basic).contains("Authorization: Basic dXNlcjpwYXNzd29yZA"), "{basic:?}");
});
