//! Refresh tokens and session families (RFC 9700 §4.14), as pure functions of their inputs.
//!
//! A refresh token is `tsr1.<family>.<generation>.<random>.<tag>`:
//! * `family`: 128 random bits naming the session family (it is also the access token's `sid`);
//! * `generation`: the rotation counter the token was minted at;
//! * `random`: 256 bits — from getrandom for the first token of a family; for a successor,
//!   HMAC-SHA-256(key, nonce ‖ presented token) with a fresh 256-bit getrandom `nonce` that the
//!   record keeps (see [`Family::nonce`] for why);
//! * `tag`: 128 bits of HMAC-SHA-256(key, family.generation.random), so the server can tell a
//!   token it minted from a fabricated one without storing every token it ever issued.
//!
//! Only SHA-256 hashes of tokens are stored. A presented token is first authenticated by its tag
//! (a forged token is `invalid_grant` and changes nothing — otherwise anyone who saw an access
//! token's `sid` could revoke that session), then compared in constant time with the family's
//! current and previous hashes.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, ErrorCode, Result};
use crate::jose::b64;
use crate::time::Time;

const PREFIX: &str = "tsr1";
/// Longest refresh token accepted (a real one is 5 + 23 + 21 + 44 + 23 bytes at most).
pub const MAX_TOKEN_LEN: usize = 160;

/// The server key that authenticates and derives refresh tokens (32 bytes or more).
#[derive(Clone)]
pub struct RefreshKey(Vec<u8>);

impl std::fmt::Debug for RefreshKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshKey(..)")
    }
}

impl RefreshKey {
    pub fn new(bytes: &[u8]) -> Result<RefreshKey> {
        if bytes.len() < 32 {
            return Err(Error::claim(
                ErrorCode::InvalidOptions,
                "refreshSecret",
                "option refreshSecret must hold at least 32 bytes",
            ));
        }
        Ok(RefreshKey(bytes.to_vec()))
    }

    pub fn generate() -> Result<RefreshKey> {
        let mut bytes = [0u8; 32];
        crate::random::fill_key(&mut bytes)?;
        Ok(RefreshKey(bytes.to_vec()))
    }

    /// The key of log fingerprints for a deployment that set this secret: derived under its own
    /// label, so fingerprints correlate across the deployment's processes and reveal nothing of
    /// the secret.
    pub fn fingerprint_key(&self) -> crate::redact::FingerprintKey {
        let derived = self.mac(b"tessera/log/fingerprint", &[]);
        crate::redact::FingerprintKey::new(&derived).unwrap_or_else(|_| crate::redact::FingerprintKey::random())
    }

    fn mac(&self, label: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for HMAC.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return [0u8; 32];
        };
        mac.update(label);
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

/// A refresh token in transit (`Debug` never shows it).
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(..)")
    }
}

impl RefreshToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token, base64url: what the store keeps.
    pub fn hash(&self) -> String {
        b64::encode(&Sha256::digest(self.0.as_bytes()))
    }

    fn mint(key: &RefreshKey, family: &str, generation: u64, random: &[u8; 32]) -> RefreshToken {
        let random = b64::encode(random);
        let generation = generation.to_string();
        let tag = key.mac(
            b"tessera/refresh/tag",
            &[family.as_bytes(), generation.as_bytes(), random.as_bytes()],
        );
        RefreshToken(format!(
            "{PREFIX}.{family}.{generation}.{random}.{}",
            b64::encode(tag.get(..16).unwrap_or_default())
        ))
    }
}

/// A presented token whose tag proved the server minted it.
#[derive(Debug)]
pub struct Presented {
    pub token: RefreshToken,
    pub family: String,
    pub generation: u64,
}

fn invalid_grant() -> Error {
    Error::new(ErrorCode::InvalidGrant, "the refresh token is not valid")
}

/// Parses and authenticates a presented token. Anything not minted with `key` is
/// `ERR_INVALID_GRANT`.
pub fn authenticate(key: &RefreshKey, token: &str) -> Result<Presented> {
    if token.len() > MAX_TOKEN_LEN {
        // Before any parsing or MAC: a huge cookie costs nothing. (Its own message, so a test can
        // tell this check from the ones after it; the wire says only invalid_grant.)
        return Err(Error::new(ErrorCode::InvalidGrant, "the refresh token is too long"));
    }
    let mut parts = token.split('.');
    let (Some(PREFIX), Some(family), Some(generation), Some(random), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid_grant());
    };
    let canonical_generation = generation.parse::<u64>().ok().filter(|g| g.to_string() == generation);
    let family_ok = b64::decode(family, "").is_ok_and(|f| f.len() == 16);
    let random_ok = b64::decode(random, "").is_ok_and(|r| r.len() == 32);
    let (Some(generation), true, true, Ok(tag)) = (canonical_generation, family_ok, random_ok, b64::decode(tag, "")) else {
        return Err(invalid_grant());
    };
    let expected = key.mac(
        b"tessera/refresh/tag",
        &[family.as_bytes(), generation.to_string().as_bytes(), random.as_bytes()],
    );
    if tag.len() != 16 || !bool::from(expected.get(..16).unwrap_or_default().ct_eq(&tag)) {
        return Err(invalid_grant());
    }
    Ok(Presented {
        token: RefreshToken(token.to_string()),
        family: family.to_string(),
        generation,
    })
}

/// Lifetimes of a session family, seconds.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Absolute lifetime from login; rotation never extends it.
    pub session_ttl: i64,
    /// A family unused for this long expires (never past the absolute lifetime).
    pub idle_ttl: i64,
    /// How long after a rotation the previous token may still be presented (a retry).
    pub reuse_grace: i64,
}

/// The stored record of a session family. Its JSON form (camelCase) is the store contract's
/// record shape (see `STORE.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Family {
    pub family: String,
    pub sub: String,
    pub scope: String,
    /// Extra claims for this session's access tokens (client data).
    pub claims: Map<String, Value>,
    pub created_at: i64,
    pub expires_at: i64,
    pub idle_expires_at: i64,
    /// Incremented by every write; the compare-and-set version.
    pub generation: u64,
    /// Hash of the token of `generation`.
    pub current: String,
    /// Hash of the token of `generation - 1`, if any.
    pub previous: Option<String>,
    pub rotated_at: i64,
    /// The nonce that derived the current token from the previous one. Keeping it (it is not a
    /// secret on its own: the derivation also needs the server key and the previous token) lets
    /// a retry inside the grace window receive *the same* successor instead of a new one. So
    /// concurrent or repeated refreshes with one cookie converge on one live token, and the
    /// family never grows a chain of parallel successors; nothing but hashes of tokens is stored.
    pub nonce: String,
    /// The subject's epoch when the family started; "log out everywhere" raises the subject's
    /// epoch, which revokes every older family at once without an index of families.
    pub subject_epoch: u64,
    pub revoked: bool,
    pub revoked_reason: Option<String>,
    /// The RFC 7638 thumbprint of the DPoP key the session is bound to (RFC 9449 §5), if any:
    /// every refresh must come with a proof by that key, and access tokens carry it as `cnf.jkt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
    /// The replay key (thumbprint and `jti` hash) of the DPoP proof that made the last rotation:
    /// the same proof again is refused. Kept in the record, so refreshes spend no store records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_proof: Option<String>,
}

/// The largest counter (generation, epoch) a sound record holds: 2^53 − 1, which JavaScript
/// stores (records cross as JSON) read exactly.
pub const MAX_COUNTER: u64 = (1 << 53) - 1;

/// Whether `secs` is a time a sound record holds: 1970 to the end of year 9999.
pub(crate) fn is_record_time(secs: i64) -> bool {
    (0..=Time::MAX.secs()).contains(&secs)
}

impl Family {
    /// Whether this record, read from the store as `family:<id>`, can be the family `id`: its
    /// own id is `id`, its counters are at most [`MAX_COUNTER`] and its times lie between 1970
    /// and year 9999. Anything else is corruption (or a hostile store): the handshake answers
    /// 503 rather than compute with it.
    pub fn is_sound(&self, id: &str) -> bool {
        self.family == id
            && self.generation <= MAX_COUNTER
            && self.subject_epoch <= MAX_COUNTER
            && [self.created_at, self.expires_at, self.idle_expires_at, self.rotated_at]
                .into_iter()
                .all(is_record_time)
    }

    /// Seconds until the absolute expiry (the cookie's `Max-Age`).
    pub fn remaining(&self, now: i64) -> i64 {
        self.expires_at.saturating_sub(now).max(0)
    }

    /// Whether the family can still be used at `now` (unix seconds) under the subject's `epoch`.
    pub fn is_live(&self, epoch: u64, now: i64) -> bool {
        !self.revoked && self.subject_epoch >= epoch && now < self.expires_at && now < self.idle_expires_at
    }

    /// The record revoked for `reason`, one generation later.
    pub fn revoke(&self, reason: &str) -> Family {
        Family {
            generation: self.generation.saturating_add(1),
            revoked: true,
            revoked_reason: Some(reason.to_string()),
            ..self.clone()
        }
    }
}

/// What a refresh must do.
#[derive(Debug)]
pub enum Rotation {
    /// Write `record` (compare-and-set on the generation read) and hand out `token`.
    Rotate {
        record: Box<Family>,
        token: RefreshToken,
    },
    /// A retry inside the grace window: hand out the current token again; nothing to write.
    Retry {
        token: RefreshToken,
    },
    /// An already-rotated token outside the grace window: write the revoked `record`.
    Reuse {
        record: Box<Family>,
    },
    Expired,
    Revoked,
}

fn random_32() -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    crate::random::fill(&mut bytes)?;
    Ok(bytes)
}

fn successor(key: &RefreshKey, family: &Family, presented: &RefreshToken, nonce: &str) -> RefreshToken {
    let random = key.mac(b"tessera/refresh/next", &[nonce.as_bytes(), presented.as_str().as_bytes()]);
    RefreshToken::mint(key, &family.family, family.generation.saturating_add(1), &random)
}

fn hash_eq(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Starts a family at login: a new record (generation 0) and its first token.
pub fn start(
    key: &RefreshKey,
    sub: &str,
    scope: &str,
    claims: Map<String, Value>,
    subject_epoch: u64,
    policy: &Policy,
    now: Time,
) -> Result<(Family, RefreshToken)> {
    let now = now.secs();
    let mut id = [0u8; 16];
    crate::random::fill(&mut id)?;
    let family_id = b64::encode(&id);
    let token = RefreshToken::mint(key, &family_id, 0, &random_32()?);
    let expires_at = now.saturating_add(policy.session_ttl);
    let record = Family {
        family: family_id,
        sub: sub.to_string(),
        scope: scope.to_string(),
        claims,
        created_at: now,
        expires_at,
        idle_expires_at: now.saturating_add(policy.idle_ttl).min(expires_at),
        generation: 0,
        current: token.hash(),
        previous: None,
        rotated_at: now,
        nonce: b64::encode(&random_32()?),
        subject_epoch,
        revoked: false,
        revoked_reason: None,
        jkt: None,
        last_proof: None,
    };
    Ok((record, token))
}

/// Decides a refresh of `record` with the authenticated `presented` token at `now`.
/// `subject_epoch`: the subject's current epoch (0 if it has no record).
pub fn rotate(
    key: &RefreshKey,
    record: &Family,
    presented: &Presented,
    policy: &Policy,
    subject_epoch: u64,
    now: Time,
) -> Result<Rotation> {
    let now = now.secs();
    if !record.is_sound(&presented.family) {
        return Err(Error::new(ErrorCode::StoreUnavailable, "the session store is unavailable"));
    }
    if record.revoked || record.subject_epoch < subject_epoch {
        return Ok(Rotation::Revoked);
    }
    if now >= record.expires_at || now >= record.idle_expires_at {
        return Ok(Rotation::Expired);
    }
    let hash = presented.token.hash();
    if presented.generation == record.generation && hash_eq(&hash, &record.current) {
        let nonce = b64::encode(&random_32()?);
        let token = successor(key, record, &presented.token, &nonce);
        let next = Family {
            generation: record.generation.saturating_add(1),
            current: token.hash(),
            previous: Some(hash),
            rotated_at: now,
            nonce,
            idle_expires_at: now.saturating_add(policy.idle_ttl).min(record.expires_at),
            ..record.clone()
        };
        return Ok(Rotation::Rotate {
            record: Box::new(next),
            token,
        });
    }
    let is_previous =
        presented.generation.checked_add(1) == Some(record.generation) && record.previous.as_deref().is_some_and(|p| hash_eq(&hash, p));
    if is_previous && now.saturating_sub(record.rotated_at) <= policy.reuse_grace {
        // Re-derive the successor the rotation handed out; it must be the current token.
        let parent = Family {
            generation: presented.generation,
            ..record.clone()
        };
        let token = successor(key, &parent, &presented.token, &record.nonce);
        if hash_eq(&token.hash(), &record.current) {
            return Ok(Rotation::Retry { token });
        }
    }
    // Authentic (the tag held) but not current: an old token came back. RFC 9700 §4.14.2.
    Ok(Rotation::Reuse {
        record: Box::new(record.revoke("reuse")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        session_ttl: 1000,
        idle_ttl: 300,
        reuse_grace: 10,
    };

    fn key() -> RefreshKey {
        RefreshKey::new(&[7u8; 32]).unwrap()
    }

    fn refresh(record: &Family, token: &RefreshToken, now: i64) -> Rotation {
        let presented = authenticate(&key(), token.as_str()).unwrap();
        rotate(&key(), record, &presented, &POLICY, 0, Time::from_secs(now)).unwrap()
    }

    #[test]
    fn tokens_are_authenticated_and_opaque() {
        let (record, token) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        assert_eq!(format!("{token:?}"), "RefreshToken(..)");
        let presented = authenticate(&key(), token.as_str()).unwrap();
        assert_eq!(presented.family, record.family);
        assert_eq!(presented.generation, 0);
        // The record keeps the token's hash, never the token.
        assert_eq!(record.current, token.hash());
        assert_eq!(record.current.len(), 43);
        assert!(!serde_json::to_string(&record).unwrap().contains(token.as_str()));
        // Another key, a flipped character, extra or missing parts: all invalid_grant.
        let other = RefreshKey::new(&[8u8; 32]).unwrap();
        assert_eq!(authenticate(&other, token.as_str()).unwrap_err().code(), ErrorCode::InvalidGrant);
        let s = token.as_str();
        let flipped = format!("{}{}", &s[..s.len() - 1], if s.ends_with('A') { 'B' } else { 'A' });
        for bad in [flipped.as_str(), "", "tsr1", &format!("{s}.x"), &s.replacen(".0.", ".00.", 1)] {
            assert_eq!(authenticate(&key(), bad).unwrap_err().code(), ErrorCode::InvalidGrant, "{bad}");
        }
        // Over the length limit: refused before parsing, even when the rest would pass. (A real
        // token is at most 115 bytes; a padded generation is the one way to make a long one whose
        // other parts are well-formed.)
        let long = s.replacen(".0.", &format!(".{}0.", "0".repeat(MAX_TOKEN_LEN)), 1);
        let error = authenticate(&key(), &long).unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            (ErrorCode::InvalidGrant, "the refresh token is too long")
        );
        assert_eq!(
            authenticate(&key(), &s[..MAX_TOKEN_LEN.min(s.len())]).map(|p| p.generation).ok(),
            Some(0)
        );
        assert!(RefreshKey::new(&[1u8; 31]).is_err());
    }

    #[test]
    fn the_length_limit_is_inclusive_and_the_key_never_printed() {
        // 160 bytes are parsed (and refused as any malformed token); 161 stop before parsing.
        for (len, message) in [
            (MAX_TOKEN_LEN, "the refresh token is not valid"),
            (MAX_TOKEN_LEN + 1, "the refresh token is too long"),
        ] {
            let text = format!("tsr1.{}", "a".repeat(len - 5));
            assert_eq!(authenticate(&key(), &text).unwrap_err().message(), message, "{len} bytes");
        }
        assert_eq!(format!("{:?}", key()), "RefreshKey(..)");
    }

    #[test]
    fn a_family_is_live_only_unrevoked_current_and_unexpired() {
        let (live, _) = start(&key(), "alice", "read", Map::new(), 5, &POLICY, Time::from_secs(0)).unwrap();
        let (expires, idle) = (live.expires_at, live.idle_expires_at);
        assert!(idle < expires);
        assert!(live.is_live(5, idle - 1) && live.is_live(4, 0));
        assert!(!live.is_live(6, 0), "a lower epoch than the subject's");
        assert!(!live.is_live(5, idle), "idle");
        let long_idle = Family {
            idle_expires_at: expires + 10,
            ..live.clone()
        };
        assert!(
            long_idle.is_live(5, expires - 1) && !long_idle.is_live(5, expires),
            "absolute expiry"
        );
        assert!(!live.revoke("x").is_live(5, 0), "revoked");
    }

    #[test]
    fn only_the_current_token_rotates() {
        // A token minted with the server key for the current generation, but not the one handed
        // out (as a leaked key or a minting bug would make): authentic, yet never current.
        let (r0, t0) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        let other = RefreshToken::mint(&key(), &r0.family, 0, &[7u8; 32]);
        assert_ne!(other, t0);
        assert!(matches!(refresh(&r0, &other, 1), Rotation::Reuse { .. }));
        let Rotation::Rotate { record: r1, token: t1 } = refresh(&r0, &t0, 1) else {
            panic!("rotate")
        };
        // The same for the previous generation inside the grace window: no retry.
        let other_parent = RefreshToken::mint(&key(), &r0.family, 0, &[8u8; 32]);
        assert!(matches!(refresh(&r1, &other_parent, 2), Rotation::Reuse { .. }));
        assert!(matches!(refresh(&r1, &t0, 2), Rotation::Retry { token } if token == t1));
    }

    #[test]
    fn families_tokens_and_nonces_are_random_and_revocations_say_why() {
        let (a, ta) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        let (b, tb) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        let random = |t: &RefreshToken| t.as_str().split('.').nth(3).unwrap().to_string();
        assert_ne!(a.family, b.family);
        assert_ne!(random(&ta), random(&tb), "login tokens");
        assert_ne!(a.nonce, b.nonce);
        let Rotation::Rotate { record: a1, .. } = refresh(&a, &ta, 1) else {
            panic!("rotate")
        };
        let Rotation::Rotate { record: b1, .. } = refresh(&b, &tb, 1) else {
            panic!("rotate")
        };
        assert_ne!(a1.nonce, b1.nonce, "rotation nonces");
        assert_ne!(a1.nonce, a.nonce);
        let revoked = a1.revoke("logout");
        assert_eq!((revoked.revoked, revoked.revoked_reason.as_deref()), (true, Some("logout")));
    }

    #[test]
    fn the_whole_tag_must_match() {
        let (_, token) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        let s = token.as_str();
        let (body, tag) = s.rsplit_once('.').unwrap();
        let tag = b64::decode(tag, "").unwrap();
        // An empty tag, and prefixes of the real one: refused, as is any other 16 bytes.
        for len in [0usize, 1, 8, 15] {
            let short = format!("{body}.{}", b64::encode(&tag[..len]));
            assert_eq!(
                authenticate(&key(), &short).unwrap_err().code(),
                ErrorCode::InvalidGrant,
                "{len} bytes"
            );
        }
        let mut longer = tag.clone();
        longer.push(0);
        assert!(authenticate(&key(), &format!("{body}.{}", b64::encode(&longer))).is_err());
        assert!(authenticate(&key(), s).is_ok());
    }

    #[test]
    fn unsound_records_are_refused_before_any_arithmetic() {
        // Fuzz finding F9: counters at u64::MAX, times at i64::MIN, another family's record.
        let (r0, t0) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        let Rotation::Rotate { record: r1, .. } = refresh(&r0, &t0, 5) else {
            panic!("rotate")
        };
        let presented = authenticate(&key(), t0.as_str()).unwrap();
        let unsound = [
            Family {
                generation: u64::MAX,
                ..(*r1).clone()
            },
            Family {
                generation: MAX_COUNTER + 1,
                ..(*r1).clone()
            },
            Family {
                subject_epoch: u64::MAX,
                ..(*r1).clone()
            },
            Family {
                rotated_at: i64::MIN,
                ..(*r1).clone()
            },
            Family {
                expires_at: Time::MAX.secs() + 1,
                ..(*r1).clone()
            },
            Family {
                family: "other".into(),
                ..(*r1).clone()
            },
        ];
        for record in unsound {
            assert!(!record.is_sound(&r1.family), "{record:?}");
            let error = rotate(&key(), &record, &presented, &POLICY, 0, Time::from_secs(6)).unwrap_err();
            assert_eq!(error.code(), ErrorCode::StoreUnavailable);
            // Nothing overflows, even outside the handshake.
            assert!(record.revoke("x").generation >= record.generation);
            assert!(record.remaining(i64::MIN) >= 0);
        }
        assert!(r1.is_sound(&r1.family));
        assert!(Family {
            generation: MAX_COUNTER,
            ..(*r1).clone()
        }
        .is_sound(&r1.family));
    }

    #[test]
    fn rotation_then_reuse_revokes_the_family() {
        let (r0, t0) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        let Rotation::Rotate { record: r1, token: t1 } = refresh(&r0, &t0, 5) else {
            panic!("rotate")
        };
        assert_eq!(r1.generation, 1);
        assert_eq!(r1.previous.as_deref(), Some(r0.current.as_str()));
        assert_eq!(r1.idle_expires_at, 305);
        let Rotation::Rotate { record: r2, token: t2 } = refresh(&r1, &t1, 20) else {
            panic!("rotate")
        };
        assert_ne!(t1, t2);
        // t0 is two generations old: reuse, whatever the time.
        let Rotation::Reuse { record: revoked } = refresh(&r2, &t0, 21) else {
            panic!("reuse")
        };
        assert!(revoked.revoked);
        assert_eq!(revoked.generation, 3);
        // Once revoked, even the newest token is refused.
        assert!(matches!(refresh(&revoked, &t2, 22), Rotation::Revoked));
    }

    #[test]
    fn retry_inside_grace_gets_the_same_successor() {
        let (r0, t0) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        let Rotation::Rotate { record: r1, token: t1 } = refresh(&r0, &t0, 100) else {
            panic!("rotate")
        };
        let Rotation::Retry { token } = refresh(&r1, &t0, 110) else {
            panic!("retry")
        };
        assert_eq!(token, t1, "the retry receives the token the rotation handed out");
        // After the grace window the previous token is reuse.
        assert!(matches!(refresh(&r1, &t0, 111), Rotation::Reuse { .. }));
    }

    #[test]
    fn expiry_absolute_and_idle_never_extended() {
        let (r0, t0) = start(&key(), "alice", "read", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        assert!(matches!(refresh(&r0, &t0, 300), Rotation::Expired), "idle");
        let mut record = r0.clone();
        let mut token = t0.clone();
        let mut now = 0;
        while now + 250 < 1000 {
            now += 250;
            let Rotation::Rotate { record: r, token: t } = refresh(&record, &token, now) else {
                panic!("rotate at {now}")
            };
            assert_eq!(r.expires_at, 1000, "rotation never extends the absolute lifetime");
            assert!(r.idle_expires_at <= 1000);
            record = *r;
            token = t;
        }
        assert!(matches!(refresh(&record, &token, 1000), Rotation::Expired), "absolute");
        assert_eq!(record.remaining(990), 10);
    }

    #[test]
    fn subject_revocation_applies_to_older_families() {
        let (r0, t0) = start(&key(), "alice", "read", Map::new(), 3, &POLICY, Time::from_secs(50)).unwrap();
        let presented = authenticate(&key(), t0.as_str()).unwrap();
        assert!(matches!(
            rotate(&key(), &r0, &presented, &POLICY, 4, Time::from_secs(70)).unwrap(),
            Rotation::Revoked
        ));
        assert!(matches!(
            rotate(&key(), &r0, &presented, &POLICY, 3, Time::from_secs(70)).unwrap(),
            Rotation::Rotate { .. }
        ));
    }

    #[test]
    fn record_json_round_trips_and_rejects_unknown_members() {
        let (r0, _) = start(&key(), "alice", "read write", Map::new(), 0, &POLICY, Time::from_secs(0)).unwrap();
        let json = serde_json::to_value(&r0).unwrap();
        assert!(json.get("idleExpiresAt").is_some());
        assert_eq!(serde_json::from_value::<Family>(json.clone()).unwrap(), r0);
        let mut extra = json;
        extra.as_object_mut().unwrap().insert("token".into(), "x".into());
        assert!(serde_json::from_value::<Family>(extra).is_err());
    }
}
