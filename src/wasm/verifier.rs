//! `Verifier` for JavaScript.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::convert;
use super::error::{to_js, IntoJs};
use super::fetch;
use crate::error::{Error, ErrorCode, Result};
use crate::jws;
use crate::verifier::{Keys, Verifier, VerifierOptions, VerifyOptions};

struct Shared {
    verifier: RefCell<Verifier>,
    /// The key set fetch in flight, awaited by concurrent verifications. Never used in
    /// workerd, where one request may not await I/O that another request started.
    pending: RefCell<Option<Promise>>,
    share_fetches: bool,
}

/// Verifies ES256 JWTs against a JWK Set (local, or fetched from `jwksUrl` and cached).
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    shared: Rc<Shared>,
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsVerifier, JsValue> {
        let options: VerifierOptions = convert::options(options, false, "Verifier").js()?;
        let verifier = Verifier::new(&options).js()?;
        Ok(JsVerifier {
            shared: Rc::new(Shared {
                verifier: RefCell::new(verifier),
                pending: RefCell::new(None),
                share_fetches: !fetch::is_workerd(),
            }),
        })
    }

    /// Verifies `token` and resolves to its claims. Fetches the remote key set when needed.
    pub fn verify(&self, token: JsValue, options: JsValue) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move {
            let token = convert::token(&token).js()?;
            let options: VerifyOptions = convert::options(options, true, "verify").js()?;
            verify_async(&shared, &token, &options).await
        })
    }

    /// The same decisions as `verify`, synchronously. With `jwksUrl` it uses the cached key
    /// set only (load it with `verify` or `importState` first), and never fetches.
    #[wasm_bindgen(js_name = verifySync)]
    pub fn verify_sync(&self, token: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let token = convert::token(&token).js()?;
        let options: VerifyOptions = convert::options(options, true, "verify").js()?;
        let now = options.checked_now(convert::now()).js()?;
        verify_claims(&self.shared.verifier.borrow(), &token, now, options.scopes()).js()
    }

    /// The remote key set cache as a plain object, to persist (for example in a worker's
    /// storage) and restore with `importState`. `null` for a local key set.
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> Result<JsValue, JsValue> {
        match &self.shared.verifier.borrow().keys {
            Keys::Remote(remote) => convert::to_js(&remote.export()).js(),
            Keys::Local(_) => Ok(JsValue::NULL),
        }
    }

    /// Restores a cache exported by `exportState` for the same `jwksUrl`. On error nothing changes.
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(&self, state: JsValue) -> Result<(), JsValue> {
        let state: Value = serde_wasm_bindgen::from_value(state).map_err(|_| {
            to_js(Error::claim(
                ErrorCode::InvalidOptions,
                "state",
                "the imported state must be an object",
            ))
        })?;
        match &mut self.shared.verifier.borrow_mut().keys {
            Keys::Remote(remote) => remote.import(&state).js(),
            Keys::Local(_) => Err(to_js(Error::invalid_options("importState applies only to a verifier with jwksUrl"))),
        }
    }
}

/// Verifies and returns the claims as a new JS object, made by `JSON.parse` from the verified
/// JSON text: cheaper than converting the parsed claims value by value, a fresh object per
/// call (a caller changing its result cannot affect another call), and `__proto__` in claims
/// becomes an ordinary own property.
fn verify_claims(verifier: &Verifier, token: &str, now: f64, scopes: &[String]) -> Result<JsValue> {
    verifier.verify_with(token, now, scopes, |jwt| convert::parse_json(&jwt.json))?
}

async fn verify_async(shared: &Rc<Shared>, token: &str, options: &VerifyOptions) -> Result<JsValue, JsValue> {
    let now = options.checked_now(convert::now()).js()?;
    let needs_fetch = match &shared.verifier.borrow().keys {
        Keys::Local(_) => false,
        Keys::Remote(remote) => remote.needs_fetch(now).js()?,
    };
    if needs_fetch {
        refresh_keys(shared, now).await?;
    }
    let first = verify_claims(&shared.verifier.borrow(), token, now, options.scopes());
    match first {
        Err(error) if error.code() == ErrorCode::NoMatchingKey && may_refetch(shared, token, now) => {
            refresh_keys(shared, now).await?;
            verify_claims(&shared.verifier.borrow(), token, now, options.scopes()).js()
        }
        other => other.js(),
    }
}

/// An unknown `kid` in a remote set: refetch, at most once per cooldown.
fn may_refetch(shared: &Shared, token: &str, now: f64) -> bool {
    let Keys::Remote(remote) = &shared.verifier.borrow().keys else {
        return false;
    };
    let kid = jws::parse_compact(token).ok().and_then(|c| c.header.kid);
    remote.may_refetch_for(kid.as_deref(), now)
}

async fn refresh_keys(shared: &Rc<Shared>, now: f64) -> Result<(), JsValue> {
    if !shared.share_fetches {
        return fetch_keys(shared, now).await.js();
    }
    let existing = shared.pending.borrow().clone();
    if let Some(pending) = existing {
        return JsFuture::from(pending).await.map(drop);
    }
    let owner = Rc::clone(shared);
    let promise = future_to_promise(async move { fetch_keys(&owner, now).await.map(|()| JsValue::UNDEFINED).map_err(to_js) });
    *shared.pending.borrow_mut() = Some(promise.clone());
    let result = JsFuture::from(promise).await;
    shared.pending.borrow_mut().take();
    result.map(drop)
}

async fn fetch_keys(shared: &Shared, now: f64) -> Result<()> {
    let url = {
        let mut verifier = shared.verifier.borrow_mut();
        let Keys::Remote(remote) = &mut verifier.keys else { return Ok(()) };
        remote.begin_fetch(now);
        remote.url().to_string()
    };
    let response = fetch::get(&url).await;
    let mut verifier = shared.verifier.borrow_mut();
    let Keys::Remote(remote) = &mut verifier.keys else { return Ok(()) };
    match response {
        Ok((status, body)) => remote.complete_fetch(status, &body, now),
        Err(error) => {
            remote.fail_fetch();
            Err(error)
        }
    }
}
