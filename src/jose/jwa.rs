//! JSON Web Algorithms (RFC 7518): the signature algorithms Tessera implements. `none` and the
//! HMAC algorithms are not among them, so no name can ever select them.

/// A JWS signature algorithm Tessera implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256 (RFC 7518 §3.4).
    Es256,
}

impl Algorithm {
    /// Every algorithm, in the order of the documentation.
    pub const ALL: [Algorithm; 1] = [Algorithm::Es256];

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
        }
    }

    /// The algorithm for a JWS `alg` name, if Tessera implements it.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_none_is_never_an_algorithm() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
        for name in ["none", "HS256", "es256", "ES256 ", ""] {
            assert_eq!(Algorithm::from_name(name), None, "{name}");
        }
    }
}
