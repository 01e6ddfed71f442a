//! `Signer` and `generateKeyPair` for JavaScript.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::convert;
use super::error::IntoJs;
use super::runtime_signer::RuntimeSigner;
use crate::signer::{self, KeyPairOptions, SignOptions, Signer, SignerOptions};

/// Signs ES256 access tokens with a private P-256 JWK.
#[wasm_bindgen(js_name = Signer)]
pub struct JsSigner {
    inner: std::rc::Rc<Signer>,
    /// The runtime's faster signer, if any (`runtime_signer.rs`): Node's `node:crypto` for `sign` and
    /// `signSync`; WebCrypto (workerd, browsers) for `sign`. Otherwise both sign in Rust.
    runtime_signer: std::rc::Rc<RuntimeSigner>,
}

#[wasm_bindgen(js_class = Signer)]
impl JsSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsSigner, JsValue> {
        let options: SignerOptions = convert::deserialize_required(options, "Signer").js()?;
        let inner = Signer::new(&options).js()?;
        Ok(JsSigner {
            runtime_signer: std::rc::Rc::new(RuntimeSigner::new(inner.private_jwk_members())),
            inner: std::rc::Rc::new(inner),
        })
    }

    /// Signs `claims` and resolves to the compact token (signed by the runtime's WebCrypto
    /// where there is one, else in Rust).
    pub fn sign(&self, claims: JsValue, options: JsValue) -> Promise {
        let signer = std::rc::Rc::clone(&self.inner);
        let runtime_signer = std::rc::Rc::clone(&self.runtime_signer);
        let input = signing_input(&signer, claims, options);
        future_to_promise(async move {
            let input = input?;
            let signature = match runtime_signer
                .sign(&input, |input, signature| signer.verifies(input, signature))
                .await
            {
                Some(signature) => signature,
                None => signer.sign_input(&input).js()?,
            };
            Ok(signer::finish(input, &signature).into())
        })
    }

    /// The same as `sign`, synchronously.
    #[wasm_bindgen(js_name = signSync)]
    pub fn sign_sync(&self, claims: JsValue, options: JsValue) -> Result<String, JsValue> {
        let input = signing_input(&self.inner, claims, options)?;
        let signer = &self.inner;
        let signature = match self
            .runtime_signer
            .sign_sync(&input, |input, signature| signer.verifies(input, signature))
        {
            Some(signature) => signature,
            None => signer.sign_input(&input).js()?,
        };
        Ok(signer::finish(input, &signature))
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

fn signing_input(signer: &Signer, claims: JsValue, options: JsValue) -> Result<String, JsValue> {
    let claims = convert::object(claims, "claims").js()?;
    let options: SignOptions = convert::options(options, true, "sign").js()?;
    signer.signing_input(claims, &options, convert::now()).js()
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
