//! The refresh handshake's server side, sans-I/O: options, request checks (CSRF, size), the
//! decisions of login / refresh / logout, access-token issuance and the one mapping of errors
//! to HTTP responses. The binding layer does the store I/O in between (see `wasm/authority.rs`).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::cookie;
use crate::error::{Error, ErrorCode, Result};
use crate::jwt::{self, OneOrMany, VerifiedJwt};
use crate::redact::FingerprintKey;
use crate::refresh::{self, Family, Policy, Presented, RefreshKey, RefreshToken, Rotation};
use crate::signer::{SignOptions, Signer, SignerOptions};
use crate::verifier::{Verifier, VerifierOptions};

/// The custom request header that refresh, login and logout require (it forces a CORS
/// preflight, so another site cannot send it).
pub const CSRF_HEADER: &str = "tessera-request";
/// Requests to the auth endpoints larger than this are refused (`400`).
pub const MAX_BODY_BYTES: u64 = 16 * 1024;
/// Compare-and-set attempts before a refresh gives up with `503`.
pub const MAX_ATTEMPTS: usize = 16;
/// Default of the `maxSessionsPerSubject` option.
pub const DEFAULT_MAX_SESSIONS_PER_SUBJECT: usize = 50;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CookieOptions {
    pub name: Option<String>,
    /// The path of the auth endpoints (default `/auth`), and the cookie's `Path` unless
    /// `host_prefix` is set.
    pub path: Option<String>,
    /// `__Host-<name>` with `Path=/`: a sibling subdomain cannot set (toss) a cookie of that
    /// name (RFC 6265bis §4.1.3.2). Off by default: see the README's security notes.
    pub host_prefix: Option<bool>,
}

/// `new Authority(options)` (the `store` option is taken by the binding layer).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuthorityOptions {
    pub issuer: String,
    pub audience: OneOrMany,
    /// Private JWKs; the first signs, all are published and accepted (rotation).
    pub signing_keys: Vec<Value>,
    pub access_token_ttl: Option<i64>,
    pub session_ttl: Option<i64>,
    pub idle_ttl: Option<i64>,
    pub reuse_grace: Option<i64>,
    pub allowed_origins: Vec<String>,
    pub cookie: Option<CookieOptions>,
    /// Base64url key (≥ 32 bytes) authenticating refresh tokens. Required with a persistent
    /// store; generated per instance when absent (fine for the in-memory store only).
    pub refresh_secret: Option<String>,
    pub client_id: Option<String>,
    /// Live session families one subject may hold; a login beyond it revokes the oldest.
    pub max_sessions_per_subject: Option<i64>,
    /// Base64url key (≥ 16 bytes) of the fingerprints in log lines (see `redact`). Default: derived
    /// from `refresh_secret` when set (so every process of a deployment correlates), else random.
    pub fingerprint_key: Option<String>,
}

/// `authority.login(request, { sub, scope, claims })`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoginOptions {
    pub sub: String,
    pub scope: Option<String>,
    pub claims: Option<Map<String, Value>>,
}

/// The parts of an HTTP request the authority looks at.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    pub origin: Option<String>,
    pub csrf: Option<String>,
    pub cookie: Option<String>,
    pub content_length: Option<u64>,
}

/// A response to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
}

#[derive(Debug)]
pub struct Authority {
    issuer: String,
    audience: Value,
    signer: Signer,
    jwks: Value,
    verifier: Verifier,
    pub policy: Policy,
    access_ttl: i64,
    origins: Vec<String>,
    pub cookie_name: String,
    /// The path of the auth endpoints.
    pub cookie_path: String,
    /// The `Path` attribute of the cookie (`/` with the `__Host-` prefix, else `cookie_path`).
    cookie_scope: String,
    key: RefreshKey,
    client_id: String,
    pub persistent_secret: bool,
    /// Live families per subject.
    pub max_sessions: usize,
    fingerprint_key: FingerprintKey,
}

fn seconds(value: Option<i64>, default: i64, name: &'static str, min: i64) -> Result<i64> {
    let value = value.unwrap_or(default);
    if value < min || value > 10 * 365 * 86400 {
        return Err(Error::claim(
            ErrorCode::InvalidOptions,
            name,
            format!("option {name} must be between {min} and 315360000 seconds"),
        ));
    }
    Ok(value)
}

/// Claims the authority sets itself; login `claims` may not carry them.
const RESERVED: [&str; 10] = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "sid"];

/// The endpoints [`Authority::route`] recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Refresh,
    Logout,
    Jwks,
}

impl Authority {
    /// Which handshake endpoint a request URL names: `{cookie path}/refresh` and
    /// `{cookie path}/logout` (any method: the handshake answers non-`POST` with 400), and
    /// `GET /.well-known/jwks.json`. The query and fragment are ignored.
    pub fn route(&self, url: &str, method: &str) -> Option<Route> {
        let path = url
            .split_once("://")
            .map_or(url, |(_, rest)| rest.find('/').map_or("/", |i| rest.get(i..).unwrap_or("/")));
        let path = path.split(['?', '#']).next().unwrap_or_default();
        if path == "/.well-known/jwks.json" {
            return (method == "GET").then_some(Route::Jwks);
        }
        let endpoint = path.strip_prefix(self.cookie_path.trim_end_matches('/'))?;
        match endpoint {
            "/refresh" => Some(Route::Refresh),
            "/logout" => Some(Route::Logout),
            _ => None,
        }
    }

    pub fn new(options: &AuthorityOptions) -> Result<Authority> {
        if options.signing_keys.is_empty() {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "signingKeys",
                "option signingKeys needs at least one private JWK",
            ));
        }
        let mut signers = Vec::new();
        for jwk in &options.signing_keys {
            signers.push(Signer::new(&SignerOptions {
                private_jwk: jwk.clone(),
                issuer: Some(options.issuer.clone()),
                audience: Some(options.audience.clone()),
            })?);
        }
        let keys: Vec<Value> = signers.iter().map(Signer::public_jwk).collect();
        let jwks = json!({ "keys": keys });
        let verifier = Verifier::new(&VerifierOptions {
            jwks: Some(jwks.clone()),
            issuer: Some(OneOrMany::One(options.issuer.clone())),
            audience: Some(options.audience.clone()),
            profile: Some(jwt::PROFILE_AT_JWT.into()),
            ..VerifierOptions::default()
        })?;
        let session_ttl = seconds(options.session_ttl, 14 * 86400, "sessionTtl", 60)?;
        let policy = Policy {
            session_ttl,
            idle_ttl: seconds(options.idle_ttl, 3 * 86400, "idleTtl", 60)?.min(session_ttl),
            reuse_grace: seconds(options.reuse_grace, 10, "reuseGrace", 0)?,
        };
        let access_ttl = seconds(options.access_token_ttl, 300, "accessTokenTtl", 5)?;
        if options.allowed_origins.is_empty()
            || options
                .allowed_origins
                .iter()
                .any(|o| o.is_empty() || o.ends_with('/') || !o.contains("://"))
        {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "allowedOrigins",
                "option allowedOrigins must list origins like https://app.example",
            ));
        }
        let cookie_options = options.cookie.clone().unwrap_or_default();
        let cookie_path = cookie_options.path.unwrap_or_else(|| "/auth".into());
        let host_prefix = cookie_options.host_prefix.unwrap_or(false);
        let base_name = cookie_options.name.unwrap_or_else(|| "tessera_rt".into());
        cookie::check_options(&base_name, &cookie_path)?;
        let (cookie_name, cookie_scope) = if host_prefix {
            (format!("{}{base_name}", cookie::HOST_PREFIX), "/".to_string())
        } else {
            (base_name, cookie_path.clone())
        };
        let max_sessions = match options.max_sessions_per_subject {
            None => DEFAULT_MAX_SESSIONS_PER_SUBJECT,
            Some(n @ 1..=10_000) => n as usize,
            Some(_) => {
                return Err(Error::claim(
                    ErrorCode::InvalidOptions,
                    "maxSessionsPerSubject",
                    "option maxSessionsPerSubject must be between 1 and 10000",
                ))
            }
        };
        let key = match &options.refresh_secret {
            Some(secret) => RefreshKey::new(
                &crate::b64::decode(secret, "")
                    .map_err(|_| Error::claim(ErrorCode::InvalidOptions, "refreshSecret", "option refreshSecret must be base64url"))?,
            )?,
            None => RefreshKey::generate()?,
        };
        let fingerprint_key = match (&options.fingerprint_key, &options.refresh_secret) {
            (Some(encoded), _) => FingerprintKey::new(&crate::b64::decode(encoded, "").map_err(|_| {
                Error::claim(ErrorCode::InvalidOptions, "fingerprintKey", "option fingerprintKey must be base64url")
            })?)?,
            (None, Some(_)) => key.fingerprint_key(),
            (None, None) => FingerprintKey::random(),
        };
        let audience = match &options.audience {
            OneOrMany::One(one) => Value::from(one.clone()),
            OneOrMany::Many(many) => Value::from(many.clone()),
        };
        let signer = signers.into_iter().next().ok_or_else(|| Error::invalid_options("no signing key"))?;
        Ok(Authority {
            issuer: options.issuer.clone(),
            audience,
            signer,
            jwks,
            verifier,
            policy,
            access_ttl,
            origins: options.allowed_origins.clone(),
            cookie_name,
            cookie_path,
            cookie_scope,
            key,
            client_id: options.client_id.clone().unwrap_or_else(|| "tessera".into()),
            persistent_secret: options.refresh_secret.is_some(),
            max_sessions,
            fingerprint_key,
        })
    }

    /// The key of the fingerprints in this authority's log lines.
    pub fn fingerprint_key(&self) -> &FingerprintKey {
        &self.fingerprint_key
    }

    /// The public JWK Set (active and retiring keys).
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// CSRF and size checks for login, refresh and logout: `POST`, the custom header, an
    /// allowed `Origin`, a small body. Fails before any state is read or written.
    pub fn check_request(&self, request: &Request) -> Result<()> {
        if request.method != "POST" {
            return Err(Error::malformed("the auth endpoints accept POST only"));
        }
        if request.content_length.is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(Error::malformed("the request body is too large"));
        }
        if request.csrf.as_deref() != Some("1") {
            return Err(Error::new(ErrorCode::Csrf, "the Tessera-Request: 1 header is required"));
        }
        match &request.origin {
            Some(origin) if self.origins.iter().any(|o| o == origin) => Ok(()),
            _ => Err(Error::new(ErrorCode::Csrf, "the request Origin is not allowed")),
        }
    }

    /// The raw refresh cookie of a request, if it carries exactly one.
    pub fn presented_cookie(&self, request: &Request) -> Option<String> {
        cookie::read(request.cookie.as_deref(), &self.cookie_name).ok().flatten()
    }

    /// The refresh token of the request's cookie, authenticated.
    pub fn presented(&self, request: &Request) -> Result<Presented> {
        let Some(token) = cookie::read(request.cookie.as_deref(), &self.cookie_name)? else {
            return Err(Error::new(ErrorCode::InvalidGrant, "no refresh cookie"));
        };
        refresh::authenticate(&self.key, &token)
    }

    /// Checks login options before any store access.
    pub fn check_login(&self, options: &LoginOptions) -> Result<()> {
        if options.sub.is_empty() || options.sub.len() > 255 {
            return Err(Error::claim(ErrorCode::InvalidOptions, "sub", "login sub must be 1 to 255 bytes"));
        }
        let claims = options.claims.as_ref();
        if let Some(claim) = RESERVED.iter().find(|c| claims.is_some_and(|m| m.contains_key(**c))) {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                *claim,
                "this claim is set by the authority",
            ));
        }
        if claims.and_then(|m| serde_json::to_string(m).ok()).map_or(0, |s| s.len()) > 4096 {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "claims",
                "login claims are limited to 4 KiB",
            ));
        }
        Ok(())
    }

    /// A new session family for `options` (the app has already checked the credentials).
    pub fn start(&self, options: &LoginOptions, subject_epoch: u64, now: i64) -> Result<(Family, RefreshToken)> {
        self.check_login(options)?;
        let claims = options.claims.clone().unwrap_or_default();
        let scope = options.scope.clone().unwrap_or_default();
        refresh::start(&self.key, &options.sub, &scope, claims, subject_epoch, &self.policy, now)
    }

    pub fn rotate(&self, record: &Family, presented: &Presented, subject_epoch: u64, now: i64) -> Result<Rotation> {
        refresh::rotate(&self.key, record, presented, &self.policy, subject_epoch, now)
    }

    /// How long the store keeps a family: until it would expire unused (idle or absolute expiry,
    /// whichever is first) plus the grace window; a revoked family one second, since a missing
    /// record is refused exactly as a revoked one is. So logged-out, revoked and idle families free
    /// their store slot at once, not at their absolute expiry.
    pub fn family_ttl(&self, record: &Family, now: i64) -> i64 {
        if record.revoked {
            return 1;
        }
        (record.idle_expires_at.min(record.expires_at) - now).max(0) + self.policy.reuse_grace + 1
    }

    /// How long the store keeps a subject record after its last write: past it, every family
    /// that started before that write has expired (their lifetimes are at most `sessionTtl`),
    /// so forgetting the record revokes nothing that needs revoking (see `Subject::revoked`).
    pub fn subject_ttl(&self) -> i64 {
        self.policy.session_ttl + self.policy.reuse_grace + 1
    }

    /// The signing input of an access token for the family (RFC 9068: `sid` is the family id;
    /// fresh `iat`/`exp`/`jti`). The handshake signs it (in Rust or by the runtime) and passes the
    /// token to [`Authority::signed_token_response`].
    pub fn access_token_input(&self, family: &Family, now: i64) -> Result<String> {
        let mut claims = family.claims.clone();
        claims.insert("sub".into(), family.sub.clone().into());
        claims.insert("client_id".into(), self.client_id.clone().into());
        claims.insert("scope".into(), family.scope.clone().into());
        claims.insert("sid".into(), family.family.clone().into());
        let options = SignOptions {
            now: Some(now as f64),
            expires_in: Some(self.access_ttl as f64),
            typ: None,
        };
        self.signer.signing_input(claims, &options, now as f64)
    }

    /// The active signing key as JWK members `(x, y, d)` for a runtime signer.
    #[doc(hidden)]
    pub fn signing_key_members(&self) -> Option<(String, String, String)> {
        self.signer.private_jwk_members()
    }

    /// Whether `signature` over `input` verifies with the active signing key (a check of a
    /// runtime signer's output).
    pub fn verifies(&self, input: &str, signature: &[u8; 64]) -> bool {
        self.signer.verifies(input, signature)
    }

    /// Signs a signing input from [`Authority::access_token_input`] here in Rust.
    pub fn sign_input(&self, input: &str) -> Result<[u8; 64]> {
        self.signer.sign_input(input)
    }

    /// `200` with the access token in the body and the refresh token only in `Set-Cookie`.
    pub fn signed_token_response(&self, family: &Family, refresh_token: &RefreshToken, now: i64, access_token: String) -> Response {
        Response {
            status: 200,
            headers: vec![
                ("cache-control", "no-store".into()),
                (
                    "set-cookie",
                    cookie::set(&self.cookie_name, refresh_token.as_str(), &self.cookie_scope, family.remaining(now)),
                ),
            ],
            // `refresh_expires_in`: the session's remaining absolute lifetime (the refresh token
            // itself stays in the cookie), so a UI can show when sign-in will be needed again.
            body: json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": self.access_ttl,
                "refresh_expires_in": family.remaining(now),
                "scope": family.scope,
            }),
        }
    }

    /// `200` after logout, clearing the cookie.
    pub fn logout_response(&self) -> Response {
        Response {
            status: 200,
            headers: vec![
                ("cache-control", "no-store".into()),
                ("set-cookie", cookie::clear(&self.cookie_name, &self.cookie_scope)),
            ],
            body: json!({}),
        }
    }

    /// The one mapping from errors to HTTP responses. The wire says as little as the standards
    /// need (`invalid_grant`, `invalid_token`); `code` is Tessera's stable code for clients.
    pub fn error_response(&self, error: &Error) -> Response {
        let clear = ("set-cookie", cookie::clear(&self.cookie_name, &self.cookie_scope));
        if error.code() == ErrorCode::Malformed {
            // On the auth endpoints a malformed *request* (method, size, cookie header) is 400.
            return Response {
                status: 400,
                headers: vec![("cache-control", "no-store".into())],
                body: json!({ "error": "invalid_request", "code": "ERR_MALFORMED" }),
            };
        }
        error_response(error, Some(clear))
    }

    /// Verifies an access token's signature and claims (revocation is checked by the caller
    /// with the store: [`Authority::check_session`]).
    pub fn verify(&self, token: &str, now: f64, scopes: &[String]) -> Result<Map<String, Value>> {
        self.verifier.verify(token, now, scopes)
    }

    /// [`Authority::verify`], returning the verified token whole (header, claims, claims text).
    pub fn verify_jwt(&self, token: &str, now: f64, scopes: &[String]) -> Result<VerifiedJwt> {
        self.verifier.verify_with(token, now, scopes, VerifiedJwt::clone)
    }

    /// Revocation check of a verified access token against its family record and the subject's
    /// epoch. A missing record means the family expired or never existed: revoked.
    pub fn check_session(claims: &Map<String, Value>, family: Option<&Family>, subject_epoch: u64) -> Result<()> {
        let revoked = || Error::new(ErrorCode::Revoked, "the session of this access token was revoked");
        let sid = claims
            .get("sid")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::claim(ErrorCode::MissingClaim, "sid", "the access token has no sid"))?;
        match family {
            Some(f) if f.family == sid && !f.revoked && f.subject_epoch >= subject_epoch => Ok(()),
            _ => Err(revoked()),
        }
    }

    pub fn audience(&self) -> &Value {
        &self.audience
    }
}

/// Errors as HTTP responses (RFC 6749 §5.2 for the token endpoints, RFC 6750 §3 for APIs).
/// `clear_cookie` is sent with `invalid_grant`.
pub fn error_response(error: &Error, clear_cookie: Option<(&'static str, String)>) -> Response {
    use ErrorCode as C;
    let code = error.code();
    let (status, wire, bearer) = match code {
        C::InvalidGrant => (401, "invalid_grant", None),
        C::Csrf => (403, "forbidden", None),
        C::StoreUnavailable => (503, "temporarily_unavailable", None),
        C::InvalidOptions => (400, "invalid_request", None),
        C::InsufficientScope => (403, "insufficient_scope", Some("insufficient_scope")),
        C::JwksFetch => (503, "temporarily_unavailable", None),
        C::Malformed
        | C::AlgNotAllowed
        | C::Unsupported
        | C::NoMatchingKey
        | C::AmbiguousKey
        | C::InvalidKey
        | C::BadSignature
        | C::Expired
        | C::NotYetValid
        | C::IssuedInFuture
        | C::TooOld
        | C::BadIssuer
        | C::BadAudience
        | C::BadSubject
        | C::BadType
        | C::MissingClaim
        | C::InvalidClaim
        | C::Revoked => (401, "invalid_token", Some("invalid_token")),
    };
    let mut headers = vec![("cache-control", "no-store".to_string())];
    if let Some(bearer) = bearer {
        headers.push(("www-authenticate", format!("Bearer error=\"{bearer}\"")));
    }
    if code == C::InvalidGrant {
        headers.extend(clear_cookie);
    }
    Response {
        status,
        headers,
        body: json!({ "error": wire, "code": code.as_str() }),
    }
}
