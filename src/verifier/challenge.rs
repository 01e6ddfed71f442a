//! Errors as HTTP responses: RFC 6750 §3 for resource servers (`401 invalid_token` with a
//! `WWW-Authenticate: Bearer` challenge, `403 insufficient_scope`), RFC 9449 §7.1 for DPoP
//! (`WWW-Authenticate: DPoP error="…", algs="ES256"`, and `DPoP-Nonce` with `use_dpop_nonce`),
//! RFC 6749 §5.2 for the token endpoints (`invalid_grant`). The one mapping from error codes to the wire; the wire says as
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
    /// The challenge's error (RFC 6750 §3, RFC 9449 §7.1), for resource-server errors.
    pub bearer: Option<&'static str>,
    /// Tessera's code, for clients.
    pub code: Option<ErrorCode>,
    /// The challenge's scheme is `DPoP` (with `algs`) rather than `Bearer`.
    pub dpop: bool,
}

/// The signature algorithms a DPoP proof may use, as a challenge's `algs` lists them.
pub const DPOP_ALGS: &str = "ES256";

/// Whether `code` is about DPoP, so that its challenge is a DPoP one whatever the request sent.
pub fn is_dpop_code(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::InvalidDpopProof | ErrorCode::DpopReplay | ErrorCode::UseDpopNonce | ErrorCode::DpopBinding
    )
}

/// [`error_answer`] for a request that presented its token with the DPoP scheme (or whose token
/// is DPoP-bound): its challenge is a DPoP one.
pub fn error_answer_for(code: Option<ErrorCode>, dpop_request: bool) -> ErrorAnswer {
    let mut answer = error_answer(code);
    answer.dpop |= dpop_request && answer.bearer.is_some();
    answer
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
        Some(C::InvalidDpopProof | C::DpopReplay) => (401, "invalid_dpop_proof", Some("invalid_dpop_proof")),
        Some(C::UseDpopNonce) => (401, "use_dpop_nonce", Some("use_dpop_nonce")),
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
            | C::Revoked
            | C::DpopBinding,
        ) => (401, "invalid_token", Some("invalid_token")),
    };
    ErrorAnswer {
        status,
        error,
        bearer,
        code: code.filter(|c| *c != C::Freed),
        dpop: code.is_some_and(is_dpop_code),
    }
}

impl ErrorAnswer {
    /// The `WWW-Authenticate` value, if any: `Bearer error="…"` or
    /// `DPoP error="…", algs="ES256"`.
    pub fn challenge(&self) -> Option<String> {
        self.bearer.map(|error| {
            let mut challenge = String::from(if self.dpop { "DPoP error=\"" } else { "Bearer error=\"" });
            challenge.push_str(error);
            challenge.push('"');
            if self.dpop {
                challenge.push_str(", algs=\"");
                challenge.push_str(DPOP_ALGS);
                challenge.push('"');
            }
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
        self.description_text_with_nonce(None)
    }

    /// [`ErrorAnswer::description_text`], with a `DPoP-Nonce` header when the answer is
    /// `use_dpop_nonce` and `nonce` (base64url) is given.
    pub fn description_text_with_nonce(&self, nonce: Option<&str>) -> String {
        let mut text = String::from("{\"status\":");
        text.push_str(match self.status {
            400 => "400",
            401 => "401",
            403 => "403",
            500 => "500",
            _ => "503",
        });
        text.push_str(",\"headers\":[[\"cache-control\",\"no-store\"]");
        if let Some(challenge) = self.challenge() {
            text.push_str(",[\"www-authenticate\",\"");
            // The challenge's only quotes are its own: escape them for JSON.
            for c in challenge.chars() {
                if c == '"' {
                    text.push('\\');
                }
                text.push(c);
            }
            text.push_str("\"]");
        }
        if let Some(nonce) =
            nonce.filter(|n| self.code == Some(ErrorCode::UseDpopNonce) && !n.is_empty() && crate::jose::b64::is_alphabet(n))
        {
            text.push_str(",[\"dpop-nonce\",\"");
            text.push_str(nonce);
            text.push_str("\"]");
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
