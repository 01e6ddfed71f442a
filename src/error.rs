//! One error vocabulary for Rust, JavaScript (`err.code`) and HTTP.
//!
//! Messages are written for developers and never contain token bytes, claim values or key
//! material: only fixed text and the *names* of options or claims.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

/// Stable error codes. The string form (`ERR_…`) is part of the public API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Structure, base64url, UTF-8, JSON, duplicate members or size.
    Malformed,
    /// `alg` missing from the allow-list, or `none`.
    AlgNotAllowed,
    /// A critical extension (`crit`) or `b64` that Tessera does not implement.
    Unsupported,
    /// No key in the key set fits the token.
    NoMatchingKey,
    /// More than one key fits the token and it carries no `kid` to choose.
    AmbiguousKey,
    /// A JWK that is not a valid key of the kind it claims to be.
    InvalidKey,
    /// The signature does not verify (deliberately without detail).
    BadSignature,
    Expired,
    NotYetValid,
    IssuedInFuture,
    TooOld,
    BadIssuer,
    BadAudience,
    BadSubject,
    /// A claim named in the `claims` option does not have a required value. Only in builds that
    /// verify: the session build, which never meets it, must not grow by its name.
    #[cfg(feature = "verify")]
    BadClaim,
    BadType,
    MissingClaim,
    /// A claim has the wrong JSON type.
    InvalidClaim,
    InsufficientScope,
    InvalidOptions,
    JwksFetch,
    /// A refresh token that is unknown, expired, revoked or reused (HTTP 401 `invalid_grant`).
    InvalidGrant,
    /// A refresh or logout request without the custom header or an allowed `Origin` (HTTP 403).
    Csrf,
    /// An access token whose session was revoked (logout, reuse, "log out everywhere") (HTTP 401).
    Revoked,
    /// The session store failed or kept losing compare-and-set races (HTTP 503).
    StoreUnavailable,
    /// A JavaScript object used after its `free()`.
    Freed,
    /// A DPoP proof (RFC 9449) that is missing, malformed, signed wrongly or made for another
    /// request (HTTP 401 `invalid_dpop_proof`).
    InvalidDpopProof,
    /// A DPoP proof whose `jti` was seen before (HTTP 401 `invalid_dpop_proof`).
    DpopReplay,
    /// A DPoP proof without the server's current nonce; the answer carries a fresh one in
    /// `DPoP-Nonce` (HTTP 401 `use_dpop_nonce`, RFC 9449 §8).
    UseDpopNonce,
    /// A token presented the wrong way for its binding: a DPoP-bound token (`cnf.jkt`) sent as
    /// Bearer or with another key's proof, an unbound token sent as DPoP, or a Bearer token where
    /// DPoP is required (HTTP 401 `invalid_token` with a DPoP challenge).
    DpopBinding,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Malformed,
        ErrorCode::AlgNotAllowed,
        ErrorCode::Unsupported,
        ErrorCode::NoMatchingKey,
        ErrorCode::AmbiguousKey,
        ErrorCode::InvalidKey,
        ErrorCode::BadSignature,
        ErrorCode::Expired,
        ErrorCode::NotYetValid,
        ErrorCode::IssuedInFuture,
        ErrorCode::TooOld,
        ErrorCode::BadIssuer,
        ErrorCode::BadAudience,
        ErrorCode::BadSubject,
        #[cfg(feature = "verify")]
        ErrorCode::BadClaim,
        ErrorCode::BadType,
        ErrorCode::MissingClaim,
        ErrorCode::InvalidClaim,
        ErrorCode::InsufficientScope,
        ErrorCode::InvalidOptions,
        ErrorCode::JwksFetch,
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

    /// The stable string form used by JavaScript and HTTP responses.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "ERR_MALFORMED",
            ErrorCode::AlgNotAllowed => "ERR_ALG_NOT_ALLOWED",
            ErrorCode::Unsupported => "ERR_UNSUPPORTED",
            ErrorCode::NoMatchingKey => "ERR_NO_MATCHING_KEY",
            ErrorCode::AmbiguousKey => "ERR_AMBIGUOUS_KEY",
            ErrorCode::InvalidKey => "ERR_INVALID_KEY",
            ErrorCode::BadSignature => "ERR_BAD_SIGNATURE",
            ErrorCode::Expired => "ERR_EXPIRED",
            ErrorCode::NotYetValid => "ERR_NOT_YET_VALID",
            ErrorCode::IssuedInFuture => "ERR_ISSUED_IN_FUTURE",
            ErrorCode::TooOld => "ERR_TOO_OLD",
            ErrorCode::BadIssuer => "ERR_BAD_ISSUER",
            ErrorCode::BadAudience => "ERR_BAD_AUDIENCE",
            ErrorCode::BadSubject => "ERR_BAD_SUBJECT",
            #[cfg(feature = "verify")]
            ErrorCode::BadClaim => "ERR_BAD_CLAIM",
            ErrorCode::BadType => "ERR_BAD_TYPE",
            ErrorCode::MissingClaim => "ERR_MISSING_CLAIM",
            ErrorCode::InvalidClaim => "ERR_INVALID_CLAIM",
            ErrorCode::InsufficientScope => "ERR_INSUFFICIENT_SCOPE",
            ErrorCode::InvalidOptions => "ERR_INVALID_OPTIONS",
            ErrorCode::JwksFetch => "ERR_JWKS_FETCH",
            ErrorCode::InvalidGrant => "ERR_INVALID_GRANT",
            ErrorCode::Csrf => "ERR_CSRF",
            ErrorCode::Revoked => "ERR_REVOKED",
            ErrorCode::StoreUnavailable => "ERR_STORE_UNAVAILABLE",
            ErrorCode::Freed => "ERR_FREED",
            ErrorCode::InvalidDpopProof => "ERR_INVALID_DPOP_PROOF",
            ErrorCode::DpopReplay => "ERR_DPOP_REPLAY",
            ErrorCode::UseDpopNonce => "ERR_USE_DPOP_NONCE",
            ErrorCode::DpopBinding => "ERR_DPOP_BINDING",
        }
    }

    /// The code for its string form (`ERR_…`): the one place a code is read back from text (an
    /// error that crossed into JavaScript and came back, an HTTP answer).
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|code| code.as_str() == text)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Tessera failure: a stable [`ErrorCode`], a developer-facing message and, where one claim
/// (or option) failed, its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: Cow<'static, str>,
    claim: Option<String>,
}

pub type Result<T, E = Error> = core::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            code,
            message: message.into(),
            claim: None,
        }
    }

    /// An error about one named claim; the claim *name* is safe to show, its value never is.
    pub fn claim(code: ErrorCode, claim: impl Into<String>, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            code,
            message: message.into(),
            claim: Some(claim.into()),
        }
    }

    pub fn malformed(message: &'static str) -> Self {
        Error::new(ErrorCode::Malformed, message)
    }

    /// The one signature failure: no detail about which check failed (length, range, math).
    pub fn bad_signature() -> Self {
        Error::new(ErrorCode::BadSignature, "signature verification failed")
    }

    /// A signature check's verdict as a result: `Ok` when valid, [`Error::bad_signature`] if not.
    pub fn signature_verdict(valid: bool) -> Result<()> {
        if valid {
            Ok(())
        } else {
            Err(Error::bad_signature())
        }
    }

    pub fn invalid_options(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorCode::InvalidOptions, message)
    }

    /// `ERR_INVALID_OPTIONS` about one option, named as `claim` and in the message:
    /// `<what> option <name> <problem>` (never the option's value).
    pub fn option(what: &str, name: &str, problem: &str) -> Self {
        let mut message = String::with_capacity(what.len() + name.len() + problem.len() + 9);
        for part in [what, " option ", name, " ", problem] {
            message.push_str(part);
        }
        Error::claim(ErrorCode::InvalidOptions, name, message)
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The claim that failed, for claim errors (`ERR_MISSING_CLAIM`, `ERR_EXPIRED`, …).
    pub fn claim_name(&self) -> Option<&str> {
        self.claim.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_prefixed() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(code.as_str().starts_with("ERR_"));
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("ERR_NOPE"), None);
        assert_eq!(ErrorCode::parse("err_malformed"), None);
    }

    #[test]
    fn option_errors_name_the_option() {
        let e = Error::option("Verifier", "issuer", "must be a string");
        assert_eq!(
            (e.code(), e.claim_name(), e.message()),
            (ErrorCode::InvalidOptions, Some("issuer"), "Verifier option issuer must be a string")
        );
    }
}
