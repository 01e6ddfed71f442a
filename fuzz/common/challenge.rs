//! `session::is_invalid_token` (does a `WWW-Authenticate` value hold a Bearer challenge with
//! `error="invalid_token"`?) against a reference reading of RFC 9110 §11.6.1 / RFC 7235:
//!
//! ```text
//! WWW-Authenticate = #challenge            ; list: empty elements allowed, OWS "," OWS
//! challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-param       = token BWS "=" BWS ( token / quoted-string )
//! ```
//!
//! The reference answers only for values that are well-formed by that grammar; for those,
//! `is_invalid_token` must agree (F11 in README.md was a disagreement). Anything else only must
//! not panic.
#![allow(dead_code)]

use tessera::session::is_invalid_token;

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Reader<'a> {
    s: &'a [u8],
    p: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.p).copied()
    }

    fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.p += 1;
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.p;
        while self.peek().is_some_and(is_tchar) {
            self.p += 1;
        }
        (self.p > start).then(|| String::from_utf8_lossy(&self.s[start..self.p]).into_owned())
    }

    /// A quoted-string, unescaped.
    fn quoted(&mut self) -> Option<Vec<u8>> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.p += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.p += 1;
                    return Some(out);
                }
                b'\\' => {
                    let next = *self.s.get(self.p + 1)?;
                    if !(next == b'\t' || next == b' ' || (0x21..=0x7e).contains(&next) || next >= 0x80) {
                        return None;
                    }
                    out.push(next);
                    self.p += 2;
                }
                b @ (b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff) => {
                    out.push(b);
                    self.p += 1;
                }
                _ => return None,
            }
        }
    }

    /// `token BWS "=" BWS ( token / quoted-string )`, or nothing consumed.
    fn param(&mut self) -> Option<(String, Vec<u8>)> {
        let start = self.p;
        let result = (|| {
            let name = self.token()?;
            self.ows();
            if self.peek() != Some(b'=') {
                return None;
            }
            self.p += 1;
            self.ows();
            let value = match self.peek() {
                Some(b'"') => self.quoted()?,
                _ => self.token()?.into_bytes(),
            };
            Some((name, value))
        })();
        if result.is_none() {
            self.p = start;
        }
        result
    }

    /// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`, or nothing consumed.
    fn token68(&mut self) -> bool {
        let start = self.p;
        while self.peek().is_some_and(is_token68_char) {
            self.p += 1;
        }
        if self.p == start {
            return false;
        }
        while self.peek() == Some(b'=') {
            self.p += 1;
        }
        true
    }

    /// After an element: the end, or list separators (`OWS "," OWS`, repeated). `false`: neither.
    fn separator(&mut self) -> bool {
        self.ows();
        if self.peek().is_none() {
            return true;
        }
        if self.peek() != Some(b',') {
            return false;
        }
        while matches!(self.peek(), Some(b',' | b' ' | b'\t')) {
            self.p += 1;
        }
        true
    }
}

/// The reference: `Some(answer)` for a well-formed header value, `None` otherwise.
pub fn reference(value: &str) -> Option<bool> {
    let mut r = Reader { s: value.as_bytes(), p: 0 };
    let mut found = false;
    // Leading empty list elements.
    while matches!(r.peek(), Some(b',' | b' ' | b'\t')) {
        r.p += 1;
    }
    while r.peek().is_some() {
        let scheme = r.token()?;
        let bearer = scheme.eq_ignore_ascii_case("bearer");
        let spaces = r.p;
        while r.peek() == Some(b' ') {
            r.p += 1;
        }
        let has_space = r.p > spaces;
        if has_space && r.peek().is_some_and(|b| b != b',') {
            if let Some((name, value)) = r.param() {
                // #auth-param: params separated by list commas, until an element that is no param.
                let mut param = Some((name, value));
                while let Some((name, value)) = param.take() {
                    if bearer && name.eq_ignore_ascii_case("error") && value == b"invalid_token" {
                        found = true;
                    }
                    if !r.separator() {
                        return None;
                    }
                    param = r.param();
                }
                continue;
            }
            if !r.token68() {
                return None;
            }
        } else {
            r.p = spaces;
        }
        if !r.separator() {
            return None;
        }
    }
    Some(found)
}

/// `is_invalid_token` on arbitrary text: no panic; a `true` needs the words it looks for; and
/// on a well-formed value the reference's answer.
pub fn check(value: &str) {
    let answer = is_invalid_token(value);
    if answer {
        // (Quoted-pairs may spell the value: `invalid\_token`.)
        let lower = value.to_ascii_lowercase().replace('\\', "");
        assert!(lower.contains("bearer") && lower.contains("invalid_token") && lower.contains("error"), "{value:?}");
    }
    if let Some(expected) = reference(value) {
        if answer != expected {
            panic!("is_invalid_token({value:?}) = {answer}, RFC 7235 reading: {expected}");
        }
    }
}
