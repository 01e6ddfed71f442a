//! The strict JSON reader every other parser sits on: `json::parse_object` (and `parse_value`,
//! the same reader for option texts of any kind) against plain `serde_json`. An accepted text
//! is an object serde_json reads to the same value; anything serde_json writes for an object is
//! accepted back (no false duplicate) with the same structure, strings and integers.
//!
//! Numbers: `json::check_exact_integers` must refuse an accepted object exactly when one of its
//! number literals has a magnitude beyond 2^53 − 1 (`Number.MAX_SAFE_INTEGER`), whatever its
//! notation (`18446744073709551617`, `-1e300`, `9.007199254740993e15`, `9007199254740991.5`).
//! The reference reads the literals from the text itself, in exact decimal arithmetic, so it
//! does not share serde_json's reading of them as doubles.
//!
//! Floats are compared to within a few ulps: serde_json without its `float_roundtrip` feature
//! does not parse every shortest float text back to the same f64 (finding I1 in README.md), a
//! property of serde_json, not of Tessera. `TESSERA_FUZZ_STRICT=1` compares them exactly.
#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera::fuzzing::json;

#[path = "../common/mod.rs"]
mod common;

/// 2^53 − 1.
const MAX_SAFE: &str = "9007199254740991";

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

/// The number literals of a valid JSON text, in order (strings skipped).
fn number_literals(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len() && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    i += 1;
                }
                out.push(&text[start..i]);
            }
            _ => i += 1,
        }
    }
    out
}

/// |literal| compared with `bound` (decimal digits, no leading zero), exactly.
fn compare_magnitude(literal: &str, bound: &str) -> Ordering {
    let literal = literal.trim_start_matches('-');
    let (mantissa, exponent) = match literal.find(['e', 'E']) {
        Some(i) => (&literal[..i], &literal[i + 1..]),
        None => (literal, "0"),
    };
    // Saturating: exponents beyond ±10^15 only matter for their sign (or a zero mantissa).
    let exponent: i64 = {
        let (negative, digits) = match exponent.as_bytes().first() {
            Some(b'-') => (true, &exponent[1..]),
            Some(b'+') => (false, &exponent[1..]),
            _ => (false, exponent),
        };
        let magnitude = digits.bytes().fold(0i64, |acc, d| acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))).min(1_000_000_000_000_000);
        if negative { -magnitude } else { magnitude }
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = [int, frac].concat();
    let exponent = exponent - frac.len() as i64;
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Ordering::Less;
    }
    // value = significant × 10^exponent; its integer part has len + exponent digits.
    let integer_digits = significant.len() as i64 + exponent;
    match integer_digits.cmp(&(bound.len() as i64)) {
        Ordering::Greater => Ordering::Greater,
        Ordering::Less => Ordering::Less,
        Ordering::Equal => {
            let width = bound.len();
            let mut head: String = significant.chars().take(width).collect();
            while head.len() < width {
                head.push('0');
            }
            match head.as_str().cmp(bound) {
                Ordering::Equal if significant.len() > width && significant[width..].bytes().any(|b| b != b'0') => Ordering::Greater,
                other => other,
            }
        }
    }
}

/// A number literal written with a fraction or an exponent whose double is at least 2^52.
fn fraction_or_exponent_at_limit(literal: &str) -> bool {
    literal.contains(['.', 'e', 'E']) && serde_json::from_str::<f64>(literal).is_ok_and(|f| f.abs() >= 4_503_599_627_370_496.0)
}

fuzz_target!(|data: &[u8]| {
    let strict = json::parse_object(data, "json");
    let plain = serde_json::from_slice::<Value>(data);
    if let Ok(map) = &strict {
        match &plain {
            Ok(Value::Object(plain)) => assert_eq!(plain, map, "strict and plain readings differ"),
            other => panic!("strict accepted what serde_json reads as {other:?}"),
        }
        // Numbers beyond ±(2^53 − 1), in any notation, are refused; all others accepted.
        let text = std::str::from_utf8(data).unwrap_or_default();
        let literals = number_literals(text);
        let too_large = literals.iter().find(|n| compare_magnitude(n, MAX_SAFE) == Ordering::Greater);
        match (json::check_exact_integers(map), too_large) {
            (Ok(()), Some(n)) => panic!("check_exact_integers accepted {n} (beyond 2^53 - 1)"),
            // The documented safe side (F10's fix): a literal with a fraction or an exponent
            // whose double (serde_json's reading) is 2^52 or more is refused, whatever its
            // exact value.
            (Err(_), None) if literals.iter().any(|n| fraction_or_exponent_at_limit(n)) => {}
            (Err(e), None) => panic!("check_exact_integers refused an object whose numbers are all within 2^53 - 1: {e}"),
            (Err(e), Some(_)) => assert_eq!(e.code(), tessera::ErrorCode::Malformed),
            (Ok(()), None) => {}
        }
    }
    // `parse_value` (option texts) is the same reader for values of any kind: an object exactly
    // when `parse_object` accepts, and otherwise what serde_json reads, if the text has no
    // duplicate member name (which serde_json would take, last one winning).
    if let Ok(text) = std::str::from_utf8(data) {
        match (json::parse_value(text), &strict) {
            (Some(Value::Object(map)), Ok(object)) => assert_eq!(&map, object, "parse_value and parse_object differ"),
            (Some(Value::Object(_)), Err(_)) => panic!("parse_value read an object that parse_object refuses"),
            (_, Ok(_)) => panic!("parse_object accepted what parse_value reads as no object"),
            (Some(value), Err(_)) => assert_eq!(plain.as_ref().ok(), Some(&value), "parse_value and serde_json differ"),
            (None, Err(_)) => {}
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
