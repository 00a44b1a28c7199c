//! The scenario reader on arbitrary text: it must return a scenario or an InputError naming the
//! file, never panic, hang or allocate beyond what validation allows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.toml");
    let Ok(text) = domino::scenario::files::utf8(data, Some(path)) else {
        return;
    };
    if let Err(e) = domino::Scenario::from_toml(text, Some(path)) {
        assert!(e.file.is_some(), "an error without its file: {e}");
        assert!(!e.message.is_empty());
    }
});
