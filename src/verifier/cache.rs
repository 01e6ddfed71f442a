//! A bounded cache of verified tokens, so a token seen again skips the signature check and the
//! JSON parsing — but never the claim checks (`exp`, `nbf`, …, scopes), which run on every hit,
//! nor the authority's revocation check, which runs after.
//!
//! Entries are keyed on the signing input (`header.payload`), never on the raw token: ECDSA
//! signatures are malleable, so one signed content has several valid token strings. The entry
//! keeps the token that verified, and a hit needs the presented token to equal it byte for byte:
//! any other signature segment goes through full verification (a tampered signature is still
//! rejected, a malleated valid one is verified and then replaces the entry). The map's index is
//! a 64-bit SipHash of the signing input (std's `RandomState`: randomly keyed where the platform
//! has a random source, predictable on wasm32-unknown-unknown, which has none), only to find the
//! entry: the byte comparison decides, so a collision, by chance or crafted, costs one full
//! verification (and on insert evicts the other entry), never a wrong hit. Only verified tokens
//! are inserted, so crafted collisions cannot fill the cache. (SHA-256 of the signing input, the
//! earlier index, took more time than the rest of a hit together. foldhash instead measured no
//! faster in the verify build, for 1.2 kB gzip more.)
//!
//! An entry holds the verified header and claims (parsed, for the claim checks) and the claims'
//! JSON text (so a binding can rebuild a fresh claims object per call, for example with
//! `JSON.parse`, instead of converting the parsed claims value by value).
//!
//! Memory is bounded: at most [`MAX_ENTRIES`] entries and [`MAX_BYTES`] bytes counted as the
//! token's length plus what the entry stores: the claims' JSON text and an estimate of the parsed
//! header and claims (their strings, arrays and map entries; see [`parsed_size`]). The oldest
//! entries are dropped first. Entries are valid only for the key set they were verified with.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::mem::size_of;

use serde_json::{Map, Value};

use crate::jose::jwt::VerifiedJwt;

pub const MAX_ENTRIES: usize = 1024;
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Entry {
    pub jwt: VerifiedJwt,
    /// The compact token that verified: its signing input and signature segment.
    token: Box<str>,
    key_generation: u64,
    size: usize,
}

#[derive(Clone, Debug, Default)]
pub struct TokenCache {
    entries: HashMap<u64, Entry>,
    order: VecDeque<u64>,
    bytes: usize,
    hasher: RandomState,
}

/// Heap bytes of parsed JSON held by a map, estimated: every key and string's bytes, every
/// array's slots, and per map member its key and value slots plus a share of the tree node.
pub fn parsed_size(map: &Map<String, Value>) -> usize {
    const MEMBER: usize = size_of::<String>() + size_of::<Value>() + 8;
    map.iter().map(|(key, value)| MEMBER + key.len() + value_heap(value)).sum()
}

// Recursion depth is bounded by serde_json's nesting limit (128) on everything parsed here.
fn value_heap(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len(),
        Value::Array(items) => items.iter().map(|item| size_of::<Value>() + value_heap(item)).sum(),
        Value::Object(map) => parsed_size(map),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

/// `a == b`, eight bytes at a time: wasm's `memcmp` goes byte by byte, and on a cache hit this
/// comparison of a few hundred bytes was a tenth of the time. (Not constant-time: tokens are not
/// secrets here, and the comparison only finds an entry.)
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let (a_words, b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    a.len() == b.len() && a_words.remainder() == b_words.remainder() && a_words.zip(b_words).all(|(x, y)| word(x) == word(y))
}

fn word(chunk: &[u8]) -> u64 {
    chunk.try_into().map_or(0, u64::from_le_bytes)
}

impl TokenCache {
    /// The index of a compact token's entry: a hash of its signing input (all but the last
    /// segment).
    fn index(&self, token: &str) -> u64 {
        let bytes = token.as_bytes();
        let signing_input = bytes
            .iter()
            .rposition(|&b| b == b'.')
            .and_then(|dot| bytes.get(..dot))
            .unwrap_or(bytes);
        self.hasher.hash_one(signing_input)
    }

    /// The entry for this token, if exactly this token (signing input and signature) verified
    /// under this key set.
    pub fn get(&self, token: &str, key_generation: u64) -> Option<&Entry> {
        self.entries
            .get(&self.index(token))
            .filter(|e| same_bytes(e.token.as_bytes(), token.as_bytes()) && e.key_generation == key_generation)
    }

    /// Stores a verified token, replacing any entry for the same signing input.
    pub fn insert(&mut self, token: &str, jwt: VerifiedJwt, key_generation: u64) {
        let size = token.len() + jwt.json.len() + parsed_size(&jwt.claims) + parsed_size(&jwt.header.members);
        if size > MAX_BYTES / 8 {
            return;
        }
        let index = self.index(token);
        if let Some(old) = self.entries.remove(&index) {
            self.bytes -= old.size;
            self.order.retain(|d| d != &index);
        }
        while self.entries.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(old) = self.entries.remove(&oldest) {
                self.bytes -= old.size;
            }
        }
        self.entries.insert(
            index,
            Entry {
                jwt,
                token: token.into(),
                key_generation,
                size,
            },
        );
        self.order.push_back(index);
        self.bytes += size;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Bytes counted against [`MAX_BYTES`].
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::jws::Header;

    fn jwt(json: &str) -> VerifiedJwt {
        VerifiedJwt {
            header: Header {
                alg: "ES256".into(),
                kid: None,
                typ: None,
                members: Map::new(),
            },
            claims: crate::jose::json::parse_object(json.as_bytes(), "x").unwrap(),
            json: json.to_string(),
        }
    }

    #[test]
    fn bounded_and_keyed_on_signing_input_signature_and_keys() {
        let mut cache = TokenCache::default();
        for i in 0..(MAX_ENTRIES + 10) {
            cache.insert(&format!("h.p{i}.s"), jwt("{}"), 0);
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert!(cache.get("h.p0.s", 0).is_none(), "the oldest entries go first");
        let newest = format!("h.p{}", MAX_ENTRIES + 9);
        assert!(cache.get(&format!("{newest}.s"), 0).is_some());
        assert!(cache.get(&format!("{newest}.t"), 0).is_none(), "another signature is not a hit");
        assert!(cache.get(&format!("{newest}.s"), 1).is_none(), "another key set is not a hit");
        assert!(
            cache.get(&format!("{newest}x.s"), 0).is_none(),
            "another signing input is not a hit"
        );
        assert!(cache.bytes <= MAX_BYTES);
        // A second signature for a signing input replaces the entry (one entry per signing input).
        cache.insert(&format!("{newest}.t"), jwt("{}"), 0);
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert!(cache.get(&format!("{newest}.t"), 0).is_some());
        assert!(cache.get(&format!("{newest}.s"), 0).is_none());
    }

    #[test]
    fn memory_bound_is_four_mib_and_an_entry_at_most_an_eighth() {
        // Survivor of scripts/mutants.sh (`4 * 1024 * 1024` → `4 + 1024 * 1024`): the sizes
        // written out. A claims text of 200 KiB (counted twice: text and parsed, ≈ 400 KiB) is
        // kept, one of 300 KiB (≈ 600 KiB) is not; of twenty ≈ 300 KiB entries, 13 fit in 4 MiB.
        let big = |n: usize| jwt(&format!("{{\"p\":\"{}\"}}", "x".repeat(n)));
        let mut cache = TokenCache::default();
        cache.insert("h.big.s", big(200 * 1024), 0);
        assert!(cache.get("h.big.s", 0).is_some());
        cache.insert("h.huge.s", big(300 * 1024), 0);
        assert!(cache.get("h.huge.s", 0).is_none());
        for i in 0..20 {
            cache.insert(&format!("h.b{i}.s"), big(150 * 1024), 0);
        }
        assert_eq!(cache.len(), 13);
        assert!(cache.bytes <= 4 * 1024 * 1024);
    }

    #[test]
    fn parsed_size_counts_members_keys_strings_and_slots() {
        // Survivors of scripts/mutants.sh: the estimate, term by term.
        let member = size_of::<String>() + size_of::<Value>() + 8;
        let map = |text: &str| crate::jose::json::parse_object(text.as_bytes(), "x").unwrap();
        assert_eq!(parsed_size(&map(r#"{"ab":"xyz"}"#)), member + 2 + 3);
        assert_eq!(
            parsed_size(&map(r#"{"a":[1,"xy"],"b":{"c":null}}"#)),
            member + 1 + 2 * size_of::<Value>() + 2 + member + 1 + member + 1
        );
    }

    /// What the cache counts is what its entries hold, in order, once each.
    fn check_accounts(cache: &TokenCache) {
        assert_eq!(cache.bytes, cache.entries.values().map(|e| e.size).sum::<usize>());
        assert_eq!(cache.order.len(), cache.entries.len());
        assert!(cache.order.iter().all(|index| cache.entries.contains_key(index)));
    }

    #[test]
    fn entries_of_exactly_an_eighth_fill_the_bound_and_the_accounts_add_up() {
        // Survivors of scripts/mutants.sh in `insert`: the size formula, the one-eighth limit
        // (inclusive), the bound (inclusive) and the byte accounts on replacement and eviction.
        let sized = |token: &str, n: usize| {
            let entry = jwt(&format!("{{\"p\":\"{}\"}}", "x".repeat(n)));
            let size = token.len() + entry.json.len() + parsed_size(&entry.claims) + parsed_size(&entry.header.members);
            (entry, size)
        };
        let eighth = MAX_BYTES / 8;
        // A claims string length giving an entry of exactly an eighth (tokens of even length).
        let (_, empty) = sized("h.e00.s", 0);
        let n = (eighth - empty) / 2;
        let exact = |i: usize| {
            let token = format!("h.e{i:02}.s");
            let (entry, size) = sized(&token, n);
            assert_eq!(size, eighth);
            (token, entry)
        };
        let mut cache = TokenCache::default();
        cache.insert("h.e00.s", sized("h.e00.s", n + 1).0, 0);
        assert_eq!(cache.len(), 0, "one byte over an eighth is not kept");
        for i in 0..8 {
            let (token, entry) = exact(i);
            cache.insert(&token, entry, 0);
            check_accounts(&cache);
        }
        assert_eq!((cache.len(), cache.bytes), (8, MAX_BYTES), "eight eighths fit exactly");
        assert!(cache.get("h.e00.s", 0).is_some());
        // Replacing an entry (another signature) keeps the others and the accounts.
        cache.insert("h.e03.t", exact(3).1, 0);
        check_accounts(&cache);
        assert_eq!(cache.len(), 8);
        // A ninth evicts exactly the oldest.
        let (token, entry) = exact(8);
        cache.insert(&token, entry, 0);
        check_accounts(&cache);
        assert_eq!(cache.len(), 8);
        assert!(cache.get("h.e00.s", 0).is_none() && cache.get("h.e01.s", 0).is_some());
    }

    #[test]
    fn same_bytes_is_equality() {
        let text = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.sig";
        for len in 0..text.len() {
            let a = &text[..len];
            assert!(same_bytes(a, a));
            assert!(!same_bytes(a, &text[..len + 1]));
            for i in 0..len {
                let mut b = a.to_vec();
                b[i] ^= 1;
                assert!(!same_bytes(a, &b), "a difference at {i} of {len}");
            }
        }
    }

    #[test]
    fn the_byte_bound_counts_the_parsed_claims() {
        // Small text, many values: the estimate of the parsed claims dominates the token length.
        let json = format!("{{\"a\":[{}0]}}", "0,".repeat(3000));
        let mut cache = TokenCache::default();
        cache.insert("h.p.s", jwt(&json), 0);
        assert!(cache.bytes() >= json.len() + 3001 * size_of::<Value>());
        for i in 0..MAX_ENTRIES {
            cache.insert(&format!("h.p{i}.s"), jwt(&json), 0);
            assert!(cache.bytes() <= MAX_BYTES);
        }
        assert!(cache.len() < MAX_ENTRIES, "the byte bound, not the entry bound, limited the cache");
    }
}
