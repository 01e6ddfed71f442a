//! The browser session driven by an arbitrary sequence of events, as the binding drives it:
//! token responses (`accept`), tokens from other tabs (`adopt`, and `heard` of a message decoded
//! by `TabMessage::decode` from arbitrary `Fields`), API responses with arbitrary
//! `WWW-Authenticate` values (`api_response`, `is_invalid_token`), refreshes and their answers
//! (`refresh_started`, `refresh_answered`, with current or stale tickets), the scheduler
//! (`next`), wake-ups, sign-outs and a clock that moves forward, jumps, or goes back.
//!
//! Beyond "no panic", after every event:
//! * `next(now)` never returns `WakeAt(t)` with `t <= now` (the binding would spin);
//! * no busy loop: the scheduler loop (`next(now)` → `Refresh` → a failed answer → `next(now)`)
//!   never refreshes twice at one `now` unless a token was adopted or a wake-up came;
//! * a held token has 1 s ≤ lifetime ≤ 1 day, was received at most 60 s after the latest clock
//!   seen, and its planned refresh point lies after receipt and before expiry;
//! * `api_response`: a replay only for a 401 whose challenge `is_invalid_token`, from an origin
//!   the token may go to; `RefreshAndReplay` only for the current token, at most once per token
//!   until sign-out;
//! * a decoded tab message re-encodes to itself.
//!
//! `jitter` is what the binding passes: `Math.random()` in [0, 1) — and for `accept` also `NaN`
//! (finding F8, fixed in `9f9ca94`: the glue left the argument out, and NaN made the lead 0).
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tessera::session::message::Fields;
use tessera::session::{
    Answer, Heard, Next, Outcome, Peek, Reaction, Session, SessionOptions, SharedToken, TabMessage, Ticket, TokenResponse,
};
use tessera::Time;

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/challenge.rs"]
mod challenge;

const PAGE: &str = "https://app.example";
const API: &str = "https://api.example";

/// A time: relative to the clock (ms), or any double (the binding's `f64` fields).
#[derive(Arbitrary, Debug, Clone, Copy)]
enum When {
    After(i32),
    Raw(f64),
}

impl When {
    fn millis(self, now: Time) -> f64 {
        match self {
            When::After(ms) => (now.millis() + i64::from(ms)) as f64,
            When::Raw(v) => v,
        }
    }
}

/// A number of seconds as a JSON body holds it.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Seconds {
    Whole(u32),
    Millis(u32),
    Raw(f64),
}

impl Seconds {
    fn value(self) -> f64 {
        match self {
            Seconds::Whole(s) => f64::from(s % 100_000),
            Seconds::Millis(ms) => f64::from(ms) / 1000.0,
            Seconds::Raw(v) => v,
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum Text {
    Token(u8),
    Any(String),
}

impl Text {
    fn value(&self) -> String {
        match self {
            Text::Token(n) => format!("token-{n}"),
            Text::Any(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
struct ResponseIn {
    access_token: Option<Text>,
    bearer: Option<Option<String>>,
    expires_in: Option<Seconds>,
    scope: Option<String>,
    refresh_expires_in: Option<Seconds>,
}

impl ResponseIn {
    fn response(&self) -> TokenResponse {
        TokenResponse {
            access_token: self.access_token.as_ref().map(Text::value),
            token_type: self.bearer.clone().map(|t| t.unwrap_or_else(|| "Bearer".into())),
            expires_in: self.expires_in.map(Seconds::value),
            scope: self.scope.clone(),
            refresh_expires_in: self.refresh_expires_in.map(Seconds::value),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
struct PeekIn {
    subject: Option<String>,
    iat: Option<f64>,
}

impl PeekIn {
    fn peek(&self) -> Peek {
        Peek { subject: self.subject.clone(), iat: self.iat }
    }
}

#[derive(Arbitrary, Debug, Clone)]
struct FieldsIn {
    kind: Option<Kind>,
    access_token: Option<Text>,
    received_at: Option<When>,
    expires_at: Option<When>,
    scope: Option<String>,
    session_expires_at: Option<When>,
    subject: Option<String>,
    iat: Option<f64>,
    reason: Option<String>,
}

#[derive(Arbitrary, Debug, Clone)]
enum Kind {
    Hello,
    Token,
    Logout,
    Other(String),
}

impl FieldsIn {
    fn fields(&self, now: Time) -> Fields {
        Fields {
            kind: self.kind.as_ref().map(|k| match k {
                Kind::Hello => "hello".to_string(),
                Kind::Token => "token".to_string(),
                Kind::Logout => "logout".to_string(),
                Kind::Other(s) => s.clone(),
            }),
            access_token: self.access_token.as_ref().map(Text::value),
            received_at: self.received_at.map(|w| w.millis(now)),
            expires_at: self.expires_at.map(|w| w.millis(now)),
            scope: self.scope.clone(),
            session_expires_at: self.session_expires_at.map(|w| w.millis(now)),
            subject: self.subject.clone(),
            iat: self.iat,
            reason: self.reason.clone(),
            ..Fields::default()
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum AnswerIn {
    Failed,
    Status(u16, Option<ResponseIn>),
    ServerError,
    BadBody,
}

impl AnswerIn {
    fn answer(&self) -> Answer {
        match self {
            AnswerIn::Failed => Answer::Failed,
            AnswerIn::Status(status, response) => Answer::Status(*status, response.as_ref().map(ResponseIn::response)),
            AnswerIn::ServerError => Answer::Status(503, None),
            AnswerIn::BadBody => Answer::Status(200, Some(TokenResponse::default())),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum Origin {
    Page,
    Api,
    Other(String),
}

#[derive(Arbitrary, Debug, Clone)]
enum Sent {
    None,
    Current,
    Other(Text),
}

#[derive(Arbitrary, Debug, Clone)]
enum Challenge {
    None,
    InvalidToken,
    Any(String),
}

#[derive(Arbitrary, Debug, Clone)]
enum Event {
    Accept { response: ResponseIn, peek: PeekIn, jitter: u8, glue: bool },
    Adopt { token: Text, received_at: When, expires_at: When, scope: String, session: Option<When>, peek: PeekIn, jitter: u8 },
    Heard { fields: FieldsIn, jitter: u8 },
    Api { origin: Origin, sent: Sent, status: u16, challenge: Challenge },
    /// The binding's scheduler at the current clock: refresh when told to, answer each with the
    /// next answer (a failure when they run out), at most `rounds` times.
    Drive { answers: Vec<AnswerIn>, rounds: u8, jitter: u8 },
    /// A refresh started now (if the session holds a token), answered later.
    Start,
    /// The answer to the refresh started last (its ticket may be stale by now).
    Answer { answer: AnswerIn, peek: PeekIn, jitter: u8 },
    Wake,
    SignOut,
    Advance(u32),
    Jump(i64),
    Back(u16),
}

#[derive(Arbitrary, Debug)]
struct Input {
    margin: Option<u16>,
    start: Option<i64>,
    events: Vec<Event>,
}

fn jitter(byte: u8) -> f64 {
    f64::from(byte) / 256.0
}

struct Harness {
    session: Session,
    now: Time,
    /// The latest clock the session was given.
    latest: Time,
    /// The token `RefreshAndReplay` was last returned for, until sign-out.
    refreshed_for: Option<String>,
    ticket: Option<Ticket>,
    /// `refreshMargin` is above 0.
    margin_positive: bool,
}

impl Harness {
    fn invariants(&mut self) {
        let now = self.now;
        if let Next::WakeAt(at) = self.session.next(now) {
            assert!(at > now, "next({now:?}) = WakeAt({at:?}): in the past");
        }
        match self.session.shared() {
            Some(token) => {
                let lifetime = token.expires_at.millis_since(token.received_at);
                assert!((1_000..=86_400_000).contains(&lifetime), "held lifetime {lifetime} ms: {token:?}");
                assert!(token.received_at.millis_since(self.latest) <= 60_000, "held a token received {token:?} past {:?} + 60 s", self.latest);
                let state = self.session.state(now);
                let refresh_at = state.refresh_at.unwrap_or_else(|| panic!("a held token without a refresh point"));
                // The planned refresh point (no failures yet) lies after receipt and before expiry,
                // unless refreshMargin is 0 (then it is the expiry, as configured). (Retries after
                // failures are timed by backoff, and a wake-up retries at once, even past expiry.)
                // Finding F8 (fixed): with the glue's NaN jitter the planned point was the expiry.
                if state.failures == 0 {
                    if self.margin_positive {
                        assert!(refresh_at < token.expires_at, "refresh at {refresh_at:?}, not before expiry {:?}", token.expires_at);
                    }
                    assert!(refresh_at > token.received_at, "refresh at {refresh_at:?}, not after receipt {:?}", token.received_at);
                }
            }
            None => {
                assert_eq!(self.session.next(now), Next::Idle);
                assert!(self.session.token(now).is_none());
            }
        }
    }

    fn set_clock(&mut self, now: Time) {
        // The binding's clock: Date.now() read as the core's time, within [0, Time::MAX].
        self.now = Time::from_millis(now.millis().clamp(0, Time::MAX.millis()));
        self.latest = self.latest.max(self.now);
    }

    fn signed_out(&mut self) {
        self.refreshed_for = None;
    }

    fn answer(&mut self, ticket: Ticket, answer: Answer, peek: Peek, jitter: f64) -> Outcome {
        let outcome = self.session.refresh_answered(ticket, answer, peek, None, self.now, jitter);
        match &outcome {
            Outcome::Refreshed(token) => {
                assert_eq!(token.received_at, self.now);
                assert!(matches!(self.session.next(self.now), Next::WakeAt(_)), "a fresh token is due at once");
            }
            Outcome::SignedOut => {
                self.signed_out();
                assert_eq!(self.session.next(self.now), Next::Idle);
            }
            Outcome::Refused => assert!(!self.session.is_signed_in()),
            Outcome::Failed { failures, .. } => {
                assert!(*failures >= 1);
                assert_ne!(self.session.next(self.now), Next::Refresh, "a failed refresh is due again at once: a busy loop");
            }
            Outcome::Superseded => {}
        }
        outcome
    }

    fn event(&mut self, event: &Event) {
        let now = self.now;
        match event {
            Event::Accept { response, peek, jitter: j, glue } => {
                let j = if *glue { f64::NAN } else { jitter(*j) };
                let before = self.session.state(now);
                let response = response.response();
                match self.session.accept(&response, peek.peek(), None, now, j) {
                    Ok(token) => {
                        assert_eq!(token.received_at, now);
                        assert_eq!(self.session.shared(), Some(&token));
                    }
                    Err(_) => assert_eq!(self.session.state(now), before, "a refused response changed the state"),
                }
            }
            Event::Adopt { token, received_at, expires_at, scope, session, peek, jitter: j } => {
                let (Some(received_at), Some(expires_at)) = (
                    Time::from_millis_f64(received_at.millis(now)),
                    Time::from_millis_f64(expires_at.millis(now)),
                ) else {
                    return;
                };
                let shared = SharedToken {
                    access_token: token.value(),
                    received_at,
                    expires_at,
                    scope: scope.clone(),
                    session_expires_at: session.and_then(|s| Time::from_millis_f64(s.millis(now))),
                    jkt: None,
                };
                let before = self.session.shared().cloned();
                if self.session.adopt(shared.clone(), peek.peek(), now, jitter(*j)) {
                    assert_eq!(self.session.shared(), Some(&shared));
                    assert!(before.is_none_or(|b| b.expires_at < shared.expires_at), "adopted an older token");
                } else {
                    assert_eq!(self.session.shared(), before.as_ref(), "a refused token changed the state");
                }
            }
            Event::Heard { fields, jitter: j } => {
                let Some(message) = TabMessage::decode(fields.fields(now)) else { return };
                assert_eq!(TabMessage::decode(message.encode()).as_ref(), Some(&message), "a message does not re-encode to itself");
                let before = self.session.shared().cloned();
                match self.session.heard(message.clone(), now, jitter(*j)) {
                    Heard::Adopted => {
                        assert!(matches!(message, TabMessage::Token(..)));
                    }
                    Heard::Share(token) => {
                        assert_eq!(message, TabMessage::Hello);
                        assert_eq!(Some(&token), before.as_ref());
                        assert!(self.session.token(now).is_some());
                    }
                    Heard::SignOut(reason) => {
                        assert!(before.is_some());
                        assert!(!reason.is_empty() && reason.len() <= 64);
                        self.signed_out();
                    }
                    Heard::Nothing => assert_eq!(self.session.shared(), before.as_ref()),
                }
            }
            Event::Api { origin, sent, status, challenge } => {
                let origin = match origin {
                    Origin::Page => PAGE.to_string(),
                    Origin::Api => API.to_string(),
                    Origin::Other(o) => o.clone(),
                };
                let current = self.session.token(now).map(str::to_string);
                let sent = match sent {
                    Sent::None => None,
                    Sent::Current => current.clone(),
                    Sent::Other(t) => Some(t.value()),
                };
                let challenge = match challenge {
                    Challenge::None => None,
                    Challenge::InvalidToken => Some("Bearer error=\"invalid_token\"".to_string()),
                    Challenge::Any(s) => Some(s.clone()),
                };
                if let Some(c) = &challenge {
                    challenge::check(c);
                }
                let reaction = self.session.api_response(&origin, sent.as_deref(), *status, challenge.as_deref(), true, now);
                if reaction != Reaction::Deliver {
                    assert!(*status == 401 && sent.is_some() && self.session.may_send_to(&origin));
                    assert!(challenge.as_deref().is_some_and(tessera::session::is_invalid_token));
                }
                match reaction {
                    Reaction::RefreshAndReplay => {
                        assert_eq!(sent, current, "refresh for a token that is not the current one");
                        assert_ne!(self.refreshed_for, sent, "a second refresh for the same rejected token");
                        self.refreshed_for = sent;
                    }
                    Reaction::Replay => assert!(current.is_some() && sent != current),
                    // These sessions are Bearer: a nonce challenge is never acted on.
                    Reaction::ReplayWithNonce => panic!("a nonce replay without DPoP"),
                    Reaction::Deliver => {}
                }
            }
            Event::Drive { answers, rounds, jitter: j } => {
                let mut answers = answers.iter();
                let mut refreshed = 0;
                for _ in 0..(*rounds % 8) {
                    match self.session.next(now) {
                        Next::Refresh => {
                            refreshed += 1;
                            let ticket = self.session.refresh_started();
                            let answer = answers.next().map_or(Answer::Failed, AnswerIn::answer);
                            if let Outcome::Refreshed(_) = self.answer(ticket, answer, Peek::default(), jitter(*j)) {
                                refreshed = 0;
                            }
                            assert!(refreshed <= 1, "refreshed twice at one clock without a new token: a busy loop");
                        }
                        Next::WakeAt(at) => {
                            assert!(at > now);
                            break;
                        }
                        Next::Idle => break,
                    }
                }
            }
            Event::Start => {
                if self.session.is_signed_in() {
                    self.ticket = Some(self.session.refresh_started());
                    let _ = self.session.still_needed(now);
                }
            }
            Event::Answer { answer, peek, jitter: j } => {
                let Some(ticket) = self.ticket.take() else { return };
                self.answer(ticket, answer.answer(), peek.peek(), jitter(*j));
            }
            Event::Wake => self.session.wake(now),
            Event::SignOut => {
                self.session.sign_out();
                self.signed_out();
            }
            Event::Advance(ms) => self.set_clock(now.plus_millis(i64::from(*ms))),
            Event::Jump(ms) => self.set_clock(Time::from_millis(*ms)),
            Event::Back(ms) => self.set_clock(now.plus_millis(-i64::from(*ms))),
        }
    }
}

fuzz_target!(|input: Input| {
    let options = SessionOptions {
        refresh_margin: input.margin.map(|m| f64::from(m % 4000)),
        page_origin: PAGE.into(),
        api_origins: Some(vec![API.into()]),
        ..SessionOptions::default()
    };
    let Ok(session) = Session::new(&options) else { return };
    let margin_positive = options.refresh_margin.is_none_or(|m| m > 0.0);
    let start = input.start.map_or(common::now(), |ms| Time::from_millis(ms.rem_euclid(Time::MAX.millis() + 1)));
    let mut h = Harness { session, now: start, latest: start, refreshed_for: None, ticket: None, margin_positive };
    for event in input.events.iter().take(64) {
        h.event(event);
        h.invariants();
    }
});
