//! The verify role for JavaScript: `VerifierCore` (strings in, claims JSON text out) and the
//! RFC 6750 / RFC 9449 error response (`redact` is in `redact.rs`). The glue (`pkg/src/verify.js`)
//! makes the public `Verifier` around it, fetches key sets, checks the signatures the core hands
//! out with the runtime's crypto (see `crate::verifier::signature`), and parses the claims with
//! `JSON.parse`.

mod request;
mod signature;

use wasm_bindgen::prelude::*;

use super::error::IntoJs;
use super::time;
use crate::error::{Error, ErrorCode};
use crate::time::Time;
use crate::verifier::dpop::ReplayWrite;
use crate::verifier::remote::Fetch;
use crate::verifier::{challenge, dpop, verified_output, Keys, Step, Verifier, VerifierOptions, VerifyOptions};

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
