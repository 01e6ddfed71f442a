//! The refresh handshake's flows over an asynchronous [`Store`]: login, refresh (with
//! compare-and-set retries), logout, "log out everywhere" and access-token verification with
//! revocation. Written once, driven by JS stores in wasm and by the [`MemoryStore`] natively.
//!
//! [`MemoryStore`]: super::store::MemoryStore

use std::future::Future;

use serde_json::{json, Map, Value};

use super::refresh::{Family, RefreshToken, Rotation};
use super::signer;
use super::store::{family_key, subject_key, Store, Subject, SubjectFamily};
use super::{Authority, LoginOptions, Request, Response, MAX_ATTEMPTS};
use crate::error::{Error, ErrorCode, Result};
use crate::jose::jwt::VerifiedJwt;
use crate::redact::redact;
use crate::time::Time;
use crate::verifier::dpop::ReplayWrite;

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
async fn respond(authority: &Authority, host: &impl Host, family: &Family, token: &RefreshToken, now: Time) -> Result<Response> {
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

/// The store as the handshake uses it: typed records, read and written at one `now`.
struct Records<'a, S> {
    store: &'a S,
    authority: &'a Authority,
    now: Time,
}

fn to_value<T: serde::Serialize>(record: &T) -> Result<Value> {
    serde_json::to_value(record).map_err(|_| unavailable())
}

impl<S: Store> Records<'_, S> {
    /// A record that does not parse is corruption, not a client error: 503.
    async fn read<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self.store.get(key, self.now).await? {
            None => Ok(None),
            Some(value) => super::record::from_value(value).map(Some).map_err(|_| unavailable()),
        }
    }

    /// A record that parses but is not sound (another family's id, counters or times out of
    /// range: see `Family::is_sound`) is corruption too.
    async fn family(&self, id: &str) -> Result<Option<Family>> {
        match self.read::<Family>(&family_key(id)).await? {
            Some(record) if !record.is_sound(id) => Err(unavailable()),
            record => Ok(record),
        }
    }

    async fn subject(&self, sub: &str) -> Result<Option<Subject>> {
        match self.read::<Subject>(&subject_key(sub)).await? {
            Some(record) if !record.is_sound() => Err(unavailable()),
            record => Ok(record),
        }
    }

    /// The subject's revocation epoch (0 without a record).
    async fn epoch(&self, sub: &str) -> Result<u64> {
        Ok(self.subject(sub).await?.map_or(0, |s| s.epoch))
    }

    /// Compare-and-set of a family record on the generation it was read at (`None`: new).
    async fn put_family(&self, family: &Family, read_at: Option<u64>) -> Result<bool> {
        let ttl = self.authority.family_ttl(family, self.now);
        self.store
            .put(&family_key(&family.family), to_value(family)?, read_at, ttl, self.now)
            .await
    }

    /// Spends a DPoP proof's `jti`: a write that must not find a live record (the store contract),
    /// so a proof is used once across every instance that shares the store.
    async fn spend_proof(&self, write: &ReplayWrite) -> Result<()> {
        let ttl = i64::from(write.ttl_secs);
        if self.store.put(&write.key, json!({ "generation": 1 }), None, ttl, self.now).await? {
            Ok(())
        } else {
            Err(Error::claim(ErrorCode::DpopReplay, "jti", "the DPoP proof was used before"))
        }
    }

    /// The request's DPoP proof checked and spent in the store (at login, which writes a new
    /// session anyway): its key's thumbprint and its replay key, if it has one.
    async fn proof_key(&self, request: &Request) -> Result<Option<(String, String)>> {
        match self.authority.proof_key(request, self.now)? {
            None => Ok(None),
            Some((jkt, write)) => {
                self.spend_proof(&write).await?;
                Ok(Some((jkt, write.key)))
            }
        }
    }

    async fn put_subject(&self, sub: &str, subject: &Subject, read_at: Option<u64>) -> Result<bool> {
        let ttl = self.authority.subject_ttl();
        self.store.put(&subject_key(sub), to_value(subject)?, read_at, ttl, self.now).await
    }

    /// The subject record with a new family added, and the families to revoke so that at most
    /// `limit` stay live. While the list is over the limit its oldest entry leaves it: revoked
    /// if still live, simply dropped if it has ended (idle, revoked for reuse). Logged-out
    /// families have already left the list, so a login reads one family in the steady state,
    /// whatever the limit.
    async fn admit(&self, subject: &Subject, added: SubjectFamily, limit: usize) -> Result<(Subject, Vec<String>)> {
        let now = self.now.secs();
        let mut families: Vec<SubjectFamily> = subject.families.iter().filter(|f| f.expires_at > now).cloned().collect();
        let mut evicted = Vec::new();
        let mut leaving = 0;
        while families.len() - leaving + 1 > limit {
            let Some(oldest) = families.get(leaving) else { break };
            leaving += 1;
            if self.family(&oldest.sid).await?.is_some_and(|r| r.is_live(subject.epoch, now)) {
                evicted.push(oldest.sid.clone());
            }
        }
        families.drain(..leaving);
        families.push(added);
        let next = Subject {
            generation: subject.generation.saturating_add(1),
            families,
            ..subject.clone()
        };
        Ok((next, evicted))
    }

    /// Takes a family out of its subject's list (after logout), so that it does not count
    /// against the limit. Best effort: a lost race or a failing store only costs a read at a
    /// later login.
    async fn unlist(&self, sub: &str, sid: &str) -> Result<()> {
        for _ in 0..MAX_ATTEMPTS {
            let Some(subject) = self.subject(sub).await? else { return Ok(()) };
            if !subject.families.iter().any(|f| f.sid == sid) {
                return Ok(());
            }
            let next = Subject {
                generation: subject.generation.saturating_add(1),
                families: subject.families.iter().filter(|f| f.sid != sid).cloned().collect(),
                ..subject.clone()
            };
            if self.put_subject(sub, &next, Some(subject.generation)).await? {
                return Ok(());
            }
        }
        Err(unavailable())
    }

    /// Revokes one family for `reason`: the revoked record, or `None` when there was nothing
    /// left to revoke.
    async fn revoke(&self, id: &str, reason: &str) -> Result<Option<Family>> {
        for _ in 0..MAX_ATTEMPTS {
            let Some(record) = self.family(id).await? else { return Ok(None) };
            if record.revoked {
                return Ok(None);
            }
            let revoked = record.revoke(reason);
            if self.put_family(&revoked, Some(record.generation)).await? {
                return Ok(Some(revoked));
            }
        }
        Err(unavailable())
    }
}

/// `POST {path}/login`, after the application has checked the credentials.
pub async fn login<S: Store>(
    authority: &Authority,
    store: &S,
    request: &Request,
    options: &LoginOptions,
    now: Time,
    host: &impl Host,
) -> Response {
    let records = Records { store, authority, now };
    let result = async {
        authority.check_request(request)?;
        authority.check_login(options)?;
        let proof = records.proof_key(request).await?;
        // The subject record first (its epoch, and the new family in its list), then the family:
        // a family is never live without being counted against the subject's limit.
        for _ in 0..MAX_ATTEMPTS {
            let current = records.subject(&options.sub).await?;
            let subject = current.clone().unwrap_or_default();
            let (mut family, token) = authority.start(options, subject.epoch, now)?;
            if let Some((jkt, key)) = &proof {
                family.jkt = Some(jkt.clone());
                family.last_proof = Some(key.clone());
            }
            let added = SubjectFamily {
                sid: family.family.clone(),
                expires_at: family.expires_at,
            };
            let (next, evicted) = records.admit(&subject, added, authority.max_sessions).await?;
            if !records.put_subject(&options.sub, &next, current.map(|s| s.generation)).await? {
                continue;
            }
            if !records.put_family(&family, None).await? {
                return Err(unavailable());
            }
            emit(
                authority,
                host,
                Level::Info,
                format_args!("session started sid={} sub={}", family.family, family.sub),
            );
            // Best effort: the login stands if revoking an old session fails (it is logged).
            for sid in evicted {
                match records.revoke(&sid, "limit").await {
                    Ok(Some(_)) => emit(authority, host, Level::Info, format_args!("session revoked (limit) sid={sid}")),
                    Ok(None) => {}
                    Err(error) => emit_error(authority, host, "revoke", &error),
                }
            }
            return respond(authority, host, &family, &token, now).await;
        }
        Err(unavailable())
    };
    let response = result.await.unwrap_or_else(|error| {
        emit_error(authority, host, "login", &error);
        authority.error_response(&error)
    });
    authority.with_nonce(response, now)
}

/// `POST {path}/refresh`: rotate the cookie's token. A lost compare-and-set race is re-read and
/// decided again (it then usually finds a retry inside the grace window), never a second
/// successor.
pub async fn refresh<S: Store>(authority: &Authority, store: &S, request: &Request, now: Time, host: &impl Host) -> Response {
    let records = Records { store, authority, now };
    let result = async {
        authority.check_request(request)?;
        let presented = authority.presented(request)?;
        // The proof is checked here and spent in the family record (`last_proof`): a refresh
        // writes that record anyway, so one account cannot fill the store with spent proofs.
        let proof = authority.proof_key(request, now)?;
        for _ in 0..MAX_ATTEMPTS {
            let Some(record) = records.family(&presented.family).await? else {
                return Err(Error::new(ErrorCode::InvalidGrant, "unknown session"));
            };
            Authority::check_binding(&record, proof.as_ref().map(|(jkt, _)| jkt.as_str()))?;
            if let Some((_, write)) = &proof {
                if record.last_proof.as_deref() == Some(write.key.as_str()) {
                    return Err(Error::claim(ErrorCode::DpopReplay, "jti", "the DPoP proof was used before"));
                }
            }
            let epoch = records.epoch(&record.sub).await?;
            match authority.rotate(&record, &presented, epoch, now)? {
                Rotation::Rotate { record: mut next, token } => {
                    if let Some((_, write)) = &proof {
                        next.last_proof = Some(write.key.clone());
                    }
                    if records.put_family(&next, Some(record.generation)).await? {
                        emit(
                            authority,
                            host,
                            Level::Info,
                            format_args!("refresh rotated sid={} generation={}", next.family, next.generation),
                        );
                        return respond(authority, host, &next, &token, now).await;
                    }
                }
                Rotation::Retry { token } => {
                    emit(
                        authority,
                        host,
                        Level::Info,
                        format_args!("refresh retried inside the grace window sid={}", record.family),
                    );
                    return respond(authority, host, &record, &token, now).await;
                }
                Rotation::Reuse { record: revoked } => {
                    if records.put_family(&revoked, Some(record.generation)).await? {
                        emit(
                            authority,
                            host,
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
    let response = result.await.unwrap_or_else(|error| {
        emit_error(authority, host, "refresh", &error);
        let mut response = authority.error_response(&error);
        // No cookie came: there is nothing to clear, and a clearing Set-Cookie could race a
        // login that is setting a fresh cookie at this very moment.
        if authority.presented_cookie(request).is_none() {
            response.headers.retain(|(name, _)| *name != "set-cookie");
        }
        response
    });
    authority.with_nonce(response, now)
}

/// `POST {path}/logout`: revoke the cookie's family (if any) and clear the cookie.
pub async fn logout<S: Store>(authority: &Authority, store: &S, request: &Request, now: Time, host: &impl Host) -> Response {
    let records = Records { store, authority, now };
    let result = async {
        authority.check_request(request)?;
        let cookies = authority.presented_all(request);
        // With a session to end, a proof that comes (or must come) is checked; without one
        // nothing is checked. A session ends with its cookie alone otherwise, as ending it is
        // all logout can do.
        if !cookies.is_empty() {
            // Checked, not spent: a logout proof replayed can only end the session whose cookie
            // it comes with, and spending it would let a cookie (even a revoked one) write a
            // record per request.
            authority.proof_key(request, now)?;
        }
        // An invalid or missing cookie still logs out (the cookie is cleared). Each session whose
        // cookie came with the request ends: with two cookies (one tossed by a sibling subdomain,
        // which the clearing Set-Cookie cannot reach), both families are revoked, so the cookie
        // left behind cannot sign this browser in as someone else.
        for presented in cookies {
            if let Some(family) = records.revoke(&presented.family, "logout").await? {
                emit(
                    authority,
                    host,
                    Level::Info,
                    format_args!("session logged out sid={}", presented.family),
                );
                if let Err(error) = records.unlist(&family.sub, &family.family).await {
                    emit_error(authority, host, "logout", &error);
                }
            }
        }
        Ok(authority.logout_response())
    };
    let response = result.await.unwrap_or_else(|error| {
        emit_error(authority, host, "logout", &error);
        authority.error_response(&error)
    });
    authority.with_nonce(response, now)
}

/// "Log out everywhere": raise the subject's epoch, which revokes every family started before,
/// then mark each family the subject record lists as revoked. The epoch alone decides; the
/// per-family marks free the families' store slots at once and keep them refused even if a
/// store evicts the subject record early (best effort: a failure there is logged).
pub async fn revoke_subject<S: Store>(authority: &Authority, store: &S, sub: &str, now: Time, host: &impl Host) -> Result<()> {
    if sub.is_empty() {
        return Err(Error::claim(ErrorCode::InvalidOptions, "sub", "a subject is required"));
    }
    let records = Records { store, authority, now };
    let result = async {
        for _ in 0..MAX_ATTEMPTS {
            let current = records.subject(sub).await?;
            let previous = current.clone().unwrap_or_default();
            let next = previous.revoked(now.secs());
            if records.put_subject(sub, &next, current.map(|s| s.generation)).await? {
                for family in &previous.families {
                    if let Err(error) = records.revoke(&family.sid, "subject").await {
                        emit_error(authority, host, "revoke", &error);
                    }
                }
                return Ok(next.epoch);
            }
        }
        Err(unavailable())
    };
    match result.await {
        Ok(epoch) => {
            emit(
                authority,
                host,
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
pub async fn verify<S: Store>(authority: &Authority, store: &S, token: &str, now: Time, scopes: &[String]) -> Result<Map<String, Value>> {
    verify_jwt(authority, store, token, now, scopes).await.map(|jwt| jwt.claims)
}

/// [`verify`], returning the verified token whole (header, claims and the claims' JSON text). A
/// DPoP-bound token is refused here (no proof to check): `Authority.verifyRequest` checks its
/// proof with a verifier, then [`check_live`].
pub async fn verify_jwt<S: Store>(authority: &Authority, store: &S, token: &str, now: Time, scopes: &[String]) -> Result<VerifiedJwt> {
    let jwt = authority.verify_jwt(token, now, scopes)?;
    crate::verifier::dpop::refuse_bound(&jwt.claims)?;
    check_live(authority, store, &jwt.claims, now).await?;
    Ok(jwt)
}

/// Whether the session of a verified access token (its claims) is still live: not revoked, not
/// ended by "log out everywhere".
pub async fn check_live<S: Store>(authority: &Authority, store: &S, claims: &Map<String, Value>, now: Time) -> Result<()> {
    let records = Records { store, authority, now };
    let sid = claims.get("sid").and_then(Value::as_str).unwrap_or_default();
    let family = if sid.is_empty() { None } else { records.family(sid).await? };
    let epoch = match &family {
        Some(f) => records.epoch(&f.sub).await?,
        None => 0,
    };
    Authority::check_session(claims, family.as_ref(), epoch)
}
