//! JWK Sets (RFC 7517 §5) for verification, and key selection for a token.
//!
//! # Which key verifies which algorithm
//!
//! A token's `alg` is first checked against the verifier's `algorithms` option when it is given
//! (else against the algorithms Tessera implements: `none`, `HS*` and unknown names are
//! `ERR_ALG_NOT_ALLOWED` either way). Then one key is chosen ([`KeySet::select`]): the key with the
//! token's `kid` (every key when the token has none) that may verify `alg`:
//!
//! * its kind fits the algorithm's family: EC P-256 for ES256, EC P-384 for ES384, RSA for
//!   RS256…PS512, OKP Ed25519 for EdDSA and Ed25519 — never across families;
//! * a key with `alg` verifies exactly that algorithm;
//! * a key without `alg`: EC and OKP keys verify what their curve fixes (ES256, ES384, EdDSA and
//!   Ed25519); an RSA key without `alg` verifies only what the `algorithms` option lists, and only
//!   when that list names one RSA family (RS* or PS*, not both): whether the key signs with
//!   PKCS#1 v1.5 or PSS is not in the key, so the caller must say (RFC 8725 §3.1: one key, one
//!   algorithm). Without `algorithms` such a key verifies nothing (`ERR_ALG_NOT_ALLOWED`, naming
//!   the option).
//!
//! No key fits: `ERR_NO_MATCHING_KEY` (a remote set is then refetched once per cooldown, for key
//! rotation); several fit: `ERR_AMBIGUOUS_KEY` (never "try each"). Keys with `use` other than
//! `sig`, `key_ops` without `verify`, or kinds Tessera does not verify with are not in the set at
//! all (see [`crate::jose::jwk`]).

use serde_json::Value;

use super::jwa::Algorithm;
use super::jwk::{self, Key, PublicJwk};
use crate::error::{Error, ErrorCode, Result};

/// At most this many keys in one set: a bound on work per token and on memory.
pub const MAX_KEYS: usize = 100;

/// The usable verification keys of a JWK Set.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<PublicJwk>,
}

impl KeySet {
    /// Parses `{"keys":[…]}`. Keys that verify nothing Tessera implements are skipped (a set
    /// often holds encryption keys, or keys of other types); a malformed key of a kind Tessera
    /// uses, or any private key, rejects the whole set.
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
            // Private members in a verification set mean someone published a secret: refuse,
            // whatever the key's kind or use.
            if jwk::PRIVATE_MEMBERS.iter().any(|m| map.contains_key(*m)) {
                return Err(Error::new(
                    ErrorCode::InvalidKey,
                    "a verification key set must not contain private keys",
                ));
            }
            if let Some(key) = jwk::parse_public(map)? {
                keys.push(key);
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
        serde_json::from_str(&self.to_json_text()).unwrap_or(Value::Null)
    }

    /// The public set as JSON text, written out by hand (every member is a string, so this needs
    /// no JSON value serializer): each key's members (`kty`, `crv`, `x`, `y` / `n`, `e`), `kid`
    /// and `alg`.
    pub fn to_json_text(&self) -> String {
        let mut out = String::from("{\"keys\":[");
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&key.to_json_text());
        }
        out.push_str("]}");
        out
    }

    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// Selects the one key for a token with the default rule (no `algorithms` option): see the
    /// module documentation.
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&Key> {
        self.select_for(kid, alg, None).map(|key| &key.key)
    }

    /// Selects the one key that may verify a token's `alg` (with its `kid`, when it has one),
    /// `listed` being the `algorithms` option when given. See the module documentation.
    pub fn select_for(&self, kid: Option<&str>, alg: Algorithm, listed: Option<&[Algorithm]>) -> Result<&PublicJwk> {
        // An RSA key without alg: the option must list alg and no algorithm of the other RSA
        // family (RS* against PS*).
        let rsa_chosen = listed
            .is_some_and(|listed| listed.contains(&alg) && !listed.iter().any(|other| other.is_rsa() && other.family() != alg.family()));
        let mut found = None;
        let mut unchosen_rsa = false;
        for key in &self.keys {
            if !(kid.is_none_or(|kid| key.kid.as_deref() == Some(kid)) && key.key.fits(alg)) {
                continue;
            }
            let permitted = match key.alg {
                Some(own) => own == alg,
                None if matches!(key.key, Key::Rsa(_)) => {
                    unchosen_rsa |= !rsa_chosen;
                    rsa_chosen
                }
                None => true,
            };
            if permitted && found.replace(key).is_some() {
                return Err(Error::new(ErrorCode::AmbiguousKey, "several keys in the key set match the token"));
            }
        }
        match found {
            Some(key) => Ok(key),
            None if unchosen_rsa => Err(Error::claim(
                ErrorCode::AlgNotAllowed,
                "algorithms",
                "an RSA key without alg verifies only what the algorithms option lists, of one family (RS* or PS*)",
            )),
            None => Err(Error::new(ErrorCode::NoMatchingKey, "no key in the key set matches the token")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    /// RFC 7515 A.2's 2048-bit RSA modulus.
    pub const N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
    /// RFC 8037 A.2's Ed25519 public key.
    const ED: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const X384: &str = "CE1K_dnMRws7vIiKF-6K711wlLNBhWNSjK2efct6aMKpFCuzMNXdn-MWAP9AxXEW";
    const Y384: &str = "MeXXINdb0mj-Hy_tVledEHM-fRa9bA53JBithzJefhm74cAl6K2V9kT7ivTasaNr";

    fn code<T>(r: Result<T>) -> Option<ErrorCode> {
        r.err().map(|e| e.code())
    }

    fn kid(r: Result<&PublicJwk>) -> Option<String> {
        r.ok().and_then(|k| k.kid.clone())
    }

    #[test]
    fn selects_by_kid_then_suitability() -> Result<()> {
        let set = KeySet::from_json(&json!({"keys":[
            {"kty":"RSA","n":N,"e":"AQAB","kid":"r"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"a"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"b","use":"enc"},
            {"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":"c","key_ops":["sign"]},
            {"kty":"EC","crv":"P-521","x":X,"y":Y,"kid":"d"},
        ]}))?;
        assert_eq!(set.len(), 2, "the enc key, the sign-only key and the P-521 key are skipped");
        assert!(!set.is_empty() && KeySet::from_json(&json!({ "keys": [] }))?.is_empty());
        assert!(set.select(Some("a"), Algorithm::Es256).is_ok());
        for kid in ["b", "c", "d", "zz"] {
            assert_eq!(
                code(set.select(Some(kid), Algorithm::Es256)),
                Some(ErrorCode::NoMatchingKey),
                "{kid}"
            );
        }
        // An EC key never verifies RSA, and an RSA key never ES256.
        assert_eq!(code(set.select(Some("a"), Algorithm::Rs256)), Some(ErrorCode::NoMatchingKey));
        assert_eq!(code(set.select(Some("r"), Algorithm::Es256)), Some(ErrorCode::NoMatchingKey));
        // r has no alg: RS or PS is for the algorithms option to say.
        assert_eq!(code(set.select(Some("r"), Algorithm::Rs256)), Some(ErrorCode::AlgNotAllowed));
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
    fn keys_are_bound_to_their_algorithms() -> Result<()> {
        let set = KeySet::from_json(&json!({"keys":[
            {"kty":"RSA","n":N,"e":"AQAB","kid":"rs","alg":"RS256","use":"sig","x5c":["MIIC"],"x5t":"abc","x5t#S256":"def"},
            {"kty":"RSA","n":N,"e":"AQAB","kid":"ps","alg":"PS384"},
            {"kty":"RSA","n":N,"e":"AQAB","kid":"bare"},
            {"kty":"RSA","n":N,"e":"AQAB","kid":"oaep","alg":"RSA-OAEP","use":"enc"},
            {"kty":"RSA","n":"AQAB","e":"AQAB","kid":"small-enc","use":"enc"},
            {"kty":"OKP","crv":"Ed25519","x":ED,"kid":"ed"},
            {"kty":"OKP","crv":"Ed25519","x":ED,"kid":"ed-full","alg":"Ed25519"},
            {"kty":"OKP","crv":"X25519","x":ED,"kid":"x"},
            {"kty":"EC","crv":"P-384","x":X384,"y":Y384,"kid":"p384"},
            {"kty":"oct","kid":"no-k"},
            {"kty":"future","kid":"f"},
        ]}))?;
        assert_eq!(set.len(), 6);
        let rs = [Algorithm::Rs256, Algorithm::Rs384, Algorithm::Rs512];
        let ps = [Algorithm::Ps256, Algorithm::Ps384, Algorithm::Ps512];
        // The key's alg decides, whatever the option lists.
        assert_eq!(kid(set.select_for(Some("rs"), Algorithm::Rs256, None)), Some("rs".into()));
        assert_eq!(
            code(set.select_for(Some("rs"), Algorithm::Ps256, Some(&ps))),
            Some(ErrorCode::NoMatchingKey)
        );
        assert_eq!(
            code(set.select_for(Some("rs"), Algorithm::Rs384, Some(&rs))),
            Some(ErrorCode::NoMatchingKey)
        );
        assert_eq!(kid(set.select_for(Some("ps"), Algorithm::Ps384, None)), Some("ps".into()));
        assert_eq!(
            code(set.select_for(Some("ps"), Algorithm::Rs384, None)),
            Some(ErrorCode::NoMatchingKey)
        );
        // An RSA key without alg: only with an option naming one RSA family.
        let bare = set.select_for(Some("bare"), Algorithm::Rs256, None);
        assert_eq!(
            bare.as_ref().err().map(|e| (e.code(), e.claim_name())),
            Some((ErrorCode::AlgNotAllowed, Some("algorithms")))
        );
        assert_eq!(kid(set.select_for(Some("bare"), Algorithm::Rs512, Some(&rs))), Some("bare".into()));
        assert_eq!(
            kid(set.select_for(Some("bare"), Algorithm::Ps256, Some(&[Algorithm::Ps256, Algorithm::Es256]))),
            Some("bare".into())
        );
        let both = [Algorithm::Rs256, Algorithm::Ps256];
        assert_eq!(
            code(set.select_for(Some("bare"), Algorithm::Rs256, Some(&both))),
            Some(ErrorCode::AlgNotAllowed)
        );
        assert_eq!(
            code(set.select_for(Some("bare"), Algorithm::Ps256, Some(&both))),
            Some(ErrorCode::AlgNotAllowed)
        );
        // Keys with alg stay usable when the option names both families.
        assert_eq!(kid(set.select_for(Some("rs"), Algorithm::Rs256, Some(&both))), Some("rs".into()));
        // OKP Ed25519 without alg: EdDSA and Ed25519; with alg Ed25519: only that name.
        assert_eq!(kid(set.select_for(Some("ed"), Algorithm::EdDsa, None)), Some("ed".into()));
        assert_eq!(kid(set.select_for(Some("ed"), Algorithm::Ed25519, None)), Some("ed".into()));
        assert_eq!(
            code(set.select_for(Some("ed-full"), Algorithm::EdDsa, None)),
            Some(ErrorCode::NoMatchingKey)
        );
        assert_eq!(
            code(set.select_for(Some("ed"), Algorithm::Es256, None)),
            Some(ErrorCode::NoMatchingKey)
        );
        assert_eq!(kid(set.select_for(Some("p384"), Algorithm::Es384, None)), Some("p384".into()));
        assert_eq!(
            code(set.select_for(Some("p384"), Algorithm::Es256, None)),
            Some(ErrorCode::NoMatchingKey)
        );
        // Without a kid, each algorithm finds the one key bound to it, or several.
        assert_eq!(kid(set.select_for(None, Algorithm::Es384, None)), Some("p384".into()));
        assert_eq!(
            kid(set.select_for(None, Algorithm::EdDsa, None)),
            Some("ed".into()),
            "ed-full verifies Ed25519 only"
        );
        assert_eq!(code(set.select_for(None, Algorithm::Ed25519, None)), Some(ErrorCode::AmbiguousKey));
        // Every kept key survives its JSON text (exportState) with kid and alg.
        let again = KeySet::from_json(&set.to_json())?;
        assert_eq!(again.to_json_text(), set.to_json_text());
        assert_eq!(kid(again.select_for(Some("ps"), Algorithm::Ps384, None)), Some("ps".into()));
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
            json!({"keys":[{"kty":"RSA","n":N,"e":"AQAB","d":"AQAB","use":"enc"}]}),
            json!({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}),
            json!({"keys":[{"kty":"RSA","n":format!("AA{N}"),"e":"AQAB"}]}),
            json!({"keys":[{"kty":"RSA","n":N,"e":"AAEAAQ"}]}),
            json!({"keys":[{"kty":"RSA","n":N}]}),
            json!({"keys":[{"kty":"RSA","n":N,"e":"AQAB","alg":"ES256"}]}),
            json!({"keys":[{"kty":"RSA","n":N,"e":"AQAB","alg":"HS256"}]}),
            json!({"keys":[{"kty":"EC","crv":"P-256","x":X,"y":Y,"alg":"EdDSA"}]}),
            json!({"keys":[{"kty":"OKP","crv":"Ed25519","x":X384}]}),
            json!({"keys":[{"kty":"OKP","crv":"Ed25519","x":ED,"alg":"ES256"}]}),
            json!({"keys":[{"kty":"EC","crv":"P-384","x":X,"y":Y}]}),
            json!({"keys":[{"kty":"EC","crv":"P-384","x":X384,"y":X384}]}),
        ] {
            assert_eq!(code(KeySet::from_json(&bad)), Some(ErrorCode::InvalidKey), "{bad}");
        }
        let many: Vec<Value> = (0..=MAX_KEYS).map(|_| json!({"kty":"RSA","n":"AQAB","e":"AQAB"})).collect();
        assert_eq!(code(KeySet::from_json(&json!({ "keys": many }))), Some(ErrorCode::InvalidKey));
    }
}
