//! The verify role for JavaScript: `VerifierCore` (strings in, claims JSON text out) and the
//! RFC 6750 / RFC 9449 error response (`redact` is in `redact.rs`). The glue (`pkg/src/verify.js`)
//! makes the public `Verifier` around it, fetches key sets, checks the signatures the core hands
//! out with the runtime's crypto (see `crate::verifier::signature`), and parses the claims with
//! `JSON.parse`.

use wasm_bindgen::prelude::*;

use super::error::IntoJs;
use super::time;
use crate::error::{Error, ErrorCode};
use crate::jose::jwk::PublicJwk;
use crate::jose::jws::SignatureCheck;
use crate::time::Time;
use crate::verifier::dpop::{ProofSignature, ReplayWrite};
use crate::verifier::remote::Fetch;
use crate::verifier::signature::{RuntimeAlgorithms, Verdict};
use crate::verifier::{
    challenge, dpop, verified_output, Keys, RequestParts, RequestStep, Settled, Step, Verifier, VerifierOptions, VerifyOptions,
};

/// A verifier whose input and output are text.
#[wasm_bindgen]
pub struct VerifierCore {
    verifier: Verifier,
    /// The fetch the last [`VerifierCore::attempt`] asked for, and the time of that attempt. The
    /// glue reads it at once, before anything else can run.
    fetch: Option<(Fetch, Time)>,
    /// The replay-store write the last [`VerifierCore::attempt_request`] asked for.
    replay: Option<ReplayWrite>,
    /// The time the last `attemptRequest` verified at (its `now` option, else the clock).
    request_time: Time,
    /// The ticket of the signature check the last `attempt` or `attemptRequest` handed out
    /// (0: none).
    ticket: u32,
}

#[wasm_bindgen]
impl VerifierCore {
    /// `options`: the options object as JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str) -> Result<VerifierCore, JsValue> {
        let verifier = Verifier::new(&VerifierOptions::parse(options).js()?).js()?;
        Ok(VerifierCore {
            verifier,
            fetch: None,
            replay: None,
            request_time: Time::default(),
            ticket: 0,
        })
    }

    /// Verifies with the keys at hand (never fetching) → the claims as JSON text. `options`: the
    /// verify options as JSON text (empty: none); `clock`: `Date.now()`.
    pub fn verify(&self, token: &str, options: &str, clock: f64) -> Result<String, JsValue> {
        let options = VerifyOptions::parse(options).js()?;
        let now = options.now(time(clock)).js()?;
        self.verifier
            .verify_with(token, now, &options.required_scopes, verified_output)
            .and_then(dpop::without_proof)
            .js()
    }

    /// One step of an asynchronous verification: the claims as JSON text, or `undefined` when the
    /// key set (or, with discovery, the issuer's metadata) must be fetched first (see `fetchUrl`,
    /// `fetchMaxBytes`, `fetchTimeout`; then `absorb` the answer and attempt again with `fetched`).
    pub fn attempt(&mut self, token: &str, options: &str, clock: f64, fetched: bool) -> Result<Option<String>, JsValue> {
        self.ticket = 0;
        let options = VerifyOptions::parse(options).js()?;
        let now = options.now(time(clock)).js()?;
        match self
            .verifier
            .attempt(token, now, &options.required_scopes, fetched, verified_output)
            .js()?
        {
            Step::Done(output) => Ok(Some(dpop::without_proof(output).js()?)),
            Step::Fetch(fetch) => {
                self.fetch = Some((fetch, now));
                Ok(None)
            }
            Step::Check(ticket) => {
                self.ticket = ticket;
                Ok(None)
            }
        }
    }

    /// The token algorithms whose signatures the glue checks with the runtime's crypto in
    /// `verify` and `verifyRequest` (space-separated names; empty: none, the default).
    #[wasm_bindgen(js_name = setRuntimeAlgorithms)]
    pub fn set_runtime_algorithms(&mut self, names: &str) -> Result<(), JsValue> {
        self.verifier.set_runtime_algorithms(RuntimeAlgorithms::parse(names).js()?);
        Ok(())
    }

    /// The ticket of the signature check the last attempt handed out (`signatureAlg`, `…Key`,
    /// `…Input`, `…Bytes`), 0 for none: check it and `settle` the ticket.
    #[wasm_bindgen(getter, js_name = signatureTicket)]
    pub fn signature_ticket(&self) -> u32 {
        self.ticket
    }

    fn check<R>(&self, read: impl FnOnce(&SignatureCheck) -> R) -> Option<R> {
        self.verifier.with_pending_check(self.ticket, read)
    }

    /// The check's algorithm (`RS256`, `ES256`, …), chosen by the core from the key.
    #[wasm_bindgen(getter, js_name = signatureAlg)]
    pub fn signature_alg(&self) -> Option<String> {
        self.check(|check| check.alg.name().to_owned())
    }

    /// The check's public key as JWK JSON text (`kty`, `crv`, `x`, `y` / `n`, `e`, in RFC 7638
    /// order: the same key is the same text).
    #[wasm_bindgen(getter, js_name = signatureKey)]
    pub fn signature_key(&self) -> Option<String> {
        self.check(|check| {
            let jwk = PublicJwk {
                kid: None,
                alg: None,
                key: check.key.clone(),
            };
            jwk.to_json_text()
        })
    }

    /// The signing input the check's signature covers (ASCII: a compact JWS's `header.payload`).
    #[wasm_bindgen(getter, js_name = signatureInput)]
    pub fn signature_input(&self) -> Option<String> {
        self.check(|check| check.signing_input.clone())
    }

    /// The check's raw signature (its shape already checked for the key).
    #[wasm_bindgen(getter, js_name = signatureBytes)]
    pub fn signature_bytes(&self) -> Option<Vec<u8>> {
        self.check(|check| check.signature.clone())
    }

    /// The glue's verdict for the check of `ticket` (1 valid, 2 invalid, 3 not checked: check it
    /// here), and what waited for it: the claims as JSON text (of `verify`, or of
    /// `verifyRequest` with `replayKey`/`replayTtl` set), or `undefined`: attempt again.
    pub fn settle(&mut self, ticket: u32, verdict: u8) -> Result<Option<String>, JsValue> {
        self.replay = None;
        self.ticket = 0;
        let verdict = match verdict {
            1 => Verdict::Valid,
            2 => Verdict::Invalid,
            _ => Verdict::InCore,
        };
        match self.verifier.settle(ticket, verdict, verified_output).js()? {
            Settled::Verified(output) => Ok(Some(dpop::without_proof(output).js()?)),
            Settled::Request { claims, replay } => {
                self.replay = replay;
                Ok(Some(claims))
            }
            Settled::Again => Ok(None),
        }
    }

    /// One step of `verifyRequest`: as [`VerifierCore::attempt`], for the token of an HTTP
    /// request (its method, URL, `Authorization` and `DPoP` headers), DPoP checks included.
    /// `binding`: the glue checks signatures (`signatureTicket`), the proof's and those of the
    /// runtime's token algorithms; else every signature is checked here. On success,
    /// `replayKey`/`replayTtl` say what to write to the application's replay store.
    #[wasm_bindgen(js_name = attemptRequest)]
    #[allow(clippy::too_many_arguments)]
    pub fn attempt_request(
        &mut self,
        method: &str,
        url: &str,
        authorization: Option<String>,
        dpop: Option<String>,
        options: &str,
        clock: f64,
        fetched: bool,
        binding: bool,
    ) -> Result<Option<String>, JsValue> {
        self.replay = None;
        self.ticket = 0;
        let options = VerifyOptions::parse(options).js()?;
        let now = options.now(time(clock)).js()?;
        self.request_time = now;
        let request = RequestParts {
            method,
            url,
            authorization: authorization.as_deref(),
            dpop: dpop.as_deref(),
        };
        let signature = if binding { ProofSignature::Binding } else { ProofSignature::InCore };
        match self
            .verifier
            .attempt_request(&request, now, &options.required_scopes, fetched, signature)
            .js()?
        {
            RequestStep::Done { claims, replay } => {
                self.replay = replay;
                Ok(Some(claims))
            }
            RequestStep::Fetch(fetch) => {
                self.fetch = Some((fetch, now));
                Ok(None)
            }
            RequestStep::Check(ticket) => {
                self.ticket = ticket;
                Ok(None)
            }
        }
    }

    /// The replay-store key the last `attemptRequest` asked to write, if any.
    #[wasm_bindgen(getter, js_name = replayKey)]
    pub fn replay_key(&self) -> Option<String> {
        self.replay.as_ref().map(|r| r.key.clone())
    }

    /// Seconds to keep that record.
    #[wasm_bindgen(getter, js_name = replayTtl)]
    pub fn replay_ttl(&self) -> u32 {
        self.replay.as_ref().map_or(0, |r| r.ttl_secs)
    }

    /// The DPoP nonce to hand out (`DPoP-Nonce`) as of the last `attemptRequest`, when the
    /// verifier uses nonces.
    #[wasm_bindgen(getter, js_name = dpopNonce)]
    pub fn dpop_nonce(&self) -> Option<String> {
        self.verifier.dpop.nonce(self.request_time)
    }

    #[wasm_bindgen(getter, js_name = fetchUrl)]
    pub fn fetch_url(&self) -> Option<String> {
        self.fetch.as_ref().map(|(f, _)| f.url.clone())
    }

    /// Bytes of a `200` body to read at most (one more tells the core it was too large).
    #[wasm_bindgen(getter, js_name = fetchMaxBytes)]
    pub fn fetch_max_bytes(&self) -> f64 {
        self.fetch.as_ref().map_or(0.0, |(f, _)| f.max_bytes as f64)
    }

    /// Milliseconds the fetch may take.
    #[wasm_bindgen(getter, js_name = fetchTimeout)]
    pub fn fetch_timeout(&self) -> f64 {
        self.fetch.as_ref().map_or(0.0, |(f, _)| f.timeout_ms as f64)
    }

    /// The time of the attempt that asked for the fetch (ms): its answer is taken as of then,
    /// as that attempt's `now` option may differ from the clock.
    #[wasm_bindgen(getter, js_name = fetchAt)]
    pub fn fetch_at(&self) -> f64 {
        self.fetch.as_ref().map_or(0.0, |(_, at)| at.millis() as f64)
    }

    /// The answer to a fetch of `url` (`fetchUrl`) asked for at `at` (`fetchAt`): its status
    /// (`0`: the request failed) and body.
    pub fn absorb(&mut self, url: &str, status: u16, body: &[u8], at: f64) -> Result<(), JsValue> {
        let answer = (status != 0).then_some((status, body));
        self.verifier.absorb_from(url, answer, time(at)).js()
    }

    /// The remote key set cache as JSON text, or `undefined` for a local key set.
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> Option<String> {
        match &self.verifier.keys {
            Keys::Remote(remote) => Some(remote.export()),
            Keys::Local(_) => None,
        }
    }

    /// Restores an exported cache (JSON text); on error nothing changes.
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(&mut self, state: &str) -> Result<(), JsValue> {
        match &mut self.verifier.keys {
            Keys::Remote(remote) => remote.import(state).js(),
            Keys::Local(_) => Err(Error::invalid_options("importState applies only to a verifier with jwksUrl")).js(),
        }
    }

    /// Verified tokens cached.
    #[wasm_bindgen(getter)]
    pub fn cached(&self) -> usize {
        self.verifier.cached()
    }
}

/// The RFC 6750 / RFC 9449 response for an error code (`undefined`: not a Tessera error → 500),
/// as `{ status, headers: [[name, value]…], body }` JSON text for the glue's `Response`. `dpop`:
/// the request used the DPoP scheme (the challenge is a DPoP one); `nonce`: the `DPoP-Nonce` of a
/// `use_dpop_nonce` answer.
#[wasm_bindgen(js_name = errorResponse)]
pub fn error_response(code: Option<String>, dpop: bool, nonce: Option<String>) -> String {
    challenge::error_answer_for(code.as_deref().and_then(ErrorCode::parse), dpop).description_text_with_nonce(nonce.as_deref())
}
