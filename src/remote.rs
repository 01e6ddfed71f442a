//! A remote JWK Set cache as a sans-I/O state machine: it says when to fetch and absorbs what
//! a fetch returned; the binding layer does the fetching.
//!
//! Rules: the set is fetched when absent or older than `cache_max_age`; a token whose `kid` is
//! not in a fresh set causes at most one refetch per `cooldown`; after a failed fetch no new
//! attempt is made for `cooldown` seconds. A failed fetch never replaces a good set.

use serde_json::{json, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::json;
use crate::jwks::KeySet;

pub const DEFAULT_CACHE_MAX_AGE: f64 = 600.0;
pub const DEFAULT_COOLDOWN: f64 = 30.0;
/// Key set responses larger than this are refused.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub struct RemoteJwks {
    url: String,
    max_age: f64,
    cooldown: f64,
    keys: Option<KeySet>,
    fetched_at: f64,
    /// When the last fetch started, successful or not.
    last_attempt: Option<f64>,
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
fn check_url(url: &str) -> Result<()> {
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

impl RemoteJwks {
    pub fn new(url: &str, max_age: Option<f64>, cooldown: Option<f64>) -> Result<RemoteJwks> {
        check_url(url)?;
        Ok(RemoteJwks {
            url: url.to_string(),
            max_age: max_age.unwrap_or(DEFAULT_CACHE_MAX_AGE),
            cooldown: cooldown.unwrap_or(DEFAULT_COOLDOWN),
            keys: None,
            fetched_at: 0.0,
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

    fn cooling_down(&self, now: f64) -> bool {
        self.last_attempt.is_some_and(|t| now - t < self.cooldown && now >= t)
    }

    /// Whether a fetch should happen before verifying at `now`. `Err` when a fetch is needed
    /// but a recent failure forbids trying again yet.
    pub fn needs_fetch(&self, now: f64) -> Result<bool> {
        let fresh = self.keys.is_some() && now - self.fetched_at < self.max_age && now >= self.fetched_at;
        if fresh {
            Ok(false)
        } else if self.last_attempt_failed && self.cooling_down(now) {
            Err(fetch_error("the key set could not be fetched recently; waiting for the cooldown"))
        } else {
            Ok(true)
        }
    }

    /// Whether an unknown `kid` may trigger a refetch now (at most once per cooldown).
    pub fn may_refetch_for(&self, kid: Option<&str>, now: f64) -> bool {
        match (kid, &self.keys) {
            (Some(kid), Some(keys)) => !keys.contains_kid(kid) && !self.cooling_down(now),
            _ => false,
        }
    }

    /// Records that a fetch starts at `now`.
    pub fn begin_fetch(&mut self, now: f64) {
        self.last_attempt = Some(now);
    }

    /// Records a failure that happened before a response (network error, timeout).
    pub fn fail_fetch(&mut self) {
        self.last_attempt_failed = true;
    }

    /// Absorbs a response: HTTP status and body bytes. A bad response changes nothing but the
    /// failure flag, so a good cached set survives it.
    pub fn complete_fetch(&mut self, status: u16, body: &[u8], now: f64) -> Result<()> {
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

    /// The cache as JSON, for a worker to persist: `{ url, fetchedAt, jwks }`.
    pub fn export(&self) -> Value {
        json!({
            "url": self.url,
            "fetchedAt": self.fetched_at,
            "jwks": self.keys.as_ref().map(KeySet::to_json),
        })
    }

    /// Restores an exported cache. It must be for the same URL; on any error nothing changes.
    pub fn import(&mut self, state: &Value) -> Result<()> {
        let invalid = |message: &'static str| Error::claim(ErrorCode::InvalidOptions, "state", message);
        let Some(state) = state.as_object() else {
            return Err(invalid("the imported state must be an object"));
        };
        if state.keys().any(|k| !matches!(k.as_str(), "url" | "fetchedAt" | "jwks")) {
            return Err(invalid("the imported state has unknown members"));
        }
        if state.get("url").and_then(Value::as_str) != Some(self.url.as_str()) {
            return Err(invalid("the imported state is for another jwksUrl"));
        }
        let fetched_at = state
            .get("fetchedAt")
            .and_then(Value::as_f64)
            .filter(|t| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| invalid("the imported state has no valid fetchedAt"))?;
        let keys = match state.get("jwks") {
            None | Some(Value::Null) => None,
            Some(set) => Some(KeySet::from_json(set)?),
        };
        self.keys = keys;
        self.fetched_at = fetched_at;
        self.generation += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    fn body(kid: &str) -> Vec<u8> {
        json!({"keys":[{"kty":"EC","crv":"P-256","x":X,"y":Y,"kid":kid}]})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn fetches_when_cold_or_stale() -> Result<()> {
        let mut remote = RemoteJwks::new("https://issuer.example/jwks", Some(600.0), Some(30.0))?;
        assert_eq!(remote.needs_fetch(1000.0), Ok(true));
        remote.begin_fetch(1000.0);
        remote.complete_fetch(200, &body("a"), 1000.0)?;
        assert_eq!(remote.needs_fetch(1599.0), Ok(false));
        assert_eq!(remote.needs_fetch(1600.0), Ok(true));
        Ok(())
    }

    #[test]
    fn unknown_kid_refetch_is_rate_limited() -> Result<()> {
        let mut remote = RemoteJwks::new("https://issuer.example/jwks", None, Some(30.0))?;
        remote.begin_fetch(0.0);
        remote.complete_fetch(200, &body("a"), 0.0)?;
        assert!(!remote.may_refetch_for(Some("b"), 10.0), "within cooldown of the last fetch");
        assert!(remote.may_refetch_for(Some("b"), 31.0));
        assert!(!remote.may_refetch_for(Some("a"), 31.0), "known kid");
        assert!(!remote.may_refetch_for(None, 31.0));
        remote.begin_fetch(31.0);
        remote.complete_fetch(200, &body("b"), 31.0)?;
        assert!(!remote.may_refetch_for(Some("c"), 40.0));
        Ok(())
    }

    #[test]
    fn failures_keep_the_good_set_and_cool_down() -> Result<()> {
        let mut remote = RemoteJwks::new("https://issuer.example/jwks", Some(100.0), Some(30.0))?;
        remote.begin_fetch(0.0);
        remote.complete_fetch(200, &body("a"), 0.0)?;
        remote.begin_fetch(100.0);
        for (status, bytes) in [
            (500u16, body("x")),
            (200, b"not json".to_vec()),
            (200, b"{\"keys\":1}".to_vec()),
            (200, vec![b' '; MAX_RESPONSE_BYTES + 1]),
        ] {
            assert!(remote.complete_fetch(status, &bytes, 100.0).is_err());
            assert!(remote.keys().is_some_and(|k| k.contains_kid("a")));
        }
        assert_eq!(remote.needs_fetch(110.0).map_err(|e| e.code()), Err(ErrorCode::JwksFetch));
        assert_eq!(remote.needs_fetch(131.0), Ok(true));
        Ok(())
    }

    #[test]
    fn export_import_round_trip() -> Result<()> {
        let mut remote = RemoteJwks::new("https://issuer.example/jwks", None, None)?;
        remote.begin_fetch(5.0);
        remote.complete_fetch(200, &body("a"), 5.0)?;
        let state = remote.export();
        let mut other = RemoteJwks::new("https://issuer.example/jwks", None, None)?;
        other.import(&state)?;
        assert_eq!(other.needs_fetch(6.0), Ok(false));
        let mut wrong = RemoteJwks::new("https://other.example/jwks", None, None)?;
        assert!(wrong.import(&state).is_err());
        assert!(wrong.keys().is_none());
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
            assert!(RemoteJwks::new(ok, None, None).is_ok(), "{ok}");
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
            assert!(RemoteJwks::new(bad, None, None).is_err(), "{bad}");
        }
    }
}
