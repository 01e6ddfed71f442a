//! JSON Web Keys (RFC 7517): the public keys of every kind Tessera verifies with ([`PublicJwk`]:
//! EC P-256 and P-384, RSA, OKP Ed25519), EC P-256 private keys for signing ([`Jwk`]), and
//! RFC 7638 thumbprints.
//!
//! What a verification key set keeps, skips or refuses ([`parse_public`]):
//! * kept: `EC` `P-256` (`x`, `y` 32 bytes) and `P-384` (48 bytes), points on the curve; `RSA`
//!   (`n` of 2048 to 8192 bits, RFC 7518 §3.3; `e` odd, 3 to 2³³ − 1); `OKP` `Ed25519` (`x` 32
//!   bytes, canonical, not of small order). Every number is canonical base64url of the minimal
//!   big-endian bytes (RFC 7518 §2: a leading zero byte in `n` or `e` is refused; no padding, no
//!   trailing bits).
//! * skipped, without reading the key material: a `use` other than `sig`, `key_ops` without
//!   `verify`, an `alg` that names no algorithm Tessera verifies (an encryption key's `RSA-OAEP`,
//!   `ES512`, …), and keys of other types or curves (`oct` without `k`, `EC` P-521, `OKP` Ed448
//!   or X25519, unknown `kty`).
//! * refused (`ERR_INVALID_KEY`, which refuses the set): a malformed key of a kept kind, an `alg`
//!   of another family than the key's (`ES384` on P-256, `RS256` on an EC key) or `HS*`/`none`,
//!   members of the wrong JSON type.
//!
//! Certificate members (`x5c`, `x5t`, `x5t#S256`, `x5u`) are not read: the key is `n`/`e` (or
//! `x`/`y`), and a certificate beside it is trusted for nothing (RFC 7517 §4.7 lets a verifier
//! ignore it; checking it would need a trust anchor Tessera does not have). Unknown members are
//! ignored (RFC 7517 §4).

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::jwa::{Algorithm, Family};
use super::{b64, json};
use crate::error::{Error, ErrorCode, Result};
use crate::es256::{PrivateKey, PublicKey};
use crate::{eddsa, es384, rsassa};

/// An EC P-256 JWK with its parameters checked (RFC 7517 §4, RFC 7518 §6.2).
#[derive(Clone, Debug)]
pub struct Jwk {
    pub kid: Option<String>,
    pub alg: Option<String>,
    /// The `use` member.
    pub key_use: Option<String>,
    pub key_ops: Option<Vec<String>>,
    pub public: PublicKey,
    /// Present only for private JWKs.
    pub private: Option<PrivateKey>,
}

/// What a JWK turned out to be, for signing ([`parse`]).
pub enum Parsed {
    /// An EC P-256 key, valid.
    P256(Box<Jwk>),
    /// A well-formed JWK of another type or curve (RSA, OKP, P-384…): not usable for ES256.
    OtherKind,
}

/// A public key of a kind Tessera verifies with.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    P256(PublicKey),
    P384(es384::PublicKey),
    Rsa(rsassa::PublicKey),
    Ed25519(eddsa::PublicKey),
}

/// A P-256 key is this key when it is the same point (what callers of the ES256-only API compare).
impl PartialEq<PublicKey> for Key {
    fn eq(&self, other: &PublicKey) -> bool {
        matches!(self, Key::P256(key) if key == other)
    }
}

impl From<PublicKey> for Key {
    fn from(key: PublicKey) -> Key {
        Key::P256(key)
    }
}

impl Key {
    /// Whether this kind of key verifies `alg`'s family (`RS*` and `PS*` both for RSA keys: which
    /// of them a key verifies is [`PublicJwk`]'s `alg`, or the verifier's, to say).
    pub fn fits(&self, alg: Algorithm) -> bool {
        matches!(
            (self, alg.family()),
            (Key::P256(_), Family::P256)
                | (Key::P384(_), Family::P384)
                | (Key::Rsa(_), Family::RsaPkcs1 | Family::RsaPss)
                | (Key::Ed25519(_), Family::Ed25519)
        )
    }

    /// Verifies a raw signature of `alg` over `message`. A key of another family, and every
    /// failure of encoding, length, range or math, is the same opaque `ERR_BAD_SIGNATURE`.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<()> {
        match (self, alg) {
            (Key::P256(key), Algorithm::Es256) => key.verify(message, signature),
            (Key::P384(key), Algorithm::Es384) => key.verify(message, signature),
            (Key::Ed25519(key), Algorithm::EdDsa | Algorithm::Ed25519) => key.verify(message, signature),
            (Key::Rsa(key), _) => match rsa_scheme(alg) {
                Some((padding, hash)) => key.verify(padding, hash, message, signature),
                None => Err(Error::bad_signature()),
            },
            _ => Err(Error::bad_signature()),
        }
    }

    /// Whether `signature` has the shape `alg`'s signatures have with this key: 64 bytes with
    /// `r` and `s` in [1, n − 1] (ES256), 96 bytes (ES384), 64 bytes (Ed25519), exactly the
    /// modulus's length (RSA, RFC 8017 §8.2.2 step 1: a runtime may accept a shorter one). A
    /// signature of another shape never verifies here; checking the shape before a runtime's
    /// crypto does keeps every path's verdicts the same.
    pub fn is_signature_shape(&self, alg: Algorithm, signature: &[u8]) -> bool {
        self.fits(alg)
            && match self {
                Key::P256(_) => PublicKey::is_signature_shape(signature),
                Key::P384(_) => signature.len() == 96,
                Key::Ed25519(_) => signature.len() == 64,
                Key::Rsa(key) => signature.len() == key.modulus().len(),
            }
    }

    /// The public JWK members that make the key (`kty`, `crv`, and `x`/`y`, `n`/`e` or `x`), in
    /// the order RFC 7638 sorts them, as `(name, value)` pairs of strings.
    pub fn members(&self) -> Vec<(&'static str, String)> {
        let ec = |crv: &str, x: &[u8], y: &[u8]| {
            vec![
                ("crv", crv.to_owned()),
                ("kty", "EC".to_owned()),
                ("x", b64::encode(x)),
                ("y", b64::encode(y)),
            ]
        };
        match self {
            Key::P256(key) => {
                let (x, y) = key.coordinates();
                ec("P-256", &x, &y)
            }
            Key::P384(key) => {
                let (x, y) = key.coordinates();
                ec("P-384", &x, &y)
            }
            Key::Rsa(key) => vec![
                ("e", b64::encode(&key.exponent())),
                ("kty", "RSA".into()),
                ("n", b64::encode(key.modulus())),
            ],
            Key::Ed25519(key) => vec![
                ("crv", "Ed25519".into()),
                ("kty", "OKP".into()),
                ("x", b64::encode(&key.to_bytes())),
            ],
        }
    }
}

/// The RSASSA scheme of an RSA algorithm.
pub fn rsa_scheme(alg: Algorithm) -> Option<(rsassa::Padding, rsassa::Hash)> {
    use rsassa::{Hash, Padding};
    Some(match alg {
        Algorithm::Rs256 => (Padding::Pkcs1, Hash::Sha256),
        Algorithm::Rs384 => (Padding::Pkcs1, Hash::Sha384),
        Algorithm::Rs512 => (Padding::Pkcs1, Hash::Sha512),
        Algorithm::Ps256 => (Padding::Pss, Hash::Sha256),
        Algorithm::Ps384 => (Padding::Pss, Hash::Sha384),
        Algorithm::Ps512 => (Padding::Pss, Hash::Sha512),
        _ => return None,
    })
}

/// A verification key from a JWK Set: the key, and the members that limit what it verifies.
#[derive(Clone, Debug)]
pub struct PublicJwk {
    pub kid: Option<String>,
    /// The key's `alg`: the one algorithm it verifies (RFC 7517 §4.4).
    pub alg: Option<Algorithm>,
    pub key: Key,
}

/// The members every JWK may carry, type-checked.
struct Common {
    kid: Option<String>,
    alg: Option<String>,
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
}

fn invalid(message: &'static str) -> Error {
    Error::new(ErrorCode::InvalidKey, message)
}

fn optional_string(jwk: &Map<String, Value>, name: &'static str) -> Result<Option<String>> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::claim(ErrorCode::InvalidKey, name, "JWK member must be a string")),
    }
}

fn required_string<'a>(jwk: &'a Map<String, Value>, name: &'static str) -> Result<&'a str> {
    match jwk.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Error::claim(ErrorCode::InvalidKey, name, "JWK member must be a string")),
        None => Err(Error::claim(ErrorCode::InvalidKey, name, "JWK member is missing")),
    }
}

/// A base64url member's bytes; with `len`, exactly that many.
fn member_bytes(jwk: &Map<String, Value>, name: &'static str, len: Option<usize>) -> Result<Vec<u8>> {
    let text = required_string(jwk, name)?;
    let bytes =
        b64::decode(text, "JWK member").map_err(|_| Error::claim(ErrorCode::InvalidKey, name, "JWK member is not canonical base64url"))?;
    match len {
        Some(len) if bytes.len() != len => Err(Error::claim(
            ErrorCode::InvalidKey,
            name,
            match len {
                32 => "EC P-256 and Ed25519 JWK members must be exactly 32 bytes",
                _ => "EC P-384 JWK members must be exactly 48 bytes",
            },
        )),
        _ => Ok(bytes),
    }
}

fn coordinate(jwk: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>> {
    member_bytes(jwk, name, Some(32))
}

fn common_members(jwk: &Map<String, Value>) -> Result<Common> {
    let kid = optional_string(jwk, "kid")?;
    let alg = optional_string(jwk, "alg")?;
    let key_use = optional_string(jwk, "use")?;
    let key_ops = match jwk.get("key_ops") {
        None => None,
        Some(Value::Array(items)) => {
            let mut ops: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(op) = item else {
                    return Err(Error::claim(ErrorCode::InvalidKey, "key_ops", "JWK key_ops must be strings"));
                };
                // RFC 7517 §4.3: duplicate key operation values must not be present.
                if ops.contains(op) {
                    return Err(Error::claim(ErrorCode::InvalidKey, "key_ops", "JWK key_ops has duplicates"));
                }
                ops.push(op.clone());
            }
            Some(ops)
        }
        Some(_) => return Err(Error::claim(ErrorCode::InvalidKey, "key_ops", "JWK key_ops must be an array")),
    };
    Ok(Common {
        kid,
        alg,
        key_use,
        key_ops,
    })
}

/// Parses one JWK object for signing. `kty` other than `EC`, or `crv` other than `P-256`, gives
/// [`Parsed::OtherKind`]; anything malformed about a P-256 key is `ERR_INVALID_KEY`.
pub fn parse(jwk: &Map<String, Value>) -> Result<Parsed> {
    let kty = required_string(jwk, "kty")?;
    let common = common_members(jwk)?;
    if kty != "EC" || required_string(jwk, "crv").ok() != Some("P-256") {
        return Ok(Parsed::OtherKind);
    }
    let public = PublicKey::from_coordinates(&coordinate(jwk, "x")?, &coordinate(jwk, "y")?)?;
    let private = match jwk.get("d") {
        None => None,
        Some(_) => Some(private_key(jwk, &public)?),
    };
    if let Some(alg) = &common.alg {
        if alg != "ES256" {
            return Err(Error::claim(
                ErrorCode::InvalidKey,
                "alg",
                "an EC P-256 JWK may only declare alg ES256",
            ));
        }
    }
    Ok(Parsed::P256(Box::new(Jwk {
        kid: common.kid,
        alg: common.alg,
        key_use: common.key_use,
        key_ops: common.key_ops,
        public,
        private,
    })))
}

/// The members of a private key (RFC 7518 §6.2.2.1, §6.3.2, RFC 8037 §2, §6.4.1 for `k`).
pub const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Parses one JWK of a verification key set (see the module documentation for what is kept,
/// skipped and refused): `Ok(None)` for a key that is skipped. A private key is refused.
pub fn parse_public(jwk: &Map<String, Value>) -> Result<Option<PublicJwk>> {
    let kty = required_string(jwk, "kty")?;
    let Common {
        kid,
        alg,
        key_use,
        key_ops,
    } = common_members(jwk)?;
    if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return Err(invalid("a verification key set must not contain private keys"));
    }
    // RFC 7517 §4.2, §4.3: a key for encryption (or for signing only) verifies nothing.
    if key_use.as_deref().is_some_and(|u| u != "sig") || key_ops.as_ref().is_some_and(|ops| !ops.iter().any(|op| op == "verify")) {
        return Ok(None);
    }
    let crv = || required_string(jwk, "crv").ok();
    let family = match (kty, crv()) {
        ("EC", Some("P-256")) => Family::P256,
        ("EC", Some("P-384")) => Family::P384,
        ("RSA", _) => Family::RsaPkcs1,
        ("OKP", Some("Ed25519")) => Family::Ed25519,
        _ => return Ok(None),
    };
    let alg = match alg.as_deref() {
        None => None,
        Some(name) => match Algorithm::from_name(name) {
            Some(alg) if alg.family() == family || (family == Family::RsaPkcs1 && alg.is_rsa()) => Some(alg),
            Some(_) => {
                return Err(Error::claim(
                    ErrorCode::InvalidKey,
                    "alg",
                    "the JWK's alg is for another kind of key",
                ))
            }
            // A MAC or no signature with a public key is a contradiction, not another algorithm.
            None if name == "none" || name.starts_with("HS") => {
                return Err(Error::claim(ErrorCode::InvalidKey, "alg", "a public JWK cannot be for HS* or none"))
            }
            None => return Ok(None),
        },
    };
    let key = match family {
        Family::P256 => Key::P256(PublicKey::from_coordinates(&coordinate(jwk, "x")?, &coordinate(jwk, "y")?)?),
        Family::P384 => Key::P384(es384::PublicKey::from_coordinates(
            &member_bytes(jwk, "x", Some(48))?,
            &member_bytes(jwk, "y", Some(48))?,
        )?),
        Family::Ed25519 => Key::Ed25519(eddsa::PublicKey::from_bytes(&member_bytes(jwk, "x", Some(32))?)?),
        Family::RsaPkcs1 | Family::RsaPss => Key::Rsa(rsassa::PublicKey::new(
            &member_bytes(jwk, "n", None)?,
            &member_bytes(jwk, "e", None)?,
        )?),
    };
    Ok(Some(PublicJwk { kid, alg, key }))
}

impl PublicJwk {
    /// The public JWK as JSON text: the key's members, then `kid` and `alg` when present.
    pub fn to_json_text(&self) -> String {
        let mut out = String::from("{");
        let members = self.key.members();
        let optional = [("kid", self.kid.as_deref()), ("alg", self.alg.map(Algorithm::name))];
        let present = optional.iter().filter_map(|(name, value)| value.map(|v| (*name, v)));
        for (i, (name, value)) in members.iter().map(|(n, v)| (*n, v.as_str())).chain(present).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            json::push_string(&mut out, value);
        }
        out.push('}');
        out
    }
}

/// The private key of a JWK's `d`, which must match its public point.
#[cfg(feature = "authority")]
fn private_key(jwk: &Map<String, Value>, public: &PublicKey) -> Result<PrivateKey> {
    let d = coordinate(jwk, "d")?;
    let key = PrivateKey::from_scalar(&d)?;
    if key.public_key() != *public {
        return Err(invalid("JWK private scalar does not match its public point"));
    }
    Ok(key)
}

/// A build that only verifies never reads private keys (a verification key set with one is
/// refused before this; the scalar arithmetic stays out of the build).
#[cfg(not(feature = "authority"))]
fn private_key(_: &Map<String, Value>, _: &PublicKey) -> Result<PrivateKey> {
    Err(invalid("private keys are not read by the verify build"))
}

/// Parses a JWK that must be an EC P-256 private key (for signing).
#[cfg(feature = "authority")]
pub fn parse_private(jwk: &Map<String, Value>) -> Result<Jwk> {
    match parse(jwk)? {
        Parsed::P256(key) if key.private.is_some() => Ok(*key),
        Parsed::P256(_) => Err(invalid("a private JWK (with d) is required for signing")),
        Parsed::OtherKind => Err(invalid("only EC P-256 keys (ES256) are supported")),
    }
}

impl Jwk {
    /// A fresh P-256 key pair. Without a `kid`, the RFC 7638 thumbprint becomes the `kid`.
    #[cfg(feature = "authority")]
    pub fn generate(kid: Option<String>) -> Result<Jwk> {
        let private = PrivateKey::generate()?;
        let public = private.public_key();
        let mut jwk = Jwk {
            kid: None,
            alg: Some("ES256".into()),
            key_use: Some("sig".into()),
            key_ops: None,
            public,
            private: Some(private),
        };
        jwk.kid = Some(match kid {
            Some(kid) => kid,
            None => jwk.thumbprint(),
        });
        Ok(jwk)
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url.
    pub fn thumbprint(&self) -> String {
        let (x, y) = self.public.coordinates();
        let mut members = Map::new();
        members.insert("crv".into(), "P-256".into());
        members.insert("kty".into(), "EC".into());
        members.insert("x".into(), b64::encode(&x).into());
        members.insert("y".into(), b64::encode(&y).into());
        // A key we built ourselves always has every required member.
        thumbprint(&members).unwrap_or_default()
    }

    /// The public JWK as JSON (never includes `d`).
    pub fn to_public_json(&self) -> Value {
        let (x, y) = self.public.coordinates();
        let mut jwk = json!({ "kty": "EC", "crv": "P-256", "x": b64::encode(&x), "y": b64::encode(&y) });
        if let Value::Object(map) = &mut jwk {
            for (name, value) in [("kid", &self.kid), ("alg", &self.alg), ("use", &self.key_use)] {
                if let Some(value) = value {
                    map.insert(name.into(), value.clone().into());
                }
            }
            if let Some(ops) = &self.key_ops {
                map.insert("key_ops".into(), ops.clone().into());
            }
        }
        jwk
    }

    /// The private JWK as JSON (public members plus `d`), or `None` for a public key.
    #[cfg(feature = "authority")]
    pub fn to_private_json(&self) -> Option<Value> {
        let private = self.private.as_ref()?;
        let mut jwk = self.to_public_json();
        if let Value::Object(map) = &mut jwk {
            map.insert("d".into(), b64::encode(&private.scalar()).into());
        }
        Some(jwk)
    }
}

/// RFC 7638 §3: SHA-256 over the required members of the key type, in lexicographic order,
/// without whitespace. Works for any `kty` it knows (EC, RSA, OKP, oct), not only P-256.
pub fn thumbprint(jwk: &Map<String, Value>) -> Result<String> {
    let members: &[&'static str] = match required_string(jwk, "kty")? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        "OKP" => &["crv", "kty", "x"],
        "oct" => &["k", "kty"],
        _ => return Err(invalid("unknown JWK kty for a thumbprint")),
    };
    let mut canonical = String::from("{");
    for (i, name) in members.iter().enumerate() {
        let value = required_string(jwk, name)?;
        if i > 0 {
            canonical.push(',');
        }
        json::push_string(&mut canonical, name);
        canonical.push(':');
        json::push_string(&mut canonical, value);
    }
    canonical.push('}');
    Ok(b64::encode(&Sha256::digest(canonical.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    // RFC 7515 Appendix A.3 key.
    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    const D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

    #[test]
    fn rfc7638_section_3_1_known_answer() {
        let jwk = object(json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        }));
        assert_eq!(thumbprint(&jwk).as_deref(), Ok("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
        assert!(matches!(parse(&jwk), Ok(Parsed::OtherKind)));
    }

    #[test]
    fn parses_public_and_private_p256() -> Result<()> {
        let public = object(json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"a","use":"sig","key_ops":["verify"]}));
        let Parsed::P256(key) = parse(&public)? else {
            return Err(invalid("expected P-256"));
        };
        assert!(key.private.is_none());
        assert_eq!(key.to_public_json().get("x"), Some(&Value::from(X)));
        let private = object(json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"d":D}));
        let key = parse_private(&private)?;
        assert_eq!(key.to_private_json().and_then(|j| j.get("d").cloned()), Some(Value::from(D)));
        assert_eq!(thumbprint(&private)?, key.thumbprint());
        Ok(())
    }

    #[test]
    fn rejects_bad_p256_keys() {
        let cases = [
            json!({"kty":"EC","crv":"P-256","x":X}),
            json!({"kty":"EC","crv":"P-256","x":X,"y":X}),
            json!({"kty":"EC","crv":"P-256","x":format!("{X}A"),"y":Y}),
            json!({"kty":"EC","crv":"P-256","x":&X[1..],"y":Y}),
            json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"alg":"ES384"}),
            json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":7}),
            json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"key_ops":["verify","verify"]}),
            json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
            json!({"kty":"EC","crv":"P-256","x":X,"y":Y,"d":X}),
            json!({"crv":"P-256","x":X,"y":Y}),
        ];
        for case in cases {
            assert_eq!(
                parse(&object(case.clone())).err().map(|e| e.code()),
                Some(ErrorCode::InvalidKey),
                "{case}"
            );
        }
        let public = object(json!({"kty":"EC","crv":"P-256","x":X,"y":Y}));
        assert!(parse_private(&public).is_err());
    }

    #[test]
    fn generated_keys_round_trip() -> Result<()> {
        let jwk = Jwk::generate(None)?;
        assert_eq!(jwk.kid.as_deref(), Some(jwk.thumbprint().as_str()));
        let again = parse_private(&object(jwk.to_private_json().unwrap_or_default()))?;
        assert_eq!(again.public, jwk.public);
        Ok(())
    }
}
