//! Typed store records (`Family`, `Subject`) from the JSON values a store returns.
//!
//! What `serde_json::from_value` does, visitor call for visitor call (so the same records are
//! accepted and refused), but with an error that keeps no message. serde_json's errors format
//! their message when they are made — "invalid type: floating point `1.5`, …" — which brought
//! `f64`'s `Display` (core's float-to-decimal algorithms and their tables) into the authority
//! build; a record that does not parse is answered with 503 and no detail anyway.

use std::fmt;

use serde::de::value::StringDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The record does not have the type's shape.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid;

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the record does not have the expected shape")
    }
}

impl std::error::Error for Invalid {}

impl de::Error for Invalid {
    // The message is dropped unformatted: nothing here reaches `Display` of what serde reports.
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Invalid
    }
}

/// `T` from a JSON value, as `serde_json::from_value` would decide.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Invalid> {
    T::deserialize(Record(value))
}

struct Record(Value);

impl<'de> de::Deserializer<'de> for Record {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().ok_or(Invalid)?)
                }
            }
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => {
                let mut seq = Items(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                // As serde_json: a sequence the visitor did not read to its end is refused.
                match seq.0.len() {
                    0 => Ok(value),
                    _ => Err(Invalid),
                }
            }
            Value::Object(map) => {
                let mut members = Members {
                    iter: map.into_iter(),
                    value: None,
                };
                let value = visitor.visit_map(&mut members)?;
                match members.iter.len() {
                    0 => Ok(value),
                    _ => Err(Invalid),
                }
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct enum identifier
    }
}

struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = Invalid;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Invalid> {
        self.0.next().map(|item| seed.deserialize(Record(item))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Members {
    iter: <Map<String, Value> as IntoIterator>::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for Members {
    type Error = Invalid;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Invalid> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let key: StringDeserializer<Invalid> = key.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Invalid> {
        seed.deserialize(Record(self.value.take().ok_or(Invalid)?))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::refresh::Family;
    use super::super::store::Subject;
    use super::*;

    /// Every record here is decided as `serde_json::from_value` decides it.
    #[test]
    fn agrees_with_serde_json() {
        let family = json!({
            "family": "f1", "sub": "alice", "scope": "read", "claims": {"tenant": "t", "n": [1, 2.5, null]},
            "createdAt": 1_700_000_000, "expiresAt": 1_700_086_400, "idleExpiresAt": 1_700_003_600,
            "generation": 3, "current": "h3", "previous": "h2", "rotatedAt": 1_700_000_100, "nonce": "n",
            "subjectEpoch": 0, "revoked": false, "revokedReason": null, "jkt": "t1"
        });
        let subject = json!({"generation": 1, "epoch": 5, "families": [{"sid": "f1", "expiresAt": 9}]});
        let mut families = vec![family.clone()];
        let mut subjects = vec![subject.clone(), json!({"generation": 1, "epoch": 5})];
        let changes: [(&str, Value); 12] = [
            ("generation", json!(1.5)),
            ("generation", json!(-1)),
            ("generation", json!("3")),
            ("createdAt", json!(1e3)),
            ("createdAt", json!(u64::MAX)),
            ("previous", Value::Null),
            ("claims", json!([])),
            ("revoked", json!(0)),
            ("extra", json!(1)),
            ("jkt", Value::Null),
            ("scope", json!(["read"])),
            ("sub", json!({})),
        ];
        for (member, value) in changes.iter().cloned() {
            let mut changed = family.clone();
            changed[member] = value.clone();
            families.push(changed);
            let mut changed = subject.clone();
            changed[member] = value;
            subjects.push(changed);
        }
        for member in ["previous", "jkt", "sub", "claims", "revokedReason"] {
            let mut missing = family.clone();
            missing.as_object_mut().map(|m| m.remove(member));
            families.push(missing);
        }
        subjects.extend([
            json!({"generation": 1, "epoch": 5, "families": [{"sid": "f1", "expiresAt": 9, "x": 1}]}),
            json!({"generation": 1, "epoch": 5, "families": [["f1", 9]]}),
            json!({"generation": 1, "epoch": 5, "families": {"sid": "f1"}}),
            json!({"generation": 1, "epoch": 5, "revokedAt": 2.0}),
            json!([1, 5]),
            json!([1, 5, null, [], 7]),
            json!(null),
        ]);
        let mut accepted = 0;
        for value in families {
            let ours = from_value::<Family>(value.clone()).ok();
            assert_eq!(ours, serde_json::from_value::<Family>(value.clone()).ok(), "{value}");
            accepted += usize::from(ours.is_some());
        }
        for value in subjects {
            let ours = from_value::<Subject>(value.clone()).ok();
            assert_eq!(ours, serde_json::from_value::<Subject>(value.clone()).ok(), "{value}");
            accepted += usize::from(ours.is_some());
        }
        assert!(accepted >= 6, "some of the records are sound ({accepted})");
    }
}
