//! `VerifierCore::attemptRequest`: a request's token with its DPoP proof, and what the glue
//! writes to the replay store and answers with afterwards.

use wasm_bindgen::prelude::*;

use super::VerifierCore;
use crate::verifier::dpop::ProofSignature;
use crate::verifier::{RequestParts, RequestStep, VerifyOptions};
use crate::wasm::error::IntoJs;
use crate::wasm::time;

#[wasm_bindgen]
impl VerifierCore {
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
}
