//! Plain JavaScript data (a `JSON.parse`d body, structured-clone channel data, a JSON round trip
//! of options) read into the core's types, and the core's messages written out as objects.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::session::message::Fields;
use crate::session::plain::{PlainData, WrongType};
use crate::session::{Peek, SharedToken, TabMessage};
use crate::time::Time;

/// A member of a data object: `Ok(None)` when absent or `null` (or `object` is not an object),
/// `Err` when it cannot be read.
fn member(object: &JsValue, name: &str) -> Result<Option<JsValue>, WrongType> {
    if !object.is_object() {
        return Ok(None);
    }
    match Reflect::get(object, &name.into()) {
        Ok(value) if value.is_undefined() || value.is_null() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(_) => Err(WrongType),
    }
}

/// A plain data object (a `JSON.parse`d body, structured-clone channel data, a JSON round trip
/// of options): reading a member runs no user code.
pub(super) struct Data<'a>(pub &'a JsValue);

impl PlainData for Data<'_> {
    fn string(&self, name: &str) -> Result<Option<String>, WrongType> {
        member(self.0, name)?.map(|v| v.as_string().ok_or(WrongType)).transpose()
    }

    fn number(&self, name: &str) -> Result<Option<f64>, WrongType> {
        member(self.0, name)?.map(|v| v.as_f64().ok_or(WrongType)).transpose()
    }

    fn boolean(&self, name: &str) -> Result<Option<bool>, WrongType> {
        member(self.0, name)?.map(|v| v.as_bool().ok_or(WrongType)).transpose()
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, WrongType> {
        let Some(value) = member(self.0, name)? else { return Ok(None) };
        if !js_sys::Array::is_array(&value) {
            return Err(WrongType);
        }
        js_sys::Array::from(&value)
            .iter()
            .map(|item| item.as_string().ok_or(WrongType))
            .collect::<Result<Vec<_>, WrongType>>()
            .map(Some)
    }
}

pub(super) fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &name.into(), &value.into());
}

pub(super) fn optional_time(time: Option<Time>) -> JsValue {
    time.map_or(JsValue::NULL, |t| JsValue::from(t.millis() as f64))
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
    TabMessage::decode(Fields::read(&Data(data))?)
}

pub(super) fn token_message(token: SharedToken, peek: Peek) -> JsValue {
    message_object(&TabMessage::Token(token, peek))
}

/// Randomness for the core's jitter, from the platform.
pub(super) fn jitter() -> f64 {
    js_sys::Math::random()
}
