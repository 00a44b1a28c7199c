//! The node-table reader on arbitrary bytes: a table whose columns all have one cell per school,
//! or an InputError naming the file.
#![no_main]

use domino::scenario::files::NodeTable;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    match NodeTable::from_bytes(data, Path::new("nodes.csv")) {
        Ok(t) => {
            let n = t.ids.len();
            assert!(n > 0);
            for col in [&t.size, &t.need, &t.readiness, &t.resources, &t.context] {
                assert!(col.as_ref().is_none_or(|c| c.len() == n));
            }
            assert!(t.region.as_ref().is_none_or(|r| r.len() == n));
            assert!(t.names.as_ref().is_none_or(|r| r.len() == n));
        }
        Err(e) => assert!(e.file.is_some(), "an error without its file: {e}"),
    }
});
