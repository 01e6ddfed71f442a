//! Fixed-base scalar multiplication with signed-digit windows: `k·P` for a point `P` known in
//! advance (the generator G, or a long-lived public key Q) is a sum of table entries, with no
//! doublings at all.
//!
//! A table of window width `w` stores, for every window `i` (bits `w·i .. w·i + w` of the
//! scalar) and every digit `d` in `1 ..= 2^(w−1)`, the affine point `d·2^(w·i)·P`. The scalar is
//! recoded into signed digits `d_i` in `[−2^(w−1), 2^(w−1)]` with `k = Σ d_i·2^(w·i)`; a negative
//! digit uses the stored entry with `y` negated, which halves the table. `k·P` is then at most
//! `⌊b/w⌋ + 1` mixed additions for b-bit scalars (b = 256 for P-256, 384 for P-384).
//!
//! Size: `⌊b/w⌋` full windows of `2^(w−1)` entries plus a short top window, 2·b/8 bytes an entry
//! ([`FixedBaseTable::bytes`]): for P-256 (64 bytes) w = 8 → 264 KiB, w = 10 → 801 KiB, w = 12 →
//! 2.6 MiB; for P-384 (96 bytes) w = 8 → 576 KiB, w = 10 → 1.8 MiB, w = 12 → 6 MiB.
//! Building costs about 18 field multiplications per entry (one mixed addition plus its share of
//! one batched inversion per window).
//!
//! Two ways to use a table:
//! * [`FixedBaseTable::add_multiple_vartime`] for verification: public scalars only, variable time,
//!   every exceptional case of the incomplete addition handled (see `curve.rs`).
//! * [`FixedBaseTable::mul_ct`] for signing (`k·G` with the secret nonce `k`): constant time.
//!   Digits are recoded without branches, every lookup reads all candidate entries of its window
//!   and keeps one with a conditional select (the memory access pattern does not depend on `k`),
//!   and the additions are straight-line field arithmetic with selects. See its comment for why
//!   the incomplete addition cannot meet its exceptional cases there.

use p384::elliptic_curve::ff::Field as _;
use p384::elliptic_curve::subtle::{Choice, ConditionallySelectable as _, ConstantTimeEq as _};
use p384::elliptic_curve::FieldBytes;
use zeroize::Zeroize as _;

use super::curve::{batch_to_affine, Affine, Fe, Jacobian};
use super::{scalar_bits, Curve};

/// Signed digits of a scalar of up to 384 bits for any window width this module uses (≥ 3 bits).
const MAX_DIGITS: usize = 384 / 3 + 1;

#[derive(Clone, Debug)]
pub struct FixedBaseTable<C: Curve> {
    /// Window width `w` in bits.
    window: u32,
    /// `2^(w−1)`: entries in every window but the top one.
    per_window: usize,
    /// `windows × per_window` entries, the top window possibly shorter.
    points: Vec<Affine<C>>,
}

/// Number of windows (digits) for width `w` and `bits`-bit scalars: `⌊bits/w⌋ + 1` (the top one
/// absorbs the last carry).
#[inline]
fn digit_count(window: u32, bits: usize) -> usize {
    bits / window as usize + 1
}

impl<C: Curve> FixedBaseTable<C> {
    /// The table of `base` for window width `window` (3..=16 bits), built at once. `None` only
    /// for a bad width, or if the arithmetic met the identity, which cannot happen for a point
    /// of prime order n > 2^(b−1). (The crate builds tables in slices with [`TableBuilder`].)
    #[cfg(test)]
    pub fn new(base: &Affine<C>, window: u32) -> Option<FixedBaseTable<C>> {
        let mut builder = TableBuilder::new(base, window)?;
        while !builder.step(usize::MAX)? {}
        builder.finish()
    }

    /// Heap bytes held by the table.
    pub fn bytes(&self) -> usize {
        self.points.capacity() * std::mem::size_of::<Affine<C>>()
    }

    /// `acc += k·base` for a public scalar `k` (big-endian, any value < 2^b).
    /// Variable time. `None` only on an internal indexing error (never expected): callers
    /// then reject the signature.
    pub fn add_multiple_vartime(&self, acc: &mut Jacobian<C>, k: &FieldBytes<C>) -> Option<()> {
        let mut digits = [0i32; MAX_DIGITS];
        let count = recode(k, scalar_bits::<C>(), self.window, &mut digits);
        for (i, &digit) in digits.iter().take(count).enumerate() {
            if digit == 0 {
                continue;
            }
            let index = i * self.per_window + digit.unsigned_abs() as usize - 1;
            let entry = self.points.get(index)?;
            if digit > 0 {
                acc.add_affine_vartime(entry);
            } else {
                acc.add_affine_vartime(&entry.neg());
            }
        }
        Some(())
    }

    /// `k·base` for a secret `k` in `[1, n−1]` (big-endian), in constant time, using
    /// sub-windows of `sub` bits (`sub` must divide the table's width, so that every sub-window
    /// digit times its offset inside the table window is an entry: `d·2^o ≤ 2^(w−1)`).
    ///
    /// Exceptional cases of the mixed addition cannot depend on `k` in a way that matters: with
    /// `S_j` the sum of the digits below sub-window `j` and `T_j = d_j·2^(s·j)` the next term,
    /// `|S_j| < 2^(s·j) ≤ |T_j|` as integers, so `S_j ≠ ±T_j`; they could only be congruent modulo n
    /// if `|S_j ∓ T_j| ≥ n > 2^(b−1)`, which needs `s·(j + 1) > b − 1`, i.e. the top sub-window alone,
    /// where `S + T = k ≢ 0` and `S − T ≡ 0` means `k ≡ 2·T (mod n)`: at most 2^(s−1)·2 values of
    /// `k` out of n. The accumulator being the identity (all lower digits zero) is handled with
    /// selects. If one of those few `k` ever occurs, the result has `Z = 0` and the caller
    /// recomputes `k·G` another (constant-time) way; `k` comes from HMAC-DRBG (RFC 6979), so this
    /// has probability below 2^−240 (P-256, the one curve that signs) and reveals nothing useful.
    ///
    /// `None` if `sub` does not divide the width or is out of range (a programming error).
    pub fn mul_ct(&self, k: &FieldBytes<C>, sub: u32) -> Option<Jacobian<C>> {
        if sub < 3 || self.window % sub != 0 {
            return None;
        }
        let mut digits = [0i32; MAX_DIGITS];
        let count = recode(k, scalar_bits::<C>(), sub, &mut digits);
        let candidates = 1u32 << (sub - 1);
        let mut acc = Jacobian::IDENTITY;
        let mut acc_is_identity = Choice::from(1);
        for (j, &digit) in digits.iter().take(count).enumerate() {
            // Which table window this sub-window falls in, and at which bit offset: public.
            let position = j * sub as usize;
            let window = position / self.window as usize;
            let offset = position % self.window as usize;
            let start = window * self.per_window;
            // Branch-free absolute value and sign of the digit.
            let mask = digit >> 31; // all ones when negative
            let magnitude = ((digit ^ mask) - mask) as u32;
            let negative = Choice::from((mask & 1) as u8);
            let mut entry = Affine::default_point();
            for m in 1..=candidates {
                // Entry `m·2^offset` of this window is `m·2^(s·j)·base`. Only the top window is
                // short (2^t entries for its t = b − w·i bits); a sub-window in it covers bits
                // below b plus at most a carry, so |d|·2^offset ≤ 2^t and the entry exists.
                if let Some(candidate) = self.points.get(start + ((m as usize) << offset) - 1) {
                    entry.conditional_assign(candidate, magnitude.ct_eq(&m));
                }
            }
            let negated = entry.neg();
            entry.conditional_assign(&negated, negative);
            let is_zero = magnitude.ct_eq(&0);
            let sum = acc.add_affine_ct(&entry, acc_is_identity);
            acc.conditional_assign(&sum, !is_zero);
            acc_is_identity &= is_zero;
        }
        digits.zeroize();
        Some(acc)
    }
}

/// Builds a [`FixedBaseTable`] a slice at a time, so that no single call (and no single request
/// to a server) pays for the whole table.
#[derive(Clone, Debug)]
pub struct TableBuilder<C: Curve> {
    window: u32,
    per_window: usize,
    count: usize,
    top_len: usize,
    points: Vec<Affine<C>>,
    /// The window being built, and how many of its entries exist.
    current: usize,
    done_in_window: usize,
    /// `2^(w·current)·base`, and `done_in_window` times it (Jacobian).
    window_base: Affine<C>,
    multiple: Jacobian<C>,
}

impl<C: Curve> TableBuilder<C> {
    pub fn new(base: &Affine<C>, window: u32) -> Option<TableBuilder<C>> {
        if !(3..=16).contains(&window) {
            return None;
        }
        let per_window = 1usize << (window - 1);
        let bits = scalar_bits::<C>();
        let count = digit_count(window, bits);
        // The top window covers the last `b − w·(count − 1)` bits plus a carry: digits ≤ 2^that.
        let top_bits = bits - window as usize * (count - 1);
        let top_len = per_window.min(1 << top_bits);
        Some(TableBuilder {
            window,
            per_window,
            count,
            top_len,
            points: Vec::with_capacity((count - 1) * per_window + top_len),
            current: 0,
            done_in_window: 0,
            window_base: *base,
            multiple: Jacobian::IDENTITY,
        })
    }

    /// Whether every entry exists.
    pub fn is_complete(&self) -> bool {
        self.current >= self.count
    }

    /// Adds up to `budget` more entries (at least one unless complete; about 18 field
    /// multiplications each, plus one field inversion per window touched). Returns whether the
    /// table is complete. `None` if the arithmetic met the identity (impossible for a point of
    /// prime order).
    pub fn step(&mut self, budget: usize) -> Option<bool> {
        let mut left = budget.max(1);
        while left > 0 && !self.is_complete() {
            left -= self.step_in_window(left)?;
        }
        Some(self.is_complete())
    }

    /// Up to `budget` (≥ 1) entries of the current window; returns how many were made.
    fn step_in_window(&mut self, budget: usize) -> Option<usize> {
        let len = if self.current + 1 == self.count {
            self.top_len
        } else {
            self.per_window
        };
        let todo = (len - self.done_in_window).min(budget);
        let mut batch = Vec::with_capacity(todo + 1);
        for _ in 0..todo {
            self.multiple.add_affine_vartime(&self.window_base);
            batch.push(self.multiple);
        }
        self.done_in_window += todo;
        let window_finished = self.done_in_window == len;
        let next_base = window_finished && self.current + 1 < self.count;
        if next_base {
            // `multiple` = 2^(w−1)·window_base, so its double is the next window's base.
            batch.push(self.multiple.double());
        }
        let mut affine = batch_to_affine(&batch)?;
        if next_base {
            self.window_base = affine.pop()?;
        }
        self.points.extend_from_slice(&affine);
        if window_finished {
            self.current += 1;
            self.done_in_window = 0;
            self.multiple = Jacobian::IDENTITY;
        }
        Some(todo)
    }

    /// The table, once [`TableBuilder::is_complete`].
    pub fn finish(self) -> Option<FixedBaseTable<C>> {
        if !self.is_complete() {
            return None;
        }
        Some(FixedBaseTable {
            window: self.window,
            per_window: self.per_window,
            points: self.points,
        })
    }
}

/// Bits `position .. position + width` (width ≤ 16) of the big-endian integer `k`, zero above
/// its top bit. The bytes read depend on `position` only (public), never on `k`'s value.
#[inline]
fn bits(k: &[u8], position: usize, width: u32) -> u32 {
    // Byte `i` counted from the least significant end.
    let byte = |i: usize| k.len().checked_sub(i + 1).and_then(|at| k.get(at)).map_or(0, |b| u32::from(*b));
    let first = position / 8;
    // 16 bits at a shift of at most 7 lie within three bytes.
    let window = byte(first) | byte(first + 1) << 8 | byte(first + 2) << 16;
    (window >> (position % 8)) & ((1u32 << width) - 1)
}

/// Signed digits of the `bit_length`-bit scalar `k` (big-endian, at most 384 bits) for width `w`: `k = Σ d_i·2^(w·i)` with `|d_i| ≤ 2^(w−1)`; returns how many. Branch-free in the
/// digit values (used on secret nonces).
///
/// `#[inline]`, like the two helpers above: the generic code calling it is compiled in the crate
/// that names the curve (Tessera for P-256, at its build's opt-level; this crate for P-384), and
/// so is this, rather than once here at this crate's opt-level.
#[inline]
fn recode(k: &[u8], bit_length: usize, width: u32, digits: &mut [i32; MAX_DIGITS]) -> usize {
    let count = digit_count(width, bit_length).min(MAX_DIGITS);
    let half = 1i32 << (width - 1);
    let mut carry = 0i32;
    for (i, digit) in digits.iter_mut().take(count).enumerate() {
        let value = bits(k, i * width as usize, width) as i32 + carry;
        if i + 1 == count {
            // The top window holds fewer than w − 1 bits plus the carry: no recoding needed.
            *digit = value;
        } else {
            // value in [0, 2^w]: keep it if below 2^(w−1), else use value − 2^w and carry one.
            carry = (value + half) >> width;
            *digit = value - (carry << width);
        }
    }
    count
}

impl<C: Curve> Affine<C> {
    /// A placeholder for constant-time selection (not a curve point).
    fn default_point() -> Affine<C> {
        Affine {
            x: Fe::<C>::ZERO,
            y: Fe::<C>::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::ops::Reduce;
    use p256::{FieldBytes, NistP256, ProjectivePoint, Scalar};
    use sha2::{Digest, Sha256};

    fn scalar(i: u32) -> Scalar {
        <Scalar as Reduce<FieldBytes>>::reduce(&Sha256::digest(i.to_be_bytes()))
    }

    fn to_p256(p: &Jacobian<NistP256>) -> ProjectivePoint {
        if p.is_identity() {
            return ProjectivePoint::IDENTITY;
        }
        ProjectivePoint::from(batch_to_affine(&[*p]).unwrap()[0].to_p256().unwrap())
    }

    fn bytes(k: &Scalar) -> FieldBytes {
        k.to_bytes()
    }

    #[test]
    fn recoding_sums_back_to_the_scalar() {
        for width in 3..=16 {
            for k in [Scalar::ONE, -Scalar::ONE, scalar(1), scalar(2), Scalar::ZERO] {
                let mut digits = [0i32; MAX_DIGITS];
                let count = recode(&bytes(&k), 256, width, &mut digits);
                let mut sum = Scalar::ZERO;
                let radix = Scalar::from(1u64 << width);
                for &d in digits[..count].iter().rev() {
                    assert!(d.unsigned_abs() <= 1 << (width - 1), "width {width} digit {d}");
                    sum = sum * radix
                        + if d < 0 {
                            -Scalar::from(u64::from(d.unsigned_abs()))
                        } else {
                            Scalar::from(d as u64)
                        };
                }
                assert_eq!(sum, k, "width {width}");
            }
        }
    }

    #[test]
    fn table_multiplication_matches_p256() {
        let q = ProjectivePoint::GENERATOR * scalar(99);
        let base = Affine::from_point(&q.to_affine()).unwrap();
        for window in [4, 5, 6, 8] {
            let table = FixedBaseTable::new(&base, window).unwrap();
            let mut ks: Vec<Scalar> = (0..24).map(scalar).collect();
            ks.extend([Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(1u64 << (window - 1))]);
            for k in ks {
                let mut acc = Jacobian::<NistP256>::IDENTITY;
                table.add_multiple_vartime(&mut acc, &bytes(&k)).unwrap();
                assert_eq!(to_p256(&acc), q * k, "window {window}");
                if k != Scalar::ZERO {
                    for sub in (3..=window).filter(|sub| window % sub == 0) {
                        let ct = table.mul_ct(&bytes(&k), sub).unwrap();
                        assert_eq!(to_p256(&ct), q * k, "window {window} sub {sub}");
                    }
                }
            }
        }
        let table = FixedBaseTable::new(&base, 8).unwrap();
        assert!(table.mul_ct(&FieldBytes::from([1; 32]), 3).is_none());
        // Built in small slices: the same table.
        let mut builder = TableBuilder::new(&base, 8).unwrap();
        let mut steps = 0;
        while !builder.step(100).unwrap() {
            steps += 1;
        }
        assert_eq!(steps, 4097 / 100, "100 entries a step, across window boundaries");
        assert_eq!(builder.finish().unwrap().points, table.points);
        assert!(FixedBaseTable::new(&base, 2).is_none() && FixedBaseTable::new(&base, 17).is_none());
        assert_eq!(table.bytes(), (32 * 128 + 1) * 64);
    }

    #[test]
    fn constant_time_multiplication_near_its_exceptional_nonces() {
        // k ≡ ±2·T (mod n) for a top sub-window term T = d·2^(s·j): the only nonces for which the
        // incomplete addition could meet `acc == ±entry`. The result is either right or flagged
        // as the identity (the signer then uses p256), never a wrong point.
        let g = ProjectivePoint::GENERATOR;
        let base = Affine::from_point(&g.to_affine()).unwrap();
        let table = FixedBaseTable::new(&base, 6).unwrap();
        let mut flagged = 0;
        for sub in [3, 6] {
            let top = (256 / sub) * sub;
            for d in 1..=(1u64 << (sub - 1)) {
                for shift in [top - sub, top] {
                    let mut t = Scalar::from(d);
                    for _ in 0..shift {
                        t = t.double();
                    }
                    for k in [t.double(), -t.double(), t, -t, t.double() + Scalar::ONE] {
                        if k == Scalar::ZERO {
                            continue;
                        }
                        let result = table.mul_ct(&bytes(&k), sub as u32).unwrap();
                        if result.is_identity() {
                            flagged += 1;
                        } else {
                            assert_eq!(to_p256(&result), g * k, "sub {sub} d {d} shift {shift}");
                        }
                    }
                }
            }
        }
        assert!(flagged < 8, "{flagged}");
    }
}
