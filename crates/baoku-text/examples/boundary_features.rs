//! Dumps the features of every undecided headline block (`split::trace_boundaries`), one
//! JSON line each, for refitting the boundary scorer with `tools/fit_trees.py`:
//!
//! ```sh
//! cargo run --release -p baoku-text --example boundary_features -- ../shared/data/pages-dev/pages > /tmp/feat.jsonl
//! python3 crates/baoku-text/tools/fit_trees.py /tmp/feat.jsonl > crates/baoku-text/src/split/trees.rs
//! ```
use baoku_text::{decode::decode, split::trace_boundaries};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: boundary_features DIR");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("reading DIR")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for n in &names {
        let raw = std::fs::read(format!("{dir}/{n}")).expect("reading a page");
        let text = decode(&raw).text;
        for b in trace_boundaries(n, &text) {
            println!(
                "{}",
                serde_json::json!({"file": n, "heads": b.heads, "prev": b.prev, "f": b.features.to_vec(), "ph": b.piece_heads, "body": b.body, "follow": b.follow})
            );
        }
    }
}
