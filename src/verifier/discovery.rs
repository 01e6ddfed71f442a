//! OpenID Connect Discovery 1.0 and OAuth 2.0 Authorization Server Metadata (RFC 8414), sans
//! I/O: which metadata document to fetch for an issuer, and what its answer means. The remote key
//! set ([`super::remote::RemoteJwks`]) asks for a metadata fetch before its first key set fetch
//! and again when its key set is stale; the binding performs the fetches.
//!
//! Rules:
//! * The OpenID document is `{issuer}/.well-known/openid-configuration` (OIDC Discovery §4, a
//!   trailing `/` of the issuer removed). When it does not answer `200`, RFC 8414's
//!   `/.well-known/oauth-authorization-server` inserted before the issuer's path (§3.1) is tried
//!   next, then the OpenID document again after the cooldown.
//! * The document's `issuer` must equal the configured issuer exactly (OIDC Discovery §4.3,
//!   RFC 8414 §3.3): a document for another issuer would let whoever serves it choose the keys.
//! * `jwks_uri` must be `https:` (plain `http:` only for loopback hosts), as a `jwksUrl` option.
//! * Failures are `ERR_JWKS_FETCH`: the token is not at fault, the verifier cannot get keys.

use serde_json::Value;

use super::remote::check_url;
use crate::error::{Error, ErrorCode, Result};
use crate::jose::json;

/// The metadata document being asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Document {
    /// `/.well-known/openid-configuration` appended to the issuer.
    OpenId,
    /// `/.well-known/oauth-authorization-server` inserted before the issuer's path.
    OAuth,
}

/// What an answer to a metadata fetch means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Discovered {
    /// The document names this `jwks_uri` (checked).
    JwksUri(String),
    /// The OpenID document is not there: ask for the RFC 8414 one now.
    TryNext,
}

/// An issuer's metadata location.
#[derive(Clone, Debug)]
pub struct Discovery {
    issuer: String,
    document: Document,
}

fn failed(message: &'static str) -> Error {
    Error::new(ErrorCode::JwksFetch, message)
}

impl Discovery {
    /// For the `issuer` option: one URL, `https:` (loopback `http:` allowed), without query or
    /// fragment (OIDC Discovery §3, RFC 8414 §2).
    pub fn new(issuer: &str) -> Result<Discovery> {
        let invalid = || {
            Error::claim(
                ErrorCode::InvalidOptions,
                "issuer",
                "option discovery needs one issuer: an https: URL (http: only for loopback hosts) without query or fragment",
            )
        };
        check_url(issuer).map_err(|_| invalid())?;
        if issuer.contains(['?', '#']) {
            return Err(invalid());
        }
        Ok(Discovery {
            issuer: issuer.to_string(),
            document: Document::OpenId,
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The URL of the metadata document to fetch next.
    pub fn url(&self) -> String {
        let issuer = self.issuer.strip_suffix('/').unwrap_or(&self.issuer);
        // check_url accepted the issuer: `https://` or `http://`, then the authority. (Built with
        // `push_str` and a character search: `format!` and a substring search were 1 kB of wasm.)
        let (origin, path, document) = match self.document {
            Document::OpenId => (issuer, "", "/.well-known/openid-configuration"),
            Document::OAuth => {
                let scheme_end = issuer.find(':').map_or(0, |i| i + 3);
                let path_start = issuer
                    .get(scheme_end..)
                    .and_then(|rest| rest.find('/'))
                    .map_or(issuer.len(), |i| scheme_end + i);
                let (origin, path) = issuer.split_at_checked(path_start).unwrap_or((issuer, ""));
                (origin, path, "/.well-known/oauth-authorization-server")
            }
        };
        let mut url = String::with_capacity(origin.len() + document.len() + path.len());
        url.push_str(origin);
        url.push_str(document);
        url.push_str(path);
        url
    }

    /// Whether `url` is one of this issuer's metadata documents (an answer to route here).
    pub fn is_metadata_url(&self, url: &str) -> bool {
        let mut probe = self.clone();
        [Document::OpenId, Document::OAuth].into_iter().any(|document| {
            probe.document = document;
            probe.url() == url
        })
    }

    /// Takes the answer to a fetch of [`Discovery::url`]: status (`None`: the request failed)
    /// and body.
    pub fn absorb(&mut self, answer: Option<(u16, &[u8])>, max_bytes: usize) -> Result<Discovered> {
        let result = match answer {
            Some((200, body)) => Self::read(&self.issuer, body, max_bytes),
            Some(_) if self.document == Document::OpenId => {
                self.document = Document::OAuth;
                return Ok(Discovered::TryNext);
            }
            Some(_) => Err(failed("the issuer's metadata documents did not answer 200")),
            None => Err(failed("the issuer's metadata could not be fetched")),
        };
        if result.is_err() {
            // The next attempt (after the cooldown) starts from the OpenID document again.
            self.document = Document::OpenId;
        }
        result
    }

    fn read(issuer: &str, body: &[u8], max_bytes: usize) -> Result<Discovered> {
        if body.len() > max_bytes {
            return Err(failed("the issuer's metadata is too large"));
        }
        let metadata = json::parse_object(body, "").map_err(|_| failed("the issuer's metadata is not a JSON object"))?;
        if metadata.get("issuer").and_then(Value::as_str) != Some(issuer) {
            return Err(failed("the issuer's metadata names another issuer"));
        }
        let jwks_uri = metadata
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| failed("the issuer's metadata has no jwks_uri"))?;
        check_url(jwks_uri).map_err(|_| failed("the issuer's jwks_uri is not an https: URL"))?;
        Ok(Discovered::JwksUri(jwks_uri.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MAX: usize = 64 * 1024;

    fn metadata(value: serde_json::Value) -> Vec<u8> {
        value.to_string().into_bytes()
    }

    #[test]
    fn metadata_urls() -> Result<()> {
        let root = Discovery::new("https://auth.example")?;
        assert_eq!(root.url(), "https://auth.example/.well-known/openid-configuration");
        let slash = Discovery::new("https://auth.example/")?;
        assert_eq!(slash.url(), "https://auth.example/.well-known/openid-configuration");
        let mut tenant = Discovery::new("https://login.example/tenant-1/v2.0")?;
        assert_eq!(tenant.url(), "https://login.example/tenant-1/v2.0/.well-known/openid-configuration");
        assert_eq!(tenant.absorb(Some((404, b"")), MAX)?, Discovered::TryNext);
        assert_eq!(
            tenant.url(),
            "https://login.example/.well-known/oauth-authorization-server/tenant-1/v2.0"
        );
        assert!(tenant.is_metadata_url("https://login.example/tenant-1/v2.0/.well-known/openid-configuration"));
        assert!(!tenant.is_metadata_url("https://login.example/jwks"));
        let mut local = Discovery::new("http://127.0.0.1:8080")?;
        let _ = local.absorb(Some((500, b"")), MAX)?;
        assert_eq!(local.url(), "http://127.0.0.1:8080/.well-known/oauth-authorization-server");
        for bad in [
            "http://auth.example",
            "https://auth.example?x=1",
            "https://auth.example/#a",
            "auth.example",
            "https://user@auth.example",
        ] {
            let error = Discovery::new(bad).err().map(|e| (e.code(), e.claim_name().map(str::to_string)));
            assert_eq!(error, Some((ErrorCode::InvalidOptions, Some("issuer".into()))), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn the_document_must_name_the_issuer_exactly_and_an_https_jwks_uri() -> Result<()> {
        let issuer = "https://auth.example/";
        let mut d = Discovery::new(issuer)?;
        let good = metadata(json!({ "issuer": issuer, "jwks_uri": "https://keys.example/jwks.json" }));
        assert_eq!(
            d.absorb(Some((200, &good)), MAX)?,
            Discovered::JwksUri("https://keys.example/jwks.json".into())
        );
        for (what, body) in [
            (
                "issuer without the slash",
                metadata(json!({ "issuer": "https://auth.example", "jwks_uri": "https://k.example/j" })),
            ),
            (
                "issuer in another case",
                metadata(json!({ "issuer": "https://AUTH.example/", "jwks_uri": "https://k.example/j" })),
            ),
            (
                "another issuer",
                metadata(json!({ "issuer": "https://evil.example/", "jwks_uri": "https://k.example/j" })),
            ),
            ("no issuer", metadata(json!({ "jwks_uri": "https://k.example/j" }))),
            ("no jwks_uri", metadata(json!({ "issuer": issuer }))),
            (
                "jwks_uri over http",
                metadata(json!({ "issuer": issuer, "jwks_uri": "http://k.example/j" })),
            ),
            (
                "jwks_uri not a string",
                metadata(json!({ "issuer": issuer, "jwks_uri": ["https://k.example/j"] })),
            ),
            ("not an object", b"[]".to_vec()),
            (
                "duplicate members",
                format!(r#"{{"issuer":"{issuer}","issuer":"{issuer}","jwks_uri":"https://k.example/j"}}"#).into_bytes(),
            ),
            ("too large", [good.clone(), vec![b' '; MAX]].concat()),
        ] {
            let mut d = Discovery::new(issuer)?;
            assert_eq!(
                d.absorb(Some((200, &body)), MAX).map_err(|e| e.code()),
                Err(ErrorCode::JwksFetch),
                "{what}"
            );
        }
        // Both documents missing, or the request failing: an error, and the OpenID document first
        // again next time.
        let mut d = Discovery::new(issuer)?;
        assert_eq!(d.absorb(Some((404, b"")), MAX)?, Discovered::TryNext);
        assert_eq!(d.absorb(Some((404, b"")), MAX).map_err(|e| e.code()), Err(ErrorCode::JwksFetch));
        assert_eq!(d.url(), "https://auth.example/.well-known/openid-configuration");
        assert_eq!(d.absorb(None, MAX).map_err(|e| e.code()), Err(ErrorCode::JwksFetch));
        Ok(())
    }
}
