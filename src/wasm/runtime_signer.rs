//! ES256 signing by the runtime where that measured faster than signing in wasm (per signature,
//! 2026-11-26, this repository's build, 2-core machine), else `None` and the caller signs in Rust:
//! * Node: `node:crypto` (synchronous OpenSSL), installed by the package's Node entries through
//!   [`set_native_signer`]: ≈ 0.03 ms against 0.11 ms in wasm. (Node 20's async WebCrypto path
//!   measured slower than wasm: 0.15 ms.)
//! * workerd and browsers: WebCrypto (`crypto.subtle.sign`), key imported once, non-extractable:
//!   workerd 0.02–0.04 ms against 0.16 ms; Chromium 0.05 ms (0.06 ms through `sign`) against 0.12 ms.
//! * Deno: none (its WebCrypto measured 0.41 ms).
//!
//! Any failure (no `crypto.subtle`, as in an insecure browser context; an import or sign error; a
//! result that is not 64 bytes; a first signature that does not verify) makes that signer sign in
//! Rust from then on. The runtimes pick the nonces: OpenSSL and BoringSSL hedge them (private key,
//! message and fresh randomness).

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// `(importKey(jwk) → key, sign(key, bytes) → 64-byte Uint8Array)`, both synchronous.
    static NATIVE: RefCell<Option<(Function, Function)>> = const { RefCell::new(None) };
}

/// Installs a synchronous native signer (the Node entry passes `node:crypto`'s
/// `createPrivateKey` and `sign` wrapped as `importKey(jwk)` and `sign(key, bytes)`). Signers and
/// authorities created afterwards use it.
/// Anything but two functions removes it (tests use that to reach the Rust signer in Node).
#[wasm_bindgen::prelude::wasm_bindgen(js_name = __setNativeSigner)]
pub fn set_native_signer(import_key: JsValue, sign: JsValue) {
    let pair = import_key.dyn_into::<Function>().ok().zip(sign.dyn_into::<Function>().ok());
    NATIVE.with(|native| native.replace(pair));
}

/// The key imported into the native signer, or `None` (no native signer, or it refused the key).
fn native_key(x: &str, y: &str, d: &str) -> Option<(JsValue, Function)> {
    let (import_key, sign) = NATIVE.with(|native| native.borrow().clone())?;
    let jwk = Object::new();
    for (name, value) in [("kty", "EC"), ("crv", "P-256"), ("x", x), ("y", y), ("d", d)] {
        set(&jwk, name, &value.into());
    }
    let key = import_key.call1(&JsValue::UNDEFINED, &jwk).ok()?;
    Some((key, sign))
}

enum State {
    /// A key in the synchronous native signer, and its sign function.
    Native(JsValue, Function),
    /// JWK members `(x, y, d)`, not imported into WebCrypto yet.
    Pending(String, String, String),
    Importing,
    Ready(JsValue),
    Unavailable,
}

pub struct RuntimeSigner {
    state: RefCell<State>,
    /// Whether a signature from the runtime has been checked against the public key yet.
    checked: std::cell::Cell<bool>,
}

/// Whether this runtime's WebCrypto signs faster than wasm (see the module docs): not in Node
/// (`process.versions.node`, unless this is workerd with Node compatibility) nor in Deno.
fn prefers_webcrypto() -> bool {
    let global = js_sys::global();
    let get = |object: &JsValue, name: &str| Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if super::fetch::is_workerd() {
        return true;
    }
    let node = get(&get(&get(&global, "process"), "versions"), "node");
    node.is_undefined() && get(&global, "Deno").is_undefined()
}

fn subtle() -> Option<JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).ok()?;
    (subtle.is_object()).then_some(subtle)
}

fn set(object: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &name.into(), value);
}

fn ecdsa(named_curve: bool) -> Object {
    let algorithm = Object::new();
    set(&algorithm, "name", &"ECDSA".into());
    if named_curve {
        set(&algorithm, "namedCurve", &"P-256".into());
    } else {
        set(&algorithm, "hash", &"SHA-256".into());
    }
    algorithm
}

/// `subtle[method](...args)` awaited.
async fn call(subtle: &JsValue, method: &str, args: &Array) -> Option<JsValue> {
    let function: Function = Reflect::get(subtle, &method.into()).ok()?.dyn_into().ok()?;
    let promise: Promise = function.apply(subtle, args).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()
}

impl RuntimeSigner {
    /// A signer for the key with these JWK members; `None` members: always unavailable.
    pub fn new(members: Option<(String, String, String)>) -> RuntimeSigner {
        let state = match members {
            Some((x, y, d)) => match native_key(&x, &y, &d) {
                Some((key, sign)) => State::Native(key, sign),
                None if prefers_webcrypto() => State::Pending(x, y, d),
                None => State::Unavailable,
            },
            None => State::Unavailable,
        };
        RuntimeSigner {
            state: RefCell::new(state),
            checked: std::cell::Cell::new(false),
        }
    }

    async fn key(&self) -> Option<JsValue> {
        // Taken out first: the RefCell is never borrowed across a match arm or an await.
        let previous = self.state.replace(State::Importing);
        let (x, y, d) = match previous {
            State::Ready(key) => {
                self.state.replace(State::Ready(key.clone()));
                return Some(key);
            }
            State::Pending(x, y, d) => (x, y, d),
            other => {
                // Importing (another call is importing: sign this one in Rust) or Unavailable.
                self.state.replace(other);
                return None;
            }
        };
        let imported = async {
            let subtle = subtle()?;
            let jwk = Object::new();
            for (name, value) in [
                ("kty", "EC"),
                ("crv", "P-256"),
                ("x", x.as_str()),
                ("y", y.as_str()),
                ("d", d.as_str()),
            ] {
                set(&jwk, name, &value.into());
            }
            let usages = Array::of1(&"sign".into());
            let args = Array::of5(&"jwk".into(), &jwk, &ecdsa(true), &JsValue::FALSE, &usages);
            call(&subtle, "importKey", &args).await
        }
        .await;
        self.state.replace(match &imported {
            Some(key) => State::Ready(key.clone()),
            None => State::Unavailable,
        });
        imported
    }

    /// The raw `r || s` signature of `input`, or `None`: sign in Rust. The first signature is
    /// checked with `verifies` (the public key): a runtime that signs wrongly is never used again.
    pub async fn sign(&self, input: &str, verifies: impl Fn(&str, &[u8; 64]) -> bool) -> Option<[u8; 64]> {
        if matches!(&*self.state.borrow(), State::Native(..)) {
            return self.sign_sync(input, verifies);
        }
        let signature = self.sign_unchecked(input).await?;
        self.checked_signature(input, signature, verifies)
    }

    /// The native signer's signature of `input` (synchronous), or `None`: sign in Rust.
    pub fn sign_sync(&self, input: &str, verifies: impl Fn(&str, &[u8; 64]) -> bool) -> Option<[u8; 64]> {
        let (key, sign) = match &*self.state.borrow() {
            State::Native(key, sign) => (key.clone(), sign.clone()),
            _ => return None,
        };
        let bytes = sign
            .call2(&JsValue::UNDEFINED, &key, &Uint8Array::from(input.as_bytes()))
            .ok()
            .and_then(|result| result.dyn_into::<Uint8Array>().ok())
            .filter(|bytes| bytes.length() == 64);
        let Some(bytes) = bytes else {
            self.state.replace(State::Unavailable);
            return None;
        };
        let mut signature = [0u8; 64];
        bytes.copy_to(&mut signature);
        self.checked_signature(input, signature, verifies)
    }

    /// The first signature from the runtime is checked against the public key; a wrong one turns
    /// the runtime signer off for good.
    fn checked_signature(&self, input: &str, signature: [u8; 64], verifies: impl Fn(&str, &[u8; 64]) -> bool) -> Option<[u8; 64]> {
        if !self.checked.get() {
            if !verifies(input, &signature) {
                self.state.replace(State::Unavailable);
                return None;
            }
            self.checked.set(true);
        }
        Some(signature)
    }

    async fn sign_unchecked(&self, input: &str) -> Option<[u8; 64]> {
        let key = self.key().await?;
        let signature = async {
            let subtle = subtle()?;
            let data = Uint8Array::from(input.as_bytes());
            let signature = call(&subtle, "sign", &Array::of3(&ecdsa(false), &key, &data)).await?;
            let bytes = Uint8Array::new(&signature);
            let mut out = [0u8; 64];
            (bytes.length() == 64).then(|| {
                bytes.copy_to(&mut out);
                out
            })
        }
        .await;
        if signature.is_none() {
            // A runtime whose sign failed once is not asked again.
            self.state.replace(State::Unavailable);
        }
        signature
    }
}
