//! The JOSE primitives the roles build on, importing nothing from them: strict base64url
//! ([`b64`]) and JSON ([`json`]), the algorithms ([`jwa`]), keys ([`jwk`]) and key sets
//! ([`jwks`]), compact JWS ([`jws`]) and JWT claims validation ([`jwt`]).

pub(crate) mod b64;
pub mod dpop;
pub(crate) mod json;
pub mod jwa;
pub mod jwk;
pub mod jwks;
pub mod jws;
pub mod jwt;
