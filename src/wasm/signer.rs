//! `SignerCore` and `generateKeyPair` for JavaScript: text and bytes in and out; the glue picks
//! who signs (the runtime's crypto where that is faster, else `signInput` here in Rust).

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::error::IntoJs;
use super::time;
use crate::authority::signer::{self, KeyPairOptions, SignOptions, Signer, SignerOptions};
use crate::error::{Error, ErrorCode};

/// A value as a plain JavaScript object (objects, not Maps).
pub(super) fn to_js<T: Serialize>(value: &T) -> crate::error::Result<JsValue> {
    Serialize::serialize(value, &serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| Error::malformed("value cannot be represented in JavaScript"))
}

/// A signer whose input and output are text and bytes; the glue picks who signs.
#[wasm_bindgen]
pub struct SignerCore {
    signer: Signer,
}

#[wasm_bindgen]
impl SignerCore {
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str) -> std::result::Result<SignerCore, JsValue> {
        let signer = Signer::new(&SignerOptions::parse(options).js()?).js()?;
        Ok(SignerCore { signer })
    }

    /// The JWS signing input for `claims` (JSON text) with `options` (JSON text) at `clock`.
    #[wasm_bindgen(js_name = signingInput)]
    pub fn signing_input(&self, claims: &str, options: &str, clock: f64) -> std::result::Result<String, JsValue> {
        let claims = match serde_json::from_str::<Value>(claims) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(Error::claim(
                    ErrorCode::InvalidOptions,
                    "claims",
                    "claims must be a plain JSON object",
                ))
                .js()
            }
        };
        let options = SignOptions::parse(options).js()?;
        self.signer.signing_input(claims, &options, time(clock)).js()
    }

    /// The raw `r || s` signature of a signing input, made here in Rust.
    #[wasm_bindgen(js_name = signInput)]
    pub fn sign_input(&self, input: &str) -> std::result::Result<Vec<u8>, JsValue> {
        Ok(self.signer.sign_input(input).js()?.to_vec())
    }

    /// Whether `signature` over `input` verifies with the signer's public key.
    pub fn verifies(&self, input: &str, signature: &[u8]) -> bool {
        self.signer.verifies(input, signature)
    }

    /// The compact token from a signing input and its signature.
    pub fn finish(input: String, signature: &[u8]) -> std::result::Result<String, JsValue> {
        let signature: [u8; 64] = signature.try_into().map_err(|_| Error::bad_signature()).js()?;
        Ok(signer::finish(input, &signature))
    }

    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> String {
        self.signer.kid().to_string()
    }

    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> std::result::Result<JsValue, JsValue> {
        to_js(&self.signer.public_jwk()).js()
    }
}

/// `generateKeyPair(options)` → `{ privateJwk, publicJwk }`; `options` as JSON text.
#[wasm_bindgen(js_name = generateKeyPair)]
pub fn generate_key_pair(options: &str) -> std::result::Result<JsValue, JsValue> {
    let options = KeyPairOptions::parse(options).js()?;
    let (private, public) = signer::generate_key_pair(&options).js()?;
    let mut pair = serde_json::Map::new();
    pair.insert("privateJwk".into(), private);
    pair.insert("publicJwk".into(), public);
    to_js(&pair).js()
}
