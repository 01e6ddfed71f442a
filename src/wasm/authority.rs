//! `AuthorityCore` for JavaScript: the refresh handshake over a store. Requests arrive as JSON
//! text (the glue reads the `Request`, its body within the size limit); responses leave as real
//! `Response` objects.

use std::rc::Rc;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::error::IntoJs;
use super::signer::to_js;
use super::store::{awaited, Backend, MemoryStoreCore};
use super::time;
use crate::authority::handshake::{self, Host, Level};
use crate::authority::{Authority, AuthorityOptions, LoginOptions, Request, Response, Route, MAX_BODY_BYTES};
use crate::error::{Error, ErrorCode};
use crate::verifier::VerifyOptions;

struct Shared {
    authority: Authority,
    store: Backend,
    /// `(line, level) => void`, never throwing (the glue wraps the user's logger).
    log: Option<Function>,
    /// `(signingInput) => Promise<Uint8Array | null>`, never rejecting: the runtime's signer.
    sign: Option<Function>,
}

impl Host for Shared {
    fn logs(&self) -> bool {
        self.log.is_some()
    }

    fn log(&self, level: Level, line: &str) {
        if let Some(log) = &self.log {
            let _ = log.call2(&JsValue::UNDEFINED, &line.into(), &level.as_str().into());
        }
    }

    async fn sign(&self, input: &str) -> Option<[u8; 64]> {
        let sign = self.sign.as_ref()?;
        let bytes = awaited(sign.call1(&JsValue::UNDEFINED, &input.into())).await.ok()?;
        let bytes = bytes.dyn_into::<Uint8Array>().ok().filter(|b| b.length() == 64)?;
        let mut signature = [0u8; 64];
        bytes.copy_to(&mut signature);
        // The glue's runtime signer checked its first signature against the public key
        // (`AuthorityCore.verifies`) and stops signing for good after any failure.
        Some(signature)
    }
}

/// A core response as a JavaScript `Response` (JSON body).
fn to_response(response: &Response) -> std::result::Result<JsValue, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.append("content-type", "application/json")?;
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(response.status);
    init.set_headers(&headers);
    let body = serde_json::to_string(&response.body).unwrap_or_default();
    Ok(web_sys::Response::new_with_opt_str_and_init(Some(&body), &init)?.into())
}

/// The refresh handshake.
#[wasm_bindgen]
pub struct AuthorityCore {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl AuthorityCore {
    /// `options`: JSON text without the live options; `memory`: the embedded store to use (or
    /// `undefined` with `adapter`: a custom store's adapter; neither: a new embedded store).
    #[wasm_bindgen(constructor)]
    pub fn new(
        options: &str,
        memory: Option<MemoryStoreCore>,
        adapter: Option<js_sys::Object>,
        log: Option<Function>,
        sign: Option<Function>,
    ) -> std::result::Result<AuthorityCore, JsValue> {
        let mut options = AuthorityOptions::parse(options).js()?;
        let store = match (memory, adapter) {
            (Some(memory), _) => Backend::Memory(memory),
            (None, Some(adapter)) => {
                let method = |name: &str| {
                    js_sys::Reflect::get(&adapter, &name.into())
                        .ok()
                        .and_then(|f| f.dyn_into::<Function>().ok())
                };
                let (Some(get), Some(put)) = (method("get"), method("put")) else {
                    return Err(Error::claim(
                        ErrorCode::InvalidOptions,
                        "store",
                        "the store adapter needs get and put",
                    ))
                    .js();
                };
                options.custom_store = true;
                Backend::Adapter { get, put }
            }
            (None, None) => Backend::Memory(MemoryStoreCore::new()),
        };
        let authority = Authority::new(&options).js()?;
        Ok(AuthorityCore {
            shared: Rc::new(Shared {
                authority,
                store,
                log,
                sign,
            }),
        })
    }

    /// The largest request body the auth endpoints take (the glue reads one byte more at most).
    #[wasm_bindgen(js_name = maxBodyBytes)]
    pub fn max_body_bytes() -> f64 {
        MAX_BODY_BYTES as f64
    }

    /// `POST {path}/login` after the app checked the credentials → `Promise<Response>`.
    /// `request` and `options`: JSON text; `clock`: milliseconds (`Date.now()` or the option).
    pub fn login(&self, request: &str, options: &str, clock: f64) -> Promise {
        let shared = Rc::clone(&self.shared);
        let request = Request::parse(request);
        let options = LoginOptions::parse(options);
        future_to_promise(async move {
            let a = &shared.authority;
            let response = match (request, options) {
                (Ok(request), Ok(options)) => handshake::login(a, &shared.store, &request, &options, time(clock), &*shared).await,
                (Err(error), _) | (_, Err(error)) => a.error_response(&error),
            };
            to_response(&response)
        })
    }

    /// Which handshake endpoint `url` and `method` name: `"refresh"`, `"logout"`, `"jwks"`, or
    /// `undefined` (the glue then leaves the request, body and all, to the app).
    pub fn route(&self, url: &str, method: &str) -> Option<String> {
        let route = self.shared.authority.route(url, method)?;
        Some(
            match route {
                Route::Refresh => "refresh",
                Route::Logout => "logout",
                Route::Jwks => "jwks",
            }
            .to_string(),
        )
    }

    /// The handshake's own endpoints (`POST {path}/refresh`, `POST {path}/logout`,
    /// `GET /.well-known/jwks.json`) → `Promise<Response>`, anything else → `Promise<null>`.
    /// `only`: `"refresh"` or `"logout"` to answer that endpoint whatever the URL.
    pub fn handle(&self, request: &str, clock: f64, only: Option<String>) -> Promise {
        let shared = Rc::clone(&self.shared);
        let request = Request::parse(request);
        future_to_promise(async move {
            let a = &shared.authority;
            let request = match request {
                Ok(request) => request,
                Err(error) => return to_response(&a.error_response(&error)),
            };
            let route = match only.as_deref() {
                Some("refresh") => Some(Route::Refresh),
                Some("logout") => Some(Route::Logout),
                Some("jwks") => Some(Route::Jwks),
                _ => a.route(&request.url, &request.method),
            };
            let now = time(clock);
            let response = match route {
                None => return Ok(JsValue::NULL),
                Some(Route::Jwks) => a.jwks_response(),
                Some(Route::Refresh) => handshake::refresh(a, &shared.store, &request, now, &*shared).await,
                Some(Route::Logout) => handshake::logout(a, &shared.store, &request, now, &*shared).await,
            };
            to_response(&response)
        })
    }

    /// Log a subject out everywhere → `Promise<undefined>`.
    #[wasm_bindgen(js_name = revokeSubject)]
    pub fn revoke_subject(&self, sub: String, clock: f64) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move {
            handshake::revoke_subject(&shared.authority, &shared.store, &sub, time(clock), &*shared)
                .await
                .js()?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Whether `signature` over `input` verifies with the active signing key (the check of a
    /// runtime signer's first signature).
    pub fn verifies(&self, input: &str, signature: &[u8]) -> bool {
        self.shared.authority.verifies(input, signature)
    }

    /// The public JWK Set, as an object.
    pub fn jwks(&self) -> std::result::Result<JsValue, JsValue> {
        to_js(self.shared.authority.jwks()).js()
    }

    /// Verifies an access token and that its session is live → `Promise<claims JSON text>`.
    pub fn verify(&self, token: String, options: &str, clock: f64) -> Promise {
        let shared = Rc::clone(&self.shared);
        let options = VerifyOptions::parse(options);
        future_to_promise(async move {
            let options = options.js()?;
            let now = options.now(time(clock)).js()?;
            let jwt = handshake::verify_jwt(&shared.authority, &shared.store, &token, now, &options.required_scopes)
                .await
                .js()?;
            Ok(jwt.json.into())
        })
    }

    /// Whether the session of a verified token (its claims as JSON text, from a verifier's
    /// `verifyRequest` that checked its DPoP proof) is still live → resolves, or rejects with
    /// `ERR_REVOKED`.
    #[wasm_bindgen(js_name = checkLive)]
    pub fn check_live(&self, claims: String, clock: f64) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move {
            let claims = crate::jose::json::parse_object(claims.as_bytes(), "the claims").js()?;
            handshake::check_live(&shared.authority, &shared.store, &claims, time(clock))
                .await
                .js()?;
            Ok(JsValue::UNDEFINED)
        })
    }
}
