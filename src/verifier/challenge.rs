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

/// The response for an error `code`; `None` (an error that is not Tessera's, such as a bug in the
/// calling code) is `500 server_error` without detail.
pub fn error_response(code: Option<ErrorCode>) -> Response {
    use ErrorCode as C;
    let (status, wire, bearer) = match code {
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
            | C::BadType
            | C::MissingClaim
            | C::InvalidClaim
            | C::Revoked,
        ) => (401, "invalid_token", Some("invalid_token")),
    };
    let mut headers = vec![("cache-control", "no-store".to_string())];
    if let Some(error) = bearer {
        let mut challenge = String::from("Bearer error=\"");
        challenge.push_str(error);
        challenge.push('"');
        headers.push(("www-authenticate", challenge));
    }
    let body = match code {
        Some(code) if code != C::Freed => json!({ "error": wire, "code": code.as_str() }),
        _ => json!({ "error": wire }),
    };
    Response { status, headers, body }
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
        for code in ErrorCode::ALL {
            let response = error_response(Some(code));
            assert!(matches!(response.status, 400 | 401 | 403 | 500 | 503), "{code}");
            assert_eq!(header(&response, "cache-control"), Some("no-store"));
        }
    }
}
