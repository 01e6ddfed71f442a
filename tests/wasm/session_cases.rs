// TokenSession's web-sys layer in a real browser (wasm-pack test --headless --chrome):
// events, state, BroadcastChannel sharing and cross-session logout.

use js_sys::{Function, Reflect};
use tessera::wasm::JsTokenSession;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or(JsValue::UNDEFINED)
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

fn token_response(sub: &str) -> JsValue {
    let payload = tessera::b64::encode(format!(r#"{{"sub":"{sub}","iat":1}}"#).as_bytes());
    obj(&format!(
        r#"{{"access_token":"eyJhbGciOiJFUzI1NiJ9.{payload}.c2ln","token_type":"Bearer","expires_in":300,"scope":"read"}}"#
    ))
}

/// Collects the event kinds a session emits.
fn recorder(session: &JsTokenSession) -> js_sys::Array {
    let log = js_sys::Array::new();
    for kind in ["change", "refresh", "logout", "replay", "refreshfailed"] {
        let sink = log.clone();
        let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let detail = get(&event, "detail");
            let source = get(&detail, "source")
                .as_string()
                .or_else(|| get(&detail, "reason").as_string())
                .unwrap_or_default();
            sink.push(&format!("{kind}:{source}").into());
        });
        session
            .add_event_listener(kind, handler.as_ref().unchecked_ref::<Function>())
            .unwrap();
        handler.forget();
    }
    log
}

fn strings(log: &js_sys::Array) -> Vec<String> {
    log.iter().filter_map(|v| v.as_string()).collect()
}

#[wasm_bindgen_test]
async fn accept_shares_with_other_sessions_and_logout_reaches_them() {
    let options = obj(r#"{"authPath":"/auth","channel":"wasm-test-share"}"#);
    let a = JsTokenSession::new(options.clone()).unwrap();
    let b = JsTokenSession::new(options).unwrap();
    let (log_a, log_b) = (recorder(&a), recorder(&b));
    let state = a.accept(token_response("alice")).unwrap();
    assert_eq!(get(&state, "status").as_string().as_deref(), Some("signed-in"));
    assert_eq!(get(&state, "subject").as_string().as_deref(), Some("alice"));
    assert!(strings(&log_a).contains(&"refresh:accept".to_string()));
    sleep(100).await;
    assert!(strings(&log_b).contains(&"refresh:shared".to_string()), "{:?}", strings(&log_b));
    assert_eq!(get(&b.state().unwrap(), "status").as_string().as_deref(), Some("signed-in"));
    // Logout (the POST fails here: no server) still signs out both sessions.
    let _ = JsFuture::from(a.logout()).await;
    sleep(100).await;
    assert_eq!(get(&a.state().unwrap(), "status").as_string().as_deref(), Some("signed-out"));
    assert_eq!(get(&b.state().unwrap(), "status").as_string().as_deref(), Some("signed-out"));
    assert!(strings(&log_b).contains(&"logout:other-tab".to_string()), "{:?}", strings(&log_b));
}

#[wasm_bindgen_test]
fn bad_input_is_refused_without_state_change() {
    let session = JsTokenSession::new(obj(r#"{"channel":"wasm-test-bad"}"#)).unwrap();
    let error = session
        .accept(obj(r#"{"access_token":"x","token_type":"mac","expires_in":300}"#))
        .unwrap_err();
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("ERR_MALFORMED"));
    assert_eq!(get(&session.state().unwrap(), "status").as_string().as_deref(), Some("signed-out"));
    let error = JsTokenSession::new(obj(r#"{"refreshMargin":"soon"}"#)).err().unwrap();
    assert_eq!(get(&error, "claim").as_string().as_deref(), Some("refreshMargin"));
    assert!(JsTokenSession::new(obj(r#"{"authPath":"auth"}"#)).is_err());
}

#[wasm_bindgen_test]
async fn a_new_session_gets_the_token_from_another_tab_on_start() {
    let options = obj(r#"{"authPath":"/no-such-auth","channel":"wasm-test-hello"}"#);
    let a = JsTokenSession::new(options.clone()).unwrap();
    a.accept(token_response("carol")).unwrap();
    let b = JsTokenSession::new(options).unwrap();
    let state = JsFuture::from(b.start()).await.unwrap();
    assert_eq!(get(&state, "status").as_string().as_deref(), Some("signed-in"));
    assert_eq!(get(&state, "subject").as_string().as_deref(), Some("carol"));
}
