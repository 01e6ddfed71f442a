//! DPoP proofs (RFC 9449 §4): the checks of §4.3 that need nothing but the proof, the request and
//! the clock. What a role does with a valid proof (compare its key with a token's `cnf.jkt`, ask
//! for a nonce, remember its `jti`) is the role's decision.
//!
//! Strict where the RFC leaves room: `typ` is exactly `dpop+jwt`; the header key is a public
//! EC P-256 JWK with nothing private in it; `jti` is 1 to [`MAX_JTI_LEN`] bytes; `iat` is an
//! integer; `htm` is compared as written (methods are case-sensitive); `htu` and the request URL
//! are both normalised (RFC 3986 §6.2.2 and §6.2.3: case, percent-encoding, dot segments, default
//! port, empty path) and compared without query and fragment; a proof carries no `crit`.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::b64;
use super::json;
use super::jwa::Algorithm;
use super::jwk::{self, Key, Parsed};
use super::jws::{self, SignatureCheck};
use crate::error::{Error, ErrorCode, Result};
use crate::es256::PublicKey;
use crate::time::Time;

/// Proofs longer than this (bytes) are refused before decoding: a proof holds one small public
/// key and five short claims.
pub const MAX_PROOF_LEN: usize = 4 * 1024;
/// Longest `jti` accepted, in bytes.
pub const MAX_JTI_LEN: usize = 256;
/// The media type a proof's `typ` must name (RFC 9449 §4.2).
pub const TYP: &str = "dpop+jwt";

/// What a proof must match.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The request's method, as sent.
    pub method: &'a str,
    /// The request's absolute URL.
    pub url: &'a str,
    /// The access token sent with the request, if any: the proof's `ath` must be its hash.
    pub access_token: Option<&'a str>,
    /// Signature algorithms a proof may use.
    pub algorithms: &'a [Algorithm],
    pub now: Time,
    /// How old a proof may be (by its `iat`), in milliseconds.
    pub max_age_ms: i64,
    /// Clock skew allowed either way, in milliseconds.
    pub tolerance_ms: i64,
}

/// A proof that passed every check of [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// RFC 7638 SHA-256 thumbprint of the proof's key (base64url).
    pub jkt: String,
    pub jti: String,
    pub iat: Time,
    /// The proof's `nonce` claim, for the caller to judge.
    pub nonce: Option<String>,
}

fn invalid(message: &'static str) -> Error {
    Error::new(ErrorCode::InvalidDpopProof, message)
}

fn invalid_claim(claim: &'static str, message: &'static str) -> Error {
    Error::claim(ErrorCode::InvalidDpopProof, claim, message)
}

/// `ath`: base64url(SHA-256(ASCII(access token))) (RFC 9449 §4.2).
pub fn token_hash(access_token: &str) -> String {
    b64::encode(&Sha256::digest(access_token.as_bytes()))
}

fn string_claim<'a>(claims: &'a Map<String, Value>, name: &'static str) -> Result<Option<&'a str>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(invalid_claim(name, "a DPoP proof claim has the wrong type")),
    }
}

fn required<'a>(claims: &'a Map<String, Value>, name: &'static str) -> Result<&'a str> {
    string_claim(claims, name)?.ok_or_else(|| invalid_claim(name, "the DPoP proof lacks a required claim"))
}

/// The error of a proof whose signature does not verify.
pub fn bad_proof_signature() -> Error {
    invalid("the DPoP proof's signature does not verify with its jwk")
}

/// Checks `proof` against `expected` (RFC 9449 §4.3, steps 1–11 but the nonce's value and the
/// `jti` replay check, which are the caller's): every failure is `ERR_INVALID_DPOP_PROOF`.
pub fn check(proof: &str, expected: &Expected<'_>) -> Result<Proof> {
    let (proof, signature) = check_unsigned(proof, expected)?;
    verify_signature(&signature)?;
    Ok(proof)
}

/// Verifies a proof's signature in Rust (handed out by [`check_unsigned`]): a failure is
/// `ERR_INVALID_DPOP_PROOF`.
pub fn verify_signature(check: &SignatureCheck) -> Result<()> {
    check.verify().map_err(|_| bad_proof_signature())
}

/// [`check`] without the signature, which is returned to be checked (in Rust by
/// [`verify_signature`], or by a runtime's ECDSA, which verifies a P-256 signature with a key
/// it has not seen before several times faster than this build can without a precomputed
/// table): the proof is acceptable only once that check passed. (A proof's signer is whoever holds the key in its header, so checking
/// its claims first reveals nothing; the order of the token checks does not apply.)
pub fn check_unsigned(proof: &str, expected: &Expected<'_>) -> Result<(Proof, SignatureCheck)> {
    if proof.len() > MAX_PROOF_LEN {
        return Err(invalid("the DPoP proof is too large"));
    }
    let compact = jws::parse_compact(proof).map_err(|_| invalid("the DPoP proof is not a well-formed JWS"))?;
    let header = &compact.header;
    if header.typ.as_deref() != Some(TYP) {
        return Err(invalid_claim("typ", "the DPoP proof's typ must be dpop+jwt"));
    }
    // ES256 is the one algorithm a proof may name today, and a P-256 key the one key it fits.
    Algorithm::from_name(&header.alg)
        .filter(|alg| expected.algorithms.contains(alg) && *alg == Algorithm::Es256)
        .ok_or_else(|| invalid_claim("alg", "the DPoP proof's alg is not an allowed asymmetric algorithm"))?;
    let Some(Value::Object(key)) = header.members.get("jwk") else {
        return Err(invalid_claim("jwk", "the DPoP proof's header needs its public key as a jwk object"));
    };
    // Private members of any key type (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
    if ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]
        .iter()
        .any(|name| key.contains_key(*name))
    {
        return Err(invalid_claim("jwk", "the DPoP proof's jwk holds private key material"));
    }
    let public = match jwk::parse(key) {
        Ok(Parsed::P256(parsed)) => parsed.public,
        Ok(Parsed::OtherKind) | Err(_) => return Err(invalid_claim("jwk", "the DPoP proof's jwk is not a valid key for its alg")),
    };
    let signature = b64::decode(compact.signature, "")
        .ok()
        .filter(|raw| PublicKey::is_signature_shape(raw))
        .ok_or_else(bad_proof_signature)?;
    let payload = b64::decode(compact.payload, "").map_err(|_| invalid("the DPoP proof's payload is not base64url"))?;
    let claims = json::parse_object(&payload, "").map_err(|_| invalid("the DPoP proof's payload is not a JSON object"))?;

    let jti = required(&claims, "jti")?;
    if jti.is_empty() || jti.len() > MAX_JTI_LEN {
        return Err(invalid_claim("jti", "the DPoP proof's jti must be 1 to 256 bytes"));
    }
    if required(&claims, "htm")? != expected.method {
        return Err(invalid_claim("htm", "the DPoP proof was made for another HTTP method"));
    }
    let htu = normalize_htu(required(&claims, "htu")?).ok_or_else(|| invalid_claim("htu", "the DPoP proof's htu is not an http(s) URL"))?;
    let url = normalize_htu(expected.url).ok_or_else(|| invalid_claim("htu", "the request URL is not an absolute http(s) URL"))?;
    if htu != url {
        return Err(invalid_claim("htu", "the DPoP proof was made for another URL"));
    }
    let iat = match claims.get("iat") {
        Some(Value::Number(n)) => n.as_i64().filter(|s| *s >= 0).map(Time::from_secs),
        Some(_) => None,
        None => return Err(invalid_claim("iat", "the DPoP proof lacks a required claim")),
    }
    .ok_or_else(|| invalid_claim("iat", "the DPoP proof's iat must be whole unix seconds"))?;
    if iat > expected.now.plus_millis(expected.tolerance_ms) {
        return Err(invalid_claim("iat", "the DPoP proof was issued in the future"));
    }
    if expected.now.millis_since(iat) > expected.max_age_ms.saturating_add(expected.tolerance_ms) {
        return Err(invalid_claim("iat", "the DPoP proof is too old"));
    }
    let ath = string_claim(&claims, "ath")?;
    match (expected.access_token, ath) {
        (Some(token), Some(ath)) if ath == token_hash(token) => {}
        (Some(_), Some(_)) => return Err(invalid_claim("ath", "the DPoP proof was made for another access token")),
        (Some(_), None) => return Err(invalid_claim("ath", "the DPoP proof lacks ath, the hash of the access token")),
        // A proof for a token request (no access token) must not claim one.
        (None, Some(_)) => return Err(invalid_claim("ath", "the DPoP proof names an access token where none was sent")),
        (None, None) => {}
    }
    let nonce = string_claim(&claims, "nonce")?.map(str::to_owned);
    let proof = Proof {
        jkt: jwk::thumbprint(key).map_err(|_| invalid_claim("jwk", "the DPoP proof's jwk has no thumbprint"))?,
        jti: jti.to_owned(),
        iat,
        nonce,
    };
    let check = SignatureCheck {
        key: Key::P256(public),
        alg: Algorithm::Es256,
        signing_input: compact.signing_input.to_owned(),
        signature,
    };
    Ok((proof, check))
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Percent-encoding normalised (RFC 3986 §6.2.2.1–2): escapes of unreserved characters decoded,
/// the others' hex digits upper-cased. `None` for a `%` without two hex digits, or for a byte
/// that may not appear in a URL (controls, spaces, non-ASCII, `"<>\^`{|}`).
fn normalize_escapes(text: &str, lowercase: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let high = hex_value(*bytes.get(i + 1)?)?;
            let low = hex_value(*bytes.get(i + 2)?)?;
            let value = high * 16 + low;
            if is_unreserved(value) {
                out.push(char::from(if lowercase { value.to_ascii_lowercase() } else { value }));
            } else {
                out.push('%');
                for digit in [high, low] {
                    out.push(char::from(if digit < 10 { b'0' + digit } else { b'A' + digit - 10 }));
                }
            }
            i += 3;
            continue;
        }
        if !byte.is_ascii_graphic() || matches!(byte, b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}') {
            return None;
        }
        out.push(char::from(if lowercase { byte.to_ascii_lowercase() } else { byte }));
        i += 1;
    }
    Some(out)
}

/// RFC 3986 §5.2.4: `.` and `..` segments removed from an absolute path.
fn remove_dot_segments(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let mut parts = path.split('/').skip(1).peekable();
    while let Some(segment) = parts.next() {
        let last = parts.peek().is_none();
        match segment {
            "." => {
                if last {
                    segments.push("");
                }
            }
            ".." => {
                segments.pop();
                if last {
                    segments.push("");
                }
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in segments {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// An `http`/`https` URL in the form `htu` is compared in: scheme and host lower-cased, the
/// default port dropped, percent-encoding and dot segments normalised, an empty path as `/`,
/// query and fragment removed. `None` for anything else (relative references, other schemes,
/// user information, a bad port or escape).
pub fn normalize_htu(url: &str) -> Option<String> {
    // The scheme ends at the first colon (a character search: `split_once("://")` brought a
    // substring searcher of 1.8 kB of wasm).
    let (scheme, rest) = url.split_once(':')?;
    let rest = rest.strip_prefix("//")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let rest = rest.get(..end)?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => (rest.get(..slash)?, rest.get(slash..)?),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    // The port follows the last colon outside an IPv6 literal; an empty port is the default.
    let (host, port) = match authority.rfind(':') {
        Some(colon) if !authority.get(colon..)?.contains(']') => (authority.get(..colon)?, authority.get(colon + 1..)?),
        _ => (authority, ""),
    };
    if host.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.len() > 5 {
        return None;
    }
    // RFC 3986 §3.2.2: an IP literal in brackets, or a reg-name (unreserved, sub-delims and
    // percent-escapes): no colon, bracket or other delimiter (fuzz finding: `https://:ps://a`).
    let literal = host.starts_with('[')
        && host.ends_with(']')
        && host.len() > 2
        && host
            .bytes()
            .skip(1)
            .take(host.len() - 2)
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
    let reg_name = host
        .bytes()
        .all(|b| is_unreserved(b) || b == b'%' || matches!(b, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='));
    if !(literal || reg_name) {
        return None;
    }
    let port = match port.trim_start_matches('0') {
        "" if port.is_empty() => "",
        "" => "0",
        digits if digits == default_port => "",
        digits => digits,
    };
    let host = normalize_escapes(host, true)?;
    let path = normalize_escapes(path, false)?;
    let mut out = String::with_capacity(url.len());
    out.push_str(&scheme);
    out.push_str("://");
    out.push_str(&host);
    if !port.is_empty() {
        out.push(':');
        out.push_str(port);
    }
    out.push_str(&remove_dot_segments(if path.is_empty() { "/" } else { &path }));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htu_normalisation() {
        let same = [
            ("https://server.example.com/token", "https://server.example.com/token"),
            ("HTTPS://Server.Example.COM:443/token?x=1#f", "https://server.example.com/token"),
            ("https://server.example.com", "https://server.example.com/"),
            ("https://server.example.com:/a", "https://server.example.com/a"),
            ("http://a.example:80/%7euser/%2f/./b/../c", "http://a.example/~user/%2F/c"),
            ("http://a.example:8080/", "http://a.example:8080/"),
            ("http://a.example:08080/", "http://a.example:8080/"),
            ("http://[::1]:3000/x", "http://[::1]:3000/x"),
            ("http://[::1]/x", "http://[::1]/x"),
            ("https://a.example/a/..", "https://a.example/"),
            ("https://a.example/a/.", "https://a.example/a/"),
            ("https://a.example/%41", "https://a.example/A"),
            ("https://a.example/p%c3%a9", "https://a.example/p%C3%A9"),
        ];
        for (input, output) in same {
            assert_eq!(normalize_htu(input).as_deref(), Some(output), "{input}");
        }
        for bad in [
            "",
            "/token",
            "server.example.com/token",
            "ftp://a.example/",
            "https://user@a.example/",
            "https:///path",
            "https://a.example:x/",
            "https://a.example:123456/",
            "https://a.example/%zz",
            "https://a.example/%4",
            "https://a.example/a b",
            "https://a.example/é",
            "https://a.example/\u{0}",
            // Fuzz finding: a colon in the host re-read differently once normalised.
            "https://:ps://api.//",
            "https://[::1/",
            "https://[]/",
            "https://a[b]/",
            // The scheme ends at the first colon, and `//` must follow it.
            "https:/a.example/",
            "https:a.example/",
            "https:x://a.example/",
            "ht:tps://a.example/",
            "https//a.example/",
        ] {
            assert_eq!(normalize_htu(bad), None, "{bad:?}");
        }
        assert_eq!(normalize_htu("http://a.example:0/").as_deref(), Some("http://a.example:0/"));
    }

    #[test]
    fn token_hash_is_rfc_9449s() {
        // RFC 9449 §7.1's access token and the ath of its proof.
        assert_eq!(
            token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }
}
