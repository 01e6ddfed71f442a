//! The browser session's access-token lifetime as a sans-I/O state machine: what the wasm
//! layer should do (refresh now, wake up later, attach a token, sign out) given the events it
//! reports, with all times (`now`, milliseconds since the epoch) and randomness (`jitter`, in
//! [0, 1)) passed in.
//!
//! Expiry is local receipt time + `expires_in` — never the token's `exp` against the local
//! clock — so a wrong client clock cannot make a token look expired or valid. The difference
//! between the token's `iat` and the receipt time is only reported (`clockOffset`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::b64;
use crate::error::{Error, ErrorCode, Result};
use crate::json;

/// A token response from the authority (`POST {authPath}/login` or `/refresh`).
#[derive(Clone, Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: f64,
    #[serde(default)]
    pub scope: Option<String>,
    /// Seconds until the session's absolute expiry (Tessera's authority sends it).
    #[serde(default)]
    pub refresh_expires_in: Option<f64>,
}

/// A token as tabs share it over BroadcastChannel (same machine, same clock).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedToken {
    pub access_token: String,
    pub received_at: f64,
    pub expires_at: f64,
    pub scope: String,
    #[serde(default)]
    pub session_expires_at: Option<f64>,
}

/// `new TokenSession(options)` (JS names).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionOptions {
    pub auth_path: Option<String>,
    /// Seconds before expiry to refresh (default 30; at most a quarter of the lifetime).
    pub refresh_margin: Option<f64>,
    /// BroadcastChannel / Web Lock name (default "tessera").
    pub channel: Option<String>,
}

#[derive(Clone, Debug)]
struct Held {
    token: SharedToken,
    refresh_at: f64,
    subject: Option<String>,
    clock_offset: Option<f64>,
}

/// What the binding layer must do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Signed out: nothing to schedule.
    Idle,
    /// Refresh now.
    Refresh,
    /// Wake up at this time (ms) and ask again.
    WakeAt(f64),
}

/// Why a refresh failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Failure {
    /// Network error, 5xx, 503: try again later.
    Transient,
    /// `401 invalid_grant`: the session is over everywhere.
    InvalidGrant,
}

/// The observable state (`session.state`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    pub status: &'static str,
    pub expires_at: Option<f64>,
    pub refresh_at: Option<f64>,
    pub received_at: Option<f64>,
    /// When the session itself ends (absolute lifetime), if the authority said.
    pub session_expires_at: Option<f64>,
    pub scope: Option<String>,
    pub subject: Option<String>,
    /// Seconds the authority's clock (token `iat`) is ahead of this one at receipt.
    pub clock_offset: Option<f64>,
    pub failures: u32,
}

#[derive(Clone, Debug)]
pub struct Session {
    margin: f64,
    held: Option<Held>,
    failures: u32,
    retry_at: Option<f64>,
}

/// A token this close to expiry (ms) is not attached: it could expire in flight.
pub const ATTACH_GUARD_MS: f64 = 2_000.0;
const MAX_BACKOFF_MS: f64 = 30_000.0;

impl Session {
    pub fn new(options: &SessionOptions) -> Result<Session> {
        let margin = options.refresh_margin.unwrap_or(30.0);
        if !(margin.is_finite() && (0.0..=3600.0).contains(&margin)) {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "refreshMargin",
                "option refreshMargin must be 0 to 3600 seconds",
            ));
        }
        Ok(Session {
            margin,
            held: None,
            failures: 0,
            retry_at: None,
        })
    }

    /// Takes a token response received at `now`.
    pub fn accept(&mut self, response: &TokenResponse, now: f64, jitter: f64) -> Result<SharedToken> {
        if !response.token_type.eq_ignore_ascii_case("bearer") {
            return Err(Error::malformed("the token response is not a Bearer token"));
        }
        if !(response.expires_in.is_finite() && response.expires_in >= 1.0 && response.expires_in <= 86400.0) {
            return Err(Error::malformed("the token response has no usable expires_in"));
        }
        if response.access_token.is_empty() {
            return Err(Error::malformed("the token response has no usable access_token"));
        }
        if response.access_token.len() > crate::jws::MAX_TOKEN_LEN {
            return Err(Error::malformed("the token response's access_token is too large"));
        }
        let shared = SharedToken {
            access_token: response.access_token.clone(),
            received_at: now,
            expires_at: now + response.expires_in * 1000.0,
            scope: response.scope.clone().unwrap_or_default(),
            session_expires_at: response
                .refresh_expires_in
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| now + s * 1000.0),
        };
        self.adopt(shared.clone(), jitter);
        Ok(shared)
    }

    /// Takes a token another tab received. Older than the one held: ignored (`false`).
    pub fn adopt(&mut self, token: SharedToken, jitter: f64) -> bool {
        if self.held.as_ref().is_some_and(|h| h.token.expires_at >= token.expires_at) {
            return false;
        }
        let lifetime = token.expires_at - token.received_at;
        // Refresh `margin` seconds before expiry, but never more than a quarter of the lifetime
        // ahead (short tokens), minus up to 10% of that lead as jitter so tabs spread out.
        let lead = (self.margin * 1000.0).min(lifetime / 4.0);
        let refresh_at = token.expires_at - lead - lead * 0.1 * jitter.clamp(0.0, 1.0);
        let (subject, iat) = peek_claims(&token.access_token);
        let clock_offset = iat.map(|iat| ((iat * 1000.0 - token.received_at) / 1000.0).round());
        self.held = Some(Held {
            token,
            refresh_at,
            subject,
            clock_offset,
        });
        self.failures = 0;
        self.retry_at = None;
        true
    }

    /// What to do at `now`.
    pub fn next(&self, now: f64) -> Next {
        let Some(held) = &self.held else { return Next::Idle };
        let due = self.retry_at.unwrap_or(held.refresh_at);
        // After failures whose backoff would outlast the token: no more timed attempts (no tight
        // loop); a wake-up event or a request that needs a token tries again.
        if self.failures > 0 && self.retry_at.is_none() {
            return Next::Idle;
        }
        if now >= due {
            Next::Refresh
        } else {
            Next::WakeAt(due)
        }
    }

    /// The access token to attach at `now`, if one is valid with a safety margin.
    pub fn token(&self, now: f64) -> Option<&str> {
        self.held
            .as_ref()
            .filter(|h| now < h.token.expires_at - ATTACH_GUARD_MS)
            .map(|h| h.token.access_token.as_str())
    }

    /// The held token, to share with another tab.
    pub fn shared(&self) -> Option<&SharedToken> {
        self.held.as_ref().map(|h| &h.token)
    }

    /// A refresh failed at `now`. Transient failures are retried with exponential backoff and
    /// jitter while the current token is still valid; `InvalidGrant` signs out.
    pub fn refresh_failed(&mut self, failure: Failure, now: f64, jitter: f64) {
        match failure {
            Failure::InvalidGrant => self.sign_out(),
            Failure::Transient => {
                self.failures = self.failures.saturating_add(1);
                let backoff = (1000.0 * 2f64.powi(self.failures.min(10) as i32 - 1)).min(MAX_BACKOFF_MS);
                let at = now + backoff * (0.5 + 0.5 * jitter.clamp(0.0, 1.0));
                let valid_until = self.held.as_ref().map_or(0.0, |h| h.token.expires_at);
                self.retry_at = (at < valid_until).then_some(at);
            }
        }
    }

    /// A wake-up event (visible again, online, focus): retry at once if attempts were paused.
    pub fn wake(&mut self) {
        if self.held.is_some() && self.failures > 0 {
            self.retry_at = Some(0.0);
        }
    }

    pub fn sign_out(&mut self) {
        self.held = None;
        self.failures = 0;
        self.retry_at = None;
    }

    pub fn is_signed_in(&self) -> bool {
        self.held.is_some()
    }

    pub fn state(&self, now: f64) -> State {
        match &self.held {
            None => State {
                status: "signed-out",
                expires_at: None,
                refresh_at: None,
                received_at: None,
                session_expires_at: None,
                scope: None,
                subject: None,
                clock_offset: None,
                failures: 0,
            },
            Some(h) => State {
                status: if now < h.token.expires_at { "signed-in" } else { "expired" },
                expires_at: Some(h.token.expires_at),
                refresh_at: Some(self.retry_at.unwrap_or(h.refresh_at)),
                received_at: Some(h.token.received_at),
                session_expires_at: h.token.session_expires_at,
                scope: Some(h.token.scope.clone()),
                subject: h.subject.clone(),
                clock_offset: h.clock_offset,
                failures: self.failures,
            },
        }
    }
}

/// `sub` and `iat` of an access token, read *without verification*, for display only.
fn peek_claims(token: &str) -> (Option<String>, Option<f64>) {
    let claims = token
        .split('.')
        .nth(1)
        .and_then(|payload| b64::decode(payload, "").ok())
        .and_then(|bytes| json::parse_object(&bytes, "").ok());
    let Some(claims) = claims else { return (None, None) };
    (
        claims.get("sub").and_then(Value::as_str).map(str::to_string),
        claims.get("iat").and_then(Value::as_f64),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(margin: f64) -> Session {
        Session::new(&SessionOptions {
            auth_path: None,
            refresh_margin: Some(margin),
            channel: None,
        })
        .unwrap()
    }

    fn token(iat: i64, sub: &str) -> String {
        let payload = b64::encode(format!(r#"{{"sub":"{sub}","iat":{iat}}}"#).as_bytes());
        format!("eyJhbGciOiJFUzI1NiJ9.{payload}.sig")
    }

    fn response(expires_in: f64, iat: i64) -> TokenResponse {
        TokenResponse {
            access_token: token(iat, "alice"),
            token_type: "Bearer".into(),
            expires_in,
            scope: Some("read".into()),
            refresh_expires_in: Some(3600.0),
        }
    }

    #[test]
    fn expiry_is_receipt_plus_expires_in_whatever_the_clock() {
        let mut s = session(30.0);
        // The client clock is an hour behind the server's iat.
        let now = 1_000_000.0;
        s.accept(&response(300.0, 1000 + 3600), now, 0.0).unwrap();
        let state = s.state(now);
        assert_eq!(state.status, "signed-in");
        assert_eq!(state.expires_at, Some(now + 300_000.0));
        assert_eq!(state.clock_offset, Some(3600.0));
        assert_eq!(state.session_expires_at, Some(now + 3_600_000.0));
        assert_eq!(state.subject.as_deref(), Some("alice"));
        assert_eq!(s.next(now), Next::WakeAt(now + 270_000.0));
        assert_eq!(s.next(now + 270_000.0), Next::Refresh);
        assert!(s.token(now + 297_999.0).is_some());
        assert!(s.token(now + 298_000.0).is_none(), "not attached within the guard");
    }

    #[test]
    fn short_tokens_refresh_at_a_fraction_with_jitter() {
        let mut s = session(30.0);
        s.accept(&response(20.0, 0), 0.0, 0.0).unwrap();
        assert_eq!(s.next(0.0), Next::WakeAt(15_000.0), "a quarter of 20 s ahead");
        let mut t = session(30.0);
        t.accept(&response(20.0, 0), 0.0, 0.999).unwrap();
        let Next::WakeAt(at) = t.next(0.0) else { panic!() };
        assert!(at < 15_000.0 && at > 14_400.0, "{at}");
    }

    #[test]
    fn sleep_and_concurrent_events() {
        let mut s = session(30.0);
        s.accept(&response(300.0, 0), 0.0, 0.0).unwrap();
        // A laptop sleeps past expiry: on wake, refresh at once; nothing is attached meanwhile.
        assert_eq!(s.next(10_000_000.0), Next::Refresh);
        assert_eq!(s.token(10_000_000.0), None);
        assert_eq!(s.state(10_000_000.0).status, "expired");
        // Another tab refreshed first: its newer token is adopted, an older one ignored.
        let newer = SharedToken {
            access_token: token(5, "alice"),
            received_at: 100.0,
            expires_at: 300_100.0,
            scope: "read".into(),
            session_expires_at: None,
        };
        assert!(s.adopt(newer.clone(), 0.5));
        assert!(!s.adopt(
            SharedToken {
                expires_at: 200_000.0,
                ..newer
            },
            0.5
        ));
        assert_eq!(s.state(100.0).expires_at, Some(300_100.0));
    }

    #[test]
    fn transient_failures_back_off_while_valid_then_pause() {
        let mut s = session(30.0);
        s.accept(&response(60.0, 0), 0.0, 0.0).unwrap();
        let now = 45_000.0;
        assert_eq!(s.next(now), Next::Refresh);
        s.refresh_failed(Failure::Transient, now, 0.0);
        assert_eq!(s.next(now), Next::WakeAt(now + 500.0));
        s.refresh_failed(Failure::Transient, now + 500.0, 1.0);
        assert_eq!(s.next(now + 500.0), Next::WakeAt(now + 2_500.0));
        // A backoff that would end after expiry: stop retrying until a wake-up or a request,
        // already before the expiry (no tight loop of attempts).
        s.refresh_failed(Failure::Transient, 59_000.0, 1.0);
        assert_eq!(s.next(59_001.0), Next::Idle);
        assert_eq!(s.next(60_000.0), Next::Idle);
        s.wake();
        assert_eq!(s.next(60_001.0), Next::Refresh);
        s.refresh_failed(Failure::InvalidGrant, 60_001.0, 0.0);
        assert_eq!(s.next(60_002.0), Next::Idle);
        assert_eq!(s.state(60_002.0).status, "signed-out");
    }

    #[test]
    fn bad_responses_and_options_are_refused_without_state_change() {
        let mut s = session(30.0);
        for bad in [
            TokenResponse {
                token_type: "mac".into(),
                ..response(60.0, 0)
            },
            TokenResponse {
                expires_in: 0.0,
                ..response(60.0, 0)
            },
            TokenResponse {
                expires_in: f64::NAN,
                ..response(60.0, 0)
            },
            TokenResponse {
                access_token: String::new(),
                ..response(60.0, 0)
            },
            TokenResponse {
                access_token: "a".repeat(crate::jws::MAX_TOKEN_LEN + 1),
                ..response(60.0, 0)
            },
        ] {
            assert_eq!(s.accept(&bad, 0.0, 0.0).unwrap_err().code(), ErrorCode::Malformed);
            assert!(!s.is_signed_in());
        }
        let long = TokenResponse {
            access_token: "a".repeat(crate::jws::MAX_TOKEN_LEN + 1),
            ..response(60.0, 0)
        };
        assert!(s.accept(&long, 0.0, 0.0).unwrap_err().message().contains("too large"));
        let longest = TokenResponse {
            access_token: "a".repeat(crate::jws::MAX_TOKEN_LEN),
            ..response(60.0, 0)
        };
        assert!(s.accept(&longest, 0.0, 0.0).is_ok(), "the limit itself is accepted");
        assert!(Session::new(&SessionOptions {
            auth_path: None,
            refresh_margin: Some(-1.0),
            channel: None
        })
        .is_err());
    }
}
