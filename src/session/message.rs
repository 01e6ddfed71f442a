//! The protocol between the tabs of an origin (over BroadcastChannel): a typed message, and its
//! flat form ([`Fields`]) that a binding turns into a structured-clone object and back. Decoding
//! never fails: what is not a well-formed message is no message.

use alloc::string::String;

use super::{Peek, SharedToken};
use crate::time::Time;

/// A message between tabs.
#[derive(Clone, Debug, PartialEq)]
pub enum TabMessage {
    /// A tab starts and asks for a token.
    Hello,
    /// A tab shares the token it holds (after a refresh, or to answer `Hello`).
    Token(SharedToken, Peek),
    /// A tab signed out (the reason, such as `logout` or `invalid_grant`).
    Logout(String),
    /// A server origin sent a new DPoP nonce (origin, nonce).
    Nonce(String, String),
}

/// A message's members as they travel (`type`, times in milliseconds since the epoch).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields {
    pub kind: Option<String>,
    pub access_token: Option<String>,
    pub received_at: Option<f64>,
    pub expires_at: Option<f64>,
    pub scope: Option<String>,
    pub session_expires_at: Option<f64>,
    pub subject: Option<String>,
    pub iat: Option<f64>,
    pub reason: Option<String>,
    pub jkt: Option<String>,
    pub origin: Option<String>,
    pub nonce: Option<String>,
}

/// A reason is a short lower-case word (it is shown to listeners as `detail.reason`).
fn is_reason(reason: &str) -> bool {
    (1..=64).contains(&reason.len()) && reason.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-')
}

impl TabMessage {
    /// The message these fields make, if any.
    pub fn decode(fields: Fields) -> Option<TabMessage> {
        match fields.kind.as_deref()? {
            "hello" => Some(TabMessage::Hello),
            "logout" => {
                let reason = fields.reason.filter(|r| is_reason(r)).unwrap_or_else(|| "logout".into());
                Some(TabMessage::Logout(reason))
            }
            "token" => {
                let token = SharedToken {
                    access_token: fields.access_token?,
                    received_at: Time::from_millis_f64(fields.received_at?)?,
                    expires_at: Time::from_millis_f64(fields.expires_at?)?,
                    scope: fields.scope.unwrap_or_default(),
                    session_expires_at: match fields.session_expires_at {
                        None => None,
                        Some(ms) => Some(Time::from_millis_f64(ms)?),
                    },
                    jkt: fields.jkt,
                };
                let peek = Peek {
                    subject: fields.subject,
                    iat: fields.iat.filter(|iat| iat.is_finite()),
                };
                Some(TabMessage::Token(token, peek))
            }
            "nonce" => Some(TabMessage::Nonce(fields.origin?, fields.nonce?)),
            _ => None,
        }
    }

    /// The fields to send.
    pub fn encode(&self) -> Fields {
        match self {
            TabMessage::Hello => Fields {
                kind: Some("hello".into()),
                ..Fields::default()
            },
            TabMessage::Logout(reason) => Fields {
                kind: Some("logout".into()),
                reason: Some(reason.clone()),
                ..Fields::default()
            },
            TabMessage::Token(token, peek) => Fields {
                kind: Some("token".into()),
                access_token: Some(token.access_token.clone()),
                received_at: Some(token.received_at.millis() as f64),
                expires_at: Some(token.expires_at.millis() as f64),
                scope: Some(token.scope.clone()),
                session_expires_at: token.session_expires_at.map(|t| t.millis() as f64),
                subject: peek.subject.clone(),
                iat: peek.iat,
                jkt: token.jkt.clone(),
                ..Fields::default()
            },
            TabMessage::Nonce(origin, nonce) => Fields {
                kind: Some("nonce".into()),
                origin: Some(origin.clone()),
                nonce: Some(nonce.clone()),
                ..Fields::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_what_is_not_a_message() {
        let token = SharedToken {
            access_token: "t".into(),
            received_at: Time::from_millis(1000),
            expires_at: Time::from_millis(61_000),
            scope: "read".into(),
            session_expires_at: None,
            jkt: Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I".into()),
        };
        let peek = Peek {
            subject: Some("alice".into()),
            iat: Some(1.0),
        };
        for message in [
            TabMessage::Hello,
            TabMessage::Logout("invalid_grant".into()),
            TabMessage::Token(token, peek),
            TabMessage::Nonce("https://api.example".into(), "n-1".into()),
        ] {
            assert_eq!(TabMessage::decode(message.encode()), Some(message.clone()));
        }
        let token_fields = TabMessage::decode(Fields {
            kind: Some("token".into()),
            access_token: Some("t".into()),
            received_at: Some(f64::NAN),
            expires_at: Some(5.0),
            ..Fields::default()
        });
        assert_eq!(token_fields, None, "NaN times are no message");
        assert_eq!(TabMessage::decode(Fields::default()), None);
        assert_eq!(
            TabMessage::decode(Fields {
                kind: Some("nope".into()),
                ..Fields::default()
            }),
            None
        );
        let odd = TabMessage::decode(Fields {
            kind: Some("logout".into()),
            reason: Some("<script>".into()),
            ..Fields::default()
        });
        assert_eq!(
            odd,
            Some(TabMessage::Logout("logout".into())),
            "an odd reason becomes the plain one"
        );
    }
}
