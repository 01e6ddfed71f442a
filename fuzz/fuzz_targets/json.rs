//! The strict JSON reader every other parser sits on: `json::parse_object` against plain
//! `serde_json`. An accepted text is an object serde_json reads to the same value; anything
//! serde_json writes for an object is accepted back unchanged (no false duplicate, no lost
//! number precision).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera::json;

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
            Ok(map) => assert_eq!(&Value::Object(map), value, "a serde_json object does not round-trip"),
            Err(e) => panic!("serde_json's own output {text:?} is refused: {e}"),
        }
    }
});
