//! DPoP at a resource server (RFC 9449 §7): how a request presents its token, whether the token's
//! binding (`cnf.jkt`) matches the proof's key, server nonces (§8) and the `jti` replay check.
//! Every decision is here; the binding reads the request's method, URL and two headers, and, when
//! the application gives a replay store, performs the one write the core asks for.

use std::collections::HashMap;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result};
use crate::jose::b64;
use crate::jose::dpop::{self, Proof};
use crate::jose::jwa::Algorithm;
use crate::jose::jws::SignatureCheck;
use crate::options::Options;
use crate::time::Time;

/// Default and bounds of `dpop.maxAge` (seconds): how old a proof may be.
pub const DEFAULT_MAX_AGE: i64 = 300;
/// Default and bounds of `dpop.nonceLifetime` (seconds): a nonce is accepted during the time
/// step it was made in and the next.
pub const DEFAULT_NONCE_LIFETIME: i64 = 300;
const MAX_SECONDS: i64 = 3600;
/// Shortest `dpop.nonceSecret`, in bytes.
pub const MIN_NONCE_SECRET: usize = 32;
/// Proofs remembered by the built-in replay cache at most (one per accepted proof, each for the
/// proof window): when it is full of live entries, requests get `ERR_STORE_UNAVAILABLE` (503)
/// rather than a replay slipping through.
pub const REPLAY_CACHE_LIMIT: usize = 100_000;

/// `ERR_INVALID_OPTIONS` about a `dpop` member: the claim is `dpop` (as for every nested option),
/// the message names the member.
fn option_error(path: &str, problem: &str) -> Error {
    let message = Error::option("Verifier", path, problem).message().to_owned();
    Error::claim(ErrorCode::InvalidOptions, "dpop", message)
}

/// `Verifier` option `dpop`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DpopOptions {
    /// Every request must present a DPoP-bound token with a proof.
    pub required: bool,
    pub max_age_secs: Option<i64>,
    /// HMAC key of the server nonces; none: nonces are not used.
    pub nonce_secret: Option<Vec<u8>>,
    pub nonce_lifetime_secs: Option<i64>,
    /// The application keeps seen `jti`s in its own store (the binding writes them).
    pub external_replay_store: bool,
}

impl DpopOptions {
    /// Reads the nested `dpop` options (`replayStore: true` stands for the store the binding
    /// took out of them).
    pub fn read(options: &mut Options) -> Result<Option<DpopOptions>> {
        let Some(mut dpop) = options.nested("dpop")? else {
            return Ok(None);
        };
        let secret = match dpop.string("nonceSecret")? {
            None => None,
            Some(text) => {
                let bytes = b64::decode(&text, "")
                    .ok()
                    .filter(|b| b.len() >= MIN_NONCE_SECRET)
                    .ok_or_else(|| option_error("dpop.nonceSecret", "must be base64url of at least 32 random bytes"))?;
                Some(bytes)
            }
        };
        let read = DpopOptions {
            required: dpop.boolean("required")?.unwrap_or(false),
            max_age_secs: dpop.integer("maxAge", 1, MAX_SECONDS, "must be whole seconds from 1 to 3600")?,
            nonce_lifetime_secs: dpop.integer("nonceLifetime", 10, MAX_SECONDS, "must be whole seconds from 10 to 3600")?,
            nonce_secret: secret,
            external_replay_store: dpop.boolean("replayStore")?.unwrap_or(false),
        };
        dpop.finish()?;
        Ok(Some(read))
    }
}

/// How a request presented its access token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presented<'a> {
    Bearer(&'a str),
    Dpop { token: &'a str, proof: &'a str },
}

impl Presented<'_> {
    pub fn token(&self) -> &str {
        match self {
            Presented::Bearer(token) | Presented::Dpop { token, .. } => token,
        }
    }
}

fn token68(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
}

/// Reads the `Authorization` header (`Bearer <token>` or `DPoP <token>`, the scheme in any case,
/// RFC 9110 §11.1) and the `DPoP` header. A DPoP header beside a Bearer token is refused: the
/// client means DPoP and the token would travel unbound.
pub fn presented<'a>(authorization: Option<&'a str>, proof: Option<&'a str>) -> Result<Presented<'a>> {
    let Some(authorization) = authorization else {
        return Err(Error::malformed("the request has no Authorization header"));
    };
    let (scheme, token) = authorization
        .split_once(' ')
        .map(|(scheme, token)| (scheme, token.trim_start_matches(' ')))
        .filter(|(_, token)| token68(token))
        .ok_or_else(|| Error::malformed("the Authorization header is not a scheme and a token"))?;
    if scheme.eq_ignore_ascii_case("bearer") {
        if proof.is_some() {
            return Err(Error::new(
                ErrorCode::DpopBinding,
                "a DPoP proof was sent with a Bearer token: send the token as DPoP",
            ));
        }
        Ok(Presented::Bearer(token))
    } else if scheme.eq_ignore_ascii_case("dpop") {
        let proof = proof.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidDpopProof,
                "the request presents a DPoP token without a DPoP proof header",
            )
        })?;
        // Two DPoP headers arrive joined by a comma (RFC 9110 §5.3), which no JWS contains.
        Ok(Presented::Dpop { token, proof })
    } else {
        Err(Error::malformed("the Authorization scheme must be Bearer or DPoP"))
    }
}

/// The `cnf.jkt` of a token's claims (RFC 9449 §6.1), if it has one.
pub fn bound_key(claims: &Map<String, Value>) -> Result<Option<&str>> {
    match claims.get("cnf") {
        None => Ok(None),
        Some(Value::Object(cnf)) => match cnf.get("jkt") {
            None => Ok(None),
            Some(Value::String(jkt)) => Ok(Some(jkt)),
            Some(_) => Err(Error::claim(ErrorCode::InvalidClaim, "cnf", "the token's cnf.jkt must be a string")),
        },
        Some(_) => Err(Error::claim(ErrorCode::InvalidClaim, "cnf", "the token's cnf must be an object")),
    }
}

/// A token verified without its request (`verify`, `verifySync`, `Authority.verify`): a
/// DPoP-bound one (`cnf.jkt`, or a malformed `cnf`) is refused, since no proof could be checked
/// (RFC 9449 §7.1): a copied bound token must not pass where its key is not asked for.
pub fn without_proof((claims, bound): (String, Result<Option<String>>)) -> Result<String> {
    match bound? {
        None => Ok(claims),
        Some(_) => Err(proof_needed()),
    }
}

/// [`without_proof`] on claims.
pub fn refuse_bound(claims: &Map<String, Value>) -> Result<()> {
    match bound_key(claims)? {
        None => Ok(()),
        Some(_) => Err(proof_needed()),
    }
}

fn proof_needed() -> Error {
    Error::new(
        ErrorCode::DpopBinding,
        "the token is DPoP-bound (cnf.jkt): verify it with its proof (verifyRequest)",
    )
}

/// Server nonces without a store: `base64url(step ‖ HMAC-SHA-256(secret, label ‖ step)[..16])`,
/// where `step` is the time step (8 bytes, big-endian) of `lifetime`; a nonce of this step or the
/// one before is accepted.
#[derive(Clone)]
pub struct Nonces {
    mac: Hmac<Sha256>,
    lifetime_ms: i64,
}

impl std::fmt::Debug for Nonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nonces(..)")
    }
}

const NONCE_LABEL: &[u8] = b"tessera dpop nonce v1";

impl Nonces {
    pub fn new(secret: &[u8], lifetime_secs: i64) -> Result<Nonces> {
        let mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| Error::invalid_options("dpop.nonceSecret is unusable"))?;
        Ok(Nonces {
            mac,
            lifetime_ms: lifetime_secs.saturating_mul(1000).max(1),
        })
    }

    fn tag(&self, step: u64) -> [u8; 16] {
        let mut mac = self.mac.clone();
        mac.update(NONCE_LABEL);
        mac.update(&step.to_be_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; 16];
        tag.copy_from_slice(full.get(..16).unwrap_or(&[0u8; 16]));
        tag
    }

    fn step(&self, now: Time) -> u64 {
        u64::try_from(now.millis().div_euclid(self.lifetime_ms)).unwrap_or(0)
    }

    /// The nonce to hand out at `now`.
    pub fn current(&self, now: Time) -> String {
        let step = self.step(now);
        let mut bytes = [0u8; 24];
        let (head, tail) = bytes.split_at_mut(8);
        head.copy_from_slice(&step.to_be_bytes());
        tail.copy_from_slice(&self.tag(step));
        b64::encode(&bytes)
    }

    /// Whether `nonce` was made by [`Nonces::current`] in this time step or the previous one.
    pub fn accepts(&self, nonce: &str, now: Time) -> bool {
        let Ok(bytes) = b64::decode(nonce, "") else { return false };
        let (Some(head), Some(tag)) = (bytes.get(..8), bytes.get(8..)) else {
            return false;
        };
        if tag.len() != 16 {
            return false;
        }
        let step = u64::from_be_bytes(head.try_into().unwrap_or([0u8; 8]));
        let current = self.step(now);
        if step != current && step.checked_add(1) != Some(current) {
            return false;
        }
        // Constant time: the tag is a MAC.
        let expected = self.tag(step);
        expected.iter().zip(tag).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// What the binding must do after a DPoP request passed every check: record the proof's `jti`
/// in the application's replay store with a write that must not find a live record (the store
/// contract's `put(key, record, null, ttlSeconds)`); `false` from the store is a replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayWrite {
    pub key: String,
    pub ttl_secs: u32,
}

/// The store write that remembers `proof` until its window ends (`iat` + `max_age_ms` +
/// `tolerance_ms` + 1 s): the key is the proof key's thumbprint and a hash of the `jti`, so one
/// client cannot spend another's `jti` and the key's length does not depend on the sender.
pub fn replay_write(proof: &Proof, max_age_ms: i64, tolerance_ms: i64, now: Time) -> ReplayWrite {
    let until = proof.iat.plus_millis(max_age_ms.saturating_add(tolerance_ms)).plus_secs(1);
    let mut key = String::from("dpop-jti:");
    key.push_str(&proof.jkt);
    key.push(':');
    key.push_str(&b64::encode(&Sha256::digest(proof.jti.as_bytes())));
    let ttl_ms = until.millis_since(now).max(1000);
    let ttl_secs = u32::try_from(ttl_ms.saturating_add(999) / 1000).unwrap_or(u32::MAX);
    ReplayWrite { key, ttl_secs }
}

/// The built-in replay check: the `jti`s of accepted proofs until their proof window ends.
#[derive(Clone, Debug, Default)]
pub struct ReplayCache {
    seen: HashMap<String, Time>,
}

impl ReplayCache {
    /// Records `key` until `until`; `Ok(false)` if it is already there and live.
    pub fn insert(&mut self, key: &str, until: Time, now: Time) -> Result<bool> {
        if self.seen.get(key).is_some_and(|expiry| *expiry > now) {
            return Ok(false);
        }
        if self.seen.len() >= REPLAY_CACHE_LIMIT && !self.seen.contains_key(key) {
            self.seen.retain(|_, expiry| *expiry > now);
            if self.seen.len() >= REPLAY_CACHE_LIMIT {
                return Err(Error::new(
                    ErrorCode::StoreUnavailable,
                    "the DPoP replay cache is full of live proofs",
                ));
            }
        }
        self.seen.insert(key.to_owned(), until);
        Ok(true)
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// The resource server's DPoP policy, built from [`DpopOptions`].
#[derive(Clone, Debug)]
pub struct Dpop {
    pub required: bool,
    max_age_ms: i64,
    nonces: Option<Nonces>,
    external_replay_store: bool,
    replay: ReplayCache,
}

/// Who checks a proof's signature in [`Dpop::check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofSignature {
    /// The core, in Rust (sync paths, native code).
    InCore,
    /// The binding, with the runtime's ECDSA: the check is handed out (see
    /// [`crate::verifier::signature`]) and [`Dpop::finish`] runs once it held.
    Binding,
}

/// What [`Dpop::check`] decided.
#[derive(Clone, Debug)]
pub enum DpopOutcome {
    /// Accepted; with the application's replay store, the write to make there.
    Accepted(Option<ReplayWrite>),
    /// The proof's claims passed: check this signature, then [`Dpop::finish`] the proof.
    VerifySignature(Box<(Proof, SignatureCheck)>),
}

impl Dpop {
    pub fn new(options: Option<&DpopOptions>) -> Result<Dpop> {
        let defaults = DpopOptions::default();
        let options = options.unwrap_or(&defaults);
        let nonces = match &options.nonce_secret {
            Some(secret) => Some(Nonces::new(secret, options.nonce_lifetime_secs.unwrap_or(DEFAULT_NONCE_LIFETIME))?),
            None if options.nonce_lifetime_secs.is_some() => {
                return Err(option_error("dpop.nonceLifetime", "applies only with dpop.nonceSecret"));
            }
            None => None,
        };
        Ok(Dpop {
            required: options.required,
            max_age_ms: options.max_age_secs.unwrap_or(DEFAULT_MAX_AGE).saturating_mul(1000),
            nonces,
            external_replay_store: options.external_replay_store,
            replay: ReplayCache::default(),
        })
    }

    /// The nonce to send in `DPoP-Nonce` at `now`, when nonces are on.
    pub fn nonce(&self, now: Time) -> Option<String> {
        self.nonces.as_ref().map(|n| n.current(now))
    }

    /// Before the token is verified: a Bearer token where DPoP is required is refused at once.
    pub fn precheck(&self, presented: &Presented<'_>) -> Result<()> {
        if self.required && matches!(presented, Presented::Bearer(_)) {
            return Err(Error::new(
                ErrorCode::DpopBinding,
                "this resource requires DPoP-bound tokens with a DPoP proof",
            ));
        }
        Ok(())
    }

    /// After the token verified (`bound`: its `cnf.jkt`, see [`bound_key`]): the binding, the proof
    /// (RFC 9449 §4.3, §7.1), its signature (see [`ProofSignature`]), the nonce and the replay
    /// check. With the built-in replay cache the `jti` is recorded here; with the application's
    /// store, the write to make is returned. Nothing is recorded unless every other check passed.
    #[allow(clippy::too_many_arguments)]
    pub fn check(
        &mut self,
        presented: &Presented<'_>,
        bound: Option<&str>,
        method: &str,
        url: &str,
        now: Time,
        tolerance_ms: i64,
        signature: ProofSignature,
    ) -> Result<DpopOutcome> {
        let (token, proof) = match (presented, bound) {
            (Presented::Bearer(_), None) => return Ok(DpopOutcome::Accepted(None)),
            (Presented::Bearer(_), Some(_)) => {
                return Err(Error::new(
                    ErrorCode::DpopBinding,
                    "the token is DPoP-bound: send it as DPoP with a proof",
                ));
            }
            (Presented::Dpop { .. }, None) => {
                return Err(Error::new(
                    ErrorCode::DpopBinding,
                    "the token is not DPoP-bound (it has no cnf.jkt): send it as Bearer",
                ));
            }
            (Presented::Dpop { token, proof }, Some(_)) => (*token, *proof),
        };
        let expected = dpop::Expected {
            method,
            url,
            access_token: Some(token),
            algorithms: &[Algorithm::Es256],
            now,
            max_age_ms: self.max_age_ms,
            tolerance_ms,
        };
        let (proof_claims, check): (Proof, SignatureCheck) = dpop::check_unsigned(proof, &expected)?;
        match signature {
            ProofSignature::InCore => dpop::verify_signature(&check)?,
            ProofSignature::Binding => return Ok(DpopOutcome::VerifySignature(Box::new((proof_claims, check)))),
        }
        self.finish(&proof_claims, bound, now, tolerance_ms).map(DpopOutcome::Accepted)
    }

    /// The checks after a proof's signature held: its key is the one the token is bound to
    /// (`bound`), the nonce, and the replay check (recorded here, or the write to make in the
    /// application's store).
    pub fn finish(&mut self, proof_claims: &Proof, bound: Option<&str>, now: Time, tolerance_ms: i64) -> Result<Option<ReplayWrite>> {
        // After the signature: a forged proof is an invalid proof, whatever key it names.
        if Some(proof_claims.jkt.as_str()) != bound {
            return Err(Error::new(
                ErrorCode::DpopBinding,
                "the DPoP proof is signed by another key than the token is bound to",
            ));
        }
        if let Some(nonces) = &self.nonces {
            match proof_claims.nonce.as_deref() {
                Some(nonce) if nonces.accepts(nonce, now) => {}
                Some(_) => {
                    return Err(Error::claim(
                        ErrorCode::UseDpopNonce,
                        "nonce",
                        "the DPoP proof's nonce is not current",
                    ))
                }
                None => {
                    return Err(Error::claim(
                        ErrorCode::UseDpopNonce,
                        "nonce",
                        "the DPoP proof needs the server's nonce",
                    ))
                }
            }
        }
        let write = replay_write(proof_claims, self.max_age_ms, tolerance_ms, now);
        if self.external_replay_store {
            return Ok(Some(write));
        }
        let until = now.plus_secs(i64::from(write.ttl_secs));
        if !self.replay.insert(&write.key, until, now)? {
            return Err(Error::claim(ErrorCode::DpopReplay, "jti", "the DPoP proof was used before"));
        }
        Ok(None)
    }

    /// Proofs in the built-in replay cache.
    pub fn replay_cache_len(&self) -> usize {
        self.replay.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presentation() {
        assert_eq!(presented(Some("Bearer abc"), None), Ok(Presented::Bearer("abc")));
        assert_eq!(presented(Some("bearer  abc"), None), Ok(Presented::Bearer("abc")));
        assert_eq!(
            presented(Some("DPoP abc"), Some("p")),
            Ok(Presented::Dpop { token: "abc", proof: "p" })
        );
        assert_eq!(
            presented(Some("dpop abc"), Some("p")),
            Ok(Presented::Dpop { token: "abc", proof: "p" })
        );
        let code = |a, p| presented(a, p).map_err(|e| e.code()).err();
        assert_eq!(code(None, None), Some(ErrorCode::Malformed));
        assert_eq!(code(Some("Bearer"), None), Some(ErrorCode::Malformed));
        assert_eq!(code(Some("Bearer a b"), None), Some(ErrorCode::Malformed));
        assert_eq!(code(Some("Basic abc"), None), Some(ErrorCode::Malformed));
        assert_eq!(code(Some("Bearer abc"), Some("p")), Some(ErrorCode::DpopBinding));
        assert_eq!(code(Some("DPoP abc"), None), Some(ErrorCode::InvalidDpopProof));
    }

    #[test]
    fn nonces_last_two_steps_and_are_keyed() {
        let nonces = Nonces::new(&[7u8; 32], 300).unwrap();
        let other = Nonces::new(&[8u8; 32], 300).unwrap();
        let t = Time::from_secs(1_800_000_000);
        let nonce = nonces.current(t);
        assert!(nonces.accepts(&nonce, t));
        assert!(nonces.accepts(&nonce, t.plus_secs(299)));
        assert!(!nonces.accepts(&nonce, t.plus_secs(600)));
        assert!(!other.accepts(&nonce, t));
        // Tampered: another step with the old tag, a flipped tag bit, other lengths.
        let mut bytes = b64::decode(&nonce, "").unwrap();
        bytes[7] ^= 1;
        assert!(!nonces.accepts(&b64::encode(&bytes), t));
        bytes[7] ^= 1;
        bytes[20] ^= 1;
        assert!(!nonces.accepts(&b64::encode(&bytes), t));
        assert!(!nonces.accepts(&b64::encode(&bytes[..23]), t));
        assert!(!nonces.accepts("", t));
        assert!(!nonces.accepts("not base64!", t));
    }

    #[test]
    fn replay_cache_refuses_live_repeats_and_bounds_itself() {
        let mut cache = ReplayCache::default();
        let t = Time::from_secs(1000);
        assert_eq!(cache.insert("a", t.plus_secs(10), t), Ok(true));
        assert_eq!(cache.insert("a", t.plus_secs(10), t.plus_secs(9)), Ok(false));
        assert_eq!(
            cache.insert("a", t.plus_secs(30), t.plus_secs(10)),
            Ok(true),
            "expired entries are forgotten"
        );
        for i in 0..REPLAY_CACHE_LIMIT {
            cache.seen.insert(format!("k{i}"), t.plus_secs(5));
        }
        let full = cache.insert("b", t.plus_secs(50), t);
        assert_eq!(full.map_err(|e| e.code()), Err(ErrorCode::StoreUnavailable));
        assert!(!cache.seen.contains_key("b"));
        assert_eq!(cache.insert("b", t.plus_secs(50), t.plus_secs(6)), Ok(true), "a sweep makes room");
        assert_eq!(cache.len(), 2);
    }
}
