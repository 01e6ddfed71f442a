//! The refresh handshake's flows over an asynchronous [`Store`]: login, refresh (with
//! compare-and-set retries), logout, "log out everywhere" and access-token verification with
//! revocation. Written once, driven by JS stores in wasm and by the [`MemoryStore`] natively.
//!
//! [`MemoryStore`]: crate::store::MemoryStore

use std::future::Future;

use serde_json::{Map, Value};

use crate::authority::{Authority, LoginOptions, Request, Response, MAX_ATTEMPTS};
use crate::error::{Error, ErrorCode, Result};
use crate::jwt::VerifiedJwt;
use crate::redact::redact;
use crate::refresh::{Family, RefreshToken, Rotation};
use crate::signer;
use crate::store::{family_key, subject_key, Subject, SubjectFamily};

/// The store contract (`STORE.md`): JSON records carrying a `generation`; `put` is a
/// compare-and-set on it (`expected = None`: only if absent). Failures are `Err` (→ 503).
pub trait Store {
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Value>>>;
    fn put(&self, key: &str, value: Value, expected: Option<u64>, ttl: i64) -> impl Future<Output = Result<bool>>;
}

/// What the handshake needs from its runtime besides the store: where to report what it did
/// (one line per event, with a level; every line has passed through [`redact`] first, so a sink
/// can write it anywhere), and optionally a faster signer for access tokens (node:crypto or
/// WebCrypto, in wasm). `()` discards lines and signs in Rust.
pub trait Host {
    fn log(&self, level: Level, line: &str);

    /// Whether lines go anywhere: when not, they are neither formatted nor redacted.
    fn logs(&self) -> bool {
        true
    }

    /// Signs a JWS signing input with the authority's active key, or `None` to sign in Rust.
    fn sign(&self, _input: &str) -> impl Future<Output = Option<[u8; 64]>> {
        std::future::ready(None)
    }
}

/// How much an operator should care about a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Normal operation: logins, rotations, logouts.
    Info,
    /// Refused requests, refresh-token reuse (a revoked family), an unavailable store.
    Warn,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
        }
    }
}

impl Host for () {
    fn log(&self, _: Level, _: &str) {}

    fn logs(&self) -> bool {
        false
    }
}

/// The token response, its access token signed by the runtime when it offers to, else in Rust.
async fn respond(authority: &Authority, host: &impl Host, family: &Family, token: &RefreshToken, now: i64) -> Result<Response> {
    let input = authority.access_token_input(family, now)?;
    let signature = match host.sign(&input).await {
        Some(signature) => signature,
        None => authority.sign_input(&input)?,
    };
    Ok(authority.signed_token_response(family, token, now, signer::finish(input, &signature)))
}

/// The one place lines are made: `tessera: <event>`, redacted.
fn emit(authority: &Authority, host: &impl Host, level: Level, event: std::fmt::Arguments<'_>) {
    if host.logs() {
        host.log(level, &redact(&format!("tessera: {event}"), authority.fingerprint_key()));
    }
}

/// A refused or failed operation: the error's code and message (which never carry tokens).
fn emit_error(authority: &Authority, host: &impl Host, operation: &str, error: &Error) {
    emit(
        authority,
        host,
        Level::Warn,
        format_args!("{operation} refused: {} ({})", error.code().as_str(), error.message()),
    );
}

fn unavailable() -> Error {
    Error::new(ErrorCode::StoreUnavailable, "the session store is unavailable")
}

async fn read_family<S: Store>(store: &S, family: &str) -> Result<Option<Family>> {
    match store.get(&family_key(family)).await? {
        None => Ok(None),
        // A record that does not parse is corruption, not a client error.
        Some(value) => serde_json::from_value(value).map(Some).map_err(|_| unavailable()),
    }
}

/// The subject's record, if it has one.
async fn read_subject<S: Store>(store: &S, sub: &str) -> Result<Option<Subject>> {
    match store.get(&subject_key(sub)).await? {
        None => Ok(None),
        Some(value) => serde_json::from_value(value).map(Some).map_err(|_| unavailable()),
    }
}

/// The subject's revocation epoch (0 without a record).
async fn subject_epoch<S: Store>(store: &S, sub: &str) -> Result<u64> {
    Ok(read_subject(store, sub).await?.map_or(0, |s| s.epoch))
}

fn to_value<T: serde::Serialize>(record: &T) -> Result<Value> {
    serde_json::to_value(record).map_err(|_| unavailable())
}

/// Whether a family can still be used at `now` (not revoked, not expired).
fn is_live(family: &Family, epoch: u64, now: i64) -> bool {
    !family.revoked && family.subject_epoch >= epoch && now < family.expires_at && now < family.idle_expires_at
}

/// The subject record with a new family added, and the families to revoke so that at most
/// `limit` stay live, oldest first. Only a list over the limit costs reads: each family in it is
/// looked at once, and those that have ended (logged out, revoked, idle) leave the list.
async fn admit<S: Store>(store: &S, subject: &Subject, added: SubjectFamily, limit: usize, now: i64) -> Result<(Subject, Vec<String>)> {
    let mut families: Vec<SubjectFamily> = subject.families.iter().filter(|f| f.expires_at > now).cloned().collect();
    let mut evicted = Vec::new();
    if families.len() + 1 > limit {
        let mut live = Vec::with_capacity(families.len());
        for family in families {
            if read_family(store, &family.sid)
                .await?
                .is_some_and(|r| is_live(&r, subject.epoch, now))
            {
                live.push(family);
            }
        }
        let excess = (live.len() + 1).saturating_sub(limit);
        evicted = live.drain(..excess.min(live.len())).map(|f| f.sid).collect();
        families = live;
    }
    families.push(added);
    Ok((
        Subject {
            generation: subject.generation + 1,
            families,
            ..subject.clone()
        },
        evicted,
    ))
}

/// Revokes one family (best effort: a failure is logged, the caller's answer stands).
async fn revoke_family<S: Store>(authority: &Authority, store: &S, sid: &str, reason: &str, now: i64, host: &impl Host) {
    let result = async {
        for _ in 0..MAX_ATTEMPTS {
            let Some(record) = read_family(store, sid).await? else {
                return Ok(());
            };
            if record.revoked {
                return Ok(());
            }
            let revoked = record.revoke(reason);
            if store
                .put(
                    &family_key(sid),
                    to_value(&revoked)?,
                    Some(record.generation),
                    authority.family_ttl(&revoked, now),
                )
                .await?
            {
                return Ok(());
            }
        }
        Err(unavailable())
    };
    match result.await {
        Ok(()) => emit(authority, host, Level::Info, format_args!("session revoked ({reason}) sid={sid}")),
        Err(error) => emit_error(authority, host, "revoke", &error),
    }
}

/// `POST {path}/login`, after the application has checked the credentials.
pub async fn login<S: Store>(
    authority: &Authority,
    store: &S,
    request: &Request,
    options: &LoginOptions,
    now: i64,
    host: &impl Host,
) -> Response {
    let result = async {
        authority.check_request(request)?;
        authority.check_login(options)?;
        // The subject record first (its epoch, and the new family in its list), then the family:
        // a family is never live without being counted against the subject's limit.
        let key = subject_key(&options.sub);
        for _ in 0..MAX_ATTEMPTS {
            let current = read_subject(store, &options.sub).await?;
            let subject = current.clone().unwrap_or_default();
            let (family, token) = authority.start(options, subject.epoch, now)?;
            let added = SubjectFamily {
                sid: family.family.clone(),
                expires_at: family.expires_at,
            };
            let (next, evicted) = admit(store, &subject, added, authority.max_sessions, now).await?;
            let expected = current.map(|s| s.generation);
            if !store.put(&key, to_value(&next)?, expected, authority.subject_ttl()).await? {
                continue;
            }
            if !store
                .put(
                    &family_key(&family.family),
                    to_value(&family)?,
                    None,
                    authority.family_ttl(&family, now),
                )
                .await?
            {
                return Err(unavailable());
            }
            emit(authority, host,
                Level::Info,
                format_args!("session started sid={} sub={}", family.family, family.sub),
            );
            for sid in evicted {
                revoke_family(authority, store, &sid, "limit", now, host).await;
            }
            return respond(authority, host, &family, &token, now).await;
        }
        Err(unavailable())
    };
    result.await.unwrap_or_else(|error| {
        emit_error(authority, host, "login", &error);
        authority.error_response(&error)
    })
}

/// `POST {path}/refresh`: rotate the cookie's token. A lost compare-and-set race is re-read and
/// decided again (it then usually finds a retry inside the grace window), never a second
/// successor.
pub async fn refresh<S: Store>(authority: &Authority, store: &S, request: &Request, now: i64, host: &impl Host) -> Response {
    let result = async {
        authority.check_request(request)?;
        let presented = authority.presented(request)?;
        for _ in 0..MAX_ATTEMPTS {
            let Some(record) = read_family(store, &presented.family).await? else {
                return Err(Error::new(ErrorCode::InvalidGrant, "unknown session"));
            };
            let epoch = subject_epoch(store, &record.sub).await?;
            let key = family_key(&record.family);
            match authority.rotate(&record, &presented, epoch, now)? {
                Rotation::Rotate { record: next, token } => {
                    if store
                        .put(&key, to_value(&next)?, Some(record.generation), authority.family_ttl(&next, now))
                        .await?
                    {
                        emit(authority, host,
                            Level::Info,
                            format_args!("refresh rotated sid={} generation={}", next.family, next.generation),
                        );
                        return respond(authority, host, &next, &token, now).await;
                    }
                }
                Rotation::Retry { token } => {
                    emit(authority, host,
                        Level::Info,
                        format_args!("refresh retried inside the grace window sid={}", record.family),
                    );
                    return respond(authority, host, &record, &token, now).await;
                }
                Rotation::Reuse { record: revoked } => {
                    if store
                        .put(
                            &key,
                            to_value(&revoked)?,
                            Some(record.generation),
                            authority.family_ttl(&revoked, now),
                        )
                        .await?
                    {
                        emit(authority, host,
                            Level::Warn,
                            format_args!(
                                "refresh token reuse: session family revoked sid={} sub={}",
                                record.family, record.sub
                            ),
                        );
                        return Err(Error::new(ErrorCode::InvalidGrant, "refresh token reuse: the session is revoked"));
                    }
                }
                Rotation::Expired | Rotation::Revoked => return Err(Error::new(ErrorCode::InvalidGrant, "the session has ended")),
            }
        }
        Err(unavailable())
    };
    result.await.unwrap_or_else(|error| {
        emit_error(authority, host, "refresh", &error);
        let mut response = authority.error_response(&error);
        // No cookie came: there is nothing to clear, and a clearing Set-Cookie could race a
        // login that is setting a fresh cookie at this very moment.
        if authority.presented_cookie(request).is_none() {
            response.headers.retain(|(name, _)| *name != "set-cookie");
        }
        response
    })
}

/// `POST {path}/logout`: revoke the cookie's family (if any) and clear the cookie.
pub async fn logout<S: Store>(authority: &Authority, store: &S, request: &Request, now: i64, host: &impl Host) -> Response {
    let result = async {
        authority.check_request(request)?;
        // An invalid or missing cookie still logs out (the cookie is cleared).
        let Ok(presented) = authority.presented(request) else {
            return Ok(authority.logout_response());
        };
        for _ in 0..MAX_ATTEMPTS {
            let Some(record) = read_family(store, &presented.family).await? else {
                return Ok(authority.logout_response());
            };
            if record.revoked {
                return Ok(authority.logout_response());
            }
            let revoked = record.revoke("logout");
            let ttl = authority.family_ttl(&revoked, now);
            if store
                .put(&family_key(&record.family), to_value(&revoked)?, Some(record.generation), ttl)
                .await?
            {
                emit(authority, host, Level::Info, format_args!("session logged out sid={}", record.family));
                return Ok(authority.logout_response());
            }
        }
        Err(unavailable())
    };
    result.await.unwrap_or_else(|error| {
        emit_error(authority, host, "logout", &error);
        authority.error_response(&error)
    })
}

/// "Log out everywhere": raise the subject's epoch, which revokes every family started before.
pub async fn revoke_subject<S: Store>(authority: &Authority, store: &S, sub: &str, now: i64, host: &impl Host) -> Result<()> {
    if sub.is_empty() {
        return Err(Error::claim(ErrorCode::InvalidOptions, "sub", "a subject is required"));
    }
    let key = subject_key(sub);
    let result = async {
        for _ in 0..MAX_ATTEMPTS {
            let current = read_subject(store, sub).await?;
            let next = current.clone().unwrap_or_default().revoked(now);
            let expected = current.map(|s| s.generation);
            if store.put(&key, to_value(&next)?, expected, authority.subject_ttl()).await? {
                return Ok(next.epoch);
            }
        }
        Err(unavailable())
    };
    match result.await {
        Ok(epoch) => {
            emit(authority, host,
                Level::Info,
                format_args!("subject revoked everywhere sub={sub} epoch={epoch}"),
            );
            Ok(())
        }
        Err(error) => {
            emit_error(authority, host, "revokeSubject", &error);
            Err(error)
        }
    }
}

/// Verifies an access token and checks that its session is still live.
pub async fn verify<S: Store>(authority: &Authority, store: &S, token: &str, now: f64, scopes: &[String]) -> Result<Map<String, Value>> {
    verify_jwt(authority, store, token, now, scopes).await.map(|jwt| jwt.claims)
}

/// [`verify`], returning the verified token whole (header, claims and the claims' JSON text).
pub async fn verify_jwt<S: Store>(authority: &Authority, store: &S, token: &str, now: f64, scopes: &[String]) -> Result<VerifiedJwt> {
    let jwt = authority.verify_jwt(token, now, scopes)?;
    let claims = &jwt.claims;
    let sid = claims.get("sid").and_then(Value::as_str).unwrap_or_default();
    let family = if sid.is_empty() { None } else { read_family(store, sid).await? };
    let epoch = match &family {
        Some(f) => subject_epoch(store, &f.sub).await?,
        None => 0,
    };
    Authority::check_session(claims, family.as_ref(), epoch)?;
    Ok(jwt)
}
