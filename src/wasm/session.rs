//! The session role for JavaScript: `SessionCore`, the core [`Session`] with JavaScript values
//! at its edges. Every object it reads is a plain data copy the glue made (`JSON.parse` of a
//! response body, `structuredClone`-d channel data, a JSON round trip of the options), so reading
//! a member runs no user code. The glue does the timers, fetches, locks, channel and events.

mod channel;
mod data;
mod dpop;

use alloc::string::{String, ToString};

use js_sys::Object;
use wasm_bindgen::prelude::*;

use data::{jitter, optional_time, peek, set, token_message, Data};

use super::error::IntoJs;
use super::time;
use crate::session::{Answer, Next, Outcome, Reaction, Session, SessionOptions, Ticket, TokenResponse};

/// The browser session's state machine.
#[wasm_bindgen]
pub struct SessionCore {
    session: Session,
}

#[wasm_bindgen]
impl SessionCore {
    /// `options`: a plain data copy of the options; `page_origin`: `location.origin`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, page_origin: String) -> Result<SessionCore, JsValue> {
        let mut read = SessionOptions::read(&Data(&options), page_origin);
        if options.is_object() {
            for name in Object::keys(options.unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()) {
                read.member_name(name);
            }
        }
        let session = Session::new(&read).js()?;
        Ok(SessionCore { session })
    }

    /// `{authPath}/{name}`.
    pub fn endpoint(&self, name: &str) -> String {
        self.session.endpoint(name)
    }

    #[wasm_bindgen(getter)]
    pub fn channel(&self) -> String {
        self.session.channel().to_string()
    }

    #[wasm_bindgen(getter, js_name = lockName)]
    pub fn lock_name(&self) -> String {
        self.session.lock_name()
    }

    /// Takes a token response (a `JSON.parse`d body; `jkt`: with DPoP, the thumbprint of the key
    /// whose proof obtained it) → the message to send the other tabs.
    pub fn accept(
        &mut self,
        response: JsValue,
        subject: Option<String>,
        iat: Option<f64>,
        jkt: JsValue,
        clock: f64,
    ) -> Result<JsValue, JsValue> {
        let peek = peek(subject, iat);
        let shared = self
            .session
            .accept(
                &TokenResponse::read(&Data(&response)),
                peek.clone(),
                jkt.as_string().as_deref(),
                time(clock),
                jitter(),
            )
            .js()?;
        Ok(token_message(shared, peek))
    }

    /// What to do next: `-1` nothing, `0` refresh now, else the time to wake up (ms).
    pub fn next(&self, clock: f64) -> f64 {
        match self.session.next(time(clock)) {
            Next::Idle => -1.0,
            Next::Refresh => 0.0,
            Next::WakeAt(at) => (at.millis() as f64).max(1.0),
        }
    }

    /// The token to attach to a request for `origin` (`URL.origin`), if any.
    #[wasm_bindgen(js_name = tokenFor)]
    pub fn token_for(&self, origin: &str, clock: f64) -> Option<String> {
        self.session.token_for(origin, time(clock)).map(str::to_string)
    }

    #[wasm_bindgen(js_name = needsRefreshToSend)]
    pub fn needs_refresh_to_send(&self, origin: &str, clock: f64) -> bool {
        self.session.needs_refresh_to_send(origin, time(clock))
    }

    /// A refresh starts: its ticket (the receipt time of the token held, `-1` for none).
    pub fn ticket(&self) -> f64 {
        let Ticket(at) = self.session.refresh_started();
        at.map_or(-1.0, |t| t.millis() as f64)
    }

    #[wasm_bindgen(js_name = stillNeeded)]
    pub fn still_needed(&self, requested: f64) -> bool {
        self.session.still_needed(time(requested))
    }

    /// The answer to the refresh with `ticket`: its status (`0`: the request failed) and its
    /// `JSON.parse`d body (`undefined` if none) → `{ outcome, failures, status, message }` where
    /// `outcome` is `refreshed` (send `message` to the other tabs), `superseded`, `signed-out` or
    /// `failed`.
    #[allow(clippy::too_many_arguments)]
    pub fn answered(
        &mut self,
        ticket: f64,
        status: u16,
        body: JsValue,
        subject: Option<String>,
        iat: Option<f64>,
        jkt: JsValue,
        clock: f64,
    ) -> JsValue {
        let ticket = Ticket((ticket >= 0.0).then(|| time(ticket)));
        let answer = match status {
            0 => Answer::Failed,
            status => Answer::Status(status, body.is_object().then(|| TokenResponse::read(&Data(&body)))),
        };
        let peek = peek(subject, iat);
        let result = Object::new();
        let outcome = self
            .session
            .refresh_answered(ticket, answer, peek.clone(), jkt.as_string().as_deref(), time(clock), jitter());
        let kind = match outcome {
            Outcome::Refreshed(token) => {
                set(&result, "message", token_message(token, peek));
                "refreshed"
            }
            Outcome::Superseded => "superseded",
            Outcome::Refused => "refused",
            Outcome::SignedOut => "signed-out",
            Outcome::Failed { failures, status } => {
                set(&result, "failures", failures);
                set(&result, "status", status);
                "failed"
            }
        };
        set(&result, "outcome", kind);
        result.into()
    }

    /// What to do with an API response: `0` deliver it, `1` refresh then replay, `2` replay,
    /// `3` replay with a new DPoP proof carrying the nonce (`new_nonce`: the response brought one).
    #[wasm_bindgen(js_name = apiResponse)]
    pub fn api_response(
        &mut self,
        origin: &str,
        sent: Option<String>,
        status: u16,
        challenge: Option<String>,
        new_nonce: bool,
        clock: f64,
    ) -> u8 {
        match self
            .session
            .api_response(origin, sent.as_deref(), status, challenge.as_deref(), new_nonce, time(clock))
        {
            Reaction::Deliver => 0,
            Reaction::RefreshAndReplay => 1,
            Reaction::Replay => 2,
            Reaction::ReplayWithNonce => 3,
        }
    }

    /// A wake-up event (visible again, online, focus).
    pub fn wake(&mut self, clock: f64) {
        self.session.wake(time(clock));
    }

    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(&mut self) {
        self.session.sign_out();
    }

    #[wasm_bindgen(getter, js_name = signedIn)]
    pub fn signed_in(&self) -> bool {
        self.session.is_signed_in()
    }

    /// `session.state` at `clock`, as a new object.
    pub fn state(&self, clock: f64) -> JsValue {
        let state = self.session.state(time(clock));
        let object = Object::new();
        set(&object, "status", state.status);
        set(&object, "expiresAt", optional_time(state.expires_at));
        set(&object, "refreshAt", optional_time(state.refresh_at));
        set(&object, "receivedAt", optional_time(state.received_at));
        set(&object, "sessionExpiresAt", optional_time(state.session_expires_at));
        set(&object, "scope", state.scope.map_or(JsValue::NULL, JsValue::from));
        set(&object, "subject", state.subject.map_or(JsValue::NULL, JsValue::from));
        set(&object, "clockOffset", state.clock_offset.map_or(JsValue::NULL, JsValue::from));
        set(&object, "failures", state.failures);
        object.into()
    }
}
