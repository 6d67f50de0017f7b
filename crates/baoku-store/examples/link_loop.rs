//! Times the linker alone: every article of an archive fingerprinted first (on all cores,
//! untimed), then linked in one batch on one thread, a few times; prints each run's seconds.
//! The linker's own speed, apart from reading texts and fingerprinting beside it.
//!
//! `cargo run --release -p baoku-store --example link_loop -- ARCHIVE.sqlite [RUNS]`

use std::time::Instant;

use baoku_text::link::{LinkDoc, LinkParams, Linker, NoSource};
use baoku_text::normalize::Normalizer;
use rayon::prelude::*;
use rusqlite::Connection;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: link_loop ARCHIVE.sqlite [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let conn = Connection::open(path)?;
    let mut st = conn.prepare("SELECT id, headline, text, date, agency, script FROM articles ORDER BY id")?;
    type Row = (i64, String, String, Option<String>, Option<String>, String);
    let rows: Vec<Row> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<Result<_, _>>()?;
    let n = Normalizer::shared();
    let params = LinkParams::default();
    let mut docs: Vec<LinkDoc> = rows
        .par_iter()
        .map(|(id, h, t, d, a, script)| {
            let hant = script == "Hant";
            let mut doc = LinkDoc::new(*id as u64, n, h, t, d.as_deref(), a.as_deref(), hant, &params.fingerprint);
            doc.pack();
            doc
        })
        .collect();
    drop(rows);
    docs.sort_by_key(|d| baoku_text::link::linking_order(d.fingerprint.content_len, d.id));
    for _ in 0..runs {
        let batch = docs.clone();
        let mut linker = Linker::new(params);
        let t = Instant::now();
        let edges = linker.link_in_order(batch.into_iter(), &mut NoSource);
        println!(
            "{:.3} s, {} edges, {} stories",
            t.elapsed().as_secs_f64(),
            edges.len(),
            linker.stories().len()
        );
    }
    Ok(())
}
