//! Reading plain data into the session's types: a `JSON.parse`d token response, a
//! structured-clone channel message, a data copy of the options. The member names and types of
//! the wire protocol, and what a member of the wrong type means, are decided here, once: the
//! binding reads JavaScript values through [`PlainData`], the fuzz targets read JSON through it,
//! so both exercise the same rules.

use alloc::string::String;
use alloc::vec::Vec;

use super::message::Fields;
use super::{SessionOptions, TokenResponse};

/// A member present with another type than the one asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WrongType;

/// One plain data object as its reader sees it. Each member reader answers `Ok(None)` when the
/// member is absent or `null` (or the value is not an object), and `Err(WrongType)` when it is
/// present with another type.
pub trait PlainData {
    fn string(&self, name: &str) -> Result<Option<String>, WrongType>;
    fn number(&self, name: &str) -> Result<Option<f64>, WrongType>;
    fn boolean(&self, name: &str) -> Result<Option<bool>, WrongType>;
    /// An array of strings (any other item makes it the wrong type).
    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, WrongType>;
}

impl TokenResponse {
    /// A token response body. A member of the wrong type makes the whole response empty (which
    /// the session then refuses as malformed).
    pub fn read(data: &impl PlainData) -> TokenResponse {
        let read = || -> Result<TokenResponse, WrongType> {
            Ok(TokenResponse {
                access_token: data.string("access_token")?,
                token_type: data.string("token_type")?,
                expires_in: data.number("expires_in")?,
                scope: data.string("scope")?,
                refresh_expires_in: data.number("refresh_expires_in")?,
            })
        };
        read().unwrap_or_default()
    }
}

impl Fields {
    /// A channel message's members (`None`: a member of the wrong type, no message).
    pub fn read(data: &impl PlainData) -> Option<Fields> {
        Some(Fields {
            kind: data.string("type").ok()?,
            access_token: data.string("accessToken").ok()?,
            received_at: data.number("receivedAt").ok()?,
            expires_at: data.number("expiresAt").ok()?,
            scope: data.string("scope").ok()?,
            session_expires_at: data.number("sessionExpiresAt").ok()?,
            subject: data.string("subject").ok()?,
            iat: data.number("iat").ok()?,
            reason: data.string("reason").ok()?,
            jkt: data.string("jkt").ok()?,
            origin: data.string("origin").ok()?,
            nonce: data.string("nonce").ok()?,
        })
    }
}

impl SessionOptions {
    /// The options as given, with `page_origin` (`location.origin`). Known names of the wrong
    /// type are kept in `rejected`, for `Session::new` to refuse; the reader then passes every
    /// member name to [`SessionOptions::member_name`].
    pub fn read(data: &impl PlainData, page_origin: String) -> SessionOptions {
        let mut read = SessionOptions {
            page_origin,
            ..SessionOptions::default()
        };
        macro_rules! take {
            ($field:ident, $reader:ident, $name:literal) => {
                match data.$reader($name) {
                    Ok(value) => read.$field = value,
                    Err(WrongType) => read.rejected.push((String::from($name), true)),
                }
            };
        }
        take!(auth_path, string, "authPath");
        take!(refresh_margin, number, "refreshMargin");
        take!(channel, string, "channel");
        take!(api_origins, strings, "apiOrigins");
        take!(dpop, boolean, "dpop");
        read
    }

    /// One member name of the options object: an unknown name is kept in `rejected`.
    pub fn member_name(&mut self, name: String) {
        if !matches!(name.as_str(), "authPath" | "refreshMargin" | "channel" | "apiOrigins" | "dpop") {
            self.rejected.push((name, false));
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec;

    use super::*;

    /// A data object with members of four kinds.
    enum Member {
        Text(&'static str),
        Number(f64),
        Flag(bool),
        Texts(Vec<&'static str>),
    }

    struct Object(Vec<(&'static str, Member)>);

    impl Object {
        fn get(&self, name: &str) -> Option<&Member> {
            self.0.iter().find(|(n, _)| *n == name).map(|(_, m)| m)
        }
    }

    impl PlainData for Object {
        fn string(&self, name: &str) -> Result<Option<String>, WrongType> {
            match self.get(name) {
                None => Ok(None),
                Some(Member::Text(t)) => Ok(Some(t.to_string())),
                Some(_) => Err(WrongType),
            }
        }
        fn number(&self, name: &str) -> Result<Option<f64>, WrongType> {
            match self.get(name) {
                None => Ok(None),
                Some(Member::Number(n)) => Ok(Some(*n)),
                Some(_) => Err(WrongType),
            }
        }
        fn boolean(&self, name: &str) -> Result<Option<bool>, WrongType> {
            match self.get(name) {
                None => Ok(None),
                Some(Member::Flag(b)) => Ok(Some(*b)),
                Some(_) => Err(WrongType),
            }
        }
        fn strings(&self, name: &str) -> Result<Option<Vec<String>>, WrongType> {
            match self.get(name) {
                None => Ok(None),
                Some(Member::Texts(items)) => Ok(Some(items.iter().map(|t| t.to_string()).collect())),
                Some(_) => Err(WrongType),
            }
        }
    }

    #[test]
    fn options_of_the_wrong_type_and_unknown_names_are_rejected() {
        let data = Object(vec![
            ("authPath", Member::Text("/auth")),
            ("refreshMargin", Member::Text("30")),
            ("apiOrigins", Member::Texts(vec!["https://api.example"])),
            ("dpop", Member::Number(1.0)),
        ]);
        let mut read = SessionOptions::read(&data, "https://app.example".to_string());
        for name in ["authPath", "refreshMargin", "apiOrigins", "dpop", "refreshMargn"] {
            read.member_name(name.to_string());
        }
        assert_eq!(read.auth_path.as_deref(), Some("/auth"));
        assert_eq!(read.api_origins, Some(vec!["https://api.example".to_string()]));
        assert_eq!((read.refresh_margin, read.dpop), (None, None));
        assert_eq!(read.page_origin, "https://app.example");
        assert_eq!(
            read.rejected,
            vec![
                ("refreshMargin".to_string(), true),
                ("dpop".to_string(), true),
                ("refreshMargn".to_string(), false)
            ]
        );
    }

    #[test]
    fn a_member_of_the_wrong_type_empties_a_token_response_and_drops_a_message() {
        let good = Object(vec![
            ("access_token", Member::Text("t")),
            ("token_type", Member::Text("Bearer")),
            ("expires_in", Member::Number(300.0)),
        ]);
        let response = TokenResponse::read(&good);
        assert_eq!((response.access_token.as_deref(), response.expires_in), (Some("t"), Some(300.0)));
        let bad = Object(vec![("access_token", Member::Text("t")), ("expires_in", Member::Text("300"))]);
        assert_eq!(TokenResponse::read(&bad), TokenResponse::default());

        let message = Object(vec![("type", Member::Text("logout")), ("reason", Member::Text("user"))]);
        assert_eq!(Fields::read(&message).and_then(|f| f.reason), Some("user".to_string()));
        let wrong = Object(vec![("type", Member::Text("logout")), ("reason", Member::Flag(true))]);
        assert_eq!(Fields::read(&wrong), None);
    }
}
