// Binding-layer tests shared by the Node and the browser runs (wasm-pack test --node / --chrome).
// They drive the exported JS classes from Rust, so the conversions and the error mapping are
// exercised in a real JS engine.

use js_sys::{Promise, Reflect};
use tessera::wasm::{generate_key_pair, JsSigner, JsVerifier};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or(JsValue::UNDEFINED)
}

fn code(error: &JsValue) -> Option<String> {
    get(error, "code").as_string()
}

struct Fixture {
    signer: JsSigner,
    verifier: JsVerifier,
}

fn fixture() -> Fixture {
    let pair = generate_key_pair(obj(r#"{"kid":"w1"}"#)).unwrap_or(JsValue::UNDEFINED);
    let signer_options = js_sys::Object::new();
    let _ = Reflect::set(&signer_options, &"privateJwk".into(), &get(&pair, "privateJwk"));
    let _ = Reflect::set(&signer_options, &"issuer".into(), &"https://iss.example".into());
    let _ = Reflect::set(&signer_options, &"audience".into(), &"api".into());
    let signer = JsSigner::new(signer_options.into()).unwrap_or_else(|_| panic!("signer"));
    let keys = js_sys::Array::of1(&get(&pair, "publicJwk"));
    let jwks = js_sys::Object::new();
    let _ = Reflect::set(&jwks, &"keys".into(), &keys);
    let options = obj(r#"{"issuer":"https://iss.example","audience":"api","profile":"at+jwt"}"#);
    let _ = Reflect::set(&options, &"jwks".into(), &jwks);
    let verifier = JsVerifier::new(options).unwrap_or_else(|_| panic!("verifier"));
    Fixture { signer, verifier }
}

#[wasm_bindgen_test]
async fn sign_and_verify_round_trip() {
    let f = fixture();
    let token = JsFuture::from(
        f.signer
            .sign(obj(r#"{"sub":"u1","client_id":"c","scope":"a b"}"#), JsValue::UNDEFINED),
    )
    .await
    .unwrap_or_else(|_| panic!("sign"));
    let claims = JsFuture::from(f.verifier.verify(token.clone(), obj(r#"{"requiredScopes":["b"]}"#)))
        .await
        .unwrap_or_else(|e| panic!("verify: {e:?}"));
    assert_eq!(get(&claims, "sub").as_string().as_deref(), Some("u1"));
    // Claims come back as plain objects, not Maps.
    assert!(claims.is_object() && !claims.is_instance_of::<js_sys::Map>());
    let sync = f
        .verifier
        .verify_sync(token, JsValue::UNDEFINED)
        .unwrap_or_else(|_| panic!("verifySync"));
    assert_eq!(get(&sync, "jti").as_string(), get(&claims, "jti").as_string());
}

#[wasm_bindgen_test]
async fn errors_are_tessera_errors_with_codes() {
    let f = fixture();
    let token = f
        .signer
        .sign_sync(obj(r#"{"sub":"u1","client_id":"c"}"#), obj(r#"{"now":1000,"expiresIn":60}"#))
        .unwrap_or_default();
    let error = JsFuture::from(f.verifier.verify(token.clone().into(), obj(r#"{"now":2000}"#)))
        .await
        .err()
        .unwrap_or(JsValue::UNDEFINED);
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&error, "name").as_string().as_deref(), Some("TesseraError"));
    assert_eq!(code(&error).as_deref(), Some("ERR_EXPIRED"));
    assert_eq!(get(&error, "claim").as_string().as_deref(), Some("exp"));
    let sync_error = f
        .verifier
        .verify_sync(token.into(), obj(r#"{"now":2000}"#))
        .err()
        .unwrap_or(JsValue::UNDEFINED);
    assert_eq!(code(&sync_error).as_deref(), Some("ERR_EXPIRED"));
    let promise: Promise = f.verifier.verify(JsValue::from(7), JsValue::UNDEFINED);
    let malformed = JsFuture::from(promise).await.err().unwrap_or(JsValue::UNDEFINED);
    assert_eq!(code(&malformed).as_deref(), Some("ERR_MALFORMED"));
}

#[wasm_bindgen_test]
fn bad_options_name_the_option() {
    let error = JsVerifier::new(obj(r#"{"jwks":{"keys":[]},"clockTolerance":"5s"}"#))
        .err()
        .unwrap_or(JsValue::UNDEFINED);
    assert_eq!(code(&error).as_deref(), Some("ERR_INVALID_OPTIONS"));
    assert_eq!(get(&error, "claim").as_string().as_deref(), Some("clockTolerance"));
    let error = JsVerifier::new(obj(r#"{"jwks":{"keys":[]},"issuerr":"x"}"#))
        .err()
        .unwrap_or(JsValue::UNDEFINED);
    assert!(get(&error, "message").as_string().unwrap_or_default().contains("issuerr"));
    let error = JsVerifier::new(JsValue::UNDEFINED).err().unwrap_or(JsValue::UNDEFINED);
    assert_eq!(code(&error).as_deref(), Some("ERR_INVALID_OPTIONS"));
    let error = generate_key_pair(obj(r#"{"kid":3}"#)).err().unwrap_or(JsValue::UNDEFINED);
    assert_eq!(code(&error).as_deref(), Some("ERR_INVALID_OPTIONS"));
    let _ = error.dyn_ref::<js_sys::Error>().map(|e| e.message());
}
