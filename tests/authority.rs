//! The refresh handshake natively: flows over the in-memory store with injected time,
//! interleaved concurrent refreshes, store failures, and the HTTP shapes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

mod common;

use common::{authority_options, b64, ORIGIN};
use serde_json::{json, Value};
use tessera::authority::handshake;
use tessera::authority::signer::generate_key_pair;
use tessera::authority::store::{subject_key, MemoryStore, Store, MEMORY_STORE_MAX_RECORDS};
use tessera::authority::{Authority, AuthorityOptions, LoginOptions, Request, Response};
use tessera::{Error, ErrorCode, Result, Time};

/// Yields once before completing, so that concurrent flows interleave at every store call.
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

struct TestStore {
    inner: RefCell<MemoryStore>,
    now: Cell<i64>,
    /// Operations left before the store starts failing (None: never).
    fail_after: Cell<Option<usize>>,
    ops: Cell<usize>,
}

impl TestStore {
    fn new() -> TestStore {
        TestStore {
            inner: RefCell::new(MemoryStore::new()),
            now: Cell::new(1_000_000),
            fail_after: Cell::new(None),
            ops: Cell::new(0),
        }
    }
    fn check(&self) -> Result<()> {
        self.ops.set(self.ops.get() + 1);
        match self.fail_after.get() {
            Some(0) => Err(Error::new(ErrorCode::StoreUnavailable, "down")),
            Some(n) => {
                self.fail_after.set(Some(n - 1));
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl TestStore {
    /// The test clock as the core's time.
    fn time(&self) -> Time {
        Time::from_secs(self.now.get())
    }
}

impl Store for TestStore {
    async fn get(&self, key: &str, now: Time) -> Result<Option<Value>> {
        YieldOnce(false).await;
        self.check()?;
        Ok(self.inner.borrow_mut().get(key, now))
    }
    async fn put(&self, key: &str, value: Value, expected: Option<u64>, ttl: i64, now: Time) -> Result<bool> {
        YieldOnce(false).await;
        self.check()?;
        Ok(self.inner.borrow_mut().put(key, value, expected, ttl, now))
    }
}

/// Polls all futures round-robin until every one is done.
fn run_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    let mut cx = Context::from_waker(Waker::noop());
    while results.iter().any(Option::is_none) {
        for (i, future) in futures.iter_mut().enumerate() {
            if results[i].is_none() {
                if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                    results[i] = Some(out);
                }
            }
        }
    }
    results.into_iter().map(Option::unwrap).collect()
}

fn run<F: Future>(future: F) -> F::Output {
    run_all(vec![future]).pop().unwrap()
}

fn authority() -> Authority {
    authority_with(json!({}))
}

/// The test authority with some options replaced.
fn authority_with(extra: Value) -> Authority {
    Authority::new(&AuthorityOptions::from_json(authority_options(extra)).unwrap()).unwrap()
}

fn request(cookie: Option<&str>) -> Request {
    Request {
        method: "POST".into(),
        url: "https://auth.example/auth/refresh".into(),
        origin: Some(ORIGIN.into()),
        csrf: Some("1".into()),
        cookie: cookie.map(|c| format!("rt={c}")),
        ..Request::default()
    }
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

/// The refresh token a response set (the cookie value).
fn cookie_of(response: &Response) -> String {
    let set = header(response, "set-cookie").expect("set-cookie");
    set.split(';').next().unwrap().trim_start_matches("rt=").to_string()
}

fn login(a: &Authority, store: &TestStore, sub: &str) -> Response {
    let options = LoginOptions {
        sub: sub.into(),
        scope: Some("read write".into()),
        claims: Some(serde_json::Map::new()),
    };
    run(handshake::login(a, store, &request(None), &options, store.time(), &()))
}

fn refresh(a: &Authority, store: &TestStore, cookie: &str) -> Response {
    run(handshake::refresh(a, store, &request(Some(cookie)), store.time(), &()))
}

fn code(response: &Response) -> &str {
    response.body["code"].as_str().unwrap_or("")
}

#[test]
fn login_refresh_refresh_with_cookie_rules() {
    let (a, store) = (authority(), TestStore::new());
    let r0 = login(&a, &store, "alice");
    assert_eq!(r0.status, 200);
    assert_eq!(header(&r0, "cache-control"), Some("no-store"));
    let set = header(&r0, "set-cookie").unwrap();
    assert!(
        set.ends_with("; Path=/auth; Max-Age=86400; HttpOnly; Secure; SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains("Domain"));
    let t0 = cookie_of(&r0);
    // The refresh token appears nowhere but in Set-Cookie.
    assert!(!r0.body.to_string().contains(&t0));
    assert_eq!(r0.body["token_type"], "Bearer");
    assert_eq!(r0.body["expires_in"], 300);
    assert_eq!(r0.body["scope"], "read write");
    let access = r0.body["access_token"].as_str().unwrap();
    let claims = run(handshake::verify(&a, &store, access, store.time(), &["read".to_string()])).unwrap();
    for claim in ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "sid"] {
        assert!(claims.contains_key(claim), "{claim}");
    }
    store.now.set(store.now.get() + 100);
    let r1 = refresh(&a, &store, &t0);
    assert_eq!(r1.status, 200, "{:?}", r1.body);
    let t1 = cookie_of(&r1);
    assert_ne!(t0, t1);
    assert!(
        header(&r1, "set-cookie").unwrap().contains("Max-Age=86300"),
        "the absolute lifetime is not extended"
    );
    store.now.set(store.now.get() + 100);
    let r2 = refresh(&a, &store, &t1);
    assert_eq!(r2.status, 200);
    // The stored record holds hashes only.
    let stored = store
        .inner
        .borrow_mut()
        .get(&format!("family:{}", claims["sid"].as_str().unwrap()), store.time())
        .unwrap();
    for token in [&t0, &t1, &cookie_of(&r2)] {
        assert!(!stored.to_string().contains(token.as_str()));
    }
}

#[test]
fn reuse_outside_grace_revokes_the_family_and_its_newest_token() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    let r1 = refresh(&a, &store, &t0);
    let t1 = cookie_of(&r1);
    let access = r1.body["access_token"].as_str().unwrap().to_string();
    store.now.set(store.now.get() + 11);
    let stolen = refresh(&a, &store, &t0);
    assert_eq!(stolen.status, 401);
    assert_eq!(stolen.body["error"], "invalid_grant");
    assert_eq!(code(&stolen), "ERR_INVALID_GRANT");
    assert!(
        header(&stolen, "set-cookie").unwrap().contains("Max-Age=0"),
        "the cookie is cleared"
    );
    // The legitimate newest token is dead too, and so is its access token.
    assert_eq!(refresh(&a, &store, &t1).status, 401);
    let error = run(handshake::verify(&a, &store, &access, store.time(), &[])).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Revoked);
}

#[test]
fn retry_inside_grace_keeps_the_session() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    let t1 = cookie_of(&refresh(&a, &store, &t0));
    store.now.set(store.now.get() + 10);
    let retry = refresh(&a, &store, &t0);
    assert_eq!(retry.status, 200);
    assert_eq!(cookie_of(&retry), t1, "the retry gets the same successor");
    assert_eq!(refresh(&a, &store, &t1).status, 200, "the line of succession continues");
}

#[test]
fn a_hundred_concurrent_refreshes_leave_one_line_of_succession() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    let requests: Vec<Request> = (0..100).map(|_| request(Some(&t0))).collect();
    let now = store.now.get();
    let responses = run_all(
        requests
            .iter()
            .map(|r| handshake::refresh(&a, &store, r, Time::from_secs(now), &()))
            .collect(),
    );
    assert!(responses.iter().all(|r| r.status == 200), "no legitimate retry loses the session");
    let tokens: std::collections::HashSet<String> = responses.iter().map(cookie_of).collect();
    assert_eq!(tokens.len(), 1, "every response carries the same successor");
    let t1 = tokens.into_iter().next().unwrap();
    assert_eq!(refresh(&a, &store, &t1).status, 200);
}

#[test]
fn csrf_origin_and_request_shape_are_checked_before_any_state_change() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    let cases = [
        (
            Request {
                csrf: None,
                ..request(Some(&t0))
            },
            403,
            "ERR_CSRF",
        ),
        (
            Request {
                csrf: Some("yes".into()),
                ..request(Some(&t0))
            },
            403,
            "ERR_CSRF",
        ),
        (
            Request {
                origin: Some("https://evil.example".into()),
                ..request(Some(&t0))
            },
            403,
            "ERR_CSRF",
        ),
        (
            Request {
                origin: None,
                ..request(Some(&t0))
            },
            403,
            "ERR_CSRF",
        ),
        (
            Request {
                method: "GET".into(),
                ..request(Some(&t0))
            },
            400,
            "ERR_MALFORMED",
        ),
        (
            Request {
                body_length: Some(1 << 20),
                ..request(Some(&t0))
            },
            400,
            "ERR_MALFORMED",
        ),
        (
            Request {
                cookie: Some(format!("rt={t0}; rt={t0}")),
                ..request(None)
            },
            401,
            "ERR_INVALID_GRANT",
        ),
        (request(None), 401, "ERR_INVALID_GRANT"),
        (
            Request {
                cookie: Some("other=1".into()),
                ..request(None)
            },
            401,
            "ERR_INVALID_GRANT",
        ),
        (request(Some("tsr1.forged")), 401, "ERR_INVALID_GRANT"),
    ];
    let ops_before = store.ops.get();
    for (req, status, expected) in cases {
        let response = run(handshake::refresh(&a, &store, &req, store.time(), &()));
        assert_eq!((response.status, code(&response)), (status, expected), "{req:?}");
    }
    assert_eq!(store.ops.get(), ops_before, "rejected requests never touch the store");
    // Without a refresh cookie there is nothing to clear: no Set-Cookie that could race a login.
    let none = run(handshake::refresh(&a, &store, &request(None), store.time(), &()));
    assert!(header(&none, "set-cookie").is_none());
    let forged = run(handshake::refresh(&a, &store, &request(Some("tsr1.forged")), store.time(), &()));
    assert!(
        header(&forged, "set-cookie").unwrap().contains("Max-Age=0"),
        "a dead cookie is cleared"
    );
    assert_eq!(refresh(&a, &store, &t0).status, 200, "the session survived every rejected request");
}

#[test]
fn logout_and_revoke_subject() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    let out = run(handshake::logout(&a, &store, &request(Some(&t0)), store.time(), &()));
    assert_eq!(out.status, 200);
    assert!(header(&out, "set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(refresh(&a, &store, &t0).status, 401);
    // Logout without a cookie still answers 200 and clears.
    assert_eq!(run(handshake::logout(&a, &store, &request(None), store.time(), &())).status, 200);

    let a1 = cookie_of(&login(&a, &store, "bob"));
    let a2 = login(&a, &store, "bob");
    let other = cookie_of(&login(&a, &store, "carol"));
    run(handshake::revoke_subject(&a, &store, "bob", store.time(), &())).unwrap();
    assert_eq!(refresh(&a, &store, &a1).status, 401);
    assert_eq!(refresh(&a, &store, &cookie_of(&a2)).status, 401);
    let access = a2.body["access_token"].as_str().unwrap();
    assert_eq!(
        run(handshake::verify(&a, &store, access, store.time(), &[])).unwrap_err().code(),
        ErrorCode::Revoked
    );
    assert_eq!(refresh(&a, &store, &other).status, 200, "other subjects are untouched");
    // Bob can sign in again right away (same second): the new family is live.
    let again = cookie_of(&login(&a, &store, "bob"));
    assert_eq!(refresh(&a, &store, &again).status, 200);
}

#[test]
fn absolute_and_idle_expiry_with_injected_time() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    store.now.set(store.now.get() + 3600);
    assert_eq!(refresh(&a, &store, &t0).status, 401, "idle for idleTtl");
    let mut token = cookie_of(&login(&a, &store, "alice"));
    let start = store.now.get();
    while store.now.get() + 3000 < start + 86400 {
        store.now.set(store.now.get() + 3000);
        let r = refresh(&a, &store, &token);
        assert_eq!(r.status, 200);
        token = cookie_of(&r);
    }
    store.now.set(start + 86400);
    assert_eq!(refresh(&a, &store, &token).status, 401, "absolute lifetime");
}

#[test]
fn store_failure_mid_refresh_is_503_and_half_done_nothing() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    for fail_after in 0..3 {
        store.fail_after.set(Some(fail_after));
        let r = refresh(&a, &store, &t0);
        assert_eq!((r.status, code(&r)), (503, "ERR_STORE_UNAVAILABLE"), "fail after {fail_after}");
        assert_eq!(r.body["error"], "temporarily_unavailable");
        assert!(header(&r, "set-cookie").is_none(), "the cookie is kept on 503");
    }
    store.fail_after.set(None);
    assert_eq!(
        refresh(&a, &store, &t0).status,
        200,
        "nothing was half done: the old token still rotates"
    );
}

#[test]
fn options_are_checked() {
    let (private, _) = generate_key_pair(&Default::default()).unwrap();
    let base = json!({ "issuer": "https://a", "audience": "b", "signingKeys": [private], "allowedOrigins": [ORIGIN] });
    assert!(Authority::new(&AuthorityOptions::from_json(base.clone()).unwrap()).is_ok());
    for (member, value) in [
        ("signingKeys", json!([])),
        ("allowedOrigins", json!([])),
        ("allowedOrigins", json!(["https://app.example/"])),
        ("reuseGrace", json!(-1)),
        ("accessTokenTtl", json!(1)),
        ("refreshSecret", json!("c2hvcnQ")),
        ("cookie", json!({ "name": "a b" })),
        ("cookie", json!({ "name": "rt", "domain": "example.com" })),
        ("sessionTtl", json!(59.5)),
        ("maxSessionsPerSubject", json!(0)),
        ("issuerr", json!("x")),
    ] {
        let mut options = base.clone();
        options[member] = value;
        let error = AuthorityOptions::from_json(options).and_then(|o| Authority::new(&o)).unwrap_err();
        assert_eq!(
            (error.code(), error.claim_name()),
            (ErrorCode::InvalidOptions, Some(member)),
            "{member}"
        );
    }
    let bad_login = LoginOptions {
        sub: "x".into(),
        scope: None,
        claims: Some(serde_json::from_value(json!({ "sid": "mine" })).unwrap()),
    };
    let (a, store) = (authority(), TestStore::new());
    let r = run(handshake::login(&a, &store, &request(None), &bad_login, store.time(), &()));
    assert_eq!((r.status, code(&r)), (400, "ERR_INVALID_OPTIONS"));
}

/// Collects the handshake's log lines.
#[derive(Default)]
struct Lines(std::cell::RefCell<Vec<(handshake::Level, String)>>);

impl handshake::Host for Lines {
    fn log(&self, level: handshake::Level, line: &str) {
        self.0.borrow_mut().push((level, line.to_string()));
    }
}

#[test]
fn log_lines_tell_what_happened_and_never_carry_a_token() {
    use handshake::Level::{Info, Warn};
    let (a, store, log) = (authority(), TestStore::new(), Lines::default());
    // A subject that looks like a token (attacker-chosen usernames end up in logs).
    let evil_sub = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
    let options = LoginOptions {
        sub: evil_sub.into(),
        scope: Some("read".into()),
        claims: None,
    };
    let r0 = run(handshake::login(&a, &store, &request(None), &options, store.time(), &log));
    let t0 = cookie_of(&r0);
    let access = r0.body["access_token"].as_str().unwrap().to_string();
    let r1 = run(handshake::refresh(&a, &store, &request(Some(&t0)), store.time(), &log));
    let t1 = cookie_of(&r1);
    run(handshake::refresh(&a, &store, &request(Some(&t0)), store.time(), &log)); // retry inside grace
    store.now.set(store.now.get() + 60);
    run(handshake::refresh(&a, &store, &request(Some(&t0)), store.time(), &log)); // reuse
    run(handshake::refresh(
        &a,
        &store,
        &request(Some("tsr1.forged.0.x.y")),
        store.time(),
        &log,
    ));
    run(handshake::logout(&a, &store, &request(Some(&t1)), store.time(), &log));
    run(handshake::revoke_subject(&a, &store, "bob", store.time(), &log)).unwrap();
    store.fail_after.set(Some(0));
    let r = run(handshake::refresh(&a, &store, &request(Some(&t1)), store.time(), &log));
    assert_eq!(r.status, 503);

    let lines = log.0.borrow();
    let text: Vec<String> = lines.iter().map(|(l, s)| format!("{l:?} {s}")).collect();
    let sid = t0.split('.').nth(1).unwrap();
    let expected = [
        (Info, format!("tessera: session started sid={sid} sub=[jwt ")),
        (Info, format!("tessera: refresh rotated sid={sid} generation=1")),
        (Info, format!("tessera: refresh retried inside the grace window sid={sid}")),
        (
            Warn,
            format!("tessera: refresh token reuse: session family revoked sid={sid} sub=[jwt "),
        ),
        (
            Warn,
            "tessera: refresh refused: ERR_INVALID_GRANT (refresh token reuse: the session is revoked)".into(),
        ),
        (Warn, "tessera: refresh refused: ERR_INVALID_GRANT".into()),
        (Info, "tessera: subject revoked everywhere sub=bob epoch=".into()),
        (Warn, "tessera: refresh refused: ERR_STORE_UNAVAILABLE".into()),
    ];
    for (level, start) in expected {
        assert!(
            lines.iter().any(|(l, s)| *l == level && s.starts_with(&start)),
            "missing {level:?} {start}\n{text:#?}"
        );
    }
    for (_, line) in lines.iter() {
        for secret in [t0.as_str(), t1.as_str(), access.as_str(), evil_sub] {
            assert!(!line.contains(secret), "{line}");
        }
        assert_eq!(
            tessera::redact::redact(line, a.fingerprint_key()),
            *line,
            "lines are already redacted"
        );
    }
}

#[test]
fn a_full_memory_store_answers_logins_with_503_and_keeps_existing_sessions() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    {
        let mut inner = store.inner.borrow_mut();
        let now = store.now.get();
        let mut i = 0;
        while inner.len() < MEMORY_STORE_MAX_RECORDS {
            assert!(inner.put(
                &format!("filler:{i}"),
                serde_json::json!({"generation": 0}),
                None,
                3600,
                Time::from_secs(now)
            ));
            i += 1;
        }
    }
    let refused = login(&a, &store, "bob");
    assert_eq!((refused.status, code(&refused)), (503, "ERR_STORE_UNAVAILABLE"));
    assert!(header(&refused, "set-cookie").is_none());
    assert_eq!(refresh(&a, &store, &t0).status, 200, "live sessions are never evicted");
}

#[test]
fn routes_of_handle() {
    use tessera::authority::Route;
    let a = authority(); // cookie path /auth
    let cases = [
        ("https://auth.example/auth/refresh", "POST", Some(Route::Refresh)),
        ("https://auth.example/auth/refresh?x=1#f", "POST", Some(Route::Refresh)),
        ("https://auth.example/auth/logout", "POST", Some(Route::Logout)),
        ("https://auth.example/auth/refresh", "GET", Some(Route::Refresh)), // answered 400 by the handshake
        ("https://auth.example/.well-known/jwks.json", "GET", Some(Route::Jwks)),
        ("https://auth.example/.well-known/jwks.json", "POST", None),
        ("https://auth.example/auth/login", "POST", None),
        ("https://auth.example/authx/refresh", "POST", None),
        ("https://auth.example/auth/refresh/x", "POST", None),
        ("https://auth.example", "GET", None),
        ("/auth/refresh", "POST", Some(Route::Refresh)),
    ];
    for (url, method, expected) in cases {
        assert_eq!(a.route(url, method), expected, "{method} {url}");
    }
}

fn revoke_subject(a: &Authority, store: &TestStore, sub: &str) {
    run(handshake::revoke_subject(a, store, sub, store.time(), &())).unwrap();
}

fn verify_code(a: &Authority, store: &TestStore, response: &Response) -> Option<ErrorCode> {
    let access = response.body["access_token"].as_str().unwrap();
    run(handshake::verify(a, store, access, store.time(), &[])).err().map(|e| e.code())
}

#[test]
fn log_out_everywhere_twice_revokes_the_family_started_between() {
    let (a, store) = (authority(), TestStore::new());
    revoke_subject(&a, &store, "alice");
    store.now.set(store.now.get() + 1);
    let r = login(&a, &store, "alice");
    let t = cookie_of(&r);
    assert_eq!(refresh(&a, &store, &t).status, 200, "started after the first revocation: live");
    let t = cookie_of(&refresh(&a, &store, &t));
    revoke_subject(&a, &store, "alice");
    assert_eq!(refresh(&a, &store, &t).status, 401, "the second revocation reaches it");
    assert_eq!(verify_code(&a, &store, &r), Some(ErrorCode::Revoked));
}

#[test]
fn log_out_everywhere_holds_past_every_record_ttl() {
    // sessionTtl 1 day, idleTtl 1 hour, accessTokenTtl 300 s, reuseGrace 10 s.
    let (a, store) = (authority(), TestStore::new());
    let old = cookie_of(&login(&a, &store, "alice"));
    revoke_subject(&a, &store, "alice");
    // Past the access-token lifetime and most of the idle lifetime, the old cookie stays dead:
    // the subject record must outlive every family started before it.
    for later in [301, 3599] {
        store.now.set(store.now.get() + later - if later == 301 { 0 } else { 301 });
        assert_eq!(refresh(&a, &store, &old).status, 401, "+{later} s");
    }

    // The adversarial review's sequence: revoke on day 0, log in on day 1 (kept alive by
    // refreshes), the subject record expires on day 2, revoke again: the day-1 family must end.
    let (a, store) = (authority(), TestStore::new());
    let day = 86_400;
    revoke_subject(&a, &store, "alice");
    let control = cookie_of(&login(&a, &store, "carol"));
    revoke_subject(&a, &store, "carol");
    store.now.set(store.now.get() + day);
    let mut last = login(&a, &store, "alice");
    let mut token = cookie_of(&last);
    let start = store.now.get();
    while store.now.get() < start + day / 2 {
        store.now.set(store.now.get() + 3000);
        last = refresh(&a, &store, &token);
        assert_eq!(last.status, 200);
        token = cookie_of(&last);
    }
    // The first subject record (written on day 0, TTL sessionTtl + reuseGrace + 1) is gone by now;
    // alice's own login rewrote hers on day 1, so force the expiry the review saw with a store
    // that forgot it.
    store.inner.borrow_mut().forget(&subject_key("alice"));
    revoke_subject(&a, &store, "alice");
    let refused = refresh(&a, &store, &token);
    assert_eq!((refused.status, code(&refused)), (401, "ERR_INVALID_GRANT"));
    assert_eq!(verify_code(&a, &store, &last), Some(ErrorCode::Revoked));
    assert_eq!(refresh(&a, &store, &control).status, 401, "the control subject stays revoked");
}

#[test]
fn log_out_everywhere_marks_each_listed_family_so_an_evicted_subject_record_revives_none() {
    let (a, store) = (authority(), TestStore::new());
    let sessions: Vec<Response> = (0..3).map(|_| login(&a, &store, "alice")).collect();
    let before = store.inner.borrow().live(store.time());
    revoke_subject(&a, &store, "alice");
    // A store under memory pressure evicts the subject record (its epoch then reads as 0).
    store.inner.borrow_mut().forget(&subject_key("alice"));
    for session in &sessions {
        assert_eq!(refresh(&a, &store, &cookie_of(session)).status, 401);
        assert_eq!(verify_code(&a, &store, session), Some(ErrorCode::Revoked));
    }
    // The revoked families keep their slots for one second only.
    store.now.set(store.now.get() + 2);
    let after = store.inner.borrow().live(store.time());
    assert_eq!((before, after), (4, 0), "3 families and the subject record, then none");
}

#[test]
fn a_subject_holds_at_most_max_sessions_and_the_oldest_goes_first() {
    let (a, store) = (authority_with(json!({ "maxSessionsPerSubject": 3 })), TestStore::new());
    let first: Vec<Response> = (0..3).map(|_| login(&a, &store, "alice")).collect();
    let bob = cookie_of(&login(&a, &store, "bob"));
    store.now.set(store.now.get() + 1);
    let fourth = login(&a, &store, "alice");
    assert_eq!(fourth.status, 200);
    assert_eq!(refresh(&a, &store, &cookie_of(&first[0])).status, 401, "the oldest is revoked");
    assert_eq!(verify_code(&a, &store, &first[0]), Some(ErrorCode::Revoked));
    for live in [&first[1], &first[2], &fourth] {
        assert_eq!(verify_code(&a, &store, live), None);
    }
    assert_eq!(refresh(&a, &store, &bob).status, 200, "other subjects are untouched");

    // Ended families leave room: with two of three logged out, two more logins revoke nothing,
    // although the oldest entry of the list is a live one.
    for ended in [&first[2], &fourth] {
        let out = run(handshake::logout(&a, &store, &request(Some(&cookie_of(ended))), store.time(), &()));
        assert_eq!(out.status, 200);
    }
    let more: Vec<Response> = (0..2).map(|_| login(&a, &store, "alice")).collect();
    for live in [&first[1], &more[0], &more[1]] {
        assert_eq!(verify_code(&a, &store, live), None, "a live session was revoked");
    }
    // One more: now the oldest live one goes.
    let last = login(&a, &store, "alice");
    assert_eq!(verify_code(&a, &store, &first[1]), Some(ErrorCode::Revoked));
    for live in [&more[0], &more[1], &last] {
        assert_eq!(verify_code(&a, &store, live), None);
    }
}

#[test]
fn a_login_over_the_limit_reads_one_family_not_the_whole_list() {
    let (a, store) = (authority(), TestStore::new());
    for _ in 0..60 {
        login(&a, &store, "alice");
    }
    let before = store.ops.get();
    assert_eq!(login(&a, &store, "alice").status, 200);
    // Subject read and write, the oldest family read, revoked (read and write), the new family.
    let ops = store.ops.get() - before;
    assert!(ops <= 6, "{ops} store operations for one login at the default limit of 50");
}

#[test]
fn one_subject_cannot_fill_the_store() {
    let (a, store) = (authority_with(json!({ "maxSessionsPerSubject": 5 })), TestStore::new());
    for i in 0..400 {
        if i % 20 == 0 {
            store.now.set(store.now.get() + 1);
        }
        assert_eq!(login(&a, &store, "mallory").status, 200);
    }
    // 5 live families, the subject record, and the families revoked in the last second (kept 1 s).
    let records = store.inner.borrow().live(store.time());
    assert!(records <= 5 + 1 + 20 + 20, "{records} records");
    store.now.set(store.now.get() + 2);
    let t = cookie_of(&login(&a, &store, "alice"));
    assert_eq!(refresh(&a, &store, &t).status, 200);
}

#[test]
fn logged_out_and_idle_families_free_their_store_slot() {
    let (a, store) = (authority(), TestStore::new());
    let t = cookie_of(&login(&a, &store, "alice"));
    let sid = t.split('.').nth(1).unwrap().to_string();
    let key = format!("family:{sid}");
    run(handshake::logout(&a, &store, &request(Some(&t)), store.time(), &()));
    store.now.set(store.now.get() + 1);
    assert!(
        store.inner.borrow_mut().get(&key, store.time()).is_none(),
        "revoked: gone after 1 s"
    );
    let t = cookie_of(&login(&a, &store, "alice"));
    let key = format!("family:{}", t.split('.').nth(1).unwrap());
    store.now.set(store.now.get() + 3600 + 11);
    assert!(
        store.inner.borrow_mut().get(&key, store.time()).is_none(),
        "idle: gone after idleTtl + grace"
    );
}

#[test]
fn logout_with_a_tossed_second_cookie_ends_both_sessions() {
    let (a, store) = (authority(), TestStore::new());
    let victim = login(&a, &store, "victim");
    let mallory = cookie_of(&login(&a, &store, "mallory"));
    // Two cookies of the name (one tossed by a sibling subdomain): refresh is refused...
    let both = Request {
        cookie: Some(format!("rt={}; rt={mallory}", cookie_of(&victim))),
        ..request(None)
    };
    assert_eq!(run(handshake::refresh(&a, &store, &both, store.time(), &())).status, 401);
    // ...and logout ends both sessions, so the cookie the clearing Set-Cookie cannot reach (the
    // tossed one, set for the parent domain) cannot sign this browser in as mallory afterwards.
    let out = run(handshake::logout(&a, &store, &both, store.time(), &()));
    assert_eq!(out.status, 200);
    assert_eq!(verify_code(&a, &store, &victim), Some(ErrorCode::Revoked));
    assert_eq!(refresh(&a, &store, &mallory).status, 401);
    assert_eq!(refresh(&a, &store, &cookie_of(&victim)).status, 401);
    // A cookie that does not authenticate ends nothing and still logs out.
    let forged = Request {
        cookie: Some("rt=tsr1.AAAAAAAAAAAAAAAAAAAAAA.0.x.y; rt=junk".into()),
        ..request(None)
    };
    assert_eq!(run(handshake::logout(&a, &store, &forged, store.time(), &())).status, 200);
}

#[test]
fn host_prefixed_cookie() {
    let (a, store) = (
        authority_with(json!({ "cookie": { "name": "rt", "path": "/auth", "hostPrefix": true } })),
        TestStore::new(),
    );
    let r = login(&a, &store, "alice");
    let set = header(&r, "set-cookie").unwrap();
    assert!(set.starts_with("__Host-rt="), "{set}");
    assert!(set.ends_with("; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Strict"), "{set}");
    let token = set.split(';').next().unwrap().trim_start_matches("__Host-rt=");
    let req = Request {
        cookie: Some(format!("__Host-rt={token}")),
        ..request(None)
    };
    let next = run(handshake::refresh(&a, &store, &req, store.time(), &()));
    assert_eq!(next.status, 200);
    // The endpoints stay under cookie.path; a plain "rt" cookie (tossed by a sibling) is not read.
    assert_eq!(
        a.route("https://auth.example/auth/refresh", "POST"),
        Some(tessera::authority::Route::Refresh)
    );
    assert_eq!(refresh(&a, &store, token).status, 401);
    let clear = run(handshake::logout(&a, &store, &req, store.time(), &()));
    assert_eq!(
        header(&clear, "set-cookie"),
        Some("__Host-rt=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
    );
    for name in ["__Host-rt", "__host-x"] {
        let options = json!({ "cookie": { "name": name } });
        let (private, _) = generate_key_pair(&Default::default()).unwrap();
        let mut full = json!({ "issuer": "https://a", "audience": "b", "signingKeys": [private], "allowedOrigins": [ORIGIN] });
        full["cookie"] = options["cookie"].clone();
        let error = Authority::new(&AuthorityOptions::from_json(full).unwrap()).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidOptions, "{name}");
    }
}

#[test]
fn log_fingerprints_correlate_across_a_deployment_and_nowhere_else() {
    let line = "tessera: Basic c3Vuc2hpbmU0Mg==";
    let fp = |a: &Authority| tessera::redact::redact(line, a.fingerprint_key());
    // Two processes of one deployment (same refreshSecret): the same fingerprints.
    assert_eq!(fp(&authority()), fp(&authority()));
    let other = authority_with(json!({ "refreshSecret": b64::encode(&[10u8; 32]) }));
    assert_ne!(fp(&authority()), fp(&other));
    // An explicit key wins; a short one is refused.
    let keyed = |k: &[u8]| authority_with(json!({ "fingerprintKey": b64::encode(k) }));
    assert_eq!(fp(&keyed(&[1u8; 16])), fp(&keyed(&[1u8; 16])));
    assert_ne!(fp(&keyed(&[1u8; 16])), fp(&authority()));
    let (private, _) = generate_key_pair(&Default::default()).unwrap();
    let options = json!({ "issuer": "https://a", "audience": "b", "signingKeys": [private], "allowedOrigins": [ORIGIN], "fingerprintKey": b64::encode(&[1u8; 15]) });
    let error = Authority::new(&AuthorityOptions::from_json(options).unwrap()).unwrap_err();
    assert_eq!(
        (error.code(), error.claim_name()),
        (ErrorCode::InvalidOptions, Some("fingerprintKey"))
    );
}

#[test]
fn a_cut_or_emptied_tag_revokes_nothing() {
    // Anyone who knows a session's sid (it is in every access token) can build a token with the
    // right family and generation; only the tag stops it from counting as reuse of that family.
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    let t1 = cookie_of(&refresh(&a, &store, &t0));
    store.now.set(store.now.get() + 60);
    let (body, tag) = t0.rsplit_once('.').unwrap();
    let tag = b64::decode(tag, "").unwrap();
    let ops = store.ops.get();
    for len in [0usize, 1, 8] {
        let forged = format!("{body}.{}", b64::encode(&tag[..len]));
        let r = refresh(&a, &store, &forged);
        assert_eq!((r.status, code(&r)), (401, "ERR_INVALID_GRANT"), "{len}-byte tag");
    }
    assert_eq!(store.ops.get(), ops, "forged tokens never reach the store");
    assert_eq!(refresh(&a, &store, &t1).status, 200, "the session was not revoked");
}

#[test]
fn origins_are_compared_whole() {
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    for origin in [
        "https://app.example.evil.com",
        "https://app.example:8443",
        "https://app.example/",
        "https://app.exampl",
        "http://app.example",
        "HTTPS://APP.EXAMPLE",
    ] {
        let req = Request {
            origin: Some(origin.into()),
            ..request(Some(&t0))
        };
        for response in [
            run(handshake::refresh(&a, &store, &req, store.time(), &())),
            run(handshake::logout(&a, &store, &req, store.time(), &())),
            run(handshake::login(
                &a,
                &store,
                &req,
                &LoginOptions {
                    sub: "x".into(),
                    scope: None,
                    claims: None,
                },
                store.time(),
                &(),
            )),
        ] {
            assert_eq!((response.status, code(&response)), (403, "ERR_CSRF"), "{origin}");
            assert!(
                header(&response, "set-cookie").is_none(),
                "a CSRF refusal sets no cookie ({origin})"
            );
        }
    }
    assert_eq!(refresh(&a, &store, &t0).status, 200);
}

#[test]
fn csrf_refusals_keep_the_cookie() {
    // A cross-site request must not be able to sign the user out by clearing the cookie.
    let (a, store) = (authority(), TestStore::new());
    let t0 = cookie_of(&login(&a, &store, "alice"));
    for req in [
        Request {
            csrf: None,
            ..request(Some(&t0))
        },
        Request {
            origin: None,
            ..request(Some(&t0))
        },
    ] {
        for response in [
            run(handshake::refresh(&a, &store, &req, store.time(), &())),
            run(handshake::logout(&a, &store, &req, store.time(), &())),
        ] {
            assert_eq!(response.status, 403);
            assert!(header(&response, "set-cookie").is_none(), "{:?}", response.headers);
        }
    }
    let mapped = a.error_response(&Error::new(ErrorCode::Csrf, ""));
    assert!(header(&mapped, "set-cookie").is_none());
    assert_eq!(refresh(&a, &store, &t0).status, 200);
}

#[test]
fn an_access_token_whose_family_record_is_gone_is_revoked() {
    let (a, store) = (authority(), TestStore::new());
    let r = login(&a, &store, "alice");
    assert_eq!(verify_code(&a, &store, &r), None);
    let sid = cookie_of(&r).split('.').nth(1).unwrap().to_string();
    store.inner.borrow_mut().forget(&format!("family:{sid}"));
    assert_eq!(
        verify_code(&a, &store, &r),
        Some(ErrorCode::Revoked),
        "a store that lost the record must not keep it live"
    );
}

/// Replaces the stored record `key` with `patch` applied (fuzz finding F9: records from the store
/// were trusted for arithmetic and identity).
fn corrupt(store: &TestStore, key: &str, patch: Value) -> Value {
    let mut inner = store.inner.borrow_mut();
    let mut record = inner.get(key, store.time()).expect("record");
    let generation = record["generation"].as_u64();
    for (name, value) in patch.as_object().unwrap() {
        record[name] = value.clone();
    }
    assert!(inner.put(key, record.clone(), generation, 86_400, store.time()));
    record
}

#[test]
fn unsound_records_are_store_failures_and_change_nothing() {
    let a = authority();
    let family_patches = [
        json!({ "generation": u64::MAX }),
        json!({ "generation": 1u64 << 53 }),
        json!({ "subjectEpoch": u64::MAX }),
        json!({ "rotatedAt": i64::MIN }),
        json!({ "expiresAt": i64::MAX }),
        json!({ "idleExpiresAt": -1 }),
        json!({ "createdAt": 253_402_300_800i64 }),
        json!({ "family": "another-family" }),
    ];
    for patch in family_patches {
        let store = TestStore::new();
        let r0 = login(&a, &store, "alice");
        let t0 = cookie_of(&r0);
        let access = r0.body["access_token"].as_str().unwrap().to_string();
        // A rotation first, so that the previous-token path (grace retry, reuse) is reached too.
        let t1 = cookie_of(&refresh(&a, &store, &t0));
        let sid = t0.split('.').nth(1).unwrap();
        let key = format!("family:{sid}");
        let stored = corrupt(&store, &key, patch.clone());
        for cookie in [&t1, &t0] {
            let r = refresh(&a, &store, cookie);
            assert_eq!((r.status, code(&r)), (503, "ERR_STORE_UNAVAILABLE"), "{patch}");
            assert!(header(&r, "set-cookie").is_none(), "{patch}: the cookie is kept");
        }
        store.now.set(store.now.get() + 60); // past the grace window: t0 would be reuse
        assert_eq!(refresh(&a, &store, &t0).status, 503, "{patch}");
        let r = run(handshake::logout(&a, &store, &request(Some(&t1)), store.time(), &()));
        assert_eq!(r.status, 503, "{patch}");
        let error = run(handshake::verify(&a, &store, &access, store.time(), &[])).unwrap_err();
        assert_eq!(error.code(), ErrorCode::StoreUnavailable, "{patch}");
        assert_eq!(store.inner.borrow_mut().get(&key, store.time()), Some(stored), "{patch}: unchanged");
        assert!(store.inner.borrow_mut().get("family:another-family", store.time()).is_none());
    }
    for patch in [
        json!({ "generation": u64::MAX }),
        json!({ "epoch": u64::MAX }),
        json!({ "revokedAt": i64::MIN }),
        json!({ "families": [{ "sid": "x", "expiresAt": i64::MAX }] }),
    ] {
        let store = TestStore::new();
        let r0 = login(&a, &store, "alice");
        let t0 = cookie_of(&r0);
        let stored = corrupt(&store, "subject:alice", patch.clone());
        assert_eq!(refresh(&a, &store, &t0).status, 503, "{patch}");
        let error = run(handshake::revoke_subject(&a, &store, "alice", store.time(), &())).unwrap_err();
        assert_eq!(error.code(), ErrorCode::StoreUnavailable, "{patch}");
        assert_eq!(login(&a, &store, "alice").status, 503, "{patch}");
        assert_eq!(
            store.inner.borrow_mut().get("subject:alice", store.time()),
            Some(stored),
            "{patch}: unchanged"
        );
        // Another subject is not affected.
        assert_eq!(login(&a, &store, "bob").status, 200);
    }
}

#[test]
fn log_levels_have_the_names_the_js_logger_receives() {
    assert_eq!((handshake::Level::Info.as_str(), handshake::Level::Warn.as_str()), ("info", "warn"));
}

/// The subject record as stored: its version and the listed family ids.
fn subject_list(store: &TestStore, sub: &str) -> (u64, Vec<String>) {
    let record = store
        .inner
        .borrow_mut()
        .get(&format!("subject:{sub}"), store.time())
        .expect("subject record");
    let sids = record["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["sid"].as_str().unwrap().to_string())
        .collect();
    (record["generation"].as_u64().unwrap(), sids)
}

fn sid_of(response: &Response) -> String {
    cookie_of(response).split('.').nth(1).unwrap().to_string()
}

/// The per-subject list's bookkeeping (mutants that survived `scripts/mutants.sh`): every write
/// raises the record's version, logout takes its family out, a family leaves the list the
/// second it expires, and a family that ended by itself is dropped, not "revoked (limit)".
#[test]
fn the_subject_list_follows_logins_logouts_and_expiry() {
    let (a, store) = (authority_with(json!({ "maxSessionsPerSubject": 2 })), TestStore::new());
    let first = login(&a, &store, "alice");
    let (g1, list) = subject_list(&store, "alice");
    assert_eq!(list, [sid_of(&first)]);
    let second = login(&a, &store, "alice");
    let (g2, list) = subject_list(&store, "alice");
    assert!(g2 > g1, "a login writes a new version");
    assert_eq!(list, [sid_of(&first), sid_of(&second)]);
    let out = run(handshake::logout(
        &a,
        &store,
        &request(Some(&cookie_of(&second))),
        store.time(),
        &(),
    ));
    assert_eq!(out.status, 200);
    let (g3, list) = subject_list(&store, "alice");
    assert!(g3 > g2, "a logout writes a new version");
    assert_eq!(list, [sid_of(&first)], "logout takes its family out of the list");
    let only = login(&a, &store, "frank");
    run(handshake::logout(&a, &store, &request(Some(&cookie_of(&only))), store.time(), &()));
    assert!(subject_list(&store, "frank").1.is_empty(), "also the only one");

    // Concurrent logins: none is lost from the list (compare-and-set on the version).
    let logins: Vec<_> = (0..2)
        .map(|_| {
            let options = LoginOptions {
                sub: "carol".into(),
                scope: None,
                claims: None,
            };
            let (a, store) = (&a, &store);
            async move { handshake::login(a, store, &request(None), &options, store.time(), &()).await }
        })
        .collect();
    let done = run_all(logins);
    let (_, list) = subject_list(&store, "carol");
    assert_eq!(list.len(), 2, "{list:?}");
    for response in &done {
        assert!(list.contains(&sid_of(response)));
    }

    // Idle expiry ends `first`; the next logins drop it from the list without revoking it.
    let log = Lines::default();
    store.now.set(store.now.get() + 3600);
    let logged_login = || {
        let options = LoginOptions {
            sub: "alice".into(),
            scope: None,
            claims: None,
        };
        run(handshake::login(&a, &store, &request(None), &options, store.time(), &log))
    };
    let (third, fourth) = (logged_login(), logged_login());
    let (_, list) = subject_list(&store, "alice");
    assert_eq!(list, [sid_of(&third), sid_of(&fourth)]);
    let lines = log.0.borrow();
    assert!(!lines.iter().any(|(_, line)| line.contains("revoked (limit)")), "{lines:?}");
    drop(lines);

    // A family leaves the list at its absolute expiry exactly (sessionTtl 86400 s).
    let (dave, erin) = (login(&a, &store, "dave"), login(&a, &store, "erin"));
    store.now.set(store.now.get() + 86_399);
    login(&a, &store, "dave");
    assert!(
        subject_list(&store, "dave").1.contains(&sid_of(&dave)),
        "one second before its expiry it is listed"
    );
    store.now.set(store.now.get() + 1);
    let later = login(&a, &store, "erin");
    let (_, list) = subject_list(&store, "erin");
    assert!(!list.contains(&sid_of(&erin)), "expired at this second: {list:?}");
    assert!(list.contains(&sid_of(&later)));
}

// ------------------------------------------------------------------------------------------
// DPoP at the auth endpoints (RFC 9449 §5): sessions bound at login, refreshes only by the key.

mod dpop_proofs {
    use super::common::TestKey;
    use serde_json::json;

    /// A DPoP proof by `key` for `POST url`, issued at `iat`, with its own `jti`.
    pub fn proof(key: &TestKey, url: &str, iat: i64, jti: &str) -> String {
        let mut jwk = key.public_json();
        jwk.as_object_mut().unwrap().remove("kid");
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": jwk });
        let claims = json!({ "jti": jti, "htm": "POST", "htu": url, "iat": iat });
        key.mint(&header.to_string(), &claims.to_string())
    }

    /// A proof as [`proof`] with a server `nonce` claim.
    pub fn proof_with_nonce(key: &TestKey, url: &str, iat: i64, jti: &str, nonce: &str) -> String {
        let mut jwk = key.public_json();
        jwk.as_object_mut().unwrap().remove("kid");
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": jwk });
        let claims = json!({ "jti": jti, "htm": "POST", "htu": url, "iat": iat, "nonce": nonce });
        key.mint(&header.to_string(), &claims.to_string())
    }

    pub fn jkt(key: &TestKey) -> String {
        tessera::jose::jwk::thumbprint(key.public_json().as_object().unwrap()).unwrap()
    }
}

fn with_proof(mut request: Request, proof: Option<String>) -> Request {
    request.dpop = proof;
    request
}

/// A login of `sub` (scope `read`) with a DPoP proof, if given.
fn login_proved(a: &Authority, store: &TestStore, sub: &str, proof: Option<String>) -> Response {
    let options = LoginOptions {
        sub: sub.into(),
        scope: Some("read".into()),
        claims: None,
    };
    run(handshake::login(
        a,
        store,
        &with_proof(request(None), proof),
        &options,
        store.time(),
        &(),
    ))
}

/// A refresh with `cookie` and a DPoP proof, if given.
fn refresh_proved(a: &Authority, store: &TestStore, cookie: &str, proof: Option<String>) -> Response {
    run(handshake::refresh(
        a,
        store,
        &with_proof(request(Some(cookie)), proof),
        store.time(),
        &(),
    ))
}

/// A logout with `cookie` (if any) and a DPoP proof (if given).
fn logout_proved(a: &Authority, store: &TestStore, cookie: Option<&str>, proof: Option<String>) -> Response {
    run(handshake::logout(a, store, &with_proof(request(cookie), proof), store.time(), &()))
}

fn claims_of(a: &Authority, response: &Response, now: Time) -> serde_json::Map<String, Value> {
    a.verify(response.body["access_token"].as_str().unwrap(), now, &[]).unwrap()
}

#[test]
fn dpop_binds_the_session_at_login_and_every_refresh_needs_its_key() {
    use dpop_proofs::{jkt, proof};
    let a = authority_with(json!({ "dpop": "allowed" }));
    let store = TestStore::new();
    let now = store.now.get();
    let client = common::TestKey::new("client");
    let thief = common::TestKey::new("thief");
    let url = "https://auth.example/auth/refresh";
    let alice = login_proved(&a, &store, "alice", Some(proof(&client, url, now, "j-login")));
    assert_eq!(alice.status, 200, "{}", alice.body);
    assert_eq!(alice.body["token_type"], "DPoP");
    assert_eq!(claims_of(&a, &alice, store.time())["cnf"], json!({ "jkt": jkt(&client) }));
    let cookie = cookie_of(&alice);
    // Verified without its request (no proof to check), a bound token is refused; its claims,
    // once a verifier checked the proof, pass the liveness check.
    let token = alice.body["access_token"].as_str().unwrap();
    let refused = run(handshake::verify(&a, &store, token, store.time(), &[])).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::DpopBinding);
    run(handshake::check_live(
        &a,
        &store,
        &claims_of(&a, &alice, store.time()),
        store.time(),
    ))
    .unwrap();

    // Refused without changing the session: no proof, the thief's proof, a replayed proof, a proof
    // for another URL or a stale one.
    let refused = |proof: Option<String>| {
        let response = refresh_proved(&a, &store, &cookie, proof);
        (response.status, code(&response).to_string(), response.body["error"].clone())
    };
    let invalid = (400, "ERR_INVALID_DPOP_PROOF".to_string(), json!("invalid_dpop_proof"));
    assert_eq!(refused(None), invalid);
    assert_eq!(refused(Some(proof(&thief, url, now, "j-thief"))), invalid);
    assert_eq!(
        refused(Some(proof(&client, url, now, "j-login"))),
        (400, "ERR_DPOP_REPLAY".to_string(), json!("invalid_dpop_proof"))
    );
    assert_eq!(
        refused(Some(proof(&client, "https://auth.example/auth/logout", now, "j-2"))),
        invalid
    );
    assert_eq!(refused(Some(proof(&client, url, now - 301, "j-3"))), invalid);
    // The session was left as it was: the client's own proof still refreshes the same cookie.
    let next = refresh_proved(&a, &store, &cookie, Some(proof(&client, url, now, "j-4")));
    assert_eq!(next.status, 200, "{}", next.body);
    assert_eq!(next.body["token_type"], "DPoP");
    assert_eq!(claims_of(&a, &next, store.time())["cnf"]["jkt"], json!(jkt(&client)));
    // The proof of that refresh again, with the new cookie: a replay.
    let mut current = cookie_of(&next);
    let again = refresh_proved(&a, &store, &current, Some(proof(&client, url, now, "j-4")));
    assert_eq!((again.status, code(&again)), (400, "ERR_DPOP_REPLAY"));
    // Refreshes spend their proofs in the session's own record: twenty of them add no record.
    let records = store.inner.borrow().len();
    for i in 0..20 {
        let answer = refresh_proved(&a, &store, &current, Some(proof(&client, url, now, &format!("r-{i}"))));
        assert_eq!(answer.status, 200, "{}", answer.body);
        current = cookie_of(&answer);
    }
    assert_eq!(store.inner.borrow().len(), records);

    // A Bearer session stays Bearer (a proof on its refresh is checked but binds nothing).
    let bearer = login(&a, &store, "bob");
    assert_eq!(bearer.body["token_type"], "Bearer");
    assert!(claims_of(&a, &bearer, store.time()).get("cnf").is_none());
    let bearer_refresh = refresh_proved(&a, &store, &cookie_of(&bearer), Some(proof(&client, url, now, "j-5")));
    assert_eq!(
        (bearer_refresh.status, bearer_refresh.body["token_type"].clone()),
        (200, json!("Bearer"))
    );
}

#[test]
fn dpop_required_and_off() {
    use dpop_proofs::proof;
    let store = TestStore::new();
    let now = store.now.get();
    let client = common::TestKey::new("client");
    let url = "https://auth.example/auth/refresh";
    let required = authority_with(json!({ "dpop": "required" }));
    let without = login(&required, &store, "carol");
    assert_eq!((without.status, code(&without)), (400, "ERR_INVALID_DPOP_PROOF"));
    // Logout with a session to end needs the proof; without a valid cookie nothing is checked or
    // written, and a pile of self-made proofs on cookie-less logouts cannot fill the store.
    let bound = login_proved(&required, &store, "carol", Some(proof(&client, url, now, "j-carol")));
    let carol = cookie_of(&bound);
    assert_eq!(
        code(&logout_proved(&required, &store, Some(&carol), None)),
        "ERR_INVALID_DPOP_PROOF"
    );
    let records = store.inner.borrow().len();
    for i in 0..50 {
        let spam = Some(proof(&common::TestKey::new("spam"), url, now, &format!("spam-{i}")));
        assert_eq!(logout_proved(&required, &store, None, spam).status, 200);
    }
    assert_eq!(store.inner.borrow().len(), records, "cookie-less logouts spent no proofs");
    // With the cookie, logout checks its proof but does not spend it: the same proof again is
    // no replay, and repeated logouts (the session already ended) write nothing.
    let out = proof(&client, url, now, "j-out");
    assert_eq!(logout_proved(&required, &store, Some(&carol), Some(out.clone())).status, 200);
    let records = store.inner.borrow().len();
    for _ in 0..10 {
        assert_eq!(logout_proved(&required, &store, Some(&carol), Some(out.clone())).status, 200);
    }
    assert_eq!(store.inner.borrow().len(), records, "logouts spend no proofs");
    // Off: a proof is ignored and tokens are Bearer.
    let off = authority();
    let ignored = login_proved(&off, &store, "dave", Some(proof(&client, url, now, "j-off")));
    assert_eq!(ignored.body["token_type"], "Bearer");
    // Login claims cannot forge a binding.
    let forged = LoginOptions {
        sub: "eve".into(),
        scope: None,
        claims: Some(json!({ "cnf": { "jkt": "x" } }).as_object().unwrap().clone()),
    };
    let refused = run(handshake::login(&off, &store, &request(None), &forged, store.time(), &()));
    assert_eq!(code(&refused), "ERR_INVALID_OPTIONS");
    // The option is checked.
    let error = AuthorityOptions::from_json(authority_options(json!({ "dpop": "on" }))).unwrap_err();
    assert_eq!((error.code(), error.claim_name()), (ErrorCode::InvalidOptions, Some("dpop")));
}

#[test]
fn dpop_server_nonces_at_the_auth_endpoints_need_no_store_and_rotate() {
    use dpop_proofs::{proof, proof_with_nonce};
    let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA";
    let a = authority_with(json!({ "dpop": "required", "dpopNonceSecret": secret, "dpopNonceLifetime": 60 }));
    let store = TestStore::new();
    let now = store.now.get();
    let client = common::TestKey::new("client");
    let url = "https://auth.example/auth/refresh";
    // No nonce: 400 use_dpop_nonce with the nonce to use, and nothing written (the jti is not spent).
    let records = store.inner.borrow().len();
    let first = login_proved(&a, &store, "alice", Some(proof(&client, url, now, "j-1")));
    assert_eq!(
        (first.status, &first.body),
        (400, &json!({ "error": "use_dpop_nonce", "code": "ERR_USE_DPOP_NONCE" }))
    );
    assert_eq!(store.inner.borrow().len(), records, "a proof without the nonce spends nothing");
    let nonce = header(&first, "dpop-nonce").expect("the nonce comes with the answer").to_string();
    // A made-up nonce is refused the same way; the server's own one logs in (the same jti: it was not spent).
    let wrong = login_proved(&a, &store, "alice", Some(proof_with_nonce(&client, url, now, "j-1", "bm9uY2U")));
    assert_eq!(wrong.body["error"], "use_dpop_nonce");
    let alice = login_proved(&a, &store, "alice", Some(proof_with_nonce(&client, url, now, "j-1", &nonce)));
    assert_eq!(alice.status, 200, "{}", alice.body);
    assert!(header(&alice, "dpop-nonce").is_some(), "every answer carries the current nonce");
    let cookie = cookie_of(&alice);
    // The nonce holds for its step and the next; two steps on it is stale, and the answer has a new one.
    store.now.set(store.now.get() + 61);
    let later = store.now.get();
    let refreshed = refresh_proved(&a, &store, &cookie, Some(proof_with_nonce(&client, url, later, "j-2", &nonce)));
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let cookie = cookie_of(&refreshed);
    store.now.set(store.now.get() + 121);
    let stale = refresh_proved(
        &a,
        &store,
        &cookie,
        Some(proof_with_nonce(&client, url, store.now.get(), "j-3", &nonce)),
    );
    assert_eq!(stale.body["error"], "use_dpop_nonce");
    let fresh = header(&stale, "dpop-nonce").unwrap().to_string();
    assert_ne!(fresh, nonce, "rotated");
    let ok = refresh_proved(
        &a,
        &store,
        &cookie,
        Some(proof_with_nonce(&client, url, store.now.get(), "j-3", &fresh)),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    // Logout with the session's cookie wants the nonce too.
    let out = logout_proved(&a, &store, Some(&cookie_of(&ok)), Some(proof(&client, url, store.now.get(), "j-4")));
    assert_eq!(out.body["error"], "use_dpop_nonce");

    // Options: a secret needs DPoP on and 32 bytes; a lifetime needs a secret.
    for (extra, name) in [
        (json!({ "dpopNonceSecret": secret }), "dpopNonceSecret"),
        (json!({ "dpop": "allowed", "dpopNonceSecret": "c2hvcnQ" }), "dpopNonceSecret"),
        (json!({ "dpop": "allowed", "dpopNonceLifetime": 60 }), "dpopNonceLifetime"),
        (
            json!({ "dpop": "allowed", "dpopNonceSecret": secret, "dpopNonceLifetime": 5 }),
            "dpopNonceLifetime",
        ),
    ] {
        let error = AuthorityOptions::from_json(authority_options(extra))
            .and_then(|o| Authority::new(&o))
            .unwrap_err();
        assert_eq!((error.code(), error.claim_name()), (ErrorCode::InvalidOptions, Some(name)));
    }
    // Without nonces no answer carries one.
    let plain = authority_with(json!({ "dpop": "allowed" }));
    let response = login_proved(&plain, &store, "bob", Some(proof(&client, url, store.now.get(), "j-5")));
    assert_eq!((response.status, header(&response, "dpop-nonce")), (200, None));
}
