//! JSON Web Algorithms (RFC 7518, RFC 8037, RFC 9864): the signature algorithms Tessera verifies.
//! `none` and the HMAC algorithms are not among them, so no name can ever select them.
//!
//! Each algorithm belongs to one key family ([`Family`]): the kind of key (`kty`, `crv`) that
//! can verify it. A key never verifies an algorithm of another family (RFC 8725 §3.1: a key is
//! used with one algorithm). Within the RSA family, RSASSA-PKCS1-v1_5 (`RS*`) and RSASSA-PSS
//! (`PS*`) are told apart by the key's `alg` or the verifier's `algorithms` option (see
//! [`crate::jose::jwks`] for the rule).

/// A JWS signature algorithm Tessera verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256 (RFC 7518 §3.4).
    Es256,
    /// ECDSA on P-384 with SHA-384 (RFC 7518 §3.4).
    Es384,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    Rs256,
    Rs384,
    Rs512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518 §3.5).
    Ps256,
    Ps384,
    Ps512,
    /// EdDSA (RFC 8037 §3.1), which names the curve in the key: Tessera verifies it with Ed25519
    /// keys only (an Ed448 key is not used).
    EdDsa,
    /// Ed25519, the fully-specified name of EdDSA on Ed25519 (RFC 9864 §2.2), which deprecates
    /// the polymorphic `EdDSA`. The same signatures as `EdDSA` with an Ed25519 key.
    Ed25519,
}

/// The kind of key an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `kty: "EC"`, `crv: "P-256"`.
    P256,
    /// `kty: "EC"`, `crv: "P-384"`.
    P384,
    /// `kty: "RSA"`, RSASSA-PKCS1-v1_5.
    RsaPkcs1,
    /// `kty: "RSA"`, RSASSA-PSS.
    RsaPss,
    /// `kty: "OKP"`, `crv: "Ed25519"`.
    Ed25519,
}

impl Algorithm {
    /// Every algorithm, in the order of the documentation.
    pub const ALL: [Algorithm; 10] = [
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Rs256,
        Algorithm::Rs384,
        Algorithm::Rs512,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::EdDsa,
        Algorithm::Ed25519,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::Rs256 => "RS256",
            Algorithm::Rs384 => "RS384",
            Algorithm::Rs512 => "RS512",
            Algorithm::Ps256 => "PS256",
            Algorithm::Ps384 => "PS384",
            Algorithm::Ps512 => "PS512",
            Algorithm::EdDsa => "EdDSA",
            Algorithm::Ed25519 => "Ed25519",
        }
    }

    /// The algorithm for a JWS `alg` name, if Tessera implements it (compared exactly).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The kind of key that verifies this algorithm.
    pub const fn family(self) -> Family {
        match self {
            Algorithm::Es256 => Family::P256,
            Algorithm::Es384 => Family::P384,
            Algorithm::Rs256 | Algorithm::Rs384 | Algorithm::Rs512 => Family::RsaPkcs1,
            Algorithm::Ps256 | Algorithm::Ps384 | Algorithm::Ps512 => Family::RsaPss,
            Algorithm::EdDsa | Algorithm::Ed25519 => Family::Ed25519,
        }
    }

    pub const fn is_rsa(self) -> bool {
        matches!(self.family(), Family::RsaPkcs1 | Family::RsaPss)
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
        for name in [
            "none", "HS256", "es256", "ES256 ", "", "RS1", "ES512", "ES256K", "EDDSA", "ed25519", "Ed448", "PS256 ",
        ] {
            assert_eq!(Algorithm::from_name(name), None, "{name}");
        }
    }

    #[test]
    fn families() {
        assert_eq!(Algorithm::Ed25519.family(), Algorithm::EdDsa.family());
        assert_ne!(Algorithm::Rs256.family(), Algorithm::Ps256.family());
        assert!(Algorithm::Ps512.is_rsa() && !Algorithm::Es384.is_rsa());
    }
}
