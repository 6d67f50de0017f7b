//! Recovers articles from a folder of page dumps, for scoring against a gold set.
//!
//! ```text
//! cargo run --release --example pages_eval -- DIR > predicted.jsonl
//! python3 score_pages.py DIR/../gold.jsonl predicted.jsonl
//! ```
//!
//! Reads every file in DIR (sorted by name), decodes, splits and stitches the whole batch,
//! and prints one JSON object per article. `text` holds the subheads (引题, 副题) and then the
//! body, so that the printed article is the whole article in reading order. Timing
//! (single thread) goes to stderr.

use std::time::Instant;

use baoku_text::{decode::decode, split::split_page, stitch::stitch};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: pages_eval DIR > predicted.jsonl");
        std::process::exit(2);
    });
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {dir}: {e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let raws: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(format!("{dir}/{n}")).unwrap_or_else(|e| panic!("reading {n}: {e}")))
        .collect();
    let bytes: usize = raws.iter().map(Vec::len).sum();

    let t0 = Instant::now();
    let texts: Vec<String> = raws.iter().map(|r| decode(r).text).collect();
    let t1 = Instant::now();
    let pages: Vec<_> = names.iter().zip(&texts).map(|(n, t)| split_page(n, t)).collect();
    let articles = stitch(&pages);
    let t2 = Instant::now();

    let mut out = String::new();
    for a in &articles {
        let mut files: Vec<&str> = a.spans.iter().map(|s| names[s.source].as_str()).collect();
        files.dedup();
        let mut text = a.subheads.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&a.text);
        let rec = serde_json::json!({
            "headline": a.headline,
            "subheads": a.subheads,
            "text": text,
            "date": a.date,
            "page": a.page,
            "place": a.place,
            "agency": a.agency,
            "reporters": a.reporters,
            "lang": a.lang,
            "script": a.script,
            "files": files,
            "warnings": a.warnings,
            "spans": a.spans.iter().map(|s| (s.source, s.span.start, s.span.end)).collect::<Vec<_>>(),
        });
        out.push_str(&rec.to_string());
        out.push('\n');
    }
    print!("{out}");

    let mb = bytes as f64 / 1e6;
    let (dec, split) = ((t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64());
    eprintln!(
        "{} files, {:.1} MB, {} articles; decode {:.3}s ({:.0} MB/s), split+stitch {:.3}s ({:.0} MB/s), total {:.0} MB/s",
        names.len(),
        mb,
        articles.len(),
        dec,
        mb / dec,
        split,
        mb / split,
        mb / (dec + split)
    );
}
