//! JWT claims validation (RFC 7519 §4.1, RFC 8725, RFC 9068), run only after the signature holds.
//!
//! Order: payload is a JSON object → explicit type → required claims → `iss` → `sub` → `aud` →
//! the `claims` option's values → `iat` (future, max age) → `nbf` → `exp` → scopes. A claim of the wrong JSON type is
//! `ERR_INVALID_CLAIM`, never "absent".

use serde_json::{Map, Value};

use super::json;
use super::jwa::Algorithm;
use super::jwks::KeySet;
use super::jws;
use crate::error::{Error, ErrorCode, Result};
use crate::options::Options;
use crate::time::Time;

/// The claim rules as a caller states them (the options of a verifier, minus its keys).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimRules {
    /// Allowed `alg` names; absent: the keys decide (see [`crate::jose::jwks`]).
    pub algorithms: Option<Vec<String>>,
    /// Accepted `iss` values.
    pub issuer: Option<Vec<String>>,
    /// Accepted audiences; the token's `aud` must contain one.
    pub audience: Option<Vec<String>>,
    pub subject: Option<String>,
    pub typ: Option<String>,
    pub required_claims: Option<Vec<String>>,
    /// Seconds.
    pub max_token_age: Option<f64>,
    /// Seconds.
    pub clock_tolerance: Option<f64>,
    /// `"at+jwt"`: RFC 9068 access tokens.
    pub profile: Option<String>,
    /// The `claims` option: claim name → required value, or list of accepted values.
    pub claims: Option<Map<String, Value>>,
}

impl ClaimRules {
    /// Takes the claim-rule options (JS names) from `options`.
    pub fn read(options: &mut Options) -> Result<ClaimRules> {
        Ok(ClaimRules {
            algorithms: options.strings("algorithms")?,
            issuer: options.one_or_many("issuer")?,
            audience: options.one_or_many("audience")?,
            subject: options.string("subject")?,
            typ: options.string("typ")?,
            required_claims: options.strings("requiredClaims")?,
            max_token_age: options.seconds("maxTokenAge")?,
            clock_tolerance: options.seconds("clockTolerance")?,
            profile: options.string("profile")?,
            claims: options.object("claims")?,
        })
    }
}

/// The claim rules of a verifier, built from checked options.
#[derive(Clone, Debug)]
pub struct Validation {
    /// The `algorithms` option (`["ES256"]` when absent), each key verifying only what it is
    /// bound to (see [`crate::jose::jwks`]); `None` only where a caller builds one to allow every
    /// algorithm Tessera implements.
    pub algorithms: Option<Vec<Algorithm>>,
    pub issuer: Option<Vec<String>>,
    pub audience: Option<Vec<String>>,
    pub subject: Option<String>,
    /// Expected `typ`, lower-cased without the `application/` prefix.
    pub typ: Option<String>,
    pub required_claims: Vec<String>,
    /// Milliseconds.
    pub max_token_age: Option<i64>,
    /// Milliseconds.
    pub clock_tolerance: i64,
    /// Claims that must have one of the listed values (the `claims` option).
    pub claim_values: Vec<(String, Vec<ClaimValue>)>,
}

/// A value the `claims` option accepts for a claim: JSON scalars only.
#[derive(Clone, Debug, PartialEq)]
pub enum ClaimValue {
    String(String),
    Number(f64),
    Bool(bool),
}

impl ClaimValue {
    fn from_json(value: &Value) -> Option<ClaimValue> {
        match value {
            Value::String(s) => Some(ClaimValue::String(s.clone())),
            Value::Bool(b) => Some(ClaimValue::Bool(*b)),
            Value::Number(n) => n.as_f64().filter(|v| v.is_finite()).map(ClaimValue::Number),
            _ => None,
        }
    }

    /// Whether a claim's value is this one: strings exactly, numbers by value (`1` is `1.0`).
    fn matches(&self, claim: &Value) -> bool {
        match (self, claim) {
            (ClaimValue::String(a), Value::String(b)) => a == b,
            (ClaimValue::Number(a), Value::Number(b)) => b.as_f64() == Some(*a),
            (ClaimValue::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        }
    }
}

/// Claims the `claims` option may not constrain: each has its own option (`issuer`, `subject`,
/// `audience`), or is a time whose check is not equality.
const CLAIMS_WITH_THEIR_OWN_RULE: [&str; 6] = ["iss", "sub", "aud", "exp", "nbf", "iat"];

/// The `claims` option read: each name to a non-empty list of strings, finite numbers or
/// booleans (one value is a list of one).
fn claim_values(option: Option<&Map<String, Value>>) -> Result<Vec<(String, Vec<ClaimValue>)>> {
    let invalid = |message| Error::claim(ErrorCode::InvalidOptions, "claims", message);
    let mut out = Vec::new();
    for (name, value) in option.into_iter().flatten() {
        if name.is_empty() || CLAIMS_WITH_THEIR_OWN_RULE.contains(&name.as_str()) {
            return Err(invalid(
                "option claims names claims other than iss, sub, aud, exp, nbf and iat (those have their own options)",
            ));
        }
        let values = match value {
            Value::Array(values) => values.iter().map(ClaimValue::from_json).collect(),
            one => ClaimValue::from_json(one).map(|one| vec![one]),
        };
        match values {
            Some(values) if !values.is_empty() => out.push((name.clone(), values)),
            _ => {
                return Err(invalid(
                    "option claims maps each claim to a string, number or boolean, or a non-empty list of them",
                ))
            }
        }
    }
    Ok(out)
}

/// The `profile` option: RFC 9068 JWT access tokens.
pub const PROFILE_AT_JWT: &str = "at+jwt";
const AT_JWT_REQUIRED: [&str; 7] = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"];

/// `typ` compared case-insensitively with the `application/` prefix optional (RFC 7515 §4.1.9).
pub fn normalize_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_string(),
        None => lower,
    }
}

fn seconds_to_millis(seconds: f64) -> i64 {
    (seconds * 1000.0).min(i64::MAX as f64) as i64
}

impl Validation {
    pub fn new(options: &ClaimRules) -> Result<Validation> {
        let algorithms = match &options.algorithms {
            // An explicit allow-list, ES256 alone by default (the security checklist): other
            // algorithms are named by the application, never implied by a key set.
            None => Some(vec![Algorithm::Es256]),
            Some(names) => Some(
                names
                    .iter()
                    .map(|name| {
                        Algorithm::from_name(name).ok_or_else(|| {
                            Error::claim(
                                ErrorCode::InvalidOptions,
                                "algorithms",
                                "option algorithms may only contain ES256, ES384, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA and Ed25519",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        let list = |list: &Option<Vec<String>>, name: &str| match list {
            Some(items) if items.is_empty() || items.iter().any(String::is_empty) => Err(Error::option(
                "Verifier",
                name,
                "must be a non-empty string or list of non-empty strings",
            )),
            other => Ok(other.clone()),
        };
        let issuer = list(&options.issuer, "issuer")?;
        let audience = list(&options.audience, "audience")?;
        for (value, name) in [(options.clock_tolerance, "clockTolerance"), (options.max_token_age, "maxTokenAge")] {
            if value.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                return Err(Error::option("Verifier", name, "must be a non-negative number of seconds"));
            }
        }
        if options.typ.as_deref().is_some_and(|t| normalize_typ(t).is_empty()) {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "typ",
                "option typ must be a non-empty media type",
            ));
        }
        let mut typ = options.typ.as_deref().map(normalize_typ);
        let mut required_claims = options.required_claims.clone().unwrap_or_default();
        if required_claims.iter().any(String::is_empty) {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "requiredClaims",
                "option requiredClaims must list claim names",
            ));
        }
        match options.profile.as_deref() {
            None => {}
            Some(PROFILE_AT_JWT) => {
                // RFC 9068 §4: the resource server must check iss and aud, so both are required.
                if issuer.is_none() || audience.is_none() {
                    return Err(Error::claim(
                        ErrorCode::InvalidOptions,
                        "profile",
                        "profile at+jwt needs the issuer and audience options",
                    ));
                }
                if typ.as_deref().is_some_and(|t| t != PROFILE_AT_JWT) {
                    return Err(Error::claim(ErrorCode::InvalidOptions, "typ", "profile at+jwt requires typ at+jwt"));
                }
                typ = Some(PROFILE_AT_JWT.to_string());
                for claim in AT_JWT_REQUIRED {
                    if !required_claims.iter().any(|c| c == claim) {
                        required_claims.push(claim.to_string());
                    }
                }
            }
            Some(_) => {
                return Err(Error::claim(
                    ErrorCode::InvalidOptions,
                    "profile",
                    "option profile must be \"at+jwt\"",
                ))
            }
        }
        if matches!(&options.subject, Some(s) if s.is_empty()) {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "subject",
                "option subject must be a non-empty string",
            ));
        }
        Ok(Validation {
            algorithms,
            issuer,
            audience,
            subject: options.subject.clone(),
            typ,
            required_claims,
            max_token_age: options.max_token_age.map(seconds_to_millis),
            clock_tolerance: options.clock_tolerance.map_or(0, seconds_to_millis),
            claim_values: claim_values(options.claims.as_ref())?,
        })
    }

    /// Checks the header `typ` and the claims at time `now`.
    pub fn validate(&self, header: &jws::Header, claims: &Map<String, Value>, now: Time, required_scopes: &[String]) -> Result<()> {
        // NumericDates are (possibly fractional) seconds: compared in seconds, as doubles.
        let now = now.secs_f64();
        if let Some(expected) = &self.typ {
            if header.typ.as_deref().map(normalize_typ).as_deref() != Some(expected.as_str()) {
                return Err(Error::claim(
                    ErrorCode::BadType,
                    "typ",
                    "the token's typ header is not the expected type",
                ));
            }
        }
        // (No list is built: this runs on every cache hit.)
        let configured = [
            (self.issuer.is_some(), "iss"),
            (self.audience.is_some(), "aud"),
            (self.subject.is_some(), "sub"),
            (self.max_token_age.is_some(), "iat"),
        ];
        let required = self.required_claims.iter().map(String::as_str);
        for claim in required.chain(configured.into_iter().filter_map(|(on, claim)| on.then_some(claim))) {
            match claims.get(claim) {
                None => return Err(Error::claim(ErrorCode::MissingClaim, claim, "a required claim is missing")),
                Some(Value::Null) => return Err(Error::claim(ErrorCode::InvalidClaim, claim, "a required claim is null")),
                Some(_) => {}
            }
        }
        // RFC 7519 §4.1.7 and RFC 8693 §4.3: jti and client_id are strings when present.
        string_claim(claims, "jti")?;
        string_claim(claims, "client_id")?;
        let iss = string_claim(claims, "iss")?;
        if let Some(issuers) = &self.issuer {
            if !iss.is_some_and(|iss| issuers.iter().any(|i| i == iss)) {
                return Err(Error::claim(ErrorCode::BadIssuer, "iss", "unexpected issuer"));
            }
        }
        let sub = string_claim(claims, "sub")?;
        if let Some(subject) = &self.subject {
            if sub != Some(subject.as_str()) {
                return Err(Error::claim(ErrorCode::BadSubject, "sub", "unexpected subject"));
            }
        }
        self.check_audience(claims)?;
        self.check_claim_values(claims)?;
        let tolerance = self.clock_tolerance as f64 / 1000.0;
        let iat = number_claim(claims, "iat")?;
        if let Some(iat) = iat {
            if iat > now + tolerance {
                return Err(Error::claim(ErrorCode::IssuedInFuture, "iat", "the token was issued in the future"));
            }
            if let Some(max_age) = self.max_token_age {
                if now - iat > max_age as f64 / 1000.0 + tolerance {
                    return Err(Error::claim(ErrorCode::TooOld, "iat", "the token is older than maxTokenAge"));
                }
            }
        }
        if let Some(nbf) = number_claim(claims, "nbf")? {
            if nbf > now + tolerance {
                return Err(Error::claim(ErrorCode::NotYetValid, "nbf", "the token is not yet valid"));
            }
        }
        if let Some(exp) = number_claim(claims, "exp")? {
            if exp <= now - tolerance {
                return Err(Error::claim(ErrorCode::Expired, "exp", "the token has expired"));
            }
        }
        check_scopes(claims, required_scopes)
    }

    /// The `claims` option: each named claim present, a string, number or boolean, and equal to
    /// one of its accepted values. The error names the claim, never its value.
    fn check_claim_values(&self, claims: &Map<String, Value>) -> Result<()> {
        for (name, accepted) in &self.claim_values {
            let value = claims
                .get(name)
                .ok_or_else(|| Error::claim(ErrorCode::MissingClaim, name.clone(), "a required claim is missing"))?;
            if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                return Err(Error::claim(
                    ErrorCode::InvalidClaim,
                    name.clone(),
                    "the claim must be a string, number or boolean",
                ));
            }
            if !accepted.iter().any(|a| a.matches(value)) {
                return Err(Error::claim(
                    ErrorCode::BadClaim,
                    name.clone(),
                    "the claim does not have a required value",
                ));
            }
        }
        Ok(())
    }

    fn check_audience(&self, claims: &Map<String, Value>) -> Result<()> {
        let audiences: Vec<&str> = match claims.get("aud") {
            None => Vec::new(),
            Some(Value::String(aud)) => vec![aud.as_str()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().ok_or_else(|| {
                        Error::claim(
                            ErrorCode::InvalidClaim,
                            "aud",
                            "the aud claim must be a string or an array of strings",
                        )
                    })
                })
                .collect::<Result<_>>()?,
            Some(_) => {
                return Err(Error::claim(
                    ErrorCode::InvalidClaim,
                    "aud",
                    "the aud claim must be a string or an array of strings",
                ))
            }
        };
        match &self.audience {
            Some(expected) if !audiences.iter().any(|aud| expected.iter().any(|e| e == aud)) => {
                Err(Error::claim(ErrorCode::BadAudience, "aud", "the token is not for this audience"))
            }
            // RFC 7519 §4.1.3: a token meant for some audience must not be accepted by a verifier
            // that has none configured.
            None if claims.contains_key("aud") => Err(Error::claim(
                ErrorCode::BadAudience,
                "aud",
                "the token has an audience but no audience is configured",
            )),
            _ => Ok(()),
        }
    }
}

fn string_claim<'a>(claims: &'a Map<String, Value>, name: &'static str) -> Result<Option<&'a str>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::claim(ErrorCode::InvalidClaim, name, "the claim must be a string")),
    }
}

fn number_claim(claims: &Map<String, Value>, name: &'static str) -> Result<Option<f64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| Error::claim(ErrorCode::InvalidClaim, name, "the claim must be a NumericDate")),
        Some(_) => Err(Error::claim(
            ErrorCode::InvalidClaim,
            name,
            "the claim must be a NumericDate (a number)",
        )),
    }
}

/// Required scopes must all be granted, by `scope` (space-delimited, RFC 8693 §4.2) or `scp`
/// (an array of strings, as Okta writes it, or space-delimited, as Microsoft Entra ID does). A token carrying neither has no scopes.
fn check_scopes(claims: &Map<String, Value>, required: &[String]) -> Result<()> {
    if required.is_empty() {
        return Ok(());
    }
    let mut granted: Vec<&str> = Vec::new();
    match claims.get("scope") {
        None => {}
        Some(Value::String(scope)) => granted.extend(scope.split(' ').filter(|s| !s.is_empty())),
        Some(_) => {
            return Err(Error::claim(
                ErrorCode::InvalidClaim,
                "scope",
                "the scope claim must be a space-delimited string",
            ))
        }
    }
    match claims.get("scp") {
        None => {}
        // Microsoft Entra ID writes scp as a space-delimited string, like scope.
        Some(Value::String(scp)) => granted.extend(scp.split(' ').filter(|s| !s.is_empty())),
        Some(Value::Array(items)) => {
            for item in items {
                granted.push(item.as_str().ok_or_else(|| {
                    Error::claim(
                        ErrorCode::InvalidClaim,
                        "scp",
                        "the scp claim must be a string or an array of strings",
                    )
                })?);
            }
        }
        Some(_) => {
            return Err(Error::claim(
                ErrorCode::InvalidClaim,
                "scp",
                "the scp claim must be a string or an array of strings",
            ))
        }
    }
    if required.iter().all(|scope| granted.contains(&scope.as_str())) {
        Ok(())
    } else {
        Err(Error::claim(
            ErrorCode::InsufficientScope,
            "scope",
            "the token lacks a required scope",
        ))
    }
}

/// Verifies a compact JWT: the JWS with `keys`, then the claims with `validation` at `now`.
/// Returns the claims set.
pub fn verify(token: &str, keys: &KeySet, validation: &Validation, now: Time, required_scopes: &[String]) -> Result<Map<String, Value>> {
    verify_token(token, keys, validation, now, required_scopes).map(|jwt| jwt.claims)
}

/// A verified JWT: its header, its claims, and the claims' JSON text as signed.
#[derive(Clone, Debug)]
pub struct VerifiedJwt {
    pub header: jws::Header,
    pub claims: Map<String, Value>,
    /// The decoded payload: UTF-8 JSON text of exactly `claims` (no duplicate members), so a
    /// JSON parser elsewhere (JavaScript's `JSON.parse`) rebuilds the same claims from it.
    pub json: String,
}

/// [`verify`], returning the header, the claims and their JSON text.
pub fn verify_token(token: &str, keys: &KeySet, validation: &Validation, now: Time, required_scopes: &[String]) -> Result<VerifiedJwt> {
    finish(
        jws::verify_compact(token, keys, validation.algorithms.as_deref())?,
        validation,
        now,
        required_scopes,
    )
}

/// The claims of a JWS whose signature held, checked with `validation` at `now`.
// Not inlined: the verifier calls it on two paths (its own signature check and a runtime's
// verdict), and one copy keeps the wasm builds smaller.
#[inline(never)]
pub fn finish(verified: jws::Verified, validation: &Validation, now: Time, required_scopes: &[String]) -> Result<VerifiedJwt> {
    let claims = json::parse_object(&verified.payload, "JWT claims are not a JSON object without duplicate members")?;
    json::check_exact_integers(&claims)?;
    validation.validate(&verified.header, &claims, now, required_scopes)?;
    // parse_object accepted the bytes, so they are UTF-8.
    let json = String::from_utf8(verified.payload).map_err(|_| Error::malformed("JWT claims are not UTF-8"))?;
    Ok(VerifiedJwt {
        header: verified.header,
        claims,
        json,
    })
}
