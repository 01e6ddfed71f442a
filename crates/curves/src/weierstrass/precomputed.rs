//! When the fixed-base tables of `table.rs` get built, and where they live. Each curve has its own
//! state ([`Curve::tables`]), with the bounds below applying per curve; the widths are the
//! curve's ([`Curve::G_WINDOW`], [`Curve::KEY_WINDOW`]; `es256.rs` and `es384.rs` here state the
//! bytes).
//!
//! * **G** (the generator): one table per instance (per thread natively; a wasm instance has one
//!   thread), shared by every key and, for P-256, by signing.
//! * **Each public key Q**: a table of its own. At most [`MAX_KEY_TABLES`] keys hold one (built
//!   or being built), so a curve's tables together stay below G's + 4 key tables.
//!
//! Nothing is built for a key's first [`TABLE_AFTER`] verifications (one-off keys, cold starts
//! and the first token keep the plain path, `verify_without_tables`, ≈ 0.5–1 ms in wasm for P-256).
//! From then on, each verification that finds a table missing adds one slice (the caller's
//! budget, [`STEP_ENTRIES`] for P-256) to it (G first, then the key's; 1.5–5 ms in wasm on a
//! shared 2-core machine) and still verifies the plain way, so no single call pays the whole
//! build (P-256: 70–110 ms for G, 20–60 ms for a key in wasm there; the table path starts after
//! about 43 + 13 such calls). Signing does the same for G after its own [`TABLE_AFTER`]
//! signatures.
//!
//! Keys are recognised by their point, so a key re-parsed from a JWK Set (a fresh `Verifier`, a
//! refetched remote set) finds its table again. [`MAX_TRACKED_KEYS`] keys are tracked; the least
//! recently used makes room, and a key's table is only taken for another key once it has been
//! idle for [`IDLE_BEFORE_EVICTION`] verifications, so more hot keys than slots cannot make the
//! tables churn: the extra keys just keep the plain path.

use std::rc::Rc;

use super::curve::Affine;
use super::table::{FixedBaseTable, TableBuilder};
use super::Curve;

/// A complete table, shared by the state and the verifications using it.
pub type Shared<C> = Rc<FixedBaseTable<C>>;

/// A key gets a table from its third verification on (and signing from the third signature).
pub const TABLE_AFTER: u32 = 2;
/// P-256 table entries built per call while a table is incomplete (≈ 18k field multiplications).
pub const STEP_ENTRIES: usize = 1024;
/// Keys holding a table (built or being built) at once.
pub const MAX_KEY_TABLES: usize = 4;
/// Keys whose use counts are kept.
pub const MAX_TRACKED_KEYS: usize = 16;
/// Verifications (of any key) a table-holding key must go unused before its slot can be reused.
pub const IDLE_BEFORE_EVICTION: u64 = 4096;

#[derive(Debug)]
enum Lazy<C: Curve> {
    Building(Box<TableBuilder<C>>),
    Ready(Rc<FixedBaseTable<C>>),
    /// The builder met an impossible case; the plain path is used for good.
    Failed,
}

impl<C: Curve> Lazy<C> {
    fn new(base: &Affine<C>, window: u32) -> Lazy<C> {
        match TableBuilder::new(base, window) {
            Some(builder) => Lazy::Building(Box::new(builder)),
            None => Lazy::Failed,
        }
    }

    fn ready(&self) -> Option<Rc<FixedBaseTable<C>>> {
        match self {
            Lazy::Ready(table) => Some(Rc::clone(table)),
            _ => None,
        }
    }

    /// One slice of work (or all of it, with `usize::MAX`).
    fn step(&mut self, budget: usize) {
        let Lazy::Building(builder) = self else {
            return;
        };
        match builder.step(budget) {
            Some(false) => {}
            Some(true) => {
                let builder = std::mem::replace(self, Lazy::Failed);
                if let Lazy::Building(builder) = builder {
                    if let Some(table) = builder.finish() {
                        *self = Lazy::Ready(Rc::new(table));
                    }
                }
            }
            None => *self = Lazy::Failed,
        }
    }

    fn complete(&mut self) {
        while matches!(self, Lazy::Building(_)) {
            self.step(usize::MAX);
        }
    }
}

#[derive(Debug)]
struct KeyEntry<C: Curve> {
    point: Affine<C>,
    uses: u32,
    last_used: u64,
    table: Option<Lazy<C>>,
}

/// One curve's tables and use counts (in a `thread_local!` of its [`Curve::tables`]).
#[derive(Debug)]
pub struct State<C: Curve> {
    generator: Option<Lazy<C>>,
    signatures: u32,
    keys: Vec<KeyEntry<C>>,
    tick: u64,
}

impl<C: Curve> Default for State<C> {
    fn default() -> Self {
        State {
            generator: None,
            signatures: 0,
            keys: Vec::new(),
            tick: 0,
        }
    }
}

fn with_state<C: Curve, T>(f: impl FnOnce(&mut State<C>) -> Option<T>) -> Option<T> {
    C::tables()
        .try_with(|state| state.try_borrow_mut().ok().and_then(|mut state| f(&mut state)))
        .ok()
        .flatten()
}

impl<C: Curve> State<C> {
    /// The generator's table if ready; otherwise one slice of it is built.
    fn generator_or_step(&mut self, budget: usize) -> Option<Rc<FixedBaseTable<C>>> {
        let generator = match &mut self.generator {
            Some(lazy) => lazy,
            None => self.generator.insert(Lazy::new(&Affine::generator()?, C::G_WINDOW)),
        };
        let ready = generator.ready();
        if ready.is_none() {
            generator.step(budget);
        }
        ready
    }

    /// The index of `point`'s entry, made if needed (evicting the least recently used entry).
    /// `force` (tests) evicts even a busy table.
    fn key_entry(&mut self, point: &Affine<C>, force: bool) -> Option<usize> {
        if let Some(index) = self.keys.iter().position(|entry| entry.point == *point) {
            return Some(index);
        }
        if self.keys.len() >= MAX_TRACKED_KEYS {
            let tick = self.tick;
            let victim = self
                .keys
                .iter()
                .enumerate()
                .filter(|(_, entry)| force || entry.table.is_none() || tick.saturating_sub(entry.last_used) > IDLE_BEFORE_EVICTION)
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(index, _)| index)?;
            self.keys.swap_remove(victim);
        }
        self.keys.push(KeyEntry {
            point: *point,
            uses: 0,
            last_used: self.tick,
            table: None,
        });
        Some(self.keys.len() - 1)
    }

    /// Gives the key at `index` a table slot if one is free or can be taken from an idle key.
    fn claim_table_slot(&mut self, index: usize) -> bool {
        let holders = self.keys.iter().filter(|entry| entry.table.is_some()).count();
        if holders >= MAX_KEY_TABLES {
            let tick = self.tick;
            let idle = self
                .keys
                .iter()
                .enumerate()
                .filter(|(_, entry)| entry.table.is_some() && tick.saturating_sub(entry.last_used) > IDLE_BEFORE_EVICTION)
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(victim, _)| victim);
            match idle.and_then(|victim| self.keys.get_mut(victim)) {
                Some(victim) => victim.table = None,
                None => return false,
            }
        }
        match self.keys.get_mut(index) {
            Some(entry) => {
                entry.table = Some(Lazy::new(&entry.point, C::KEY_WINDOW));
                true
            }
            None => false,
        }
    }
}

/// Tables for verifying with `point`: `(G's, the key's)` once both are ready. Counts the use;
/// after the key's first [`TABLE_AFTER`] uses, a call that finds a table missing builds one
/// slice of it (at most `budget` entries) and returns `None` (verify the plain way).
pub fn for_key<C: Curve>(point: &Affine<C>, budget: usize) -> Option<(Shared<C>, Shared<C>)> {
    with_state(|state: &mut State<C>| {
        state.tick = state.tick.saturating_add(1);
        let index = state.key_entry(point, false)?;
        let tick = state.tick;
        let entry = state.keys.get_mut(index)?;
        entry.uses = entry.uses.saturating_add(1);
        entry.last_used = tick;
        if entry.uses <= TABLE_AFTER {
            return None;
        }
        let key_ready = entry.table.as_ref().and_then(Lazy::ready);
        let has_slot = entry.table.is_some();
        let generator = state.generator_or_step(budget)?;
        if !has_slot && !state.claim_table_slot(index) {
            return None;
        }
        match key_ready {
            Some(key) => Some((generator, key)),
            None => {
                if let Some(lazy) = state.keys.get_mut(index).and_then(|entry| entry.table.as_mut()) {
                    lazy.step(budget);
                }
                None
            }
        }
    })
}

/// G's table for signing once ready; after the first [`TABLE_AFTER`] signatures, a call that
/// finds it missing builds one slice and returns `None` (sign the plain way).
pub fn for_signing<C: Curve>(budget: usize) -> Option<Rc<FixedBaseTable<C>>> {
    with_state(|state: &mut State<C>| {
        state.signatures = state.signatures.saturating_add(1);
        if state.signatures <= TABLE_AFTER {
            return None;
        }
        state.generator_or_step(budget)
    })
}

/// Builds G's table, and `point`'s if given, completely now, whatever the counts (tests).
pub fn complete_now<C: Curve>(point: Option<&Affine<C>>) -> Option<(Shared<C>, Option<Shared<C>>)> {
    with_state(|state: &mut State<C>| {
        let generator = match &mut state.generator {
            Some(lazy) => lazy,
            None => state.generator.insert(Lazy::new(&Affine::generator()?, C::G_WINDOW)),
        };
        generator.complete();
        let generator = generator.ready()?;
        let Some(point) = point else {
            return Some((generator, None));
        };
        let index = state.key_entry(point, true)?;
        let entry = state.keys.get_mut(index)?;
        entry.uses = entry.uses.max(TABLE_AFTER);
        // Tests may exceed MAX_KEY_TABLES here; the eviction rules apply to `for_key` only.
        let lazy = entry.table.get_or_insert_with(|| Lazy::new(point, C::KEY_WINDOW));
        lazy.complete();
        Some((generator, Some(lazy.ready()?)))
    })
}

/// Memory now held by complete tables: `(G's bytes, each complete key table's bytes)`.
pub fn table_bytes<C: Curve>() -> (usize, Vec<usize>) {
    with_state(|state: &mut State<C>| {
        let generator = state.generator.as_ref().and_then(Lazy::ready).map_or(0, |table| table.bytes());
        let keys = state
            .keys
            .iter()
            .filter_map(|entry| entry.table.as_ref().and_then(Lazy::ready))
            .map(|table| table.bytes())
            .collect();
        Some((generator, keys))
    })
    .unwrap_or_default()
}

/// How many tracked keys hold a complete table, and whether G's is complete.
#[cfg(test)]
fn status<C: Curve>() -> (usize, bool) {
    with_state(|state: &mut State<C>| {
        let keys = state
            .keys
            .iter()
            .filter(|entry| entry.table.as_ref().and_then(Lazy::ready).is_some())
            .count();
        Some((keys, state.generator.as_ref().and_then(Lazy::ready).is_some()))
    })
    .unwrap_or((0, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::{NistP256, ProjectivePoint, Scalar};

    fn point(i: u64) -> Affine<NistP256> {
        Affine::from_point(&(ProjectivePoint::GENERATOR * Scalar::from(1000 + i)).to_affine()).unwrap()
    }

    #[test]
    fn tables_come_after_a_few_uses_and_their_number_is_bounded() {
        let keys: Vec<Affine<NistP256>> = (0..6).map(point).collect();
        // First uses: no tables, nothing built.
        for key in &keys {
            for _ in 0..TABLE_AFTER {
                assert!(for_key(key, usize::MAX).is_none());
            }
        }
        assert_eq!(status::<NistP256>(), (0, false));
        // Next use of the first key builds G (in one go, given an unbounded budget), the one
        // after that the key's table, then the tables are used.
        assert!(for_key(&keys[0], usize::MAX).is_none());
        assert_eq!(status::<NistP256>(), (0, true));
        assert!(for_key(&keys[0], usize::MAX).is_none());
        assert!(for_key(&keys[0], usize::MAX).is_some());
        for key in &keys[1..] {
            for _ in 0..3 {
                let _ = for_key(key, usize::MAX);
            }
        }
        // Four keys hold tables; the other two keep the plain path rather than evicting busy ones.
        assert_eq!(status::<NistP256>().0, MAX_KEY_TABLES);
        assert!(for_key(&keys[5], usize::MAX).is_none());
        let (generator, tables) = table_bytes::<NistP256>();
        assert_eq!((generator, tables.len()), (2_753_536, MAX_KEY_TABLES));
        // Once the others have been idle long enough, a hot key takes over a slot.
        for _ in 0..=IDLE_BEFORE_EVICTION {
            assert!(for_key(&keys[0], usize::MAX).is_some());
        }
        assert!(for_key(&keys[5], usize::MAX).is_none()); // claims a slot, builds
        assert!(for_key(&keys[5], usize::MAX).is_some());
        assert!(for_key(&keys[0], usize::MAX).is_some());
        assert_eq!(status::<NistP256>().0, MAX_KEY_TABLES);
    }

    #[test]
    fn tracked_keys_are_bounded_and_slices_are_small() {
        for i in 0..40 {
            assert!(for_key(&point(i), 1).is_none());
        }
        assert!(with_state(|state: &mut State<NistP256>| Some(state.keys.len())).unwrap() <= MAX_TRACKED_KEYS);
        // Signing builds G one slice per call after TABLE_AFTER signatures.
        for _ in 0..TABLE_AFTER {
            assert!(for_signing::<NistP256>(STEP_ENTRIES).is_none());
        }
        let mut calls = 0;
        while for_signing::<NistP256>(STEP_ENTRIES).is_none() {
            calls += 1;
            assert!(calls < 100);
        }
        assert_eq!(calls, 2_753_536 / 64 / STEP_ENTRIES + 1);
    }
}
