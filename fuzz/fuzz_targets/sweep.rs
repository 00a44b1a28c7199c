//! The sweep reader on arbitrary text (every point's scenario is validated too): a sweep or an
//! InputError naming the file, never a panic, hang or runaway allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz-sweep.toml");
    let Ok(text) = domino::scenario::files::utf8(data, Some(path)) else {
        return;
    };
    if let Err(e) = domino::sweep::Sweep::from_toml(text, Some(path)) {
        assert!(e.file.is_some(), "an error without its file: {e}");
        assert!(!e.message.is_empty());
    }
});
