//! Any bytes as a websocket frame: decoding must return a message or an error, never panic,
//! and whatever decodes must survive an encode/decode round trip unchanged.
#![no_main]

use caucus_relay::protocol::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|frame: &[u8]| {
    if let Ok(message) = decode(frame) {
        let again = decode(&encode(&message)).expect("our own encoding must decode");
        assert_eq!(again, message);
    }
});
