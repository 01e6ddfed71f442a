//! `SessionCore`'s side of the tab channel (BroadcastChannel): messages heard from other tabs,
//! and the messages a tab sends when it starts or signs out. The protocol itself is the core's
//! [`TabMessage`]; this file only converts.

use alloc::string::String;

use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::data::{jitter, message_object, message_of, set, token_message};
use super::SessionCore;
use crate::session::{Heard, TabMessage};
use crate::wasm::time;

#[wasm_bindgen]
impl SessionCore {
    /// A message from another tab (structured-clone data) → `{ heard, message?, reason? }` where
    /// `heard` is `nothing`, `adopted`, `share` (send `message`) or `signed-out`.
    pub fn heard(&mut self, data: JsValue, clock: f64) -> JsValue {
        let result = Object::new();
        let heard = match message_of(&data) {
            None => Heard::Nothing,
            Some(message) => self.session.heard(message, time(clock), jitter()),
        };
        let kind = match heard {
            Heard::Nothing => "nothing",
            Heard::Adopted => "adopted",
            Heard::Share(token) => {
                let peek = self.session.held_peek().cloned().unwrap_or_default();
                set(&result, "message", token_message(token, peek));
                "share"
            }
            Heard::SignOut(reason) => {
                set(&result, "reason", reason);
                "signed-out"
            }
        };
        set(&result, "heard", kind);
        result.into()
    }

    /// The message a starting tab sends.
    #[wasm_bindgen(js_name = helloMessage)]
    pub fn hello_message() -> JsValue {
        message_object(&TabMessage::Hello)
    }

    /// The message that signs the other tabs out.
    #[wasm_bindgen(js_name = logoutMessage)]
    pub fn logout_message(reason: String) -> JsValue {
        message_object(&TabMessage::Logout(reason))
    }
}
