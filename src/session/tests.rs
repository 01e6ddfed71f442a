use super::*;

const PAGE: &str = "https://app.example";

fn t(ms: i64) -> Time {
    Time::from_millis(ms)
}

fn options(margin: f64) -> SessionOptions {
    SessionOptions {
        refresh_margin: Some(margin),
        page_origin: PAGE.into(),
        api_origins: Some(vec!["https://api.example".into()]),
        ..SessionOptions::default()
    }
}

fn session(margin: f64) -> Session {
    Session::new(&options(margin)).unwrap()
}

fn response(expires_in: f64) -> TokenResponse {
    TokenResponse {
        access_token: Some("token-1".into()),
        token_type: Some("Bearer".into()),
        expires_in: Some(expires_in),
        scope: Some("read".into()),
        refresh_expires_in: Some(3600.0),
    }
}

fn peek(iat: f64) -> Peek {
    Peek {
        subject: Some("alice".into()),
        iat: Some(iat),
    }
}

fn shared(token: &str, received_at: i64, expires_at: i64) -> SharedToken {
    SharedToken {
        access_token: token.into(),
        received_at: t(received_at),
        expires_at: t(expires_at),
        scope: "read".into(),
        session_expires_at: None,
        jkt: None,
    }
}

#[test]
fn expiry_is_receipt_plus_expires_in_whatever_the_clock() {
    let mut s = session(30.0);
    // The client clock is an hour behind the server's iat.
    let now = t(1_000_000);
    s.accept(&response(300.0), peek(1000.0 + 3600.0), None, now, 0.0).unwrap();
    let state = s.state(now);
    assert_eq!(state.status, "signed-in");
    assert_eq!(state.expires_at, Some(now.plus_millis(300_000)));
    assert_eq!(state.clock_offset, Some(3600.0));
    assert_eq!(state.session_expires_at, Some(now.plus_millis(3_600_000)));
    assert_eq!(state.subject.as_deref(), Some("alice"));
    assert_eq!(s.next(now), Next::WakeAt(now.plus_millis(270_000)));
    assert_eq!(s.next(now.plus_millis(270_000)), Next::Refresh);
    assert!(s.token(now.plus_millis(297_999)).is_some());
    assert!(s.token(now.plus_millis(298_000)).is_none(), "not attached within the guard");
    assert!(s.needs_refresh_to_send(PAGE, now.plus_millis(298_000)));
    assert!(
        !s.needs_refresh_to_send("https://evil.example", now.plus_millis(298_000)),
        "never for another origin"
    );
}

#[test]
fn short_tokens_refresh_at_a_fraction_with_jitter() {
    let mut s = session(30.0);
    s.accept(&response(20.0), Peek::default(), None, t(0), 0.0).unwrap();
    assert_eq!(s.next(t(0)), Next::WakeAt(t(15_000)), "a quarter of 20 s ahead");
    let mut j = session(30.0);
    j.accept(&response(20.0), Peek::default(), None, t(0), 0.999).unwrap();
    let Next::WakeAt(at) = j.next(t(0)) else { panic!() };
    assert!(at < t(15_000) && at > t(14_400), "{at:?}");
}

#[test]
fn sleep_and_tokens_from_other_tabs() {
    let mut s = session(30.0);
    s.accept(&response(300.0), Peek::default(), None, t(0), 0.0).unwrap();
    // A laptop sleeps past expiry: on wake, refresh at once; nothing is attached meanwhile.
    assert_eq!(s.next(t(10_000_000)), Next::Refresh);
    assert_eq!(s.token(t(10_000_000)), None);
    assert_eq!(s.state(t(10_000_000)).status, "expired");
    // Another tab refreshed first: its newer token is adopted, an older one ignored.
    assert!(s.adopt(shared("token-2", 100, 300_100), Peek::default(), t(100), 0.5));
    assert!(!s.adopt(shared("token-0", 100, 200_000), Peek::default(), t(100), 0.5));
    assert_eq!(s.state(t(100)).expires_at, Some(t(300_100)));
}

#[test]
fn shared_tokens_are_checked_as_responses_are() {
    let now = t(1_000_000_000);
    let mut s = session(30.0);
    let year_2058 = t(2_778_000_000_000);
    let cases = [
        ("expires in 2058", shared("x", now.millis(), year_2058.millis())),
        ("a lifetime over a day", shared("x", now.millis(), now.millis() + 86_400_001)),
        (
            "received in the future",
            shared("x", now.millis() + 3_600_000, now.millis() + 3_900_000),
        ),
        ("already expired", shared("x", now.millis() - 600_000, now.millis() - 1)),
        ("expiring before it was received", shared("x", now.millis(), now.millis() - 10)),
        ("no token", shared("", now.millis(), now.millis() + 60_000)),
        (
            "an oversized token",
            shared(&"a".repeat(MAX_TOKEN_LEN + 1), now.millis(), now.millis() + 60_000),
        ),
    ];
    for (what, token) in cases {
        assert!(!s.adopt(token, Peek::default(), now, 0.0), "{what}");
        assert!(!s.is_signed_in(), "{what}");
    }
    // A message whose times are NaN never decodes into a token at all.
    let nan = TabMessage::decode(message::Fields {
        kind: Some("token".into()),
        access_token: Some("x".into()),
        received_at: Some(now.millis() as f64),
        expires_at: Some(f64::NAN),
        ..message::Fields::default()
    });
    assert_eq!(nan, None);
    assert!(s.adopt(shared("ok", now.millis(), now.millis() + 60_000), Peek::default(), now, 0.0));
}

#[test]
fn tokens_go_only_to_the_page_and_the_listed_origins() {
    let mut s = session(30.0);
    s.accept(&response(300.0), Peek::default(), None, t(0), 0.0).unwrap();
    assert_eq!(s.token_for(PAGE, t(1)), Some("token-1"));
    assert_eq!(s.token_for("https://api.example", t(1)), Some("token-1"));
    for other in [
        "https://evil.example",
        "https://app.example.evil.com",
        "http://app.example",
        "https://app.example:8443",
        "null",
        "",
    ] {
        assert_eq!(s.token_for(other, t(1)), None, "{other}");
    }
    for bad in [
        vec!["https://api.example/".to_string()],
        vec!["api.example".into()],
        vec!["https://a@b".into()],
    ] {
        let options = SessionOptions {
            api_origins: Some(bad.clone()),
            ..options(30.0)
        };
        assert_eq!(Session::new(&options).unwrap_err().claim_name(), Some("apiOrigins"), "{bad:?}");
    }
}

#[test]
fn a_rejected_token_refreshes_once_and_only_for_allowed_origins() {
    let challenge = Some(r#"Bearer error="invalid_token", error_description="expired""#);
    let mut s = session(30.0);
    s.accept(&response(300.0), Peek::default(), None, t(0), 0.0).unwrap();
    let sent = Some("token-1");
    // Another origin's 401 (the token was never sent there) changes nothing.
    assert_eq!(
        s.api_response("https://evil.example", None, 401, challenge, false, t(1)),
        Reaction::Deliver
    );
    assert_eq!(
        s.api_response("https://evil.example", sent, 401, challenge, false, t(1)),
        Reaction::Deliver
    );
    // Not invalid_token, or not 401: delivered as is.
    assert_eq!(
        s.api_response(PAGE, sent, 401, Some(r#"Bearer error="insufficient_scope""#), false, t(1)),
        Reaction::Deliver
    );
    assert_eq!(
        s.api_response(PAGE, sent, 401, Some("Basic realm=x"), false, t(1)),
        Reaction::Deliver
    );
    assert_eq!(s.api_response(PAGE, sent, 403, challenge, false, t(1)), Reaction::Deliver);
    assert_eq!(s.api_response(PAGE, sent, 401, None, false, t(1)), Reaction::Deliver);
    // The first rejection of token-1 refreshes; thirty more do not.
    assert_eq!(s.api_response(PAGE, sent, 401, challenge, false, t(1)), Reaction::RefreshAndReplay);
    for _ in 0..30 {
        assert_eq!(
            s.api_response("https://api.example", sent, 401, challenge, false, t(2)),
            Reaction::Deliver
        );
    }
    // Once a new token is held, a late rejection of the old one replays with the new one.
    let ticket = s.refresh_started();
    let mut next = response(300.0);
    next.access_token = Some("token-2".into());
    assert!(matches!(
        s.refresh_answered(ticket, Answer::Status(200, Some(next)), Peek::default(), None, t(3), 0.0),
        Outcome::Refreshed(_)
    ));
    assert_eq!(s.api_response(PAGE, sent, 401, challenge, false, t(4)), Reaction::Replay);
    assert_eq!(
        s.api_response(PAGE, Some("token-2"), 401, challenge, false, t(4)),
        Reaction::RefreshAndReplay
    );
}

#[test]
fn challenges_are_parsed() {
    for yes in [
        r#"Bearer error="invalid_token""#,
        "bearer error=invalid_token",
        r#"Bearer realm="api", error="invalid_token", error_description="x""#,
        r#"Basic realm="x", Bearer error="invalid_token""#,
        r#"DPoP algs="ES256", Bearer error="invalid_token""#,
        // Fuzz findings F11a-c: a comma inside a quoted-string, whitespace around `=`, a
        // quoted-pair in the value; and other well-formed shapes.
        r#"Bearer error_description="expired, renew", error="invalid_token""#,
        r#"Bearer realm="x", error = "invalid_token""#,
        "Bearer error\t=\tinvalid_token",
        r#"Bearer error="invalid\_token""#,
        r#"Bearer realm="a \"quoted\", b", error="invalid_token""#,
        r#"Basic YWxhZGRpbjpvcGVuc2VzYW1l==, Bearer error="invalid_token""#,
        r#"Negotiate a/b+c=, , Bearer realm="x",error="invalid_token""#,
        r#"BEARER ERROR="invalid_token""#,
        r#"Bearer error="invalid_toke\n""#,
    ] {
        assert!(is_invalid_token(yes), "{yes}");
    }
    for no in [
        "",
        "Bearer",
        r#"Bearer error="insufficient_scope""#,
        r#"Basic error="invalid_token""#,
        r#"Bearer error_description="invalid_token""#,
        r#"Bearer error="invalid_token_x""#,
        // The error inside another parameter's quoted-string, or after an unterminated one.
        r#"Bearer realm="x, error=invalid_token""#,
        r#"Bearer realm="x\", error=invalid_token""#,
        r#"Bearer realm="x, error="invalid_token""#,
        r#"Bearer error="invalid_token"#,
        // A token68 is no parameter, and parameters after another scheme are that scheme's.
        "Bearer invalid_token",
        r#"Bearer realm="x", Basic error="invalid_token""#,
        r#"Bearer, error="insufficient_scope""#,
        // Survivors of scripts/mutants.sh: a wrong quoted value of the right length, an unquoted
        // value under another name, a token68 that reads "bearer" (not a scheme).
        r#"Bearer error="invalid_tokex""#,
        "Bearer error_description=invalid_token",
        r#"Basic bearer, error="invalid_token""#,
        r#"Basic bearer error="invalid_token""#,
        // Without a comma no new challenge starts: here Bearer is Basic's second word.
        r#"Basic abc Bearer error="invalid_token""#,
    ] {
        assert!(!is_invalid_token(no), "{no}");
    }
}

#[test]
fn refresh_answers_are_classified() {
    let mut s = session(30.0);
    s.accept(&response(60.0), Peek::default(), None, t(0), 0.0).unwrap();
    let now = t(45_000);
    assert_eq!(s.next(now), Next::Refresh);
    // Network errors, 5xx and bodies that are not token responses are transient: back off.
    let ticket = s.refresh_started();
    assert_eq!(
        s.refresh_answered(ticket, Answer::Failed, Peek::default(), None, now, 0.0),
        Outcome::Failed { failures: 1, status: 0 }
    );
    assert_eq!(s.next(now), Next::WakeAt(now.plus_millis(500)));
    let ticket = s.refresh_started();
    assert_eq!(
        s.refresh_answered(ticket, Answer::Status(503, None), Peek::default(), None, now.plus_millis(500), 1.0),
        Outcome::Failed { failures: 2, status: 503 }
    );
    assert_eq!(s.next(now.plus_millis(500)), Next::WakeAt(now.plus_millis(2_500)));
    let bad_body = TokenResponse {
        token_type: Some("mac".into()),
        ..response(60.0)
    };
    let ticket = s.refresh_started();
    assert!(matches!(
        s.refresh_answered(ticket, Answer::Status(200, Some(bad_body)), Peek::default(), None, t(59_000), 1.0),
        Outcome::Failed { failures: 3, status: 200 }
    ));
    // A backoff that would end after expiry: stop retrying until a wake-up or a request, already
    // before the expiry (no tight loop of attempts).
    assert_eq!(s.next(t(59_001)), Next::Idle);
    assert_eq!(s.next(t(60_000)), Next::Idle);
    s.wake(t(60_001));
    assert_eq!(s.next(t(60_001)), Next::Refresh);
    // 401 invalid_grant: signed out everywhere.
    let ticket = s.refresh_started();
    assert_eq!(
        s.refresh_answered(ticket, Answer::Status(401, None), Peek::default(), None, t(60_001), 0.0),
        Outcome::SignedOut
    );
    assert_eq!(s.next(t(60_002)), Next::Idle);
    assert_eq!(s.state(t(60_002)).status, "signed-out");
}

#[test]
fn answers_about_an_older_state_are_ignored() {
    let mut s = session(30.0);
    s.accept(&response(60.0), Peek::default(), None, t(0), 0.0).unwrap();
    let ticket = s.refresh_started();
    // While the refresh was in flight, another tab's newer token arrived (or a login).
    assert!(s.adopt(shared("newer", 1_000, 61_000), Peek::default(), t(1_000), 0.0));
    assert_eq!(
        s.refresh_answered(ticket, Answer::Status(401, None), Peek::default(), None, t(2_000), 0.0),
        Outcome::Superseded
    );
    assert!(s.is_signed_in(), "a stale 401 does not sign out");
    // A refresh requested before the other tab's token arrived is no longer needed.
    assert!(!s.still_needed(t(500)));
    assert!(s.still_needed(t(1_500)));
    // Signed out with a login in between: a refresh started signed out answers nothing.
    let mut out = session(30.0);
    let ticket = out.refresh_started();
    out.accept(&response(60.0), Peek::default(), None, t(10), 0.0).unwrap();
    assert_eq!(
        out.refresh_answered(ticket, Answer::Status(401, None), Peek::default(), None, t(20), 0.0),
        Outcome::Superseded
    );
}

#[test]
fn messages_from_other_tabs() {
    let mut s = session(30.0);
    assert_eq!(s.heard(TabMessage::Hello, t(0), 0.0), Heard::Nothing, "nothing to share");
    s.accept(&response(60.0), Peek::default(), None, t(0), 0.0).unwrap();
    assert!(matches!(s.heard(TabMessage::Hello, t(1), 0.0), Heard::Share(token) if token.access_token == "token-1"));
    assert_eq!(
        s.heard(TabMessage::Hello, t(58_001), 0.0),
        Heard::Nothing,
        "an expiring token is not shared"
    );
    let newer = TabMessage::Token(shared("token-2", 2, 60_002), peek(5.0));
    assert_eq!(s.heard(newer, t(2), 0.0), Heard::Adopted);
    assert_eq!(s.state(t(2)).subject.as_deref(), Some("alice"));
    assert_eq!(
        s.heard(TabMessage::Logout("invalid_grant".into()), t(3), 0.0),
        Heard::SignOut("invalid_grant".into())
    );
    assert!(!s.is_signed_in());
}

#[test]
fn bad_responses_and_options_are_refused_without_state_change() {
    let mut s = session(30.0);
    let cases = [
        TokenResponse {
            token_type: Some("mac".into()),
            ..response(60.0)
        },
        TokenResponse {
            token_type: None,
            ..response(60.0)
        },
        TokenResponse {
            expires_in: Some(0.0),
            ..response(60.0)
        },
        TokenResponse {
            expires_in: Some(f64::NAN),
            ..response(60.0)
        },
        TokenResponse {
            expires_in: Some(86_401.0),
            ..response(60.0)
        },
        TokenResponse {
            access_token: Some(String::new()),
            ..response(60.0)
        },
        TokenResponse {
            access_token: None,
            ..response(60.0)
        },
        TokenResponse {
            access_token: Some("a".repeat(MAX_TOKEN_LEN + 1)),
            ..response(60.0)
        },
    ];
    for bad in cases {
        assert_eq!(
            s.accept(&bad, Peek::default(), None, t(0), 0.0).unwrap_err().code(),
            ErrorCode::Malformed,
            "{bad:?}"
        );
        assert!(!s.is_signed_in());
    }
    let long = TokenResponse {
        access_token: Some("a".repeat(MAX_TOKEN_LEN + 1)),
        ..response(60.0)
    };
    assert!(s
        .accept(&long, Peek::default(), None, t(0), 0.0)
        .unwrap_err()
        .message()
        .contains("too large"));
    let longest = TokenResponse {
        access_token: Some("a".repeat(MAX_TOKEN_LEN)),
        ..response(60.0)
    };
    assert!(
        s.accept(&longest, Peek::default(), None, t(0), 0.0).is_ok(),
        "the limit itself is accepted"
    );

    for (options, claim) in [
        (
            SessionOptions {
                refresh_margin: Some(-1.0),
                ..options(30.0)
            },
            "refreshMargin",
        ),
        (
            SessionOptions {
                refresh_margin: Some(f64::NAN),
                ..options(30.0)
            },
            "refreshMargin",
        ),
        (
            SessionOptions {
                auth_path: Some("auth".into()),
                ..options(30.0)
            },
            "authPath",
        ),
        (
            SessionOptions {
                auth_path: Some("//evil.example/auth".into()),
                ..options(30.0)
            },
            "authPath",
        ),
        (
            SessionOptions {
                auth_path: Some("javascript:alert(1)".into()),
                ..options(30.0)
            },
            "authPath",
        ),
        (
            SessionOptions {
                channel: Some(String::new()),
                ..options(30.0)
            },
            "channel",
        ),
        (
            SessionOptions {
                rejected: vec![("authpath".into(), false)],
                ..options(30.0)
            },
            "authpath",
        ),
        (
            SessionOptions {
                rejected: vec![("channel".into(), true)],
                ..options(30.0)
            },
            "channel",
        ),
    ] {
        let error = Session::new(&options).unwrap_err();
        assert_eq!((error.code(), error.claim_name()), (ErrorCode::InvalidOptions, Some(claim)));
    }
    let s = Session::new(&SessionOptions {
        auth_path: Some("https://auth.example/auth/".into()),
        ..options(30.0)
    })
    .unwrap();
    assert_eq!(s.endpoint("refresh"), "https://auth.example/auth/refresh");
    assert_eq!(s.lock_name(), "tessera:refresh");
}

#[test]
fn a_jitter_that_is_not_a_number_keeps_the_margin() {
    // The binding once passed no jitter (NaN): the lead became 0 and the refresh was due at expiry.
    for jitter in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut s = session(30.0);
        s.accept(&response(300.0), Peek::default(), None, t(0), jitter).unwrap();
        assert_eq!(s.next(t(0)), Next::WakeAt(t(270_000)), "{jitter}");
    }
}

#[test]
fn a_refused_tab_message_changes_nothing_the_tab_shares() {
    let mut s = session(30.0);
    s.accept(&response(300.0), peek(1000.0), None, t(0), 0.0).unwrap();
    // A spoofed message (expiry in 2058) with another subject is refused...
    let spoof = Peek {
        subject: Some("mallory".into()),
        iat: Some(1.0),
    };
    let bogus = shared("x", 1, 2_777_777_777_000);
    assert!(matches!(s.heard(TabMessage::Token(bogus, spoof), t(1), 0.0), Heard::Nothing));
    // ...and what this tab shares with the next one keeps its own token's subject and iat.
    assert_eq!(s.held_peek(), Some(&peek(1000.0)));
    assert!(matches!(s.heard(TabMessage::Hello, t(2), 0.0), Heard::Share(token) if token.access_token == "token-1"));
    assert_eq!(s.state(t(2)).subject.as_deref(), Some("alice"));
}

#[test]
fn clock_offsets_round_to_whole_seconds_both_ways() {
    // Survivors of scripts/mutants.sh: `round` for negative offsets (a client clock ahead).
    assert_eq!((round(1.4), round(1.5), round(0.0)), (1.0, 2.0, 0.0));
    assert_eq!((round(-1.4), round(-1.5), round(-2.6)), (-1.0, -2.0, -3.0));
    let mut s = session(30.0);
    let now = t(1_000_000);
    s.accept(&response(300.0), peek(1000.0 - 90.6), None, now, 0.0).unwrap();
    assert_eq!(s.state(now).clock_offset, Some(-91.0));
}

#[test]
fn channel_names_and_adoption_bounds() {
    let s = session(30.0);
    assert_eq!((s.channel(), s.lock_name().as_str()), ("tessera", "tessera:refresh"));
    let named = Session::new(&SessionOptions {
        channel: Some("app-1".into()),
        ..options(30.0)
    })
    .unwrap();
    assert_eq!(named.channel(), "app-1");

    // A shared token: at most 16 KiB, not expiring at this very millisecond, a session expiry
    // not before its receipt (equal is fine).
    let now = t(1_000_000);
    let mut s = session(30.0);
    assert!(!s.adopt(shared(&"t".repeat(16 * 1024 + 1), 999_000, 1_100_000), peek(1.0), now, 0.0));
    assert!(!s.adopt(shared("a", 0, 1_000_000), peek(1.0), now, 0.0), "expires now");
    let early = SharedToken {
        session_expires_at: Some(t(998_999)),
        ..shared("b", 999_000, 1_100_000)
    };
    assert!(!s.adopt(early, peek(1.0), now, 0.0), "session ends before receipt");
    let at_receipt = SharedToken {
        session_expires_at: Some(t(999_000)),
        ..shared("c", 999_000, 1_100_000)
    };
    assert!(s.adopt(at_receipt, peek(1.0), now, 0.0));
    assert!(
        s.adopt(shared(&"t".repeat(16 * 1024), 999_000, 1_200_000), peek(1.0), now, 0.0),
        "16 KiB exactly"
    );
}

#[test]
fn a_refused_start_is_quiet_and_a_token_received_at_the_request_makes_it_unneeded() {
    // Survivors of scripts/mutants.sh. A new tab without a cookie: its 401 tells no one.
    let mut s = session(30.0);
    let ticket = s.refresh_started();
    assert!(matches!(
        s.refresh_answered(ticket, Answer::Status(401, None), Peek::default(), None, t(10), 0.0),
        Outcome::Refused
    ));
    // A token received at the very millisecond the refresh was requested is fresh enough.
    s.accept(&response(300.0), peek(1.0), None, t(1_000), 0.0).unwrap();
    assert!(!s.still_needed(t(1_000)));
    assert!(s.still_needed(t(1_001)));
}

#[test]
fn edges_of_retries_wake_ups_expiry_and_sign_out() {
    // Survivors of scripts/mutants.sh.
    let mut s = session(30.0);
    assert!(
        matches!(s.heard(TabMessage::Logout("logout".into()), t(1), 0.0), Heard::Nothing),
        "signed out already"
    );
    s.accept(&response(300.0), peek(1.0), None, t(0), 0.0).unwrap();
    assert_eq!(s.shared().map(|token| token.expires_at), Some(t(300_000)));
    let planned = s.state(t(0)).refresh_at;
    assert_eq!(planned, Some(t(270_000)));
    // A wake-up without failed attempts changes nothing.
    s.wake(t(100_000));
    assert_eq!(s.state(t(100_000)).refresh_at, planned);
    // A failure whose retry would fall exactly at expiry schedules none (the token is gone then).
    let ticket = s.refresh_started();
    assert!(matches!(
        s.refresh_answered(ticket, Answer::Failed, Peek::default(), None, t(299_000), 1.0),
        Outcome::Failed { failures: 1, status: 0 }
    ));
    assert_eq!(s.state(t(299_000)).refresh_at, planned);
    // Expired at its expiry millisecond.
    assert_eq!((s.state(t(299_999)).status, s.state(t(300_000)).status), ("signed-in", "expired"));
}

#[test]
fn token_response_scope_and_session_expiry_bounds() {
    // Survivors of scripts/mutants.sh: the scope limit is inclusive (16 KiB, written out), and a
    // negative or non-finite refresh_expires_in gives no session expiry.
    let with = |scope: usize, refresh: f64| TokenResponse {
        scope: Some("s".repeat(scope)),
        refresh_expires_in: Some(refresh),
        ..response(300.0)
    };
    let mut s = session(30.0);
    assert!(s.accept(&with(16 * 1024 + 1, 60.0), peek(1.0), None, t(0), 0.0).is_err());
    let ok = s.accept(&with(16 * 1024, 60.0), peek(1.0), None, t(0), 0.0).unwrap();
    assert_eq!(ok.session_expires_at, Some(t(60_000)));
    let long = s.accept(&with(1, 100_000_000.0), peek(1.0), None, t(0), 0.0).unwrap();
    assert_eq!(long.session_expires_at, Some(t(100_000_000_000)), "ten years is the limit");
    for refresh in [-5.0, f64::NAN, f64::INFINITY, 315_360_001.0] {
        assert_eq!(
            s.accept(&with(1, refresh), peek(1.0), None, t(0), 0.0).unwrap().session_expires_at,
            None,
            "{refresh}"
        );
    }
}

const JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

fn dpop_session() -> Session {
    Session::new(&SessionOptions {
        dpop: Some(true),
        ..options(30.0)
    })
    .unwrap()
}

fn dpop_response(expires_in: f64) -> TokenResponse {
    TokenResponse {
        token_type: Some("DPoP".into()),
        ..response(expires_in)
    }
}

#[test]
fn dpop_tokens_are_bound_to_the_key_that_obtained_them_and_never_used_as_bearer() {
    let mut s = dpop_session();
    assert_eq!((s.dpop(), s.scheme()), (true, "DPoP"));
    assert_eq!(session(30.0).scheme(), "Bearer");
    // A Bearer answer to a proof is refused (RFC 9449 §5), and a DPoP answer without the key.
    let bearer = s.accept(&response(300.0), Peek::default(), Some(JKT), t(0), 0.0);
    assert_eq!(bearer.unwrap_err().code(), ErrorCode::Malformed);
    let keyless = s.accept(&dpop_response(300.0), Peek::default(), None, t(0), 0.0);
    assert_eq!(keyless.unwrap_err().code(), ErrorCode::DpopBinding);
    // A thumbprint is 43 characters; an empty one, or one past 128, is no key the binding made.
    for odd in [String::new(), "k".repeat(129)] {
        let refused = s.accept(&dpop_response(300.0), Peek::default(), Some(&odd), t(0), 0.0);
        assert_eq!(refused.unwrap_err().code(), ErrorCode::DpopBinding, "{}", odd.len());
    }
    assert!(dpop_session()
        .accept(&dpop_response(300.0), Peek::default(), Some(&"k".repeat(128)), t(0), 0.0)
        .is_ok());
    assert!(!s.is_signed_in(), "refusals change nothing");
    // Without DPoP, a DPoP answer is refused too: the session could not prove anything.
    assert!(session(30.0)
        .accept(&dpop_response(300.0), Peek::default(), None, t(0), 0.0)
        .is_err());
    let taken = s.accept(&dpop_response(300.0), Peek::default(), Some(JKT), t(0), 0.0).unwrap();
    assert_eq!(taken.jkt.as_deref(), Some(JKT));
    assert_eq!(s.held_jkt(), Some(JKT));
    // A refresh answer carries the key's thumbprint the same way.
    let ticket = s.refresh_started();
    let outcome = s.refresh_answered(
        ticket,
        Answer::Status(200, Some(response(300.0))),
        Peek::default(),
        Some(JKT),
        t(1),
        0.0,
    );
    assert!(
        matches!(outcome, Outcome::Failed { .. }),
        "a Bearer refresh answer is a failed refresh"
    );
    assert_eq!(s.token(t(2)), Some("token-1"), "the bound token is kept");
    // Tabs: a token shared without a key is not adopted by a DPoP tab, nor a bound one by a
    // Bearer tab.
    let mut other = dpop_session();
    assert!(!other.adopt(shared("x", 0, 600_000), Peek::default(), t(1), 0.0));
    let bound = SharedToken {
        jkt: Some(JKT.into()),
        ..shared("x", 0, 600_000)
    };
    assert!(!session(30.0).adopt(bound.clone(), Peek::default(), t(1), 0.0));
    assert!(other.adopt(bound, Peek::default(), t(1), 0.0));
    assert_eq!(other.held_jkt(), Some(JKT));
}

#[test]
fn a_lost_dpop_key_signs_the_session_out_and_no_key_means_no_refresh() {
    let mut s = dpop_session();
    assert_eq!(s.key_check(None), KeyCheck::Skip, "signed out, no key: nothing to refresh with");
    assert_eq!(s.key_check(Some(JKT)), KeyCheck::Ready, "signed out with a key: try the cookie");
    s.accept(&dpop_response(300.0), Peek::default(), Some(JKT), t(0), 0.0).unwrap();
    assert_eq!(s.key_check(Some(JKT)), KeyCheck::Ready);
    assert!(s.is_signed_in());
    assert_eq!(s.key_check(Some("another-key")), KeyCheck::SignedOut, "replaced key");
    assert!(!s.is_signed_in());
    s.accept(&dpop_response(300.0), Peek::default(), Some(JKT), t(0), 0.0).unwrap();
    assert_eq!(s.key_check(None), KeyCheck::SignedOut, "storage cleared");
    assert!(!s.is_signed_in());
    // Without DPoP there is no key to check.
    let mut plain = session(30.0);
    plain.accept(&response(300.0), Peek::default(), None, t(0), 0.0).unwrap();
    assert_eq!(plain.key_check(None), KeyCheck::Ready);
    assert!(plain.is_signed_in());
}

#[test]
fn dpop_nonces_are_kept_per_origin_shared_and_answered_once() {
    let mut s = dpop_session();
    let api = "https://api.example";
    assert!(s.nonce_seen(PAGE, "n-1"), "the authority's (page) origin");
    assert!(!s.nonce_seen(PAGE, "n-1"), "the same nonce again is not news");
    assert!(s.nonce_seen(api, "a-1"));
    assert!(!s.nonce_seen("https://evil.example", "e-1"), "an origin tokens never go to");
    for bad in ["", "with space", "quote\"", "back\\slash", "\u{e9}", &"n".repeat(513)] {
        assert!(!s.nonce_seen(api, bad), "{bad:?} is not a nonce");
    }
    assert!(s.nonce_seen(api, &"n".repeat(512)));
    assert_eq!(s.nonce_for(PAGE), Some("n-1"));
    assert_eq!(s.nonce_for("https://evil.example"), None);
    // Another tab's nonce message is taken the same way, never news to share again.
    let heard = s.heard(TabMessage::Nonce(api.into(), "a-2".into()), t(0), 0.0);
    assert_eq!((heard, s.nonce_for(api)), (Heard::Nothing, Some("a-2")));
    s.heard(TabMessage::Nonce("https://evil.example".into(), "x".into()), t(0), 0.0);
    assert_eq!(s.nonce_for("https://evil.example"), None);
    // Without DPoP no nonce is kept.
    let mut plain = session(30.0);
    assert!(!plain.nonce_seen(PAGE, "n-1"));
    // The authority at another origin (authPath as a URL) may send nonces; bounded memory.
    let mut remote = Session::new(&SessionOptions {
        dpop: Some(true),
        auth_path: Some("https://auth.example/tessera/".into()),
        ..options(30.0)
    })
    .unwrap();
    assert!(remote.nonce_seen("https://auth.example", "r-1"));
    assert!(!remote.nonce_seen("https://auth.example.evil", "r-1"));
    assert!(remote.nonce_seen(PAGE, "p-1"), "the page's own API");
    assert!(!remote.nonce_seen("https://other.example", "o-1"));
    // The authority's use_dpop_nonce answer: retried once a new nonce came with it.
    assert!(s.retry_with_nonce(400, Some("use_dpop_nonce"), true));
    assert!(!s.retry_with_nonce(400, Some("use_dpop_nonce"), false), "no new nonce: no loop");
    assert!(!s.retry_with_nonce(400, Some("invalid_dpop_proof"), true));
    assert!(!s.retry_with_nonce(401, Some("use_dpop_nonce"), true));
    assert!(!plain.retry_with_nonce(400, Some("use_dpop_nonce"), true));
    // Signing out forgets them.
    s.sign_out();
    assert_eq!(s.nonce_for(PAGE), None);
}

#[test]
fn dpop_challenges_replay_with_a_nonce_or_refresh_once() {
    let mut s = dpop_session();
    s.accept(&dpop_response(300.0), Peek::default(), Some(JKT), t(0), 0.0).unwrap();
    let sent = Some("token-1");
    let nonce = Some(r#"DPoP error="use_dpop_nonce", algs="ES256""#);
    assert_eq!(s.api_response(PAGE, sent, 401, nonce, true, t(1)), Reaction::ReplayWithNonce);
    assert_eq!(
        s.api_response(PAGE, sent, 401, nonce, false, t(1)),
        Reaction::Deliver,
        "no new nonce came"
    );
    assert_eq!(
        s.api_response("https://evil.example", sent, 401, nonce, true, t(1)),
        Reaction::Deliver
    );
    let bearer_nonce = Some(r#"Bearer error="use_dpop_nonce""#);
    assert_eq!(
        s.api_response(PAGE, sent, 401, bearer_nonce, true, t(1)),
        Reaction::Deliver,
        "another scheme"
    );
    let proof = Some(r#"DPoP error="invalid_dpop_proof", algs="ES256""#);
    assert_eq!(s.api_response(PAGE, sent, 401, proof, true, t(1)), Reaction::Deliver);
    assert_eq!(
        s.api_response(PAGE, sent, 401, Some(r#"Bearer error="invalid_token""#), false, t(1)),
        Reaction::Deliver,
        "a Bearer challenge is not about a DPoP token"
    );
    let invalid = Some(r#"DPoP error="invalid_token", algs="ES256""#);
    assert_eq!(s.api_response(PAGE, sent, 401, invalid, false, t(1)), Reaction::RefreshAndReplay);
    assert_eq!(
        s.api_response(PAGE, sent, 401, invalid, false, t(1)),
        Reaction::Deliver,
        "once per token"
    );
    // Without DPoP a nonce challenge is nothing to act on.
    let mut plain = session(30.0);
    plain.accept(&response(300.0), Peek::default(), None, t(0), 0.0).unwrap();
    assert_eq!(plain.api_response(PAGE, sent, 401, nonce, true, t(1)), Reaction::Deliver);
    assert!(challenge_error(
        r#"Basic realm="x", dpop error=use_dpop_nonce"#,
        b"DPoP",
        b"use_dpop_nonce"
    ));
}

#[test]
fn proof_times_follow_the_authoritys_clock() {
    let mut s = dpop_session();
    assert_eq!(s.proof_iat(t(1_000_900)), 1000.0, "no token yet: the local clock, whole seconds");
    // The authority's clock is 90 s ahead (iat 1090 received at local 1000 s).
    s.accept(&dpop_response(300.0), peek(1090.0), Some(JKT), t(1_000_000), 0.0).unwrap();
    assert_eq!(s.proof_iat(t(1_010_000)), 1100.0);
    // An absurd offset (a token's iat a year off) is not trusted.
    s.accept(&dpop_response(300.0), peek(1000.0 + 365.0 * 86_400.0), Some(JKT), t(1_000_000), 0.0)
        .unwrap();
    assert_eq!(s.proof_iat(t(1_010_000)), 1010.0);
}
