//! The verifier: options, key source (a local JWK Set or a remote one cached by
//! [`RemoteJwks`]) and claim rules, combined; and the plan of an asynchronous verification
//! ([`Verifier::attempt`]): verify with the keys at hand, or fetch the key set first. The binding
//! only performs the fetch the plan asks for and hands the answer back ([`Verifier::absorb`]).

pub(crate) mod cache;
pub mod challenge;
pub mod discovery;
pub mod dpop;
pub mod remote;
pub mod signature;

use std::cell::RefCell;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::jose::jwks::KeySet;
use crate::jose::jws;
use crate::jose::jwt::{self, ClaimRules, Validation, VerifiedJwt};
use crate::options::Options;
use crate::time::Time;
use cache::TokenCache;
use dpop::{Dpop, DpopOptions, DpopOutcome, ProofSignature, ReplayWrite};
use remote::{Fetch, RemoteJwks};
use signature::{Checks, Pending, RuntimeAlgorithms, Verdict};

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
    /// Find the key set through the issuer's metadata (OpenID Connect Discovery, RFC 8414).
    pub discovery: Option<bool>,
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
            discovery: options.boolean("discovery")?,
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
    /// Check the signature handed out under this ticket ([`Verifier::pending_check`]) and
    /// [`Verifier::settle`] it.
    Check(u32),
}

#[derive(Clone, Debug)]
pub struct Verifier {
    pub validation: Validation,
    pub keys: Keys,
    /// Tokens already verified (see [`TokenCache`]): repeat tokens skip the signature check.
    cache: RefCell<TokenCache>,
    /// DPoP checks of [`Verifier::attempt_request`].
    pub dpop: Dpop,
    /// Token algorithms whose signatures the binding checks on the asynchronous paths.
    runtime: RuntimeAlgorithms,
    /// Signature checks handed out to the binding, awaiting its verdict.
    checks: RefCell<Checks>,
}

/// What [`Verifier::settle`] finished.
#[derive(Debug, PartialEq)]
pub enum Settled<T> {
    /// A token of [`Verifier::attempt`]: verified, the result.
    Verified(T),
    /// A request's DPoP proof: accepted, as [`RequestStep::Done`].
    Request { claims: String, replay: Option<ReplayWrite> },
    /// A request's token verified (and cached), or a ticket no longer waiting: attempt again.
    Again,
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
    /// Check the signature (of the token or the DPoP proof) handed out under this ticket, then
    /// [`Verifier::settle`] it.
    Check(u32),
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
        let discovery = options.discovery == Some(true);
        let keys = match (&options.jwks, &options.jwks_url) {
            (None, None) if discovery => {
                // One issuer: the metadata's issuer must equal it exactly (OIDC Discovery §4.3).
                let issuer = match options.rules.issuer.as_deref() {
                    Some([issuer]) => issuer,
                    _ => {
                        return Err(Error::claim(
                            ErrorCode::InvalidOptions,
                            "issuer",
                            "option discovery needs exactly one issuer",
                        ))
                    }
                };
                Keys::Remote(RemoteJwks::discovered(
                    issuer,
                    options.cache_max_age,
                    options.cooldown_duration,
                    options.timeout_duration,
                )?)
            }
            _ if discovery => {
                return Err(Error::claim(
                    ErrorCode::InvalidOptions,
                    "discovery",
                    "option discovery finds the key set itself: jwks and jwksUrl must not be given",
                ))
            }
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
            runtime: RuntimeAlgorithms::default(),
            checks: RefCell::new(Checks::default()),
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
        match self.verify_step(token, now, required_scopes, RuntimeAlgorithms::default(), false, output)? {
            Step::Done(result) => Ok(result),
            // Nothing is handed out without runtime algorithms.
            Step::Fetch(_) | Step::Check(_) => Err(Error::bad_signature()),
        }
    }

    /// [`Verifier::verify_with`] (one body for every path, so the wasm builds hold it once),
    /// except that a token of the `runtime` algorithms that is not in the cache stops before its
    /// signature: the check is handed out ([`Step::Check`]) and the claims wait for the verdict
    /// ([`Verifier::settle`]). `request`: for [`Verifier::attempt_request`].
    fn verify_step<T>(
        &self,
        token: &str,
        now: Time,
        required_scopes: &[String],
        runtime: RuntimeAlgorithms,
        request: bool,
        output: impl FnOnce(&VerifiedJwt) -> T,
    ) -> Result<Step<T>> {
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
                return Ok(Step::Done(output(&entry.jwt)));
            }
        }
        let selected = jws::select(token, keys, self.validation.algorithms.as_deref())?;
        if runtime.contains(selected.alg) {
            let check = selected.check()?;
            let payload_at = check.signing_input.len() - selected.compact.payload.len();
            let ticket = self.checks.borrow_mut().ask(Pending::Token {
                check,
                token: token.to_owned(),
                header: selected.compact.header,
                payload_at,
                generation,
                now,
                required_scopes: required_scopes.to_vec(),
                request,
            });
            return Ok(Step::Check(ticket));
        }
        let jwt = jwt::finish(selected.verify()?, &self.validation, now, required_scopes)?;
        let result = output(&jwt);
        if cacheable {
            self.cache.borrow_mut().insert(token, jwt, generation);
        }
        Ok(Step::Done(result))
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
        self.attempt_with(token, now, required_scopes, fetched, true, false, output)
    }

    /// [`Verifier::attempt`]; `delegate`: hand out the signature checks of the runtime's
    /// algorithms; `request`: for [`Verifier::attempt_request`].
    #[allow(clippy::too_many_arguments)]
    fn attempt_with<T>(
        &mut self,
        token: &str,
        now: Time,
        required_scopes: &[String],
        fetched: bool,
        delegate: bool,
        request: bool,
        output: impl FnOnce(&VerifiedJwt) -> T,
    ) -> Result<Step<T>> {
        if let Keys::Remote(remote) = &mut self.keys {
            if remote.needs_discovery(now)? {
                return Ok(Step::Fetch(remote.begin_discovery(now)));
            }
            if (!fetched || remote.key_set_due()) && remote.needs_fetch(now)? {
                return Ok(Step::Fetch(remote.begin_fetch(now)));
            }
        }
        let runtime = if delegate { self.runtime } else { RuntimeAlgorithms::default() };
        match self.verify_step(token, now, required_scopes, runtime, request, output) {
            Err(error) if error.code() == ErrorCode::NoMatchingKey && !fetched => {
                let kid = jws::parse_compact(token).ok().and_then(|c| c.header.kid);
                match &mut self.keys {
                    Keys::Remote(remote) if remote.may_refetch_for(kid.as_deref(), now) => Ok(Step::Fetch(remote.begin_fetch(now))),
                    _ => Err(error),
                }
            }
            other => other,
        }
    }

    /// Sets the token algorithms whose signatures the binding checks with its runtime's crypto
    /// on the asynchronous paths (see [`signature`]); none by default.
    pub fn set_runtime_algorithms(&mut self, algorithms: RuntimeAlgorithms) {
        self.runtime = algorithms;
    }

    /// The signature check handed out under `ticket`, while it waits for its verdict.
    pub fn pending_check(&self, ticket: u32) -> Option<jws::SignatureCheck> {
        self.with_pending_check(ticket, Clone::clone)
    }

    /// `read` of the signature check handed out under `ticket`, while it waits (no copy).
    pub fn with_pending_check<R>(&self, ticket: u32, read: impl FnOnce(&jws::SignatureCheck) -> R) -> Option<R> {
        self.checks.borrow().get(ticket).map(|pending| read(pending.check()))
    }

    /// Checks handed out and not yet settled.
    pub fn pending_checks(&self) -> usize {
        self.checks.borrow().len()
    }

    /// Takes the binding's verdict for the check handed out under `ticket` and finishes what
    /// waited for it: a token's claims (checked at the time of the attempt, then cached), or a
    /// DPoP proof's remaining checks. `Invalid` is `ERR_BAD_SIGNATURE` for a token and
    /// `ERR_INVALID_DPOP_PROOF` for a proof; `InCore` checks the signature here. A ticket not
    /// waiting (settled before, or crowded out) is [`Settled::Again`].
    pub fn settle<T>(&mut self, ticket: u32, verdict: Verdict, output: impl FnOnce(&VerifiedJwt) -> T) -> Result<Settled<T>> {
        let Some(pending) = self.checks.get_mut().take(ticket) else {
            return Ok(Settled::Again);
        };
        match pending {
            Pending::Token {
                check,
                token,
                header,
                payload_at,
                generation,
                now,
                required_scopes,
                request,
            } => {
                match verdict {
                    Verdict::Valid => {}
                    Verdict::Invalid => return Err(Error::bad_signature()),
                    Verdict::InCore => check.verify()?,
                }
                let payload = token.get(payload_at..check.signing_input.len()).unwrap_or_default();
                let jwt = jwt::finish(jws::decode_payload(header, payload)?, &self.validation, now, &required_scopes)?;
                let result = output(&jwt);
                self.cache.borrow_mut().insert(&token, jwt, generation);
                Ok(if request { Settled::Again } else { Settled::Verified(result) })
            }
            Pending::Proof {
                check,
                proof,
                bound,
                claims,
                now,
                tolerance_ms,
            } => {
                match verdict {
                    Verdict::Valid => {}
                    Verdict::Invalid => return Err(crate::jose::dpop::bad_proof_signature()),
                    Verdict::InCore => crate::jose::dpop::verify_signature(&check)?,
                }
                let replay = self.dpop.finish(&proof, Some(&bound), now, tolerance_ms)?;
                Ok(Settled::Request { claims, replay })
            }
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
        let delegate = signature == ProofSignature::Binding;
        let (json, bound) = match self.attempt_with(presented.token(), now, required_scopes, fetched, delegate, true, verified_output)? {
            Step::Fetch(fetch) => return Ok(RequestStep::Fetch(fetch)),
            Step::Check(ticket) => return Ok(RequestStep::Check(ticket)),
            Step::Done(done) => done,
        };
        let bound = bound?;
        let tolerance_ms = self.validation.clock_tolerance;
        match self.dpop.check(
            &presented,
            bound.as_deref(),
            request.method,
            request.url,
            now,
            tolerance_ms,
            signature,
        )? {
            DpopOutcome::Accepted(replay) => Ok(RequestStep::Done { claims: json, replay }),
            DpopOutcome::VerifySignature(handed_out) => {
                let (proof, check) = *handed_out;
                let ticket = self.checks.get_mut().ask(Pending::Proof {
                    check,
                    proof,
                    // Checked against the proof's key by `Dpop::check` (a DPoP token has one).
                    bound: bound.unwrap_or_default(),
                    claims: json,
                    now,
                    tolerance_ms,
                });
                Ok(RequestStep::Check(ticket))
            }
        }
    }

    /// Takes the answer to a [`Step::Fetch`] of the key set's URL: the HTTP status and body, or
    /// `None` when the request itself failed. A bad answer keeps the key set cached before (if any).
    pub fn absorb(&mut self, answer: Option<(u16, &[u8])>, now: Time) -> Result<()> {
        let url = match &self.keys {
            Keys::Remote(remote) => remote.url().to_string(),
            Keys::Local(_) => return Ok(()),
        };
        self.absorb_from(&url, answer, now)
    }

    /// Takes the answer to a [`Step::Fetch`] of `url` (the key set or, with discovery, the
    /// issuer's metadata).
    pub fn absorb_from(&mut self, url: &str, answer: Option<(u16, &[u8])>, now: Time) -> Result<()> {
        match &mut self.keys {
            Keys::Remote(remote) => remote.complete(url, answer, now),
            Keys::Local(_) => Ok(()),
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

#[cfg(test)]
mod discovery_tests {
    use super::*;
    use crate::jose::jwk::Jwk;
    use serde_json::json;

    const ISSUER: &str = "https://auth.example/tenant";
    const OPENID: &str = "https://auth.example/tenant/.well-known/openid-configuration";
    const OAUTH: &str = "https://auth.example/.well-known/oauth-authorization-server/tenant";
    const JWKS: &str = "https://auth.example/tenant/keys";

    fn verifier() -> Verifier {
        let options = json!({ "issuer": ISSUER, "discovery": true, "cacheMaxAge": 600_000, "cooldownDuration": 30_000 });
        Verifier::new(&VerifierOptions::from_json(options).unwrap()).unwrap()
    }

    fn metadata(issuer: &str, jwks_uri: &str) -> Vec<u8> {
        json!({ "issuer": issuer, "jwks_uri": jwks_uri, "id_token_signing_alg_values_supported": ["RS256"] })
            .to_string()
            .into_bytes()
    }

    fn set(key: &Jwk) -> Vec<u8> {
        json!({ "keys": [key.to_public_json()] }).to_string().into_bytes()
    }

    fn token(key: &Jwk) -> String {
        let signer = crate::authority::signer::Signer::from_jwk(key.clone());
        let claims = json!({ "iss": ISSUER });
        signer
            .sign(
                claims.as_object().cloned().unwrap(),
                &crate::authority::signer::SignOptions {
                    expires_in: Some(86_400),
                    ..Default::default()
                },
                Time::from_secs(1000),
            )
            .unwrap()
    }

    /// The next fetch the plan asks for, or `None` when it verified.
    fn step(v: &mut Verifier, token: &str, now: Time, fetched: bool) -> Result<Option<String>> {
        v.attempt(token, now, &[], fetched, |_| ()).map(|step| match step {
            Step::Fetch(fetch) => Some(fetch.url),
            Step::Done(()) => None,
            Step::Check(_) => panic!("no runtime algorithms: the core checks every signature"),
        })
    }

    #[test]
    fn metadata_then_key_set_then_cached() {
        let key = Jwk::generate(Some("a".into())).unwrap();
        let (mut v, t, now) = (verifier(), token(&key), Time::from_secs(1000));
        assert_eq!(step(&mut v, &t, now, false), Ok(Some(OPENID.into())));
        v.absorb_from(OPENID, Some((200, &metadata(ISSUER, JWKS))), now).unwrap();
        // The verification fetched already, but that was the metadata: the key set is next.
        assert_eq!(step(&mut v, &t, now, true), Ok(Some(JWKS.into())));
        v.absorb_from(JWKS, Some((200, &set(&key))), now).unwrap();
        assert_eq!(step(&mut v, &t, now, true), Ok(None));
        // Cached: no fetch at all until cacheMaxAge, then the metadata again, then the key set.
        assert_eq!(step(&mut v, &t, now.plus_secs(599), false), Ok(None));
        let later = now.plus_secs(600);
        assert_eq!(step(&mut v, &t, later, false), Ok(Some(OPENID.into())));
        v.absorb_from(OPENID, Some((200, &metadata(ISSUER, JWKS))), later).unwrap();
        assert_eq!(step(&mut v, &t, later, true), Ok(Some(JWKS.into())));
        // State export/import carries the issuer and the discovered jwks_uri.
        v.absorb_from(JWKS, Some((200, &set(&key))), later).unwrap();
        let Keys::Remote(remote) = &v.keys else { panic!("remote") };
        let state = remote.export();
        let mut other = verifier();
        let Keys::Remote(fresh) = &mut other.keys else { panic!("remote") };
        fresh.import(&state).unwrap();
        assert_eq!(step(&mut other, &t, later, false), Ok(None));
        let foreign = state.replace(ISSUER, "https://other.example");
        let Keys::Remote(fresh) = &mut verifier().keys else {
            panic!("remote")
        };
        assert_eq!(fresh.import(&foreign).map_err(|e| e.code()), Err(ErrorCode::InvalidOptions));
    }

    #[test]
    fn rfc8414_when_the_openid_document_is_missing() {
        let key = Jwk::generate(Some("a".into())).unwrap();
        let (mut v, t, now) = (verifier(), token(&key), Time::from_secs(1000));
        assert_eq!(step(&mut v, &t, now, false), Ok(Some(OPENID.into())));
        v.absorb_from(OPENID, Some((404, b"")), now).unwrap();
        assert_eq!(step(&mut v, &t, now, true), Ok(Some(OAUTH.into())));
        v.absorb_from(OAUTH, Some((200, &metadata(ISSUER, JWKS))), now).unwrap();
        assert_eq!(step(&mut v, &t, now, true), Ok(Some(JWKS.into())));
        v.absorb_from(JWKS, Some((200, &set(&key))), now).unwrap();
        assert_eq!(step(&mut v, &t, now, true), Ok(None));
    }

    #[test]
    fn metadata_for_another_issuer_fails_and_cools_down() {
        let key = Jwk::generate(Some("a".into())).unwrap();
        let (mut v, t, now) = (verifier(), token(&key), Time::from_secs(1000));
        assert_eq!(step(&mut v, &t, now, false), Ok(Some(OPENID.into())));
        let evil = metadata("https://auth.example/tenant/", "https://evil.example/keys");
        assert_eq!(
            v.absorb_from(OPENID, Some((200, &evil)), now).map_err(|e| e.code()),
            Err(ErrorCode::JwksFetch)
        );
        // Nothing was learnt: no key set URL, and no new attempt within the cooldown.
        assert_eq!(step(&mut v, &t, now, true).map_err(|e| e.code()), Err(ErrorCode::JwksFetch));
        assert_eq!(
            step(&mut v, &t, now.plus_secs(29), false).map_err(|e| e.code()),
            Err(ErrorCode::JwksFetch)
        );
        assert_eq!(step(&mut v, &t, now.plus_secs(30), false), Ok(Some(OPENID.into())));
        // An answer for a URL never asked for is refused and changes nothing.
        assert_eq!(
            v.absorb_from("https://evil.example/keys", Some((200, &set(&key))), now)
                .map_err(|e| e.code()),
            Err(ErrorCode::JwksFetch)
        );
    }

    #[test]
    fn discovery_options() {
        for (options, claim) in [
            (json!({ "discovery": true }), "issuer"),
            (json!({ "discovery": true, "issuer": [ISSUER, "https://b.example"] }), "issuer"),
            (json!({ "discovery": true, "issuer": "http://auth.example" }), "issuer"),
            (json!({ "discovery": true, "issuer": ISSUER, "jwksUrl": JWKS }), "discovery"),
            (json!({ "discovery": true, "issuer": ISSUER, "jwks": { "keys": [] } }), "discovery"),
            (json!({ "discovery": "yes", "issuer": ISSUER }), "discovery"),
        ] {
            let error = VerifierOptions::from_json(options.clone()).and_then(|o| Verifier::new(&o)).err();
            assert_eq!(
                error.as_ref().map(|e| (e.code(), e.claim_name())),
                Some((ErrorCode::InvalidOptions, Some(claim))),
                "{options}"
            );
        }
    }
}
