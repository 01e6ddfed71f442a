//! Errors as HTTP responses: RFC 6750 §3 for resource servers (`401 invalid_token` with a
//! `WWW-Authenticate: Bearer` challenge, `403 insufficient_scope`), RFC 6749 §5.2 for the token
//! endpoints (`invalid_grant`). The one mapping from error codes to the wire; the wire says as
//! little as the standards need, `code` is Tessera's stable code for clients.

use serde_json::{json, Value};

use crate::error::ErrorCode;

/// A response to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
}

impl Response {
    /// `{ status, headers: [[name, value], …], body }`, for a binding to make its own `Response`.
    pub fn to_json(&self) -> Value {
        let headers: Vec<Value> = self.headers.iter().map(|(name, value)| json!([name, value])).collect();
        json!({ "status": self.status, "headers": headers, "body": self.body })
    }
}

/// What an error answers on the wire: the one mapping from codes (`None`: an error that is not
/// Tessera's, such as a bug in the calling code, answered `500 server_error` without detail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorAnswer {
    pub status: u16,
    /// The OAuth error (`invalid_token`, `invalid_grant`, …).
    pub error: &'static str,
    /// The Bearer challenge's error (RFC 6750 §3), for resource-server errors.
    pub bearer: Option<&'static str>,
    /// Tessera's code, for clients.
    pub code: Option<ErrorCode>,
}

pub fn error_answer(code: Option<ErrorCode>) -> ErrorAnswer {
    use ErrorCode as C;
    let (status, error, bearer) = match code {
        None | Some(C::Freed) => (500, "server_error", None),
        Some(C::InvalidGrant) => (401, "invalid_grant", None),
        Some(C::Csrf) => (403, "forbidden", None),
        Some(C::StoreUnavailable | C::JwksFetch) => (503, "temporarily_unavailable", None),
        Some(C::InvalidOptions) => (400, "invalid_request", None),
        Some(C::InsufficientScope) => (403, "insufficient_scope", Some("insufficient_scope")),
        Some(
            C::Malformed
            | C::AlgNotAllowed
            | C::Unsupported
            | C::NoMatchingKey
            | C::AmbiguousKey
            | C::InvalidKey
            | C::BadSignature
            | C::Expired
            | C::NotYetValid
            | C::IssuedInFuture
            | C::TooOld
            | C::BadIssuer
            | C::BadAudience
            | C::BadSubject
            | C::BadClaim
            | C::BadType
            | C::MissingClaim
            | C::InvalidClaim
            | C::Revoked,
        ) => (401, "invalid_token", Some("invalid_token")),
    };
    ErrorAnswer {
        status,
        error,
        bearer,
        code: code.filter(|c| *c != C::Freed),
    }
}

impl ErrorAnswer {
    /// The `WWW-Authenticate` value, if any: `Bearer error="…"`.
    pub fn challenge(&self) -> Option<String> {
        self.bearer.map(|error| {
            let mut challenge = String::from("Bearer error=\"");
            challenge.push_str(error);
            challenge.push('"');
            challenge
        })
    }

    /// The JSON body: `{"error":…,"code":…}` (fixed ASCII names, so no escaping is needed).
    pub fn body_text(&self) -> String {
        let mut body = String::from("{\"error\":\"");
        body.push_str(self.error);
        if let Some(code) = self.code {
            body.push_str("\",\"code\":\"");
            body.push_str(code.as_str());
        }
        body.push_str("\"}");
        body
    }

    /// `{ status, headers: [[name, value]…], body }` as JSON text, for a binding to make its own
    /// `Response` (written out by hand: nothing in the verify build serializes JSON values).
    pub fn description_text(&self) -> String {
        let mut text = String::from("{\"status\":");
        text.push_str(match self.status {
            400 => "400",
            401 => "401",
            403 => "403",
            500 => "500",
            _ => "503",
        });
        text.push_str(",\"headers\":[[\"cache-control\",\"no-store\"]");
        if let Some(error) = self.bearer {
            text.push_str(",[\"www-authenticate\",\"Bearer error=\\\"");
            text.push_str(error);
            text.push_str("\\\"\"]");
        }
        text.push_str("],\"body\":");
        text.push_str(&self.body_text());
        text.push('}');
        text
    }
}

/// The response for an error `code` (see [`error_answer`]).
pub fn error_response(code: Option<ErrorCode>) -> Response {
    let answer = error_answer(code);
    let mut headers = vec![("cache-control", "no-store".to_string())];
    if let Some(challenge) = answer.challenge() {
        headers.push(("www-authenticate", challenge));
    }
    let body = match answer.code {
        Some(code) => json!({ "error": answer.error, "code": code.as_str() }),
        None => json!({ "error": answer.error }),
    };
    Response {
        status: answer.status,
        headers,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
        response.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn every_code_has_its_answer() {
        let expired = error_response(Some(ErrorCode::Expired));
        assert_eq!(expired.status, 401);
        assert_eq!(header(&expired, "www-authenticate"), Some(r#"Bearer error="invalid_token""#));
        assert_eq!(expired.body, json!({ "error": "invalid_token", "code": "ERR_EXPIRED" }));
        let scope = error_response(Some(ErrorCode::InsufficientScope));
        assert_eq!(
            (scope.status, header(&scope, "www-authenticate")),
            (403, Some(r#"Bearer error="insufficient_scope""#))
        );
        let unknown = error_response(None);
        assert_eq!((unknown.status, unknown.body.clone()), (500, json!({ "error": "server_error" })));
        assert!(header(&unknown, "www-authenticate").is_none());
        for code in ErrorCode::ALL.iter().copied().map(Some).chain([None]) {
            let response = error_response(code);
            assert!(matches!(response.status, 400 | 401 | 403 | 500 | 503), "{code:?}");
            assert_eq!(header(&response, "cache-control"), Some("no-store"));
            // The hand-written texts say exactly what the response says.
            let answer = error_answer(code);
            assert_eq!(serde_json::from_str::<Value>(&answer.body_text()).unwrap(), response.body);
            let description: Value = serde_json::from_str(&answer.description_text()).unwrap();
            assert_eq!(description, response.to_json(), "{code:?}");
        }
    }
}
