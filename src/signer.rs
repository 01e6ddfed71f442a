//! ES256 signing of access tokens (RFC 9068 shape by default) and key generation.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::b64;
use crate::error::{Error, ErrorCode, Result};
use crate::jwk::{self, Jwk};
use crate::jwt::{self, OneOrMany};

/// Default access-token lifetime, seconds.
pub const DEFAULT_EXPIRES_IN: f64 = 300.0;
/// Longest lifetime `sign` accepts (one year): a guard against unit mistakes (ms for s).
pub const MAX_EXPIRES_IN: f64 = 365.0 * 86400.0;

/// `new Signer(options)`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignerOptions {
    pub private_jwk: Value,
    pub issuer: Option<String>,
    pub audience: Option<OneOrMany>,
}

/// `signer.sign(claims, options)`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignOptions {
    pub now: Option<f64>,
    pub expires_in: Option<f64>,
    pub typ: Option<String>,
}

/// `generateKeyPair(options)`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KeyPairOptions {
    pub kid: Option<String>,
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
        return Err(Error::claim(
            ErrorCode::InvalidOptions,
            "kid",
            "option kid must be a non-empty string",
        ));
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
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "privateJwk",
                "option privateJwk must be a JWK object",
            ));
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
        let kid = key.kid.clone().unwrap_or_else(|| key.thumbprint());
        if options.issuer.as_deref().is_some_and(str::is_empty) {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "issuer",
                "option issuer must be a non-empty string",
            ));
        }
        let audience = match &options.audience {
            None => None,
            Some(aud) if aud.as_slice().is_empty() || aud.as_slice().iter().any(String::is_empty) => {
                return Err(Error::claim(
                    ErrorCode::InvalidOptions,
                    "audience",
                    "option audience must be a non-empty string or list",
                ));
            }
            Some(OneOrMany::One(one)) => Some(Value::from(one.clone())),
            Some(OneOrMany::Many(many)) => Some(Value::from(many.clone())),
        };
        Ok(Signer {
            key,
            kid,
            issuer: options.issuer.clone(),
            audience,
        })
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

    /// Signs `claims` at `now` (unix seconds). The signer sets `iat`, `exp` and a random `jti`,
    /// and `iss`/`aud` when configured; claims may not set those themselves.
    /// Signs `claims` (see [`Signer::signing_input`]) with the key here in Rust.
    pub fn sign(&self, claims: Map<String, Value>, options: &SignOptions, clock: f64) -> Result<String> {
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

    /// Whether `signature` over `input` verifies with this signer's public key.
    pub fn verifies(&self, input: &str, signature: &[u8; 64]) -> bool {
        self.key.public.verify(input.as_bytes(), signature).is_ok()
    }

    /// The private key as JWK members `(x, y, d)`, base64url, for a runtime signer (WebCrypto
    /// `importKey`, non-extractable). Only the binding layer calls this.
    #[doc(hidden)]
    pub fn private_jwk_members(&self) -> Option<(String, String, String)> {
        let private = self.key.private.as_ref()?;
        let (x, y) = self.key.public.coordinates();
        Some((b64::encode(&x), b64::encode(&y), b64::encode(&private.scalar())))
    }

    /// Everything of [`Signer::sign`] but the signature: the claims checked and completed (`iss`,
    /// `aud`, `iat`, `exp`, a random `jti`) and the JWS signing input `header.payload`.
    pub fn signing_input(&self, mut claims: Map<String, Value>, options: &SignOptions, clock: f64) -> Result<String> {
        let now = jwt::check_now(options.now.unwrap_or(clock))?.floor();
        let expires_in = options.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
        if !((1.0..=MAX_EXPIRES_IN).contains(&expires_in) && expires_in.fract() == 0.0) {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "expiresIn",
                "option expiresIn must be a whole number of seconds between 1 and 31536000",
            ));
        }
        let typ = options.typ.clone().unwrap_or_else(|| jwt::PROFILE_AT_JWT.to_string());
        if typ.is_empty() {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "typ",
                "option typ must be a non-empty string",
            ));
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
        // Whole seconds, so the numbers serialize as JSON integers.
        claims.insert("iat".into(), Value::from(now as i64));
        claims.insert("exp".into(), Value::from((now + expires_in) as i64));
        claims.insert("jti".into(), b64::encode(&jti).into());

        let header = serde_json::json!({ "alg": "ES256", "kid": self.kid, "typ": typ });
        let mut token = b64::encode(header.to_string().as_bytes());
        token.push('.');
        token.push_str(&b64::encode(Value::Object(claims).to_string().as_bytes()));
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
        for (claim, value) in [
            ("client_id", json!(5)),
            ("sub", json!(null)),
            ("scope", json!(["a"])),
            ("nbf", json!("1")),
            ("scp", json!("a")),
            ("aud", json!([1])),
        ] {
            let claims: Map<String, Value> = [(claim.to_string(), value)].into_iter().collect();
            let error = signer.sign(claims, &SignOptions::default(), 1000.0).unwrap_err();
            assert_eq!((error.code(), error.claim_name()), (ErrorCode::InvalidClaim, Some(claim)));
        }
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
        let token = signer.sign(Map::new(), &SignOptions::default(), 1000.0).unwrap();
        let compact = crate::jws::verify_compact(&token, &keys, &[crate::jws::Algorithm::Es256]);
        assert!(compact.is_ok());
    }
}
