//! Runs HTML extraction over a folder of pages and prints one JSON line per article.
//!
//! ```text
//! cargo run --release --example html_eval -- DIR > predicted.jsonl
//! python3 ../shared/tools/score_pages.py DIR/../gold.jsonl predicted.jsonl
//! ```
//! Timing (decode and extraction only, not disk reads) and pages without an article go to
//! stderr.

use std::time::{Duration, Instant};

use baoku_text::{decode::decode, html::extract};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: html_eval DIR > predicted.jsonl");
        std::process::exit(2);
    });
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            eprintln!("reading {dir}: {e}");
            std::process::exit(2);
        })
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let (mut bytes, mut empty) = (0usize, Vec::new());
    let (mut paragraphs, mut spanned, mut whole) = (0usize, 0usize, 0usize);
    let (mut decoding, mut extracting) = (Duration::ZERO, Duration::ZERO);
    for path in &paths {
        let raw = match std::fs::read(path) {
            Ok(raw) => raw,
            Err(e) => {
                eprintln!("reading {}: {e}", path.display());
                continue;
            }
        };
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let started = Instant::now();
        let text = decode(&raw).text;
        let decoded = Instant::now();
        let page = extract(&file, &text);
        decoding += decoded - started;
        extracting += decoded.elapsed();
        bytes += raw.len();
        match page.article {
            Some(a) => {
                paragraphs += a.text.split('\n').count();
                if a.spans.len() == 1 && a.spans[0].span.len() == text.len() {
                    whole += 1;
                } else {
                    spanned += a.spans.len();
                }
                let line = serde_json::json!({
                    "file": file,
                    "headline": a.headline,
                    "text": a.text,
                    "date": a.date,
                    "url": a.url,
                    "agency": a.agency,
                    "spans": a.spans.iter().map(|s| [s.span.start, s.span.end]).collect::<Vec<_>>(),
                    "warnings": a.warnings,
                });
                println!("{line}");
            }
            None => empty.push(format!("{file} ({})", page.warnings.join("; "))),
        }
    }
    let mb = bytes as f64 / 1e6;
    let rate = |d: Duration| mb / d.as_secs_f64().max(1e-9);
    eprintln!(
        "{} files, {mb:.1} MB: decode + extract {:.3} s = {:.1} MB/s (decode {:.1} MB/s, extract {:.1} MB/s)",
        paths.len(),
        (decoding + extracting).as_secs_f64(),
        rate(decoding + extracting),
        rate(decoding),
        rate(extracting),
    );
    eprintln!("spans: {spanned} of {paragraphs} paragraphs found in the source; {whole} articles span the whole page");
    eprintln!("{} pages with no article", empty.len());
    for e in &empty {
        eprintln!("  {e}");
    }
}
