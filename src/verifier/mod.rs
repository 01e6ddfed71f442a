//! The verifier: options, key source (a local JWK Set or a remote one cached by
//! [`RemoteJwks`]) and claim rules, combined; and the plan of an asynchronous verification
//! ([`Verifier::attempt`]): verify with the keys at hand, or fetch the key set first. The binding
//! only performs the fetch the plan asks for and hands the answer back ([`Verifier::absorb`]).

pub(crate) mod cache;
pub mod challenge;
pub mod dpop;
pub mod remote;

use std::cell::RefCell;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::jose::dpop::SignatureCheck;
use crate::jose::jwks::KeySet;
use crate::jose::jws;
use crate::jose::jwt::{self, ClaimRules, Validation, VerifiedJwt};
use crate::options::Options;
use crate::time::Time;
use cache::TokenCache;
use dpop::{Dpop, DpopOptions, DpopOutcome, ProofSignature, ReplayWrite};
use remote::{Fetch, RemoteJwks};

/// `new Verifier(options)`: where the keys come from, and the claim rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VerifierOptions {
    /// A JWK Set object (`{ keys: [...] }`).
    pub jwks: Option<Value>,
    /// Or the URL of one, fetched and cached.
    pub jwks_url: Option<String>,
    /// Milliseconds a fetched key set is used before it is fetched again (jose's `cacheMaxAge`).
    pub cache_max_age: Option<f64>,
    /// Milliseconds between fetches caused by an unknown `kid`, and after a failed fetch (jose's
    /// `cooldownDuration`).
    pub cooldown_duration: Option<f64>,
    /// Milliseconds one key set fetch may take (jose's `timeoutDuration`).
    pub timeout_duration: Option<f64>,
    pub rules: ClaimRules,
    /// DPoP at this resource server (RFC 9449 §7); absent: the defaults of [`DpopOptions`].
    pub dpop: Option<DpopOptions>,
}

impl VerifierOptions {
    /// From the options object (JS names).
    pub fn from_json(value: Value) -> Result<VerifierOptions> {
        VerifierOptions::read(Options::new(value, "Verifier")?)
    }

    /// From JSON text (what the JavaScript glue passes).
    pub fn parse(text: &str) -> Result<VerifierOptions> {
        VerifierOptions::read(Options::parse(text, "Verifier")?)
    }

    fn read(mut options: Options) -> Result<VerifierOptions> {
        let read = VerifierOptions {
            jwks: options.take("jwks"),
            jwks_url: options.string("jwksUrl")?,
            cache_max_age: options.seconds("cacheMaxAge")?,
            cooldown_duration: options.seconds("cooldownDuration")?,
            timeout_duration: options.seconds("timeoutDuration")?,
            rules: ClaimRules::read(&mut options)?,
            dpop: DpopOptions::read(&mut options)?,
        };
        options.finish()?;
        Ok(read)
    }
}

/// `verifier.verify(token, options)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VerifyOptions {
    /// Unix seconds; the runtime's clock when absent.
    pub now: Option<f64>,
    pub required_scopes: Vec<String>,
}

impl VerifyOptions {
    pub fn from_json(value: Value) -> Result<VerifyOptions> {
        VerifyOptions::read(Options::new(value, "verify")?)
    }

    /// From JSON text; empty text is no options.
    pub fn parse(text: &str) -> Result<VerifyOptions> {
        VerifyOptions::read(Options::parse(text, "verify")?)
    }

    fn read(mut options: Options) -> Result<VerifyOptions> {
        let read = VerifyOptions {
            now: options.number("now")?,
            required_scopes: options.strings("requiredScopes")?.unwrap_or_default(),
        };
        options.finish()?;
        Ok(read)
    }

    /// The time to verify at: the `now` option, else `clock`.
    pub fn now(&self, clock: Time) -> Result<Time> {
        match self.now {
            None => Ok(clock),
            Some(seconds) => Time::from_secs_f64(seconds).ok_or_else(|| {
                Error::claim(
                    ErrorCode::InvalidOptions,
                    "now",
                    "verify option now must be unix seconds between 0 and 253402300799",
                )
            }),
        }
    }
}

/// Where the keys come from.
#[derive(Clone, Debug)]
pub enum Keys {
    Local(KeySet),
    Remote(RemoteJwks),
}

/// What an asynchronous verification does next (see [`Verifier::attempt`]).
#[derive(Debug, PartialEq)]
pub enum Step<T> {
    /// Verified: the result.
    Done(T),
    /// Fetch the key set as described, hand the answer to [`Verifier::absorb`], then attempt
    /// again with `fetched` set.
    Fetch(Fetch),
}

#[derive(Clone, Debug)]
pub struct Verifier {
    pub validation: Validation,
    pub keys: Keys,
    /// Tokens already verified (see [`TokenCache`]): repeat tokens skip the signature check.
    cache: RefCell<TokenCache>,
    /// DPoP checks of [`Verifier::attempt_request`].
    pub dpop: Dpop,
}

/// What the JavaScript binding takes of a verified token: its claims as JSON text, and its DPoP
/// binding (`cnf.jkt`, or the error of a malformed `cnf`). One function item for every binding
/// call, so that the generic verification path is compiled once into the wasm build.
pub fn verified_output(jwt: &VerifiedJwt) -> (String, Result<Option<String>>) {
    (jwt.json.clone(), dpop::bound_key(&jwt.claims).map(|key| key.map(str::to_owned)))
}

/// What [`Verifier::attempt_request`] decided.
#[derive(Debug)]
pub enum RequestStep {
    /// Verified: the claims as JSON text and, with the application's replay store, the write to
    /// make there (a `false` from the store is a replay).
    Done { claims: String, replay: Option<ReplayWrite> },
    /// Fetch the key set first (as [`Step::Fetch`]).
    Fetch(Fetch),
    /// Check the DPoP proof's signature, then attempt again with the verdict.
    VerifySignature(SignatureCheck),
}

/// What [`Verifier::attempt_request`] reads of an HTTP request.
#[derive(Clone, Copy, Debug)]
pub struct RequestParts<'a> {
    pub method: &'a str,
    /// The absolute URL the request was sent to.
    pub url: &'a str,
    /// The `Authorization` header, if present.
    pub authorization: Option<&'a str>,
    /// The `DPoP` header, if present (several are joined by commas, as HTTP does).
    pub dpop: Option<&'a str>,
}

impl Verifier {
    pub fn new(options: &VerifierOptions) -> Result<Verifier> {
        let validation = Validation::new(&options.rules)?;
        let keys = match (&options.jwks, &options.jwks_url) {
            (Some(jwks), None) => {
                if options.cache_max_age.is_some() || options.cooldown_duration.is_some() || options.timeout_duration.is_some() {
                    return Err(Error::invalid_options(
                        "Verifier options cacheMaxAge, cooldownDuration and timeoutDuration apply only with jwksUrl",
                    ));
                }
                Keys::Local(KeySet::from_json(jwks)?)
            }
            (None, Some(url)) => Keys::Remote(RemoteJwks::new(
                url,
                options.cache_max_age,
                options.cooldown_duration,
                options.timeout_duration,
            )?),
            _ => {
                return Err(Error::claim(
                    ErrorCode::InvalidOptions,
                    "jwks",
                    "Verifier needs exactly one of the options jwks and jwksUrl",
                ))
            }
        };
        Ok(Verifier {
            validation,
            keys,
            cache: RefCell::new(TokenCache::default()),
            dpop: Dpop::new(options.dpop.as_ref())?,
        })
    }

    /// Verifies with the keys at hand: the local set, or the remote set as currently cached
    /// (never fetching). A token verified before with the same key set is served from the cache
    /// after its claims are checked again at `now`.
    pub fn verify(&self, token: &str, now: Time, required_scopes: &[String]) -> Result<Map<String, Value>> {
        self.verify_with(token, now, required_scopes, |jwt| jwt.claims.clone())
    }

    /// [`Verifier::verify`], handing the verified token (header, claims and the claims' JSON
    /// text) to `output` instead of cloning the claims: a binding builds its own result from it.
    pub fn verify_with<T>(&self, token: &str, now: Time, required_scopes: &[String], output: impl FnOnce(&VerifiedJwt) -> T) -> Result<T> {
        let (keys, generation) = match &self.keys {
            Keys::Local(keys) => (keys, 0),
            Keys::Remote(remote) => (
                remote
                    .keys()
                    .ok_or_else(|| Error::new(ErrorCode::JwksFetch, "the remote key set has not been loaded"))?,
                remote.generation(),
            ),
        };
        let cacheable = token.len() <= jws::MAX_TOKEN_LEN;
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

    /// One step of an asynchronous verification at `now`. With a remote key set that is absent or
    /// stale, the step is to fetch it; a token whose `kid` the fresh set lacks causes one refetch
    /// (at most once per cooldown, RFC 7517 key rotation). `fetched`: a fetch already happened for
    /// this verification, so it verifies with what it has. A fetch that is due but cooling down
    /// after a failure is `ERR_JWKS_FETCH`.
    pub fn attempt<T>(
        &mut self,
        token: &str,
        now: Time,
        required_scopes: &[String],
        fetched: bool,
        output: impl FnOnce(&VerifiedJwt) -> T,
    ) -> Result<Step<T>> {
        if let Keys::Remote(remote) = &mut self.keys {
            if !fetched && remote.needs_fetch(now)? {
                return Ok(Step::Fetch(remote.begin_fetch(now)));
            }
        }
        match self.verify_with(token, now, required_scopes, output) {
            Err(error) if error.code() == ErrorCode::NoMatchingKey && !fetched => {
                let kid = jws::parse_compact(token).ok().and_then(|c| c.header.kid);
                match &mut self.keys {
                    Keys::Remote(remote) if remote.may_refetch_for(kid.as_deref(), now) => Ok(Step::Fetch(remote.begin_fetch(now))),
                    _ => Err(error),
                }
            }
            other => other.map(Step::Done),
        }
    }

    /// One step of verifying an HTTP request (`verifier.verifyRequest`): the token from its
    /// `Authorization` header (Bearer or DPoP), verified as [`Verifier::attempt`] does, then its
    /// DPoP binding and proof (see [`Dpop::check`]; `signature` says who checks the proof's
    /// signature).
    pub fn attempt_request(
        &mut self,
        request: &RequestParts<'_>,
        now: Time,
        required_scopes: &[String],
        fetched: bool,
        signature: ProofSignature,
    ) -> Result<RequestStep> {
        let presented = dpop::presented(request.authorization, request.dpop)?;
        self.dpop.precheck(&presented)?;
        let (json, bound) = match self.attempt(presented.token(), now, required_scopes, fetched, verified_output)? {
            Step::Fetch(fetch) => return Ok(RequestStep::Fetch(fetch)),
            Step::Done(done) => done,
        };
        let tolerance = self.validation.clock_tolerance;
        match self.dpop.check(
            &presented,
            bound?.as_deref(),
            request.method,
            request.url,
            now,
            tolerance,
            signature,
        )? {
            DpopOutcome::Accepted(replay) => Ok(RequestStep::Done { claims: json, replay }),
            DpopOutcome::VerifySignature(check) => Ok(RequestStep::VerifySignature(check)),
        }
    }

    /// Takes the answer to a [`Step::Fetch`]: the HTTP status and body, or `None` when the
    /// request itself failed. A bad answer keeps the key set cached before (if any).
    pub fn absorb(&mut self, answer: Option<(u16, &[u8])>, now: Time) -> Result<()> {
        let Keys::Remote(remote) = &mut self.keys else {
            return Ok(());
        };
        match answer {
            Some((status, body)) => remote.complete_fetch(status, body, now),
            None => {
                remote.fail_fetch();
                Err(Error::new(ErrorCode::JwksFetch, "the key set fetch failed"))
            }
        }
    }

    /// Verified tokens currently cached.
    pub fn cached(&self) -> usize {
        self.cache.borrow().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::jwk::Jwk;
    use serde_json::json;

    fn remote_verifier() -> Verifier {
        Verifier::new(
            &VerifierOptions::from_json(
                json!({ "jwksUrl": "https://issuer.example/jwks", "cacheMaxAge": 600_000, "cooldownDuration": 30_000 }),
            )
            .unwrap(),
        )
        .unwrap()
    }

    fn set(keys: &[&Jwk]) -> Vec<u8> {
        json!({ "keys": keys.iter().map(|k| k.to_public_json()).collect::<Vec<_>>() })
            .to_string()
            .into_bytes()
    }

    fn token(key: &Jwk) -> String {
        let signer = crate::authority::signer::Signer::from_jwk(key.clone());
        signer.sign(Map::new(), &Default::default(), Time::from_secs(1000)).unwrap()
    }

    #[test]
    fn a_cold_remote_set_is_fetched_once_then_verified() {
        let key = Jwk::generate(Some("a".into())).unwrap();
        let mut v = remote_verifier();
        let t = token(&key);
        let now = Time::from_secs(1000);
        let Step::Fetch(fetch) = v.attempt(&t, now, &[], false, |_| ()).unwrap() else {
            panic!("fetch first")
        };
        assert_eq!(fetch.url, "https://issuer.example/jwks");
        assert_eq!(fetch.max_bytes, remote::MAX_RESPONSE_BYTES);
        v.absorb(Some((200, &set(&[&key]))), now).unwrap();
        assert_eq!(v.attempt(&t, now, &[], true, |_| 1).unwrap(), Step::Done(1));
        // Fresh now: verified without a fetch, even when not `fetched`.
        assert_eq!(v.attempt(&t, now, &[], false, |_| 2).unwrap(), Step::Done(2));
    }

    #[test]
    fn an_unknown_kid_refetches_once_per_cooldown() {
        let (a, b) = (Jwk::generate(Some("a".into())).unwrap(), Jwk::generate(Some("b".into())).unwrap());
        let mut v = remote_verifier();
        let t0 = Time::from_secs(1000);
        v.attempt(&token(&a), t0, &[], false, |_| ()).unwrap();
        v.absorb(Some((200, &set(&[&a]))), t0).unwrap();
        let tb = token(&b);
        // Within the cooldown of the last fetch: no refetch, the error stands.
        let later = t0.plus_secs(10);
        assert_eq!(
            v.attempt(&tb, later, &[], false, |_| ()).unwrap_err().code(),
            ErrorCode::NoMatchingKey
        );
        let later = t0.plus_secs(31);
        assert!(matches!(v.attempt(&tb, later, &[], false, |_| ()).unwrap(), Step::Fetch(_)));
        v.absorb(Some((200, &set(&[&a, &b]))), later).unwrap();
        assert_eq!(v.attempt(&tb, later, &[], true, |_| 3).unwrap(), Step::Done(3));
        // After a fetch, a still-unknown kid is an error, never a second fetch.
        let c = Jwk::generate(Some("c".into())).unwrap();
        let much_later = t0.plus_secs(100);
        assert!(matches!(
            v.attempt(&token(&c), much_later, &[], false, |_| ()).unwrap(),
            Step::Fetch(_)
        ));
        v.absorb(Some((200, &set(&[&a, &b]))), much_later).unwrap();
        assert_eq!(
            v.attempt(&token(&c), much_later, &[], true, |_| ()).unwrap_err().code(),
            ErrorCode::NoMatchingKey
        );
    }

    #[test]
    fn a_failed_fetch_fails_and_cools_down_and_stale_keys_are_never_used() {
        let key = Jwk::generate(Some("a".into())).unwrap();
        let mut v = remote_verifier();
        let t = token(&key);
        let t0 = Time::from_secs(1000);
        v.attempt(&t, t0, &[], false, |_| ()).unwrap();
        v.absorb(Some((200, &set(&[&key]))), t0).unwrap();
        // Stale after cacheMaxAge: fetch; the fetch fails; the verification fails.
        let stale = t0.plus_secs(600);
        assert!(matches!(v.attempt(&t, stale, &[], false, |_| ()).unwrap(), Step::Fetch(_)));
        assert_eq!(v.absorb(None, stale).unwrap_err().code(), ErrorCode::JwksFetch);
        // Within the cooldown no new attempt is made: ERR_JWKS_FETCH at once.
        assert_eq!(
            v.attempt(&t, stale.plus_secs(5), &[], false, |_| ()).unwrap_err().code(),
            ErrorCode::JwksFetch
        );
        // A non-200 answer is a failure too, and leaves the old set.
        let retry = stale.plus_secs(31);
        assert!(matches!(v.attempt(&t, retry, &[], false, |_| ()).unwrap(), Step::Fetch(_)));
        assert_eq!(v.absorb(Some((500, b"")), retry).unwrap_err().code(), ErrorCode::JwksFetch);
    }

    #[test]
    fn options_are_read_with_their_names() {
        let e = VerifierOptions::from_json(json!({ "jwks": { "keys": [] }, "issuerr": "x" })).unwrap_err();
        assert_eq!((e.code(), e.claim_name()), (ErrorCode::InvalidOptions, Some("issuerr")));
        let e = VerifierOptions::from_json(json!({ "jwks": { "keys": [] }, "clockTolerance": "5s" })).unwrap_err();
        assert_eq!(e.claim_name(), Some("clockTolerance"));
        let local = VerifierOptions::from_json(json!({ "jwks": { "keys": [] }, "cacheMaxAge": 5 })).unwrap();
        assert_eq!(Verifier::new(&local).unwrap_err().code(), ErrorCode::InvalidOptions);
        let neither = VerifierOptions::from_json(json!({})).unwrap();
        assert_eq!(Verifier::new(&neither).unwrap_err().claim_name(), Some("jwks"));
        assert_eq!(VerifyOptions::parse("").unwrap(), VerifyOptions::default());
        assert_eq!(
            VerifyOptions::parse(r#"{"now":-1}"#)
                .unwrap()
                .now(Time::from_secs(1))
                .unwrap_err()
                .claim_name(),
            Some("now")
        );
        assert!(VerifyOptions::parse(r#"{"requiredScopes":"a"}"#).is_err());
    }
}
