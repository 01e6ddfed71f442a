//! Token scrubbing for logs: [`redact`] replaces credentials in free text with short
//! fingerprints, so a log line still tells two tokens apart (and the same token across lines)
//! without carrying anything a reader could replay.
//!
//! What is replaced (ASCII patterns; everything else is copied unchanged, in one linear pass):
//! * JWTs (JWS and JWE compact form): a run starting `eyJ` (base64url of `{"`) with at least one
//!   `.`, or at least 16 characters long (a header or payload cut out of a token) → `[jwt 1a2b3c4d]`.
//! * Tessera refresh tokens, `tsr1.` and what follows → `[refresh 1a2b3c4d]`.
//! * The credential after `Bearer` or `Basic` (any case) → `Bearer [bearer 1a2b3c4d]`; a
//!   challenge's auth-params (`Bearer error="invalid_token"`) are left alone.
//! * Cookie values after a `Cookie` or `Set-Cookie` name followed by `:` or `=` (header lines,
//!   JSON members, `util.inspect` output): every `name=value` pair of a `Cookie` (separated by
//!   `;`), the first pair of a `Set-Cookie` (its attributes are kept) →
//!   `tessera_rt=[cookie 1a2b3c4d]`. Pairs follow the cookie grammar (RFC 6265); text that does
//!   not fit it is scanned like any other text.
//! * The values of `access_token`, `refresh_token` and `id_token` members or parameters (JSON,
//!   query strings, form bodies) → `[secret 1a2b3c4d]`.
//!
//! A fingerprint is the first 32 bits of SHA-256 of the replaced text, in hex: enough to
//! correlate lines, useless for recovering or replaying a 128-bit-or-better secret. A JWT or
//! refresh token inside a Bearer, cookie or member value keeps its own label.

use sha2::{Digest, Sha256};

/// Scrubs credentials from `text` (see the module docs). Never fails, never panics; the
/// output of `redact` is a fixed point (`redact(redact(x)) == redact(x)`).
pub fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0; // bytes[..copied] are in `out` (or replaced)
    let mut i = 0;
    while i < bytes.len() {
        if i > 0 && is_word(bytes.get(i - 1).copied()) {
            i += 1;
            continue;
        }
        let Some(found) = match_at(text, i) else {
            i += 1;
            continue;
        };
        out.push_str(text.get(copied..i).unwrap_or_default());
        out.push_str(&found.replacement);
        copied = found.end;
        i = found.end.max(i + 1);
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

struct Found {
    end: usize,
    replacement: String,
}

/// Letters, digits, `_` and `-`: the base64url alphabet, and what makes a word.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn is_word(b: Option<u8>) -> bool {
    b.is_some_and(is_token)
}

/// `prefix` (ASCII, compared case-insensitively) at `at`.
fn starts_with_ci(text: &str, at: usize, prefix: &str) -> bool {
    text.as_bytes()
        .get(at..at + prefix.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn fingerprint(label: &str, secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("[{label} {hex}]")
}

/// End of the run of token characters and dots from `at`, without trailing dots (a sentence's
/// full stop is not part of a token).
fn dotted_run_end(bytes: &[u8], at: usize) -> usize {
    let mut end = at;
    while bytes.get(end).is_some_and(|&b| is_token(b) || b == b'.') {
        end += 1;
    }
    while end > at && bytes.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    end
}

fn match_at(text: &str, at: usize) -> Option<Found> {
    token_at(text, at)
        .or_else(|| authorization_at(text, at))
        .or_else(|| cookie_at(text, at))
        .or_else(|| member_at(text, at))
}

/// A JWT or a refresh token starting at `at`.
fn token_at(text: &str, at: usize) -> Option<Found> {
    let bytes = text.as_bytes();
    let label = if starts_with_ci(text, at, "tsr1.") {
        "refresh"
    } else if bytes.get(at..at + 3) == Some(b"eyJ".as_slice()) {
        "jwt"
    } else {
        return None;
    };
    let end = dotted_run_end(bytes, at);
    let token = text.get(at..end)?;
    let plausible = match label {
        "refresh" => token.len() > 5,
        _ => token.contains('.') || token.len() >= 16,
    };
    plausible.then(|| Found {
        end,
        replacement: fingerprint(label, token),
    })
}

/// Auth-param names of `WWW-Authenticate` challenges.
const AUTH_PARAMS: [&str; 7] = [
    "realm",
    "error",
    "error_description",
    "error_uri",
    "scope",
    "charset",
    "resource_metadata",
];

/// The credential of a `Bearer` or `Basic` authorization (RFC 9110 token68 characters).
fn authorization_at(text: &str, at: usize) -> Option<Found> {
    let bytes = text.as_bytes();
    let (scheme, label) = if starts_with_ci(text, at, "bearer") {
        (6, "bearer")
    } else if starts_with_ci(text, at, "basic") {
        (5, "basic")
    } else {
        return None;
    };
    if at > 0 && bytes.get(at - 1) == Some(&b'[') {
        return None; // the label of a fingerprint: `[bearer 1a2b3c4d]`
    }
    let mut start = at + scheme;
    if !bytes.get(start).is_some_and(|&b| b == b' ' || b == b'\t') {
        return None;
    }
    while bytes.get(start).is_some_and(|&b| b == b' ' || b == b'\t') {
        start += 1;
    }
    let mut end = start;
    while bytes.get(end).is_some_and(|&b| is_token(b) || b"._~+/".contains(&b)) {
        end += 1;
    }
    while bytes.get(end) == Some(&b'=') {
        end += 1;
    }
    while end > start && bytes.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    // `Bearer error="invalid_token"`, `Bearer realm=x`: a challenge's auth-param, not a
    // credential. Only the parameter names RFC 6750/7235/9728 define count: anything else that
    // looks like `name=value` is scrubbed (over-redaction is harmless, a leak is not).
    if bytes.get(end).is_some_and(|&b| b == b'"' || is_token(b))
        && text
            .get(start..end)
            .and_then(|c| c.strip_suffix('='))
            .is_some_and(|name| AUTH_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(name)))
    {
        return None;
    }
    // Not an auth-param: whatever token68 text and `=` follow belong to the credential.
    while bytes.get(end).is_some_and(|&b| is_token(b) || b"._~+/=".contains(&b)) {
        end += 1;
    }
    while end > start && bytes.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    // Empty also when a fingerprint from an earlier pass follows (`[` is not token68).
    let credential = text.get(start..end).filter(|c| !c.is_empty())?;
    let mut replacement = text.get(at..start)?.to_string();
    replacement.push_str(&scrub_value(credential, label));
    Some(Found { end, replacement })
}

/// A JWT or refresh token keeps its own label; anything else gets `label`.
fn scrub_value(value: &str, label: &str) -> String {
    if value.starts_with('[') && value.ends_with(']') {
        return value.to_string(); // a fingerprint from an earlier pass
    }
    if let Some(found) = token_at(value, 0).filter(|f| f.end == value.len()) {
        return found.replacement;
    }
    fingerprint(label, value)
}

/// After a member or header name: optional closing quote, optional spaces, `:` or `=`,
/// optional spaces. Returns the index after them and the opening quote of the value, if any.
fn after_name(bytes: &[u8], mut i: usize) -> Option<(usize, Option<u8>)> {
    if matches!(bytes.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    while bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    if !matches!(bytes.get(i), Some(b':' | b'=')) {
        return None;
    }
    i += 1;
    while bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    match bytes.get(i) {
        Some(&q @ (b'"' | b'\'')) => Some((i + 1, Some(q))),
        _ => Some((i, None)),
    }
}

/// The length of a fingerprint `[label 1a2b3c4d]` at `at`, if there is one.
fn fingerprint_len(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?.strip_prefix(b"[")?;
    let label = ["jwt", "refresh", "bearer", "basic", "cookie", "secret"]
        .into_iter()
        .find(|l| rest.starts_with(l.as_bytes()) && rest.get(l.len()) == Some(&b' '))?;
    let hex = rest.get(label.len() + 1..label.len() + 9)?;
    (hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) && rest.get(label.len() + 9) == Some(&b']')).then_some(label.len() + 11)
}

/// A cookie-name character: an RFC 9110 token character.
fn is_cookie_name(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)
}

/// A cookie-value character (RFC 6265 cookie-octet), minus the quote that closes the value.
fn is_cookie_octet(b: u8, quote: Option<u8>) -> bool {
    b.is_ascii_graphic() && !b",;\\\"".contains(&b) && Some(b) != quote
}

/// `Cookie`/`Set-Cookie` values: the `name=value` pairs that follow the header name, parsed by
/// the cookie grammar; the first thing that does not fit ends the match and goes back to the
/// main scan (so a credential after it is still found).
fn cookie_at(text: &str, at: usize) -> Option<Found> {
    let bytes = text.as_bytes();
    let (name_len, all_pairs) = if starts_with_ci(text, at, "set-cookie") {
        (10, false)
    } else if starts_with_ci(text, at, "cookie") {
        (6, true)
    } else {
        return None;
    };
    if is_word(bytes.get(at + name_len).copied()) {
        return None;
    }
    let (start, quote) = after_name(bytes, at + name_len)?;
    let mut replacement = text.get(at..start)?.to_string();
    let mut i = start;
    let mut pairs = 0;
    loop {
        let pair_start = i;
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        let name_start = i;
        while bytes.get(i).is_some_and(|&b| is_cookie_name(b)) {
            i += 1;
        }
        if i == name_start || bytes.get(i) != Some(&b'=') {
            i = pair_start;
            break;
        }
        let value_start = i + 1;
        let mut end = value_start;
        if let Some(len) = fingerprint_len(bytes, end) {
            end += len; // scrubbed by an earlier pass
        } else if bytes.get(end) == Some(&b'"') && quote != Some(b'"') {
            end += 1;
            while bytes.get(end).is_some_and(|&b| is_cookie_octet(b, Some(b'"'))) {
                end += 1;
            }
            end = if bytes.get(end) == Some(&b'"') { end + 1 } else { value_start };
        } else {
            while bytes.get(end).is_some_and(|&b| is_cookie_octet(b, quote)) {
                end += 1;
            }
        }
        replacement.push_str(text.get(pair_start..value_start)?);
        if let Some(value) = text.get(value_start..end).filter(|v| !v.is_empty()) {
            replacement.push_str(&scrub_value(value, "cookie"));
        }
        pairs += 1;
        i = end;
        if !all_pairs || bytes.get(i) != Some(&b';') {
            break;
        }
        replacement.push(';');
        i += 1;
    }
    (pairs > 0).then_some(Found { end: i, replacement })
}

/// `access_token`, `refresh_token`, `id_token` members and parameters.
fn member_at(text: &str, at: usize) -> Option<Found> {
    let bytes = text.as_bytes();
    let name = ["access_token", "refresh_token", "id_token"]
        .into_iter()
        .find(|name| starts_with_ci(text, at, name))?;
    if is_word(bytes.get(at + name.len()).copied()) {
        return None;
    }
    let (start, quote) = after_name(bytes, at + name.len())?;
    if bytes.get(start) == Some(&b'[') {
        return None; // a fingerprint from an earlier pass
    }
    let mut end = start;
    while bytes.get(end).is_some_and(|&b| match quote {
        Some(q) => b != q && b != b'\\' && b != b'\n',
        None => !b.is_ascii_whitespace() && !b"&,;\"'}]".contains(&b),
    }) {
        end += 1;
    }
    let value = text.get(start..end).filter(|v| !v.is_empty())?;
    let mut replacement = text.get(at..start)?.to_string();
    replacement.push_str(&scrub_value(value, "secret"));
    Some(Found { end, replacement })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
    const RT: &str = "tsr1.WnABTQH-DrBu8ewUPuRuYg.0.F8R_q-QXicOIbSnVC57BKy30id8QaJ7vV_35WYpcIBY.1yoXUFISQhTbXzBcJ1xxug";

    fn fp(label: &str, secret: &str) -> String {
        fingerprint(label, secret)
    }

    #[test]
    fn tokens_anywhere() {
        assert_eq!(redact(&format!("token {JWT}.")), format!("token {}.", fp("jwt", JWT)));
        assert_eq!(redact(&format!("rt={RT}")), format!("rt={}", fp("refresh", RT)));
        assert_eq!(redact("eyJhbGciOiJFUzI1NiJ9"), fp("jwt", "eyJhbGciOiJFUzI1NiJ9"), "a lone header");
        assert_eq!(redact("eyJ is short"), "eyJ is short");
        assert_eq!(redact("keyJar.x.y"), "keyJar.x.y", "only at a word start");
        assert_eq!(redact("tsr1."), "tsr1.");
    }

    #[test]
    fn authorization_schemes() {
        assert_eq!(
            redact(&format!("Authorization: Bearer {JWT}")),
            format!("Authorization: Bearer {}", fp("jwt", JWT))
        );
        assert_eq!(
            redact("authorization: bearer abc.def~+/=="),
            format!("authorization: bearer {}", fp("bearer", "abc.def~+/=="))
        );
        assert_eq!(redact("Basic dXNlcjpwYXNz"), format!("Basic {}", fp("basic", "dXNlcjpwYXNz")));
        assert_eq!(redact("a bearer of bad news"), format!("a bearer {} bad news", fp("bearer", "of")));
        assert_eq!(redact("Bearer"), "Bearer");
        let challenge = r#"WWW-Authenticate: Bearer error="invalid_token", Bearer realm=api"#;
        assert_eq!(redact(challenge), challenge, "auth-params are not credentials");
        // Fuzz finding: a credential with padding followed by more text is not an auth-param.
        let odd = "Bearer tsrWn2BeyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln=7vV_";
        assert_eq!(redact(odd), format!("Bearer {}", fp("bearer", &odd[7..])));
    }

    #[test]
    fn cookies() {
        let line = format!("cookie: tessera_rt={RT}; theme=dark");
        assert_eq!(
            redact(&line),
            format!("cookie: tessera_rt={}; theme={}", fp("refresh", RT), fp("cookie", "dark"))
        );
        let set = format!("set-cookie: tessera_rt={RT}; Path=/auth; Max-Age=3600; HttpOnly");
        assert_eq!(
            redact(&set),
            format!("set-cookie: tessera_rt={}; Path=/auth; Max-Age=3600; HttpOnly", fp("refresh", RT))
        );
        let json = r#"{"headers":{"cookie":"sid=abc123; x=1","host":"a"}}"#;
        assert_eq!(
            redact(json),
            format!(
                r#"{{"headers":{{"cookie":"sid={}; x={}","host":"a"}}}}"#,
                fp("cookie", "abc123"),
                fp("cookie", "1")
            )
        );
        let inspect = "{ cookie: 'sid=abc' }";
        assert_eq!(redact(inspect), format!("{{ cookie: 'sid={}' }}", fp("cookie", "abc")));
        assert_eq!(redact("cookies are tasty"), "cookies are tasty");
        // Fuzz finding: text after a cookie header that is not a cookie pair is scanned as usual.
        let odd = "[COOKIe :yJ:s t:e Authorization: Basic dXNlcjpwYXNzd29yZA== s";
        assert!(!redact(odd).contains("dXNlcjpwYXNzd29yZA"), "{}", redact(odd));
        assert_eq!(
            redact("Cookie: a=1 b=2"),
            format!("Cookie: a={} b=2", fp("cookie", "1")),
            "pairs need `;`"
        );
        assert_eq!(
            redact(r#"Cookie: q="x y""#),
            r#"Cookie: q="x y""#,
            "not a cookie value: scanned as text"
        );
    }

    #[test]
    fn token_members() {
        assert_eq!(
            redact(r#"{"access_token":"opaque-1"}"#),
            format!(r#"{{"access_token":"{}"}}"#, fp("secret", "opaque-1"))
        );
        assert_eq!(
            redact("/cb?refresh_token=abc&x=1"),
            format!("/cb?refresh_token={}&x=1", fp("secret", "abc"))
        );
        assert_eq!(redact(&format!("id_token = {JWT}")), format!("id_token = {}", fp("jwt", JWT)));
    }

    #[test]
    fn idempotent_and_untouched_text() {
        let lines = [
            format!("GET /api Authorization: Bearer {JWT} cookie: tessera_rt={RT}"),
            format!(r#"{{"access_token":"{JWT}","refresh_token":"{RT}","set-cookie":"a=b; Path=/"}}"#),
            "ünïcode ✓ and plain words: nothing to do".to_string(),
            "Authorization: Basic dXNlcjpwYXNz and Bearer abc".to_string(),
        ];
        for line in lines {
            let once = redact(&line);
            assert_eq!(redact(&once), once);
            assert!(!once.contains(JWT) && !once.contains(RT) && !once.contains("dXNlcjpwYXNz"));
        }
        assert_eq!(redact("ünïcode ✓ — tsr1"), "ünïcode ✓ — tsr1");
    }
}
