//! ES384 and Ed25519 signature verification for Tessera (see README.md for why this is a crate of
//! its own), and (feature `tables`) the fixed-base tables that make ECDSA verification fast on
//! P-256 and P-384. Every function here answers with `Option` or `bool`: the main crate turns
//! that into its error vocabulary.
// The tables live in `thread_local!`s and `Rc`s: std with them, `no_std` without.
#![cfg_attr(not(feature = "tables"), no_std)]

pub mod eddsa;
#[cfg(feature = "tables")]
pub mod es256;
pub mod es384;
#[cfg(feature = "tables")]
pub mod weierstrass;
