//! Dev tool: character pairs that OpenCC's phrase tables convert into each other but the
//! character-level variant fold keeps apart. Usage: keycheck STPhrases.txt TSPhrases.txt
use baoku_text::variant::fold;
use std::collections::BTreeSet;
fn main() {
    let mut pairs = BTreeSet::new();
    for path in std::env::args().skip(1) {
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(k), Some(vs)) = (cols.next(), cols.next()) else {
                continue;
            };
            for v in vs.split(' ') {
                if k.chars().count() != v.chars().count() {
                    continue;
                }
                for (a, b) in k.chars().zip(v.chars()) {
                    if a != b && fold(a) != fold(b) {
                        pairs.insert((a.min(b), a.max(b)));
                    }
                }
            }
        }
    }
    let s: String = pairs
        .iter()
        .map(|(a, b)| format!("{a}{b}"))
        .collect::<Vec<_>>()
        .join(" ");
    println!("{} pairs\n{s}", pairs.len());
}
