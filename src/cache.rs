//! A bounded cache of verified tokens, so a token seen again skips the signature check and the
//! JSON parsing — but never the claim checks (`exp`, `nbf`, …, scopes), which run on every hit,
//! nor the authority's revocation check, which runs after.
//!
//! Entries are keyed on SHA-256 of the signing input (`header.payload`), never on the raw token:
//! ECDSA signatures are malleable, so one signed content has several valid token strings. The
//! entry keeps the signature segment that verified; a hit with any other signature segment goes
//! through full verification (a tampered signature is still rejected, a malleated valid one is
//! verified and then served from the cache).
//!
//! Memory is bounded: at most [`MAX_ENTRIES`] entries and [`MAX_BYTES`] bytes of signing input
//! and signatures (entries hold the parsed claims, of about that size); the oldest entries are
//! dropped first. Entries are valid only for the key set they were verified with.

use std::collections::{HashMap, VecDeque};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::jws::Header;

pub const MAX_ENTRIES: usize = 1024;
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Entry {
    pub header: Header,
    pub claims: Map<String, Value>,
    signature: String,
    key_generation: u64,
    size: usize,
}

#[derive(Clone, Debug, Default)]
pub struct TokenCache {
    entries: HashMap<[u8; 32], Entry>,
    order: VecDeque<[u8; 32]>,
    bytes: usize,
}

/// `(digest of the signing input, signature segment)` of a compact token, if it has that shape.
pub fn key_of(token: &str) -> Option<([u8; 32], &str)> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    Some((Sha256::digest(signing_input.as_bytes()).into(), signature))
}

impl TokenCache {
    /// The entry for this signing input, if it verified with this signature under this key set.
    pub fn get(&self, digest: &[u8; 32], signature: &str, key_generation: u64) -> Option<&Entry> {
        self.entries
            .get(digest)
            .filter(|e| e.signature == signature && e.key_generation == key_generation)
    }

    pub fn insert(
        &mut self,
        digest: [u8; 32],
        token: &str,
        signature: &str,
        header: Header,
        claims: Map<String, Value>,
        key_generation: u64,
    ) {
        let size = token.len();
        if size > MAX_BYTES / 8 {
            return;
        }
        if let Some(old) = self.entries.remove(&digest) {
            self.bytes -= old.size;
            self.order.retain(|d| d != &digest);
        }
        while self.entries.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(old) = self.entries.remove(&oldest) {
                self.bytes -= old.size;
            }
        }
        self.entries.insert(
            digest,
            Entry {
                header,
                claims,
                signature: signature.to_string(),
                key_generation,
                size,
            },
        );
        self.order.push_back(digest);
        self.bytes += size;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            alg: "ES256".into(),
            kid: None,
            typ: None,
            members: Map::new(),
        }
    }

    #[test]
    fn bounded_and_keyed_on_signing_input_signature_and_keys() {
        let mut cache = TokenCache::default();
        for i in 0..(MAX_ENTRIES + 10) {
            let token = format!("h.p{i}.s");
            let (digest, sig) = key_of(&token).unwrap();
            cache.insert(digest, &token, sig, header(), Map::new(), 0);
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        let (oldest, _) = key_of("h.p0.s").unwrap();
        assert!(cache.get(&oldest, "s", 0).is_none(), "the oldest entries go first");
        let (newest, _) = key_of(&format!("h.p{}.s", MAX_ENTRIES + 9)).unwrap();
        assert!(cache.get(&newest, "s", 0).is_some());
        assert!(cache.get(&newest, "t", 0).is_none(), "another signature is not a hit");
        assert!(cache.get(&newest, "s", 1).is_none(), "another key set is not a hit");
        assert!(cache.bytes <= MAX_BYTES);
    }
}
