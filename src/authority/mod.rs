//! The refresh handshake's server side, sans-I/O: options, request checks (CSRF, size), the
//! decisions of login / refresh / logout, access-token issuance and the one mapping of errors
//! to HTTP responses. The flows over a store are in [`handshake`]; the binding layer only reads
//! requests, performs store I/O and writes responses.

pub(crate) mod cookie;
pub mod handshake;
mod record;
pub mod refresh;
pub mod signer;
pub mod store;

use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::jose::jwa::Algorithm;
use crate::jose::jwt::{self, ClaimRules, VerifiedJwt};
use crate::jose::{self, b64};
use crate::options::Options;
use crate::redact::FingerprintKey;
use crate::time::Time;
use crate::verifier::dpop::{replay_write, Nonces, ReplayWrite, DEFAULT_NONCE_LIFETIME, MIN_NONCE_SECRET};
use crate::verifier::{Verifier, VerifierOptions};
use refresh::{Family, Policy, Presented, RefreshKey, RefreshToken, Rotation};
use signer::{SignOptions, Signer};

/// The custom request header that refresh, login and logout require (it forces a CORS
/// preflight, so another site cannot send it).
pub const CSRF_HEADER: &str = "tessera-request";
/// Requests to the auth endpoints larger than this are refused (`400`). A binding reads at most
/// this many bytes + 1 of a body, whatever `Content-Length` says (a chunked body has none).
pub const MAX_BODY_BYTES: u64 = 16 * 1024;
/// Compare-and-set attempts before a refresh gives up with `503`.
pub const MAX_ATTEMPTS: usize = 16;
/// Default of the `maxSessionsPerSubject` option.
pub const DEFAULT_MAX_SESSIONS_PER_SUBJECT: usize = 50;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CookieOptions {
    pub name: Option<String>,
    /// The path of the auth endpoints (default `/auth`), and the cookie's `Path` unless
    /// `host_prefix` is set.
    pub path: Option<String>,
    /// `__Host-<name>` with `Path=/`: a sibling subdomain cannot set (toss) a cookie of that
    /// name (RFC 6265bis §4.1.3.2). Off by default: see the README's security notes.
    pub host_prefix: Option<bool>,
}

/// `new Authority(options)`. The live options (`store`, `clock`, `log`) stay in the binding,
/// which says whether a store was given ([`AuthorityOptions::custom_store`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthorityOptions {
    pub issuer: String,
    /// The `aud` of the access tokens: a string, or an array of strings.
    pub audience: Value,
    /// Private JWKs; the first signs, all are published and accepted (rotation).
    pub signing_keys: Vec<Value>,
    pub access_token_ttl: Option<i64>,
    pub session_ttl: Option<i64>,
    pub idle_ttl: Option<i64>,
    pub reuse_grace: Option<i64>,
    pub allowed_origins: Vec<String>,
    pub cookie: CookieOptions,
    /// Base64url key (≥ 32 bytes) authenticating refresh tokens. Required with a persistent
    /// store; generated per instance when absent (fine for the in-memory store only).
    pub refresh_secret: Option<String>,
    pub client_id: Option<String>,
    /// Live session families one subject may hold; a login beyond it revokes the oldest.
    pub max_sessions_per_subject: Option<i64>,
    /// Base64url key (≥ 16 bytes) of the fingerprints in log lines (see `redact`). Default: derived
    /// from `refresh_secret` when set (so every process of a deployment correlates), else random.
    pub fingerprint_key: Option<String>,
    /// Whether sessions live in a store the caller gave (shared by instances, surviving restarts).
    pub custom_store: bool,
    /// DPoP on the auth endpoints (RFC 9449 §5): `"off"` (default), `"allowed"`, `"required"`.
    pub dpop: DpopMode,
    /// `dpopNonceSecret`: base64url of ≥ 32 random bytes; server nonces at the auth endpoints.
    pub dpop_nonce_secret: Option<String>,
    /// `dpopNonceLifetime`: seconds a nonce is current (it is accepted for two such steps).
    pub dpop_nonce_lifetime: Option<i64>,
}

/// Whether the auth endpoints take DPoP proofs and bind sessions to their keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DpopMode {
    /// Proofs are ignored; sessions and access tokens are Bearer.
    #[default]
    Off,
    /// A login with a proof binds its session; one without stays Bearer.
    Allowed,
    /// Every login, refresh and logout needs a proof.
    Required,
}

/// How old a DPoP proof may be at the auth endpoints, in milliseconds.
pub const DPOP_MAX_AGE_MS: i64 = 300_000;

/// Whole seconds in `min..=10 years`.
fn ttl(options: &mut Options, name: &str, min: i64) -> Result<Option<i64>> {
    let mut problem = String::from("must be a whole number of seconds from ");
    problem.push_str(if min == 0 {
        "0"
    } else if min == 5 {
        "5"
    } else {
        "60"
    });
    problem.push_str(" to 315360000");
    options.integer(name, min, 10 * 365 * 86400, &problem)
}

impl AuthorityOptions {
    /// From the options object (JS names, without the live options).
    pub fn from_json(value: Value) -> Result<AuthorityOptions> {
        AuthorityOptions::read(Options::new(value, "Authority")?)
    }

    /// From JSON text (what the JavaScript glue passes).
    pub fn parse(text: &str) -> Result<AuthorityOptions> {
        AuthorityOptions::read(Options::parse(text, "Authority")?)
    }

    fn read(mut o: Options) -> Result<AuthorityOptions> {
        let required = |value: Option<String>, name: &str| value.ok_or_else(|| Error::option("Authority", name, "is required"));
        let issuer = required(o.non_empty_string("issuer")?, "issuer")?;
        let audience = match o.one_or_many("audience")? {
            None => return Err(Error::option("Authority", "audience", "is required")),
            Some(mut list) if list.len() == 1 => Value::from(list.remove(0)),
            Some(list) => Value::from(list),
        };
        let signing_keys = match o.take("signingKeys") {
            Some(Value::Array(keys)) if !keys.is_empty() => keys,
            _ => return Err(Error::option("Authority", "signingKeys", "needs at least one private JWK")),
        };
        let read = AuthorityOptions {
            issuer,
            audience,
            signing_keys,
            access_token_ttl: ttl(&mut o, "accessTokenTtl", 5)?,
            session_ttl: ttl(&mut o, "sessionTtl", 60)?,
            idle_ttl: ttl(&mut o, "idleTtl", 60)?,
            reuse_grace: ttl(&mut o, "reuseGrace", 0)?,
            allowed_origins: o.strings("allowedOrigins")?.unwrap_or_default(),
            cookie: match o.nested("cookie")? {
                None => CookieOptions::default(),
                Some(mut c) => {
                    let cookie = CookieOptions {
                        name: c.string("name")?,
                        path: c.string("path")?,
                        host_prefix: c.boolean("hostPrefix")?,
                    };
                    c.finish()?;
                    cookie
                }
            },
            refresh_secret: o.string("refreshSecret")?,
            client_id: o.non_empty_string("clientId")?,
            max_sessions_per_subject: o.integer("maxSessionsPerSubject", 1, 10_000, "must be a whole number from 1 to 10000")?,
            fingerprint_key: o.string("fingerprintKey")?,
            custom_store: false,
            dpop: match o.string("dpop")?.as_deref() {
                None | Some("off") => DpopMode::Off,
                Some("allowed") => DpopMode::Allowed,
                Some("required") => DpopMode::Required,
                Some(_) => return Err(Error::option("Authority", "dpop", "must be \"off\", \"allowed\" or \"required\"")),
            },
            dpop_nonce_secret: o.string("dpopNonceSecret")?,
            dpop_nonce_lifetime: o.integer("dpopNonceLifetime", 10, 3600, "must be whole seconds from 10 to 3600")?,
        };
        o.finish()?;
        Ok(read)
    }
}

/// `authority.login(request, { sub, scope, claims })`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoginOptions {
    pub sub: String,
    pub scope: Option<String>,
    pub claims: Option<Map<String, Value>>,
}

impl LoginOptions {
    pub fn from_json(value: Value) -> Result<LoginOptions> {
        LoginOptions::read(Options::new(value, "login")?)
    }

    pub fn parse(text: &str) -> Result<LoginOptions> {
        LoginOptions::read(Options::parse(text, "login")?)
    }

    fn read(mut o: Options) -> Result<LoginOptions> {
        let read = LoginOptions {
            sub: o.string("sub")?.ok_or_else(|| Error::option("login", "sub", "is required"))?,
            scope: o.string("scope")?,
            claims: o.object("claims")?,
        };
        o.finish()?;
        Ok(read)
    }
}

/// The parts of an HTTP request the authority looks at.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub origin: Option<String>,
    /// The `Tessera-Request` header.
    pub csrf: Option<String>,
    pub cookie: Option<String>,
    /// Bytes of the body: the declared `Content-Length`, or what was read when that is more (a
    /// binding reads at most [`MAX_BODY_BYTES`] + 1).
    pub body_length: Option<u64>,
    /// The `DPoP` header (several are joined by commas, as HTTP does).
    pub dpop: Option<String>,
}

impl Request {
    /// From the JSON text a binding makes of a request: `{ method, url, origin, csrf, cookie,
    /// bodyLength, dpop }` (headers absent or `null` when the request has none).
    pub fn parse(text: &str) -> Result<Request> {
        let malformed = || Error::malformed("the request could not be read");
        let mut o = Options::parse(text, "request").map_err(|_| malformed())?;
        let request = Request {
            method: o.string("method").map_err(|_| malformed())?.unwrap_or_default(),
            url: o.string("url").map_err(|_| malformed())?.unwrap_or_default(),
            origin: o.string("origin").map_err(|_| malformed())?,
            csrf: o.string("csrf").map_err(|_| malformed())?,
            cookie: o.string("cookie").map_err(|_| malformed())?,
            body_length: o
                .number("bodyLength")
                .map_err(|_| malformed())?
                .filter(|n| *n >= 0.0)
                .map(|n| n.min(u64::MAX as f64) as u64),
            dpop: o.string("dpop").map_err(|_| malformed())?,
        };
        o.finish().map_err(|_| malformed())?;
        Ok(request)
    }
}

pub use crate::verifier::challenge::{error_response, Response};

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
    /// Live families per subject.
    pub max_sessions: usize,
    fingerprint_key: FingerprintKey,
    pub dpop: DpopMode,
    /// Server nonces at the auth endpoints (RFC 9449 §8), when `dpopNonceSecret` is set.
    nonces: Option<Nonces>,
}

/// Claims the authority sets itself; login `claims` may not carry them.
const RESERVED: [&str; 11] = ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "sid", "cnf"];

/// The endpoints [`Authority::route`] recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Refresh,
    Logout,
    Jwks,
}

/// At most this many sessions end in one logout (each costs store writes).
const MAX_LOGOUT_COOKIES: usize = 4;

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
        let invalid = |name: &str, problem: &str| Error::option("Authority", name, problem);
        if options.issuer.is_empty() {
            return Err(invalid("issuer", "must be a non-empty string"));
        }
        for (value, name, min) in [
            (options.access_token_ttl, "accessTokenTtl", 5),
            (options.session_ttl, "sessionTtl", 60),
            (options.idle_ttl, "idleTtl", 60),
            (options.reuse_grace, "reuseGrace", 0),
        ] {
            if value.is_some_and(|v| v < min || v > 10 * 365 * 86400) {
                return Err(invalid(name, "is out of range (see the README)"));
            }
        }
        if options.max_sessions_per_subject.is_some_and(|n| !(1..=10_000).contains(&n)) {
            return Err(invalid("maxSessionsPerSubject", "must be a whole number from 1 to 10000"));
        }
        let nonces = match (&options.dpop_nonce_secret, options.dpop) {
            (None, _) if options.dpop_nonce_lifetime.is_some() => {
                return Err(invalid("dpopNonceLifetime", "applies only with dpopNonceSecret"));
            }
            (None, _) => None,
            (Some(_), DpopMode::Off) => return Err(invalid("dpopNonceSecret", "applies only with dpop \"allowed\" or \"required\"")),
            (Some(text), _) => {
                let secret = b64::decode(text, "")
                    .ok()
                    .filter(|b| b.len() >= MIN_NONCE_SECRET)
                    .ok_or_else(|| invalid("dpopNonceSecret", "must be base64url of at least 32 random bytes"))?;
                Some(Nonces::new(&secret, options.dpop_nonce_lifetime.unwrap_or(DEFAULT_NONCE_LIFETIME))?)
            }
        };
        if options.signing_keys.is_empty() {
            return Err(invalid("signingKeys", "needs at least one private JWK"));
        }
        let mut signers = Vec::new();
        for jwk in &options.signing_keys {
            signers.push(Signer::for_authority(jwk, &options.issuer, &options.audience)?);
        }
        let keys: Vec<Value> = signers.iter().map(Signer::public_jwk).collect();
        let jwks = json!({ "keys": keys });
        let audience = match &options.audience {
            Value::String(one) => vec![one.clone()],
            other => other
                .as_array()
                .map(|list| list.iter().filter_map(|a| a.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
        };
        let verifier = Verifier::new(&VerifierOptions {
            jwks: Some(jwks.clone()),
            rules: ClaimRules {
                issuer: Some(vec![options.issuer.clone()]),
                audience: Some(audience),
                profile: Some(jwt::PROFILE_AT_JWT.into()),
                ..ClaimRules::default()
            },
            ..VerifierOptions::default()
        })?;
        let session_ttl = options.session_ttl.unwrap_or(14 * 86400);
        let policy = Policy {
            session_ttl,
            idle_ttl: options.idle_ttl.unwrap_or(3 * 86400).min(session_ttl),
            reuse_grace: options.reuse_grace.unwrap_or(10),
        };
        let access_ttl = options.access_token_ttl.unwrap_or(300);
        if options.allowed_origins.is_empty()
            || options
                .allowed_origins
                .iter()
                .any(|o| o.is_empty() || o.ends_with('/') || !o.contains("://"))
        {
            return Err(invalid("allowedOrigins", "must list origins like https://app.example"));
        }
        let cookie_path = options.cookie.path.clone().unwrap_or_else(|| "/auth".into());
        let base_name = options.cookie.name.clone().unwrap_or_else(|| "tessera_rt".into());
        cookie::check_options(&base_name, &cookie_path)?;
        let (cookie_name, cookie_scope) = if options.cookie.host_prefix.unwrap_or(false) {
            let mut name = String::from(cookie::HOST_PREFIX);
            name.push_str(&base_name);
            (name, "/".to_string())
        } else {
            (base_name, cookie_path.clone())
        };
        let max_sessions = options
            .max_sessions_per_subject
            .map_or(DEFAULT_MAX_SESSIONS_PER_SUBJECT, |n| n as usize);
        let key = match &options.refresh_secret {
            Some(secret) => RefreshKey::new(&b64::decode(secret, "").map_err(|_| invalid("refreshSecret", "must be base64url"))?)?,
            // Tokens must stay valid across the instances and restarts that share a store.
            None if options.custom_store => return Err(invalid("refreshSecret", "is required with the store option")),
            None => RefreshKey::generate()?,
        };
        let fingerprint_key = match (&options.fingerprint_key, &options.refresh_secret) {
            (Some(encoded), _) => {
                FingerprintKey::new(&b64::decode(encoded, "").map_err(|_| invalid("fingerprintKey", "must be base64url"))?)?
            }
            (None, Some(_)) => key.fingerprint_key(),
            (None, None) => FingerprintKey::random(),
        };
        let signer = signers
            .into_iter()
            .next()
            .ok_or_else(|| invalid("signingKeys", "needs at least one private JWK"))?;
        Ok(Authority {
            issuer: options.issuer.clone(),
            audience: options.audience.clone(),
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
            max_sessions,
            fingerprint_key,
            dpop: options.dpop,
            nonces,
        })
    }

    /// A response of the auth endpoints with the current server nonce (`DPoP-Nonce`, RFC 9449
    /// §8.2) when nonces are on: every answer carries the one to use next.
    pub fn with_nonce(&self, mut response: Response, now: Time) -> Response {
        if let Some(nonces) = &self.nonces {
            response.headers.push(("dpop-nonce", nonces.current(now)));
        }
        response
    }

    /// The DPoP proof of an auth-endpoint request (RFC 9449 §4.3, §5): `None` when DPoP is off
    /// or (unless required) the request has none; else the proof's key thumbprint and the store
    /// write that spends its `jti` (the handshake makes it before acting on the proof).
    pub fn proof_key(&self, request: &Request, now: Time) -> Result<Option<(String, ReplayWrite)>> {
        let proof = match (self.dpop, request.dpop.as_deref()) {
            (DpopMode::Off, _) => return Ok(None),
            (DpopMode::Allowed, None) => return Ok(None),
            (DpopMode::Required, None) => {
                return Err(Error::new(ErrorCode::InvalidDpopProof, "this token service requires a DPoP proof"));
            }
            (_, Some(proof)) => proof,
        };
        let proof = jose::dpop::check(
            proof,
            &jose::dpop::Expected {
                method: &request.method,
                url: &request.url,
                access_token: None,
                algorithms: &[Algorithm::Es256],
                now,
                max_age_ms: DPOP_MAX_AGE_MS,
                tolerance_ms: 0,
            },
        )?;
        // With server nonces, a proof without the current one is answered with it (400
        // use_dpop_nonce) before its jti is spent: the retry with the nonce is a new proof.
        if let Some(nonces) = &self.nonces {
            if !proof.nonce.as_deref().is_some_and(|nonce| nonces.accepts(nonce, now)) {
                return Err(Error::new(
                    ErrorCode::UseDpopNonce,
                    "this token service wants the DPoP nonce it sent",
                ));
            }
        }
        let write = replay_write(&proof, DPOP_MAX_AGE_MS, 0, now);
        Ok(Some((proof.jkt, write)))
    }

    /// A refresh of `record` with a proof by `jkt` (or none): a bound session needs a proof by
    /// its own key; checked before anything is written, so a refused refresh changes nothing.
    pub fn check_binding(record: &Family, jkt: Option<&str>) -> Result<()> {
        match (record.jkt.as_deref(), jkt) {
            (Some(bound), Some(key)) if bound == key => Ok(()),
            (Some(_), Some(_)) => Err(Error::new(ErrorCode::InvalidDpopProof, "the session is bound to another DPoP key")),
            (Some(_), None) => Err(Error::new(
                ErrorCode::InvalidDpopProof,
                "the session is DPoP-bound: send a proof by its key",
            )),
            (None, _) => Ok(()),
        }
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
        if request.body_length.is_some_and(|n| n > MAX_BODY_BYTES) {
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

    /// Every refresh token in the request's cookies that authenticates (for logout, which ends
    /// each session a browser holds, a tossed one included).
    pub fn presented_all(&self, request: &Request) -> Vec<Presented> {
        cookie::read_all(request.cookie.as_deref(), &self.cookie_name)
            .unwrap_or_default()
            .iter()
            .filter_map(|token| refresh::authenticate(&self.key, token).ok())
            .take(MAX_LOGOUT_COOKIES)
            .collect()
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
    pub fn start(&self, options: &LoginOptions, subject_epoch: u64, now: Time) -> Result<(Family, RefreshToken)> {
        self.check_login(options)?;
        let claims = options.claims.clone().unwrap_or_default();
        let scope = options.scope.clone().unwrap_or_default();
        refresh::start(&self.key, &options.sub, &scope, claims, subject_epoch, &self.policy, now)
    }

    pub fn rotate(&self, record: &Family, presented: &Presented, subject_epoch: u64, now: Time) -> Result<Rotation> {
        refresh::rotate(&self.key, record, presented, &self.policy, subject_epoch, now)
    }

    /// How long the store keeps a family: until it would expire unused (idle or absolute expiry,
    /// whichever is first) plus the grace window; a revoked family one second, since a missing
    /// record is refused exactly as a revoked one is. So logged-out, revoked and idle families free
    /// their store slot at once, not at their absolute expiry.
    pub fn family_ttl(&self, record: &Family, now: Time) -> i64 {
        if record.revoked {
            return 1;
        }
        (record.idle_expires_at.min(record.expires_at) - now.secs()).max(0) + self.policy.reuse_grace + 1
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
    pub fn access_token_input(&self, family: &Family, now: Time) -> Result<String> {
        let mut claims = family.claims.clone();
        claims.insert("sub".into(), family.sub.clone().into());
        claims.insert("client_id".into(), self.client_id.clone().into());
        claims.insert("scope".into(), family.scope.clone().into());
        claims.insert("sid".into(), family.family.clone().into());
        if let Some(jkt) = &family.jkt {
            let mut cnf = Map::new();
            cnf.insert("jkt".into(), jkt.clone().into());
            claims.insert("cnf".into(), Value::Object(cnf));
        }
        let options = SignOptions {
            expires_in: Some(self.access_ttl),
            ..SignOptions::default()
        };
        self.signer.signing_input(claims, &options, now)
    }

    /// Whether `signature` over `input` verifies with the active signing key (a check of a
    /// runtime signer's output).
    pub fn verifies(&self, input: &str, signature: &[u8]) -> bool {
        self.signer.verifies(input, signature)
    }

    /// Signs a signing input from [`Authority::access_token_input`] here in Rust.
    pub fn sign_input(&self, input: &str) -> Result<[u8; 64]> {
        self.signer.sign_input(input)
    }

    /// `200` with the access token in the body and the refresh token only in `Set-Cookie`.
    pub fn signed_token_response(&self, family: &Family, refresh_token: &RefreshToken, now: Time, access_token: String) -> Response {
        let remaining = family.remaining(now.secs());
        Response {
            status: 200,
            headers: vec![
                ("cache-control", "no-store".into()),
                (
                    "set-cookie",
                    cookie::set(&self.cookie_name, refresh_token.as_str(), &self.cookie_scope, remaining),
                ),
            ],
            // `refresh_expires_in`: the session's remaining absolute lifetime (the refresh token
            // itself stays in the cookie), so a UI can show when sign-in will be needed again.
            body: json!({
                "access_token": access_token,
                "token_type": if family.jkt.is_some() { "DPoP" } else { "Bearer" },
                "expires_in": self.access_ttl,
                "refresh_expires_in": remaining,
                "scope": family.scope,
            }),
        }
    }

    /// `GET /.well-known/jwks.json`: the public set, cacheable for five minutes (a rotation is
    /// published ahead of use, so caches pick it up in time).
    pub fn jwks_response(&self) -> Response {
        Response {
            status: 200,
            headers: vec![("cache-control", "public, max-age=300".into())],
            body: self.jwks.clone(),
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
        if matches!(
            error.code(),
            ErrorCode::InvalidDpopProof | ErrorCode::DpopReplay | ErrorCode::UseDpopNonce
        ) {
            // RFC 9449 §5, §8: the token endpoint answers 400 invalid_dpop_proof or
            // use_dpop_nonce (no challenge; the nonce is added by `with_nonce`).
            let wire = if error.code() == ErrorCode::UseDpopNonce {
                "use_dpop_nonce"
            } else {
                "invalid_dpop_proof"
            };
            return Response {
                status: 400,
                headers: vec![("cache-control", "no-store".into())],
                body: json!({ "error": wire, "code": error.code().as_str() }),
            };
        }
        let mut response = error_response(Some(error.code()));
        if error.code() == ErrorCode::InvalidGrant {
            response.headers.push(clear);
        }
        response
    }

    /// Verifies an access token's signature and claims (revocation is checked by the caller
    /// with the store: [`Authority::check_session`]).
    pub fn verify(&self, token: &str, now: Time, scopes: &[String]) -> Result<Map<String, Value>> {
        self.verifier.verify(token, now, scopes)
    }

    /// [`Authority::verify`], returning the verified token whole (header, claims, claims text).
    pub fn verify_jwt(&self, token: &str, now: Time, scopes: &[String]) -> Result<VerifiedJwt> {
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
