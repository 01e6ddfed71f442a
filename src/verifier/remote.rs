//! A remote JWK Set cache as a sans-I/O state machine: it says when to fetch and absorbs what
//! a fetch returned; the binding layer does the fetching.
//!
//! Rules: the set is fetched when absent or older than `cache_max_age`; a token whose `kid` is
//! not in a fresh set causes at most one refetch per `cooldown`; after a failed fetch no new
//! attempt is made for `cooldown` seconds. A failed fetch never replaces a good set.
//!
//! With discovery ([`Discovery`]), the key set's URL is the issuer metadata's `jwks_uri`: the
//! metadata is fetched before the first key set fetch and again once the key set is stale, under
//! the same cooldown after a failure; an answer is routed by the URL it was fetched from.

use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};
use crate::jose::json;
use crate::jose::jwks::KeySet;
use crate::time::Time;

use super::discovery::{Discovered, Discovery};

/// Default `cacheMaxAge`, milliseconds (as jose's).
pub const DEFAULT_CACHE_MAX_AGE: i64 = 600_000;
/// Default `cooldownDuration`, milliseconds (as jose's).
pub const DEFAULT_COOLDOWN: i64 = 30_000;
/// Default `timeoutDuration`, milliseconds (as jose's).
pub const DEFAULT_TIMEOUT: i64 = 5_000;
/// Key set responses larger than this are refused; a reader stops reading past it.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// A fetch the binding is to perform: `GET url`, redirects not followed, at most `timeout_ms`,
/// reading at most `max_bytes` + 1 bytes of a `200` body (and none of any other).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetch {
    pub url: String,
    pub max_bytes: usize,
    pub timeout_ms: i64,
}

#[derive(Clone, Debug)]
pub struct RemoteJwks {
    /// The key set's URL; with discovery, the `jwks_uri` discovered last (empty before).
    url: String,
    /// The issuer whose metadata names the key set's URL (the `discovery` option).
    discovery: Option<Discovery>,
    /// With discovery: when the metadata was last read, and whether the key set has been fetched
    /// since (a verification that fetched the metadata goes on to fetch the key set).
    discovered_at: Option<Time>,
    key_set_due: bool,
    /// Milliseconds.
    max_age: i64,
    /// Milliseconds.
    cooldown: i64,
    /// Milliseconds.
    timeout: i64,
    keys: Option<KeySet>,
    fetched_at: Time,
    /// When the last fetch started, successful or not.
    last_attempt: Option<Time>,
    last_attempt_failed: bool,
    /// Incremented whenever the key set changes (caches of verified tokens key on it).
    generation: u64,
}

fn fetch_error(message: &'static str) -> Error {
    Error::new(ErrorCode::JwksFetch, message)
}

/// `https:` only, except loopback hosts over `http:` (local development and tests).
///
/// The authority is checked as a URL parser sees it: no userinfo (`http://localhost:80@evil.example`
/// would go to evil.example), no backslashes (WHATWG parsers treat them as `/`), and for `http:`
/// the host must be exactly `127.0.0.1`, `localhost` or `[::1]`, with an optional numeric port.
pub(crate) fn check_url(url: &str) -> Result<()> {
    let invalid = || {
        Error::claim(
            ErrorCode::InvalidOptions,
            "jwksUrl",
            "option jwksUrl must be an https: URL (http: only for loopback hosts)",
        )
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return Err(invalid());
    }
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        ("http", rest)
    } else {
        return Err(invalid());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(invalid());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && (host.starts_with('[') == host.ends_with(']')) => (host, Some(port)),
        _ => (authority, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = match scheme {
        "https" => !host.is_empty(),
        _ => matches!(host, "127.0.0.1" | "localhost" | "[::1]"),
    };
    if host_ok && port_ok {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// Milliseconds from an option (already checked non-negative), whole.
fn millis(option: Option<f64>, default: i64) -> i64 {
    option.map_or(default, |ms| ms.min(i64::MAX as f64) as i64)
}

impl RemoteJwks {
    /// `max_age`, `cooldown` and `timeout`: milliseconds (`cacheMaxAge`, `cooldownDuration`,
    /// `timeoutDuration`).
    pub fn new(url: &str, max_age: Option<f64>, cooldown: Option<f64>, timeout: Option<f64>) -> Result<RemoteJwks> {
        check_url(url)?;
        Self::with(url, None, max_age, cooldown, timeout)
    }

    /// A key set found through the issuer's metadata (the `discovery` option).
    pub fn discovered(issuer: &str, max_age: Option<f64>, cooldown: Option<f64>, timeout: Option<f64>) -> Result<RemoteJwks> {
        Self::with("", Some(Discovery::new(issuer)?), max_age, cooldown, timeout)
    }

    fn with(
        url: &str,
        discovery: Option<Discovery>,
        max_age: Option<f64>,
        cooldown: Option<f64>,
        timeout: Option<f64>,
    ) -> Result<RemoteJwks> {
        let timeout = millis(timeout, DEFAULT_TIMEOUT);
        if timeout < 1 {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "timeoutDuration",
                "Verifier option timeoutDuration must be at least 1 ms",
            ));
        }
        Ok(RemoteJwks {
            url: url.to_string(),
            discovery,
            discovered_at: None,
            key_set_due: false,
            max_age: millis(max_age, DEFAULT_CACHE_MAX_AGE),
            cooldown: millis(cooldown, DEFAULT_COOLDOWN),
            timeout,
            keys: None,
            fetched_at: Time::default(),
            last_attempt: None,
            last_attempt_failed: false,
            generation: 0,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Changes whenever the key set does.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn keys(&self) -> Option<&KeySet> {
        self.keys.as_ref()
    }

    fn cooling_down(&self, now: Time) -> bool {
        self.last_attempt.is_some_and(|t| now.millis_since(t) < self.cooldown && now >= t)
    }

    /// Whether a fetch should happen before verifying at `now`. `Err` when a fetch is needed
    /// but a recent failure forbids trying again yet.
    pub fn needs_fetch(&self, now: Time) -> Result<bool> {
        let fresh = self.keys.is_some() && now.millis_since(self.fetched_at) < self.max_age && now >= self.fetched_at;
        if fresh {
            Ok(false)
        } else if self.last_attempt_failed && self.cooling_down(now) {
            Err(fetch_error("the key set could not be fetched recently; waiting for the cooldown"))
        } else {
            Ok(true)
        }
    }

    /// With discovery: whether the issuer's metadata must be fetched before verifying at `now`
    /// (never read, or as old as `cacheMaxAge`). `Err` while a failure cools down.
    pub fn needs_discovery(&self, now: Time) -> Result<bool> {
        if self.discovery.is_none() {
            return Ok(false);
        }
        let fresh = self
            .discovered_at
            .is_some_and(|at| now.millis_since(at) < self.max_age && now >= at);
        if fresh {
            Ok(false)
        } else if self.last_attempt_failed && self.cooling_down(now) {
            Err(fetch_error(
                "the issuer's metadata could not be fetched recently; waiting for the cooldown",
            ))
        } else {
            Ok(true)
        }
    }

    /// Whether the key set must be fetched although this verification fetched already: the
    /// fetch was of the metadata, which named the key set's URL.
    pub fn key_set_due(&self) -> bool {
        self.key_set_due
    }

    /// Records that a metadata fetch starts at `now`, and says what to fetch.
    pub fn begin_discovery(&mut self, now: Time) -> Fetch {
        self.last_attempt = Some(now);
        Fetch {
            url: self.discovery.as_ref().map(Discovery::url).unwrap_or_default(),
            max_bytes: MAX_RESPONSE_BYTES,
            timeout_ms: self.timeout,
        }
    }

    /// Takes the answer to a fetch of `url` (`None`: the request failed): the metadata or the key
    /// set, by the URL asked for. An answer for a URL no longer current (the metadata moved the
    /// key set meanwhile) changes nothing.
    pub fn complete(&mut self, url: &str, answer: Option<(u16, &[u8])>, now: Time) -> Result<()> {
        if let Some(discovery) = self.discovery.as_mut().filter(|d| d.is_metadata_url(url)) {
            match discovery.absorb(answer, MAX_RESPONSE_BYTES) {
                Ok(Discovered::JwksUri(jwks_uri)) => {
                    if jwks_uri != self.url {
                        // Keys from another URL are not this one's.
                        self.keys = None;
                        self.generation += 1;
                        self.url = jwks_uri;
                    }
                    self.discovered_at = Some(now);
                    self.key_set_due = true;
                    self.last_attempt_failed = false;
                    Ok(())
                }
                // Asked for at once: the 404 is not a failure that cools down.
                Ok(Discovered::TryNext) => Ok(()),
                Err(error) => {
                    self.last_attempt_failed = true;
                    Err(error)
                }
            }
        } else if url != self.url || self.url.is_empty() {
            Err(fetch_error("the answer is for a key set URL no longer in use"))
        } else {
            match answer {
                Some((status, body)) => self.complete_fetch(status, body, now),
                None => {
                    self.fail_fetch();
                    Err(fetch_error("the key set fetch failed"))
                }
            }
        }
    }

    /// Whether an unknown `kid` may trigger a refetch now (at most once per cooldown).
    pub fn may_refetch_for(&self, kid: Option<&str>, now: Time) -> bool {
        match (kid, &self.keys) {
            (Some(kid), Some(keys)) => !keys.contains_kid(kid) && !self.cooling_down(now),
            _ => false,
        }
    }

    /// Records that a fetch starts at `now`, and says what to fetch.
    pub fn begin_fetch(&mut self, now: Time) -> Fetch {
        self.last_attempt = Some(now);
        self.key_set_due = false;
        Fetch {
            url: self.url.clone(),
            max_bytes: MAX_RESPONSE_BYTES,
            timeout_ms: self.timeout,
        }
    }

    /// Records a failure that happened before a response (network error, timeout).
    pub fn fail_fetch(&mut self) {
        self.last_attempt_failed = true;
    }

    /// Absorbs a response: HTTP status and body bytes. A bad response changes nothing but the
    /// failure flag, so a good cached set survives it.
    pub fn complete_fetch(&mut self, status: u16, body: &[u8], now: Time) -> Result<()> {
        let result = (|| {
            if status != 200 {
                return Err(fetch_error("the key set URL did not answer 200"));
            }
            if body.len() > MAX_RESPONSE_BYTES {
                return Err(fetch_error("the key set response is too large"));
            }
            let set = json::parse_object(body, "").map_err(|_| fetch_error("the key set response is not a JSON object"))?;
            KeySet::from_json(&Value::Object(set))
        })();
        match result {
            Ok(keys) => {
                self.keys = Some(keys);
                self.generation += 1;
                self.fetched_at = now;
                self.last_attempt_failed = false;
                Ok(())
            }
            Err(error) => {
                self.last_attempt_failed = true;
                Err(error)
            }
        }
    }

    /// The cache as JSON text, for a worker to persist: `{ url, fetchedAt, jwks }` with
    /// `fetchedAt` in whole unix seconds and `jwks` the usable keys. (Written out by hand: nothing
    /// in the verify build serializes JSON values, which would bring float formatting along.)
    pub fn export(&self) -> String {
        let mut text = String::from("{\"url\":");
        json::push_string(&mut text, self.url.as_str());
        if let Some(discovery) = &self.discovery {
            text.push_str(",\"issuer\":");
            json::push_string(&mut text, discovery.issuer());
        }
        text.push_str(",\"fetchedAt\":");
        text.push_str(itoa::Buffer::new().format(self.fetched_at.secs()));
        text.push_str(",\"jwks\":");
        match &self.keys {
            Some(keys) => text.push_str(&keys.to_json_text()),
            None => text.push_str("null"),
        }
        text.push('}');
        text
    }

    /// Restores an exported cache (JSON text). It must be for the same URL; on any error nothing
    /// changes.
    pub fn import(&mut self, state: &str) -> Result<()> {
        let invalid = |message: &'static str| Error::claim(ErrorCode::InvalidOptions, "state", message);
        let mut state = json::parse_object(state.as_bytes(), "").map_err(|_| invalid("the imported state must be an object"))?;
        if state.keys().any(|k| !matches!(k.as_str(), "url" | "fetchedAt" | "jwks" | "issuer")) {
            return Err(invalid("the imported state has unknown members"));
        }
        let url = state.get("url").and_then(Value::as_str).unwrap_or_default().to_string();
        match &self.discovery {
            // With discovery the state says which jwks_uri the issuer's metadata named.
            Some(discovery) => {
                if state.get("issuer").and_then(Value::as_str) != Some(discovery.issuer()) {
                    return Err(invalid("the imported state is for another issuer"));
                }
                check_url(&url).map_err(|_| invalid("the imported state's url is not an https: URL"))?;
            }
            None if state.contains_key("issuer") || url != self.url => {
                return Err(invalid("the imported state is for another jwksUrl"));
            }
            None => {}
        }
        let fetched_at = state
            .get("fetchedAt")
            .and_then(Value::as_f64)
            .and_then(Time::from_secs_f64)
            .ok_or_else(|| invalid("the imported state has no valid fetchedAt"))?;
        let keys = match state.remove("jwks") {
            None | Some(Value::Null) => None,
            Some(set @ Value::Object(_)) => Some(KeySet::from_json(&set)?),
            Some(_) => return Err(invalid("the imported jwks is not a JSON object")),
        };
        self.keys = keys;
        self.fetched_at = fetched_at;
        self.generation += 1;
        if self.discovery.is_some() {
            self.url = url;
            self.discovered_at = Some(fetched_at);
            self.key_set_due = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> Time {
        Time::from_secs(seconds)
    }

    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    fn body(kid: &str) -> Vec<u8> {
        serde_json::json!({"keys":[{"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":kid}]})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn fetches_when_cold_or_stale() -> Result<()> {
        let mut remote = RemoteJwks::new("https://issuer.example/jwks", Some(600_000.0), Some(30_000.0), None)?;
        assert_eq!(remote.needs_fetch(t(1000)), Ok(true));
        let _ = remote.begin_fetch(t(1000));
        remote.complete_fetch(200, &body("a"), t(1000))?;
        assert_eq!(remote.needs_fetch(t(1599)), Ok(false));
        assert_eq!(remote.needs_fetch(t(1600)), Ok(true));
        Ok(())
    }

    #[test]
    fn unknown_kid_refetch_is_rate_limited() -> Result<()> {
        let mut remote = RemoteJwks::new("https://issuer.example/jwks", None, Some(30_000.0), None)?;
        let _ = remote.begin_fetch(t(0));
        remote.complete_fetch(200, &body("a"), t(0))?;
        assert!(!remote.may_refetch_for(Some("b"), t(10)), "within cooldown of the last fetch");
        assert!(remote.may_refetch_for(Some("b"), t(31)));
        assert!(!remote.may_refetch_for(Some("a"), t(31)), "known kid");
        assert!(!remote.may_refetch_for(None, t(31)));
        let _ = remote.begin_fetch(t(31));
        remote.complete_fetch(200, &body("b"), t(31))?;
        assert!(!remote.may_refetch_for(Some("c"), t(40)));
        Ok(())
    }

    #[test]
    fn failures_keep_the_good_set_and_cool_down() -> Result<()> {
        let mut remote = RemoteJwks::new("https://issuer.example/jwks", Some(100_000.0), Some(30_000.0), None)?;
        let _ = remote.begin_fetch(t(0));
        remote.complete_fetch(200, &body("a"), t(0))?;
        let _ = remote.begin_fetch(t(100));
        for (status, bytes) in [
            (500u16, body("x")),
            (200, b"not json".to_vec()),
            (200, b"{\"keys\":1}".to_vec()),
            (200, vec![b' '; MAX_RESPONSE_BYTES + 1]),
        ] {
            assert!(remote.complete_fetch(status, &bytes, t(100)).is_err());
            assert!(remote.keys().is_some_and(|k| k.contains_kid("a")));
        }
        assert_eq!(remote.needs_fetch(t(110)).map_err(|e| e.code()), Err(ErrorCode::JwksFetch));
        assert_eq!(remote.needs_fetch(t(131)), Ok(true));
        Ok(())
    }

    #[test]
    fn export_import_round_trip() -> Result<()> {
        let mut remote = RemoteJwks::new("https://issuer.example/jwks", None, None, None)?;
        let _ = remote.begin_fetch(t(5));
        remote.complete_fetch(200, &body("a"), t(5))?;
        let state = remote.export();
        let mut other = RemoteJwks::new("https://issuer.example/jwks", None, None, None)?;
        other.import(&state)?;
        assert_eq!(other.needs_fetch(t(6)), Ok(false));
        let mut wrong = RemoteJwks::new("https://other.example/jwks", None, None, None)?;
        assert!(wrong.import(&state).is_err());
        assert!(wrong.keys().is_none());
        // fetchedAt in whole seconds; the usable keys as their public JWKs.
        let exported: Value = serde_json::from_str(&state).map_err(|_| fetch_error("json"))?;
        assert_eq!(exported["fetchedAt"], 5);
        assert_eq!(exported["jwks"], remote.keys().map(KeySet::to_json).unwrap_or_default());
        for bad in [
            r#"{"url":"https://issuer.example/jwks","fetchedAt":5,"jwks":null,"extra":1}"#,
            r#"{"url":"https://issuer.example/jwks","fetchedAt":-5,"jwks":null}"#,
            r#"{"url":"https://issuer.example/jwks","fetchedAt":5,"jwks":[]}"#,
            r#"{"url":"https://issuer.example/jwks","fetchedAt":5,"jwks":{"keys":[],"keys":[]}}"#,
            r#"[]"#,
            r#"{"fetchedAt":5}"#,
        ] {
            let before = other.export();
            assert_eq!(other.import(bad).map_err(|e| e.code()), Err(ErrorCode::InvalidOptions), "{bad}");
            assert_eq!(other.export(), before, "a failed import changes nothing");
        }
        Ok(())
    }

    #[test]
    fn urls_must_be_https_or_loopback() {
        for ok in [
            "https://a.example/jwks",
            "https://a.example:8443/.well-known/jwks.json",
            "http://127.0.0.1:8787/jwks",
            "http://localhost/jwks",
            "http://[::1]:9/k",
        ] {
            assert!(RemoteJwks::new(ok, None, None, None).is_ok(), "{ok}");
        }
        for bad in [
            "http://a.example/jwks",
            "ftp://x",
            "https://",
            "",
            "http://localhost.evil.example/",
            "https://a b",
            "http://localhost:80@evil.example/jwks",
            "https://user@issuer.example/jwks",
            "http://127.0.0.1\\@evil.example/",
            "http://localhost:abc/",
            "http://[::1]x/",
        ] {
            assert!(RemoteJwks::new(bad, None, None, None).is_err(), "{bad}");
        }
    }
}
