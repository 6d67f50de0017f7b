//! The bundled samples against their gold (`samples-src/gold.jsonl`), with the matching rule
//! of the shared page scorer: a gold article is recovered when one predicted article holds at
//! least 90 % of its character 5-grams and at least 90 % of the prediction's 5-grams are its.
//! Runs everywhere: it needs neither `../shared` nor Python.

use std::collections::HashSet;

use crate::{baoku, json_lines, repo};

/// White space dropped and the widths folded that the samples use (NFKC for ASCII forms).
fn norm(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap(),
            c => c,
        })
        .collect()
}

fn grams(s: &str) -> HashSet<String> {
    let c = norm(s);
    if c.len() < 5 {
        return HashSet::from([c.iter().collect()]);
    }
    c.windows(5).map(|w| w.iter().collect()).collect()
}

#[test]
fn every_sample_article_is_recovered_whole_with_its_headline_and_date() {
    check_samples(&[]);
}

/// One file per batch (one transaction each): the continuation across two files is still
/// stitched, because a file with a continuation waits for later batches.
#[test]
fn continuations_are_stitched_across_batches() {
    check_samples(&["--batch-files", "1"]);
}

fn check_samples(ingest_args: &[&str]) {
    let gold: Vec<serde_json::Value> = std::fs::read_to_string(repo().join("samples-src/gold.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let db = tempfile::tempdir().unwrap();
    let samples = repo().join("samples");
    let mut args = vec!["ingest", samples.to_str().unwrap()];
    args.extend(ingest_args);
    baoku(db.path(), &args);
    let pred: Vec<serde_json::Value> = json_lines(&baoku(db.path(), &["articles", "--json"]))
        .into_iter()
        .filter(|a| a["source_id"].is_null()) // JSONL records have no gold here
        .collect();
    let pred_grams: Vec<HashSet<String>> = pred.iter().map(|p| grams(p["text"].as_str().unwrap())).collect();
    let mut failures = Vec::new();
    for g in &gold {
        let title = g["title"].as_str().unwrap();
        let gg = grams(g["text"].as_str().unwrap());
        let hit = pred_grams.iter().position(|pg| {
            let shared = gg.intersection(pg).count() as f64;
            shared / gg.len() as f64 >= 0.9 && shared / pg.len() as f64 >= 0.9
        });
        let Some(i) = hit else {
            failures.push(format!("not recovered: {title}"));
            continue;
        };
        let p = &pred[i];
        let mut heads: Vec<&str> = vec![p["headline"].as_str().unwrap()];
        heads.extend(p["subheads"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()));
        if !heads.iter().any(|h| norm(h) == norm(title)) {
            failures.push(format!("headline of {title}: got {heads:?}"));
        }
        if g["date_evidence"] != "none" && p["date"] != g["date"] {
            failures.push(format!("date of {title}: got {} want {}", p["date"], g["date"]));
        }
        let files: HashSet<String> = p["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().rsplit('/').next().unwrap().to_string())
            .collect();
        let want: HashSet<String> = g["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect();
        if files != want {
            failures.push(format!("files of {title}: got {files:?} want {want:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} sample articles wrong:\n{}",
        failures.len(),
        gold.len(),
        failures.join("\n")
    );
}
