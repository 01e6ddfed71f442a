//! Plain JavaScript data (a `JSON.parse`d body, structured-clone channel data, a JSON round trip
//! of options) read into the core's types, and the core's messages written out as objects.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::session::message::Fields;
use crate::session::{Peek, SharedToken, TabMessage, TokenResponse};
use crate::time::Time;

/// A member of a data object: `Ok(None)` when absent or `null`, `Err(())` when of another type.
pub(super) fn member(object: &JsValue, name: &str) -> Result<Option<JsValue>, ()> {
    if !object.is_object() {
        return Ok(None);
    }
    match Reflect::get(object, &name.into()) {
        Ok(value) if value.is_undefined() || value.is_null() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(_) => Err(()),
    }
}

pub(super) fn string(object: &JsValue, name: &str) -> Result<Option<String>, ()> {
    member(object, name)?.map(|v| v.as_string().ok_or(())).transpose()
}

pub(super) fn number(object: &JsValue, name: &str) -> Result<Option<f64>, ()> {
    member(object, name)?.map(|v| v.as_f64().ok_or(())).transpose()
}

pub(super) fn boolean(object: &JsValue, name: &str) -> Result<Option<bool>, ()> {
    member(object, name)?.map(|v| v.as_bool().ok_or(())).transpose()
}

pub(super) fn strings(object: &JsValue, name: &str) -> Result<Option<Vec<String>>, ()> {
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

pub(super) fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &name.into(), &value.into());
}

pub(super) fn optional_time(time: Option<Time>) -> JsValue {
    time.map_or(JsValue::NULL, |t| JsValue::from(t.millis() as f64))
}

/// A token response's members; a member of the wrong type makes the whole response empty (the
/// core then refuses it as malformed).
pub(super) fn token_response(data: &JsValue) -> TokenResponse {
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

pub(super) fn peek(subject: Option<String>, iat: Option<f64>) -> Peek {
    Peek { subject, iat }
}

/// A channel message as a data object.
pub(super) fn message_object(message: &TabMessage) -> JsValue {
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
        ("jkt", text(fields.jkt)),
        ("origin", text(fields.origin)),
        ("nonce", text(fields.nonce)),
    ] {
        if !value.is_undefined() {
            set(&object, name, value);
        }
    }
    object.into()
}

pub(super) fn message_of(data: &JsValue) -> Option<TabMessage> {
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
        jkt: string(data, "jkt").ok()?,
        origin: string(data, "origin").ok()?,
        nonce: string(data, "nonce").ok()?,
    })
}

pub(super) fn token_message(token: SharedToken, peek: Peek) -> JsValue {
    message_object(&TabMessage::Token(token, peek))
}

/// Randomness for the core's jitter, from the platform.
pub(super) fn jitter() -> f64 {
    js_sys::Math::random()
}
