//! Strict, canonical base64url (RFC 7515 §2, RFC 4648 §5) without padding.
//!
//! Rejected: padding, whitespace, `+` and `/`, a length of 1 mod 4, and non-zero trailing bits
//! (so every byte string has exactly one accepted encoding).

//!
//! Our own codec rather than the `base64` crate: the crate's general-purpose engine was 5.8 KB
//! of wasm in the verify build (and its alphabet tables), this is about a quarter of that; a
//! JWT's segments are a few hundred bytes, so its chunked decoding bought nothing measurable.

use crate::error::{Error, Result};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Each byte's 6-bit value, or 0xff outside the alphabet (a table: decoding is on every token's
/// path, and a lookup measured faster than matching ranges).
const VALUES: [u8; 256] = values();

// Indexing in a constant is checked when it is evaluated: out of bounds would fail the build,
// never run.
#[allow(clippy::indexing_slicing)]
const fn values() -> [u8; 256] {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
}

/// The 6-bit value of a base64url character.
fn value(c: u8) -> Option<u32> {
    match VALUES.get(usize::from(c)) {
        Some(&v) if v < 64 => Some(u32::from(v)),
        _ => None,
    }
}

fn char_of(bits: u32) -> char {
    // `bits & 63` is below 64, so `get` always finds it.
    ALPHABET.get((bits & 63) as usize).map_or('A', |&c| char::from(c))
}

pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let mut chunks = bytes.chunks_exact(3);
    for chunk in chunks.by_ref() {
        let n = chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b));
        out.extend([char_of(n >> 18), char_of(n >> 12), char_of(n >> 6), char_of(n)]);
    }
    match *chunks.remainder() {
        [a] => out.extend([char_of(u32::from(a) >> 2), char_of(u32::from(a) << 4)]),
        [a, b] => {
            let n = u32::from(a) << 8 | u32::from(b);
            out.extend([char_of(n >> 10), char_of(n >> 4), char_of(n << 2)]);
        }
        _ => {}
    }
    out
}

/// Decodes canonical base64url; every failure is `ERR_MALFORMED` with the given context.
pub fn decode(text: &str, what: &'static str) -> Result<Vec<u8>> {
    decode_canonical(text.as_bytes()).ok_or_else(|| Error::malformed(what))
}

fn decode_canonical(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut chunks = text.chunks_exact(4);
    for chunk in chunks.by_ref() {
        let mut n = 0u32;
        for &c in chunk {
            n = n << 6 | value(c)?;
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c]);
    }
    let rest = chunks.remainder();
    let mut n = 0u32;
    for &c in rest {
        n = n << 6 | value(c)?;
    }
    // A last group of 2 or 3 characters carries 1 or 2 bytes; its unused low bits must be zero
    // (RFC 4648 §3.5: otherwise one byte string would have several encodings). 1 is no length.
    match rest.len() {
        0 => {}
        2 if n & 0xf == 0 => out.push((n >> 4) as u8),
        3 if n & 0x3 == 0 => out.extend_from_slice(&((n >> 2) as u16).to_be_bytes()),
        _ => return None,
    }
    Some(out)
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

    /// Against the `base64` crate's strict engine (the codec used before): every string of up
    /// to three characters over the alphabet, `=`, `+` and a space, then longer ones.
    #[test]
    fn agrees_with_the_base64_crate() {
        use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
        use base64::Engine as _;
        let strict = GeneralPurpose::new(
            &base64::alphabet::URL_SAFE,
            GeneralPurposeConfig::new()
                .with_encode_padding(false)
                .with_decode_padding_mode(DecodePaddingMode::RequireNone)
                .with_decode_allow_trailing_bits(false),
        );
        let symbols: Vec<u8> = ALPHABET.iter().copied().chain(*b"=+ /").collect();
        let mut texts: Vec<Vec<u8>> = vec![vec![]];
        for len in 1..=3 {
            let shorter: Vec<Vec<u8>> = texts.iter().filter(|t| t.len() == len - 1).cloned().collect();
            for t in shorter {
                for &c in &symbols {
                    let mut longer = t.clone();
                    longer.push(c);
                    texts.push(longer);
                }
            }
        }
        for prefix in ["", "AAAA", "eyJhbGciOiJFUzI1NiJ9"] {
            for t in &texts {
                let text = format!("{prefix}{}", String::from_utf8_lossy(t));
                assert_eq!(decode(&text, "x").ok(), strict.decode(&text).ok(), "{text:?}");
            }
        }
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 131 + 7) as u8).collect();
            assert_eq!(encode(&bytes), strict.encode(&bytes));
        }
    }
}
