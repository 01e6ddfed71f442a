//! `SessionCore`'s DPoP steps (RFC 9449): the core decides which key and nonce a proof needs and
//! what a nonce answer means; the glue keeps the key (IndexedDB) and signs (WebCrypto).

use alloc::string::String;

use wasm_bindgen::prelude::*;

use super::data::message_object;

/// A string for JavaScript, or `undefined`.
fn text(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, JsValue::from)
}
use super::{time, SessionCore};
use crate::session::{KeyCheck, TabMessage};

#[wasm_bindgen]
impl SessionCore {
    /// Whether requests carry DPoP proofs (option `dpop`).
    #[wasm_bindgen(getter)]
    pub fn dpop(&self) -> bool {
        self.session.dpop()
    }

    /// The thumbprint of the key the held token is bound to.
    #[wasm_bindgen(getter, js_name = heldJkt)]
    pub fn held_jkt(&self) -> JsValue {
        text(self.session.held_jkt())
    }

    /// The stored key's thumbprint (`undefined`: none) → `0` use it, `1` nothing to refresh
    /// with, `2` the session ended (the key is gone: tell the other tabs).
    #[wasm_bindgen(js_name = keyCheck)]
    pub fn key_check(&mut self, stored: JsValue) -> u8 {
        match self.session.key_check(stored.as_string().as_deref()) {
            KeyCheck::Ready => 0,
            KeyCheck::Skip => 1,
            KeyCheck::SignedOut => 2,
        }
    }

    /// A `DPoP-Nonce` header from `origin` → the message for the other tabs when it is new and
    /// kept, else `undefined`.
    #[wasm_bindgen(js_name = nonceSeen)]
    pub fn nonce_seen(&mut self, origin: JsValue, nonce: JsValue) -> JsValue {
        match (origin.as_string(), nonce.as_string()) {
            (Some(origin), Some(nonce)) if self.session.nonce_seen(&origin, &nonce) => message_object(&TabMessage::Nonce(origin, nonce)),
            _ => JsValue::UNDEFINED,
        }
    }

    /// The nonce for a proof sent to `origin`.
    #[wasm_bindgen(js_name = nonceFor)]
    pub fn nonce_for(&self, origin: JsValue) -> JsValue {
        text(
            origin
                .as_string()
                .and_then(|o| self.session.nonce_for(&o).map(String::from))
                .as_deref(),
        )
    }

    /// Whether an authority answer (`status`, the body's `error`) asks to retry with the nonce
    /// that came with it.
    #[wasm_bindgen(js_name = retryWithNonce)]
    pub fn retry_with_nonce(&self, status: u16, error: JsValue, new_nonce: bool) -> bool {
        self.session.retry_with_nonce(status, error.as_string().as_deref(), new_nonce)
    }

    /// A proof's `iat` at `clock` (Unix seconds, on the authority's clock).
    #[wasm_bindgen(js_name = proofIat)]
    pub fn proof_iat(&self, clock: f64) -> f64 {
        self.session.proof_iat(time(clock))
    }
}
