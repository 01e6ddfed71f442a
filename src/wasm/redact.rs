//! `redact(text, options)` for JavaScript (the verify role; the authority build has it too).

use wasm_bindgen::prelude::*;

use super::error::IntoJs;
use crate::error::Error;
use crate::jose::b64;
use crate::options::Options;
use crate::redact::FingerprintKey;

thread_local! {
    /// The key of fingerprints when the caller sets none: random, made on first use in a place
    /// where random values are allowed (not workerd's global scope).
    static DEFAULT_KEY: std::cell::RefCell<Option<FingerprintKey>> = const { std::cell::RefCell::new(None) };
}

/// `redact(text, options)`: `options` as JSON text (`{ fingerprintKey }`, base64url).
#[wasm_bindgen]
pub fn redact(text: &str, options: &str) -> Result<String, JsValue> {
    let mut options = Options::parse(options, "redact").js()?;
    let key = options.string("fingerprintKey").js()?;
    options.finish().js()?;
    match key {
        Some(key) => {
            let bytes = b64::decode(&key, "")
                .map_err(|_| Error::option("redact", "fingerprintKey", "must be base64url"))
                .js()?;
            Ok(crate::redact::redact(text, &FingerprintKey::new(&bytes).js()?))
        }
        None => Ok(DEFAULT_KEY.with(|slot| {
            let mut slot = slot.borrow_mut();
            let key = match slot.take() {
                Some(key) => key,
                None => FingerprintKey::random(),
            };
            let out = crate::redact::redact(text, &key);
            // A key that fingerprints nothing (no random source yet) is not kept.
            if key.is_keyed() {
                *slot = Some(key);
            }
            out
        })),
    }
}
