//! The one conversion of [`crate::Error`] into a JavaScript value: an instance of the package's
//! `TesseraError` class (`code`, `message`, `claim`), which the glue hands over once, right after
//! the module is instantiated.

use std::cell::RefCell;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::Error;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Sets the class errors are made with: `new TesseraError(code, message, claim)`.
#[wasm_bindgen(js_name = __setErrorClass)]
pub fn set_error_class(class: Function) {
    ERROR_CLASS.with(|slot| slot.replace(Some(class)));
}

/// A `TesseraError` for `error` (before the class is set, a plain `Error` with the same members).
pub(crate) fn to_js(error: Error) -> JsValue {
    let claim = error.claim_name().map_or(JsValue::UNDEFINED, JsValue::from);
    let args = Array::of3(&error.code().as_str().into(), &error.message().into(), &claim);
    let made = ERROR_CLASS.with(|slot| slot.borrow().as_ref().and_then(|class| Reflect::construct(class, &args).ok()));
    made.unwrap_or_else(|| {
        let plain = js_sys::Error::new(error.message());
        plain.set_name("TesseraError");
        let _ = Reflect::set(&plain, &"code".into(), &error.code().as_str().into());
        let _ = Reflect::set(&plain, &"claim".into(), &claim);
        plain.into()
    })
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
