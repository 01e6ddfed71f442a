//! The session role for JavaScript: `SessionCore`, the core [`Session`] with JavaScript values
//! at its edges. Every object it reads is a plain data copy the glue made (`JSON.parse` of a
//! response body, `structuredClone`-d channel data, a JSON round trip of the options), so reading
//! a member runs no user code. The glue does the timers, fetches, locks, channel and events.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::error::IntoJs;
use super::time;
use crate::session::message::Fields;
use crate::session::{
    Answer, Heard, Next, Outcome, Peek, Reaction, Session, SessionOptions, SharedToken, TabMessage, Ticket, TokenResponse,
};
use crate::time::Time;

/// A member of a data object: `Ok(None)` when absent or `null`, `Err(())` when of another type.
fn member(object: &JsValue, name: &str) -> Result<Option<JsValue>, ()> {
    if !object.is_object() {
        return Ok(None);
    }
    match Reflect::get(object, &name.into()) {
        Ok(value) if value.is_undefined() || value.is_null() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(_) => Err(()),
    }
}

fn string(object: &JsValue, name: &str) -> Result<Option<String>, ()> {
    member(object, name)?.map(|v| v.as_string().ok_or(())).transpose()
}

fn number(object: &JsValue, name: &str) -> Result<Option<f64>, ()> {
    member(object, name)?.map(|v| v.as_f64().ok_or(())).transpose()
}

fn strings(object: &JsValue, name: &str) -> Result<Option<Vec<String>>, ()> {
    let Some(value) = member(object, name)? else { return Ok(None) };
    if !js_sys::Array::is_array(&value) {
        return Err(());
    }
    js_sys::Array::from(&value)
        .iter()
        .map(|item| item.as_string().ok_or(()))
        .collect::<Result<Vec<_>, ()>>()
        .map(Some)
}

fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &name.into(), &value.into());
}

fn optional_time(time: Option<Time>) -> JsValue {
    time.map_or(JsValue::NULL, |t| JsValue::from(t.millis() as f64))
}

/// A token response's members; a member of the wrong type makes the whole response empty (the
/// core then refuses it as malformed).
fn token_response(data: &JsValue) -> TokenResponse {
    let read = || -> Result<TokenResponse, ()> {
        Ok(TokenResponse {
            access_token: string(data, "access_token")?,
            token_type: string(data, "token_type")?,
            expires_in: number(data, "expires_in")?,
            scope: string(data, "scope")?,
            refresh_expires_in: number(data, "refresh_expires_in")?,
        })
    };
    read().unwrap_or_default()
}

fn peek(subject: Option<String>, iat: Option<f64>) -> Peek {
    Peek { subject, iat }
}

/// A channel message as a data object.
fn message_object(message: &TabMessage) -> JsValue {
    let fields = message.encode();
    let object = Object::new();
    let text = |value: Option<String>| value.map_or(JsValue::UNDEFINED, JsValue::from);
    let number = |value: Option<f64>| value.map_or(JsValue::UNDEFINED, JsValue::from);
    set(&object, "type", text(fields.kind));
    for (name, value) in [
        ("accessToken", text(fields.access_token)),
        ("receivedAt", number(fields.received_at)),
        ("expiresAt", number(fields.expires_at)),
        ("scope", text(fields.scope)),
        ("sessionExpiresAt", number(fields.session_expires_at)),
        ("subject", text(fields.subject)),
        ("iat", number(fields.iat)),
        ("reason", text(fields.reason)),
    ] {
        if !value.is_undefined() {
            set(&object, name, value);
        }
    }
    object.into()
}

fn message_of(data: &JsValue) -> Option<TabMessage> {
    TabMessage::decode(Fields {
        kind: string(data, "type").ok()?,
        access_token: string(data, "accessToken").ok()?,
        received_at: number(data, "receivedAt").ok()?,
        expires_at: number(data, "expiresAt").ok()?,
        scope: string(data, "scope").ok()?,
        session_expires_at: number(data, "sessionExpiresAt").ok()?,
        subject: string(data, "subject").ok()?,
        iat: number(data, "iat").ok()?,
        reason: string(data, "reason").ok()?,
    })
}

fn token_message(token: SharedToken, peek: Peek) -> JsValue {
    message_object(&TabMessage::Token(token, peek))
}

/// Randomness for the core's jitter, from the platform.
fn jitter() -> f64 {
    js_sys::Math::random()
}

/// The browser session's state machine.
#[wasm_bindgen]
pub struct SessionCore {
    session: Session,
    /// What the last `accept`/`answered` took from the token, for messages to other tabs.
    peek: Peek,
}

#[wasm_bindgen]
impl SessionCore {
    /// `options`: a plain data copy of the options; `page_origin`: `location.origin`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, page_origin: String) -> Result<SessionCore, JsValue> {
        let mut rejected = Vec::new();
        let mut read = SessionOptions {
            page_origin,
            ..SessionOptions::default()
        };
        macro_rules! take {
            ($field:ident, $reader:ident, $name:literal) => {
                match $reader(&options, $name) {
                    Ok(value) => read.$field = value,
                    Err(()) => rejected.push(($name.to_string(), true)),
                }
            };
        }
        take!(auth_path, string, "authPath");
        take!(refresh_margin, number, "refreshMargin");
        take!(channel, string, "channel");
        take!(api_origins, strings, "apiOrigins");
        if options.is_object() {
            for name in Object::keys(options.unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()) {
                if !matches!(name.as_str(), "authPath" | "refreshMargin" | "channel" | "apiOrigins") {
                    rejected.push((name, false));
                }
            }
        }
        read.rejected = rejected;
        let session = Session::new(&read).js()?;
        Ok(SessionCore {
            session,
            peek: Peek::default(),
        })
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

    /// Takes a token response (a `JSON.parse`d body) → the message to send the other tabs.
    pub fn accept(
        &mut self,
        response: JsValue,
        subject: Option<String>,
        iat: Option<f64>,
        clock: f64,
        jitter: f64,
    ) -> Result<JsValue, JsValue> {
        let peek = peek(subject, iat);
        let shared = self
            .session
            .accept(&token_response(&response), peek.clone(), time(clock), jitter)
            .js()?;
        self.peek = peek.clone();
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
    pub fn answered(&mut self, ticket: f64, status: u16, body: JsValue, subject: Option<String>, iat: Option<f64>, clock: f64) -> JsValue {
        let ticket = Ticket((ticket >= 0.0).then(|| time(ticket)));
        let answer = match status {
            0 => Answer::Failed,
            status => Answer::Status(status, body.is_object().then(|| token_response(&body))),
        };
        let peek = peek(subject, iat);
        let result = Object::new();
        let outcome = self.session.refresh_answered(ticket, answer, peek.clone(), time(clock), jitter());
        let kind = match outcome {
            Outcome::Refreshed(token) => {
                self.peek = peek.clone();
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

    /// What to do with an API response: `0` deliver it, `1` refresh then replay, `2` replay.
    #[wasm_bindgen(js_name = apiResponse)]
    pub fn api_response(&mut self, origin: &str, sent: Option<String>, status: u16, challenge: Option<String>, clock: f64) -> u8 {
        match self
            .session
            .api_response(origin, sent.as_deref(), status, challenge.as_deref(), time(clock))
        {
            Reaction::Deliver => 0,
            Reaction::RefreshAndReplay => 1,
            Reaction::Replay => 2,
        }
    }

    /// A message from another tab (structured-clone data) → `{ heard, message?, reason? }` where
    /// `heard` is `nothing`, `adopted`, `share` (send `message`) or `signed-out`.
    pub fn heard(&mut self, data: JsValue, clock: f64) -> JsValue {
        let result = Object::new();
        let heard = match message_of(&data) {
            None => Heard::Nothing,
            Some(message) => {
                if let TabMessage::Token(_, peek) = &message {
                    self.peek = peek.clone();
                }
                self.session.heard(message, time(clock), jitter())
            }
        };
        let kind = match heard {
            Heard::Nothing => "nothing",
            Heard::Adopted => "adopted",
            Heard::Share(token) => {
                set(&result, "message", token_message(token, self.peek.clone()));
                "share"
            }
            Heard::SignOut(reason) => {
                set(&result, "reason", reason);
                "signed-out"
            }
        };
        set(&result, "heard", kind);
        result.into()
    }

    /// The message a starting tab sends.
    #[wasm_bindgen(js_name = helloMessage)]
    pub fn hello_message() -> JsValue {
        message_object(&TabMessage::Hello)
    }

    /// The message that signs the other tabs out.
    #[wasm_bindgen(js_name = logoutMessage)]
    pub fn logout_message(reason: String) -> JsValue {
        message_object(&TabMessage::Logout(reason))
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
