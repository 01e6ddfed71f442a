//! The request JSON text the binding makes of an HTTP request (`{ method, url, origin, csrf,
//! cookie, bodyLength }`): `Request::parse`, then what the binding's `handle` and `login` do
//! with it — `Authority::route`, and the handshake's `refresh`, `logout` and `login` over a
//! memory store holding one live session (logged in at the fixed clock).
//!
//! To reach the paths behind the cookie, `$RT` in the input stands for that session's real
//! refresh token and `$OLD` for its predecessor (already rotated, outside the grace window at
//! the second clock).
//!
//! Beyond "no panic":
//! * a refused text is `ERR_MALFORMED` with one fixed message and no claim (it repeats nothing);
//! * an accepted request round-trips through its JSON and agrees with serde_json's reading;
//! * `route`: `jwks` only for `GET /.well-known/jwks.json`, `refresh`/`logout` only under the
//!   cookie path;
//! * every answer is 200, 400, 401 or 403 (a memory store is never unavailable); a 200 to
//!   refresh, logout or login only for a `POST` with `Tessera-Request: 1`, an allowed `Origin`
//!   and a body within 16 KiB; a 200 to refresh only for the current token (and then a new
//!   refresh token in the cookie and an access token the authority verifies); 403 only for a
//!   missing header or a foreign origin; no `Set-Cookie` on a refused refresh without a cookie;
//! * no log line repeats a refresh token.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tessera::authority::handshake::{self, Host, Level};
use tessera::authority::store::{MemoryStore, Store};
use tessera::authority::{Authority, AuthorityOptions, LoginOptions, Request, Response, Route, MAX_BODY_BYTES};
use tessera::{ErrorCode, Time};

#[path = "../common/mod.rs"]
mod common;

/// A host that keeps the log lines.
#[derive(Default)]
struct Lines(RefCell<Vec<String>>);

impl Host for Lines {
    fn log(&self, _: Level, line: &str) {
        self.0.borrow_mut().push(line.to_string());
    }
}

fn authority() -> &'static Authority {
    thread_local! {
        static AUTHORITY: &'static Authority = {
            let options = AuthorityOptions::from_json(common::authority_options()).unwrap_or_else(|e| panic!("fixture options: {e}"));
            Box::leak(Box::new(Authority::new(&options).unwrap_or_else(|e| panic!("fixture authority: {e}"))))
        };
    }
    AUTHORITY.with(|a| *a)
}

fn login_options() -> LoginOptions {
    LoginOptions::from_json(json!({ "sub": "user-1", "scope": "read" })).unwrap_or_else(|e| panic!("fixture login: {e}"))
}

fn good_request(path: &str, cookie: Option<&str>) -> Request {
    Request {
        method: "POST".into(),
        url: format!("https://app.example/auth/{path}"),
        origin: Some(common::ORIGIN.into()),
        csrf: Some("1".into()),
        cookie: cookie.map(str::to_string),
        body_length: Some(0),
    }
}

/// The refresh token a response sets, if any.
fn set_token(response: &Response, name: &str) -> Option<String> {
    let (_, value) = response.headers.iter().find(|(h, _)| *h == "set-cookie")?;
    let value = value.strip_prefix(name)?.strip_prefix('=')?;
    let token = value.split(';').next()?;
    (!token.is_empty()).then(|| token.to_string())
}

/// What every check of the request must allow before a 200.
fn allowed(request: &Request) -> bool {
    request.method == "POST"
        && request.body_length.is_none_or(|n| n <= MAX_BODY_BYTES)
        && request.csrf.as_deref() == Some("1")
        && request.origin.as_deref() == Some(common::ORIGIN)
}

fn check_status(response: &Response, request: &Request, what: &str) {
    assert!(matches!(response.status, 200 | 400 | 401 | 403), "{what}: status {}", response.status);
    if response.status == 200 {
        assert!(allowed(request), "{what}: 200 for a request that fails the CSRF or size checks: {request:?}");
    }
    if response.status == 403 {
        assert!(request.method == "POST" && !allowed(request), "{what}: 403 for {request:?}");
    }
}

/// A store that forwards to a [`MemoryStore`] and keeps its successful writes, so the state
/// after the fixture's login and rotation can be replayed into a fresh memory store per input.
#[derive(Default)]
struct Recording {
    inner: RefCell<MemoryStore>,
    puts: RefCell<Vec<(String, Value, i64, Time)>>,
}

impl Store for Recording {
    async fn get(&self, key: &str, now: Time) -> tessera::Result<Option<Value>> {
        Ok(self.inner.borrow_mut().get(key, now))
    }

    async fn put(&self, key: &str, value: Value, expected: Option<u64>, ttl: i64, now: Time) -> tessera::Result<bool> {
        let written = self.inner.borrow_mut().put(key, value.clone(), expected, ttl, now);
        if written {
            self.puts.borrow_mut().retain(|(k, ..)| k != key);
            self.puts.borrow_mut().push((key.to_string(), value, ttl, now));
        }
        Ok(written)
    }
}

/// The fixture session: its store records, the first refresh token (rotated) and the current one.
struct Fixture {
    records: Vec<(String, Value, i64, Time)>,
    old: String,
    rt: String,
}

fn fixture() -> &'static Fixture {
    thread_local! {
        static FIXTURE: &'static Fixture = {
            let authority = authority();
            let name = &authority.cookie_name;
            let store = Recording::default();
            let t0 = common::now();
            let login = common::ready(handshake::login(authority, &store, &good_request("login", None), &login_options(), t0, &()));
            let Some(old) = set_token(&login, name) else { panic!("fixture login: {login:?}") };
            let cookie = format!("{name}={old}");
            let rotated = common::ready(handshake::refresh(authority, &store, &good_request("refresh", Some(&cookie)), t0.plus_secs(60), &()));
            let Some(rt) = set_token(&rotated, name) else { panic!("fixture refresh: {rotated:?}") };
            Box::leak(Box::new(Fixture { records: store.puts.into_inner(), old, rt }))
        };
    }
    FIXTURE.with(|f| *f)
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let authority = authority();
    let name = authority.cookie_name.clone();
    let Fixture { records, old, rt } = fixture();
    // Past the grace window of the rotation at now + 60 s.
    let later = common::now().plus_secs(120);
    let store = RefCell::new(MemoryStore::new());
    for (key, value, ttl, at) in records {
        assert!(store.borrow_mut().put(key, value.clone(), None, *ttl, *at), "replaying the fixture's store");
    }
    let host = Lines::default();

    let text = input.replace("$RT", rt).replace("$OLD", old);
    let request = match Request::parse(&text) {
        Ok(request) => request,
        Err(e) => {
            assert_eq!((e.code(), e.message(), e.claim_name()), (ErrorCode::Malformed, "the request could not be read", None));
            let response = authority.error_response(&e);
            assert_eq!(response.status, 400);
            return;
        }
    };

    // The same request as serde_json reads the text, and again from its own JSON.
    let value = serde_json::from_str::<Value>(&text).unwrap_or(Value::Null);
    let string = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_string);
    assert_eq!(request.method, string("method").unwrap_or_default());
    assert_eq!(request.url, string("url").unwrap_or_default());
    assert_eq!((&request.origin, &request.csrf, &request.cookie), (&string("origin"), &string("csrf"), &string("cookie")));
    let again = json!({
        "method": request.method, "url": request.url, "origin": request.origin, "csrf": request.csrf,
        "cookie": request.cookie, "bodyLength": request.body_length,
    });
    assert_eq!(Request::parse(&again.to_string()).as_ref(), Ok(&request), "a request does not round-trip");

    // The checks before any state is touched.
    match authority.check_request(&request) {
        Ok(()) => assert!(allowed(&request)),
        Err(e) => {
            assert!(!allowed(&request));
            assert!(matches!(e.code(), ErrorCode::Malformed | ErrorCode::Csrf), "{e}");
        }
    }
    if let Err(e) = authority.presented(&request) {
        assert!(matches!(e.code(), ErrorCode::InvalidGrant | ErrorCode::Malformed), "{e}");
    }
    // Logout ends at most 4 sessions, each one a token that authenticates.
    let all = authority.presented_all(&request);
    assert!(all.len() <= 4);
    assert!(all.iter().all(|p| p.token.as_str() == rt.as_str() || p.token.as_str() == old.as_str()), "a fuzzed token authenticated");

    // route, as `handle` uses it.
    let route = authority.route(&request.url, &request.method);
    let path = request.url.split_once("://").map_or(request.url.as_str(), |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
    let path = path.split(['?', '#']).next().unwrap_or_default();
    match route {
        Some(Route::Jwks) => assert!(request.method == "GET" && path == "/.well-known/jwks.json", "{request:?}"),
        Some(Route::Refresh) => assert_eq!(path, "/auth/refresh"),
        Some(Route::Logout) => assert_eq!(path, "/auth/logout"),
        None => {}
    }

    // The endpoint the URL names (refresh when none), at a clock past the grace window.
    let response = match route {
        Some(Route::Jwks) => authority.jwks_response(),
        Some(Route::Logout) => common::ready(handshake::logout(authority, &store, &request, later, &host)),
        _ => common::ready(handshake::refresh(authority, &store, &request, later, &host)),
    };
    if route != Some(Route::Jwks) {
        check_status(&response, &request, "handle");
    }
    if matches!(route, Some(Route::Refresh) | None) {
        match response.status {
            200 => {
                // Only the current token refreshes; the new one replaces it in the cookie.
                assert_eq!(authority.presented_cookie(&request).as_ref(), Some(rt), "refresh 200 without the current token");
                let next = set_token(&response, &name).unwrap_or_else(|| panic!("refresh 200 sets no token: {response:?}"));
                assert!(&next != rt && &next != old);
                let access = response.body.get("access_token").and_then(Value::as_str).unwrap_or_default();
                let verified = common::ready(handshake::verify(authority, &store, access, later, &[]));
                assert!(verified.is_ok(), "the new access token does not verify: {verified:?}");
            }
            _ => {
                if authority.presented_cookie(&request).is_none() {
                    assert!(response.headers.iter().all(|(h, _)| *h != "set-cookie"), "a refused refresh without a cookie clears it");
                }
            }
        }
    }

    // login with the same request.
    let response = common::ready(handshake::login(authority, &store, &request, &login_options(), later, &host));
    check_status(&response, &request, "login");

    for line in host.0.borrow().iter() {
        for token in [old, rt] {
            assert!(!line.contains(token.as_str()), "a log line repeats a refresh token: {line:?}");
        }
    }
});
