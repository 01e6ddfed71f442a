//! The browser session's access-token lifetime as a sans-I/O state machine. It decides; the
//! binding performs: given what happened (a token response, an answer to a refresh, a message
//! from another tab, a response to an API request, the clock), it says what to do next (refresh
//! now or wake up later, attach which token to which request, share or adopt a token, sign out,
//! replay a request). Time (`now`) and randomness (`jitter`, in [0, 1)) are passed in.
//!
//! Expiry is local receipt time + `expires_in` — never the token's `exp` against the local
//! clock — so a wrong client clock cannot make a token look expired or valid. The difference
//! between the token's `iat` and the receipt time is only reported (`clock_offset`).
//!
//! Trust: other tabs of the origin are inside the trust boundary, but what they send is checked
//! as a token response is ([`Session::adopt`]): a message can never make this tab hold a token
//! that expires in 2058, or one with a `NaN` lifetime.

pub mod message;
pub mod plain;

pub use message::TabMessage;

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, ErrorCode, Result};
use crate::time::Time;

/// The longest access token accepted (as the verifier's limit).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;
/// A token this close to expiry (ms) is not attached: it could expire in flight.
pub const ATTACH_GUARD_MS: i64 = 2_000;
/// Token lifetimes accepted (`expires_in`), seconds.
const MAX_LIFETIME_S: f64 = 86_400.0;
const MAX_BACKOFF_MS: f64 = 30_000.0;
/// How far another tab's receipt time may lie ahead of this tab's clock (same machine).
const MAX_SHARED_SKEW_MS: i64 = 60_000;

/// `new TokenSession(options)`, as the binding read it (JS names in the comments).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionOptions {
    /// `authPath`: the authority's endpoints, a path (`/auth`) or a URL.
    pub auth_path: Option<String>,
    /// `refreshMargin`: seconds before expiry to refresh (default 30; at most a quarter of the
    /// lifetime).
    pub refresh_margin: Option<f64>,
    /// `channel`: the BroadcastChannel and Web Lock name (default `tessera`).
    pub channel: Option<String>,
    /// `apiOrigins`: origins besides the page's own that may receive the access token.
    pub api_origins: Option<Vec<String>>,
    /// `dpop`: DPoP-bound tokens (RFC 9449): every request carries a proof by the origin's key.
    pub dpop: Option<bool>,
    /// The page's origin (`location.origin`), from the binding.
    pub page_origin: String,
    /// Options that are not read as one of the above: a name that is unknown, or of the wrong
    /// type (`(name, true)` for a known name with a wrong type).
    pub rejected: Vec<(String, bool)>,
}

/// A token response from the authority (`POST {authPath}/login` or `/refresh`), its members as
/// found (`None`: absent, or of the wrong JSON type).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenResponse {
    pub access_token: Option<String>,
    pub token_type: Option<String>,
    pub expires_in: Option<f64>,
    pub scope: Option<String>,
    /// Seconds until the session's absolute expiry (Tessera's authority sends it).
    pub refresh_expires_in: Option<f64>,
}

/// What the token's own claims say, read by the binding *without verification*, for display.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Peek {
    pub subject: Option<String>,
    /// Unix seconds.
    pub iat: Option<f64>,
}

/// A token as tabs share it (same machine, same clock).
#[derive(Clone, Debug, PartialEq)]
pub struct SharedToken {
    pub access_token: String,
    pub received_at: Time,
    pub expires_at: Time,
    pub scope: String,
    pub session_expires_at: Option<Time>,
    /// With DPoP: the RFC 7638 thumbprint of the key the token is bound to (the key whose proof
    /// obtained it).
    pub jkt: Option<String>,
}

#[derive(Clone, Debug)]
struct Held {
    token: SharedToken,
    refresh_at: Time,
    peek: Peek,
}

/// What the binding must do next about refreshing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Signed out, or paused after failures: nothing to schedule.
    Idle,
    /// Refresh now.
    Refresh,
    /// Wake up at this time and ask again.
    WakeAt(Time),
}

/// The answer to a refresh request, as the binding saw it.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The request itself failed (network error).
    Failed,
    /// An HTTP status, and the token response when the body was one (`None`: not JSON, not an
    /// object).
    Status(u16, Option<TokenResponse>),
}

/// What a refresh answer means (see [`Session::refresh_answered`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A new token: share it with the other tabs; the state changed.
    Refreshed(SharedToken),
    /// The answer is about an older state (another tab's newer token arrived meanwhile, or a
    /// login): ignored.
    Superseded,
    /// The session is over in every tab (`invalid_grant`).
    SignedOut,
    /// Refused (`invalid_grant`) while signed out already, as when a new tab finds no refresh
    /// cookie: nothing to tell anyone.
    Refused,
    /// A transient failure (network, 5xx, a bad body): retried later, `failures` so far, `status`
    /// 0 for a network error.
    Failed { failures: u32, status: u16 },
}

/// What to do with a response to an API request made with a token (see
/// [`Session::api_response`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// Hand the response to the caller as it is.
    Deliver,
    /// Refresh (shared with any refresh in flight), then replay the request once.
    RefreshAndReplay,
    /// Another refresh replaced the rejected token already: replay once with the current one.
    Replay,
    /// The server asked for a DPoP nonce (`use_dpop_nonce`) and sent one: replay once with a
    /// new proof that carries it (the same token).
    ReplayWithNonce,
}

/// Whether the binding's DPoP key may be used (see [`Session::key_check`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyCheck {
    /// Use the stored key (or no key is needed: DPoP is off).
    Ready,
    /// No key and no token: there is nothing a refresh could prove; stay signed out.
    Skip,
    /// The token's key is gone (storage cleared, or replaced): the session ended here; tell the
    /// other tabs with the reason [`KEY_LOST`].
    SignedOut,
}

/// The sign-out reason when the DPoP key a session is bound to is gone.
pub const KEY_LOST: &str = "dpop_key_lost";
/// DPoP nonces remembered (one per server origin).
const MAX_NONCES: usize = 8;
/// The longest DPoP nonce kept (RFC 9449 sets no limit; ours bounds what a server makes us hold).
const MAX_NONCE_LEN: usize = 512;

/// What a message from another tab means for this one.
#[derive(Clone, Debug, PartialEq)]
pub enum Heard {
    /// Nothing to do.
    Nothing,
    /// A newer token was adopted: reschedule, and tell listeners.
    Adopted,
    /// Another tab asks for a token: answer with this one.
    Share(SharedToken),
    /// Another tab signed out: sign out here too (listeners hear `reason`).
    SignOut(String),
}

/// A DPoP nonce (RFC 9449 §8: `1*NQCHAR`), of a bounded length.
fn is_nonce(nonce: &str) -> bool {
    (1..=MAX_NONCE_LEN).contains(&nonce.len()) && nonce.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// The observable state (`session.state`).
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub status: &'static str,
    pub expires_at: Option<Time>,
    pub refresh_at: Option<Time>,
    pub received_at: Option<Time>,
    /// When the session itself ends (absolute lifetime), if the authority said.
    pub session_expires_at: Option<Time>,
    pub scope: Option<String>,
    pub subject: Option<String>,
    /// Seconds the authority's clock (token `iat`) is ahead of this one at receipt.
    pub clock_offset: Option<f64>,
    pub failures: u32,
}

/// A refresh in flight, as it started: its answer is ignored if the token changed meanwhile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(pub Option<Time>);

#[derive(Clone, Debug)]
pub struct Session {
    margin_ms: f64,
    auth_path: String,
    channel: String,
    page_origin: String,
    api_origins: Vec<String>,
    held: Option<Held>,
    failures: u32,
    retry_at: Option<Time>,
    /// The token whose rejection (`401 invalid_token`) last caused a refresh: one per token.
    refreshed_after_rejection: Option<String>,
    dpop: bool,
    /// The last DPoP nonce each server origin sent (`DPoP-Nonce`), shared across tabs.
    nonces: Vec<(String, String)>,
}

fn invalid(name: &str, problem: &str) -> Error {
    let mut message = String::from("TokenSession option ");
    message.push_str(name);
    message.push(' ');
    message.push_str(problem);
    Error::claim(ErrorCode::InvalidOptions, name, message)
}

/// `scheme://host[:port]` with nothing after it: what `URL.origin` gives.
fn is_origin(text: &str) -> bool {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !has_any(rest, b"/?#@ \\"))
}

/// Whether `text` holds any of `bytes` (ASCII). Byte loops here and below: this module is built
/// without std for the browser, and str's pattern searchers would weigh more than it does.
fn has_any(text: &str, bytes: &[u8]) -> bool {
    text.bytes().any(|b| bytes.contains(&b))
}

/// `(x + 0.5)` rounded towards zero, away from zero for negatives: `f64::round` for the
/// magnitudes here (seconds), without std's libm.
fn round(x: f64) -> f64 {
    if x >= 0.0 {
        (x + 0.5) as i64 as f64
    } else {
        -((0.5 - x) as i64 as f64)
    }
}

impl Session {
    pub fn new(options: &SessionOptions) -> Result<Session> {
        if let Some((name, wrong_type)) = options.rejected.first() {
            return Err(invalid(name, if *wrong_type { "has the wrong type" } else { "is unknown" }));
        }
        let margin = options.refresh_margin.unwrap_or(30.0);
        if !(margin.is_finite() && (0.0..=3600.0).contains(&margin)) {
            return Err(invalid("refreshMargin", "must be 0 to 3600 seconds"));
        }
        let mut auth_path = options.auth_path.as_deref().unwrap_or("/auth");
        while let Some(shorter) = auth_path.strip_suffix('/') {
            auth_path = shorter;
        }
        let absolute = auth_path.strip_prefix("https://").or_else(|| auth_path.strip_prefix("http://"));
        let path_ok = match absolute {
            Some(rest) => !rest.is_empty() && !has_any(rest, b"?#@ \\"),
            None => auth_path.is_empty() || (auth_path.starts_with('/') && !auth_path.starts_with("//") && !has_any(auth_path, b"?# \\")),
        };
        if !path_ok {
            return Err(invalid("authPath", "must be a path like /auth or an http(s) URL"));
        }
        let channel = options.channel.clone().unwrap_or_else(|| "tessera".into());
        if channel.is_empty() || channel.len() > 200 {
            return Err(invalid("channel", "must be a name of 1 to 200 characters"));
        }
        let api_origins = options.api_origins.clone().unwrap_or_default();
        if api_origins.iter().any(|o| !is_origin(o)) {
            return Err(invalid("apiOrigins", "must list origins like https://api.example"));
        }
        Ok(Session {
            margin_ms: margin * 1000.0,
            auth_path: String::from(auth_path),
            channel,
            page_origin: options.page_origin.clone(),
            api_origins,
            held: None,
            failures: 0,
            retry_at: None,
            refreshed_after_rejection: None,
            dpop: options.dpop.unwrap_or(false),
            nonces: Vec::new(),
        })
    }

    /// `{authPath}/{endpoint}`: the URL of a handshake endpoint (`login`, `refresh`, `logout`).
    pub fn endpoint(&self, endpoint: &str) -> String {
        let mut url = self.auth_path.clone();
        url.push('/');
        url.push_str(endpoint);
        url
    }

    /// The BroadcastChannel name.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// The Web Lock name: one refresh at a time across the origin's tabs.
    pub fn lock_name(&self) -> String {
        let mut name = self.channel.clone();
        name.push_str(":refresh");
        name
    }

    /// Whether requests carry DPoP proofs (`Authorization: DPoP`).
    pub fn dpop(&self) -> bool {
        self.dpop
    }

    /// The `Authorization` scheme of the tokens this session holds.
    pub fn scheme(&self) -> &'static str {
        if self.dpop {
            "DPoP"
        } else {
            "Bearer"
        }
    }

    /// Takes a token response received at `now` (login, `accept`, or a refresh the binding did
    /// not start through [`Session::refresh_answered`]); `jkt`: with DPoP, the thumbprint of the
    /// key whose proof obtained it.
    pub fn accept(&mut self, response: &TokenResponse, peek: Peek, jkt: Option<&str>, now: Time, jitter: f64) -> Result<SharedToken> {
        let shared = self.token_of(response, jkt, now)?;
        self.hold(shared.clone(), peek, jitter);
        Ok(shared)
    }

    /// Takes a token another tab shared, if it is well-formed (the checks of [`Session::accept`]
    /// on the lifetime, and a receipt time this machine's clock could have given) and newer than
    /// the one held. `false`: ignored.
    pub fn adopt(&mut self, token: SharedToken, peek: Peek, now: Time, jitter: f64) -> bool {
        let lifetime = token.expires_at.millis_since(token.received_at);
        let plausible = !token.access_token.is_empty()
            && token.access_token.len() <= MAX_TOKEN_LEN
            && token.scope.len() <= MAX_TOKEN_LEN
            && (1_000..=(MAX_LIFETIME_S as i64) * 1000).contains(&lifetime)
            && token.received_at.millis_since(now) <= MAX_SHARED_SKEW_MS
            && token.expires_at > now
            && token.session_expires_at.is_none_or(|s| s >= token.received_at)
            && token.jkt.is_some() == self.dpop;
        if !plausible || self.held.as_ref().is_some_and(|h| h.token.expires_at >= token.expires_at) {
            return false;
        }
        self.hold(token, peek, jitter);
        true
    }

    fn hold(&mut self, token: SharedToken, peek: Peek, jitter: f64) {
        let lifetime = token.expires_at.millis_since(token.received_at) as f64;
        // Refresh `margin` before expiry, but never more than a quarter of the lifetime ahead
        // (short tokens), minus up to 10% of that lead as jitter so tabs spread out.
        let lead = self.margin_ms.min(lifetime / 4.0);
        // A jitter that is not a number (a binding's mistake) adds nothing.
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        let lead = lead + lead * 0.1 * jitter;
        let refresh_at = token.expires_at.plus_millis(-(lead as i64));
        self.held = Some(Held { token, refresh_at, peek });
        self.failures = 0;
        self.retry_at = None;
    }

    /// What was read from the held token (for sharing it with its own subject and `iat`).
    pub fn held_peek(&self) -> Option<&Peek> {
        self.held.as_ref().map(|held| &held.peek)
    }

    /// What to do at `now`.
    pub fn next(&self, now: Time) -> Next {
        let Some(held) = &self.held else { return Next::Idle };
        // After failures whose backoff would outlast the token: no more timed attempts (no tight
        // loop); a wake-up event or a request that needs a token tries again.
        if self.failures > 0 && self.retry_at.is_none() {
            return Next::Idle;
        }
        let due = self.retry_at.unwrap_or(held.refresh_at);
        if now >= due {
            Next::Refresh
        } else {
            Next::WakeAt(due)
        }
    }

    /// Whether a token may go to `origin` (an API request's `URL.origin`): the page's own, and
    /// those in `apiOrigins`. A token never goes anywhere else, whatever URL the app fetches.
    pub fn may_send_to(&self, origin: &str) -> bool {
        origin == self.page_origin || self.api_origins.iter().any(|o| o == origin)
    }

    /// The access token to attach at `now` to a request for `origin`, if one is allowed there
    /// and valid with a safety margin.
    pub fn token_for(&self, origin: &str, now: Time) -> Option<&str> {
        self.may_send_to(origin).then(|| self.token(now)).flatten()
    }

    /// The held access token, if valid at `now` with a safety margin.
    pub fn token(&self, now: Time) -> Option<&str> {
        self.held
            .as_ref()
            .filter(|h| now.plus_millis(ATTACH_GUARD_MS) < h.token.expires_at)
            .map(|h| h.token.access_token.as_str())
    }

    /// Whether a request for `origin` at `now` needs a refresh before a token can be attached:
    /// the token may go there, and the session holds one that is at or past its guard.
    pub fn needs_refresh_to_send(&self, origin: &str, now: Time) -> bool {
        self.may_send_to(origin) && self.held.is_some() && self.token(now).is_none()
    }

    /// The thumbprint of the DPoP key the held token is bound to.
    pub fn held_jkt(&self) -> Option<&str> {
        self.held.as_ref().and_then(|h| h.token.jkt.as_deref())
    }

    /// Before a refresh (or before using a key that does not match the held token's), the
    /// binding reads the origin's stored DPoP key and reports its thumbprint (`None`: no key).
    /// A held token whose key is gone ends the session — never a silent fallback to Bearer.
    pub fn key_check(&mut self, stored: Option<&str>) -> KeyCheck {
        if !self.dpop {
            return KeyCheck::Ready;
        }
        match self.held_jkt() {
            Some(bound) if stored == Some(bound) => KeyCheck::Ready,
            Some(_) => {
                self.sign_out();
                KeyCheck::SignedOut
            }
            // (A DPoP session never holds a token without its key's thumbprint: `token_of`
            // and `adopt` refuse one.)
            None if stored.is_some() => KeyCheck::Ready,
            None => KeyCheck::Skip,
        }
    }

    /// A `DPoP-Nonce` header from `origin` (the authority's or an API's): kept if it is a
    /// well-formed nonce for an origin tokens may go to; `true` when it is new (share it with the
    /// other tabs: [`TabMessage::Nonce`]).
    pub fn nonce_seen(&mut self, origin: &str, nonce: &str) -> bool {
        if !self.dpop || !is_nonce(nonce) || !(self.may_send_to(origin) || self.is_auth_origin(origin)) {
            return false;
        }
        if self.nonce_for(origin) == Some(nonce) {
            return false;
        }
        // Bounded: past MAX_NONCES origins, start over (a forgotten nonce costs one round trip).
        self.nonces.retain(|(o, _)| o != origin);
        if self.nonces.len() >= MAX_NONCES {
            self.nonces.clear();
        }
        self.nonces.push((String::from(origin), String::from(nonce)));
        true
    }

    /// The DPoP nonce to put in a proof for `origin`, if the server sent one.
    pub fn nonce_for(&self, origin: &str) -> Option<&str> {
        self.nonces.iter().find(|(o, _)| o == origin).map(|(_, n)| n.as_str())
    }

    /// Whether the authority's answer asks for the request to be made again with a nonce: a
    /// `400` with `error` `use_dpop_nonce` (RFC 9449 §8), once a new nonce was seen for it.
    pub fn retry_with_nonce(&self, status: u16, error: Option<&str>, new_nonce: bool) -> bool {
        self.dpop && status == 400 && error == Some("use_dpop_nonce") && new_nonce
    }

    /// A proof's `iat` (Unix seconds) at `now`: the local clock moved by the offset to the
    /// authority's clock measured from the last token, so that a wrong client clock does not
    /// make every proof stale.
    pub fn proof_iat(&self, now: Time) -> f64 {
        let offset = self.held.as_ref().and_then(clock_offset).filter(|o| o.abs() <= 86_400.0);
        (now.secs_f64() + offset.unwrap_or(0.0)) as i64 as f64
    }

    /// Whether `origin` is the authority's (`authPath` as a URL, else the page's).
    fn is_auth_origin(&self, origin: &str) -> bool {
        // `authPath` was checked in `new`: a path, or `http(s)://host[:port][/path]`.
        let path = self.auth_path.as_bytes();
        match path.iter().position(|&b| b == b':') {
            Some(colon) if path.get(colon + 1..colon + 3) == Some(b"//") => {
                let host_end = path
                    .iter()
                    .skip(colon + 3)
                    .position(|&b| b == b'/')
                    .map_or(path.len(), |i| colon + 3 + i);
                path.get(..host_end) == Some(origin.as_bytes())
            }
            _ => origin == self.page_origin,
        }
    }

    /// A refresh starts at `now` (this tab holds the lock).
    pub fn refresh_started(&self) -> Ticket {
        Ticket(self.held.as_ref().map(|h| h.token.received_at))
    }

    /// Whether the refresh requested at `requested` is still needed once this tab holds the
    /// lock: not if another tab refreshed meanwhile (its token was shared and adopted).
    pub fn still_needed(&self, requested: Time) -> bool {
        self.held.as_ref().is_none_or(|h| h.token.received_at < requested)
    }

    /// Classifies the answer to the refresh started with `ticket`, at `now` (`jkt`: with DPoP,
    /// the thumbprint of the key whose proof the refresh carried).
    pub fn refresh_answered(&mut self, ticket: Ticket, answer: Answer, peek: Peek, jkt: Option<&str>, now: Time, jitter: f64) -> Outcome {
        // An answer about an older state of the session (a 401 that raced a login, or another
        // tab's newer token) must not override a newer token.
        if self.refresh_started() != ticket {
            return Outcome::Superseded;
        }
        let status = match &answer {
            Answer::Failed => 0,
            Answer::Status(status, _) => *status,
        };
        match answer {
            Answer::Status(200, Some(response)) => {
                if let Ok(shared) = self.token_of(&response, jkt, now) {
                    self.hold(shared.clone(), peek, jitter);
                    return Outcome::Refreshed(shared);
                }
            }
            // The authority's only 401 on refresh is invalid_grant: the session is over.
            Answer::Status(401, _) if self.held.is_none() => return Outcome::Refused,
            Answer::Status(401, _) => {
                self.sign_out();
                return Outcome::SignedOut;
            }
            _ => {}
        }
        self.refresh_failed(now, jitter);
        Outcome::Failed {
            failures: self.failures,
            status,
        }
    }

    /// A transient failure at `now`: retried with exponential backoff and jitter while the
    /// current token is still valid.
    fn refresh_failed(&mut self, now: Time, jitter: f64) {
        self.failures = self.failures.saturating_add(1);
        let backoff = (1000.0 * f64::from(1u32 << (self.failures.clamp(1, 10) - 1))).min(MAX_BACKOFF_MS);
        let at = now.plus_millis((backoff * (0.5 + 0.5 * jitter.clamp(0.0, 1.0))) as i64);
        let valid_until = self.held.as_ref().map(|h| h.token.expires_at);
        self.retry_at = valid_until.filter(|until| at < *until).map(|_| at);
    }

    /// What to do with the response to an API request sent to `origin` with the token `sent`
    /// (`None`: sent without one), given its status and `WWW-Authenticate` header.
    ///
    /// Only a `401` with a challenge of the session's scheme (`Bearer`, or `DPoP`) saying
    /// `error="invalid_token"` (RFC 6750 §3.1, RFC 9449 §7.1), from an origin the token may go
    /// to, refreshes — and at most once per token: a server that rejects every token makes one
    /// refresh, not one per request. With DPoP, a `401` saying `error="use_dpop_nonce"` replays
    /// once with the nonce if the response brought a new one (`new_nonce`, from
    /// [`Session::nonce_seen`]).
    pub fn api_response(
        &mut self,
        origin: &str,
        sent: Option<&str>,
        status: u16,
        challenge: Option<&str>,
        new_nonce: bool,
        now: Time,
    ) -> Reaction {
        let Some(sent) = sent else { return Reaction::Deliver };
        if status != 401 || !self.may_send_to(origin) {
            return Reaction::Deliver;
        }
        let scheme = self.scheme().as_bytes();
        let says = |error: &[u8]| challenge.is_some_and(|c| challenge_error(c, scheme, error));
        if self.dpop && new_nonce && says(b"use_dpop_nonce") {
            return Reaction::ReplayWithNonce;
        }
        if !says(b"invalid_token") {
            return Reaction::Deliver;
        }
        match self.token(now) {
            // Replaced since the request went out: replay with the new token.
            Some(current) if current != sent => Reaction::Replay,
            Some(_) if self.refreshed_after_rejection.as_deref() != Some(sent) => {
                self.refreshed_after_rejection = Some(String::from(sent));
                Reaction::RefreshAndReplay
            }
            _ => Reaction::Deliver,
        }
    }

    /// What a message from another tab means. Tokens are checked by [`Session::adopt`].
    pub fn heard(&mut self, message: TabMessage, now: Time, jitter: f64) -> Heard {
        match message {
            TabMessage::Token(token, peek) => {
                if self.adopt(token, peek, now, jitter) {
                    Heard::Adopted
                } else {
                    Heard::Nothing
                }
            }
            TabMessage::Hello => match (self.token(now), &self.held) {
                (Some(_), Some(held)) => Heard::Share(held.token.clone()),
                _ => Heard::Nothing,
            },
            TabMessage::Logout(reason) if self.is_signed_in() => {
                self.sign_out();
                Heard::SignOut(reason)
            }
            TabMessage::Logout(_) => Heard::Nothing,
            TabMessage::Nonce(origin, nonce) => {
                self.nonce_seen(&origin, &nonce);
                Heard::Nothing
            }
        }
    }

    /// A wake-up event (visible again, online, focus): retry at once if attempts were paused.
    pub fn wake(&mut self, now: Time) {
        if self.held.is_some() && self.failures > 0 {
            self.retry_at = Some(now);
        }
    }

    pub fn sign_out(&mut self) {
        self.held = None;
        self.failures = 0;
        self.retry_at = None;
        self.refreshed_after_rejection = None;
        self.nonces.clear();
    }

    pub fn is_signed_in(&self) -> bool {
        self.held.is_some()
    }

    /// The held token, to share with another tab.
    pub fn shared(&self) -> Option<&SharedToken> {
        self.held.as_ref().map(|h| &h.token)
    }

    pub fn state(&self, now: Time) -> State {
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
                subject: h.peek.subject.clone(),
                clock_offset: clock_offset(h),
                failures: self.failures,
            },
        }
    }
}

/// Seconds the authority's clock (the token's `iat`) was ahead of this one at receipt.
fn clock_offset(held: &Held) -> Option<f64> {
    held.peek
        .iat
        .filter(|iat| iat.is_finite())
        .map(|iat| round(iat - held.token.received_at.secs_f64()))
}

impl Session {
    /// A checked token response received at `now`: a Bearer token, or with DPoP a DPoP token
    /// (RFC 9449 §5: a Bearer answer to a proof is refused, never used as Bearer) and the
    /// thumbprint of the key that obtained it.
    fn token_of(&self, response: &TokenResponse, jkt: Option<&str>, now: Time) -> Result<SharedToken> {
        let token_type = response.token_type.as_deref().unwrap_or_default();
        if !token_type.eq_ignore_ascii_case(self.scheme()) {
            return Err(Error::malformed(if self.dpop {
                "the token response is not a DPoP token"
            } else {
                "the token response is not a Bearer token"
            }));
        }
        let jkt = match (self.dpop, jkt) {
            (false, _) => None,
            (true, Some(jkt)) if !jkt.is_empty() && jkt.len() <= 128 => Some(String::from(jkt)),
            (true, _) => {
                return Err(Error::new(
                    ErrorCode::DpopBinding,
                    "a DPoP token response needs the key that obtained it",
                ))
            }
        };
        token_of(response, jkt, now)
    }
}

/// A checked token response received at `now`.
fn token_of(response: &TokenResponse, jkt: Option<String>, now: Time) -> Result<SharedToken> {
    let expires_in = response.expires_in.unwrap_or(f64::NAN);
    if !(expires_in.is_finite() && (1.0..=MAX_LIFETIME_S).contains(&expires_in)) {
        return Err(Error::malformed("the token response has no usable expires_in"));
    }
    let access_token = response.access_token.as_deref().unwrap_or_default();
    if access_token.is_empty() {
        return Err(Error::malformed("the token response has no usable access_token"));
    }
    if access_token.len() > MAX_TOKEN_LEN {
        return Err(Error::malformed("the token response's access_token is too large"));
    }
    let scope = response.scope.clone().unwrap_or_default();
    if scope.len() > MAX_TOKEN_LEN {
        return Err(Error::malformed("the token response's scope is too large"));
    }
    Ok(SharedToken {
        access_token: String::from(access_token),
        received_at: now,
        expires_at: now.plus_millis((expires_in * 1000.0) as i64),
        scope,
        session_expires_at: response
            .refresh_expires_in
            .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 10.0 * 365.0 * 86_400.0)
            .map(|s| now.plus_millis((s * 1000.0) as i64)),
        jkt,
    })
}

/// Whether a `WWW-Authenticate` value holds a Bearer challenge with `error="invalid_token"`
/// (RFC 6750 §3), read by the RFC 9110 §11.6.1 grammar: a list of challenges, each a scheme
/// (case-insensitive) with a token68 or comma-separated `name = value` parameters, values a token
/// or a quoted-string (commas and `\`-escapes inside it are part of the value). A value outside
/// the grammar never reads as `true` on the strength of text the grammar would not reach, and an
/// unterminated quoted-string is `false`.
pub fn is_invalid_token(challenge: &str) -> bool {
    challenge_error(challenge, b"bearer", b"invalid_token")
}

/// Whether a `WWW-Authenticate` value holds a challenge of `scheme` (case-insensitive) whose
/// `error` parameter is `error`, by the grammar described at [`is_invalid_token`].
pub fn challenge_error(challenge: &str, scheme: &[u8], wanted: &[u8]) -> bool {
    let s = challenge.as_bytes();
    let at = |i: usize| s.get(i).copied();
    let skip = |mut i: usize, class: fn(u8) -> bool| {
        while at(i).is_some_and(class) {
            i += 1;
        }
        i
    };
    let blank = |b: u8| b == b' ' || b == b'\t';
    let mut i = 0;
    let mut bearer = false;
    // Inside a challenge (after its scheme, before the next comma): a bare word is its token68,
    // never another scheme (a new challenge starts only after a comma).
    let mut in_challenge = false;
    loop {
        let from = i;
        i = skip(i, |b| b == b' ' || b == b'\t' || b == b',');
        if s.get(from..i).is_some_and(|gap| gap.contains(&b',')) {
            in_challenge = false;
        }
        // A token (and the token68 characters, so that `Basic a/b==` is read as one word).
        let start = i;
        i = skip(i, |b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/".contains(&b));
        let Some(name) = s.get(start..i).filter(|n| !n.is_empty()) else {
            return false; // the end, or nothing the grammar allows here
        };
        let j = skip(i, blank);
        if at(j) != Some(b'=') {
            // A bare word: a challenge's scheme, or inside one its token68.
            if !in_challenge {
                bearer = name.eq_ignore_ascii_case(scheme);
                in_challenge = true;
            }
            continue;
        }
        let value_start = skip(j + 1, blank);
        let is_error = bearer && name.eq_ignore_ascii_case(b"error");
        if at(value_start) == Some(b'"') {
            // A quoted-string, compared as it reads (quoted-pairs unescaped).
            let mut k = value_start + 1;
            let mut read = 0; // bytes of the value read so far
            let mut same = true;
            loop {
                let byte = match at(k) {
                    None => return false,
                    Some(b'"') => break,
                    Some(b'\\') => {
                        k += 1;
                        match at(k) {
                            Some(escaped) => escaped,
                            None => return false,
                        }
                    }
                    Some(byte) => byte,
                };
                same = same && wanted.get(read) == Some(&byte);
                read += 1;
                k += 1;
            }
            if is_error && same && read == wanted.len() {
                return true;
            }
            i = k + 1;
        } else {
            let end = skip(value_start, |b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if end == value_start {
                // No value: the `=` padding of a token68 (`abc==`).
                i = skip(j, |b| b == b'=');
                continue;
            }
            if is_error && s.get(value_start..end) == Some(wanted) {
                return true;
            }
            i = end;
        }
    }
}

#[cfg(test)]
mod tests;
