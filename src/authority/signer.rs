//! ES256 signing of access tokens (RFC 9068 shape by default) and key generation.

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::jose::b64;
use crate::jose::jwk::{self, Jwk};
use crate::jose::jwt;
use crate::options::Options;
use crate::time::Time;

/// Default access-token lifetime, seconds.
pub const DEFAULT_EXPIRES_IN: i64 = 300;
/// Longest lifetime `sign` accepts (one year): a guard against unit mistakes (ms for s).
pub const MAX_EXPIRES_IN: i64 = 365 * 86400;

/// `new Signer(options)`.
#[derive(Clone, Debug, PartialEq)]
pub struct SignerOptions {
    pub private_jwk: Value,
    pub issuer: Option<String>,
    /// `aud` for every token: a string, or an array of strings.
    pub audience: Option<Value>,
}

impl SignerOptions {
    pub fn from_json(value: Value) -> Result<SignerOptions> {
        SignerOptions::read(Options::new(value, "Signer")?)
    }

    pub fn parse(text: &str) -> Result<SignerOptions> {
        SignerOptions::read(Options::parse(text, "Signer")?)
    }

    fn read(mut o: Options) -> Result<SignerOptions> {
        let read = SignerOptions {
            private_jwk: o
                .take("privateJwk")
                .ok_or_else(|| Error::option("Signer", "privateJwk", "is required"))?,
            issuer: o.non_empty_string("issuer")?,
            audience: o.one_or_many("audience")?.map(audience_value),
        };
        o.finish()?;
        Ok(read)
    }
}

/// One audience as a string, several as an array (RFC 7519 §4.1.3).
fn audience_value(mut list: Vec<String>) -> Value {
    if list.len() == 1 {
        Value::from(list.remove(0))
    } else {
        Value::from(list)
    }
}

/// `signer.sign(claims, options)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignOptions {
    /// Unix seconds; the runtime's clock when absent.
    pub now: Option<f64>,
    /// Seconds, whole, 1 to one year (default 300).
    pub expires_in: Option<i64>,
    pub typ: Option<String>,
}

impl SignOptions {
    pub fn from_json(value: Value) -> Result<SignOptions> {
        SignOptions::read(Options::new(value, "sign")?)
    }

    pub fn parse(text: &str) -> Result<SignOptions> {
        SignOptions::read(Options::parse(text, "sign")?)
    }

    fn read(mut o: Options) -> Result<SignOptions> {
        let read = SignOptions {
            now: o.number("now")?,
            expires_in: o.integer(
                "expiresIn",
                1,
                MAX_EXPIRES_IN,
                "must be a whole number of seconds between 1 and 31536000",
            )?,
            typ: o.non_empty_string("typ")?,
        };
        o.finish()?;
        Ok(read)
    }
}

/// `generateKeyPair(options)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyPairOptions {
    pub kid: Option<String>,
}

impl KeyPairOptions {
    pub fn from_json(value: Value) -> Result<KeyPairOptions> {
        KeyPairOptions::read(Options::new(value, "generateKeyPair")?)
    }

    pub fn parse(text: &str) -> Result<KeyPairOptions> {
        KeyPairOptions::read(Options::parse(text, "generateKeyPair")?)
    }

    fn read(mut o: Options) -> Result<KeyPairOptions> {
        let read = KeyPairOptions {
            kid: o.non_empty_string("kid")?,
        };
        o.finish()?;
        Ok(read)
    }
}

#[derive(Clone, Debug)]
pub struct Signer {
    key: Jwk,
    kid: String,
    issuer: Option<String>,
    audience: Option<Value>,
}

/// A fresh key pair as `(private JWK, public JWK)`.
pub fn generate_key_pair(options: &KeyPairOptions) -> Result<(Value, Value)> {
    if options.kid.as_deref().is_some_and(str::is_empty) {
        return Err(Error::option("generateKeyPair", "kid", "must be a non-empty string"));
    }
    let jwk = Jwk::generate(options.kid.clone())?;
    let private = jwk
        .to_private_json()
        .ok_or_else(|| Error::new(ErrorCode::InvalidKey, "generated key has no private part"))?;
    Ok((private, jwk.to_public_json()))
}

impl Signer {
    pub fn new(options: &SignerOptions) -> Result<Signer> {
        let Value::Object(map) = &options.private_jwk else {
            return Err(Error::option("Signer", "privateJwk", "must be a JWK object"));
        };
        let key = jwk::parse_private(map)?;
        // RFC 7517 §4.2/§4.3: a key marked for another use may not sign.
        if key.key_use.as_deref().is_some_and(|u| u != "sig") || key.key_ops.as_ref().is_some_and(|ops| !ops.iter().any(|op| op == "sign"))
        {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "the private JWK is not marked for signing (use sig, key_ops sign)",
            ));
        }
        if options.issuer.as_deref().is_some_and(str::is_empty) {
            return Err(Error::option("Signer", "issuer", "must be a non-empty string"));
        }
        if let Some(audience) = &options.audience {
            let valid = match audience {
                Value::String(one) => !one.is_empty(),
                Value::Array(many) => !many.is_empty() && many.iter().all(|a| a.as_str().is_some_and(|a| !a.is_empty())),
                _ => false,
            };
            if !valid {
                return Err(Error::option(
                    "Signer",
                    "audience",
                    "must be a non-empty string or list of non-empty strings",
                ));
            }
        }
        Ok(Signer {
            kid: key.kid.clone().unwrap_or_else(|| key.thumbprint()),
            key,
            issuer: options.issuer.clone(),
            audience: options.audience.clone(),
        })
    }

    /// An authority's signer: its issuer and audience on every token.
    pub fn for_authority(private_jwk: &Value, issuer: &str, audience: &Value) -> Result<Signer> {
        Signer::new(&SignerOptions {
            private_jwk: private_jwk.clone(),
            issuer: Some(issuer.to_string()),
            audience: Some(audience.clone()),
        })
    }

    /// A signer over a parsed private key, without issuer or audience.
    pub fn from_jwk(key: Jwk) -> Signer {
        Signer {
            kid: key.kid.clone().unwrap_or_else(|| key.thumbprint()),
            key,
            issuer: None,
            audience: None,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn public_jwk(&self) -> Value {
        let mut jwk = self.key.to_public_json();
        if let Value::Object(map) = &mut jwk {
            map.insert("kid".into(), self.kid.clone().into());
            // The private key's ["sign"] would make the public key unusable for verifying.
            if map.remove("key_ops").is_some() {
                map.insert("key_ops".into(), vec!["verify"].into());
            }
        }
        jwk
    }

    /// Signs `claims` (see [`Signer::signing_input`]) with the key here in Rust.
    pub fn sign(&self, claims: Map<String, Value>, options: &SignOptions, clock: Time) -> Result<String> {
        let input = self.signing_input(claims, options, clock)?;
        let signature = self.sign_input(&input)?;
        Ok(finish(input, &signature))
    }

    /// The raw `r || s` ES256 signature of a signing input, with the key here in Rust.
    pub fn sign_input(&self, input: &str) -> Result<[u8; 64]> {
        let private = self
            .key
            .private
            .as_ref()
            .ok_or_else(|| Error::new(ErrorCode::InvalidKey, "the signer has no private key"))?;
        Ok(private.sign(input.as_bytes()))
    }

    /// Whether `signature` over `input` verifies with this signer's public key (the check of a
    /// runtime signer's first signature).
    pub fn verifies(&self, input: &str, signature: &[u8]) -> bool {
        self.key.public.verify(input.as_bytes(), signature).is_ok()
    }

    /// Everything of [`Signer::sign`] but the signature: the claims checked and completed (`iss`,
    /// `aud`, `iat`, `exp`, a random `jti`) and the JWS signing input `header.payload`. The
    /// signer sets `iat`, `exp` and `jti`, and `iss`/`aud` when configured; claims may not set
    /// those themselves.
    pub fn signing_input(&self, mut claims: Map<String, Value>, options: &SignOptions, clock: Time) -> Result<String> {
        let now = match options.now {
            None => clock,
            Some(seconds) => Time::from_secs_f64(seconds)
                .ok_or_else(|| Error::option("sign", "now", "must be unix seconds between 0 and 253402300799"))?,
        }
        .secs();
        let expires_in = options.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
        if !(1..=MAX_EXPIRES_IN).contains(&expires_in) {
            return Err(Error::option(
                "sign",
                "expiresIn",
                "must be a whole number of seconds between 1 and 31536000",
            ));
        }
        let typ = options.typ.as_deref().unwrap_or(jwt::PROFILE_AT_JWT);
        if typ.is_empty() {
            return Err(Error::option("sign", "typ", "must be a non-empty string"));
        }
        let mut reserved = vec!["iat", "exp", "jti"];
        if self.issuer.is_some() {
            reserved.push("iss");
        }
        if self.audience.is_some() {
            reserved.push("aud");
        }
        if let Some(claim) = reserved.iter().find(|c| claims.contains_key(**c)) {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                *claim,
                "this claim is set by the signer and may not be passed in",
            ));
        }
        check_claim_types(&claims)?;
        if let Some(issuer) = &self.issuer {
            claims.insert("iss".into(), issuer.clone().into());
        }
        if let Some(audience) = &self.audience {
            claims.insert("aud".into(), audience.clone());
        }
        let mut jti = [0u8; 16];
        crate::random::fill(&mut jti)?;
        claims.insert("iat".into(), Value::from(now));
        claims.insert("exp".into(), Value::from(now.saturating_add(expires_in)));
        claims.insert("jti".into(), b64::encode(&jti).into());

        let mut header = Map::new();
        header.insert("alg".into(), "ES256".into());
        header.insert("kid".into(), self.kid.clone().into());
        header.insert("typ".into(), typ.into());
        let mut token = b64::encode(&serde_json::to_vec(&header).unwrap_or_default());
        token.push('.');
        token.push_str(&b64::encode(&serde_json::to_vec(&claims).unwrap_or_default()));
        Ok(token)
    }
}

/// The compact JWS from a signing input and its raw `r || s` signature.
pub fn finish(mut input: String, signature: &[u8; 64]) -> String {
    input.push('.');
    input.push_str(&b64::encode(signature));
    input
}

/// Registered claims must have the JSON types a verifier requires (RFC 7519 §4.1, RFC 9068,
/// RFC 8693 §4.2/§4.3), so the signer never makes a token its own verifier refuses.
fn check_claim_types(claims: &Map<String, Value>) -> Result<()> {
    let wrong = |claim: &'static str, what: &'static str| Err(Error::claim(ErrorCode::InvalidClaim, claim, what));
    for claim in ["sub", "client_id", "scope", "iss"] {
        if claims.get(claim).is_some_and(|v| !v.is_string()) {
            return wrong(claim, "this claim must be a string");
        }
    }
    if claims.get("nbf").is_some_and(|v| !v.as_f64().is_some_and(f64::is_finite)) {
        return wrong("nbf", "nbf must be a NumericDate (a number)");
    }
    let strings = |v: &Value| v.as_array().is_some_and(|items| items.iter().all(Value::is_string));
    if claims.get("scp").is_some_and(|v| !strings(v)) {
        return wrong("scp", "scp must be an array of strings");
    }
    if claims.get("aud").is_some_and(|v| !v.is_string() && !strings(v)) {
        return wrong("aud", "aud must be a string or an array of strings");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn registered_claims_of_the_wrong_type_are_refused() {
        let (private, _) = generate_key_pair(&KeyPairOptions::default()).unwrap();
        let signer = Signer::new(&SignerOptions {
            private_jwk: private,
            issuer: None,
            audience: None,
        })
        .unwrap();
        let now = Time::from_secs(1000);
        for (claim, value) in [
            ("client_id", json!(5)),
            ("sub", json!(null)),
            ("scope", json!(["a"])),
            ("nbf", json!("1")),
            ("scp", json!("a")),
            ("aud", json!([1])),
        ] {
            let claims: Map<String, Value> = [(claim.to_string(), value)].into_iter().collect();
            let error = signer.sign(claims, &SignOptions::default(), now).unwrap_err();
            assert_eq!((error.code(), error.claim_name()), (ErrorCode::InvalidClaim, Some(claim)));
        }
    }

    #[test]
    fn options_name_what_is_wrong() {
        let e = SignerOptions::from_json(json!({ "issuer": "x" })).unwrap_err();
        assert_eq!(e.claim_name(), Some("privateJwk"));
        let e = SignOptions::from_json(json!({ "expiresIn": 0.5 })).unwrap_err();
        assert_eq!(e.claim_name(), Some("expiresIn"));
        let e = SignOptions::from_json(json!({ "expiresIn": 31_536_001 })).unwrap_err();
        assert_eq!(e.claim_name(), Some("expiresIn"));
        assert!(KeyPairOptions::from_json(json!({ "kid": "" })).is_err());
        assert!(KeyPairOptions::from_json(json!({ "kid": 3 })).is_err());
        assert_eq!(
            SignerOptions::from_json(json!({ "privateJwk": {}, "audience": ["a", "b"] }))
                .unwrap()
                .audience,
            Some(json!(["a", "b"]))
        );
        assert_eq!(
            SignerOptions::from_json(json!({ "privateJwk": {}, "audience": "a" }))
                .unwrap()
                .audience,
            Some(json!("a"))
        );
    }

    #[test]
    fn keys_not_marked_for_signing_are_refused() {
        let (private, _) = generate_key_pair(&KeyPairOptions::default()).unwrap();
        for (member, value) in [("use", json!("enc")), ("key_ops", json!(["verify"]))] {
            let mut jwk = private.clone();
            jwk.as_object_mut().unwrap().insert(member.into(), value);
            let options = SignerOptions {
                private_jwk: jwk,
                issuer: None,
                audience: None,
            };
            assert_eq!(Signer::new(&options).unwrap_err().code(), ErrorCode::InvalidKey, "{member}");
        }
        // key_ops ["sign"] signs, and the published public JWK says ["verify"].
        let mut jwk = private;
        jwk.as_object_mut().unwrap().insert("key_ops".into(), json!(["sign"]));
        let signer = Signer::new(&SignerOptions {
            private_jwk: jwk,
            issuer: None,
            audience: None,
        })
        .unwrap();
        assert_eq!(signer.public_jwk().get("key_ops"), Some(&json!(["verify"])));
        let keys = crate::KeySet::from_json(&json!({ "keys": [signer.public_jwk()] })).unwrap();
        let token = signer.sign(Map::new(), &SignOptions::default(), Time::from_secs(1000)).unwrap();
        let compact = crate::jose::jws::verify_compact(&token, &keys, Some(&[crate::jose::jwa::Algorithm::Es256]));
        assert!(compact.is_ok());
    }
}
