//! `redact(text)` for JavaScript: the core's log scrubbing (`crate::redact`).

use wasm_bindgen::prelude::*;

use super::error::IntoJs;
use crate::error::{Error, ErrorCode};

/// `redact(text)` → the text with JWTs, refresh tokens, Bearer/Basic credentials, cookie values
/// and `access_token`/`refresh_token`/`id_token` values replaced by short fingerprints.
#[wasm_bindgen]
pub fn redact(text: JsValue) -> Result<String, JsValue> {
    let text = text
        .as_string()
        .ok_or_else(|| Error::claim(ErrorCode::InvalidOptions, "text", "redact needs a string"))
        .js()?;
    Ok(crate::redact::redact(&text))
}
