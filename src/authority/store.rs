//! The session store contract (see `STORE.md`): the [`Store`] trait, the keys and the typed
//! records ([`Subject`]; the family record is [`Family`](super::refresh::Family)), and the
//! embedded [`MemoryStore`].
//!
//! A store maps keys to JSON records that each carry a numeric `generation`. `put` is a
//! compare-and-set: it writes only if the stored generation is still `expected` (or, with
//! `expected = None`, if nothing is stored). Records expire after their TTL.

use std::collections::HashMap;
use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::time::Time;

/// The store contract: JSON records carrying a `generation`; `put` is a compare-and-set on it
/// (`expected = None`: only if absent), keeping the record `ttl` seconds. Failures are `Err`
/// (the authority answers 503). `now` is the authority's clock, for stores without their own
/// (a store with its own clock, as Redis or a Durable Object, ignores it).
pub trait Store {
    fn get(&self, key: &str, now: Time) -> impl Future<Output = Result<Option<Value>>>;
    fn put(&self, key: &str, value: Value, expected: Option<u64>, ttl: i64, now: Time) -> impl Future<Output = Result<bool>>;
}
/// Key of a session family's record.
pub fn family_key(family: &str) -> String {
    format!("family:{family}")
}

/// Key of a subject's record ([`Subject`]).
pub fn subject_key(sub: &str) -> String {
    format!("subject:{sub}")
}

/// The record of a subject: its revocation epoch ("log out everywhere") and its recent
/// families (for the per-subject limit of live sessions).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Subject {
    /// The compare-and-set version (absent record: no version).
    pub generation: u64,
    /// Families that started under a lower epoch are revoked. It never goes back, even after
    /// this record expired and was forgotten: see [`Subject::revoked`].
    pub epoch: u64,
    /// When the subject was last revoked everywhere (unix seconds), for operators.
    #[serde(default)]
    pub revoked_at: Option<i64>,
    /// Families started since, oldest first: `(family id, absolute expiry)`. Entries leave when
    /// they expire, or when a login over the limit finds them ended or revokes them.
    #[serde(default)]
    pub families: Vec<SubjectFamily>,
}

/// One family in a [`Subject`] record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SubjectFamily {
    pub sid: String,
    pub expires_at: i64,
}

/// Epoch units per second: revocations in the same second still raise the epoch one by one.
const EPOCH_PER_SECOND: u64 = 1000;

impl Subject {
    /// Whether this record is one the handshake can compute with: counters at most
    /// [`MAX_COUNTER`](super::refresh::MAX_COUNTER), times between 1970 and year 9999.
    pub fn is_sound(&self) -> bool {
        use super::refresh::{is_record_time, MAX_COUNTER};
        self.generation <= MAX_COUNTER
            && self.epoch <= MAX_COUNTER
            && self.revoked_at.is_none_or(is_record_time)
            && self.families.iter().all(|f| is_record_time(f.expires_at))
    }

    /// The record after "log out everywhere" at `now`: the epoch becomes
    /// `max(epoch + 1, now × 1000)`. A forgotten record reads as epoch 0, yet the new epoch is
    /// still above every epoch a live family can hold: this record outlives every family that
    /// started before its last write (its TTL is the session lifetime), and every later epoch
    /// derives from a later clock. (An epoch computed only as `epoch + 1` went back to 1 once the
    /// record expired, and a family that stored 1 survived the next revocation.)
    pub fn revoked(&self, now: i64) -> Subject {
        let floor = u64::try_from(now).unwrap_or(0).saturating_mul(EPOCH_PER_SECOND);
        Subject {
            generation: self.generation.saturating_add(1),
            epoch: self.epoch.saturating_add(1).max(floor),
            revoked_at: Some(now),
            families: Vec::new(),
        }
    }
}

/// The generation of a stored record (`None` when absent or malformed).
fn generation_of(record: &Value) -> Option<u64> {
    record.get("generation").and_then(Value::as_u64)
}

/// At most this many live records in a [`MemoryStore`]; when full, expired records are swept
/// and, if still full, new families are refused (the authority answers 503) rather than
/// evicting live sessions.
pub const MEMORY_STORE_MAX_RECORDS: usize = 100_000;

/// An in-memory store (the default, living inside one wasm instance). It is strongly consistent
/// within that instance only: use it for a single process or for tests and demos.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: HashMap<String, (Value, i64)>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    pub fn get(&mut self, key: &str, now: Time) -> Option<Value> {
        let now = now.secs();
        match self.records.get(key) {
            Some((_, expires)) if *expires <= now => {
                self.records.remove(key);
                None
            }
            Some((value, _)) => Some(value.clone()),
            None => None,
        }
    }

    /// Compare-and-set; `false` when the stored generation is not `expected` (a lost race) or
    /// the store is full.
    pub fn put(&mut self, key: &str, value: Value, expected: Option<u64>, ttl: i64, now: Time) -> bool {
        let current = self.get(key, now).as_ref().and_then(generation_of);
        let now = now.secs();
        let stored = self.records.contains_key(key);
        let matches = match expected {
            None => !stored,
            Some(generation) => current == Some(generation),
        };
        if !matches {
            return false;
        }
        if !stored && self.records.len() >= MEMORY_STORE_MAX_RECORDS {
            self.records.retain(|_, (_, expires)| *expires > now);
            if self.records.len() >= MEMORY_STORE_MAX_RECORDS {
                return false;
            }
        }
        self.records.insert(key.to_string(), (value, now.saturating_add(ttl.max(1))));
        true
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Records that have not expired at `now`.
    pub fn live(&self, now: Time) -> usize {
        self.records.values().filter(|(_, expires)| *expires > now.secs()).count()
    }

    /// Drops a record as if it had expired (tests of what happens after a TTL).
    pub fn forget(&mut self, key: &str) {
        self.records.remove(key);
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The embedded store as a [`Store`] (one instance, one thread).
impl Store for std::cell::RefCell<MemoryStore> {
    async fn get(&self, key: &str, now: Time) -> Result<Option<Value>> {
        Ok(self.borrow_mut().get(key, now))
    }

    async fn put(&self, key: &str, value: Value, expected: Option<u64>, ttl: i64, now: Time) -> Result<bool> {
        Ok(self.borrow_mut().put(key, value, expected, ttl, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(seconds: i64) -> Time {
        Time::from_secs(seconds)
    }

    #[test]
    fn compare_and_set_and_ttl() {
        let mut store = MemoryStore::new();
        assert!(store.put("k", json!({"generation": 0}), None, 100, t(0)));
        assert!(!store.put("k", json!({"generation": 0}), None, 100, t(0)), "create only if absent");
        assert!(!store.put("k", json!({"generation": 1}), Some(5), 100, t(0)), "wrong generation");
        assert!(store.put("k", json!({"generation": 1}), Some(0), 100, t(0)));
        assert_eq!(store.get("k", t(50)).as_ref().and_then(generation_of), Some(1));
        assert_eq!(store.get("k", t(100)), None, "expired");
        assert!(
            store.put("k", json!({"generation": 0}), None, 100, t(100)),
            "expired keys can be created again"
        );
    }

    #[test]
    fn a_full_store_sweeps_expired_records_then_refuses_new_keys_but_keeps_updating() {
        let mut store = MemoryStore::new();
        for i in 0..MEMORY_STORE_MAX_RECORDS {
            // Half expire at t=10, half live long.
            let ttl = if i % 2 == 0 { 10 } else { 1000 };
            assert!(store.put(&format!("k{i}"), json!({"generation": 0}), None, ttl, t(0)));
        }
        assert!(
            !store.put("new", json!({"generation": 0}), None, 100, t(5)),
            "full, nothing expired yet"
        );
        assert!(
            store.put("k1", json!({"generation": 1}), Some(0), 100, t(5)),
            "existing keys still rotate"
        );
        assert!(
            store.put("new", json!({"generation": 0}), None, 100, t(10)),
            "expired records are swept"
        );
        assert_eq!(store.len(), MEMORY_STORE_MAX_RECORDS / 2 + 1);
    }
}
