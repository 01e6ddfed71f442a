//! ES384 and Ed25519 signature verification for Tessera (see README.md for why this is a crate of
//! its own). Every function here answers with `Option` or `bool`: the main crate turns that into
//! its error vocabulary.
#![no_std]

pub mod eddsa;
pub mod es384;
