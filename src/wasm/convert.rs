//! Conversions between JS values and the core's types.

use js_sys::{JsString, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{Error, ErrorCode, Result};
use crate::jws;

/// Reads an options object. `undefined`/`null` give the defaults when `optional`. Unknown or
/// ill-typed options are `ERR_INVALID_OPTIONS` naming the option (as `claim` too).
pub(crate) fn options<T: DeserializeOwned + Default>(value: JsValue, optional: bool, what: &'static str) -> Result<T> {
    if value.is_undefined() || value.is_null() {
        return if optional {
            Ok(T::default())
        } else {
            Err(Error::invalid_options(format!("{what} options are required")))
        };
    }
    deserialize(value, what)
}

/// Reads a required options object that has no defaults.
pub(crate) fn deserialize_required<T: DeserializeOwned>(value: JsValue, what: &'static str) -> Result<T> {
    if value.is_undefined() || value.is_null() {
        return Err(Error::invalid_options(format!("{what} options are required")));
    }
    deserialize(value, what)
}

pub(crate) fn deserialize<T: DeserializeOwned>(value: JsValue, what: &'static str) -> Result<T> {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(Error::invalid_options(format!("{what} options must be an object")));
    }
    // Through a JSON value first: serde-wasm-bindgen reads only the fields a struct declares,
    // so unknown options would pass silently; serde_json's deserializer honours
    // `deny_unknown_fields`.
    let json: Value = serde_wasm_bindgen::from_value(value)
        .map_err(|_| Error::invalid_options(format!("{what} options must be a plain, JSON-compatible object")))?;
    crate::options::from_json(&json, what)
}

/// A JS object as a JSON object (for claims).
pub(crate) fn object(value: JsValue, name: &'static str) -> Result<Map<String, Value>> {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(Error::claim(ErrorCode::InvalidOptions, name, format!("{name} must be an object")));
    }
    match serde_wasm_bindgen::from_value::<Value>(value) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::claim(
            ErrorCode::InvalidOptions,
            name,
            format!("{name} must be a plain JSON-compatible object"),
        )),
    }
}

/// A JSON value as a plain JS value (objects, not Maps).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| Error::malformed("value cannot be represented in JavaScript"))
}

/// JSON text (already checked by serde_json) as a new JS value, by `JSON.parse`.
pub(crate) fn parse_json(json: &str) -> Result<JsValue> {
    js_sys::JSON::parse(json).map_err(|_| Error::malformed("value cannot be represented in JavaScript"))
}

#[wasm_bindgen]
extern "C" {
    /// The platform's `TextEncoder` (browsers, Node, Deno, workerd).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &JsString, destination: &Uint8Array) -> EncodeResult;

    /// `{ read, written }` of `encodeInto`.
    type EncodeResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeResult) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> u32;
}

thread_local! {
    /// An encoder and a JS-side buffer a little larger than the largest token accepted.
    static ENCODER: (TextEncoder, Uint8Array) = (TextEncoder::new(), Uint8Array::new_with_length(TOKEN_BUFFER));
}

const TOKEN_BUFFER: u32 = jws::MAX_TOKEN_LEN as u32 + 4;

/// A token argument must be a string. Read with one `TextEncoder.encodeInto` into a JS buffer
/// and one copy: wasm-bindgen's own string passing copies character by character in JS, which
/// was a third of a cache hit. A string longer than the buffer is refused as too large, as
/// `jws::parse_compact` would refuse it.
pub(crate) fn token(value: &JsValue) -> Result<String> {
    let text = value
        .dyn_ref::<JsString>()
        .ok_or_else(|| Error::malformed("the token must be a string"))?;
    let too_large = || Error::malformed("token is too large");
    if text.length() > jws::MAX_TOKEN_LEN as u32 {
        return Err(too_large());
    }
    let bytes = ENCODER.with(|(encoder, buffer)| {
        let result = encoder.encode_into(text, buffer);
        (result.read() == text.length()).then(|| buffer.subarray(0, result.written()).to_vec())
    });
    // Lone surrogates became U+FFFD, as wasm-bindgen's string conversion does.
    String::from_utf8(bytes.ok_or_else(too_large)?).map_err(|_| Error::malformed("the token must be a string"))
}

/// The runtime's clock in unix seconds.
pub(crate) fn now() -> f64 {
    js_sys::Date::now() / 1000.0
}
