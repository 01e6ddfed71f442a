//! Fetching a remote JWK Set with the runtime's global `fetch` (browsers, Node 18+, workerd,
//! Deno), feeding the result to the core's [`RemoteJwks`](crate::remote::RemoteJwks).

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::error::{Error, ErrorCode, Result};
use crate::remote::MAX_RESPONSE_BYTES;

/// How long one key set fetch may take.
const TIMEOUT_MS: u32 = 5_000;

fn fetch_error(message: &'static str) -> Error {
    Error::new(ErrorCode::JwksFetch, message)
}

/// Whether this is Cloudflare's workerd, where a promise for I/O started by one request must
/// not be awaited by another.
pub(crate) fn is_workerd() -> bool {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or(JsValue::UNDEFINED);
    if !navigator.is_object() {
        return false;
    }
    Reflect::get(&navigator, &"userAgent".into())
        .ok()
        .and_then(|ua| ua.as_string())
        .as_deref()
        == Some("Cloudflare-Workers")
}

/// GETs `url`; returns the status and body (at most [`MAX_RESPONSE_BYTES`] + 1 bytes kept).
pub(crate) async fn get(url: &str) -> Result<(u16, Vec<u8>)> {
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| fetch_error("this runtime has no global fetch"))?;
    let init = js_sys::Object::new();
    let headers = js_sys::Object::new();
    let _ = Reflect::set(&headers, &"accept".into(), &"application/json, application/jwk-set+json".into());
    let _ = Reflect::set(&init, &"headers".into(), &headers);
    let _ = Reflect::set(&init, &"redirect".into(), &"manual".into());
    let _ = Reflect::set(&init, &"signal".into(), &web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS));
    let promise = fetch
        .call2(&global, &url.into(), &init)
        .map_err(|_| fetch_error("the key set fetch could not start"))?;
    let response: web_sys::Response = JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map_err(|_| fetch_error("the key set fetch failed"))?
        .dyn_into()
        .map_err(|_| fetch_error("fetch did not return a Response"))?;
    let status = response.status();
    let buffer = response
        .array_buffer()
        .map_err(|_| fetch_error("the key set response could not be read"))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|_| fetch_error("the key set response could not be read"))?;
    let bytes = Uint8Array::new(&buffer);
    let length = (bytes.length() as usize).min(MAX_RESPONSE_BYTES + 1);
    let mut body = vec![0u8; length];
    bytes.subarray(0, length as u32).copy_to(&mut body);
    Ok((status, body))
}
