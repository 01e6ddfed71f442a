//! Strict JSON: RFC 8259 text as `serde_json` reads it, plus two rules JOSE needs
//! (RFC 7515 §5.2, RFC 8725 §3.1): duplicate member names are rejected at every depth (never
//! "last wins"), and (`parse_object`) the top level must be an object.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Parses `bytes` (which must be UTF-8) as a JSON object with no duplicate member names.
/// `what` names the part being parsed in the error message ("JWS header", "JWT claims", …).
pub fn parse_object(bytes: &[u8], what: &'static str) -> Result<Map<String, Value>> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::malformed(what))?;
    match serde_json::from_str::<Strict>(text) {
        Ok(Strict(Value::Object(map))) => Ok(map),
        _ => Err(Error::malformed(what)),
    }
}

/// Parses `text` as one JSON value of any kind with no duplicate member names at any depth (an
/// options object, which may also be `null` or of the wrong type: the caller says which).
pub fn parse_value(text: &str) -> Option<Value> {
    serde_json::from_str::<Strict>(text).ok().map(|Strict(value)| value)
}

/// Appends `text` as a JSON string with the minimal escaping of RFC 8259 §7 as `serde_json`
/// writes it (and RFC 7638 §3.3 expects of a thumbprint's input): `\"`, `\\`, the short escapes
/// `\b \f \n \r \t`, other control characters as `\u00XX`, everything else as is. Written out
/// here: nothing in the verify build serializes JSON with serde_json, whose serializer brought
/// float formatting along (25 KB of wasm, measured once) and, for strings alone, its own escaper.
pub fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let byte = u32::from(c) as usize;
                out.push_str("\\u00");
                for digit in [byte >> 4, byte & 15] {
                    out.push(char::from(HEX.get(digit).copied().unwrap_or(b'0')));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The largest integer magnitude an IEEE 754 double holds exactly: 2^53 − 1
/// (`Number.MAX_SAFE_INTEGER`).
pub const MAX_EXACT_INTEGER: u64 = (1 << 53) - 1;

/// Rejects numbers beyond ±[`MAX_EXACT_INTEGER`] anywhere in `object`. JavaScript (and any
/// JSON parser that reads numbers as doubles, RFC 7493 §2.2) would read such integers rounded, so
/// that two different values, say two numeric subject ids, would look the same. Every double of
/// that size is an integer, whatever its notation (`18446744073709551617`, `1.5e300`): all are
/// refused, also those too large for a 64-bit integer, which serde reads as doubles.
///
/// A number written with a fraction or an exponent (or beyond the 64-bit range) arrives as a
/// double, which cannot say what its literal was: `9007199254740991.1` is beyond the limit, yet
/// reads as 9007199254740990. Such numbers must therefore be below 2^52 in magnitude, where a
/// double still holds fractions and rounding cannot cross the limit; from 2^52 on they are
/// refused whatever their literal (the safe side). Integers written as integers are compared
/// exactly against 2^53 − 1.
pub fn check_exact_integers(object: &Map<String, Value>) -> Result<()> {
    if object.values().all(exact_integers) {
        Ok(())
    } else {
        Err(Error::malformed("value cannot be represented in JavaScript"))
    }
}

/// 2^52: from here on a double has no fraction bits.
const DOUBLE_FRACTION_LIMIT: f64 = 4_503_599_627_370_496.0;

// Recursion depth is bounded by serde_json's nesting limit (128) on everything parsed here.
fn exact_integers(value: &Value) -> bool {
    match value {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u <= MAX_EXACT_INTEGER,
            (None, Some(i)) => i.unsigned_abs() <= MAX_EXACT_INTEGER,
            (None, None) => n.as_f64().is_some_and(|f| f.abs() < DOUBLE_FRACTION_LIMIT),
        },
        Value::Array(items) => items.iter().all(exact_integers),
        Value::Object(map) => map.values().all(exact_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => true,
    }
}

/// A `Value` built by a visitor that refuses duplicate object members.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let Strict(value) = access.next_value()?;
            if map.insert(key, value).is_some() {
                return Err(de::Error::custom("duplicate member name"));
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_as_serde_json_writes_them() {
        let all_controls: String = (0u8..0x20).map(char::from).collect();
        for text in [
            "",
            "plain",
            "q\"uote",
            "back\\slash",
            "\u{7f}\u{2028}é😀",
            "</script>",
            all_controls.as_str(),
        ] {
            let mut ours = String::new();
            push_string(&mut ours, text);
            assert_eq!(ours, Value::from(text).to_string(), "{text:?}");
        }
    }

    #[test]
    fn accepts_objects() {
        let map = parse_object(br#"{"a":1,"b":{"c":[1,2,{"d":null}]},"e":"\u00e9"}"#, "x");
        assert_eq!(map.map(|m| m.len()), Ok(3));
    }

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert!(parse_object(br#"{"a":1,"a":2}"#, "x").is_err());
        assert!(parse_object(br#"{"a":{"b":1,"b":1}}"#, "x").is_err());
        assert!(parse_object(br#"{"a":[{"b":1,"b":2}]}"#, "x").is_err());
        // Escapes are decoded before comparing names.
        assert!(parse_object(br#"{"a":1,"\u0061":2}"#, "x").is_err());
    }

    #[test]
    fn rejects_non_objects_and_bad_text() {
        for bad in [&b"[]"[..], b"1", b"\"s\"", b"{", b"{}x", b"\xff{}", b"{\"a\":1,}"] {
            assert!(parse_object(bad, "x").is_err());
        }
        let deep = "[".repeat(10_000);
        assert!(parse_object(format!("{{\"a\":{deep}}}").as_bytes(), "x").is_err());
    }

    #[test]
    fn integers_beyond_double_precision_are_refused() {
        let ok = parse_object(
            br#"{"a":9007199254740991,"b":-9007199254740991,"c":1.5e15,"d":[{"e":0.5}],"f":-1e-300,"g":4503599627370495.5,"h":-4.503599627370495e15,"i":4503599627370496}"#,
            "x",
        )
        .unwrap();
        assert!(check_exact_integers(&ok).is_ok());
        for bad in [
            &br#"{"a":9007199254740992}"#[..],
            br#"{"a":-9007199254740992}"#,
            br#"{"a":[{"b":18446744073709551615}]}"#,
            br#"{"a":18446744073709551616}"#,
            br#"{"a":18446744073709551617}"#,
            br#"{"a":-18446744073709551618}"#,
            br#"{"a":{"b":123456789012345678901234567890}}"#,
            br#"{"a":1.5e300}"#,
            br#"{"a":9007199254740993.5}"#,
            // Fuzz finding F10: beyond 2^53 − 1, though its double is not.
            br#"{"a":9007199254740991.1}"#,
            br#"{"a":-9007199254740991.1}"#,
            br#"{"a":[9007199254740990.9]}"#,
            br#"{"a":9.007199254740991e15}"#,
            br#"{"a":4503599627370496.5}"#,
            br#"{"a":4.503599627370496e15}"#,
        ] {
            assert!(
                check_exact_integers(&parse_object(bad, "x").unwrap()).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
