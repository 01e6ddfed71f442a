//! The refresh-token cookie (RFC 6265): strict reading of the `Cookie` header and the
//! `Set-Cookie` values Tessera sends (`HttpOnly; Secure; SameSite=Strict`, no `Domain`).

use crate::error::{Error, ErrorCode, Result};

/// The `Cookie` header value is capped before parsing.
pub const MAX_COOKIE_HEADER: usize = 8 * 1024;
/// The cookie-name prefix that browsers accept only from a `Secure` response of the host itself,
/// with `Path=/` and no `Domain` (RFC 6265bis §4.1.3.2).
pub const HOST_PREFIX: &str = "__Host-";

/// The value of cookie `name` in a `Cookie` header. Absent: `Ok(None)`. Present twice (a
/// cookie-tossing attempt from a sibling path or subdomain) or oversized: an error.
pub fn read(header: Option<&str>, name: &str) -> Result<Option<String>> {
    let mut values = read_all(header, name)?.into_iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(Error::new(ErrorCode::InvalidGrant, "the refresh cookie is present more than once"));
    }
    Ok(first)
}

/// Every value of the cookie `name` in a `Cookie` header, in order (a sibling subdomain can add
/// a second one: cookie tossing).
pub fn read_all(header: Option<&str>, name: &str) -> Result<Vec<String>> {
    let Some(header) = header else { return Ok(Vec::new()) };
    if header.len() > MAX_COOKIE_HEADER {
        return Err(Error::malformed("the Cookie header is too large"));
    }
    Ok(header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
        .collect())
}

/// `Set-Cookie` for a new refresh token; `Max-Age` is the family's remaining absolute lifetime.
pub fn set(name: &str, value: &str, path: &str, max_age: i64) -> String {
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict")
}

/// `Set-Cookie` that clears the refresh cookie.
pub fn clear(name: &str, path: &str) -> String {
    format!("{name}=; Path={path}; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
}

/// Cookie names must be RFC 6265 tokens; paths must start with `/` and hold no `;`.
pub fn check_options(name: &str, path: &str) -> Result<()> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(Error::claim(
            ErrorCode::InvalidOptions,
            "cookie",
            "cookie.name must be an RFC 6265 token",
        ));
    }
    if name.len() >= HOST_PREFIX.len() && name.get(..HOST_PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(HOST_PREFIX)) {
        // Browsers drop a __Host- cookie whose Path is not `/`: the option sets both.
        return Err(Error::claim(
            ErrorCode::InvalidOptions,
            "cookie",
            "use cookie.hostPrefix: true instead of a __Host- name",
        ));
    }
    if !path.starts_with('/') || path.chars().any(|c| c == ';' || c.is_control() || c.is_whitespace()) {
        return Err(Error::claim(
            ErrorCode::InvalidOptions,
            "cookie",
            "cookie.path must start with / and hold no ; or spaces",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_strictly() {
        assert_eq!(read(Some("a=1; rt=xyz; b=2"), "rt"), Ok(Some("xyz".into())));
        assert_eq!(read(Some("a=1"), "rt"), Ok(None));
        assert_eq!(read(None, "rt"), Ok(None));
        assert_eq!(read(Some("rt=1; rt=2"), "rt").unwrap_err().code(), ErrorCode::InvalidGrant);
        assert!(read(Some(&"a".repeat(MAX_COOKIE_HEADER + 1)), "rt").is_err());
    }

    #[test]
    fn set_cookie_attributes() {
        assert_eq!(
            set("rt", "v", "/auth", 60),
            "rt=v; Path=/auth; Max-Age=60; HttpOnly; Secure; SameSite=Strict"
        );
        // The clearing header must name the same Path (and no Domain), or the browser keeps the
        // cookie it set.
        assert_eq!(
            clear("rt", "/auth"),
            "rt=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict"
        );
        assert_eq!(
            clear("__Host-rt", "/"),
            "__Host-rt=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"
        );
        assert!(check_options("rt", "/auth").is_ok());
        assert!(check_options("r t", "/auth").is_err());
        assert!(check_options("rt", "auth").is_err());
    }
}
