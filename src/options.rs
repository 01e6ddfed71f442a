//! Reading option objects: unknown or ill-typed options are `ERR_INVALID_OPTIONS` naming the
//! option, and the message never repeats the rejected value (it may be a key or a token).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};

/// Deserializes `T` from a JSON value. `what` names the API ("Verifier", "sign", …).
pub fn from_json<T: DeserializeOwned>(json: &Value, what: &'static str) -> Result<T> {
    serde_path_to_error::deserialize(json).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner().to_string();
        // serde's text for a wrong type quotes the value ("invalid type: string \"…\", expected
        // f64"): keep only the expectation. Unknown-field text names just the field.
        let detail = if let Some(rest) = inner.strip_prefix("unknown field `") {
            // The name is the caller's, not a value; still, keep it short.
            let name: String = rest.split('`').next().unwrap_or_default().chars().take(64).collect();
            format!("unknown option `{name}`")
        } else if let Some((_, expected)) = inner.rsplit_once(", expected ") {
            format!("has the wrong type or value (expected {expected})")
        } else if inner.starts_with("missing field") {
            inner
        } else {
            "has an invalid value".to_string()
        };
        if path == "." {
            Error::new(ErrorCode::InvalidOptions, format!("{what} options: {detail}"))
        } else {
            let option = path.split(['.', '[']).next().unwrap_or_default().to_string();
            Error::claim(ErrorCode::InvalidOptions, option, format!("{what} option {path} {detail}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verifier::VerifierOptions;
    use serde_json::json;

    fn error(value: Value) -> Error {
        match from_json::<VerifierOptions>(&value, "Verifier") {
            Err(e) => e,
            Ok(_) => Error::malformed("unexpectedly accepted"),
        }
    }

    #[test]
    fn names_the_option_and_hides_the_value() {
        let e = error(json!({"clockTolerance": "secret-5s"}));
        assert_eq!(e.code(), ErrorCode::InvalidOptions);
        assert_eq!(e.claim_name(), Some("clockTolerance"));
        assert!(!e.message().contains("secret"), "{}", e.message());
        // The value may itself contain serde's wording; only the final expectation is kept.
        let e = error(json!({"clockTolerance": "a, expected SECRET"}));
        assert!(!e.message().contains("SECRET"), "{}", e.message());
        let e = error(json!({"algorithms": ["ES256", 7]}));
        assert_eq!(e.claim_name(), Some("algorithms"));
        let e = error(json!({"issuerr": "x"}));
        assert!(e.message().contains("issuerr"), "{}", e.message());
        assert!(from_json::<VerifierOptions>(&json!({"issuer": null}), "Verifier").is_ok());
    }
}
