//! The strict JSON reader every other parser sits on: `json::parse_object` against plain
//! `serde_json`. An accepted text is an object serde_json reads to the same value; anything
//! serde_json writes for an object is accepted back (no false duplicate) with the same
//! structure, strings and integers.
//!
//! Floats are compared to within a few ulps: serde_json without its `float_roundtrip` feature
//! does not parse every shortest float text back to the same f64 (finding I1 in README.md), a
//! property of serde_json, not of Tessera. `TESSERA_FUZZ_STRICT=1` compares them exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera::json;

#[path = "../common/mod.rs"]
mod common;

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() && common::known_findings_gated() => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || (x - y).abs() <= x.abs().max(y.abs()) * 4.0 * f64::EPSILON
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let strict = json::parse_object(data, "json");
    let plain = serde_json::from_slice::<Value>(data);
    if let Ok(map) = &strict {
        match &plain {
            Ok(Value::Object(plain)) => assert_eq!(plain, map, "strict and plain readings differ"),
            other => panic!("strict accepted what serde_json reads as {other:?}"),
        }
    }
    if let Ok(value @ Value::Object(_)) = &plain {
        let text = value.to_string();
        match json::parse_object(text.as_bytes(), "json") {
            Ok(map) => {
                let map = Value::Object(map);
                assert!(same(&map, value), "a serde_json object does not round-trip: {map} vs {value}");
            }
            Err(e) => panic!("serde_json's own output {text:?} is refused: {e}"),
        }
    }
});
