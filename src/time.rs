//! The one time representation of the core: [`Time`], an instant in whole milliseconds since
//! the Unix epoch. Durations that options give in seconds become milliseconds here; the binding
//! layer converts at the edge (JavaScript's `Date.now()` is already milliseconds).

/// An instant: milliseconds since 1970-01-01T00:00:00Z, at most [`Time::MAX`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(i64);

/// Milliseconds per second.
const MS: i64 = 1000;

impl Time {
    /// 9999-12-31T23:59:59.999Z: later values are unit mistakes (microseconds for milliseconds).
    pub const MAX: Time = Time(253_402_300_799_999);

    pub const fn from_millis(ms: i64) -> Time {
        Time(ms)
    }

    pub const fn from_secs(seconds: i64) -> Time {
        Time(seconds.saturating_mul(MS))
    }

    /// From fractional milliseconds (`Date.now()`, or unix seconds × 1000): `None` unless finite
    /// and within [0, [`Time::MAX`]].
    pub fn from_millis_f64(ms: f64) -> Option<Time> {
        // Non-negative here, so truncation is the floor (and needs no libm).
        (ms.is_finite() && (0.0..=Time::MAX.0 as f64).contains(&ms)).then_some(Time(ms as i64))
    }

    /// From unix seconds, possibly fractional (a JWT NumericDate, a `now` option).
    pub fn from_secs_f64(seconds: f64) -> Option<Time> {
        Time::from_millis_f64(seconds * 1000.0)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Whole unix seconds (rounded down).
    pub const fn secs(self) -> i64 {
        self.0.div_euclid(MS)
    }

    /// Unix seconds with the milliseconds as a fraction.
    pub fn secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub const fn plus_millis(self, ms: i64) -> Time {
        Time(self.0.saturating_add(ms))
    }

    pub const fn plus_secs(self, seconds: i64) -> Time {
        self.plus_millis(seconds.saturating_mul(MS))
    }

    /// `self - earlier` in milliseconds (negative if `earlier` is later).
    pub const fn millis_since(self, earlier: Time) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let t = Time::from_millis(1_700_000_000_999);
        assert_eq!(t.secs(), 1_700_000_000);
        assert_eq!(t.secs_f64(), 1_700_000_000.999);
        assert_eq!(Time::from_secs(5).plus_millis(1), Time::from_millis(5001));
        assert_eq!(Time::from_secs_f64(1.5), Some(Time::from_millis(1500)));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 253_402_300_800.0] {
            assert_eq!(Time::from_secs_f64(bad), None, "{bad}");
        }
        assert_eq!(Time::from_millis_f64(Time::MAX.millis() as f64), Some(Time::MAX));
        assert_eq!(Time::from_secs(2).millis_since(Time::from_secs(3)), -1000);
        assert_eq!(Time::from_secs(i64::MAX).millis(), i64::MAX, "saturates");
    }
}
