//! Strict JSON: RFC 8259 text, read here (no serde), with the rules JOSE needs (RFC 7515 §5.2,
//! RFC 8725 §3.1): duplicate member names are rejected at every depth (never "last wins"), and
//! (`parse_object`) the top level must be an object. What it accepts, `serde_json` reads to the
//! same value (the `json` fuzz target checks that); it refuses what serde_json refuses, and also
//! duplicate names. Into `serde_json`'s `Value`, which the rest of the crate reads.
//!
//! * Nesting: at most 127 arrays and objects deep (serde_json's limit): a bound on work and
//!   recursion.
//! * Strings: no raw control characters; the escapes of RFC 8259 §7; `\u` escapes of UTF-16
//!   surrogates only as a high–low pair (a lone one is refused, as serde_json does).
//! * Numbers: RFC 8259's grammar. An integer literal is a `u64` or `i64` when it fits (`-0` is the
//!   double −0.0, as in serde_json), otherwise a double: its leading digits that fit in 64 bits
//!   (the integer's, then the fraction's, each part while it fits) times a power of ten from a
//!   table, the way serde_json reads them without its `float_roundtrip` feature (the same double,
//!   which the `json` fuzz target checks): exactly rounded when the digits fit in 53 bits and the
//!   power is at most 10^22 (every NumericDate a token carries), within a unit or two in the last
//!   place otherwise. A literal whose magnitude is beyond the doubles (`1e400`) is refused, as
//!   serde_json does. The JavaScript side reads claims from the token's own JSON text, so these
//!   doubles serve only the checks made here (times, claim values, [`check_exact_integers`]).
//!
//! Why not serde_json's parser: the verify build is 3.5 kB gzip smaller with this reader than
//! with serde_json's deserializer and a duplicate-refusing visitor, which it replaces (measured).

use serde_json::{Map, Number, Value};

use crate::error::{Error, Result};

/// Parses `bytes` (which must be UTF-8) as a JSON object with no duplicate member names.
/// `what` names the part being parsed in the error message ("JWS header", "JWT claims", …).
pub fn parse_object(bytes: &[u8], what: &'static str) -> Result<Map<String, Value>> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::malformed(what))?;
    match parse_value(text) {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(Error::malformed(what)),
    }
}

/// Parses `text` as one JSON value of any kind with no duplicate member names at any depth (an
/// options object, which may also be `null` or of the wrong type: the caller says which).
pub fn parse_value(text: &str) -> Option<Value> {
    let mut reader = Reader { text, at: 0 };
    let value = reader.value(0)?;
    reader.skip_whitespace();
    (reader.at == text.len()).then_some(value)
}

/// Arrays and objects nested deeper than this are refused (serde_json refuses 128).
const MAX_DEPTH: usize = 127;

/// 10^0 … 10^308, each the double nearest it (the compiler reads the literals exactly rounded).
const POWERS_OF_TEN: [f64; 309] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23,
    1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45,
    1e46, 1e47, 1e48, 1e49, 1e50, 1e51, 1e52, 1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59, 1e60, 1e61, 1e62, 1e63, 1e64, 1e65, 1e66, 1e67,
    1e68, 1e69, 1e70, 1e71, 1e72, 1e73, 1e74, 1e75, 1e76, 1e77, 1e78, 1e79, 1e80, 1e81, 1e82, 1e83, 1e84, 1e85, 1e86, 1e87, 1e88, 1e89,
    1e90, 1e91, 1e92, 1e93, 1e94, 1e95, 1e96, 1e97, 1e98, 1e99, 1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109,
    1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119, 1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128,
    1e129, 1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147,
    1e148, 1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166,
    1e167, 1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179, 1e180, 1e181, 1e182, 1e183, 1e184, 1e185,
    1e186, 1e187, 1e188, 1e189, 1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203, 1e204,
    1e205, 1e206, 1e207, 1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223,
    1e224, 1e225, 1e226, 1e227, 1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239, 1e240, 1e241, 1e242,
    1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259, 1e260, 1e261,
    1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279, 1e280,
    1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299,
    1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

struct Reader<'a> {
    text: &'a str,
    /// A byte offset into `text`, always on a character boundary between tokens.
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The digits at the cursor (possibly none), consumed.
    fn digits(&mut self) -> &'a str {
        let (text, start) = (self.text, self.at);
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        text.get(start..self.at).unwrap_or_default()
    }

    /// A value, after optional whitespace; `depth` arrays and objects enclose it.
    fn value(&mut self, depth: usize) -> Option<Value> {
        self.skip_whitespace();
        match self.peek()? {
            b'{' | b'[' if depth >= MAX_DEPTH => None,
            b'{' => {
                self.at += 1;
                self.object(depth + 1)
            }
            b'[' => {
                self.at += 1;
                self.array(depth + 1)
            }
            b'"' => {
                self.at += 1;
                self.string().map(Value::String)
            }
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            _ => {
                let rest = self.text.get(self.at..).unwrap_or_default();
                let (value, word) = [(Value::Bool(true), "true"), (Value::Bool(false), "false"), (Value::Null, "null")]
                    .into_iter()
                    .find(|(_, word)| rest.starts_with(word))?;
                self.at += word.len();
                Some(value)
            }
        }
    }

    /// After `{`.
    fn object(&mut self, depth: usize) -> Option<Value> {
        let mut map = Map::new();
        self.list(b'}', |reader| {
            reader.skip_whitespace();
            if !reader.eat(b'"') {
                return None;
            }
            let name = reader.string()?;
            reader.skip_whitespace();
            if !reader.eat(b':') {
                return None;
            }
            let value = reader.value(depth)?;
            // A duplicate name.
            map.insert(name, value).is_none().then_some(())
        })?;
        Some(Value::Object(map))
    }

    /// After `[`.
    fn array(&mut self, depth: usize) -> Option<Value> {
        let mut items = Vec::new();
        self.list(b']', |reader| {
            items.push(reader.value(depth)?);
            Some(())
        })?;
        Some(Value::Array(items))
    }

    /// Comma-separated items, each read by `item`, up to `close` (after the opening bracket).
    fn list(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.skip_whitespace();
        if self.eat(close) {
            return Some(());
        }
        loop {
            item(self)?;
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                byte if byte == close => return Some(()),
                _ => return None,
            }
        }
    }

    /// After the opening `"`: the string's text, through the closing `"`.
    fn string(&mut self) -> Option<String> {
        let mut out = String::new();
        loop {
            // A run of characters that stand for themselves (every byte that ends a run is ASCII,
            // so the run is whole characters).
            let start = self.at;
            while self.peek().is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            out.push_str(self.text.get(start..self.at)?);
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => out.push(self.escape()?),
                // A raw control character.
                _ => return None,
            }
        }
    }

    /// After a backslash.
    fn escape(&mut self) -> Option<char> {
        Some(match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if (0xd800..0xdc00).contains(&unit) {
                    // A high surrogate: a low one must follow, escaped.
                    if !(self.eat(b'\\') && self.eat(b'u')) {
                        return None;
                    }
                    let low = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))?
                } else {
                    // `None` for a lone low surrogate.
                    char::from_u32(unit)?
                }
            }
            _ => return None,
        })
    }

    /// Four hexadecimal digits.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        digits.chars().try_fold(0, |value, c| Some(value * 16 + c.to_digit(16)?))
    }

    /// A number literal (RFC 8259 §6), at its first character.
    fn number(&mut self) -> Option<Number> {
        let negative = self.eat(b'-');
        let integer = self.digits();
        if integer.is_empty() || (integer.len() > 1 && integer.starts_with('0')) {
            return None;
        }
        let mut fraction = "";
        if self.eat(b'.') {
            fraction = self.digits();
            if fraction.is_empty() {
                return None;
            }
        }
        let mut exponent: i64 = 0;
        let scientific = matches!(self.peek(), Some(b'e' | b'E'));
        if scientific {
            self.at += 1;
            let minus = self.eat(b'-');
            if !minus {
                self.eat(b'+');
            }
            let digits = self.digits();
            if digits.is_empty() {
                return None;
            }
            // Beyond ±10^6 every literal is 0 or out of range: clamp (and keep it an integer).
            exponent = digits.parse::<i64>().unwrap_or(i64::MAX).min(1_000_000);
            if minus {
                exponent = -exponent;
            }
        }
        if fraction.is_empty() && !scientific {
            if let Ok(magnitude) = integer.parse::<u64>() {
                if !negative {
                    return Some(Number::from(magnitude));
                }
                if magnitude != 0 && magnitude <= 1 << 63 {
                    return Some(Number::from(0i64.wrapping_sub_unsigned(magnitude)));
                }
            }
        }
        let value = decimal(integer, fraction, exponent)?;
        Number::from_f64(if negative { -value } else { value })
    }
}

/// `integer.fraction × 10^exponent` as a double (both digit strings, `integer` not empty), as the
/// module documentation says; `None` beyond the largest double. The significant digits that fit
/// in 64 bits are kept (the rest truncated), converted to a double and scaled by one power of ten
/// from the table (in steps of 10^308 below it): two roundings, so exact when the digits fit in 53
/// bits and the power is at most 10^22, within a unit or two in the last place otherwise.
fn decimal(integer: &str, fraction: &str, exponent: i64) -> Option<f64> {
    let mut mantissa: u64 = 0;
    let mut scale = exponent - fraction.len() as i64;
    // The integer's digits, then the fraction's, each while they fit (serde_json's reading: once
    // an integer digit is dropped the integer's others are too, but the fraction starts over).
    for part in [integer, fraction] {
        let mut full = false;
        for digit in part.bytes() {
            match mantissa.checked_mul(10).and_then(|m| m.checked_add(u64::from(digit - b'0'))) {
                Some(next) if !full => mantissa = next,
                // A digit beyond those kept (dropped): the kept ones stand one power of ten higher.
                _ => {
                    full = true;
                    scale += 1;
                }
            }
        }
    }
    let mut value = mantissa as f64;
    loop {
        let power = usize::try_from(scale.unsigned_abs())
            .ok()
            .and_then(|i| POWERS_OF_TEN.get(i).copied());
        match power {
            Some(power) if scale >= 0 => {
                value *= power;
                return value.is_finite().then_some(value);
            }
            Some(power) => return Some(value / power),
            // Zero stays zero; nothing else is a double beyond 10^308.
            None if value == 0.0 => return Some(0.0),
            None if scale > 0 => return None,
            None => {
                value /= 1e308;
                scale += 308;
            }
        }
    }
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

    /// Equal, with doubles within `ulps` units in the last place of each other.
    fn close(a: &Value, b: &Value, ulps: u64) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
                x == y || (x.is_sign_negative() == y.is_sign_negative() && x.to_bits().abs_diff(y.to_bits()) <= ulps)
            }
            (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b, ulps)),
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w, ulps)))
            }
            _ => a == b,
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let deep = |n: usize, open: &str, inner: &str, close: &str| format!("{}{inner}{}", open.repeat(n), close.repeat(n));
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "1",
            "-1",
            "0.5",
            "-0.0",
            "1e5",
            "1E+2",
            "1e-2",
            "2.5e-3",
            "1e400",
            "-1e400",
            "1e-400",
            "1e-320",
            "5e-324",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "9007199254740993",
            "0.1",
            "0.30000000000000004",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001234567890123456789012345",
            "1234567890.123456789012345678901234567890e-5",
            "1700000000.123",
            "4503599627370495.5",
            "4503599627370496.00000001",
            "184467440737095516195",
            "18446744073709551619.5e3",
            "0.184467440737095516195",
            // Fuzz finding: the integer's 20th digit dropped, the fraction's first kept (as serde_json).
            "18446744073709551619.5E210",
            "-92231616192.5e10",
            "446744073709551616192.5e10",
            "01",
            "-01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "1e+",
            "1.e5",
            "0x10",
            "Infinity",
            "NaN",
            "1e99999999999999999999",
            "1e-99999999999999999999",
            "0e99999999999",
            "true",
            "false",
            "null",
            "tru",
            "nul",
            "truex",
            "\"\"",
            "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
            "\"\\u0000\\u001f\\u0041\\u00e9\\u2028\\uD83D\\uDE00\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800\\udbff\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"\\x\"",
            "\"\u{1}\"",
            "\"\u{7f}é😀\"",
            "\"unterminated",
            "[]",
            "{}",
            "[1,2,[3,{\"a\":[]}]]",
            "[1,]",
            "{\"a\":1,}",
            "[,1]",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{a:1}",
            "{\"a\":1 \"b\":2}",
            " \t\n\r{ \"a\" : [ 1 , 2 ] } \n",
            "{}x",
            "\u{feff}{}",
            "",
            " ",
            "[1]]",
            "{\"a\":1}}",
            "\"\\u00\"",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        for n in [126, 127, 128, 200] {
            texts.push(deep(n, "[", "", "]"));
            texts.push(deep(n, "{\"a\":", "1", "}"));
            texts.push(deep(n, "[{\"a\":", "1", "}]"));
        }
        for text in &texts {
            let ours = parse_value(text);
            match serde_json::from_str::<Value>(text) {
                Ok(theirs) => {
                    let ours = ours.unwrap_or_else(|| panic!("refused {text:?}, which serde_json reads"));
                    assert!(close(&ours, &theirs, 0), "{text:?}: {ours:?} vs {theirs:?}");
                }
                Err(_) => assert_eq!(ours, None, "{text:?}"),
            }
        }
        assert!(parse_value(&deep(127, "[", "", "]")).is_some() && parse_value(&deep(128, "[", "", "]")).is_none());
    }

    /// A deterministic xorshift sequence.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn doubles_in_the_exact_range_are_exactly_rounded() {
        // NumericDates with fractions, and other literals whose digits fit 53 bits and whose power
        // of ten is at most 10^22: the same double as Rust's exactly rounded parse.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let state = next();
            let digits = state % (1 << 53);
            let point = (state >> 56) % 17;
            let text = digits.to_string();
            let text = if point > 0 && (point as usize) < text.len() {
                let (a, b) = text.split_at(text.len() - point as usize);
                format!("{a}.{b}")
            } else {
                text
            };
            let expected: f64 = text.parse().unwrap_or(f64::NAN);
            let ours = parse_value(&text).and_then(|v| v.as_f64());
            assert_eq!(ours, Some(expected), "{text}");
        }
        for text in ["1700000000.5", "1700000000.123", "1.5e9", "17e8", "0.001", "9.007199254740991e15"] {
            assert_eq!(parse_value(text).and_then(|v| v.as_f64()), text.parse().ok(), "{text}");
        }
    }

    #[test]
    fn other_doubles_are_within_a_few_units_in_the_last_place() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let value = f64::from_bits(next() >> 1);
            if !value.is_finite() {
                continue;
            }
            for text in [format!("{value:e}"), format!("{value:.25e}"), format!("{value}")] {
                let ours = parse_value(&text).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
                let error = ours.to_bits().abs_diff(value.to_bits());
                // Subnormals lose precision along the divisions; bound them absolutely.
                assert!(
                    error <= 2 || (value.abs() < 1e-300 && (ours - value).abs() < 1e-310),
                    "{text}: {ours:e}"
                );
                let theirs = serde_json::from_str::<f64>(&text).unwrap_or(f64::NAN);
                assert_eq!(ours.to_bits(), theirs.to_bits(), "{text}: the same double as serde_json");
            }
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
