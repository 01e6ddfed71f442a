//! Compact JWS (RFC 7515 §7.1) parsing and verification, in the fixed order of the security
//! checklist: size → segments → header (UTF-8, JSON, duplicates) → `crit`/`b64` → `alg` present
//! → `alg` allowed → key (bound to the algorithm, see [`crate::jose::jwks`]) → signature. The
//! payload is only decoded afterwards, once the signature holds.

use serde_json::{Map, Value};

use super::b64;
use super::json;
use super::jwa::Algorithm;
use super::jwk::{Key, PublicJwk};
use super::jwks::KeySet;
use crate::error::{Error, ErrorCode, Result};

/// Tokens longer than this (bytes) are rejected before any decoding.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;
/// Encoded protected headers longer than this are rejected before decoding.
pub const MAX_HEADER_LEN: usize = 2 * 1024;

/// A protected header that passed the structural checks.
#[derive(Clone, Debug)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
    pub members: Map<String, Value>,
}

/// A compact JWS split into its parts, header decoded and checked, signature not yet verified.
#[derive(Debug)]
pub struct Compact<'a> {
    pub header: Header,
    /// `BASE64URL(header) '.' BASE64URL(payload)`, the bytes the signature covers.
    pub signing_input: &'a str,
    pub payload: &'a str,
    pub signature: &'a str,
}

fn header_string(members: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match members.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::malformed("a JWS header parameter has the wrong type")),
    }
}

/// Splits and checks the structure and header of a compact JWS.
pub fn parse_compact(token: &str) -> Result<Compact<'_>> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Error::malformed("token is too large"));
    }
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (segments.next(), segments.next(), segments.next(), segments.next()) else {
        return Err(Error::malformed("a compact JWS has exactly three segments"));
    };
    if header.is_empty()
        || payload.is_empty()
        || signature.is_empty()
        || !b64::is_alphabet(header)
        || !b64::is_alphabet(payload)
        || !b64::is_alphabet(signature)
    {
        return Err(Error::malformed("JWS segments must be non-empty base64url without padding"));
    }
    if header.len() > MAX_HEADER_LEN {
        return Err(Error::malformed("JWS header is too large"));
    }
    let members = json::parse_object(
        &b64::decode(header, "JWS header is not canonical base64url")?,
        "JWS header is not a JSON object without duplicate members",
    )?;
    if let Some(crit) = members.get("crit") {
        // RFC 7515 §4.1.11: a non-empty array of names. Tessera understands no extension, so
        // any well-formed crit is unsupported.
        match crit {
            Value::Array(names) if !names.is_empty() && names.iter().all(Value::is_string) => {
                return Err(Error::new(ErrorCode::Unsupported, "the JWS header lists critical extensions"));
            }
            _ => return Err(Error::malformed("JWS crit must be a non-empty array of names")),
        }
    }
    if members.contains_key("b64") {
        // RFC 7797 unencoded payloads are not supported: reject rather than misread.
        return Err(Error::new(ErrorCode::Unsupported, "the JWS b64 header parameter is not supported"));
    }
    let Some(alg) = header_string(&members, "alg")? else {
        return Err(Error::malformed("JWS header has no alg"));
    };
    let kid = header_string(&members, "kid")?;
    let typ = header_string(&members, "typ")?;
    let signing_input = token.get(..header.len() + 1 + payload.len()).unwrap_or_default();
    Ok(Compact {
        header: Header { alg, kid, typ, members },
        signing_input,
        payload,
        signature,
    })
}

/// Verifies a base64url signature segment of `alg` over `signing_input` with `key`. Any failure,
/// of encoding, length, range or math, is the same opaque `ERR_BAD_SIGNATURE`.
pub fn verify_signature(key: &Key, alg: Algorithm, signing_input: &[u8], signature: &str) -> Result<()> {
    let raw = b64::decode(signature, "").map_err(|_| Error::bad_signature())?;
    key.verify(alg, signing_input, &raw)
}

/// A signature whose key and algorithm are chosen, to be checked: here ([`SignatureCheck::verify`])
/// or by a runtime's own crypto (WebCrypto, node:crypto) where that is faster than this build,
/// which then reports a verdict. The signature's shape for the key was checked when it was made
/// ([`Key::is_signature_shape`]), so every path refuses the same malformed signatures.
#[derive(Clone, Debug)]
pub struct SignatureCheck {
    pub key: Key,
    pub alg: Algorithm,
    /// The bytes the signature covers: a compact JWS's `header.payload`.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

impl SignatureCheck {
    /// Verifies the signature in Rust: `ERR_BAD_SIGNATURE`, opaque, on any failure.
    pub fn verify(&self) -> Result<()> {
        self.key.verify(self.alg, self.signing_input.as_bytes(), &self.signature)
    }
}

/// A verified JWS: its header and decoded payload bytes.
#[derive(Debug)]
pub struct Verified {
    pub header: Header,
    pub payload: Vec<u8>,
}

/// A compact JWS whose algorithm is allowed and whose key is chosen; the signature is not yet
/// verified.
#[derive(Debug)]
pub struct Selected<'a, 'k> {
    pub compact: Compact<'a>,
    pub alg: Algorithm,
    pub key: &'k PublicJwk,
}

/// Parses a compact JWS, checks its `alg` against `allowed` (the `algorithms` option; `None`:
/// every algorithm Tessera implements, the key deciding) and chooses its key. Header-supplied
/// keys (`jwk`, `jku`, `x5u`, `x5c`) are never used.
pub fn select<'a, 'k>(token: &'a str, keys: &'k KeySet, allowed: Option<&[Algorithm]>) -> Result<Selected<'a, 'k>> {
    let compact = parse_compact(token)?;
    let alg = Algorithm::from_name(&compact.header.alg)
        .filter(|alg| allowed.is_none_or(|allowed| allowed.contains(alg)))
        .ok_or_else(|| Error::new(ErrorCode::AlgNotAllowed, "the token's alg is not in the allowed algorithms"))?;
    let key = keys.select_for(compact.header.kid.as_deref(), alg, allowed)?;
    Ok(Selected { compact, alg, key })
}

impl Selected<'_, '_> {
    /// The signature bytes, when they are canonical base64url.
    pub fn signature(&self) -> Option<Vec<u8>> {
        b64::decode(self.compact.signature, "").ok()
    }

    /// Verifies the signature, then decodes the payload.
    pub fn verify(self) -> Result<Verified> {
        verify_signature(
            &self.key.key,
            self.alg,
            self.compact.signing_input.as_bytes(),
            self.compact.signature,
        )?;
        self.verified_elsewhere()
    }

    /// The signature check to hand to a runtime's crypto; a signature that is not canonical
    /// base64url or not of the key's shape (length, ECDSA `r`/`s` range) is `ERR_BAD_SIGNATURE`
    /// at once, as [`Selected::verify`] would refuse it.
    pub fn check(&self) -> Result<SignatureCheck> {
        let signature = self
            .signature()
            .filter(|raw| self.key.key.is_signature_shape(self.alg, raw))
            .ok_or_else(Error::bad_signature)?;
        Ok(SignatureCheck {
            key: self.key.key.clone(),
            alg: self.alg,
            signing_input: self.compact.signing_input.to_owned(),
            signature,
        })
    }

    /// Decodes the payload of a JWS whose signature was verified with this key and algorithm by
    /// other means (the runtime's own crypto): the verifier's asynchronous path only.
    pub fn verified_elsewhere(self) -> Result<Verified> {
        decode_payload(self.compact.header, self.compact.payload)
    }
}

/// The verified JWS of `header` and its `payload` segment, the signature having held.
pub fn decode_payload(header: Header, payload: &str) -> Result<Verified> {
    let payload = b64::decode(payload, "JWS payload is not canonical base64url")?;
    Ok(Verified { header, payload })
}

/// Parses and verifies a compact JWS against a key set and an algorithm allow-list (`None`: the
/// keys decide, see [`crate::jose::jwks`]).
pub fn verify_compact(token: &str, keys: &KeySet, allowed: Option<&[Algorithm]>) -> Result<Verified> {
    select(token, keys, allowed)?.verify()
}
