//! Every `ErrorCode` triggered through the public core API (`Verifier`, `Signer`, `KeySet`,
//! `RemoteJwks`), following the "Verifying a JWS/JWT" section of the security checklist.
//!
//! Each group below is its own test, and `every_error_code_is_triggered` runs all of them with
//! one recorder to show that `ErrorCode::ALL` is covered. Every error seen is also checked for
//! leaks: its message (and `Display`) never contains the token, any of its segments, a claim
//! value used in these tests, or key material.

// Test code: panicking on a broken expectation is the point (clippy's allow-*-in-tests settings
// only cover `#[test]` functions, not the helpers they call).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::HashSet;
use std::fmt::Debug;

use common::{at, b64};
use common::{
    flip_s, is_low_s, json_with_trailing_bits, non_canonical, object, segments, signature_bytes, verifier, with_signature, TestKey, P256_N,
};
use serde_json::{json, Map, Value};
use tessera::authority::signer::{self, KeyPairOptions, SignOptions, SignerOptions};
use tessera::jose::jws::{MAX_HEADER_LEN, MAX_TOKEN_LEN};
use tessera::verifier::remote::{RemoteJwks, MAX_RESPONSE_BYTES};
use tessera::verifier::Keys;
use tessera::{Error, ErrorCode, KeySet, Result, Signer, Time, Verifier, VerifyOptions};

const NOW: f64 = 1_700_000_000.0;
/// RFC 7515 A.2's 2048-bit RSA modulus.
const RSA_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const NOW_I: i64 = 1_700_000_000;
// Distinctive claim values: none may ever appear in an error message.
const SUBJECT: &str = "sub-7c1e-distinctive-alice";
const ISSUER: &str = "https://issuer.tessera-distinctive.example";
const AUDIENCE: &str = "aud-distinctive-api-4242";
const CLIENT_ID: &str = "client-9a8b-distinctive";
const JTI: &str = "jti-distinctive-5150";
const SCOPE_SECRET: &str = "scope-distinctive-zz";

// ---------------------------------------------------------------------------------------------
// Recording and leak checks

/// A boundary case: its name, the token's claims, and the refusal expected (`None`: accepted).
type ClaimCase<'a> = (&'a str, Value, Option<(ErrorCode, &'a str)>);

struct Recorder {
    seen: HashSet<ErrorCode>,
    forbidden: Vec<String>,
    checks: usize,
    bad_signature_messages: HashSet<String>,
}

impl Recorder {
    fn new(fixture: &Fixture) -> Recorder {
        let mut forbidden: Vec<String> = [SUBJECT, ISSUER, AUDIENCE, CLIENT_ID, JTI, SCOPE_SECRET]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for key in [&fixture.k1, &fixture.k2, &fixture.attacker] {
            let private = key.private_json();
            for member in ["x", "y", "d"] {
                forbidden.push(private.get(member).and_then(Value::as_str).expect("member").to_string());
            }
        }
        Recorder {
            seen: HashSet::new(),
            forbidden,
            checks: 0,
            bad_signature_messages: HashSet::new(),
        }
    }

    fn check_leaks(&self, what: &str, error: &Error, extra: &[String]) {
        let display = error.to_string();
        assert!(
            display.starts_with(error.code().as_str()),
            "{what}: Display starts with the code: {display}"
        );
        for secret in self.forbidden.iter().chain(extra) {
            assert!(
                !error.message().contains(secret.as_str()),
                "{what}: message leaks {secret:?}: {}",
                error.message()
            );
            assert!(!display.contains(secret.as_str()), "{what}: Display leaks {secret:?}");
            if let Some(claim) = error.claim_name() {
                assert!(!claim.contains(secret.as_str()), "{what}: claim name leaks {secret:?}");
            }
        }
    }

    fn record(&mut self, what: &str, error: &Error, code: ErrorCode, extra: &[String]) {
        assert_eq!(error.code(), code, "{what}: expected {code}, got {error}");
        self.check_leaks(what, error, extra);
        if code == ErrorCode::BadSignature {
            assert!(error.claim_name().is_none(), "{what}: signature failures name nothing");
            self.bad_signature_messages.insert(error.message().to_string());
        }
        self.seen.insert(code);
        self.checks += 1;
    }

    /// `result` must fail with `code`.
    fn expect<T: Debug>(&mut self, what: &str, result: Result<T>, code: ErrorCode) -> Error {
        match result {
            Ok(value) => panic!("{what}: expected {code}, got Ok({value:?})"),
            Err(error) => {
                self.record(what, &error, code, &[]);
                error
            }
        }
    }

    /// `result` must fail with `code`, naming `claim`.
    fn expect_claim<T: Debug>(&mut self, what: &str, result: Result<T>, code: ErrorCode, claim: &str) -> Error {
        let error = self.expect(what, result, code);
        assert_eq!(error.claim_name(), Some(claim), "{what}: claim name of {error}");
        error
    }

    fn ok<T>(&mut self, what: &str, result: Result<T>) -> T {
        self.checks += 1;
        result.unwrap_or_else(|error| panic!("{what}: expected success, got {error}"))
    }

    fn token_pieces(token: &str) -> Vec<String> {
        // Short pieces ("", "..") could match fixed text by chance; real segments are long.
        std::iter::once(token)
            .chain(token.split('.'))
            .filter(|s| s.len() >= 8)
            .map(str::to_string)
            .collect()
    }

    /// Verifying `token` must fail with `code`; the message must not contain any of the token.
    fn reject(&mut self, what: &str, verifier: &Verifier, token: &str, now: f64, scopes: &[&str], code: ErrorCode) -> Error {
        match verify_at(verifier, token, now, scopes) {
            Ok(claims) => panic!("{what}: expected {code}, got claims {claims:?}"),
            Err(error) => {
                self.record(what, &error, code, &Self::token_pieces(token));
                error
            }
        }
    }

    /// Like `reject`, and the error names `claim`: `expected` is `(code, claim)`.
    fn reject_claim(
        &mut self,
        what: &str,
        verifier: &Verifier,
        token: &str,
        now: f64,
        scopes: &[&str],
        expected: (ErrorCode, &str),
    ) -> Error {
        let (code, claim) = expected;
        let error = self.reject(what, verifier, token, now, scopes, code);
        assert_eq!(error.claim_name(), Some(claim), "{what}: claim name of {error}");
        error
    }

    fn accept(&mut self, what: &str, verifier: &Verifier, token: &str, now: f64, scopes: &[&str]) -> Map<String, Value> {
        self.checks += 1;
        verify_at(verifier, token, now, scopes).unwrap_or_else(|error| panic!("{what}: expected success, got {error}"))
    }

    /// A table of boundary cases at `NOW`, without required scopes: the token of each case's
    /// claims (over the fixture's defaults, signed by k1) is accepted (`None`) or refused with
    /// the code and claim name given.
    fn claim_cases(&mut self, f: &Fixture, verifier: &Verifier, cases: &[ClaimCase]) {
        for (what, claims, refusal) in cases {
            let token = f.token(claims.clone());
            match refusal {
                None => drop(self.accept(what, verifier, &token, NOW, &[])),
                Some(expected) => drop(self.reject_claim(what, verifier, &token, NOW, &[], *expected)),
            }
        }
    }
}

/// Verifies at `now` (unix seconds) as a caller of `verify(token, { now, requiredScopes })` does:
/// the option is converted to the core's time first, and refused if it is not a time.
fn verify_at(verifier: &Verifier, token: &str, now: f64, scopes: &[&str]) -> Result<Map<String, Value>> {
    let options = VerifyOptions {
        now: Some(now),
        required_scopes: scopes.iter().map(|s| s.to_string()).collect(),
    };
    let time = options.now(Time::default())?;
    verifier.verify(token, time, &options.required_scopes)
}

// ---------------------------------------------------------------------------------------------
// Fixture: keys, verifiers and token builders

struct Fixture {
    k1: TestKey,
    k2: TestKey,
    attacker: TestKey,
}

/// `base` with the members of `extra` set (a `null` in `extra` removes the member).
fn merge(base: Value, extra: Value) -> Value {
    let mut map = object(base);
    for (name, value) in object(extra) {
        if value.is_null() {
            map.remove(&name);
        } else {
            map.insert(name, value);
        }
    }
    Value::Object(map)
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            k1: TestKey::new("k1"),
            k2: TestKey::new("k2"),
            attacker: TestKey::new("attacker"),
        }
    }

    /// A verifier over `{"keys":[k1]}` with `extra` options.
    fn verifier(&self, extra: Value) -> Verifier {
        verifier(merge(json!({ "jwks": self.k1.jwks() }), extra)).expect("verifier options")
    }

    /// Base claims (sub, iat = now, exp = now + 300) with `extra` merged in.
    fn claims(extra: Value) -> Value {
        merge(json!({ "sub": SUBJECT, "iat": NOW_I, "exp": NOW_I + 300 }), extra)
    }

    /// `{"alg":"ES256","kid":"k1"}` + `extra` header members, signed by k1.
    fn token_h(&self, header_extra: Value, claims_extra: Value) -> String {
        let header = merge(json!({ "alg": "ES256", "kid": "k1" }), header_extra);
        self.k1.mint(&header.to_string(), &Self::claims(claims_extra).to_string())
    }

    fn token(&self, claims_extra: Value) -> String {
        self.token_h(json!({}), claims_extra)
    }

    /// A token with raw header text and the default claims, signed by k1.
    fn raw_header(&self, header: &str) -> String {
        self.k1.mint(header, &Self::claims(json!({})).to_string())
    }

    /// A token with the standard header and raw payload bytes, signed by k1.
    fn raw_payload(&self, payload: &[u8]) -> String {
        self.k1.mint_bytes(br#"{"alg":"ES256","kid":"k1"}"#, payload)
    }
}

fn run(group: Group) -> Recorder {
    let fixture = Fixture::new();
    let mut recorder = Recorder::new(&fixture);
    group(&fixture, &mut recorder);
    assert!(
        recorder.bad_signature_messages.len() <= 1,
        "signature failures differ: {:?}",
        recorder.bad_signature_messages
    );
    recorder
}

// ---------------------------------------------------------------------------------------------
// Compact serialization: segments, alphabet, canonical base64url, sizes

fn group_structure(f: &Fixture, r: &mut Recorder) {
    let v = f.verifier(json!({}));
    let token = f.token(json!({}));
    r.accept("baseline token", &v, &token, NOW, &[]);
    let (h, p, s) = segments(&token);
    let m = ErrorCode::Malformed;

    r.reject("empty token", &v, "", NOW, &[], m);
    r.reject("one segment", &v, &h, NOW, &[], m);
    r.reject("two segments", &v, &format!("{h}.{p}"), NOW, &[], m);
    r.reject("four segments", &v, &format!("{token}.{s}"), NOW, &[], m);
    r.reject("four segments, empty last", &v, &format!("{token}."), NOW, &[], m);
    r.reject("five segments (JWE-like)", &v, &format!("{h}.{p}.{s}.{p}.{s}"), NOW, &[], m);
    r.reject("empty header", &v, &format!(".{p}.{s}"), NOW, &[], m);
    r.reject("empty payload", &v, &format!("{h}..{s}"), NOW, &[], m);
    r.reject("empty signature", &v, &format!("{h}.{p}."), NOW, &[], m);
    r.reject("only dots", &v, "..", NOW, &[], m);

    // Padding, standard alphabet, whitespace: never stripped or translated.
    r.reject("padding on the header", &v, &format!("{h}=.{p}.{s}"), NOW, &[], m);
    r.reject("padding on the payload", &v, &format!("{h}.{p}==.{s}"), NOW, &[], m);
    r.reject("padding on the signature", &v, &format!("{h}.{p}.{s}=="), NOW, &[], m);
    let plus = format!("{h}.{p}.+{}", &s[1..]);
    r.reject("'+' in the signature", &v, &plus, NOW, &[], m);
    let slash = format!("{h}.{p}./{}", &s[1..]);
    r.reject("'/' in the signature", &v, &slash, NOW, &[], m);
    r.reject("'+' in the header", &v, &format!("+{}.{p}.{s}", &h[1..]), NOW, &[], m);
    r.reject("'/' in the payload", &v, &format!("{h}./{}.{s}", &p[1..]), NOW, &[], m);
    // The standard-alphabet translation of a real token (what a lenient decoder would accept).
    if token.contains('-') || token.contains('_') {
        r.reject(
            "standard alphabet translation",
            &v,
            &token.replace('-', "+").replace('_', "/"),
            NOW,
            &[],
            m,
        );
    }
    for (what, bad) in [
        ("leading space", format!(" {token}")),
        ("trailing space", format!("{token} ")),
        ("trailing newline", format!("{token}\n")),
        ("trailing CRLF", format!("{token}\r\n")),
        ("newline after the first dot", format!("{h}.\n{p}.{s}")),
        ("space inside the payload", format!("{h}.{} {}.{s}", &p[..4], &p[4..])),
        ("tab inside the signature", format!("{h}.{p}.{}\t{}", &s[..10], &s[10..])),
        ("non-ASCII character", format!("{h}.{p}.{s}\u{e9}")),
        ("NUL byte", format!("{h}.{p}.{s}\0")),
    ] {
        r.reject(what, &v, &bad, NOW, &[], m);
    }

    // Non-canonical base64url: non-zero unused trailing bits, with a signature that holds over
    // the exact text (so only canonicality can reject it).
    let header_json = json_with_trailing_bits(r#"{"alg":"ES256","kid":"k1"}"#);
    let header_segment = b64::encode(header_json.as_bytes());
    let payload_json = json_with_trailing_bits(&Fixture::claims(json!({})).to_string());
    let payload_segment = b64::encode(payload_json.as_bytes());
    r.accept("canonical padded header", &v, &f.k1.sign_segments(&header_segment, &p), NOW, &[]);
    r.accept("canonical padded payload", &v, &f.k1.sign_segments(&h, &payload_segment), NOW, &[]);
    // A strict decoder refuses the non-canonical text (a lenient one would read the same bytes).
    assert!(b64::decode(&non_canonical(&header_segment), "x").is_err());
    r.reject(
        "non-canonical header, valid signature",
        &v,
        &f.k1.sign_segments(&non_canonical(&header_segment), &p),
        NOW,
        &[],
        m,
    );
    r.reject(
        "non-canonical payload, valid signature",
        &v,
        &f.k1.sign_segments(&h, &non_canonical(&payload_segment)),
        NOW,
        &[],
        m,
    );
    assert_eq!(s.len() % 4, 2, "an 86-character signature segment has 4 unused bits");
    r.reject(
        "non-canonical signature",
        &v,
        &format!("{h}.{p}.{}", non_canonical(&s)),
        NOW,
        &[],
        ErrorCode::BadSignature,
    );
    // A length of 1 mod 4 cannot be base64url at all.
    r.reject(
        "header of length 1 mod 4",
        &v,
        &f.k1.sign_segments(&format!("{header_segment}A"), &p),
        NOW,
        &[],
        m,
    );
    r.reject(
        "payload of length 1 mod 4, valid signature",
        &v,
        &f.k1.sign_segments(&h, &format!("{payload_segment}A")),
        NOW,
        &[],
        m,
    );
    r.reject(
        "signature of length 1 mod 4",
        &v,
        &format!("{token}AAA"),
        NOW,
        &[],
        ErrorCode::BadSignature,
    );

    // Token size: capped before anything is decoded; exactly MAX_TOKEN_LEN is accepted.
    let sized = |total: usize| -> Option<String> {
        for spaces in 0..4 {
            let header = format!("{{\"alg\":\"ES256\",\"kid\":\"k1\"{}}}", " ".repeat(spaces));
            for pad in (total.saturating_sub(400) * 3 / 4)..(total * 3 / 4) {
                let claims = Fixture::claims(json!({ "pad": "x".repeat(pad) }));
                let token = f.k1.mint(&header, &claims.to_string());
                if token.len() == total {
                    return Some(token);
                }
            }
        }
        None
    };
    let at_limit = sized(MAX_TOKEN_LEN).expect("a token of exactly MAX_TOKEN_LEN");
    r.accept("token of exactly MAX_TOKEN_LEN", &v, &at_limit, NOW, &[]);
    let over = sized(MAX_TOKEN_LEN + 1)
        .or_else(|| sized(MAX_TOKEN_LEN + 2))
        .expect("a token just over MAX_TOKEN_LEN");
    assert!(over.len() > MAX_TOKEN_LEN);
    let e = r.reject("validly signed token just over MAX_TOKEN_LEN", &v, &over, NOW, &[], m);
    assert!(e.message().contains("too large"), "{e}");
    r.reject("1 MiB of garbage", &v, &"a.".repeat(512 * 1024), NOW, &[], m);
    r.reject("1 MiB token with dots only", &v, &".".repeat(1 << 20), NOW, &[], m);

    // Header size: encoded header of exactly MAX_HEADER_LEN is accepted, larger is not.
    let header_of = |encoded_len: usize| -> String {
        let base = r#"{"alg":"ES256","kid":"k1","x":""}"#.len();
        let raw_len = encoded_len * 3 / 4;
        let header = format!(r#"{{"alg":"ES256","kid":"k1","x":"{}"}}"#, "y".repeat(raw_len - base));
        assert_eq!(b64::encode(header.as_bytes()).len(), encoded_len);
        header
    };
    assert_eq!(MAX_HEADER_LEN % 4, 0);
    r.accept(
        "header of exactly MAX_HEADER_LEN",
        &v,
        &f.raw_header(&header_of(MAX_HEADER_LEN)),
        NOW,
        &[],
    );
    let e = r.reject(
        "header over MAX_HEADER_LEN",
        &v,
        &f.raw_header(&header_of(MAX_HEADER_LEN + 4)),
        NOW,
        &[],
        m,
    );
    assert!(e.message().contains("header"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Protected header: JSON object, UTF-8, duplicates, crit, b64, alg

fn group_header(f: &Fixture, r: &mut Recorder) {
    let v = f.verifier(json!({}));
    let m = ErrorCode::Malformed;
    for (what, header) in [
        ("header is an array", r#"[{"alg":"ES256","kid":"k1"}]"#),
        ("header is a string", r#""ES256""#),
        ("header is a number", "256"),
        ("header is null", "null"),
        ("header is true", "true"),
        ("header is empty object text missing brace", r#"{"alg":"ES256","kid":"k1""#),
        ("header with a trailing comma", r#"{"alg":"ES256","kid":"k1",}"#),
        ("header with single quotes", r#"{'alg':'ES256','kid':'k1'}"#),
        ("header with trailing text", r#"{"alg":"ES256","kid":"k1"} x"#),
        ("two header objects", r#"{"alg":"ES256","kid":"k1"}{}"#),
        ("header with a BOM", "\u{feff}{\"alg\":\"ES256\",\"kid\":\"k1\"}"),
        ("header with a lone surrogate", r#"{"alg":"ES256","kid":"k1","x":"\ud800"}"#),
        ("duplicate alg", r#"{"alg":"ES256","alg":"ES256","kid":"k1"}"#),
        ("duplicate alg, none first", r#"{"alg":"none","alg":"ES256","kid":"k1"}"#),
        ("duplicate alg, none last", r#"{"alg":"ES256","kid":"k1","alg":"none"}"#),
        ("duplicate alg via escape", r#"{"alg":"ES256","\u0061lg":"ES256","kid":"k1"}"#),
        ("duplicate kid", r#"{"alg":"ES256","kid":"k1","kid":"k2"}"#),
        ("duplicate typ", r#"{"alg":"ES256","kid":"k1","typ":"JWT","typ":"at+jwt"}"#),
        ("nested duplicate", r#"{"alg":"ES256","kid":"k1","x":{"a":1,"a":1}}"#),
        ("duplicate inside an array", r#"{"alg":"ES256","kid":"k1","x":[{"a":1,"a":2}]}"#),
        ("alg missing", r#"{"kid":"k1"}"#),
        ("alg is a number", r#"{"alg":256,"kid":"k1"}"#),
        ("alg is null", r#"{"alg":null,"kid":"k1"}"#),
        ("alg is an array", r#"{"alg":["ES256"],"kid":"k1"}"#),
        ("kid is a number", r#"{"alg":"ES256","kid":1}"#),
        ("typ is a number", r#"{"alg":"ES256","kid":"k1","typ":1}"#),
        ("crit is empty", r#"{"alg":"ES256","kid":"k1","crit":[]}"#),
        ("crit is a string", r#"{"alg":"ES256","kid":"k1","crit":"x"}"#),
        ("crit holds a number", r#"{"alg":"ES256","kid":"k1","crit":[1]}"#),
        (
            "deeply nested header",
            &format!(r#"{{"alg":"ES256","kid":"k1","x":{}1{}}}"#, "[".repeat(500), "]".repeat(500)),
        ),
    ] {
        r.reject(what, &v, &f.raw_header(header), NOW, &[], m);
    }
    r.reject(
        "header is not UTF-8",
        &v,
        &f.k1.mint_bytes(
            b"{\"alg\":\"ES256\",\"kid\":\"k1\",\"x\":\"\xff\xfe\"}",
            Fixture::claims(json!({})).to_string().as_bytes(),
        ),
        NOW,
        &[],
        m,
    );
    r.reject(
        "header is overlong UTF-8",
        &v,
        &f.k1.mint_bytes(
            b"{\"alg\":\"ES256\",\"kid\":\"k1\",\"x\":\"\xc0\xaf\"}",
            Fixture::claims(json!({})).to_string().as_bytes(),
        ),
        NOW,
        &[],
        m,
    );

    // Critical extensions and unencoded payloads are not implemented: refused, never ignored.
    let u = ErrorCode::Unsupported;
    r.reject(
        "crit names an unknown extension",
        &v,
        &f.token_h(json!({ "crit": ["x"], "x": 1 }), json!({})),
        NOW,
        &[],
        u,
    );
    r.reject(
        "crit names a registered claim",
        &v,
        &f.token_h(json!({ "crit": ["exp"] }), json!({})),
        NOW,
        &[],
        u,
    );
    r.reject(
        "crit with b64",
        &v,
        &f.token_h(json!({ "crit": ["b64"], "b64": false }), json!({})),
        NOW,
        &[],
        u,
    );
    r.reject("b64 false", &v, &f.token_h(json!({ "b64": false }), json!({})), NOW, &[], u);
    r.reject("b64 true", &v, &f.token_h(json!({ "b64": true }), json!({})), NOW, &[], u);
    // crit is checked before alg: even with alg none the answer is Unsupported.
    r.reject(
        "crit with alg none",
        &v,
        &f.token_h(json!({ "alg": "none", "crit": ["x"] }), json!({})),
        NOW,
        &[],
        u,
    );

    // alg: names Tessera implements, compared exactly; with the algorithms option, only those
    // it lists. Implemented algorithms that no key of the set verifies find no key.
    // Without the option only ES256 is allowed (the security checklist's default).
    let a = ErrorCode::AlgNotAllowed;
    let es256_only = f.verifier(json!({ "algorithms": ["ES256"] }));
    let every =
        f.verifier(json!({ "algorithms": ["ES256", "ES384", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA", "Ed25519"] }));
    for alg in ["RS256", "RS512", "PS256", "ES384", "EdDSA", "Ed25519"] {
        let token = f.token_h(json!({ "alg": alg }), json!({}));
        r.reject(
            &format!("alg {alg:?}, no key for it"),
            &every,
            &token,
            NOW,
            &[],
            ErrorCode::NoMatchingKey,
        );
        r.reject(&format!("alg {alg:?}, algorithms [ES256]"), &es256_only, &token, NOW, &[], a);
        r.reject(
            &format!("alg {alg:?}, no algorithms option (ES256 by default)"),
            &v,
            &token,
            NOW,
            &[],
            a,
        );
    }
    for alg in [
        "none",
        "None",
        "NONE",
        "nOnE",
        "HS256",
        "HS512",
        "RS1",
        "ES512",
        "ES256K",
        "Ed448",
        "EDDSA",
        "rs256",
        "es256",
        "ES256 ",
        " ES256",
        "ES256\u{0}",
        "",
    ] {
        r.reject(
            &format!("alg {alg:?}"),
            &v,
            &f.token_h(json!({ "alg": alg }), json!({})),
            NOW,
            &[],
            a,
        );
    }
    // alg none with the RFC 7519 §6.1 empty signature is already malformed (empty segment),
    // and with any signature text it is not allowed.
    let (_, p, _) = segments(&f.token(json!({})));
    let none_header = b64::encode(br#"{"alg":"none"}"#);
    r.reject(
        "unsecured JWT with empty signature",
        &v,
        &format!("{none_header}.{p}."),
        NOW,
        &[],
        m,
    );
    r.reject(
        "unsecured JWT with some signature",
        &v,
        &format!("{none_header}.{p}.AAAA"),
        NOW,
        &[],
        a,
    );
    // alg is checked before the key: an unknown kid does not change the answer.
    r.reject(
        "HS256 with an unknown kid",
        &v,
        &f.token_h(json!({ "alg": "HS256", "kid": "nope" }), json!({})),
        NOW,
        &[],
        a,
    );
    // Unknown non-critical header members are ignored.
    r.accept(
        "unknown header member",
        &v,
        &f.token_h(json!({ "x-extra": { "nested": [1, 2] } }), json!({})),
        NOW,
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Payload: only parsed once the signature holds

fn group_payload(f: &Fixture, r: &mut Recorder) {
    let v = f.verifier(json!({}));
    let header = br#"{"alg":"ES256","kid":"k1"}"#;
    let dup_exp = format!(r#"{{"sub":"{SUBJECT}","exp":1,"exp":{}}}"#, NOW_I + 300);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("payload is an array", br#"[{"sub":"x"}]"#.to_vec()),
        ("payload is a string", br#""claims""#.to_vec()),
        ("payload is a number", b"1".to_vec()),
        ("payload is null", b"null".to_vec()),
        ("payload is not JSON", b"not json".to_vec()),
        ("payload with a trailing comma", br#"{"sub":"x",}"#.to_vec()),
        ("payload with trailing text", br#"{"sub":"x"}x"#.to_vec()),
        ("payload is not UTF-8", b"{\"sub\":\"\xff\"}".to_vec()),
        ("payload with a BOM", "\u{feff}{}".as_bytes().to_vec()),
        ("duplicate sub", format!(r#"{{"sub":"{SUBJECT}","sub":"{SUBJECT}"}}"#).into_bytes()),
        ("duplicate exp (last would be valid)", dup_exp.into_bytes()),
        (
            "duplicate exp via escape",
            format!(r#"{{"exp":{},"\u0065xp":1}}"#, NOW_I + 300).into_bytes(),
        ),
        (
            "nested duplicate in payload",
            format!(r#"{{"sub":"{SUBJECT}","cnf":{{"jkt":"a","jkt":"b"}}}}"#).into_bytes(),
        ),
        ("number too large for JSON", br#"{"exp":1e400}"#.to_vec()),
    ];
    for (what, payload) in &cases {
        r.reject(what, &v, &f.raw_payload(payload), NOW, &[], ErrorCode::Malformed);
        // The same payload under a signature that does not hold is a signature failure: the
        // payload is not even decoded.
        let forged = f.attacker.mint_bytes(header, payload);
        r.reject(&format!("{what}, wrong key"), &v, &forged, NOW, &[], ErrorCode::BadSignature);
    }
    r.accept("empty claims object", &v, &f.raw_payload(b"{}"), NOW, &[]);
    r.accept(
        "non-ASCII claim values",
        &v,
        &f.raw_payload("{\"name\":\"J\u{f6}rg \u{1f600}\"}".as_bytes()),
        NOW,
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Keys: selection, ambiguity, header-supplied keys, bad key sets

fn group_keys(f: &Fixture, r: &mut Recorder) {
    let v = f.verifier(json!({}));
    let n = ErrorCode::NoMatchingKey;
    r.reject("unknown kid", &v, &f.token_h(json!({ "kid": "nope" }), json!({})), NOW, &[], n);
    r.reject(
        "kid of another case",
        &v,
        &f.token_h(json!({ "kid": "K1" }), json!({})),
        NOW,
        &[],
        n,
    );
    r.reject("empty kid", &v, &f.token_h(json!({ "kid": "" }), json!({})), NOW, &[], n);
    // No kid in the token: the one suitable key is used.
    r.accept("no kid, one key", &v, &f.token_h(json!({ "kid": null }), json!({})), NOW, &[]);

    // Two keys and no kid: ambiguous, never "try each".
    let two = verifier(json!({ "jwks": { "keys": [f.k1.public_json(), f.k2.public_json()] } })).expect("two keys");
    let no_kid = f.token_h(json!({ "kid": null }), json!({}));
    r.reject("no kid, two keys", &two, &no_kid, NOW, &[], ErrorCode::AmbiguousKey);
    r.accept("kid selects among two keys", &two, &f.token(json!({})), NOW, &[]);
    let k2_token = f.k2.mint_claims(&Fixture::claims(json!({})));
    r.accept("kid k2 selects k2", &two, &k2_token, NOW, &[]);
    let mut k2_as_k1 = f.k2.public_json();
    k2_as_k1["kid"] = json!("k1");
    let same_kid = verifier(json!({ "jwks": { "keys": [f.k1.public_json(), k2_as_k1] } })).expect("same kid twice");
    r.reject(
        "two keys share the token's kid",
        &same_kid,
        &f.token(json!({})),
        NOW,
        &[],
        ErrorCode::AmbiguousKey,
    );
    // A key unsuitable for signatures does not count.
    let mut enc = f.k2.public_json();
    enc["use"] = json!("enc");
    let enc_and_sig = verifier(json!({ "jwks": { "keys": [f.k1.public_json(), enc] } })).expect("keys");
    r.accept("no kid, the other key is use=enc", &enc_and_sig, &no_kid, NOW, &[]);

    for (what, member, value) in [
        ("use enc", "use", json!("enc")),
        ("key_ops sign only", "key_ops", json!(["sign"])),
        ("key_ops encrypt", "key_ops", json!(["encrypt"])),
    ] {
        let mut key = f.k1.public_json();
        key[member] = value;
        let v = verifier(json!({ "jwks": { "keys": [key] } })).expect("key set");
        r.reject(what, &v, &f.token(json!({})), NOW, &[], n);
    }
    let mut verify_ops = f.k1.public_json();
    verify_ops["key_ops"] = json!(["verify"]);
    r.accept(
        "key_ops verify",
        &verifier(json!({ "jwks": { "keys": [verify_ops] } })).expect("set"),
        &f.token(json!({})),
        NOW,
        &[],
    );
    let rsa_only = verifier(json!({ "jwks": { "keys": [{ "kty": "RSA", "n": RSA_N, "e": "AQAB", "kid": "k1" }] } })).expect("RSA set");
    r.reject("only an RSA key with the kid", &rsa_only, &f.token(json!({})), NOW, &[], n);
    let empty = verifier(json!({ "jwks": { "keys": [] } })).expect("empty set");
    r.reject("empty key set", &empty, &f.token(json!({})), NOW, &[], n);

    // Keys in the header are never used to find the key (RFC 8725 §3.10).
    let attacker_jwk = f.attacker.public_json();
    let claims = Fixture::claims(json!({})).to_string();
    for (what, header) in [
        ("embedded jwk, no kid", json!({ "alg": "ES256", "jwk": attacker_jwk })),
        ("embedded jwk, kid k1", json!({ "alg": "ES256", "kid": "k1", "jwk": attacker_jwk })),
        (
            "jku to the attacker",
            json!({ "alg": "ES256", "kid": "k1", "jku": "https://attacker.example/jwks" }),
        ),
        (
            "x5u to the attacker",
            json!({ "alg": "ES256", "kid": "k1", "x5u": "https://attacker.example/cert" }),
        ),
        ("x5c from the attacker", json!({ "alg": "ES256", "kid": "k1", "x5c": ["MIIB"] })),
    ] {
        r.reject(
            what,
            &v,
            &f.attacker.mint(&header.to_string(), &claims),
            NOW,
            &[],
            ErrorCode::BadSignature,
        );
    }
    let attacker_kid = json!({ "alg": "ES256", "kid": "attacker", "jwk": attacker_jwk });
    r.reject(
        "embedded jwk with the attacker's kid",
        &v,
        &f.attacker.mint(&attacker_kid.to_string(), &claims),
        NOW,
        &[],
        n,
    );
    // A genuine token carrying someone else's jwk still verifies with the configured key.
    r.accept(
        "genuine token with an embedded foreign jwk",
        &v,
        &f.token_h(json!({ "jwk": attacker_jwk }), json!({})),
        NOW,
        &[],
    );

    // Bad key sets are refused at construction.
    let i = ErrorCode::InvalidKey;
    let x = f.k1.public_json()["x"].clone();
    let y = f.k1.public_json()["y"].clone();
    let invalid_sets = [
        ("private key in the JWKS", json!({ "keys": [f.k1.private_json()] }), None),
        (
            "private key among public ones",
            json!({ "keys": [f.k2.public_json(), f.k1.private_json()] }),
            None,
        ),
        (
            "symmetric key in the JWKS",
            json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0" }] }),
            None,
        ),
        (
            "RSA private member in the JWKS",
            json!({ "keys": [{ "kty": "RSA", "n": "AQAB", "e": "AQAB", "p": "AQAB" }] }),
            None,
        ),
        (
            "point not on the curve",
            json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": x, "y": x }] }),
            None,
        ),
        (
            "short coordinate",
            json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": b64::encode(&[1u8; 31]), "y": y }] }),
            Some("x"),
        ),
        (
            "padded coordinate",
            json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": x, "y": format!("{}=", y.as_str().expect("y")) }] }),
            Some("y"),
        ),
        ("missing y", json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": x }] }), Some("y")),
        (
            "key alg ES384 on P-256",
            json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": x, "y": y, "alg": "ES384" }] }),
            Some("alg"),
        ),
        (
            "key alg HS256 on P-256",
            json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": x, "y": y, "alg": "HS256" }] }),
            Some("alg"),
        ),
        (
            "kid not a string",
            json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": 1 }] }),
            Some("kid"),
        ),
        (
            "duplicate key_ops",
            json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": x, "y": y, "key_ops": ["verify", "verify"] }] }),
            Some("key_ops"),
        ),
        ("kty missing", json!({ "keys": [{ "crv": "P-256", "x": x, "y": y }] }), Some("kty")),
        (
            "RSA modulus of 1024 bits (RFC 7518 §3.3)",
            json!({ "keys": [{ "kty": "RSA", "n": b64::encode(&b64::decode(RSA_N, "").expect("n")[..128]), "e": "AQAB" }] }),
            Some("n"),
        ),
        (
            "RSA modulus with a leading zero byte",
            json!({ "keys": [{ "kty": "RSA", "n": format!("AA{RSA_N}"), "e": "AQAB" }] }),
            Some("n"),
        ),
        (
            "RSA exponent 1",
            json!({ "keys": [{ "kty": "RSA", "n": RSA_N, "e": "AQ" }] }),
            Some("e"),
        ),
        ("RSA without e", json!({ "keys": [{ "kty": "RSA", "n": RSA_N }] }), Some("e")),
        (
            "RSA key with alg ES256",
            json!({ "keys": [{ "kty": "RSA", "n": RSA_N, "e": "AQAB", "alg": "ES256" }] }),
            Some("alg"),
        ),
        (
            "Ed25519 key of 31 bytes",
            json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": b64::encode(&[9u8; 31]) }] }),
            Some("x"),
        ),
        (
            "Ed25519 key of small order (the identity)",
            json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": b64::encode(&[&[1u8][..], &[0u8; 31]].concat()) }] }),
            Some("x"),
        ),
        (
            "P-384 key with 32-byte coordinates",
            json!({ "keys": [{ "kty": "EC", "crv": "P-384", "x": x, "y": y }] }),
            Some("x"),
        ),
        ("keys not an array", json!({ "keys": {} }), None),
        ("set is an array", json!([f.k1.public_json()]), None),
        ("key is a string", json!({ "keys": ["k1"] }), None),
        (
            "too many keys",
            json!({ "keys": vec![f.k1.public_json(); tessera::jose::jwks::MAX_KEYS + 1] }),
            None,
        ),
    ];
    for (what, set, claim) in invalid_sets {
        let error = r.expect(&format!("Verifier::new: {what}"), verifier(json!({ "jwks": set })), i);
        if let Some(claim) = claim {
            assert_eq!(error.claim_name(), Some(claim), "{what}");
        }
        r.expect(&format!("KeySet::from_json: {what}"), KeySet::from_json(&set), i);
    }
    r.ok(
        "exactly MAX_KEYS keys",
        KeySet::from_json(&json!({ "keys": vec![f.k1.public_json(); tessera::jose::jwks::MAX_KEYS] })),
    );
}

// ---------------------------------------------------------------------------------------------
// Signature bytes: raw r || s of exactly 64 bytes, r and s in [1, n-1]; high-S is valid

fn group_signature(f: &Fixture, r: &mut Recorder) {
    let v = f.verifier(json!({}));
    let token = f.token(json!({ "jti": JTI }));
    let good = signature_bytes(&token);
    assert_eq!(good.len(), 64);
    let b = ErrorCode::BadSignature;
    let (rr, ss) = (good[..32].to_vec(), good[32..].to_vec());
    let cat = |a: &[u8], b: &[u8]| [a, b].concat();
    let zero = [0u8; 32];
    let mut one = [0u8; 32];
    one[31] = 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("r = s = 0 (CVE-2022-21449)", vec![0u8; 64]),
        ("r = 0", cat(&zero, &ss)),
        ("s = 0", cat(&rr, &zero)),
        ("r = s = 1", cat(&one, &one)),
        ("r = n", cat(&P256_N, &ss)),
        ("s = n", cat(&rr, &P256_N)),
        ("r = s = n", cat(&P256_N, &P256_N)),
        ("r = 2^256 - 1", cat(&[0xff; 32], &ss)),
        ("s = 2^256 - 1", cat(&rr, &[0xff; 32])),
        ("65 bytes (trailing zero)", cat(&good, &[0])),
        ("65 bytes (leading zero)", cat(&[0], &good)),
        ("63 bytes", good[..63].to_vec()),
        ("32 bytes", good[..32].to_vec()),
        ("1 byte", vec![1]),
        ("128 bytes", cat(&good, &good)),
        ("r and s swapped", cat(&ss, &rr)),
        ("DER encoding", der(&rr, &ss)),
        ("one bit flipped in r", {
            let mut s = good.clone();
            s[5] ^= 1;
            s
        }),
        ("one bit flipped in s", {
            let mut s = good.clone();
            s[63] ^= 0x80;
            s
        }),
    ];
    for (what, signature) in cases {
        r.reject(what, &v, &with_signature(&token, &signature), NOW, &[], b);
    }
    let (h, p, s) = segments(&token);
    let flipped_char = format!("{h}.{p}.{}{}", if s.starts_with('A') { 'B' } else { 'A' }, &s[1..]);
    r.reject("a character of the signature changed", &v, &flipped_char, NOW, &[], b);
    r.reject(
        "signature by another key",
        &v,
        &with_signature(&token, &f.attacker.private().sign(format!("{h}.{p}").as_bytes())),
        NOW,
        &[],
        b,
    );
    let other = f.token(json!({ "jti": "other" }));
    r.reject(
        "signature of another token",
        &v,
        &format!("{h}.{p}.{}", segments(&other).2),
        NOW,
        &[],
        b,
    );
    r.reject(
        "signature over the payload only",
        &v,
        &with_signature(&token, &f.k1.private().sign(p.as_bytes())),
        NOW,
        &[],
        b,
    );

    // High-S: (r, n - s) is the other valid ECDSA signature of the same input. JWS (RFC 7515,
    // RFC 7518 §3.4) does not require low-S, so it verifies; the same claims then appear under
    // two token strings, which is why caches and deny-lists key on jti or the signing input.
    let other_s = flip_s(&good);
    assert_ne!(is_low_s(&good), is_low_s(&other_s), "exactly one of s and n - s is low");
    let malleated = with_signature(&token, &other_s);
    assert_ne!(malleated, token);
    let original_claims = r.accept("original signature", &v, &token, NOW, &[]);
    let malleated_claims = r.accept("high-S / low-S twin verifies", &v, &malleated, NOW, &[]);
    assert_eq!(original_claims, malleated_claims);
    assert_eq!(malleated_claims.get("jti"), Some(&json!(JTI)));
    // Both forms of the Signer's own output verify too.
    let signed = f.k1.signer(None, None).sign(
        object(json!({ "sub": SUBJECT })),
        &SignOptions {
            now: Some(NOW),
            ..SignOptions::default()
        },
        Time::from_secs(0),
    );
    let signed = r.ok("Signer::sign", signed);
    r.accept("Signer token", &v, &signed, NOW, &[]);
    r.accept(
        "Signer token, other S",
        &v,
        &with_signature(&signed, &flip_s(&signature_bytes(&signed))),
        NOW,
        &[],
    );
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` for 32-byte big-endian r and s.
fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
    fn integer(v: &[u8]) -> Vec<u8> {
        let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
        if v.first().is_none_or(|&b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        [vec![0x02, u8::try_from(v.len()).expect("short")], v].concat()
    }
    let body = [integer(r), integer(s)].concat();
    [vec![0x30, u8::try_from(body.len()).expect("short")], body].concat()
}

// ---------------------------------------------------------------------------------------------
// Algorithms option

fn group_algorithms(f: &Fixture, r: &mut Recorder) {
    let token = f.token(json!({}));
    let none_allowed = f.verifier(json!({ "algorithms": [] }));
    r.reject(
        "algorithms [] allows nothing",
        &none_allowed,
        &token,
        NOW,
        &[],
        ErrorCode::AlgNotAllowed,
    );
    r.accept(
        "algorithms [ES256]",
        &f.verifier(json!({ "algorithms": ["ES256"] })),
        &token,
        NOW,
        &[],
    );
    r.accept(
        "algorithms absent: the P-256 key verifies ES256",
        &f.verifier(json!({})),
        &token,
        NOW,
        &[],
    );
    // Every implemented algorithm may be listed; a P-256 key still verifies only ES256.
    let every = json!(["ES256", "ES384", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA", "Ed25519"]);
    r.accept(
        "algorithms: every one",
        &f.verifier(json!({ "algorithms": every })),
        &token,
        NOW,
        &[],
    );
    r.reject(
        "algorithms [RS256] and an ES256 token",
        &f.verifier(json!({ "algorithms": ["RS256"] })),
        &token,
        NOW,
        &[],
        ErrorCode::AlgNotAllowed,
    );
    let jwks = f.k1.jwks();
    for algorithms in [
        json!(["none"]),
        json!(["ES256", "HS256"]),
        json!(["es256"]),
        json!(["ES512"]),
        json!(["RS1"]),
        json!([""]),
    ] {
        r.expect_claim(
            &format!("algorithms {algorithms}"),
            verifier(json!({ "jwks": jwks, "algorithms": algorithms })),
            ErrorCode::InvalidOptions,
            "algorithms",
        );
    }
    r.expect_claim(
        "algorithms is a string",
        verifier(json!({ "jwks": jwks, "algorithms": "ES256" })),
        ErrorCode::InvalidOptions,
        "algorithms",
    );
}

// ---------------------------------------------------------------------------------------------
// exp / nbf / iat and maxTokenAge

fn group_time(f: &Fixture, r: &mut Recorder) {
    let v = f.verifier(json!({}));
    let ic = ErrorCode::InvalidClaim;
    for claim in ["exp", "nbf", "iat"] {
        for (kind, value) in [
            ("string", json!(NOW_I.to_string())),
            ("null", Value::Null),
            ("bool", json!(true)),
            ("array", json!([NOW_I])),
            ("object", json!({ "t": NOW_I })),
        ] {
            // merge() drops nulls, so build the claims directly.
            let mut claims = object(Fixture::claims(json!({})));
            claims.insert(claim.to_string(), value);
            let token = f.k1.mint_claims(&Value::Object(claims));
            r.reject_claim(&format!("{claim} as {kind}"), &v, &token, NOW, &[], (ic, claim));
        }
    }

    let lenient = f.verifier(json!({ "clockTolerance": 30 }));
    let (e, nyv, fut, old) = (
        Some((ErrorCode::Expired, "exp")),
        Some((ErrorCode::NotYetValid, "nbf")),
        Some((ErrorCode::IssuedInFuture, "iat")),
        Some((ErrorCode::TooOld, "iat")),
    );
    // exp: expired iff exp <= now - tolerance. nbf: not yet valid iff nbf > now + tolerance. iat:
    // in the future iff iat > now + tolerance.
    r.claim_cases(
        f,
        &v,
        &[
            ("exp == now", json!({ "exp": NOW_I }), e),
            ("exp == now - 1", json!({ "exp": NOW_I - 1 }), e),
            ("exp == now - 0.5", json!({ "exp": NOW - 0.5 }), e),
            ("exp == 0", json!({ "exp": 0, "iat": null }), e),
            ("exp negative", json!({ "exp": -1, "iat": null }), e),
            ("exp == now + 1", json!({ "exp": NOW_I + 1 }), None),
            ("exp == now + 0.5", json!({ "exp": NOW + 0.5 }), None),
            ("no exp (not required unless configured)", json!({ "exp": null }), None),
            ("exp far in the future", json!({ "exp": 1e15 }), None),
            ("nbf == now", json!({ "nbf": NOW_I }), None),
            ("nbf == now + 1", json!({ "nbf": NOW_I + 1 }), nyv),
            ("nbf == now + 0.5", json!({ "nbf": NOW + 0.5 }), nyv),
            ("iat == now", json!({ "iat": NOW_I }), None),
            ("iat == now + 1", json!({ "iat": NOW_I + 1 }), fut),
        ],
    );
    r.claim_cases(
        f,
        &lenient,
        &[
            ("exp == now - 29, tolerance 30", json!({ "exp": NOW_I - 29 }), None),
            ("exp == now - 30, tolerance 30", json!({ "exp": NOW_I - 30 }), e),
            ("nbf == now + 30, tolerance 30", json!({ "nbf": NOW_I + 30 }), None),
            ("nbf == now + 31, tolerance 30", json!({ "nbf": NOW_I + 31 }), nyv),
            ("iat == now + 30, tolerance 30", json!({ "iat": NOW_I + 30 }), None),
            ("iat == now + 31, tolerance 30", json!({ "iat": NOW_I + 31 }), fut),
        ],
    );

    // maxTokenAge: too old iff now - iat > maxTokenAge + tolerance; it makes iat required.
    let aged = f.verifier(json!({ "maxTokenAge": 60 }));
    r.claim_cases(
        f,
        &aged,
        &[
            ("age == maxTokenAge", json!({ "iat": NOW_I - 60 }), None),
            ("age == maxTokenAge + 1", json!({ "iat": NOW_I - 61 }), old),
            (
                "maxTokenAge without iat",
                json!({ "iat": null }),
                Some((ErrorCode::MissingClaim, "iat")),
            ),
        ],
    );
    r.reject_claim(
        "maxTokenAge with iat as a string",
        &aged,
        &f.k1.mint_claims(&json!({ "iat": NOW_I.to_string() })),
        NOW,
        &[],
        (ic, "iat"),
    );
    let aged_lenient = f.verifier(json!({ "maxTokenAge": 60, "clockTolerance": 5 }));
    r.claim_cases(
        f,
        &aged_lenient,
        &[
            ("age == 65, maxTokenAge 60, tolerance 5", json!({ "iat": NOW_I - 65 }), None),
            ("age == 66, maxTokenAge 60, tolerance 5", json!({ "iat": NOW_I - 66 }), old),
        ],
    );
    let zero_age = f.verifier(json!({ "maxTokenAge": 0 }));
    r.claim_cases(
        f,
        &zero_age,
        &[
            ("maxTokenAge 0, iat == now", json!({}), None),
            ("maxTokenAge 0, iat == now - 1", json!({ "iat": NOW_I - 1 }), old),
        ],
    );

    // Signer-made tokens: exp = now + expiresIn.
    let signer = f.k1.signer(None, None);
    let token = r.ok(
        "Signer::sign expiresIn 300",
        signer.sign(
            Map::new(),
            &SignOptions {
                now: Some(NOW),
                expires_in: Some(300),
                typ: None,
            },
            Time::from_secs(0),
        ),
    );
    r.accept("signer token at now + 299", &v, &token, NOW + 299.0, &[]);
    r.reject_claim(
        "signer token at now + 300",
        &v,
        &token,
        NOW + 300.0,
        &[],
        (ErrorCode::Expired, "exp"),
    );
    r.reject_claim(
        "signer token before iat",
        &v,
        &token,
        NOW - 1.0,
        &[],
        (ErrorCode::IssuedInFuture, "iat"),
    );
}

// ---------------------------------------------------------------------------------------------
// iss / aud / sub

fn group_identity(f: &Fixture, r: &mut Recorder) {
    // Issuer.
    let v = f.verifier(json!({ "issuer": ISSUER }));
    r.accept("iss matches", &v, &f.token(json!({ "iss": ISSUER })), NOW, &[]);
    for (what, iss) in [
        ("other issuer", "https://evil.example"),
        ("issuer with a trailing slash", &format!("{ISSUER}/")),
        ("issuer in upper case", &ISSUER.to_uppercase()),
        ("empty issuer", ""),
    ] {
        r.reject_claim(what, &v, &f.token(json!({ "iss": iss })), NOW, &[], (ErrorCode::BadIssuer, "iss"));
    }
    r.reject_claim("iss missing", &v, &f.token(json!({})), NOW, &[], (ErrorCode::MissingClaim, "iss"));
    r.reject_claim(
        "iss as a number",
        &v,
        &f.token(json!({ "iss": 1 })),
        NOW,
        &[],
        (ErrorCode::InvalidClaim, "iss"),
    );
    r.reject_claim(
        "iss as an array",
        &v,
        &f.token(json!({ "iss": [ISSUER] })),
        NOW,
        &[],
        (ErrorCode::InvalidClaim, "iss"),
    );
    let many = f.verifier(json!({ "issuer": ["https://a.example", ISSUER] }));
    r.accept("iss in the issuer list", &many, &f.token(json!({ "iss": ISSUER })), NOW, &[]);
    r.reject_claim(
        "iss not in the issuer list",
        &many,
        &f.token(json!({ "iss": "https://b.example" })),
        NOW,
        &[],
        (ErrorCode::BadIssuer, "iss"),
    );
    // Without an issuer option, iss is not compared, but its type still is.
    let plain = f.verifier(json!({}));
    r.accept(
        "iss unchecked without the option",
        &plain,
        &f.token(json!({ "iss": "https://anyone.example" })),
        NOW,
        &[],
    );
    r.reject_claim(
        "iss wrong type without the option",
        &plain,
        &f.token(json!({ "iss": 7 })),
        NOW,
        &[],
        (ErrorCode::InvalidClaim, "iss"),
    );

    // Audience.
    let ba = ErrorCode::BadAudience;
    let v = f.verifier(json!({ "audience": AUDIENCE }));
    r.accept("aud string matches", &v, &f.token(json!({ "aud": AUDIENCE })), NOW, &[]);
    r.accept(
        "aud array contains",
        &v,
        &f.token(json!({ "aud": ["other-api", AUDIENCE] })),
        NOW,
        &[],
    );
    r.reject_claim(
        "aud string differs",
        &v,
        &f.token(json!({ "aud": "other-api" })),
        NOW,
        &[],
        (ba, "aud"),
    );
    r.reject_claim(
        "aud array lacks",
        &v,
        &f.token(json!({ "aud": ["other-api", "third-api"] })),
        NOW,
        &[],
        (ba, "aud"),
    );
    r.reject_claim("aud empty array", &v, &f.token(json!({ "aud": [] })), NOW, &[], (ba, "aud"));
    r.reject_claim(
        "aud prefix only",
        &v,
        &f.token(json!({ "aud": &AUDIENCE[..10] })),
        NOW,
        &[],
        (ba, "aud"),
    );
    r.reject_claim("aud missing", &v, &f.token(json!({})), NOW, &[], (ErrorCode::MissingClaim, "aud"));
    r.reject_claim(
        "aud as a number",
        &v,
        &f.token(json!({ "aud": 1 })),
        NOW,
        &[],
        (ErrorCode::InvalidClaim, "aud"),
    );
    r.reject_claim(
        "aud array with a number",
        &v,
        &f.token(json!({ "aud": [AUDIENCE, 1] })),
        NOW,
        &[],
        (ErrorCode::InvalidClaim, "aud"),
    );
    let many = f.verifier(json!({ "audience": ["first-api", AUDIENCE] }));
    r.accept("aud in the audience list", &many, &f.token(json!({ "aud": AUDIENCE })), NOW, &[]);
    r.accept(
        "aud arrays intersect",
        &many,
        &f.token(json!({ "aud": ["x", "first-api"] })),
        NOW,
        &[],
    );
    r.reject_claim(
        "aud arrays disjoint",
        &many,
        &f.token(json!({ "aud": ["x", "y"] })),
        NOW,
        &[],
        (ba, "aud"),
    );
    // RFC 7519 §4.1.3: a token with aud is refused by a verifier with no audience configured.
    r.reject_claim(
        "aud string, no audience configured",
        &plain,
        &f.token(json!({ "aud": AUDIENCE })),
        NOW,
        &[],
        (ba, "aud"),
    );
    r.reject_claim(
        "aud array, no audience configured",
        &plain,
        &f.token(json!({ "aud": [AUDIENCE] })),
        NOW,
        &[],
        (ba, "aud"),
    );
    r.reject_claim(
        "aud empty array, no audience configured",
        &plain,
        &f.token(json!({ "aud": [] })),
        NOW,
        &[],
        (ba, "aud"),
    );

    // Subject.
    let v = f.verifier(json!({ "subject": SUBJECT }));
    r.accept("sub matches", &v, &f.token(json!({})), NOW, &[]);
    r.reject_claim(
        "sub differs",
        &v,
        &f.token(json!({ "sub": "mallory" })),
        NOW,
        &[],
        (ErrorCode::BadSubject, "sub"),
    );
    r.reject_claim(
        "sub differs in case",
        &v,
        &f.token(json!({ "sub": SUBJECT.to_uppercase() })),
        NOW,
        &[],
        (ErrorCode::BadSubject, "sub"),
    );
    r.reject_claim(
        "sub missing",
        &v,
        &f.token(json!({ "sub": null })),
        NOW,
        &[],
        (ErrorCode::MissingClaim, "sub"),
    );
    r.reject_claim(
        "sub as a number",
        &v,
        &f.token(json!({ "sub": 42 })),
        NOW,
        &[],
        (ErrorCode::InvalidClaim, "sub"),
    );

    // A Signer configured with iss and aud produces tokens such a verifier accepts.
    let signer = f.k1.signer(Some(ISSUER), Some(AUDIENCE));
    let token = r.ok(
        "Signer with issuer and audience",
        signer.sign(
            object(json!({ "sub": SUBJECT })),
            &SignOptions {
                now: Some(NOW),
                ..SignOptions::default()
            },
            Time::from_secs(0),
        ),
    );
    let full = f.verifier(json!({ "issuer": ISSUER, "audience": AUDIENCE, "subject": SUBJECT }));
    let claims = r.accept("signer token, iss/aud/sub", &full, &token, NOW, &[]);
    assert_eq!(claims.get("aud"), Some(&json!(AUDIENCE)));
    r.reject_claim(
        "signer token with aud, no audience configured",
        &plain,
        &token,
        NOW,
        &[],
        (ba, "aud"),
    );
}

// ---------------------------------------------------------------------------------------------
// Exact claim values (the `claims` option): Cognito's token_use and client_id, Entra's tid and
// ver, Google's azp

fn group_claim_values(f: &Fixture, r: &mut Recorder) {
    let (bc, mc, ic, io) = (
        ErrorCode::BadClaim,
        ErrorCode::MissingClaim,
        ErrorCode::InvalidClaim,
        ErrorCode::InvalidOptions,
    );
    let v =
        f.verifier(json!({ "claims": { "token_use": "access", "client_id": ["app-1", "app-2"], "ver": "2.0", "n": 2, "admin": false } }));
    let good = json!({ "token_use": "access", "client_id": "app-2", "ver": "2.0", "n": 2.0, "admin": false });
    r.accept("every claim has an accepted value", &v, &f.token(good.clone()), NOW, &[]);
    r.accept(
        "the first of a list",
        &v,
        &f.token(merge(good.clone(), json!({ "client_id": "app-1" }))),
        NOW,
        &[],
    );
    for (what, change, expected) in [
        ("token_use id", json!({ "token_use": "id" }), (bc, "token_use")),
        ("token_use in another case", json!({ "token_use": "ACCESS" }), (bc, "token_use")),
        ("client_id not listed", json!({ "client_id": "app-3" }), (bc, "client_id")),
        (
            "client_id a prefix of a listed one",
            json!({ "client_id": "app-" }),
            (bc, "client_id"),
        ),
        ("ver as a number", json!({ "ver": 2.0 }), (bc, "ver")),
        ("n as a string", json!({ "n": "2" }), (bc, "n")),
        ("n other", json!({ "n": 3 }), (bc, "n")),
        ("admin true", json!({ "admin": true }), (bc, "admin")),
        (
            "token_use absent (merge drops null)",
            json!({ "token_use": null }),
            (mc, "token_use"),
        ),
        (
            "token_use an array holding the value",
            json!({ "token_use": ["access"] }),
            (ic, "token_use"),
        ),
        ("ver an object", json!({ "ver": { "v": "2.0" } }), (ic, "ver")),
    ] {
        r.reject_claim(what, &v, &f.token(merge(good.clone(), change)), NOW, &[], expected);
    }

    let jwks = f.k1.jwks();
    for (what, claims) in [
        ("not an object", json!(["token_use"])),
        ("an empty list", json!({ "token_use": [] })),
        ("null", json!({ "token_use": null })),
        ("an object value", json!({ "token_use": { "is": "access" } })),
        ("a nested list", json!({ "token_use": [["access"]] })),
        ("an empty name", json!({ "": "x" })),
        ("iss (has its own option)", json!({ "iss": ISSUER })),
        ("aud (has its own option)", json!({ "aud": AUDIENCE })),
        ("exp (a time)", json!({ "exp": 1 })),
    ] {
        r.expect_claim(
            &format!("claims option: {what}"),
            verifier(json!({ "jwks": jwks, "claims": claims })),
            io,
            "claims",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Explicit typing

fn group_typ(f: &Fixture, r: &mut Recorder) {
    let v = f.verifier(json!({ "typ": "at+jwt" }));
    for typ in [
        "at+jwt",
        "AT+JWT",
        "At+Jwt",
        "application/at+jwt",
        "application/AT+JWT",
        "APPLICATION/at+jwt",
        "Application/At+JWT",
    ] {
        r.accept(&format!("typ {typ:?}"), &v, &f.token_h(json!({ "typ": typ }), json!({})), NOW, &[]);
    }
    for typ in [
        "JWT",
        "jwt",
        "application/jwt",
        "at+jwt ",
        " at+jwt",
        "application/ at+jwt",
        "application/application/at+jwt",
        "text/at+jwt",
        "at+jwt/application",
        "dpop+jwt",
        "",
    ] {
        r.reject_claim(
            &format!("typ {typ:?}"),
            &v,
            &f.token_h(json!({ "typ": typ }), json!({})),
            NOW,
            &[],
            (ErrorCode::BadType, "typ"),
        );
    }
    r.reject_claim("typ missing", &v, &f.token(json!({})), NOW, &[], (ErrorCode::BadType, "typ"));
    // The option itself is normalized the same way.
    let prefixed = f.verifier(json!({ "typ": "application/AT+JWT" }));
    r.accept(
        "option application/AT+JWT, token at+jwt",
        &prefixed,
        &f.token_h(json!({ "typ": "at+jwt" }), json!({})),
        NOW,
        &[],
    );
    // Without the option, typ is not compared.
    r.accept(
        "any typ without the option",
        &f.verifier(json!({})),
        &f.token_h(json!({ "typ": "JWT" }), json!({})),
        NOW,
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// requiredClaims and the RFC 9068 profile

fn at_jwt_claims() -> Value {
    json!({ "iss": ISSUER, "exp": NOW_I + 300, "aud": AUDIENCE, "sub": SUBJECT, "client_id": CLIENT_ID, "iat": NOW_I, "jti": JTI })
}

fn group_required(f: &Fixture, r: &mut Recorder) {
    let mc = ErrorCode::MissingClaim;
    let v = f.verifier(json!({ "requiredClaims": ["client_id", "jti"] }));
    r.accept(
        "required claims present",
        &v,
        &f.token(json!({ "client_id": CLIENT_ID, "jti": JTI })),
        NOW,
        &[],
    );
    r.reject_claim(
        "client_id missing",
        &v,
        &f.token(json!({ "jti": JTI })),
        NOW,
        &[],
        (mc, "client_id"),
    );
    r.reject_claim(
        "jti missing",
        &v,
        &f.token(json!({ "client_id": CLIENT_ID })),
        NOW,
        &[],
        (mc, "jti"),
    );
    let exp_required = f.verifier(json!({ "requiredClaims": ["exp"] }));
    r.reject_claim(
        "exp required and missing",
        &exp_required,
        &f.token(json!({ "exp": null })),
        NOW,
        &[],
        (mc, "exp"),
    );
    r.expect_claim(
        "requiredClaims with an empty name",
        verifier(json!({ "jwks": f.k1.jwks(), "requiredClaims": [""] })),
        ErrorCode::InvalidOptions,
        "requiredClaims",
    );

    // RFC 9068 profile.
    let profile = f.verifier(json!({ "profile": "at+jwt", "issuer": ISSUER, "audience": AUDIENCE }));
    let typed = |claims: Value| {
        f.k1.mint(
            &json!({ "alg": "ES256", "kid": "k1", "typ": "at+jwt" }).to_string(),
            &claims.to_string(),
        )
    };
    r.accept("complete at+jwt token", &profile, &typed(at_jwt_claims()), NOW, &[]);
    r.accept(
        "at+jwt with application/ prefix",
        &profile,
        &f.k1.mint(
            &json!({ "alg": "ES256", "kid": "k1", "typ": "application/AT+JWT" }).to_string(),
            &at_jwt_claims().to_string(),
        ),
        NOW,
        &[],
    );
    for claim in ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"] {
        let mut claims = object(at_jwt_claims());
        claims.remove(claim);
        r.reject_claim(
            &format!("at+jwt without {claim}"),
            &profile,
            &typed(Value::Object(claims)),
            NOW,
            &[],
            (mc, claim),
        );
    }
    r.reject_claim(
        "at+jwt profile, typ JWT",
        &profile,
        &f.k1.mint(
            &json!({ "alg": "ES256", "kid": "k1", "typ": "JWT" }).to_string(),
            &at_jwt_claims().to_string(),
        ),
        NOW,
        &[],
        (ErrorCode::BadType, "typ"),
    );
    r.reject_claim(
        "at+jwt profile, no typ",
        &profile,
        &f.k1.mint_claims(&at_jwt_claims()),
        NOW,
        &[],
        (ErrorCode::BadType, "typ"),
    );
    r.reject_claim(
        "at+jwt profile, wrong issuer",
        &profile,
        &typed(merge(at_jwt_claims(), json!({ "iss": "https://evil.example" }))),
        NOW,
        &[],
        (ErrorCode::BadIssuer, "iss"),
    );
    r.reject_claim(
        "at+jwt profile, wrong audience",
        &profile,
        &typed(merge(at_jwt_claims(), json!({ "aud": "other" }))),
        NOW,
        &[],
        (ErrorCode::BadAudience, "aud"),
    );

    // The Signer's default output is an RFC 9068 token.
    let signer = f.k1.signer(Some(ISSUER), Some(AUDIENCE));
    let token = r.ok(
        "Signer at+jwt",
        signer.sign(
            object(json!({ "sub": SUBJECT, "client_id": CLIENT_ID })),
            &SignOptions {
                now: Some(NOW),
                ..SignOptions::default()
            },
            Time::from_secs(0),
        ),
    );
    r.accept("signer token under the at+jwt profile", &profile, &token, NOW, &[]);
    let without_client = r.ok(
        "Signer at+jwt without client_id",
        signer.sign(
            object(json!({ "sub": SUBJECT })),
            &SignOptions {
                now: Some(NOW),
                ..SignOptions::default()
            },
            Time::from_secs(0),
        ),
    );
    r.reject_claim(
        "signer token without client_id under the profile",
        &profile,
        &without_client,
        NOW,
        &[],
        (mc, "client_id"),
    );

    // Profile options.
    let io = ErrorCode::InvalidOptions;
    let jwks = f.k1.jwks();
    r.expect_claim(
        "profile without issuer",
        verifier(json!({ "jwks": jwks, "profile": "at+jwt", "audience": AUDIENCE })),
        io,
        "profile",
    );
    r.expect_claim(
        "profile without audience",
        verifier(json!({ "jwks": jwks, "profile": "at+jwt", "issuer": ISSUER })),
        io,
        "profile",
    );
    r.expect_claim(
        "profile AT+JWT",
        verifier(json!({ "jwks": jwks, "profile": "AT+JWT", "issuer": ISSUER, "audience": AUDIENCE })),
        io,
        "profile",
    );
    r.expect_claim(
        "profile jwt",
        verifier(json!({ "jwks": jwks, "profile": "jwt", "issuer": ISSUER, "audience": AUDIENCE })),
        io,
        "profile",
    );
    r.expect_claim(
        "profile with typ JWT",
        verifier(json!({ "jwks": jwks, "profile": "at+jwt", "issuer": ISSUER, "audience": AUDIENCE, "typ": "JWT" })),
        io,
        "typ",
    );
    r.ok(
        "profile with typ application/at+jwt",
        verifier(json!({ "jwks": jwks, "profile": "at+jwt", "issuer": ISSUER, "audience": AUDIENCE, "typ": "application/at+jwt" })),
    );
}

// ---------------------------------------------------------------------------------------------
// Scopes

fn group_scopes(f: &Fixture, r: &mut Recorder) {
    let v = f.verifier(json!({}));
    let is = ErrorCode::InsufficientScope;
    let scoped = f.token(json!({ "scope": format!("read write {SCOPE_SECRET}") }));
    r.accept("scope: one required", &v, &scoped, NOW, &["read"]);
    r.accept("scope: all required", &v, &scoped, NOW, &["read", "write", SCOPE_SECRET]);
    r.accept("scope: none required", &v, &scoped, NOW, &[]);
    r.reject_claim("scope: admin missing", &v, &scoped, NOW, &["read", "admin"], (is, "scope"));
    r.reject_claim("scope: prefix is not a match", &v, &scoped, NOW, &["rea"], (is, "scope"));
    r.reject_claim("scope: two scopes as one", &v, &scoped, NOW, &["read write"], (is, "scope"));
    r.reject_claim("scope: case differs", &v, &scoped, NOW, &["READ"], (is, "scope"));
    r.accept(
        "scope with repeated spaces",
        &v,
        &f.token(json!({ "scope": "  read   write " })),
        NOW,
        &["write"],
    );

    let scp = f.token(json!({ "scp": ["read", "write"] }));
    r.accept("scp: required present", &v, &scp, NOW, &["write"]);
    r.reject_claim("scp: admin missing", &v, &scp, NOW, &["admin"], (is, "scope"));
    let both = f.token(json!({ "scope": "a", "scp": ["b"] }));
    r.accept("scope and scp combine", &v, &both, NOW, &["a", "b"]);
    r.reject_claim("scope and scp lack c", &v, &both, NOW, &["a", "c"], (is, "scope"));
    r.reject_claim("no scope claim at all", &v, &f.token(json!({})), NOW, &["read"], (is, "scope"));
    r.reject_claim(
        "empty scope string",
        &v,
        &f.token(json!({ "scope": "" })),
        NOW,
        &["read"],
        (is, "scope"),
    );

    let ic = ErrorCode::InvalidClaim;
    r.reject_claim(
        "scope as an array",
        &v,
        &f.token(json!({ "scope": ["read"] })),
        NOW,
        &["read"],
        (ic, "scope"),
    );
    // Microsoft Entra ID writes scp as one space-delimited string.
    let entra = f.token(json!({ "scp": "User.Read  Files.Read" }));
    r.accept(
        "scp as a space-delimited string (Entra)",
        &v,
        &entra,
        NOW,
        &["Files.Read", "User.Read"],
    );
    r.reject_claim("scp string lacks a scope", &v, &entra, NOW, &["User.ReadWrite"], (is, "scope"));
    r.reject_claim(
        "scp string is not split on commas",
        &v,
        &f.token(json!({ "scp": "a,b" })),
        NOW,
        &["a"],
        (is, "scope"),
    );
    r.reject_claim(
        "scp as an object",
        &v,
        &f.token(json!({ "scp": { "read": true } })),
        NOW,
        &["read"],
        (ic, "scp"),
    );
    r.reject_claim(
        "scp with a number",
        &v,
        &f.token(json!({ "scp": ["read", 1] })),
        NOW,
        &["read"],
        (ic, "scp"),
    );
}

// ---------------------------------------------------------------------------------------------
// Options (Verifier and Signer)

fn group_options(f: &Fixture, r: &mut Recorder) {
    let io = ErrorCode::InvalidOptions;
    let jwks = f.k1.jwks();
    let e = r.expect("unknown option", verifier(json!({ "jwks": jwks, "issuerr": ISSUER })), io);
    assert!(e.message().contains("issuerr"), "{e}");
    r.expect_claim(
        "clockTolerance negative",
        verifier(json!({ "jwks": jwks, "clockTolerance": -1 })),
        io,
        "clockTolerance",
    );
    r.expect_claim(
        "clockTolerance as a string",
        verifier(json!({ "jwks": jwks, "clockTolerance": "5" })),
        io,
        "clockTolerance",
    );
    r.expect_claim(
        "maxTokenAge negative",
        verifier(json!({ "jwks": jwks, "maxTokenAge": -1 })),
        io,
        "maxTokenAge",
    );
    r.expect_claim("issuer empty", verifier(json!({ "jwks": jwks, "issuer": "" })), io, "issuer");
    r.expect_claim("issuer empty list", verifier(json!({ "jwks": jwks, "issuer": [] })), io, "issuer");
    r.expect_claim(
        "audience with an empty entry",
        verifier(json!({ "jwks": jwks, "audience": [AUDIENCE, ""] })),
        io,
        "audience",
    );
    r.expect_claim(
        "audience as a number",
        verifier(json!({ "jwks": jwks, "audience": 1 })),
        io,
        "audience",
    );
    r.expect_claim("subject empty", verifier(json!({ "jwks": jwks, "subject": "" })), io, "subject");
    r.expect_claim("neither jwks nor jwksUrl", verifier(json!({ "issuer": ISSUER })), io, "jwks");
    r.expect_claim(
        "both jwks and jwksUrl",
        verifier(json!({ "jwks": jwks, "jwksUrl": "https://issuer.example/jwks" })),
        io,
        "jwks",
    );
    r.expect(
        "cacheMaxAge with a local jwks",
        verifier(json!({ "jwks": jwks, "cacheMaxAge": 60 })),
        io,
    );
    r.expect_claim(
        "jwksUrl over plain http",
        verifier(json!({ "jwksUrl": "http://issuer.example/jwks" })),
        io,
        "jwksUrl",
    );
    r.expect_claim(
        "jwksUrl lookalike loopback",
        verifier(json!({ "jwksUrl": "http://localhost.evil.example/jwks" })),
        io,
        "jwksUrl",
    );
    r.expect_claim(
        "cooldownDuration negative",
        verifier(json!({ "jwksUrl": "https://issuer.example/jwks", "cooldownDuration": -1 })),
        io,
        "cooldownDuration",
    );
    r.expect("options not an object", verifier(json!("jwks")), io);

    // Signer.
    let signer = f.k1.signer(Some(ISSUER), None);
    let clock = Time::from_secs(0);
    let sign_with = |options: Value| SignOptions::from_json(options).and_then(|o| signer.sign(Map::new(), &o, clock));
    for claim in ["iat", "exp", "jti", "iss"] {
        let claims = object(json!({ claim: "x" }));
        let options = SignOptions {
            now: Some(NOW),
            ..SignOptions::default()
        };
        r.expect_claim(
            &format!("signer claims set {claim}"),
            signer.sign(claims, &options, clock),
            io,
            claim,
        );
    }
    for expires_in in [json!(0), json!(-1), json!(1.5), json!("300"), json!(366 * 86400)] {
        r.expect_claim(
            &format!("expiresIn {expires_in}"),
            sign_with(json!({ "now": NOW, "expiresIn": expires_in })),
            io,
            "expiresIn",
        );
    }
    for now in [-1.0, f64::NAN, f64::INFINITY] {
        let options = SignOptions {
            now: Some(now),
            ..SignOptions::default()
        };
        r.expect_claim(&format!("sign now {now}"), signer.sign(Map::new(), &options, clock), io, "now");
    }
    r.expect_claim("sign typ empty", sign_with(json!({ "typ": "" })), io, "typ");
    let options = SignOptions {
        typ: Some(String::new()),
        ..SignOptions::default()
    };
    r.expect_claim("sign typ empty, set directly", signer.sign(Map::new(), &options, clock), io, "typ");
    let options = |jwk: Value, issuer: Option<&str>| SignerOptions {
        private_jwk: jwk,
        issuer: issuer.map(str::to_string),
        audience: None,
    };
    r.expect_claim(
        "Signer privateJwk not an object",
        Signer::new(&options(json!("secret"), None)),
        io,
        "privateJwk",
    );
    r.expect_claim(
        "Signer issuer empty",
        Signer::new(&options(f.k1.private_json(), Some(""))),
        io,
        "issuer",
    );
    r.expect(
        "Signer with a public key",
        Signer::new(&options(f.k1.public_json(), None)),
        ErrorCode::InvalidKey,
    );
    r.expect(
        "Signer with an RSA key",
        Signer::new(&options(json!({ "kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB" }), None)),
        ErrorCode::InvalidKey,
    );
    let mut mismatched = f.k1.private_json();
    mismatched["d"] = f.k2.private_json()["d"].clone();
    r.expect(
        "Signer with d of another key",
        Signer::new(&options(mismatched, None)),
        ErrorCode::InvalidKey,
    );
    r.expect_claim(
        "generateKeyPair kid empty",
        signer::generate_key_pair(&KeyPairOptions { kid: Some(String::new()) }),
        io,
        "kid",
    );
    let (private, public) = r.ok(
        "generateKeyPair",
        signer::generate_key_pair(&KeyPairOptions { kid: Some("gen".into()) }),
    );
    assert!(private.get("d").is_some() && public.get("d").is_none());
    assert_eq!(public.get("kid"), Some(&json!("gen")));
    // Verifying options via from_json also reject unknown names.
    r.expect("VerifyOptions unknown member", VerifyOptions::from_json(json!({ "nown": 1 })), io);
    let checked = VerifyOptions::from_json(json!({ "now": -5 })).expect("parses");
    r.expect_claim("VerifyOptions now negative", checked.now(at(NOW)), io, "now");
}

// ---------------------------------------------------------------------------------------------
// Remote key sets

fn group_remote(f: &Fixture, r: &mut Recorder) {
    let url = "https://issuer.example/.well-known/jwks.json";
    let token = f.token(json!({ "exp": NOW_I + 3600 }));
    let mut v = verifier(json!({ "jwksUrl": url, "cacheMaxAge": 600_000, "cooldownDuration": 30_000 })).expect("remote verifier");
    r.reject("jwksUrl verifier before any fetch", &v, &token, NOW, &[], ErrorCode::JwksFetch);

    let body = f.k1.jwks().to_string().into_bytes();
    let Keys::Remote(remote) = &mut v.keys else {
        panic!("a jwksUrl verifier has remote keys")
    };
    assert_eq!(remote.needs_fetch(at(NOW)), Ok(true));
    let _ = remote.begin_fetch(at(NOW));
    r.expect(
        "complete_fetch 500 on a cold cache",
        remote.complete_fetch(500, &body, at(NOW)),
        ErrorCode::JwksFetch,
    );
    assert!(remote.keys().is_none());
    r.expect(
        "needs_fetch during the cooldown after a failure",
        remote.needs_fetch(at(NOW + 10.0)),
        ErrorCode::JwksFetch,
    );
    assert_eq!(remote.needs_fetch(at(NOW + 30.0)), Ok(true));
    let _ = remote.begin_fetch(at(NOW + 30.0));
    r.ok("complete_fetch 200", remote.complete_fetch(200, &body, at(NOW + 30.0)));
    r.accept("verify after a good fetch", &v, &token, NOW + 30.0, &[]);

    let Keys::Remote(remote) = &mut v.keys else { panic!("remote") };
    for (what, status, bytes) in [
        ("complete_fetch 500", 500u16, body.clone()),
        ("complete_fetch 404", 404, body.clone()),
        ("complete_fetch 304", 304, Vec::new()),
        ("complete_fetch non-JSON", 200, b"<html>".to_vec()),
        ("complete_fetch JSON array", 200, b"[]".to_vec()),
        ("complete_fetch duplicate members", 200, br#"{"keys":[],"keys":[]}"#.to_vec()),
        ("complete_fetch too large", 200, vec![b' '; MAX_RESPONSE_BYTES + 1]),
    ] {
        r.expect(what, remote.complete_fetch(status, &bytes, at(NOW + 700.0)), ErrorCode::JwksFetch);
        assert!(remote.keys().is_some_and(|k| k.contains_kid("k1")), "{what}: the good set survives");
    }
    // A response that is a JSON object but not a valid verification set is a key error.
    r.expect(
        "complete_fetch with a private key",
        remote.complete_fetch(200, f.k1.private_json().to_string().as_bytes(), at(NOW + 700.0)),
        ErrorCode::InvalidKey,
    );
    r.expect(
        "complete_fetch with a private key in keys",
        remote.complete_fetch(
            200,
            json!({ "keys": [f.k1.private_json()] }).to_string().as_bytes(),
            at(NOW + 700.0),
        ),
        ErrorCode::InvalidKey,
    );
    r.accept("cached set still verifies", &v, &token, NOW + 700.0, &[]);

    // RemoteJwks used directly.
    let mut direct = RemoteJwks::new(url, None, None, None).expect("remote");
    let _ = direct.begin_fetch(at(NOW));
    direct.fail_fetch();
    r.expect(
        "needs_fetch after a network failure",
        direct.needs_fetch(at(NOW + 1.0)),
        ErrorCode::JwksFetch,
    );
    r.expect_claim(
        "RemoteJwks::new over http",
        RemoteJwks::new("http://issuer.example/jwks", None, None, None),
        ErrorCode::InvalidOptions,
        "jwksUrl",
    );
    r.expect_claim(
        "import for another URL",
        direct.import(&json!({ "url": "https://other.example/jwks", "fetchedAt": NOW, "jwks": null }).to_string()),
        ErrorCode::InvalidOptions,
        "state",
    );
}

// ---------------------------------------------------------------------------------------------
// Tests

type Group = fn(&Fixture, &mut Recorder);

const GROUPS: [(&str, Group); 14] = [
    ("structure", group_structure),
    ("header", group_header),
    ("payload", group_payload),
    ("keys", group_keys),
    ("signature", group_signature),
    ("algorithms", group_algorithms),
    ("time", group_time),
    ("identity", group_identity),
    ("typ", group_typ),
    ("required", group_required),
    ("scopes", group_scopes),
    ("claim values", group_claim_values),
    ("options", group_options),
    ("remote", group_remote),
];

#[test]
fn every_error_code_is_triggered() {
    let fixture = Fixture::new();
    let mut recorder = Recorder::new(&fixture);
    for (name, group) in GROUPS {
        let before = recorder.checks;
        group(&fixture, &mut recorder);
        println!("{name}: {} checks", recorder.checks - before);
    }
    // The refresh handshake's codes are triggered by tests/authority.rs, the DPoP codes by
    // tests/dpop.rs; ERR_FREED only exists in JavaScript (an object used after free():
    // tests/js/api.test.mjs).
    let handshake = [
        ErrorCode::InvalidGrant,
        ErrorCode::Csrf,
        ErrorCode::Revoked,
        ErrorCode::StoreUnavailable,
        ErrorCode::Freed,
        ErrorCode::InvalidDpopProof,
        ErrorCode::DpopReplay,
        ErrorCode::UseDpopNonce,
        ErrorCode::DpopBinding,
    ];
    let all: HashSet<ErrorCode> = ErrorCode::ALL.iter().copied().filter(|c| !handshake.contains(c)).collect();
    let missing: Vec<&str> = all.iter().filter(|c| !recorder.seen.contains(c)).map(|c| c.as_str()).collect();
    assert!(missing.is_empty(), "codes never triggered: {missing:?}");
    assert_eq!(recorder.seen, all);
    // Every signature failure, whatever its cause, has the one same message.
    assert_eq!(recorder.bad_signature_messages.len(), 1, "{:?}", recorder.bad_signature_messages);
    println!("{} checks, {} codes", recorder.checks, recorder.seen.len());
}

#[test]
fn compact_structure_and_sizes() {
    run(group_structure);
}

#[test]
fn protected_header() {
    run(group_header);
}

#[test]
fn payload_after_signature() {
    run(group_payload);
}

#[test]
fn key_selection_and_key_sets() {
    run(group_keys);
}

#[test]
fn signature_bytes_and_high_s() {
    run(group_signature);
}

#[test]
fn algorithms_option() {
    run(group_algorithms);
}

#[test]
fn time_claims() {
    run(group_time);
}

#[test]
fn issuer_audience_subject() {
    run(group_identity);
}

#[test]
fn explicit_typing() {
    run(group_typ);
}

#[test]
fn required_claims_and_at_jwt_profile() {
    run(group_required);
}

#[test]
fn scopes() {
    run(group_scopes);
}

#[test]
fn options() {
    run(group_options);
}

#[test]
fn remote_key_sets() {
    run(group_remote);
}

/// RFC 9068 §2.2 requires `client_id` and `jti` in an at+jwt token, both strings (RFC 8693 §4.3,
/// RFC 7519 §4.1.7), and the crate's rule is "a claim of the wrong JSON type is
/// ERR_INVALID_CLAIM, never absent". `iss`, `sub`, `aud`, `exp` and `iat` are type-checked, but
/// `client_id` and `jti` are only checked for presence (`contains_key`), so `null`, numbers or
/// objects pass the profile.
#[test]
fn at_jwt_profile_type_checks_client_id_and_jti() {
    let f = Fixture::new();
    let mut r = Recorder::new(&f);
    let profile = f.verifier(json!({ "profile": "at+jwt", "issuer": ISSUER, "audience": AUDIENCE }));
    let header = json!({ "alg": "ES256", "kid": "k1", "typ": "at+jwt" }).to_string();
    for claim in ["client_id", "jti"] {
        for value in [Value::Null, json!(7), json!({ "id": CLIENT_ID }), json!([JTI])] {
            let mut claims = object(at_jwt_claims());
            claims.insert(claim.to_string(), value.clone());
            let token = f.k1.mint(&header, &Value::Object(claims).to_string());
            r.reject_claim(
                &format!("at+jwt with {claim} = {value}"),
                &profile,
                &token,
                NOW,
                &[],
                (ErrorCode::InvalidClaim, claim),
            );
        }
    }
}

/// With `now = NaN` every time comparison would be false, so `exp`, `nbf`, `iat` and
/// `maxTokenAge` would all pass (fail-open); `+inf` likewise disables `nbf`/`iat`. The core takes
/// only `Time`, which cannot hold such values; the `now` option is converted at the one place
/// (`VerifyOptions::now`) and refused there.
#[test]
fn verifier_rejects_non_finite_now() {
    let f = Fixture::new();
    let mut r = Recorder::new(&f);
    let v = f.verifier(json!({ "maxTokenAge": 60 }));
    let expired = f.token(json!({ "exp": 1, "iat": 0, "nbf": NOW_I + 1000 }));
    for now in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0] {
        r.reject_claim(&format!("now = {now}"), &v, &expired, now, &[], (ErrorCode::InvalidOptions, "now"));
    }
}
