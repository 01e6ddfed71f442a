//! The verify role for JavaScript: `VerifierCore` (strings in, claims JSON text out) and the
//! RFC 6750 / RFC 9449 error response (`redact` is in `redact.rs`). The glue (`pkg/src/verify.js`)
//! makes the public `Verifier` around it, fetches key sets and checks DPoP proof signatures with
//! WebCrypto when the core asks, and parses the claims with `JSON.parse`.

use wasm_bindgen::prelude::*;

use super::error::IntoJs;
use super::time;
use crate::error::{Error, ErrorCode};
use crate::jose::b64;
use crate::jose::dpop::SignatureCheck;
use crate::time::Time;
use crate::verifier::dpop::{ProofSignature, ReplayWrite};
use crate::verifier::remote::Fetch;
use crate::verifier::{challenge, dpop, verified_output, Keys, RequestParts, RequestStep, Step, Verifier, VerifierOptions, VerifyOptions};

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
    /// The proof signature the last `attemptRequest` asked the glue to check.
    signature: Option<SignatureCheck>,
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
            signature: None,
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
        }
    }

    /// One step of `verifyRequest`: as [`VerifierCore::attempt`], for the token of an HTTP
    /// request (its method, URL, `Authorization` and `DPoP` headers), DPoP checks included.
    /// `verdict`: 0 asks the glue to check a proof's signature (`signatureCheck`), 1 and 2 are
    /// the glue's answer (valid, invalid), 3 checks it here. On success, `replayKey`/`replayTtl`
    /// say what to write to the application's replay store.
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
        verdict: u8,
    ) -> Result<Option<String>, JsValue> {
        self.replay = None;
        self.signature = None;
        let options = VerifyOptions::parse(options).js()?;
        let now = options.now(time(clock)).js()?;
        self.request_time = now;
        let request = RequestParts {
            method,
            url,
            authorization: authorization.as_deref(),
            dpop: dpop.as_deref(),
        };
        let signature = match verdict {
            1 => ProofSignature::Binding(Some(true)),
            2 => ProofSignature::Binding(Some(false)),
            3 => ProofSignature::InCore,
            _ => ProofSignature::Binding(None),
        };
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
            RequestStep::VerifySignature(check) => {
                self.signature = Some(check);
                Ok(None)
            }
        }
    }

    /// The proof signature to check, as JSON text `{"x","y","input","signature"}` (base64url
    /// key coordinates and signature, the signing input as text), if the last `attemptRequest`
    /// asked for one.
    #[wasm_bindgen(getter, js_name = signatureCheck)]
    pub fn signature_check(&self) -> Option<String> {
        let check = self.signature.as_ref()?;
        let (x, y) = check.coordinates();
        let signature = b64::encode(&check.signature);
        let mut text = String::from("{");
        // base64url and a compact JWS signing input: nothing to escape.
        for (i, (name, value)) in [
            ("x", x.as_str()),
            ("y", y.as_str()),
            ("input", check.signing_input.as_str()),
            ("signature", signature.as_str()),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                text.push(',');
            }
            text.push('"');
            text.push_str(name);
            text.push_str("\":\"");
            text.push_str(value);
            text.push('"');
        }
        text.push('}');
        Some(text)
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
