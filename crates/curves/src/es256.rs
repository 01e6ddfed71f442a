//! P-256's parameters for the fixed-base tables of [`crate::weierstrass`]. `tessera-es256`
//! (`crates/es256/`) calls the generic table code with [`NistP256`], so that code is compiled
//! there (at the verify build's opt-level 3, for ES256's speed), not here; this module holds only
//! what the orphan rule puts next to the `Curve` trait.

use std::cell::RefCell;
use std::thread::LocalKey;

use p256::NistP256;

use crate::weierstrass::curve::Fe;
use crate::weierstrass::precomputed::State;
use crate::weierstrass::Curve;

/// Window width of the generator's table: 21 windows × 2048 entries + 16, 64 bytes each =
/// 2.63 MiB (2,753,536 bytes) per instance.
pub const G_WINDOW: u32 = 12;
/// Window width of each public key's table: 25 windows × 512 entries + 64 = 0.79 MiB (823,296
/// bytes).
pub const KEY_WINDOW: u32 = 10;

impl Curve for NistP256 {
    const G_WINDOW: u32 = G_WINDOW;
    const KEY_WINDOW: u32 = KEY_WINDOW;
    const ORDER_BYTES: &'static [u8] = &[
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
        0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ];
    const P_MINUS_N: &'static [u8] = &[
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x43, 0x19, 0x05, 0x53, 0x58, 0xe8, 0x61, 0x7b, 0x0c, 0x46, 0x35, 0x3d, 0x03, 0x9c,
        0xda, 0xae,
    ];

    fn tables() -> &'static LocalKey<RefCell<State<NistP256>>> {
        thread_local! {
            static TABLES: RefCell<State<NistP256>> = RefCell::new(State::default());
        }
        &TABLES
    }

    fn invert_vartime(value: &Fe<NistP256>) -> Option<Fe<NistP256>> {
        Option::from(value.invert_vartime())
    }
}
