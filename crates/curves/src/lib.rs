//! ES384 and Ed25519 signature verification for Tessera (see README.md for why this is a crate of
//! its own), and the point arithmetic and fixed-base tables that ECDSA verification on P-256 and
//! P-384 runs on (`weierstrass`). Every function here answers with `Option` or `bool`: the main
//! crate turns that into its error vocabulary.

pub mod eddsa;
pub mod es256;
pub mod es384;
pub mod weierstrass;
