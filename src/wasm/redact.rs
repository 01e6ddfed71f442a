//! `redact(text, { fingerprintKey })` for JavaScript: the core's log scrubbing (`crate::redact`).

use std::cell::OnceCell;

use wasm_bindgen::prelude::*;

use super::error::IntoJs;
use crate::error::{Error, ErrorCode};
use crate::redact::FingerprintKey;

thread_local! {
    /// The key of fingerprints when the caller sets none: random, made on first use.
    static DEFAULT_KEY: OnceCell<FingerprintKey> = const { OnceCell::new() };
}

/// `redact(text, options)` → the text with JWTs, refresh tokens, Bearer/Basic credentials, cookie
/// values and `access_token`/`refresh_token`/`id_token` values replaced by short fingerprints.
#[wasm_bindgen]
pub fn redact(text: JsValue, options: JsValue) -> Result<String, JsValue> {
    let text = text
        .as_string()
        .ok_or_else(|| Error::claim(ErrorCode::InvalidOptions, "text", "redact needs a string"))
        .js()?;
    let key = js_sys::Reflect::get(&options, &"fingerprintKey".into()).ok().filter(|k| !k.is_undefined() && !k.is_null());
    match key {
        Some(key) => {
            let bytes = key
                .as_string()
                .and_then(|k| crate::b64::decode(&k, "").ok())
                .ok_or_else(|| Error::claim(ErrorCode::InvalidOptions, "fingerprintKey", "option fingerprintKey must be base64url"))
                .js()?;
            Ok(crate::redact::redact(&text, &FingerprintKey::new(&bytes).js()?))
        }
        None => Ok(DEFAULT_KEY.with(|key| crate::redact::redact(&text, key.get_or_init(FingerprintKey::random)))),
    }
}
