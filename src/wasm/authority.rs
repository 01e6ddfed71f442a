//! `Authority` and `MemoryStore` for JavaScript: `Request` in, `Response` out.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::convert;
use super::error::{to_js, IntoJs};
use super::runtime_signer::RuntimeSigner;
use crate::authority::{self, Authority, AuthorityOptions, LoginOptions, Request, Response, Route};
use crate::error::{Error, ErrorCode, Result};
use crate::handshake::{self, Host, Level, Store};
use crate::store::MemoryStore;
use crate::verifier::VerifyOptions;

fn now() -> i64 {
    convert::now().floor() as i64
}

fn unavailable() -> Error {
    Error::new(ErrorCode::StoreUnavailable, "the session store is unavailable")
}

/// The embedded store, usable from JS with the same async methods as any custom store.
#[wasm_bindgen(js_name = MemoryStore)]
#[derive(Clone, Default)]
pub struct JsMemoryStore {
    inner: Rc<RefCell<MemoryStore>>,
}

#[wasm_bindgen(js_class = MemoryStore)]
impl JsMemoryStore {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsMemoryStore {
        JsMemoryStore::default()
    }

    /// `get(key)` → `Promise<record | null>`.
    pub fn get(&self, key: String) -> Promise {
        let value = self.inner.borrow_mut().get(&key, now());
        Promise::resolve(&value.map_or(Ok(JsValue::NULL), |v| convert::to_js(&v)).unwrap_or(JsValue::NULL))
    }

    /// `put(key, record, expectedGeneration | null, ttlSeconds)` → `Promise<boolean>`.
    pub fn put(&self, key: String, record: JsValue, expected: Option<f64>, ttl: f64) -> Promise {
        let result = serde_wasm_bindgen::from_value::<Value>(record).map(|value| {
            self.inner
                .borrow_mut()
                .put(&key, value, expected.map(|g| g as u64), ttl as i64, now())
        });
        match result {
            Ok(written) => Promise::resolve(&JsValue::from_bool(written)),
            Err(_) => Promise::reject(&to_js(Error::invalid_options("the record must be a JSON object"))),
        }
    }

    /// Live records (for tests and monitoring).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.borrow().len()
    }
}

/// The store the authority talks to: the embedded one, or any JS object with async
/// `get(key)` and `put(key, record, expectedGeneration, ttlSeconds)`.
enum StoreRef {
    Memory(JsMemoryStore),
    Js { object: JsValue, get: Function, put: Function },
}

async fn await_js(value: std::result::Result<JsValue, JsValue>) -> Result<JsValue> {
    let value = value.map_err(|_| unavailable())?;
    let promise = Promise::resolve(&value);
    JsFuture::from(promise).await.map_err(|_| unavailable())
}

impl Store for StoreRef {
    async fn get(&self, key: &str) -> Result<Option<Value>> {
        match self {
            StoreRef::Memory(memory) => Ok(memory.inner.borrow_mut().get(key, now())),
            StoreRef::Js { object, get, .. } => {
                let value = await_js(get.call1(object, &key.into())).await?;
                if value.is_null() || value.is_undefined() {
                    return Ok(None);
                }
                serde_wasm_bindgen::from_value(value).map(Some).map_err(|_| unavailable())
            }
        }
    }

    async fn put(&self, key: &str, value: Value, expected: Option<u64>, ttl: i64) -> Result<bool> {
        match self {
            StoreRef::Memory(memory) => Ok(memory.inner.borrow_mut().put(key, value, expected, ttl, now())),
            StoreRef::Js { object, put, .. } => {
                let record = convert::to_js(&value)?;
                let expected = expected.map_or(JsValue::NULL, |g| JsValue::from(g as f64));
                let args = js_sys::Array::of4(&key.into(), &record, &expected, &JsValue::from(ttl as f64));
                let written = await_js(put.apply(object, &args)).await?;
                written.as_bool().ok_or_else(unavailable)
            }
        }
    }
}

fn store_from(value: JsValue) -> Result<StoreRef> {
    if value.is_undefined() || value.is_null() {
        return Ok(StoreRef::Memory(JsMemoryStore::new()));
    }
    let method = |name: &str| Reflect::get(&value, &name.into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    match (method("get"), method("put")) {
        (Some(get), Some(put)) => Ok(StoreRef::Js { object: value, get, put }),
        _ => Err(Error::claim(
            ErrorCode::InvalidOptions,
            "store",
            "option store must have async get(key) and put(key, record, expected, ttl) methods",
        )),
    }
}

impl Host for Shared {
    /// Option `log`: `(line, level) => void`, called with redacted lines only. A logger that
    /// throws is ignored: logging never changes an answer.
    fn logs(&self) -> bool {
        self.log.is_some()
    }

    fn log(&self, level: Level, line: &str) {
        if let Some(log) = &self.log {
            let _ = log.call2(&JsValue::UNDEFINED, &line.into(), &level.as_str().into());
        }
    }

    /// Access tokens are signed by the runtime where that is faster (`runtime_signer.rs`).
    async fn sign(&self, input: &str) -> Option<[u8; 64]> {
        self.runtime_signer
            .sign(input, |input, signature| self.authority.verifies(input, signature))
            .await
    }
}

/// A function-valued option (`clock`, `log`), or `None` when absent.
fn function_option(options: &JsValue, name: &'static str) -> Result<Option<Function>> {
    match Reflect::get(options, &name.into()).unwrap_or(JsValue::UNDEFINED) {
        value if value.is_undefined() => Ok(None),
        value => value
            .dyn_into::<Function>()
            .map(Some)
            .map_err(|_| Error::claim(ErrorCode::InvalidOptions, name, format!("option {name} must be a function"))),
    }
}

struct Shared {
    authority: Authority,
    store: StoreRef,
    log: Option<Function>,
    runtime_signer: RuntimeSigner,
    /// Option `clock`: a function returning unix seconds (tests, simulations); else `Date.now()`.
    clock: Option<Function>,
}

impl Shared {
    /// One handshake endpoint → the JS `Response`.
    async fn run(&self, route: Route, request: &JsValue) -> std::result::Result<JsValue, JsValue> {
        let a = &self.authority;
        let response = match route {
            Route::Jwks => Response {
                status: 200,
                headers: vec![("cache-control", "public, max-age=300".into())],
                body: a.jwks().clone(),
            },
            Route::Refresh => handshake::refresh(a, &self.store, &read_request(request).js()?, self.now().js()?, self).await,
            Route::Logout => handshake::logout(a, &self.store, &read_request(request).js()?, self.now().js()?, self).await,
        };
        to_response(&response)
    }

    fn now(&self) -> Result<i64> {
        let Some(clock) = &self.clock else { return Ok(now()) };
        let seconds = clock.call0(&JsValue::UNDEFINED).ok().and_then(|v| v.as_f64());
        match seconds.map(crate::jwt::check_now) {
            Some(Ok(seconds)) => Ok(seconds.floor() as i64),
            _ => Err(Error::claim(
                ErrorCode::InvalidOptions,
                "clock",
                "option clock must return unix seconds",
            )),
        }
    }
}

/// Issues access tokens and runs the refresh-token handshake (see the README's HTTP protocol).
#[wasm_bindgen(js_name = Authority)]
pub struct JsAuthority {
    shared: Rc<Shared>,
}

fn read_request(value: &JsValue) -> Result<Request> {
    let request: web_sys::Request = value
        .clone()
        .dyn_into()
        .map_err(|_| Error::invalid_options("a Request object is required"))?;
    let headers = request.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    Ok(Request {
        method: request.method(),
        origin: header("origin"),
        csrf: header(authority::CSRF_HEADER),
        cookie: header("cookie"),
        content_length: header("content-length").and_then(|v| v.trim().parse().ok()),
    })
}

fn to_response(response: &Response) -> std::result::Result<JsValue, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.append("content-type", "application/json")?;
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(response.status);
    init.set_headers(&headers);
    Ok(web_sys::Response::new_with_opt_str_and_init(Some(&response.body.to_string()), &init)?.into())
}

#[wasm_bindgen(js_class = Authority)]
impl JsAuthority {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> std::result::Result<JsAuthority, JsValue> {
        if !options.is_object() {
            return Err(to_js(Error::invalid_options("Authority options are required")));
        }
        // The store is a live object, not data: take it out before reading the rest.
        let store = store_from(Reflect::get(&options, &"store".into()).unwrap_or(JsValue::UNDEFINED)).js()?;
        let clock = function_option(&options, "clock").js()?;
        let log = function_option(&options, "log").js()?;
        let copy = js_sys::Object::assign(&js_sys::Object::new(), &options.clone().into());
        for live in ["store", "clock", "log"] {
            let _ = Reflect::delete_property(&copy, &live.into());
        }
        let options: AuthorityOptions = convert::deserialize_required(copy.into(), "Authority").js()?;
        let authority = Authority::new(&options).js()?;
        if !authority.persistent_secret && matches!(store, StoreRef::Js { .. }) {
            // Tokens must stay valid across instances and restarts sharing the store.
            return Err(to_js(Error::claim(
                ErrorCode::InvalidOptions,
                "refreshSecret",
                "option refreshSecret is required with the store option",
            )));
        }
        Ok(JsAuthority {
            shared: Rc::new(Shared {
                runtime_signer: RuntimeSigner::new(authority.signing_key_members()),
                authority,
                store,
                log,
                clock,
            }),
        })
    }

    /// `POST {path}/login` after the app checked the credentials → `Promise<Response>`.
    pub fn login(&self, request: JsValue, options: JsValue) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move {
            let request = read_request(&request).js()?;
            let options: LoginOptions = match convert::deserialize_required(options, "login") {
                Ok(options) => options,
                Err(error) => return to_response(&shared.authority.error_response(&error)),
            };
            let now = shared.now().js()?;
            to_response(&handshake::login(&shared.authority, &shared.store, &request, &options, now, &*shared).await)
        })
    }

    /// `POST {path}/refresh` → `Promise<Response>`.
    pub fn refresh(&self, request: JsValue) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move { shared.run(Route::Refresh, &request).await })
    }

    /// `POST {path}/logout` → `Promise<Response>`.
    pub fn logout(&self, request: JsValue) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move { shared.run(Route::Logout, &request).await })
    }

    /// Routes the handshake's own endpoints: `POST {path}/refresh`, `POST {path}/logout` and
    /// `GET /.well-known/jwks.json` → `Promise<Response>`; anything else → `Promise<null>`
    /// (login needs the app's credential check: call `login` yourself).
    pub fn handle(&self, request: JsValue) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move {
            let Ok(raw) = request.clone().dyn_into::<web_sys::Request>() else {
                return Err(to_js(Error::invalid_options("a Request object is required")));
            };
            match shared.authority.route(&raw.url(), &raw.method()) {
                Some(route) => shared.run(route, &request).await,
                None => Ok(JsValue::NULL),
            }
        })
    }

    /// Log a subject out everywhere.
    #[wasm_bindgen(js_name = revokeSubject)]
    pub fn revoke_subject(&self, sub: JsValue) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move {
            let sub = sub
                .as_string()
                .ok_or_else(|| to_js(Error::claim(ErrorCode::InvalidOptions, "sub", "a subject string is required")))?;
            handshake::revoke_subject(&shared.authority, &shared.store, &sub, shared.now().js()?, &*shared)
                .await
                .js()?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The public JWK Set (active and retiring keys).
    pub fn jwks(&self) -> std::result::Result<JsValue, JsValue> {
        convert::to_js(self.shared.authority.jwks()).js()
    }

    /// Verifies an access token (signature, claims, RFC 9068 profile) and that its session
    /// is still live → `Promise<claims>`.
    pub fn verify(&self, token: JsValue, options: JsValue) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move {
            let token = convert::token(&token).js()?;
            let options: VerifyOptions = convert::options(options, true, "verify").js()?;
            let now = options.checked_now(shared.now().js()? as f64).js()?;
            let jwt = handshake::verify_jwt(&shared.authority, &shared.store, &token, now, options.scopes())
                .await
                .js()?;
            // A new object per call, as Verifier's (see `verifier::verify_claims`).
            convert::parse_json(&jwt.json).js()
        })
    }

    /// The HTTP response for an error thrown by `verify` (401 `invalid_token` with
    /// `WWW-Authenticate`, 403 `insufficient_scope`, 503 …).
    #[wasm_bindgen(js_name = errorResponse)]
    pub fn error_response(error: JsValue) -> std::result::Result<JsValue, JsValue> {
        let code = Reflect::get(&error, &"code".into())
            .ok()
            .and_then(|c| c.as_string())
            .unwrap_or_default();
        let code = ErrorCode::ALL
            .into_iter()
            .find(|c| c.as_str() == code)
            .unwrap_or(ErrorCode::Malformed);
        to_response(&authority::error_response(&Error::new(code, ""), None))
    }
}
