//! The browser session's inputs: token responses from the network and tokens shared by other
//! tabs (both untrusted JSON). Beyond "no panic": a refused response changes nothing; an
//! accepted one yields a state whose expiry is receipt time + expires_in and whose refresh
//! point lies before expiry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera::session::{Next, Session, SessionOptions, SharedToken, TokenResponse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let now = 1_700_000_000_000.0;
    let mut session = match Session::new(&SessionOptions::default()) {
        Ok(s) => s,
        Err(e) => panic!("fixture session: {e}"),
    };
    if let Ok(response) = serde_json::from_str::<TokenResponse>(text) {
        let before = session.state(now);
        match session.accept(&response, now, 0.5) {
            Ok(_) => {
                let state = session.state(now);
                assert_eq!(state.expires_at, Some(now + response.expires_in * 1000.0));
                let refresh_at = state.refresh_at.unwrap_or(f64::NAN);
                assert!(refresh_at < now + response.expires_in * 1000.0);
                assert!(matches!(session.next(now), Next::WakeAt(_) | Next::Refresh));
            }
            Err(_) => assert_eq!(session.state(now), before),
        }
    }
    if let Ok(shared) = serde_json::from_str::<SharedToken>(text) {
        let _ = session.adopt(shared, 0.5);
        let _ = session.next(now);
        let _ = session.token(now);
    }
    if let Ok(options) = serde_json::from_str::<SessionOptions>(text) {
        let _ = Session::new(&options);
    }
});
