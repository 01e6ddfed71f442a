//! The one conversion of [`crate::Error`] into a JavaScript value: an instance of the package's
//! `TesseraError` class (`code`, `message`, `claim`), constructed here through an import of the
//! glue's own module (`pkg/src/errors.js`), so that the wasm layer and the glue throw one class.

use wasm_bindgen::prelude::*;

use crate::error::Error;

#[wasm_bindgen(module = "/pkg/src/errors.js")]
extern "C" {
    /// `class TesseraError extends Error` of the package (a constructor that cannot throw).
    #[wasm_bindgen(js_name = TesseraError)]
    type JsTesseraError;

    #[wasm_bindgen(constructor, js_class = "TesseraError")]
    fn new(code: &str, message: &str, claim: Option<&str>) -> JsTesseraError;
}

/// A `TesseraError` for `error`.
pub(crate) fn to_js(error: Error) -> JsValue {
    JsTesseraError::new(error.code().as_str(), error.message(), error.claim_name()).into()
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
