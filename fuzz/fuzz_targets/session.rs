//! The browser session's inputs as JSON text, read the way the binding reads them
//! (`common::token_response`, `common::message_fields`, `common::session_options`): a token
//! response from the network, a message from another tab (BroadcastChannel data), the
//! `TokenSession` options, and a `WWW-Authenticate` value (`is_invalid_token`).
//!
//! Beyond "no panic": a refused response changes nothing and is `ERR_MALFORMED`; an accepted one
//! yields a state whose expiry is receipt time + `expires_in` (1 s to 1 day) and whose refresh
//! point lies after receipt and before expiry; a decoded tab message re-encodes to itself; a
//! heard message leaves any held token plausible (lifetime 1 s to 1 day, received at most 60 s
//! ahead); an options error names an option. The `WWW-Authenticate` checks are shared with
//! `session_sequence` (`common/challenge.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera::session::{Next, Peek, Session, SessionOptions, TabMessage};
use tessera::{ErrorCode, Time};

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/challenge.rs"]
mod challenge;

const PAGE: &str = "https://app.example";

fn session() -> Session {
    let options = SessionOptions { page_origin: PAGE.into(), ..SessionOptions::default() };
    Session::new(&options).unwrap_or_else(|e| panic!("fixture session: {e}"))
}

/// The held token, if any, is one `accept`/`adopt` could have taken at a clock up to `now`.
fn plausible(session: &Session, now: Time) {
    if let Some(token) = session.shared() {
        let lifetime = token.expires_at.millis_since(token.received_at);
        assert!((1_000..=86_400_000).contains(&lifetime), "held lifetime {lifetime} ms");
        assert!(token.received_at.millis_since(now) <= 60_000, "held a token received in the future");
    }
    if let Next::WakeAt(at) = session.next(now) {
        assert!(at > now, "WakeAt in the past");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let now = common::now();
    challenge::check(text);

    let Ok(value) = serde_json::from_str::<Value>(text) else { return };

    // A token response (login, accept, or a refresh's body).
    let mut s = session();
    let response = common::token_response(&value);
    let before = s.state(now);
    match s.accept(&response, Peek::default(), None, now, 0.5) {
        Ok(shared) => {
            let state = s.state(now);
            let expires_in = response.expires_in.unwrap_or(f64::NAN);
            assert!((1.0..=86_400.0).contains(&expires_in));
            assert_eq!(state.expires_at, Some(now.plus_millis((expires_in * 1000.0) as i64)));
            assert_eq!(state.received_at, Some(now));
            let (Some(refresh_at), Some(expires_at)) = (state.refresh_at, state.expires_at) else { panic!("no refresh point") };
            assert!(now < refresh_at && refresh_at < expires_at, "refresh at {refresh_at:?}, expiry {expires_at:?}");
            assert_eq!(s.next(now), Next::WakeAt(refresh_at));
            assert_eq!(s.shared(), Some(&shared));
            // Attached only while more than the 2 s guard remains.
            let attachable = now.plus_millis(tessera::session::ATTACH_GUARD_MS) < expires_at;
            assert_eq!(s.token(now), attachable.then_some(shared.access_token.as_str()));
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::Malformed);
            assert_eq!(s.state(now), before);
        }
    }
    plausible(&s, now);

    // A message from another tab, heard signed in (as above) and signed out.
    if let Some(fields) = common::message_fields(&value) {
        if let Some(message) = TabMessage::decode(fields) {
            assert_eq!(TabMessage::decode(message.encode()).as_ref(), Some(&message), "a message does not re-encode to itself");
            for mut session in [s.clone(), session()] {
                let _ = session.heard(message.clone(), now, 0.5);
                plausible(&session, now);
            }
        }
    }

    // TokenSession options.
    if let Err(e) = Session::new(&common::session_options(&value, PAGE)) {
        assert_eq!(e.code(), ErrorCode::InvalidOptions);
        let claim = e.claim_name().unwrap_or_else(|| panic!("an options error names no option: {e}"));
        let known = ["authPath", "refreshMargin", "channel", "apiOrigins"];
        assert!(known.contains(&claim) || value.get(claim).is_some(), "the claim {claim:?} names no option");
    }
});
