//! `TokenSession` for browsers: drives the core [`Session`] state machine with timers, `fetch`,
//! Web Locks and BroadcastChannel. The access token lives only in this object's memory (and in
//! BroadcastChannel messages to this origin's other tabs); it is never written to any storage,
//! cookie or URL.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Promise, Reflect};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::convert;
use super::error::{to_js, IntoJs};
use crate::error::{Error, ErrorCode};
use crate::session::{Failure, Next, Session, SessionOptions, SharedToken, TokenResponse};

#[wasm_bindgen]
extern "C" {
    // Web Locks, declared here because web-sys gates them behind an unstable cfg.
    #[wasm_bindgen(js_namespace = ["navigator", "locks"], js_name = request, catch)]
    fn lock_request(name: &str, callback: &Function) -> Result<Promise, JsValue>;
}

/// How long a tab that starts waits for another tab to share its token.
const HELLO_WAIT_MS: i32 = 150;
/// Inside the lock: let messages already posted by the previous holder arrive first.
const SETTLE_MS: i32 = 25;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn jitter() -> f64 {
    js_sys::Math::random()
}

fn global_fn(name: &str) -> Option<Function> {
    Reflect::get(&js_sys::global(), &name.into()).ok().and_then(|f| f.dyn_into().ok())
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(set_timeout) = global_fn("setTimeout") {
            let _ = set_timeout.call2(&JsValue::UNDEFINED, &resolve, &ms.into());
        }
    });
    let _ = JsFuture::from(promise).await;
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

/// A DOM event listener kept alive as long as the session.
type Listener = Closure<dyn FnMut(JsValue)>;

struct Inner {
    session: RefCell<Session>,
    auth_path: String,
    lock_name: String,
    channel: Option<web_sys::BroadcastChannel>,
    events: web_sys::EventTarget,
    timer: Cell<Option<f64>>,
    in_flight: RefCell<Option<Promise>>,
    listeners: RefCell<Vec<Listener>>,
    started: Cell<bool>,
}

/// Keeps an access token alive in memory, once across all tabs of the origin.
#[wasm_bindgen(js_name = TokenSession)]
pub struct JsTokenSession {
    inner: Rc<Inner>,
}

#[wasm_bindgen(js_class = TokenSession)]
impl JsTokenSession {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsTokenSession, JsValue> {
        let options: SessionOptions = convert::options(options, true, "TokenSession").js()?;
        let session = Session::new(&options).js()?;
        let auth_path = options
            .auth_path
            .unwrap_or_else(|| "/auth".into())
            .trim_end_matches('/')
            .to_string();
        if !auth_path.starts_with('/') && !auth_path.starts_with("https://") && !auth_path.starts_with("http://") {
            return Err(to_js(Error::claim(
                ErrorCode::InvalidOptions,
                "authPath",
                "option authPath must be a path like /auth or a URL",
            )));
        }
        let name = options.channel.unwrap_or_else(|| "tessera".into());
        let inner = Rc::new(Inner {
            session: RefCell::new(session),
            auth_path,
            lock_name: format!("{name}:refresh"),
            channel: web_sys::BroadcastChannel::new(&name).ok(),
            events: web_sys::EventTarget::new()?,
            timer: Cell::new(None),
            in_flight: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            started: Cell::new(false),
        });
        listen(&inner);
        Ok(JsTokenSession { inner })
    }

    /// Resumes a session: from another tab's token if one answers, else from the refresh
    /// cookie (one refresh). Resolves with `state`; a missing session is not an error.
    pub fn start(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            inner.started.set(true);
            if !inner.session.borrow().is_signed_in() {
                post(&inner, &object(&[("type", "hello".into())]));
                sleep(HELLO_WAIT_MS).await;
            }
            if !inner.session.borrow().is_signed_in() {
                refresh(&inner).await?;
            }
            schedule(&inner);
            state(&inner)
        })
    }

    /// `POST {authPath}/login` with `body` (JSON); resolves with `state`.
    pub fn login(&self, body: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let body = js_sys::JSON::stringify(&body).map_err(|_| to_js(Error::invalid_options("the login body must be JSON")))?;
            // Under the same lock as refreshes: a refresh answer (which may clear the cookie)
            // can then never land after this login's new cookie.
            let pending = inner.in_flight.borrow().clone();
            if let Some(pending) = pending {
                let _ = JsFuture::from(pending).await;
            }
            let weak = Rc::downgrade(&inner);
            let response = with_lock(&inner, async move {
                let Some(inner) = weak.upgrade() else { return Err(JsValue::NULL) };
                post_auth(&inner, "login", Some(body.into())).await.map(JsValue::from)
            })
            .await
            .and_then(|r| r.dyn_into::<web_sys::Response>())
            .map_err(|_| to_js(Error::new(ErrorCode::StoreUnavailable, "the login request failed")))?;
            let status = response.status();
            let json = JsFuture::from(response.json()?).await.unwrap_or(JsValue::NULL);
            if status != 200 {
                let code = Reflect::get(&json, &"code".into()).ok().and_then(|c| c.as_string());
                let code = ErrorCode::ALL
                    .into_iter()
                    .find(|c| Some(c.as_str()) == code.as_deref())
                    .unwrap_or(ErrorCode::InvalidGrant);
                return Err(to_js(Error::new(code, "login was refused")));
            }
            accept_js(&inner, json, "login")?;
            state(&inner)
        })
    }

    /// Takes a token response obtained elsewhere (`{ access_token, token_type, expires_in, scope }`).
    pub fn accept(&self, response: JsValue) -> Result<JsValue, JsValue> {
        accept_js(&self.inner, response, "accept")?;
        state(&self.inner)
    }

    /// Refreshes now (shared with concurrent calls and other tabs).
    pub fn refresh(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            refresh(&inner).await?;
            state(&inner)
        })
    }

    /// `fetch` with `Authorization: Bearer <access token>`. A `401` with
    /// `WWW-Authenticate: Bearer error="invalid_token"` causes one shared refresh and one replay.
    pub fn fetch(&self, input: JsValue, init: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move { authorized_fetch(&inner, input, init).await })
    }

    /// `POST {authPath}/logout`, then every tab signs out.
    pub fn logout(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let _ = post_auth(&inner, "logout", None).await;
            end(&inner, "logout", true);
            state(&inner)
        })
    }

    /// `{ status, expiresAt, refreshAt, receivedAt, scope, subject, clockOffset, failures }`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        state(&self.inner)
    }

    /// Events: `change`, `refresh` (detail.source: "refresh" | "shared" | "login" | "accept"),
    /// `refreshfailed`, `replay`, `logout` (detail.reason).
    #[wasm_bindgen(js_name = addEventListener)]
    pub fn add_event_listener(&self, kind: &str, handler: &Function) -> Result<(), JsValue> {
        self.inner.events.add_event_listener_with_callback(kind, handler)
    }

    #[wasm_bindgen(js_name = removeEventListener)]
    pub fn remove_event_listener(&self, kind: &str, handler: &Function) -> Result<(), JsValue> {
        self.inner.events.remove_event_listener_with_callback(kind, handler)
    }
}

fn state(inner: &Inner) -> Result<JsValue, JsValue> {
    convert::to_js(&inner.session.borrow().state(now_ms())).js()
}

fn emit(inner: &Inner, kind: &str, detail: JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(kind, &init) {
        let _ = inner.events.dispatch_event(&event);
    }
}

fn post(inner: &Inner, message: &JsValue) {
    if let Some(channel) = &inner.channel {
        let _ = channel.post_message(message);
    }
}

fn share(inner: &Inner, token: &SharedToken) {
    if let Ok(token) = convert::to_js(token) {
        post(inner, &object(&[("type", "token".into()), ("token", token)]));
    }
}

fn accept_js(inner: &Rc<Inner>, response: JsValue, source: &str) -> Result<(), JsValue> {
    let response: TokenResponse = serde_wasm_bindgen::from_value(response).map_err(|_| to_js(Error::malformed("not a token response")))?;
    let shared = inner.session.borrow_mut().accept(&response, now_ms(), jitter()).js()?;
    share(inner, &shared);
    schedule(inner);
    emit(inner, "refresh", object(&[("source", source.into())]));
    emit(inner, "change", state(inner)?);
    Ok(())
}

/// Signs this tab out; `broadcast` tells the others.
fn end(inner: &Rc<Inner>, reason: &str, broadcast: bool) {
    let was_signed_in = inner.session.borrow().is_signed_in();
    inner.session.borrow_mut().sign_out();
    clear_timer(inner);
    if broadcast {
        post(inner, &object(&[("type", "logout".into()), ("reason", reason.into())]));
    }
    if was_signed_in || broadcast {
        emit(
            inner,
            "logout",
            object(&[
                ("reason", reason.into()),
                ("source", if broadcast { "this-tab" } else { "other-tab" }.into()),
            ]),
        );
        if let Ok(state) = state(inner) {
            emit(inner, "change", state);
        }
    }
}

fn clear_timer(inner: &Inner) {
    if let (Some(id), Some(clear)) = (inner.timer.take(), global_fn("clearTimeout")) {
        let _ = clear.call1(&JsValue::UNDEFINED, &id.into());
    }
}

/// Acts on the state machine's next step: refresh now, or set one timer.
fn schedule(inner: &Rc<Inner>) {
    clear_timer(inner);
    let next = inner.session.borrow().next(now_ms());
    match next {
        Next::Idle => {}
        Next::Refresh => {
            let inner = Rc::clone(inner);
            wasm_bindgen_futures::spawn_local(async move {
                let _ = refresh(&inner).await;
            });
        }
        Next::WakeAt(at) => {
            // Timers are capped (and throttled in background tabs): wake at least hourly.
            let delay = (at - now_ms()).clamp(0.0, 3_600_000.0);
            let weak = Rc::downgrade(inner);
            let callback = Closure::once_into_js(move || {
                if let Some(inner) = weak.upgrade() {
                    inner.timer.set(None);
                    schedule(&inner);
                }
            });
            if let Some(set_timeout) = global_fn("setTimeout") {
                let id = set_timeout
                    .call2(&JsValue::UNDEFINED, &callback, &delay.into())
                    .ok()
                    .and_then(|v| v.as_f64());
                inner.timer.set(id);
            }
        }
    }
}

/// `POST {authPath}/{endpoint}` with the CSRF header; the cookie goes along (same origin).
async fn post_auth(inner: &Inner, endpoint: &str, body: Option<JsValue>) -> Result<web_sys::Response, JsValue> {
    let headers = object(&[("tessera-request", "1".into())]);
    if body.is_some() {
        let _ = Reflect::set(&headers, &"content-type".into(), &"application/json".into());
    }
    let init = object(&[
        ("method", "POST".into()),
        ("credentials", "same-origin".into()),
        ("headers", headers),
        ("cache", "no-store".into()),
    ]);
    if let Some(body) = body {
        let _ = Reflect::set(&init, &"body".into(), &body);
    }
    let fetch = global_fn("fetch").ok_or_else(|| JsValue::from_str("no fetch"))?;
    let promise: Promise = fetch
        .call2(&JsValue::UNDEFINED, &format!("{}/{endpoint}", inner.auth_path).into(), &init)?
        .into();
    JsFuture::from(promise).await?.dyn_into()
}

/// Runs `work` while holding this session's Web Lock (so refreshes and logins of all tabs of
/// the origin never overlap). Without Web Locks (old browsers, insecure contexts) it just runs.
async fn with_lock<F>(inner: &Inner, work: F) -> Result<JsValue, JsValue>
where
    F: std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
{
    let run = Closure::once_into_js(move |_lock: JsValue| -> Promise { future_to_promise(work) });
    let run: Function = run.unchecked_into();
    let promise = match lock_request(&inner.lock_name, &run) {
        Ok(promise) => promise,
        Err(_) => run.call1(&JsValue::UNDEFINED, &JsValue::NULL)?.into(),
    };
    JsFuture::from(promise).await
}

/// One refresh at a time in this tab (single flight) and across tabs (the Web Lock).
async fn refresh(inner: &Rc<Inner>) -> Result<(), JsValue> {
    let pending = inner.in_flight.borrow().clone();
    if let Some(pending) = pending {
        return JsFuture::from(pending).await.map(drop);
    }
    let requested = now_ms();
    let weak = Rc::downgrade(inner);
    let promise = future_to_promise({
        let inner = Rc::clone(inner);
        async move {
            with_lock(&inner, async move {
                if let Some(inner) = weak.upgrade() {
                    locked_refresh(&inner, requested).await;
                }
                Ok(JsValue::UNDEFINED)
            })
            .await
        }
    });
    *inner.in_flight.borrow_mut() = Some(promise.clone());
    let result = JsFuture::from(promise).await;
    inner.in_flight.borrow_mut().take();
    result.map(drop)
}

async fn locked_refresh(inner: &Rc<Inner>, requested: f64) {
    sleep(SETTLE_MS).await;
    // Another tab refreshed while this one waited for the lock: its token was shared.
    let fresh = inner.session.borrow().shared().is_some_and(|t| t.received_at >= requested);
    if fresh {
        schedule(inner);
        return;
    }
    // The token held when this refresh started: an answer about an older state of the session
    // (a 401 that raced a login, or another tab's newer token) must not override a newer token.
    let held_at_start = inner.session.borrow().shared().map(|t| t.received_at);
    let response = post_auth(inner, "refresh", None).await;
    let superseded = inner.session.borrow().shared().map(|t| t.received_at) != held_at_start;
    // HTTP status for the refreshfailed event (0: the request itself failed).
    let status = response.as_ref().map_or(0, web_sys::Response::status);
    let failure = match response {
        Ok(response) if status == 200 => match response.json() {
            Ok(json) => match JsFuture::from(json).await {
                Ok(json) if accept_js(inner, json.clone(), "refresh").is_ok() => return,
                _ => Failure::Transient,
            },
            Err(_) => Failure::Transient,
        },
        Ok(_) if status == 401 => Failure::InvalidGrant,
        _ => Failure::Transient,
    };
    if superseded {
        schedule(inner);
        return;
    }
    let signed_in = inner.session.borrow().is_signed_in();
    if failure == Failure::InvalidGrant {
        if signed_in {
            end(inner, "invalid_grant", true);
        }
        return;
    }
    inner.session.borrow_mut().refresh_failed(failure, now_ms(), jitter());
    let failures = inner.session.borrow().state(now_ms()).failures;
    emit(
        inner,
        "refreshfailed",
        object(&[("failures", failures.into()), ("status", status.into())]),
    );
    schedule(inner);
}

fn is_invalid_token(response: &web_sys::Response) -> bool {
    response.status() == 401
        && response
            .headers()
            .get("www-authenticate")
            .ok()
            .flatten()
            .is_some_and(|h| h.to_ascii_lowercase().contains("error=\"invalid_token\""))
}

async fn authorized_fetch(inner: &Rc<Inner>, input: JsValue, init: JsValue) -> Result<JsValue, JsValue> {
    let constructor = global_fn("Request").ok_or_else(|| JsValue::from_str("no Request"))?;
    let args = js_sys::Array::of2(&input, &if init.is_undefined() { Object::new().into() } else { init });
    let request: web_sys::Request = Reflect::construct(&constructor, &args)?.dyn_into()?;
    // A copy for the one replay; a body that cannot be cloned just is not replayed.
    let spare = request.clone().ok();
    let token = current_token(inner).await;
    let response = send(&request, token.as_deref()).await?;
    let (Some(spare), Some(used)) = (spare, token) else {
        return Ok(response.into());
    };
    if !is_invalid_token(&response) {
        return Ok(response.into());
    }
    // Refresh once (shared), unless another refresh already replaced the rejected token.
    if inner.session.borrow().token(now_ms()) == Some(used.as_str()) {
        refresh(inner).await?;
    }
    let Some(fresh) = inner.session.borrow().token(now_ms()).map(str::to_string) else {
        return Ok(response.into());
    };
    emit(inner, "replay", object(&[("url", spare.url().into())]));
    Ok(send(&spare, Some(&fresh)).await?.into())
}

/// The token to attach, refreshing first if the held one has expired.
async fn current_token(inner: &Rc<Inner>) -> Option<String> {
    let token = inner.session.borrow().token(now_ms()).map(str::to_string);
    if token.is_some() || !inner.session.borrow().is_signed_in() {
        return token;
    }
    let _ = refresh(inner).await;
    inner.session.borrow().token(now_ms()).map(str::to_string)
}

async fn send(request: &web_sys::Request, token: Option<&str>) -> Result<web_sys::Response, JsValue> {
    if let Some(token) = token {
        request.headers().set("authorization", &format!("Bearer {token}"))?;
    }
    let fetch = global_fn("fetch").ok_or_else(|| JsValue::from_str("no fetch"))?;
    let promise: Promise = fetch.call1(&JsValue::UNDEFINED, request)?.into();
    JsFuture::from(promise).await?.dyn_into()
}

/// BroadcastChannel messages from other tabs, and the wake-up events of this one.
fn listen(inner: &Rc<Inner>) {
    let weak: Weak<Inner> = Rc::downgrade(inner);
    let on_message = Listener::new(move |event: JsValue| {
        let Some(inner) = weak.upgrade() else { return };
        let data = Reflect::get(&event, &"data".into()).unwrap_or(JsValue::UNDEFINED);
        let kind = Reflect::get(&data, &"type".into())
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        match kind.as_str() {
            "token" => {
                let token = Reflect::get(&data, &"token".into())
                    .ok()
                    .and_then(|t| serde_wasm_bindgen::from_value::<SharedToken>(t).ok());
                if let Some(token) = token {
                    if inner.session.borrow_mut().adopt(token, jitter()) {
                        schedule(&inner);
                        emit(&inner, "refresh", object(&[("source", "shared".into())]));
                        if let Ok(state) = state(&inner) {
                            emit(&inner, "change", state);
                        }
                    }
                }
            }
            "logout" => {
                let reason = Reflect::get(&data, &"reason".into())
                    .ok()
                    .and_then(|r| r.as_string())
                    .unwrap_or_else(|| "logout".into());
                end(&inner, &reason, false);
            }
            "hello" => {
                let shared = inner.session.borrow().token(now_ms()).and(inner.session.borrow().shared().cloned());
                if let Some(token) = shared {
                    share(&inner, &token);
                }
            }
            _ => {}
        }
    });
    if let Some(channel) = &inner.channel {
        let _ = channel.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    }
    inner.listeners.borrow_mut().push(on_message);

    // Sleeping laptops and background tabs: re-check at once when the page comes back.
    let weak: Weak<Inner> = Rc::downgrade(inner);
    let on_wake = Listener::new(move |_event: JsValue| {
        let Some(inner) = weak.upgrade() else { return };
        let hidden = web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden());
        if !hidden && inner.started.get() {
            inner.session.borrow_mut().wake();
            schedule(&inner);
        }
    });
    if let Some(window) = web_sys::window() {
        for kind in ["pageshow", "online", "focus"] {
            let _ = window.add_event_listener_with_callback(kind, on_wake.as_ref().unchecked_ref());
        }
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback("visibilitychange", on_wake.as_ref().unchecked_ref());
        }
    }
    inner.listeners.borrow_mut().push(on_wake);
}
