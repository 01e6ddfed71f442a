//! Token scrubbing for logs: [`redact`] replaces credentials in free text with short
//! fingerprints, so a log line still tells two tokens apart (and the same token across lines)
//! without carrying anything a reader could replay.
//!
//! What is replaced (ASCII patterns; everything else is copied unchanged, in one linear pass):
//! * JWTs (JWS and JWE compact form): a run whose first four characters decode to `{` followed by
//!   `"` or JSON whitespace (`eyJ…`, and `eyA…`, `ewo…`, `ew0…`, `ewk…` for headers written with
//!   spaces or newlines, which verifiers accept) with at least one `.`, or at least 16 characters
//!   long (a header or payload cut out of a token) → `[jwt 1a2b3c4d]`.
//! * Tessera refresh tokens, `tsr1.` and what follows → `[refresh 1a2b3c4d]`.
//! * The credential after `Bearer` or `Basic` (any case) → `Bearer [bearer 1a2b3c4d]`; a
//!   challenge's auth-params (`Bearer error="invalid_token"`) are left alone.
//! * Cookie values after a `Cookie` or `Set-Cookie` name followed by `:` or `=` (header lines,
//!   JSON members, escaped JSON inside JSON, `util.inspect` output, and Node's array of
//!   `set-cookie` strings, also as JSON inside a JSON string): every `name=value` pair of a
//!   `Cookie` (separated by `;`, spaces and tabs allowed around `=` and before `;`), the first
//!   pair of each `Set-Cookie` (its attributes are kept) → `tessera_rt=[cookie 1a2b3c4d]`. A
//!   value outside the cookie grammar (RFC 6265) is scrubbed whole: a JSON-valued cookie up to its
//!   closing bracket (a `;` inside it does not end it), anything else up to the next `;`; the
//!   pairs after it still are. Text that is not a `name=value` pair at all is scanned like any
//!   other text.
//! * The values of `access_token`, `refresh_token`, `id_token`, `password` and `client_secret`
//!   members or parameters (JSON, JSON escaped once or more inside JSON strings, `util.inspect`
//!   output, query strings, form bodies) → `[secret 1a2b3c4d]`.
//!
//! A match may start right after a word character only when that character ends a URL escape
//! (`%3D`, `%22`) or a JSON `\u` escape: `cookie=a%3Dtsr1.…` is still a refresh token.
//!
//! A fingerprint is the first 32 bits of HMAC-SHA-256 of the replaced text under a
//! [`FingerprintKey`], in hex: enough to correlate lines, useless for recovering or replaying a
//! secret. The key matters for short or guessable secrets (a `Basic` password): with an unkeyed
//! hash, anyone holding the logs could test guesses offline against the fingerprint; without the
//! key, a fingerprint tells nothing. A deployment sets one key for all its processes to correlate
//! lines across them. A JWT or refresh token inside a Bearer, cookie or member value keeps its own
//! label.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, ErrorCode, Result};

/// The key of the fingerprints (HMAC-SHA-256), at least 16 bytes. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct FingerprintKey(Option<Hmac<Sha256>>);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

/// Shortest fingerprint key accepted.
pub const MIN_KEY_BYTES: usize = 16;

impl FingerprintKey {
    /// A key from bytes (at least [`MIN_KEY_BYTES`]).
    pub fn new(bytes: &[u8]) -> Result<FingerprintKey> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "fingerprintKey",
                "option fingerprintKey must hold at least 16 bytes",
            ));
        }
        Ok(FingerprintKey(Hmac::<Sha256>::new_from_slice(bytes).ok()))
    }

    /// A random key: fingerprints then correlate within this process only. Where no random
    /// source is available (workerd's global scope), a key that fingerprints nothing: values are
    /// replaced by `[label --------]`.
    pub fn random() -> FingerprintKey {
        let mut bytes = [0u8; 32];
        match crate::random::fill_key(&mut bytes) {
            Ok(()) => FingerprintKey(Hmac::<Sha256>::new_from_slice(&bytes).ok()),
            Err(_) => FingerprintKey(None),
        }
    }

    /// Whether this key fingerprints (it does unless made without a random source).
    pub fn is_keyed(&self) -> bool {
        self.0.is_some()
    }

    fn hex(&self, secret: &str) -> String {
        let Some(mac) = &self.0 else {
            return "--------".to_string();
        };
        let mut mac = mac.clone();
        mac.update(secret.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut hex = String::with_capacity(8);
        for byte in digest.iter().take(4) {
            for nibble in [byte >> 4, byte & 15] {
                hex.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
            }
        }
        hex
    }
}

/// Scrubs credentials from `text` (see the module docs). Never fails, never panics; the
/// output of `redact` is a fixed point (`redact(redact(x)) == redact(x)`).
pub fn redact(text: &str, key: &FingerprintKey) -> String {
    Scan { text, key }.run()
}

/// One pass over a text with a key.
struct Scan<'a> {
    text: &'a str,
    key: &'a FingerprintKey,
}

impl Scan<'_> {
    fn run(&self) -> String {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0; // bytes[..copied] are in `out` (or replaced)
        let mut i = 0;
        while i < bytes.len() {
            if i > 0 && is_word(bytes.get(i - 1).copied()) && !escape_ends_at(bytes, i) {
                i += 1;
                continue;
            }
            let Some(found) = self.match_at(i) else {
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

    fn fingerprint(&self, label: &str, secret: &str) -> String {
        let mut out = String::with_capacity(label.len() + 11);
        out.push('[');
        out.push_str(label);
        out.push(' ');
        out.push_str(&self.key.hex(secret));
        out.push(']');
        out
    }

    fn match_at(&self, at: usize) -> Option<Found> {
        self.token_at(self.text, at)
            .or_else(|| self.authorization_at(at))
            .or_else(|| self.cookie_at(at))
            .or_else(|| self.member_at(at))
    }

    /// A JWT or a refresh token starting at `at` of `text`.
    fn token_at(&self, text: &str, at: usize) -> Option<Found> {
        let bytes = text.as_bytes();
        let label = if starts_with_ci(text, at, "tsr1.") {
            "refresh"
        } else if jwt_starts_at(bytes, at) {
            "jwt"
        } else {
            return None;
        };
        let end = dotted_run_end(bytes, at);
        let token = text.get(at..end)?;
        // A refresh token always holds a dot after `tsr1` (trailing dots are not part of a run);
        // a lone JWT header segment must be long enough to be one.
        let plausible = token.contains('.') || token.len() >= 16;
        plausible.then(|| Found {
            end,
            replacement: self.fingerprint(label, token),
        })
    }

    /// The credential of a `Bearer` or `Basic` authorization (RFC 9110 token68 characters).
    fn authorization_at(&self, at: usize) -> Option<Found> {
        let text = self.text;
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
        replacement.push_str(&self.scrub_value(credential, label));
        Some(Found { end, replacement })
    }

    /// A JWT or refresh token keeps its own label; anything else gets `label`.
    fn scrub_value(&self, value: &str, label: &str) -> String {
        if fingerprint_len(value.as_bytes(), 0) == Some(value.len()) {
            return value.to_string(); // a fingerprint from an earlier pass
        }
        if let Some(found) = self.token_at(value, 0).filter(|f| f.end == value.len()) {
            return found.replacement;
        }
        self.fingerprint(label, value)
    }

    /// `Cookie`/`Set-Cookie` values: the `name=value` pairs that follow the header name (see the
    /// module docs), or Node's array of `set-cookie` strings.
    fn cookie_at(&self, at: usize) -> Option<Found> {
        let text = self.text;
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
        if quote.is_none() && !all_pairs && bytes.get(start) == Some(&b'[') {
            let end = self.cookie_array(start, &mut replacement)?;
            return Some(Found { end, replacement });
        }
        let end = self.cookie_pairs(start, quote, all_pairs, &mut replacement)?;
        Some(Found { end, replacement })
    }

    /// `[ 'a=b; Path=/', "c=d" ]` (`util.inspect` and JSON of Node's `set-cookie` header): the
    /// first pair of each string. Returns the end of what was copied into `out`.
    fn cookie_array(&self, start: usize, out: &mut String) -> Option<usize> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = start + 1;
        out.push('[');
        let mut strings = 0;
        loop {
            let from = i;
            while bytes.get(i).is_some_and(|&b| b == b' ' || b == b'\n') {
                i += 1;
            }
            let Some(q) = Quote::at(bytes, i) else {
                out.push_str(text.get(from..i)?);
                break;
            };
            out.push_str(text.get(from..i + q.len())?);
            let pairs_end = self.cookie_pairs(i + q.len(), Some(q), false, out)?;
            // The attributes (and anything else up to the closing quote) are kept as they are.
            let mut end = pairs_end;
            while bytes.get(end).is_some_and(|&b| b != b'\n') && !q.closes_at(bytes, end) {
                end += 1;
            }
            out.push_str(text.get(pairs_end..end)?);
            i = end;
            strings += 1;
            if !q.closes_at(bytes, i) {
                break;
            }
            out.push_str(text.get(i..i + q.len())?);
            i += q.len();
            let from = i;
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            if bytes.get(i) != Some(&b',') {
                i = from;
                break;
            }
            out.push_str(text.get(from..=i)?);
            i += 1;
        }
        (strings > 0).then_some(i)
    }

    /// The `name=value` pairs from `start` (all of them, or only the first), scrubbed into `out`.
    /// Returns where they end, or `None` if not even one pair is there.
    fn cookie_pairs(&self, start: usize, quote: Option<Quote>, all_pairs: bool, out: &mut String) -> Option<usize> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = start;
        let mut any = false;
        let mut written = String::new();
        loop {
            let pair_start = i;
            i = skip_spaces(bytes, i);
            let name_start = i;
            while bytes.get(i).is_some_and(|&b| is_cookie_name(b)) {
                i += 1;
            }
            let name_end = i;
            i = skip_spaces(bytes, i);
            if name_end == name_start || bytes.get(i) != Some(&b'=') {
                i = pair_start;
                break;
            }
            let value_start = skip_spaces(bytes, i + 1);
            let mut end = value_start;
            if let Some(len) = fingerprint_len(bytes, end) {
                end += len; // scrubbed by an earlier pass
            } else if bytes.get(end) == Some(&b'"') && quote.is_none_or(|q| q.byte != b'"') {
                end += 1;
                while bytes.get(end).is_some_and(|&b| is_cookie_octet(b, Some(Quote::plain(b'"')))) {
                    end += 1;
                }
                end = if bytes.get(end) == Some(&b'"') { end + 1 } else { value_start };
            } else {
                while bytes.get(end).is_some_and(|&b| is_cookie_octet(b, quote)) {
                    end += 1;
                }
            }
            if !ends_pair(bytes, end, quote) {
                // Not a cookie-octet value. A JSON-valued cookie is scrubbed to its closing
                // bracket (a `;` inside it does not end it); anything else up to the next `;` or
                // the end of the string or line.
                end = bracketed_end(bytes, value_start, quote)
                    .filter(|&e| ends_pair(bytes, e, quote))
                    .unwrap_or(value_start);
            }
            if !ends_pair(bytes, end, quote) {
                while bytes.get(end).is_some_and(|&b| b != b';' && b != b'\n' && b != b'\r')
                    && !quote.is_some_and(|q| q.closes_at(bytes, end))
                {
                    end += 1;
                }
            }
            // The name is scanned like any text: a token there (`n%3D<JWT>=v`) is scrubbed too.
            written.push_str(text.get(pair_start..name_start)?);
            written.push_str(
                &Scan {
                    text: text.get(name_start..name_end)?,
                    key: self.key,
                }
                .run(),
            );
            written.push_str(text.get(name_end..value_start)?);
            if let Some(value) = text.get(value_start..end).filter(|v| !v.is_empty()) {
                written.push_str(&self.scrub_value(value, "cookie"));
            }
            any = true;
            i = end;
            let next = skip_spaces(bytes, end);
            if !all_pairs || bytes.get(next) != Some(&b';') {
                break;
            }
            written.push_str(text.get(end..=next)?);
            i = next + 1;
        }
        if !any {
            return None;
        }
        out.push_str(&written);
        Some(i)
    }

    /// `access_token`, `refresh_token`, `id_token`, `password` and `client_secret` members and
    /// parameters.
    fn member_at(&self, at: usize) -> Option<Found> {
        let text = self.text;
        let bytes = text.as_bytes();
        let name = ["access_token", "refresh_token", "id_token", "password", "client_secret"]
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
            Some(q) => b != q.byte && b != b'\\' && b != b'\n',
            None => !b.is_ascii_whitespace() && !b"&,;\"'}]\\".contains(&b),
        }) {
            end += 1;
        }
        let value = text.get(start..end).filter(|v| !v.is_empty())?;
        let mut replacement = text.get(at..start)?.to_string();
        replacement.push_str(&self.scrub_value(value, "secret"));
        Some(Found { end, replacement })
    }
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

/// Whether the bytes before `at` end a URL escape (`%3D`) or a JSON escape (`\u0022`): the word
/// character before `at` is then part of an escape, not of a word.
fn escape_ends_at(bytes: &[u8], at: usize) -> bool {
    let hex = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_hexdigit);
    let url = at >= 3 && bytes.get(at - 3) == Some(&b'%') && hex(at - 2) && hex(at - 1);
    let json = at >= 6 && bytes.get(at - 6..at - 4) == Some(b"\\u".as_slice()) && (1..=4).all(|k| hex(at - k));
    url || json
}

/// `prefix` (ASCII, compared case-insensitively) at `at`.
fn starts_with_ci(text: &str, at: usize, prefix: &str) -> bool {
    text.as_bytes()
        .get(at..at + prefix.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The value of one base64url character.
fn b64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Whether the base64url text at `at` starts with `{` and then `"` or JSON whitespace: the
/// start of an encoded JOSE header or claims set, however its JSON is spaced.
fn jwt_starts_at(bytes: &[u8], at: usize) -> bool {
    let mut bits: u32 = 0;
    for k in 0..4 {
        let Some(value) = bytes.get(at + k).copied().and_then(b64_value) else {
            return false;
        };
        bits = (bits << 6) | u32::from(value);
    }
    let [_, first, second, _] = bits.to_be_bytes();
    first == b'{' && matches!(second, b'"' | b' ' | b'\t' | b'\n' | b'\r')
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

/// Past spaces and tabs.
fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The quote around a value: `"` or `'`, or `"` escaped once or more (`\"` in JSON inside a
/// JSON string, `\\\"` one level further down).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Quote {
    byte: u8,
    /// The backslashes before the quote character.
    escapes: usize,
}

/// Deeper escaping than this is not read as a quote.
const MAX_ESCAPES: usize = 15;

impl Quote {
    const fn plain(byte: u8) -> Quote {
        Quote { byte, escapes: 0 }
    }

    /// A quote starting at `i`: `"` or `'`, after up to [`MAX_ESCAPES`] backslashes (escaped
    /// JSON, or `\'` in a single-quoted string).
    fn at(bytes: &[u8], i: usize) -> Option<Quote> {
        let mut escapes = 0;
        while bytes.get(i + escapes) == Some(&b'\\') && escapes < MAX_ESCAPES {
            escapes += 1;
        }
        match bytes.get(i + escapes) {
            Some(&byte @ (b'"' | b'\'')) => Some(Quote { byte, escapes }),
            _ => None,
        }
    }

    /// Its length in bytes.
    const fn len(self) -> usize {
        self.escapes + 1
    }

    /// Whether the value's closing quote is at `i` (exactly as escaped as the opening one).
    fn closes_at(self, bytes: &[u8], i: usize) -> bool {
        (i == 0 || bytes.get(i - 1) != Some(&b'\\'))
            && bytes.get(i..i + self.escapes).is_some_and(|run| run.iter().all(|&b| b == b'\\'))
            && bytes.get(i + self.escapes) == Some(&self.byte)
    }
}

/// After a member or header name: an optional closing quote (also escaped, inside escaped JSON),
/// optional spaces, `:` or `=`, optional spaces, an optional opening quote. Returns the index
/// after them and the quote of the value, if any.
fn after_name(bytes: &[u8], mut i: usize) -> Option<(usize, Option<Quote>)> {
    if let Some(q) = Quote::at(bytes, i) {
        i += q.len();
    }
    i = skip_spaces(bytes, i);
    if !matches!(bytes.get(i), Some(b':' | b'=')) {
        return None;
    }
    i = skip_spaces(bytes, i + 1);
    match Quote::at(bytes, i) {
        Some(q) => Some((i + q.len(), Some(q))),
        None => Some((i, None)),
    }
}

/// The end of a bracketed (JSON) value starting at `start` — after the bracket that closes its
/// first `{` or `[` — if it closes before the end of the line or of the quoted string.
fn bracketed_end(bytes: &[u8], start: usize, quote: Option<Quote>) -> Option<usize> {
    if !matches!(bytes.get(start), Some(b'{' | b'[')) {
        return None;
    }
    let mut depth = 0usize;
    let mut i = start;
    loop {
        if quote.is_some_and(|q| q.closes_at(bytes, i)) {
            return None;
        }
        match bytes.get(i)? {
            b'\n' | b'\r' => return None,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// The length of a fingerprint `[label 1a2b3c4d]` (or `[label --------]`) at `at`, if any.
fn fingerprint_len(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?.strip_prefix(b"[")?;
    let label = ["jwt", "refresh", "bearer", "basic", "cookie", "secret"]
        .into_iter()
        .find(|l| rest.starts_with(l.as_bytes()) && rest.get(l.len()) == Some(&b' '))?;
    let hex = rest.get(label.len() + 1..label.len() + 9)?;
    let valid = hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) || hex.iter().all(|&b| b == b'-');
    (valid && rest.get(label.len() + 9) == Some(&b']')).then_some(label.len() + 11)
}

/// A cookie-name character: an RFC 9110 token character.
fn is_cookie_name(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)
}

/// A cookie-value character (RFC 6265 cookie-octet), minus the quote that closes the value.
fn is_cookie_octet(b: u8, quote: Option<Quote>) -> bool {
    b.is_ascii_graphic() && !b",;\\\"".contains(&b) && Some(b) != quote.map(|q| q.byte)
}

/// Whether a cookie value that stops at `end` ends its pair: at `;`, the end of the text, a
/// line, the closing quote, or spaces up to one of these.
fn ends_pair(bytes: &[u8], end: usize, quote: Option<Quote>) -> bool {
    let i = skip_spaces(bytes, end);
    matches!(bytes.get(i), None | Some(b';' | b'\n' | b'\r')) || quote.is_some_and(|q| q.closes_at(bytes, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
    const RT: &str = "tsr1.WnABTQH-DrBu8ewUPuRuYg.0.F8R_q-QXicOIbSnVC57BKy30id8QaJ7vV_35WYpcIBY.1yoXUFISQhTbXzBcJ1xxug";

    fn key() -> FingerprintKey {
        FingerprintKey::new(&[7u8; 32]).unwrap()
    }

    fn fp(label: &str, secret: &str) -> String {
        Scan { text: "", key: &key() }.fingerprint(label, secret)
    }

    fn redact(text: &str) -> String {
        super::redact(text, &key())
    }

    #[test]
    fn tokens_anywhere() {
        assert_eq!(redact(&format!("token {JWT}.")), format!("token {}.", fp("jwt", JWT)));
        assert_eq!(redact(&format!("rt={RT}")), format!("rt={}", fp("refresh", RT)));
        assert_eq!(redact("eyJhbGciOiJFUzI1NiJ9"), fp("jwt", "eyJhbGciOiJFUzI1NiJ9"), "a lone header");
        assert_eq!(redact("eyJ is short"), "eyJ is short");
        assert_eq!(redact("keyJar.x.y"), "keyJar.x.y", "only at a word start");
        // Four hex digits are a word, not an escape, without the `\u` before them.
        assert_eq!(redact("abcdeyJhbGciOiJFUzI1NiJ9.x.y"), "abcdeyJhbGciOiJFUzI1NiJ9.x.y");
        assert_eq!(
            redact("\\u0022eyJhbGciOiJFUzI1NiJ9.x.y"),
            format!("\\u0022{}", fp("jwt", "eyJhbGciOiJFUzI1NiJ9.x.y"))
        );
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
            format!("Cookie: a={}", fp("cookie", "1 b=2")),
            "a value outside the grammar is scrubbed up to the next `;`"
        );
        assert_eq!(redact(r#"Cookie: q="x y""#), format!("Cookie: q={}", fp("cookie", r#""x y""#)),);
    }

    #[test]
    fn tokens_in_cookie_names() {
        // Fuzz finding F12: a pair's name was copied as it was, so a token written there survived.
        for (line, name) in [
            (format!("Cookie:n%3D{JWT} =vvvvvvv"), format!("n%3D{}", fp("jwt", JWT))),
            (format!("Cookie: {JWT}=v"), fp("jwt", JWT)),
            (format!("Cookie: n.{JWT}=v"), format!("n.{}", fp("jwt", JWT))),
            (format!("Cookie: n%3D{RT}=v"), format!("n%3D{}", fp("refresh", RT))),
        ] {
            let out = redact(&line);
            assert!(!out.contains("eyJhbGci") && !out.contains(RT), "{out}");
            assert!(out.contains(&name), "{out}");
            assert!(
                out.ends_with(&fp("cookie", if line.ends_with("vvvvvvv") { "vvvvvvv" } else { "v" })),
                "{out}"
            );
            assert_eq!(redact(&out), out, "a fixed point");
        }
        // A second pair after a scrubbed name is still read as a pair.
        let out = redact(&format!("Cookie: {JWT}=v; sid=opaque123"));
        assert!(!out.contains("opaque123"), "{out}");
    }

    #[test]
    fn cookies_in_other_shapes() {
        // Spaces around `=`.
        assert_eq!(redact("Cookie: a = b"), format!("Cookie: a = {}", fp("cookie", "b")));
        // A JSON-valued cookie, then the session cookie.
        assert_eq!(
            redact(r#"Cookie: prefs={"theme":"dark"}; sid=opaque123"#),
            format!(
                r#"Cookie: prefs={}; sid={}"#,
                fp("cookie", r#"{"theme":"dark"}"#),
                fp("cookie", "opaque123")
            )
        );
        // The same inside a JSON string (escaped quotes).
        let json = r#"{"cookie":"prefs={\"a\":1}; sid=opaque123","x":1}"#;
        let out = redact(json);
        assert!(!out.contains("opaque123"), "{out}");
        assert!(out.ends_with(r#"","x":1}"#), "{out}");
        // Node's set-cookie array, as util.inspect and JSON print it.
        let inspect = "{ 'set-cookie': [ 'tessera_rt=opaque1; Path=/auth; HttpOnly', 'b=opaque2; Path=/' ] }";
        assert_eq!(
            redact(inspect),
            format!(
                "{{ 'set-cookie': [ 'tessera_rt={}; Path=/auth; HttpOnly', 'b={}; Path=/' ] }}",
                fp("cookie", "opaque1"),
                fp("cookie", "opaque2")
            )
        );
        let json = r#"{"set-cookie":["tessera_rt=opaque1; Path=/auth","b=opaque2"]}"#;
        assert_eq!(
            redact(json),
            format!(
                r#"{{"set-cookie":["tessera_rt={}; Path=/auth","b={}"]}}"#,
                fp("cookie", "opaque1"),
                fp("cookie", "opaque2")
            )
        );
        // Escaped JSON inside JSON.
        let nested = r#"{"log":"{"cookie":"sid=opaque3"}"}"#;
        assert!(!redact(nested).contains("opaque3"), "{}", redact(nested));
    }

    #[test]
    fn cookies_spaced_bracketed_or_escaped_deeper() {
        // A space before `;`, tabs around `=`.
        assert_eq!(
            redact("Cookie: theme=dark ; sid = opaque1"),
            format!("Cookie: theme={} ; sid = {}", fp("cookie", "dark"), fp("cookie", "opaque1"))
        );
        assert_eq!(
            redact("Cookie: sid\t=\topaque1"),
            format!("Cookie: sid\t=\t{}", fp("cookie", "opaque1"))
        );
        // A `;` inside a JSON-valued cookie does not end it.
        assert_eq!(
            redact(r#"Cookie: prefs={"note":"a;b"}; sid=opaque1"#),
            format!(
                r#"Cookie: prefs={}; sid={}"#,
                fp("cookie", r#"{"note":"a;b"}"#),
                fp("cookie", "opaque1")
            )
        );
        // A JSON-valued cookie one escaping level down, and the text after it kept whole.
        let line = r#"{"msg":"{\"cookie\":\"prefs={\\\"a\\\":1}; sid=opaque1\"}","x":1}"#;
        let out = redact(line);
        assert!(!out.contains("opaque1") && out.ends_with(r#"\"}","x":1}"#), "{out}");
        // Node's set-cookie array as JSON inside a JSON string.
        let line = r#"{"msg":"headers {\"set-cookie\":[\"sid=opaque1; Path=/; HttpOnly\"]}"}"#;
        assert_eq!(
            redact(line),
            format!(
                r#"{{"msg":"headers {{\"set-cookie\":[\"sid={}; Path=/; HttpOnly\"]}}"}}"#,
                fp("cookie", "opaque1")
            )
        );
    }

    #[test]
    fn passwords_client_secrets_and_doubly_escaped_members() {
        for name in ["password", "client_secret"] {
            for line in [
                format!(r#"{{"{name}":"sunshine42"}}"#),
                format!(r#"{{"msg":"{{\"user\":\"alice\",\"{name}\":\"sunshine42\"}}"}}"#),
                format!("grant_type=client_credentials&{name}=sunshine42&x=1"),
                format!("{{ {name}: 'sunshine42' }}"),
            ] {
                let out = redact(&line);
                assert!(!out.contains("sunshine42") && out.contains(&fp("secret", "sunshine42")), "{out}");
            }
        }
        let line = r#"{"msg":"{\"body\":\"{\\\"refresh_token\\\":\\\"opaque1\\\"}\"}"}"#;
        assert_eq!(
            redact(line),
            format!(
                r#"{{"msg":"{{\"body\":\"{{\\\"refresh_token\\\":\\\"{}\\\"}}\"}}"}}"#,
                fp("secret", "opaque1")
            )
        );
        // A word that only ends in a member name is not one.
        assert_eq!(redact(r#"{"new_password_hint":"x"}"#), r#"{"new_password_hint":"x"}"#);
    }

    #[test]
    fn only_real_fingerprints_are_left_as_scrubbed() {
        // Survivors of scripts/mutants.sh: a cookie value that merely looks like a fingerprint
        // (unknown label, not hex, not closed) is scrubbed; a real one is kept.
        for value in ["[abc 1234abcd]", "[jwt zzzzzzzz]", "[jwt 1234abcdX"] {
            let line = format!("Cookie: sid={value}");
            let out = redact(&line);
            assert!(out.starts_with("Cookie: sid=[cookie "), "{value}: {out}");
            assert_eq!(redact(&out), out);
        }
        let scrubbed = format!("Cookie: sid={}", fp("cookie", "x"));
        assert_eq!(redact(&scrubbed), scrubbed);
        assert_eq!(redact("Cookie: sid=[cookie --------]"), "Cookie: sid=[cookie --------]");
    }

    #[test]
    fn a_bracketed_cookie_value_ends_with_its_line() {
        // Survivor of scripts/mutants.sh: an unclosed JSON-valued cookie does not swallow the
        // next line up to a bracket there.
        let out = redact("Cookie: prefs={\"a\":1\nnext line: kept}");
        assert!(out.ends_with("\nnext line: kept}"), "{out}");
        assert!(!out.contains("{\"a\":1"), "{out}");
    }

    #[test]
    fn escaped_quotes_up_to_fifteen_backslashes() {
        // Survivors of scripts/mutants.sh: `\'` is a quote too (it left `password: \'x\'`
        // unscrubbed), and the depth limit is exactly MAX_ESCAPES.
        assert_eq!(
            redact(r"{\'password\': \'hunter2\'}"),
            format!(r"{{\'password\': \'{}\'}}", fp("secret", "hunter2"))
        );
        let deep = |n: usize| format!("{}\"", "\\".repeat(n));
        assert!(Quote::at(deep(15).as_bytes(), 0).is_some_and(|q| q.escapes == 15 && q.byte == b'"'));
        assert!(Quote::at(deep(16).as_bytes(), 0).is_none());
        assert!(Quote::at(br"\'", 0).is_some_and(|q| q.escapes == 1 && q.byte == b'\''));
    }

    #[test]
    fn after_url_and_json_escapes() {
        for prefix in ["cookie%3D", "state%22", "x%3d", "\\u0022", "a=b%2C"] {
            let line = format!("{prefix}{RT}");
            assert_eq!(redact(&line), format!("{prefix}{}", fp("refresh", RT)), "{prefix}");
            let line = format!("{prefix}{JWT}");
            assert_eq!(redact(&line), format!("{prefix}{}", fp("jwt", JWT)), "{prefix}");
        }
        assert_eq!(redact("100%3Dtsr"), "100%3Dtsr", "too short to be a token");
    }

    #[test]
    fn jwts_whatever_their_header_order_or_spacing() {
        use crate::jose::b64::encode;
        let payload = encode(br#"{"sub":"alice"}"#);
        for header in [
            r#"{"alg":"ES256"}"#,
            r#"{"typ":"at+jwt","alg":"ES256"}"#,
            r#"{"kid":"k1","alg":"ES256"}"#,
            r#"{ "alg": "ES256" }"#,
            "{\n  \"alg\": \"ES256\"\n}",
            "{\r\n\"alg\":\"ES256\"}",
            "{\t\"alg\":\"ES256\"}",
        ] {
            let jwt = format!("{}.{payload}.c2lnbmF0dXJl", encode(header.as_bytes()));
            assert_eq!(
                redact(&format!("token={jwt} ok")),
                format!("token={} ok", fp("jwt", &jwt)),
                "{header}"
            );
        }
        assert!(encode(br#"{ "alg""#).starts_with("eyAi"));
        assert!(encode(b"{\n \"").starts_with("ewog"));
        assert_eq!(redact("ewok then"), "ewok then", "not a token: no dot, short");
        // Survivors of scripts/mutants.sh in the base64url decoding of the first characters:
        // `-` and `_` decode (a header whose first member starts with `~` or `?`), and
        // upper-case letters decode to their own values (these two are no `{` + quote or space).
        for header in [r#"{"~":"x","alg":"ES256"}"#, r#"{"?":"x","alg":"ES256"}"#] {
            let jwt = format!("{}.{payload}.c2lnbmF0dXJl", encode(header.as_bytes()));
            assert!(jwt.starts_with("eyJ-") || jwt.starts_with("eyI_"), "{jwt}");
            assert_eq!(redact(&jwt), fp("jwt", &jwt), "{header}");
        }
        for text in [
            "eyEAAAAAAAAAAAAAAAAAAAA.x",
            "ewAAAAAAAAAAAAAAAAAAAAA.x",
            "ew4AAAAAAAAAAAAAAAAAAAA.x",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn fingerprints_are_keyed() {
        let other = FingerprintKey::new(&[8u8; 32]).unwrap();
        let line = "Authorization: Basic c3Vuc2hpbmU0Mg==";
        assert_ne!(redact(line), super::redact(line, &other), "another key, another fingerprint");
        assert_eq!(redact(line), redact(line), "one key correlates");
        // An unkeyed SHA-256 prefix would let anyone test password guesses offline.
        use sha2::Digest;
        let unkeyed: String = sha2::Sha256::digest(b"c3Vuc2hpbmU0Mg==")
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!redact(line).contains(&unkeyed));
        assert!(FingerprintKey::new(&[1u8; 15]).is_err());
        assert_eq!(format!("{:?}", key()), "FingerprintKey(..)");
        let none = FingerprintKey(None);
        assert!(key().is_keyed() && !none.is_keyed());
        assert_eq!(super::redact(line, &none), "Authorization: Basic [basic --------]");
        assert_eq!(
            super::redact(&super::redact(line, &none), &key()),
            "Authorization: Basic [basic --------]"
        );
    }

    #[test]
    fn token_members() {
        assert_eq!(
            redact(r#"{\"refresh_token\":\"opaque-9\",\"x\":1}"#),
            format!(r#"{{\"refresh_token\":\"{}\",\"x\":1}}"#, fp("secret", "opaque-9")),
            "escaped JSON"
        );
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
