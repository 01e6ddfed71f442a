//! The one conversion of [`crate::Error`] into a JavaScript `Error`.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::error::Error;

/// A real `Error` (with a stack) named `TesseraError`, with `code` and, for claim or option
/// errors, `claim`.
pub(crate) fn to_js(error: Error) -> JsValue {
    let js = js_sys::Error::new(error.message());
    js.set_name("TesseraError");
    let object: &JsValue = js.as_ref();
    // Setting a property on a fresh Error object cannot fail; ignore the impossible error.
    let _ = Reflect::set(object, &"code".into(), &error.code().as_str().into());
    if let Some(claim) = error.claim_name() {
        let _ = Reflect::set(object, &"claim".into(), &claim.into());
    }
    js.into()
}

/// `Result<T, Error>` → `Result<T, JsValue>`, for `?` in binding functions.
pub(crate) trait IntoJs<T> {
    fn js(self) -> Result<T, JsValue>;
}

impl<T> IntoJs<T> for Result<T, Error> {
    fn js(self) -> Result<T, JsValue> {
        self.map_err(to_js)
    }
}
