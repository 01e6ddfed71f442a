//! Signatures a binding checks with its runtime's crypto, on the asynchronous paths (`verify`,
//! `verifyRequest`), where that measured faster than this build (node:crypto in Node, WebCrypto
//! where it is native code): the core parses the token or proof, picks the key and the exact
//! algorithm (from the key's binding, never from the header alone, see [`crate::jose::jwks`]),
//! checks the signature's shape, and hands out a [`SignatureCheck`] under a ticket. The binding
//! performs it and answers a [`Verdict`] for that ticket; the core then finishes what it had
//! stopped (the claims and the token cache, or the rest of the DPoP checks). `verifySync` and
//! native callers never hand anything out.
//!
//! A verdict counts only for the ticket it answers, which names one check: a verdict for one
//! request can never settle another's token or proof, whatever runs concurrently. At most
//! [`MAX_PENDING`] checks wait at once; the oldest is forgotten first, and a verdict for a
//! forgotten ticket only makes the binding start over.

use std::collections::VecDeque;

use crate::error::{Error, Result};
use crate::jose::dpop::Proof;
use crate::jose::jwa::Algorithm;
use crate::jose::jws::{Header, SignatureCheck};
use crate::time::Time;

/// Checks awaiting a verdict at once, at most (concurrent verifications).
pub const MAX_PENDING: usize = 256;

/// The algorithms whose token signatures the binding checks (none by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuntimeAlgorithms(u16);

impl RuntimeAlgorithms {
    /// From space-separated algorithm names (`"RS256 PS256 EdDSA"`); an unknown name is
    /// `ERR_INVALID_OPTIONS`.
    pub fn parse(names: &str) -> Result<RuntimeAlgorithms> {
        names.split_ascii_whitespace().try_fold(RuntimeAlgorithms(0), |set, name| {
            Algorithm::from_name(name)
                .map(|alg| RuntimeAlgorithms(set.0 | RuntimeAlgorithms::bit(alg)))
                .ok_or_else(|| Error::invalid_options("a runtime algorithm is not one Tessera verifies"))
        })
    }

    fn bit(alg: Algorithm) -> u16 {
        let index = Algorithm::ALL.iter().position(|a| *a == alg).unwrap_or(15);
        1 << index
    }

    pub fn contains(self, alg: Algorithm) -> bool {
        self.0 & RuntimeAlgorithms::bit(alg) != 0
    }
}

/// The binding's answer for one ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
    /// The runtime could not check it (no such algorithm, a failed key import): check it here.
    InCore,
}

/// What the core had done when it handed a check out, and finishes after the verdict.
#[derive(Clone, Debug)]
pub enum Pending {
    /// A token: its header and payload segment (decoded only once the signature held), the
    /// verification's time and scopes, and the key set generation it was selected from (for the
    /// token cache). `request`: a `verifyRequest` token, whose request goes on from the start
    /// (its token then found in the cache).
    Token {
        check: SignatureCheck,
        token: String,
        header: Header,
        payload_at: usize,
        generation: u64,
        now: Time,
        required_scopes: Vec<String>,
        request: bool,
    },
    /// A DPoP proof whose claims passed: the rest of its checks (the binding to the token's
    /// `cnf.jkt`, the nonce, the replay check) at `now`, and the token's claims to answer.
    Proof {
        check: SignatureCheck,
        proof: Proof,
        bound: String,
        claims: String,
        now: Time,
        tolerance_ms: i64,
    },
}

impl Pending {
    pub fn check(&self) -> &SignatureCheck {
        match self {
            Pending::Token { check, .. } | Pending::Proof { check, .. } => check,
        }
    }
}

/// The checks handed out and not yet answered, by ticket.
#[derive(Clone, Debug, Default)]
pub struct Checks {
    waiting: VecDeque<(u32, Pending)>,
    last: u32,
}

impl Checks {
    /// Hands out a check: its ticket (never 0).
    pub fn ask(&mut self, pending: Pending) -> u32 {
        self.last = self.last.checked_add(1).unwrap_or(1);
        if self.waiting.len() >= MAX_PENDING {
            self.waiting.pop_front();
        }
        self.waiting.push_back((self.last, pending));
        self.last
    }

    /// The check of a ticket still waiting.
    pub fn get(&self, ticket: u32) -> Option<&Pending> {
        self.waiting.iter().find(|(t, _)| *t == ticket).map(|(_, p)| p)
    }

    /// Takes a ticket's check out (a verdict is used once).
    pub fn take(&mut self, ticket: u32) -> Option<Pending> {
        let at = self.waiting.iter().position(|(t, _)| *t == ticket)?;
        self.waiting.remove(at).map(|(_, p)| p)
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_algorithms_parse_names() {
        let set = RuntimeAlgorithms::parse(" RS256 PS512  EdDSA ").unwrap();
        assert!(set.contains(Algorithm::Rs256) && set.contains(Algorithm::Ps512) && set.contains(Algorithm::EdDsa));
        assert!(!set.contains(Algorithm::Es256) && !set.contains(Algorithm::Ed25519));
        assert_eq!(RuntimeAlgorithms::parse("").unwrap(), RuntimeAlgorithms::default());
        assert!(RuntimeAlgorithms::parse("RS256 HS256").is_err());
        assert!(RuntimeAlgorithms::parse("rs256").is_err());
    }
}
