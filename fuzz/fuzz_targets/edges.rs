//! The edge-list reader on arbitrary bytes, with and without a node table (the first byte
//! chooses): ties between existing, distinct schools with weights in (0, 1], a bounded school
//! count, or an InputError naming the file.
#![no_main]

use domino::scenario::files::{EdgeList, NodeTable};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, data)) = data.split_first() else {
        return;
    };
    let table = NodeTable::from_bytes(b"id\na\nb\nc\n0\n1\n#2\n", Path::new("nodes.csv"))
        .expect("the fixed node table is valid");
    let nodes = (choice & 1 == 1).then_some(&table);
    match EdgeList::from_bytes(data, Path::new("edges.csv"), nodes) {
        Ok(list) => {
            assert!(list.schools >= 1 && list.schools <= domino::scenario::MAX_SCHOOLS as usize);
            // Without a node table, a few lines cannot make a huge world.
            if nodes.is_none() {
                assert!(list.schools <= (data.len() * 10).max(1000));
            }
            for e in &list.edges {
                assert!(e.a != e.b);
                assert!((e.a as usize) < list.schools && (e.b as usize) < list.schools);
                assert!(e.weight > 0.0 && e.weight <= 1.0);
            }
        }
        Err(e) => assert!(e.file.is_some(), "an error without its file: {e}"),
    }
});
