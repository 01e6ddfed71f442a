//! JWK Sets (RFC 7517 §5) for verification, and key selection for a token.

use serde_json::Value;

use super::b64;
use super::jwa::Algorithm;
use super::jwk::{self, Jwk, Parsed};
use crate::error::{Error, ErrorCode, Result};
use crate::es256::PublicKey;

/// At most this many keys in one set: a bound on work per token and on memory.
pub const MAX_KEYS: usize = 100;

/// The usable ES256 verification keys of a JWK Set.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<Jwk>,
}

impl KeySet {
    /// Parses `{"keys":[…]}`. Keys of other types or curves are skipped (a set often mixes RSA
    /// and EC keys); a malformed P-256 key, or any private key (`d`), rejects the whole set.
    pub fn from_json(set: &Value) -> Result<KeySet> {
        let Some(Value::Array(items)) = set.as_object().and_then(|o| o.get("keys")) else {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "a JWK Set must be an object with a \"keys\" array",
            ));
        };
        if items.len() > MAX_KEYS {
            return Err(Error::new(ErrorCode::InvalidKey, "the JWK Set has more than 100 keys"));
        }
        let mut keys = Vec::new();
        for item in items {
            let Value::Object(map) = item else {
                return Err(Error::new(ErrorCode::InvalidKey, "each JWK must be an object"));
            };
            // Private members in a verification set mean someone published a secret: refuse.
            if ["d", "p", "q", "dp", "dq", "qi", "k"].iter().any(|m| map.contains_key(*m)) {
                return Err(Error::new(
                    ErrorCode::InvalidKey,
                    "a verification key set must not contain private keys",
                ));
            }
            if let Parsed::P256(key) = jwk::parse(map)? {
                keys.push(*key);
            }
        }
        Ok(KeySet { keys })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The public set as JSON.
    pub fn to_json(&self) -> Value {
        Value::Object(
            [(
                "keys".to_string(),
                Value::Array(self.keys.iter().map(Jwk::to_public_json).collect()),
            )]
            .into_iter()
            .collect(),
        )
    }

    /// The public set as JSON text: the same members as [`KeySet::to_json`], written out by hand
    /// (every member is a string, so this needs no JSON value serializer).
    pub fn to_json_text(&self) -> String {
        let string = |text: &str| serde_json::to_string(text).unwrap_or_default();
        let mut out = String::from("{\"keys\":[");
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let (x, y) = key.public.coordinates();
            out.push_str("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"");
            out.push_str(&b64::encode(&x));
            out.push_str("\",\"y\":\"");
            out.push_str(&b64::encode(&y));
            out.push('"');
            for (name, value) in [("kid", &key.kid), ("alg", &key.alg), ("use", &key.key_use)] {
                if let Some(value) = value {
                    out.push_str(",\"");
                    out.push_str(name);
                    out.push_str("\":");
                    out.push_str(&string(value));
                }
            }
            if let Some(ops) = &key.key_ops {
                out.push_str(",\"key_ops\":[");
                for (j, op) in ops.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    out.push_str(&string(op));
                }
                out.push(']');
            }
            out.push('}');
        }
        out.push_str("]}");
        out
    }

    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// Selects the one key for a token: by `kid` when the token has one, then by suitability for
    /// `alg` (`alg`, `use` = `sig`, `key_ops` ∋ `verify`; `kty`/`crv` are P-256 by construction).
    /// None fits: `ERR_NO_MATCHING_KEY`; several fit: `ERR_AMBIGUOUS_KEY` (never "try each").
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&PublicKey> {
        let mut found = self.keys.iter().filter(|key| {
            kid.is_none_or(|kid| key.kid.as_deref() == Some(kid))
                && key.alg.as_deref().is_none_or(|a| a == alg.name())
                && key.key_use.as_deref().is_none_or(|u| u == "sig")
                && key.key_ops.as_ref().is_none_or(|ops| ops.iter().any(|op| op == "verify"))
        });
        match (found.next(), found.next()) {
            (Some(key), None) => Ok(&key.public),
            (None, _) => Err(Error::new(ErrorCode::NoMatchingKey, "no key in the key set matches the token")),
            (Some(_), Some(_)) => Err(Error::new(ErrorCode::AmbiguousKey, "several keys in the key set match the token")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    fn code<T>(r: Result<T>) -> Option<ErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn selects_by_kid_then_suitability() -> Result<()> {
        let set = KeySet::from_json(&json!({"keys":[
            {"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"a"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"b","use":"enc"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"c","key_ops":["sign"]},
            {"kty":"EC","crv":"P-384","x":X,"y":Y,"kid":"d"},
        ]}))?;
        assert_eq!(set.len(), 3);
        assert!(!set.is_empty() && KeySet::from_json(&json!({ "keys": [] }))?.is_empty());
        assert!(set.select(Some("a"), Algorithm::Es256).is_ok());
        assert_eq!(code(set.select(Some("b"), Algorithm::Es256)), Some(ErrorCode::NoMatchingKey));
        assert_eq!(code(set.select(Some("c"), Algorithm::Es256)), Some(ErrorCode::NoMatchingKey));
        assert_eq!(code(set.select(Some("r"), Algorithm::Es256)), Some(ErrorCode::NoMatchingKey));
        assert_eq!(code(set.select(Some("zz"), Algorithm::Es256)), Some(ErrorCode::NoMatchingKey));
        // Without a kid the only suitable key is chosen.
        assert!(set.select(None, Algorithm::Es256).is_ok());
        // The text form says what the value form says.
        assert_eq!(serde_json::from_str::<Value>(&set.to_json_text()).unwrap(), set.to_json());
        let odd =
            KeySet::from_json(&json!({"keys":[{"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"q\"\\\n\u{1}é","key_ops":["verify","x\"y"]}]}))?;
        assert_eq!(serde_json::from_str::<Value>(&odd.to_json_text()).unwrap(), odd.to_json());
        let two = KeySet::from_json(&json!({"keys":[
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"a"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"a"},
        ]}))?;
        assert_eq!(code(two.select(None, Algorithm::Es256)), Some(ErrorCode::AmbiguousKey));
        assert_eq!(code(two.select(Some("a"), Algorithm::Es256)), Some(ErrorCode::AmbiguousKey));
        Ok(())
    }

    #[test]
    fn rejects_bad_sets() {
        for bad in [
            json!([]),
            json!({"keys":{}}),
            json!({"keys":[1]}),
            json!({"keys":[{"kty":"EC","crv":"P-256","x":X,"y":Y,"d":X}]}),
            json!({"keys":[{"kty":"oct","k":"AAAA"}]}),
            json!({"keys":[{"kty":"EC","crv":"P-256","x":X,"y":X}]}),
        ] {
            assert_eq!(code(KeySet::from_json(&bad)), Some(ErrorCode::InvalidKey), "{bad}");
        }
        let many: Vec<Value> = (0..=MAX_KEYS).map(|_| json!({"kty":"RSA","n":"AQAB","e":"AQAB"})).collect();
        assert_eq!(code(KeySet::from_json(&json!({ "keys": many }))), Some(ErrorCode::InvalidKey));
    }
}
