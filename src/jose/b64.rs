//! Strict, canonical base64url (RFC 7515 §2, RFC 4648 §5) without padding.
//!
//! Rejected: padding, whitespace, `+` and `/`, a length of 1 mod 4, and non-zero trailing bits
//! (so every byte string has exactly one accepted encoding).

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use crate::error::{Error, Result};

const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

pub fn encode(bytes: &[u8]) -> String {
    STRICT.encode(bytes)
}

/// Decodes canonical base64url; every failure is `ERR_MALFORMED` with the given context.
pub fn decode(text: &str, what: &'static str) -> Result<Vec<u8>> {
    STRICT.decode(text).map_err(|_| Error::malformed(what))
}

/// Whether every byte is in the base64url alphabet (checked before any decoding work).
pub fn is_alphabet(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode(&encode(&bytes), "x"), Ok(bytes));
        }
    }

    #[test]
    fn rejects_non_canonical_forms() {
        assert!(decode("AQ==", "x").is_err(), "padding");
        assert!(decode("AR", "x").is_err(), "non-zero trailing bits");
        assert!(decode("AQ", "x").is_ok());
        assert!(decode("A", "x").is_err(), "length 1 mod 4");
        assert!(decode("a+b/", "x").is_err(), "standard alphabet");
        assert!(decode("AQ A", "x").is_err(), "whitespace");
        assert!(!is_alphabet("ab=c"));
        assert!(is_alphabet("ab-_09Z"));
    }
}
