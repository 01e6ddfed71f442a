//! `Signer` and `generateKeyPair` for JavaScript.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert;
use super::error::IntoJs;
use crate::signer::{self, KeyPairOptions, SignOptions, Signer, SignerOptions};

/// Signs ES256 access tokens with a private P-256 JWK.
#[wasm_bindgen(js_name = Signer)]
pub struct JsSigner {
    inner: std::rc::Rc<Signer>,
}

#[wasm_bindgen(js_class = Signer)]
impl JsSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsSigner, JsValue> {
        let options: SignerOptions = convert::deserialize_required(options, "Signer").js()?;
        Ok(JsSigner {
            inner: std::rc::Rc::new(Signer::new(&options).js()?),
        })
    }

    /// Signs `claims` and resolves to the compact token.
    pub fn sign(&self, claims: JsValue, options: JsValue) -> Promise {
        let signer = std::rc::Rc::clone(&self.inner);
        future_to_promise(async move { sign(&signer, claims, options).map(JsValue::from) })
    }

    /// The same as `sign`, synchronously.
    #[wasm_bindgen(js_name = signSync)]
    pub fn sign_sync(&self, claims: JsValue, options: JsValue) -> Result<String, JsValue> {
        sign(&self.inner, claims, options)
    }

    /// The `kid` put in every token header.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The public JWK of the signing key (for a JWK Set).
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> Result<JsValue, JsValue> {
        convert::to_js(&self.inner.public_jwk()).js()
    }
}

fn sign(signer: &Signer, claims: JsValue, options: JsValue) -> Result<String, JsValue> {
    let claims = convert::object(claims, "claims").js()?;
    let options: SignOptions = convert::options(options, true, "sign").js()?;
    signer.sign(claims, &options, convert::now()).js()
}

/// `generateKeyPair({ kid })` → `{ privateJwk, publicJwk }` (ES256, `use: "sig"`; the `kid`
/// defaults to the RFC 7638 thumbprint).
#[wasm_bindgen(js_name = generateKeyPair)]
pub fn generate_key_pair(options: JsValue) -> Result<JsValue, JsValue> {
    let options: KeyPairOptions = convert::options(options, true, "generateKeyPair").js()?;
    let (private, public) = signer::generate_key_pair(&options).js()?;
    let pair = Object::new();
    let _ = Reflect::set(&pair, &"privateJwk".into(), &convert::to_js(&private).js()?);
    let _ = Reflect::set(&pair, &"publicJwk".into(), &convert::to_js(&public).js()?);
    Ok(pair.into())
}
