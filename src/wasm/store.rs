//! The stores an authority talks to from JavaScript: the embedded `MemoryStoreCore`, or the
//! glue's adapter around a custom store (`get(key) → Promise<JSON text | null>`,
//! `put(key, JSON text, expected, ttl) → Promise<bool>`, functions that never throw: every call of
//! user code happens inside them, in a `try`).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::error::IntoJs;
use super::time;
use crate::authority::store::{MemoryStore, Store};
use crate::error::{Error, ErrorCode, Result};
use crate::time::Time;

fn unavailable() -> Error {
    Error::new(ErrorCode::StoreUnavailable, "the session store is unavailable")
}

/// The embedded store.
#[wasm_bindgen]
#[derive(Clone, Default)]
pub struct MemoryStoreCore {
    inner: Rc<RefCell<MemoryStore>>,
}

#[wasm_bindgen]
impl MemoryStoreCore {
    #[wasm_bindgen(constructor)]
    pub fn new() -> MemoryStoreCore {
        MemoryStoreCore::default()
    }

    /// Another handle on the same records (to hand to an authority).
    pub fn share(&self) -> MemoryStoreCore {
        self.clone()
    }

    /// The record as JSON text, or `undefined`.
    pub fn get(&self, key: &str, clock: f64) -> Option<String> {
        let record = self.inner.borrow_mut().get(key, time(clock))?;
        serde_json::to_string(&record).ok()
    }

    /// Compare-and-set of a record given as JSON text.
    pub fn put(&self, key: &str, record: &str, expected: Option<f64>, ttl: f64, clock: f64) -> Result<bool, JsValue> {
        let value: Value = serde_json::from_str(record)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| Error::invalid_options("MemoryStore put: the record must be a JSON object"))
            .js()?;
        let expected = expected.filter(|g| g.is_finite() && *g >= 0.0).map(|g| g as u64);
        let ttl = if ttl.is_finite() { ttl as i64 } else { 1 };
        Ok(self.inner.borrow_mut().put(key, value, expected, ttl, time(clock)))
    }

    /// Live and not-yet-swept records.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.borrow().len()
    }
}

/// The store an authority talks to.
pub(super) enum Backend {
    Memory(MemoryStoreCore),
    /// The glue's adapter around a custom store.
    Adapter {
        get: Function,
        put: Function,
    },
}

pub(super) async fn awaited(called: std::result::Result<JsValue, JsValue>) -> Result<JsValue> {
    let promise = Promise::resolve(&called.map_err(|_| unavailable())?);
    JsFuture::from(promise).await.map_err(|_| unavailable())
}

impl Store for Backend {
    async fn get(&self, key: &str, now: Time) -> Result<Option<Value>> {
        match self {
            Backend::Memory(memory) => Ok(memory.inner.borrow_mut().get(key, now)),
            Backend::Adapter { get, .. } => {
                let text = awaited(get.call1(&JsValue::UNDEFINED, &key.into())).await?;
                match text.as_string() {
                    None => Ok(None),
                    // A record that is not JSON is corruption: 503.
                    Some(text) => serde_json::from_str(&text).map(Some).map_err(|_| unavailable()),
                }
            }
        }
    }

    async fn put(&self, key: &str, value: Value, expected: Option<u64>, ttl: i64, now: Time) -> Result<bool> {
        match self {
            Backend::Memory(memory) => Ok(memory.inner.borrow_mut().put(key, value, expected, ttl, now)),
            Backend::Adapter { put, .. } => {
                let text = serde_json::to_string(&value).map_err(|_| unavailable())?;
                let expected = expected.map_or(JsValue::NULL, |g| JsValue::from(g as f64));
                let args = js_sys::Array::of4(&key.into(), &text.into(), &expected, &JsValue::from(ttl as f64));
                let written = awaited(put.apply(&JsValue::UNDEFINED, &args)).await?;
                written.as_bool().ok_or_else(unavailable)
            }
        }
    }
}
