//! The verifier: options, key source (a local JWK Set or a remote one cached by
//! [`RemoteJwks`]) and claim rules, combined. Time is always passed in.

use serde::Deserialize;
use serde_json::{Map, Value};

use std::cell::RefCell;

use crate::cache::TokenCache;
use crate::error::{Error, ErrorCode, Result};
use crate::jwks::KeySet;
use crate::jwt::{self, OneOrMany, Validation, VerifiedJwt};
use crate::remote::RemoteJwks;

/// `new Verifier(options)`: every option a JS caller may pass. Unknown names are rejected.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifierOptions {
    /// A JWK Set object (`{ keys: [...] }`).
    pub jwks: Option<Value>,
    /// Or the URL of one, fetched and cached.
    pub jwks_url: Option<String>,
    /// Seconds a fetched key set is used before it is fetched again (default 600).
    pub cache_max_age: Option<f64>,
    /// Minimum seconds between fetches caused by unknown `kid`s or failures (default 30).
    pub cooldown: Option<f64>,
    pub issuer: Option<OneOrMany>,
    pub audience: Option<OneOrMany>,
    pub subject: Option<String>,
    pub algorithms: Option<Vec<String>>,
    pub clock_tolerance: Option<f64>,
    pub typ: Option<String>,
    pub required_claims: Option<Vec<String>>,
    pub max_token_age: Option<f64>,
    pub profile: Option<String>,
}

/// `verifier.verify(token, options)`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyOptions {
    /// Unix seconds; the runtime's clock when absent.
    pub now: Option<f64>,
    pub required_scopes: Option<Vec<String>>,
}

impl VerifyOptions {
    pub fn checked_now(&self, clock: f64) -> Result<f64> {
        jwt::check_now(self.now.unwrap_or(clock))
    }

    pub fn scopes(&self) -> &[String] {
        self.required_scopes.as_deref().unwrap_or_default()
    }
}

/// Where the keys come from.
#[derive(Clone, Debug)]
pub enum Keys {
    Local(KeySet),
    Remote(RemoteJwks),
}

#[derive(Clone, Debug)]
pub struct Verifier {
    pub validation: Validation,
    pub keys: Keys,
    /// Tokens already verified (see [`TokenCache`]): repeat tokens skip the signature check.
    cache: RefCell<TokenCache>,
}

impl Verifier {
    pub fn new(options: &VerifierOptions) -> Result<Verifier> {
        let validation = Validation::from_options(options)?;
        let keys = match (&options.jwks, &options.jwks_url) {
            (Some(jwks), None) => {
                if options.cache_max_age.is_some() || options.cooldown.is_some() {
                    return Err(Error::invalid_options("options cacheMaxAge and cooldown apply only with jwksUrl"));
                }
                Keys::Local(KeySet::from_json(jwks)?)
            }
            (None, Some(url)) => Keys::Remote(RemoteJwks::new(
                url,
                jwt::non_negative(options.cache_max_age, "cacheMaxAge")?,
                jwt::non_negative(options.cooldown, "cooldown")?,
            )?),
            _ => {
                return Err(Error::claim(
                    ErrorCode::InvalidOptions,
                    "jwks",
                    "exactly one of the options jwks and jwksUrl is required",
                ))
            }
        };
        Ok(Verifier {
            validation,
            keys,
            cache: RefCell::new(TokenCache::default()),
        })
    }

    /// Verifies with the keys at hand: the local set, or the remote set as currently cached
    /// (no fetching here; the binding layer fetches first when [`RemoteJwks`] asks for it).
    /// A token verified before with the same key set is served from the cache after its claims
    /// are checked again at `now`.
    pub fn verify(&self, token: &str, now: f64, required_scopes: &[String]) -> Result<Map<String, Value>> {
        self.verify_with(token, now, required_scopes, |jwt| jwt.claims.clone())
    }

    /// [`Verifier::verify`], handing the verified token (header, claims and the claims' JSON
    /// text) to `output` instead of cloning the claims: a binding builds its own result from it.
    pub fn verify_with<T>(&self, token: &str, now: f64, required_scopes: &[String], output: impl FnOnce(&VerifiedJwt) -> T) -> Result<T> {
        let (keys, generation) = match &self.keys {
            Keys::Local(keys) => (keys, 0),
            Keys::Remote(remote) => (
                remote
                    .keys()
                    .ok_or_else(|| Error::new(ErrorCode::JwksFetch, "the remote key set has not been loaded"))?,
                remote.generation(),
            ),
        };
        let cacheable = token.len() <= crate::jws::MAX_TOKEN_LEN;
        if cacheable {
            if let Some(entry) = self.cache.borrow().get(token, generation) {
                self.validation
                    .validate(&entry.jwt.header, &entry.jwt.claims, now, required_scopes)?;
                return Ok(output(&entry.jwt));
            }
        }
        let jwt = jwt::verify_token(token, keys, &self.validation, now, required_scopes)?;
        let result = output(&jwt);
        if cacheable {
            self.cache.borrow_mut().insert(token, jwt, generation);
        }
        Ok(result)
    }

    /// Verified tokens currently cached.
    pub fn cached(&self) -> usize {
        self.cache.borrow().len()
    }
}
