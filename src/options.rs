//! Reading option objects: every option a caller may pass is taken by name with its type; what
//! is left over is an unknown option. Failures are `ERR_INVALID_OPTIONS` naming the option (in
//! the message and as `claim`), never repeating its value (it may be a key or a token). `null`
//! counts as absent, as JavaScript callers write `{ issuer: null }`.
//!
//! Options arrive as JSON text (the JavaScript glue makes it with `JSON.stringify` inside a
//! `try`, so no user code runs while Rust frames are on the stack) or as a `serde_json` value
//! natively.

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::jose::json;

/// The options of one API call, taken one by one.
pub struct Options {
    what: &'static str,
    /// The dotted prefix of nested options (`cookie.`), empty at the top.
    prefix: String,
    map: Map<String, Value>,
}

impl Options {
    /// `value` must be an object; `null` is no options at all.
    pub fn new(value: Value, what: &'static str) -> Result<Options> {
        match value {
            Value::Object(map) => Ok(Options {
                what,
                prefix: String::new(),
                map,
            }),
            Value::Null => Ok(Options {
                what,
                prefix: String::new(),
                map: Map::new(),
            }),
            _ => Err(Error::invalid_options(concat(&[what, " options must be an object"]))),
        }
    }

    /// From JSON text; an empty text is no options.
    pub fn parse(text: &str, what: &'static str) -> Result<Options> {
        if text.is_empty() {
            return Options::new(Value::Null, what);
        }
        // The strict reader (no duplicate names, which JSON.stringify never writes; at most 127
        // levels of nesting: a bound on work, with an error).
        let value = json::parse_value(text).ok_or_else(|| Error::invalid_options(concat(&[what, " options must be JSON-compatible"])))?;
        Options::new(value, what)
    }

    fn error(&self, name: &str, problem: &str) -> Error {
        if self.prefix.is_empty() {
            Error::option(self.what, name, problem)
        } else {
            // Nested: the claim is the top-level option (`cookie`), the message names the path.
            let mut path = self.prefix.clone();
            path.push_str(name);
            let message = Error::option(self.what, &path, problem).message().to_string();
            Error::claim(ErrorCode::InvalidOptions, self.prefix.trim_end_matches('.'), message)
        }
    }

    /// The raw value of an option, if present and not `null`.
    pub fn take(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name).filter(|v| !v.is_null())
    }

    pub fn string(&mut self, name: &str) -> Result<Option<String>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.error(name, "must be a string")),
        }
    }

    /// A string that must not be empty.
    pub fn non_empty_string(&mut self, name: &str) -> Result<Option<String>> {
        match self.string(name)? {
            Some(s) if s.is_empty() => Err(self.error(name, "must be a non-empty string")),
            other => Ok(other),
        }
    }

    pub fn boolean(&mut self, name: &str) -> Result<Option<bool>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(self.error(name, "must be true or false")),
        }
    }

    /// A finite number.
    pub fn number(&mut self, name: &str) -> Result<Option<f64>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_f64().filter(|v| v.is_finite()) {
                Some(v) => Ok(Some(v)),
                None => Err(self.error(name, "must be a finite number")),
            },
            Some(_) => Err(self.error(name, "must be a number")),
        }
    }

    /// A number of seconds (`≥ 0`, fractions allowed).
    pub fn seconds(&mut self, name: &str) -> Result<Option<f64>> {
        match self.number(name)? {
            Some(v) if v < 0.0 => Err(self.error(name, "must be a non-negative number of seconds")),
            other => Ok(other),
        }
    }

    /// A whole number in `min..=max`; `problem` says what is expected.
    pub fn integer(&mut self, name: &str, min: i64, max: i64, problem: &str) -> Result<Option<i64>> {
        match self.number(name).map_err(|_| self.error(name, problem))? {
            None => Ok(None),
            Some(v) if v.fract() == 0.0 && v >= min as f64 && v <= max as f64 => Ok(Some(v as i64)),
            Some(_) => Err(self.error(name, problem)),
        }
    }

    /// An array of strings.
    pub fn strings(&mut self, name: &str) -> Result<Option<Vec<String>>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(self.error(name, "must be an array of strings")),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(self.error(name, "must be an array of strings")),
        }
    }

    /// A string or an array of strings (`issuer`, `audience`); every string non-empty and at
    /// least one.
    pub fn one_or_many(&mut self, name: &str) -> Result<Option<Vec<String>>> {
        let list = match self.take(name) {
            None => return Ok(None),
            Some(Value::String(s)) => vec![s],
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(self.error(name, "must be a string or an array of strings")),
                })
                .collect::<Result<Vec<_>>>()?,
            Some(_) => return Err(self.error(name, "must be a string or an array of strings")),
        };
        if list.is_empty() || list.iter().any(String::is_empty) {
            return Err(self.error(name, "must be a non-empty string or list of non-empty strings"));
        }
        Ok(Some(list))
    }

    /// A JSON object, as it is.
    pub fn object(&mut self, name: &str) -> Result<Option<Map<String, Value>>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(_) => Err(self.error(name, "must be an object")),
        }
    }

    /// Nested options (`cookie: { name, path }`), read the same way.
    pub fn nested(&mut self, name: &str) -> Result<Option<Options>> {
        let Some(map) = self.object(name)? else { return Ok(None) };
        let mut prefix = self.prefix.clone();
        prefix.push_str(name);
        prefix.push('.');
        Ok(Some(Options {
            what: self.what,
            prefix,
            map,
        }))
    }

    /// Fails on any option not taken: an unknown name (a typo must not pass silently).
    pub fn finish(self) -> Result<()> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(name) => {
                // The name is the caller's, not a value; still, keep it short.
                let name: String = name.chars().take(64).collect();
                Err(self.error(&name, "is unknown"))
            }
        }
    }
}

fn concat(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options(value: Value) -> Options {
        Options::new(value, "Verifier").unwrap()
    }

    #[test]
    fn names_the_option_and_hides_the_value() {
        let e = options(json!({"clockTolerance": "secret-5s"}))
            .seconds("clockTolerance")
            .unwrap_err();
        assert_eq!((e.code(), e.claim_name()), (ErrorCode::InvalidOptions, Some("clockTolerance")));
        assert!(!e.message().contains("secret"), "{}", e.message());
        assert!(e.message().contains("clockTolerance"), "{}", e.message());
        let e = options(json!({"algorithms": ["ES256", 7]})).strings("algorithms").unwrap_err();
        assert_eq!(e.claim_name(), Some("algorithms"));
        let mut o = options(json!({"issuerr": "x", "issuer": null}));
        assert_eq!(o.string("issuer").unwrap(), None, "null is absent");
        let e = o.finish().unwrap_err();
        assert_eq!(e.claim_name(), Some("issuerr"));
        assert!(e.message().contains("issuerr"), "{}", e.message());
    }

    #[test]
    fn types_and_ranges() {
        let mut o = options(json!({"a": 1.5, "a2": 1.5, "b": 3, "c": -1, "d": "x", "e": [], "f": true, "g": {"name": 5}}));
        assert_eq!(o.seconds("a").unwrap(), Some(1.5));
        assert!(o.integer("a2", 0, 10, "must be whole").is_err());
        assert_eq!(o.integer("b", 0, 10, "must be whole").unwrap(), Some(3));
        assert!(o.seconds("c").is_err());
        assert!(o.one_or_many("e").is_err(), "an empty list");
        assert_eq!(o.boolean("f").unwrap(), Some(true));
        let mut nested = o.nested("g").unwrap().unwrap();
        let e = nested.string("name").unwrap_err();
        assert_eq!(e.claim_name(), Some("g"));
        assert!(e.message().contains("g.name"), "{}", e.message());
        assert!(o.string("d").is_ok());
        assert!(o.finish().is_ok());
        assert!(Options::new(json!([1]), "x").is_err());
        assert!(Options::parse("", "x").unwrap().finish().is_ok());
        assert!(Options::parse("{", "x").is_err());
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(Options::parse(&format!("{{\"a\":{deep}}}"), "x").is_err(), "nesting is bounded");
    }
}
