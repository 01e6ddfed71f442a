//! Helpers shared by the integration tests (each test crate uses a subset).
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::{json, Map, Value};
use tessera::authority::signer::{Signer, SignerOptions};
use tessera::es256::PrivateKey;
use tessera::jose::jwk::Jwk;
use tessera::{ErrorCode, Result, Verifier, VerifierOptions};

/// Base64url without padding (the crate's own is machinery, not API).
pub mod b64 {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    pub fn encode(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn decode(text: &str, _what: &str) -> Result<Vec<u8>, base64::DecodeError> {
        URL_SAFE_NO_PAD.decode(text)
    }
}

/// The P-256 group order n, big-endian.
pub const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, //
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `value` as a JSON object (panics otherwise).
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("expected a JSON object, got {other}"),
    }
}

/// The error code of a result, `None` when it is `Ok`.
pub fn code<T>(result: &Result<T>) -> Option<ErrorCode> {
    result.as_ref().err().map(tessera::Error::code)
}

/// Left-pads or trims leading zero bytes so a big-endian integer is exactly 32 bytes.
pub fn to_32(bytes: &[u8]) -> [u8; 32] {
    let mut trimmed = bytes;
    while trimmed.len() > 32 {
        assert_eq!(trimmed[0], 0, "integer longer than 32 bytes");
        trimmed = &trimmed[1..];
    }
    let mut out = [0u8; 32];
    out[32 - trimmed.len()..].copy_from_slice(trimmed);
    out
}

/// `a - b` for 256-bit big-endian integers with `a >= b`.
pub fn sub_be(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut digit = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if digit < 0 {
            digit += 256;
            borrow = 1;
        }
        out[i] = u8::try_from(digit).expect("digit in range");
    }
    assert_eq!(borrow, 0, "a < b");
    out
}

/// Unix seconds (possibly fractional) as the core's time.
pub fn at(seconds: f64) -> tessera::Time {
    tessera::Time::from_secs_f64(seconds).expect("a time in range")
}

/// Verifier options from JSON, as the JS binding reads them, then the verifier.
pub fn verifier(options: Value) -> Result<Verifier> {
    Verifier::new(&VerifierOptions::from_json(options)?)
}

/// A generated P-256 key with a `kid`, and ways to mint tokens with it.
pub struct TestKey {
    pub jwk: Jwk,
}

impl TestKey {
    pub fn new(kid: &str) -> TestKey {
        TestKey {
            jwk: Jwk::generate(Some(kid.to_string())).expect("key generation"),
        }
    }

    pub fn kid(&self) -> &str {
        self.jwk.kid.as_deref().unwrap_or_default()
    }

    pub fn private(&self) -> &PrivateKey {
        self.jwk.private.as_ref().expect("generated keys are private")
    }

    pub fn public_json(&self) -> Value {
        self.jwk.to_public_json()
    }

    pub fn private_json(&self) -> Value {
        self.jwk.to_private_json().expect("generated keys are private")
    }

    /// `{"keys":[this public key]}`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.public_json()] })
    }

    /// Signs `header_segment.payload_segment` (already base64url, taken verbatim) and returns
    /// the compact token.
    pub fn sign_segments(&self, header_segment: &str, payload_segment: &str) -> String {
        let signing_input = format!("{header_segment}.{payload_segment}");
        let signature = self.private().sign(signing_input.as_bytes());
        format!("{signing_input}.{}", b64::encode(&signature))
    }

    /// Encodes raw header and payload bytes and signs them.
    pub fn mint_bytes(&self, header: &[u8], payload: &[u8]) -> String {
        self.sign_segments(&b64::encode(header), &b64::encode(payload))
    }

    /// Encodes raw header and payload JSON text (may be deliberately odd) and signs them.
    pub fn mint(&self, header: &str, payload: &str) -> String {
        self.mint_bytes(header.as_bytes(), payload.as_bytes())
    }

    /// `{"alg":"ES256","kid":<kid>}` over `claims`.
    pub fn mint_claims(&self, claims: &Value) -> String {
        let header = json!({ "alg": "ES256", "kid": self.kid() });
        self.mint(&header.to_string(), &claims.to_string())
    }

    /// A `tessera::Signer` over this key.
    pub fn signer(&self, issuer: Option<&str>, audience: Option<&str>) -> Signer {
        let options = SignerOptions {
            private_jwk: self.private_json(),
            issuer: issuer.map(str::to_string),
            audience: audience.map(Value::from),
        };
        Signer::new(&options).expect("signer")
    }
}

/// The three segments of a compact token.
pub fn segments(token: &str) -> (String, String, String) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a compact JWS");
    (parts[0].to_string(), parts[1].to_string(), parts[2].to_string())
}

/// A token with its signature segment replaced by `signature` (raw bytes, encoded here).
pub fn with_signature(token: &str, signature: &[u8]) -> String {
    let (header, payload, _) = segments(token);
    format!("{header}.{payload}.{}", b64::encode(signature))
}

/// The raw `r || s` signature bytes of a token.
pub fn signature_bytes(token: &str) -> Vec<u8> {
    let (_, _, signature) = segments(token);
    b64::decode(&signature, "signature").expect("canonical signature")
}

/// The same signature with `s` replaced by `n - s` (the other valid ECDSA signature).
pub fn flip_s(signature: &[u8]) -> Vec<u8> {
    assert_eq!(signature.len(), 64);
    let s = to_32(&signature[32..]);
    let mut out = signature[..32].to_vec();
    out.extend_from_slice(&sub_be(&P256_N, &s));
    out
}

/// Whether the low half of `s` (`s <= (n-1)/2`).
pub fn is_low_s(signature: &[u8]) -> bool {
    // s <= n - s  <=>  s is the smaller of the pair.
    let s = to_32(&signature[32..]);
    s <= sub_be(&P256_N, &s)
}

/// The same base64url text with the last character bumped so its unused trailing bits are
/// non-zero (the text must have a length of 2 or 3 mod 4 and be canonical).
pub fn non_canonical(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    assert!(
        matches!(text.len() % 4, 2 | 3),
        "no trailing bits in a text of length {}",
        text.len()
    );
    let last = *text.as_bytes().last().expect("non-empty");
    let index = ALPHABET.iter().position(|&c| c == last).expect("base64url");
    let mut out = text[..text.len() - 1].to_string();
    out.push(char::from(ALPHABET[index + 1]));
    out
}

/// Pads a JSON object text with spaces before its closing brace until its base64url encoding
/// has a length of 2 mod 4 (so the last character carries 4 unused bits).
pub fn json_with_trailing_bits(json: &str) -> String {
    let mut text = json.strip_suffix('}').expect("a JSON object text").to_string();
    loop {
        let candidate = format!("{text}}}");
        if b64::encode(candidate.as_bytes()).len() % 4 == 2 {
            return candidate;
        }
        text.push(' ');
    }
}

/// The allowed Origin of the test authorities.
pub const ORIGIN: &str = "https://app.example";

/// The test Authority's options (a fresh signing key), with some members replaced.
pub fn authority_options(extra: Value) -> Value {
    let (private, _) = tessera::authority::signer::generate_key_pair(&Default::default()).unwrap();
    let mut options = json!({
        "issuer": "https://auth.example",
        "audience": "https://api.example",
        "signingKeys": [private],
        "accessTokenTtl": 300,
        "sessionTtl": 86400,
        "idleTtl": 3600,
        "reuseGrace": 10,
        "allowedOrigins": [ORIGIN],
        "cookie": { "name": "rt", "path": "/auth" },
        "refreshSecret": b64::encode(&[9u8; 32]),
    });
    for (name, value) in extra.as_object().unwrap() {
        options[name] = value.clone();
    }
    options
}

/// Wycheproof vectors checked through the JWS signature layer, and their tally.
pub mod vectors {
    use tessera::jose::jwa::Algorithm;
    use tessera::jose::jwk::Key;
    use tessera::jose::jws;
    use tessera::ErrorCode;
    use wycheproof::TestResult;

    /// `jws::verify_signature` over the base64url of `sig`, as a token's signature is checked; a
    /// panic fails the test.
    pub fn verify(key: &Key, alg: Algorithm, msg: &[u8], sig: &[u8]) -> tessera::Result<()> {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            jws::verify_signature(key, alg, msg, &super::b64::encode(sig))
        }));
        outcome.unwrap_or_else(|_| panic!("verification panicked"))
    }

    /// One set's verdicts against the vectors' expectations.
    #[derive(Default, Debug)]
    pub struct Tally {
        pub checked: usize,
        pub valid: usize,
        pub invalid: usize,
        pub acceptable_accepted: usize,
        pub acceptable_rejected: usize,
        pub failures: Vec<String>,
    }

    impl Tally {
        /// Records one vector: `outcome` is our verdict. An invalid signature must be refused
        /// with `ERR_BAD_SIGNATURE` and the one opaque message (no detail of what failed).
        pub fn record(&mut self, tc: usize, comment: &str, expected: TestResult, outcome: tessera::Result<()>) {
            self.checked += 1;
            match (expected, outcome) {
                (TestResult::Valid, Ok(())) => self.valid += 1,
                (TestResult::Valid, Err(error)) => self
                    .failures
                    .push(format!("tc {tc} ({comment}): valid signature rejected: {error}")),
                (TestResult::Invalid, Ok(())) => self.failures.push(format!("tc {tc} ({comment}): invalid signature accepted")),
                (TestResult::Invalid, Err(error))
                    if error.code() == ErrorCode::BadSignature && error.message() == "signature verification failed" =>
                {
                    self.invalid += 1
                }
                (TestResult::Invalid, Err(error)) => self.failures.push(format!(
                    "tc {tc} ({comment}): rejected with {error}, not ERR_BAD_SIGNATURE's opaque message"
                )),
                (TestResult::Acceptable, Ok(())) => self.acceptable_accepted += 1,
                (TestResult::Acceptable, Err(_)) => self.acceptable_rejected += 1,
            }
        }

        /// Prints the tally; fails on any failure, a count other than `expected`, or no valid vector.
        pub fn finish(self, name: &str, expected: usize) {
            println!("{name}: {self:?}");
            assert!(
                self.failures.is_empty(),
                "{name}: {} failures:\n{}",
                self.failures.len(),
                self.failures.join("\n")
            );
            assert_eq!(self.checked, expected, "{name}: every vector checked");
            assert!(self.valid > 0, "{name}: valid vectors present");
        }
    }
}
