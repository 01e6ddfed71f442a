//! `VerifierCore`'s runtime signature checks: the core hands a check out by ticket (algorithm,
//! key, signing input, signature), the glue checks it with the runtime's crypto and settles the
//! ticket with its verdict (see `crate::verifier::signature`).

use wasm_bindgen::prelude::*;

use super::VerifierCore;
use crate::jose::jwk::PublicJwk;
use crate::jose::jws::SignatureCheck;
use crate::verifier::signature::{RuntimeAlgorithms, Verdict};
use crate::verifier::{dpop, verified_output, Settled};
use crate::wasm::error::IntoJs;

#[wasm_bindgen]
impl VerifierCore {
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
}
