//! RSA signature verification (RFC 8017): RSASSA-PKCS1-v1_5 (§8.2.2) and RSASSA-PSS (§8.1.2)
//! with SHA-256, SHA-384 or SHA-512, as the JWS algorithms RS256…RS512 and PS256…PS512 use them
//! (RFC 7518 §3.3, §3.5). Public-key operations only: every input here is public (the key, the
//! message, the signature), so nothing needs to run in constant time.
//!
//! Why not the `rsa` crate, or RSA on `crypto-bigint` (which p256 already brings): measured in
//! this build (wasm32, opt-level 3, wasm-opt -O3, gzip -9), RustCrypto `rsa` 0.10 added 41 KB and
//! verifying with `crypto-bigint` 0.7's `BoxedMontyForm` 32 KB — each more than the 25 KB the
//! issue allows for all new algorithms together — and both verified RS256 (2048-bit) at
//! 700–1,600 per second in Node (crypto-bigint uses 64-bit limbs on wasm32, whose 128-bit
//! products are a libcall there). The modular exponentiation below is what verification needs
//! and nothing more: Montgomery multiplication on 32-bit limbs (each product a native 64-bit
//! multiplication in wasm), `R² mod n` once per key, square-and-multiply over the public
//! exponent. It is a few kilobytes; it is checked against Wycheproof's RSA vectors and, in
//! tests, against the `rsa` crate on random keys and signatures (`tests/rsa.rs`).

use alloc::vec;
use alloc::vec::Vec;
use core::cell::Cell;

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::{Error, ErrorCode, Result};

/// Smallest modulus accepted, in bits (RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be
/// used"; §3.5 for PSS).
pub const MIN_BITS: usize = 2048;
/// Largest modulus accepted, in bits: a bound on the work per key and per signature.
pub const MAX_BITS: usize = 8192;
/// Largest public exponent accepted (as BoringSSL and RustCrypto `rsa`): a bound on the work per
/// signature, which grows with the exponent's length.
pub const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// The hash of a signature scheme (and of PSS's mask generation, MGF1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// RSASSA-PKCS1-v1_5 or RSASSA-PSS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    Pkcs1,
    /// PSS with MGF1 over the same hash and a salt as long as the hash (RFC 7518 §3.5).
    Pss,
}

impl Hash {
    /// Output length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// The DER `DigestInfo` prefix of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1), with the NULL
    /// parameters.
    fn digest_info(self) -> &'static [u8] {
        match self {
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Hash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Hash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }

    /// The hash of the concatenation of `parts` (ES384 hashes with it too: one SHA-384 in the
    /// build).
    pub(crate) fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            Hash::Sha256 => run::<Sha256>(parts),
            Hash::Sha384 => run::<Sha384>(parts),
            Hash::Sha512 => run::<Sha512>(parts),
        }
    }
}

/// An RSA public key `(n, e)` with what verification precomputes from it.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// `n`, big-endian, without leading zero bytes (as RFC 7518 §2's Base64urlUInt has it).
    modulus: Vec<u8>,
    e: u64,
    /// `n` as little-endian 32-bit limbs.
    n: Vec<u32>,
    /// `-n⁻¹ mod 2³²`.
    n0: u32,
    /// `R² mod n` with `R = 2^(32·limbs)`: takes a number into Montgomery form.
    r2: Vec<u32>,
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("rsassa::PublicKey")
            .field("bits", &self.bits())
            .field("e", &self.e)
            .finish()
    }
}

fn key_error(member: &'static str, message: &'static str) -> Error {
    Error::claim(ErrorCode::InvalidKey, member, message)
}

/// Big-endian bytes → little-endian 32-bit limbs, exactly `limbs` of them (`bytes` must fit).
fn to_limbs(bytes: &[u8], limbs: usize) -> Vec<u32> {
    let mut out = vec![0u32; limbs];
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks(4)) {
        *limb = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    }
    out
}

/// Little-endian limbs → big-endian bytes, exactly `len` of them (the lowest `len` bytes).
fn to_bytes(limbs: &[u32], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    let bytes = limbs.iter().flat_map(|limb| limb.to_le_bytes());
    for (byte, value) in out.iter_mut().rev().zip(bytes) {
        *byte = value;
    }
    out
}

/// `a >= b` for equally long little-endian numbers.
fn at_least(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// `a -= b` (same length), returning the borrow.
fn subtract(a: &mut [u32], b: &[u32]) -> bool {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u32::from(borrow));
        *x = d2;
        borrow = b1 || b2;
    }
    borrow
}

impl PublicKey {
    /// The key for the JWK members `n` and `e` (big-endian bytes). `n`: 2048 to 8192 bits, odd,
    /// no leading zero byte; `e`: odd, 3 to 2³³ − 1, no leading zero byte. Failures are
    /// `ERR_INVALID_KEY` naming the member.
    pub fn new(n: &[u8], e: &[u8]) -> Result<PublicKey> {
        // RFC 7518 §2 (Base64urlUInt): "the minimum number of octets needed to represent the
        // full range of the value", so one value has one encoding (RFC 7638 thumbprints rely on it).
        if n.first().is_none_or(|&b| b == 0) {
            return Err(key_error("n", "an RSA modulus must not have leading zero bytes"));
        }
        if e.first().is_none_or(|&b| b == 0) {
            return Err(key_error("e", "an RSA exponent must not have leading zero bytes"));
        }
        let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(key_error("n", "an RSA modulus must have 2048 to 8192 bits (RFC 7518 §3.3)"));
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(key_error("n", "an RSA modulus must be odd"));
        }
        let exponent = if e.len() <= 8 {
            e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
        } else {
            u64::MAX
        };
        if !(3..=MAX_EXPONENT).contains(&exponent) || exponent & 1 == 0 {
            return Err(key_error("e", "an RSA public exponent must be odd, from 3 to 2^33 - 1"));
        }
        let limbs = n.len().div_ceil(4);
        let limbs_n = to_limbs(n, limbs);
        // -n⁻¹ mod 2³² by Newton's iteration (each step doubles the correct low bits: 1, 2, 4, …, 32).
        let low = limbs_n.first().copied().unwrap_or(1);
        let mut inverse: u32 = 1;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u32.wrapping_sub(low.wrapping_mul(inverse)));
        }
        let mut key = PublicKey {
            modulus: n.to_vec(),
            e: exponent,
            n: limbs_n,
            n0: inverse.wrapping_neg(),
            r2: Vec::new(),
        };
        key.r2 = key.r_squared(bits);
        Ok(key)
    }

    /// `R² mod n` for an odd `n` of `bits` bits. Montgomery form of `R·2^a` is `2^a` times "one",
    /// and squaring it doubles `a`: from `R·2 = 2^(32·limbs + 1) mod n` (the top bit of `n`
    /// doubled a few times), square-and-double over the bits of `a = 32·limbs` reaches `R·R`.
    fn r_squared(&self, bits: usize) -> Vec<u32> {
        let limbs = self.n.len();
        let mut x = vec![0u32; limbs];
        if let Some(limb) = x.get_mut((bits - 1) / 32) {
            *limb = 1 << ((bits - 1) % 32);
        }
        // 2^(bits-1) < n; doubled up to 2^(32·limbs + 1).
        for _ in 0..(32 * limbs + 2 - bits) {
            self.double(&mut x);
        }
        let a = 32 * limbs;
        let mut scratch = vec![0u32; limbs];
        let mut t = vec![0u32; limbs];
        for bit in (0..(usize::BITS - 1 - a.leading_zeros())).rev() {
            self.mont_mul(&mut t, &x, &x, &mut scratch);
            core::mem::swap(&mut x, &mut t);
            if (a >> bit) & 1 == 1 {
                self.double(&mut x);
            }
        }
        x
    }

    /// `x = 2x mod n`, for `x < n`.
    fn double(&self, x: &mut [u32]) {
        let mut carry = 0u32;
        for limb in x.iter_mut() {
            let next = *limb >> 31;
            *limb = (*limb << 1) | carry;
            carry = next;
        }
        if carry == 1 || at_least(x, &self.n) {
            subtract(x, &self.n);
        }
    }

    /// `n`, big-endian, minimal.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// `e`, big-endian, minimal.
    pub fn exponent(&self) -> Vec<u8> {
        let bytes = self.e.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        bytes.iter().skip(skip).copied().collect()
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        self.modulus.len() * 8 - self.modulus.first().map_or(8, |b| b.leading_zeros() as usize)
    }

    /// Verifies `signature` over `message`. Every failure (length, range, padding, hash) is the
    /// same opaque `ERR_BAD_SIGNATURE`.
    pub fn verify(&self, padding: Padding, hash: Hash, message: &[u8], signature: &[u8]) -> Result<()> {
        let em = self.public_operation(signature).ok_or_else(Error::bad_signature)?;
        let valid = match padding {
            Padding::Pkcs1 => pkcs1_matches(&em, hash, message),
            Padding::Pss => pss_matches(&em, self.bits() - 1, hash, message),
        };
        if valid {
            Ok(())
        } else {
            Err(Error::bad_signature())
        }
    }

    /// Whether `signature` has the length of the modulus and is below it (RFC 8017 §8.2.2
    /// step 1, §5.2.2 step 1): what any implementation must refuse before the arithmetic.
    pub fn fits(&self, signature: &[u8]) -> bool {
        signature.len() == self.modulus.len() && signature < self.modulus.as_slice()
    }

    /// RSAVP1 (RFC 8017 §5.2.2) and I2OSP: `s^e mod n` as `k` bytes, or `None` when `s` is not
    /// `k` bytes or not below `n`.
    fn public_operation(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if !self.fits(signature) {
            return None;
        }
        let limbs = self.n.len();
        let s = to_limbs(signature, limbs);
        let mut scratch = vec![0u32; limbs];
        // Left to right over the bits of e, in Montgomery form (x·R): x = s·R first.
        let mut s_r = vec![0u32; limbs];
        self.mont_mul(&mut s_r, &s, &self.r2, &mut scratch);
        let mut x = s_r.clone();
        let mut t = vec![0u32; limbs];
        let top = 63 - self.e.leading_zeros();
        for bit in (0..top).rev() {
            self.mont_mul(&mut t, &x, &x, &mut scratch);
            core::mem::swap(&mut x, &mut t);
            if bit == 0 {
                // e is odd: the last step multiplies by s outside Montgomery form, which also
                // leaves it (x·R · s · R⁻¹ = x·s).
                self.mont_mul(&mut t, &x, &s, &mut scratch);
                return Some(to_bytes(&t, self.modulus.len()));
            }
            if (self.e >> bit) & 1 == 1 {
                self.mont_mul(&mut t, &x, &s_r, &mut scratch);
                core::mem::swap(&mut x, &mut t);
            }
        }
        None
    }

    /// `out = a·b·R⁻¹ mod n` (CIOS Montgomery multiplication, Koç et al. 1996), for `a`, `b < n`;
    /// the result is below `n`. `scratch` holds the running sum (as long as `n`).
    fn mont_mul(&self, out: &mut [u32], a: &[u32], b: &[u32], scratch: &mut [u32]) {
        scratch.fill(0);
        let t = Cell::from_mut(scratch).as_slice_of_cells();
        // The two words above t's limbs.
        let mut top: u64 = 0;
        let b0 = u64::from(b.first().copied().unwrap_or(0));
        let n0 = u64::from(self.n.first().copied().unwrap_or(0));
        for &ai in a {
            let ai = u64::from(ai);
            let t0 = t.first().map_or(0, Cell::get);
            // t += ai·b and t += m·n, shifted down one limb, in one pass.
            let sum = u64::from(t0) + ai * b0;
            let m = u64::from((sum as u32).wrapping_mul(self.n0));
            let mut carry_ab = sum >> 32;
            let mut carry_mn = (u64::from(sum as u32) + m * n0) >> 32;
            for ((dst, src), (&bj, &nj)) in t.iter().zip(t.iter().skip(1)).zip(b.iter().zip(&self.n).skip(1)) {
                let sum = u64::from(src.get()) + ai * u64::from(bj) + carry_ab;
                carry_ab = sum >> 32;
                let sum = u64::from(sum as u32) + m * u64::from(nj) + carry_mn;
                carry_mn = sum >> 32;
                dst.set(sum as u32);
            }
            let sum = top + carry_ab + carry_mn;
            if let Some(last) = t.last() {
                last.set(sum as u32);
            }
            top = sum >> 32;
        }
        out.copy_from_slice(scratch);
        if top != 0 || at_least(out, &self.n) {
            subtract(out, &self.n);
        }
    }
}

/// EMSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2 step 3–4): `em` equals the encoding of the
/// message's digest, `00 01 FF…FF 00 DigestInfo`, byte for byte (at least 8 bytes of `FF`).
fn pkcs1_matches(em: &[u8], hash: Hash, message: &[u8]) -> bool {
    let digest_info = hash.digest_info();
    let digest = hash.digest(&[message]);
    let t_len = digest_info.len() + digest.len();
    let Some(padding) = em.len().checked_sub(t_len + 3).filter(|&p| p >= 8) else {
        return false;
    };
    let expected = [0u8, 1]
        .iter()
        .chain(core::iter::repeat_n(&0xffu8, padding))
        .chain(&[0u8])
        .chain(digest_info)
        .chain(&digest);
    em.iter().eq(expected)
}

/// MGF1 (RFC 8017 §B.2.1) of `seed`, XORed into `out`.
fn mgf1_xor(hash: Hash, seed: &[u8], out: &mut [u8]) {
    for (counter, chunk) in out.chunks_mut(hash.output_len()).enumerate() {
        let mask = hash.digest(&[seed, &(counter as u32).to_be_bytes()]);
        for (byte, m) in chunk.iter_mut().zip(mask) {
            *byte ^= m;
        }
    }
}

/// EMSA-PSS verification (RFC 8017 §9.1.2) with MGF1 over `hash` and a salt of the hash's length
/// (RFC 7518 §3.5). `k_em` is the `k`-byte result of RSAVP1; `em_bits` = modulus bits − 1.
fn pss_matches(k_em: &[u8], em_bits: usize, hash: Hash, message: &[u8]) -> bool {
    let em_len = em_bits.div_ceil(8);
    // When emBits is a multiple of 8, EM is one byte shorter than the modulus: that leading byte
    // of the k-byte representation must be zero (§8.1.2 step 2c, I2OSP to emLen bytes).
    let Some(extra) = k_em.len().checked_sub(em_len) else {
        return false;
    };
    let (head, em) = k_em.split_at(extra);
    if head.iter().any(|&b| b != 0) {
        return false;
    }
    let (h_len, s_len) = (hash.output_len(), hash.output_len());
    // Step 3, 4: long enough, ending in 0xbc.
    if em_len < h_len + s_len + 2 || em.last() != Some(&0xbc) {
        return false;
    }
    // Step 5: maskedDB || H || 0xbc.
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = rest.get(..h_len).unwrap_or_default();
    // Step 6: the bits above emBits are zero.
    let unused = 8 * em_len - em_bits;
    let top_mask = 0xffu8.checked_shr(unused as u32).unwrap_or(0);
    if masked_db.first().is_none_or(|&b| b & !top_mask != 0) {
        return false;
    }
    // Steps 7–9: DB = maskedDB ⊕ MGF1(H), its unused top bits cleared.
    let mut db = masked_db.to_vec();
    mgf1_xor(hash, h, &mut db);
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // Step 10: PS (zeros) || 0x01 || salt.
    let ps_len = em_len - h_len - s_len - 2;
    let (ps, rest) = db.split_at(ps_len);
    if ps.iter().any(|&b| b != 0) || rest.first() != Some(&1) {
        return false;
    }
    let salt = rest.get(1..).unwrap_or_default();
    // Steps 12–14: H = Hash(0x00 × 8 || mHash || salt).
    let m_hash = hash.digest(&[message]);
    hash.digest(&[&[0u8; 8], &m_hash, salt]) == h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_bytes(bits: usize) -> Vec<u8> {
        // An odd number of `bits` bits (not a real modulus: the checks before the arithmetic).
        let len = bits.div_ceil(8);
        let mut n = vec![0xffu8; len];
        if let Some(first) = n.first_mut() {
            *first = 0xff >> (8 * len - bits);
        }
        n
    }

    #[test]
    fn key_checks() {
        let e = [1u8, 0, 1];
        assert!(PublicKey::new(&key_bytes(2048), &e).is_ok());
        assert!(PublicKey::new(&key_bytes(8192), &e).is_ok());
        for (n, e, member) in [
            (key_bytes(2047), e.to_vec(), "n"),
            (key_bytes(8193), e.to_vec(), "n"),
            ([vec![0], key_bytes(2048)].concat(), e.to_vec(), "n"),
            (
                {
                    let mut n = key_bytes(2048);
                    if let Some(last) = n.last_mut() {
                        *last = 0xfe;
                    }
                    n
                },
                e.to_vec(),
                "n",
            ),
            (vec![], e.to_vec(), "n"),
            (key_bytes(2048), vec![0, 1, 0, 1], "e"),
            (key_bytes(2048), vec![1], "e"),
            (key_bytes(2048), vec![2], "e"),
            (key_bytes(2048), vec![1, 0], "e"),
            (key_bytes(2048), vec![4, 0, 0, 0, 1], "e"),
            (key_bytes(2048), vec![1, 0, 0, 0, 0, 0, 0, 0, 1], "e"),
            (key_bytes(2048), vec![], "e"),
        ] {
            let error = PublicKey::new(&n, &e).err();
            assert_eq!(
                error.as_ref().and_then(|e| e.claim_name()),
                Some(member),
                "{} bytes, e {e:?}",
                n.len()
            );
            assert_eq!(error.map(|e| e.code()), Some(ErrorCode::InvalidKey));
        }
        assert!(PublicKey::new(&key_bytes(2048), &[1, 255, 255, 255, 255]).is_ok(), "e = 2^33 - 1");
        let key = PublicKey::new(&key_bytes(3000), &e).unwrap();
        assert_eq!((key.bits(), key.exponent()), (3000, e.to_vec()));
    }

    #[test]
    fn limbs_round_trip() {
        let bytes: Vec<u8> = (1..=13).collect();
        assert_eq!(to_bytes(&to_limbs(&bytes, 4), 13), bytes);
        assert_eq!(to_limbs(&[1, 2, 3, 4, 5], 2), vec![0x0203_0405, 1]);
    }

    /// A deterministic xorshift generator: test data without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next() as u8).collect()
        }
    }

    /// `s^e mod n` by crypto-bigint.
    fn reference(n: &[u8], e: u64, s: &[u8]) -> Vec<u8> {
        use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
        use crypto_bigint::{BoxedUint, Odd};
        let precision = (n.len() as u32).div_ceil(8) * 64;
        let modulus = Odd::new(BoxedUint::from_be_slice(n, precision).unwrap()).unwrap();
        let params = BoxedMontyParams::new(modulus);
        let base = BoxedUint::from_be_slice(s, precision).unwrap();
        let exponent = BoxedUint::from(e);
        let result = BoxedMontyForm::new(base, &params).pow(&exponent).retrieve();
        let bytes = result.to_be_bytes();
        bytes[bytes.len() - n.len()..].to_vec()
    }

    #[test]
    fn modular_exponentiation_agrees_with_crypto_bigint() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut bit_lengths: Vec<usize> = (2048..2048 + 40).collect();
        bit_lengths.extend([2055, 2056, 2057, 3071, 3072, 3073, 4095, 4096, 4097, 4127, 4128, 8192]);
        for (i, &bits) in bit_lengths.iter().enumerate() {
            let mut n = rng.bytes(bits.div_ceil(8));
            let top = 8 * n.len() - bits;
            n[0] = (n[0] | 0x80) >> top;
            *n.last_mut().unwrap() |= 1;
            let e = match i % 3 {
                0 => 65537,
                1 => 3,
                _ => (rng.next() % MAX_EXPONENT) | 1 | 2,
            };
            let key = PublicKey::new(
                &n,
                &PublicKey {
                    e,
                    ..PublicKey::new(&n, &[3]).unwrap()
                }
                .exponent(),
            )
            .unwrap();
            assert_eq!(key.bits(), bits);
            // s: random below n, and the edges 0, 1, n − 1.
            let mut samples = vec![
                vec![0u8; n.len()],
                {
                    let mut one = vec![0u8; n.len()];
                    *one.last_mut().unwrap() = 1;
                    one
                },
                {
                    let mut m = n.clone();
                    *m.last_mut().unwrap() -= 1;
                    m
                },
            ];
            for _ in 0..3 {
                let mut s = rng.bytes(n.len());
                s[0] &= n[0] >> 1;
                samples.push(s);
            }
            for s in samples {
                assert_eq!(key.public_operation(&s), Some(reference(&n, e, &s)), "{bits} bits, e {e}");
            }
            // n itself and anything above is refused before the arithmetic, as is a short s.
            assert_eq!(key.public_operation(&n), None);
            assert_eq!(key.public_operation(&vec![0xff; n.len()]), None);
            assert_eq!(key.public_operation(&n[1..]), None);
        }
    }
}
