//! The measured floors of the ingest issue on the shared corpora; skipped without `../shared`.

use std::process::Command;

use crate::{baoku, ingested, shared_data};

/// Runs a shared scorer (`score_pages.py`, `score_links.py`) and returns its JSON figures.
fn run_scorer(scorer: &std::path::Path, gold: &std::path::Path, pred: &std::path::Path) -> serde_json::Value {
    let s = Command::new("python3")
        .arg(scorer)
        .arg(gold)
        .arg(pred)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        s.status.success(),
        "scorer failed: {}",
        String::from_utf8_lossy(&s.stderr)
    );
    serde_json::from_slice(&s.stdout).unwrap()
}

/// Ingests `dir`, writes `baoku articles --json`, scores it with the shared scorer.
///
/// The scorer reads a prediction's `headline` and `text` only, while its gold counts the
/// other headline lines (引题, 副题) as part of the article; baoku keeps those in `subheads`,
/// so they are put before the text here, as a reader sees them.
fn score(dir: &std::path::Path, gold: &std::path::Path, scorer: &std::path::Path) -> serde_json::Value {
    let db = ingested(dir);
    let lines: Vec<String> = crate::json_lines(&baoku(db.path(), &["articles", "--json"]))
        .into_iter()
        .map(|mut a| {
            let mut text: Vec<String> = a["subheads"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            text.push(a["text"].as_str().unwrap().to_string());
            a["text"] = text.join("\n").into();
            a.to_string()
        })
        .collect();
    let pred = db.path().join("predicted.jsonl");
    std::fs::write(&pred, lines.join("\n")).unwrap();
    let v = run_scorer(scorer, gold, &pred);
    eprintln!("{}: {v}", dir.display());
    v
}

/// Scores of `baoku articles --json` on pages-dev, or None without `../shared`.
fn pages_dev_scores() -> Option<(serde_json::Value, f64)> {
    let data = shared_data()?;
    let v = score(
        &data.join("pages-dev/pages"),
        &data.join("pages-dev/gold.jsonl"),
        &data.join("../tools/score_pages.py"),
    );
    let (ok, total) = v["continuations_stitched"].as_str().unwrap().split_once('/').unwrap();
    let stitched = ok.parse::<f64>().unwrap() / total.parse::<f64>().unwrap();
    Some((v, stitched))
}

/// The floors of the ingest issue, as the issue states them, and then what has been reached
/// (F1 0.9508, headline 0.9827, dates 1.0 where the input states them and 0.687 where only
/// datelines and copies in dated files tell (the scorer's `undated_date_accuracy`: a third of
/// those pages have no dateline at all)), so that no change loses it quietly. Raise the
/// second set as the splitter improves. One test, so that pages-dev is ingested once.
#[test]
fn pages_dev_floors() {
    let Some((v, stitched)) = pages_dev_scores() else {
        return;
    };
    let f = |k: &str| v[k].as_f64().unwrap();
    assert!(f("f1") >= 0.95, "article F1 below the issue's floor: {v}");
    assert!(
        f("headline_accuracy") >= 0.95,
        "headline accuracy below the issue's floor: {v}"
    );
    assert!(f("date_accuracy") >= 0.95, "date accuracy below the issue's floor: {v}");
    assert!(stitched >= 0.9, "continuations below the issue's floor: {v}");

    assert!(f("f1") >= 0.9505, "article F1 fell: {v}");
    assert!(f("headline_accuracy") >= 0.98, "headline accuracy fell: {v}");
    assert!(f("date_accuracy") >= 0.995, "date accuracy fell: {v}");
    assert!(f("undated_date_accuracy") >= 0.68, "dates of undated pages fell: {v}");
    assert!(stitched >= 47.0 / 48.0, "continuations fell: {v}");
}

#[test]
fn html_cctv_floors() {
    let Some(data) = shared_data() else {
        return;
    };
    let pages = data.join("html-cctv/pages");
    let v = score(
        &pages,
        &data.join("html-cctv/gold.jsonl"),
        &data.join("../tools/score_pages.py"),
    );
    assert!(v["f1"].as_f64().unwrap() >= 0.95, "article F1 {v}");
    // Listing pages (named by day, YYYYMMDD.shtml) yield no article.
    let db = tempfile::tempdir().unwrap();
    let listings: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_stem()
                .unwrap()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(listings.len(), 5);
    let mut args = vec!["ingest"];
    args.extend(listings.iter().map(String::as_str));
    baoku(db.path(), &args);
    let n = crate::json_lines(&baoku(db.path(), &["articles", "--json"])).len();
    assert_eq!(n, 0, "listing pages produced articles");
}

/// Writes `baoku stories --json` and scores it against `gold` with `score_links.py`.
fn score_stories(db: &std::path::Path, gold: &std::path::Path, data: &std::path::Path) -> serde_json::Value {
    let out = baoku(db, &["stories", "--json"]);
    let pred = db.join("stories.jsonl");
    std::fs::write(&pred, &out.stdout).unwrap();
    run_scorer(&data.join("../tools/score_links.py"), gold, &pred)
}

/// Pairs of predicted story members that belong to different gold stories.
fn false_pairs(db: &std::path::Path, gold: &std::path::Path) -> Vec<(String, String)> {
    let gold: std::collections::HashMap<String, String> = std::fs::read_to_string(gold)
        .unwrap()
        .lines()
        .map(|l| {
            let g: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                g["id"].as_str().unwrap().to_string(),
                g["story"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for s in crate::json_lines(&baoku(db, &["stories", "--json"])) {
        let ids: Vec<String> = s["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["source_id"].as_str().map(String::from))
            .collect();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                if gold.get(a) != gold.get(b) {
                    out.push((a.clone(), b.clone()));
                }
            }
        }
    }
    out
}

/// Every relation's recall share (`"ok/total"`) is at least `floor`.
fn assert_recalls(v: &serde_json::Value, floor: f64) {
    for (relation, share) in v["recall_by_relation"].as_object().unwrap() {
        let (ok, total) = share.as_str().unwrap().split_once('/').unwrap();
        let (ok, total): (f64, f64) = (ok.parse().unwrap(), total.parse().unwrap());
        assert!(ok / total >= floor, "recall of {relation}: {share}");
    }
}

/// The linking issue's floors on reprints-dev; then reprints-dev and translations-dev
/// ingested together (the translation issue: its machinery adds no false link to
/// reprints-dev).
#[test]
fn reprints_dev_floors() {
    let Some(data) = shared_data() else {
        return;
    };
    let db = ingested(&data.join("reprints-dev/docs.jsonl.gz"));
    let gold = data.join("reprints-dev/gold.jsonl");
    let v = score_stories(db.path(), &gold, &data);
    eprintln!("reprints-dev: {v}");
    assert!(v["pair_f1"].as_f64().unwrap() >= 0.97, "pair F1 {v}");
    assert_recalls(&v, 0.95);
    let false_before = false_pairs(db.path(), &gold);

    // Mixed, in one batch, with each translations-dev story given a date inside
    // reprints-dev's four months (undated articles are only compared with undated ones), so
    // that every translation is compared with the People's Daily articles of its week.
    let db = tempfile::tempdir().unwrap();
    let dated: Vec<String> = std::fs::read_to_string(data.join("translations-dev/docs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut d: serde_json::Value = serde_json::from_str(l).unwrap();
            let story = d["id"].as_str().unwrap().split('#').next().unwrap().to_string();
            // a day of Oct 2019 – Jan 2020 picked by the story id, the same for its versions
            let mut day = story.bytes().map(u32::from).sum::<u32>() % 120;
            for (year, month, len) in [(2019, 10, 31), (2019, 11, 30), (2019, 12, 31), (2020, 1, 31)] {
                if day < len {
                    d["date"] = format!("{year}-{month:02}-{:02}", day + 1).into();
                    break;
                }
                day -= len;
            }
            d.to_string()
        })
        .collect();
    let translations = db.path().join("translations-dated.jsonl");
    std::fs::write(&translations, dated.join("\n")).unwrap();
    baoku(
        db.path(),
        &[
            "ingest",
            data.join("reprints-dev/docs.jsonl.gz").to_str().unwrap(),
            translations.to_str().unwrap(),
        ],
    );
    let mixed_gold = db.path().join("mixed-gold.jsonl");
    let mut g = std::fs::read_to_string(&gold).unwrap();
    g.push_str(&std::fs::read_to_string(data.join("translations-dev/gold.jsonl")).unwrap());
    std::fs::write(&mixed_gold, g).unwrap();
    let m = score_stories(db.path(), &mixed_gold, &data);
    eprintln!("reprints-dev + translations-dev: {m}");
    let false_after = false_pairs(db.path(), &mixed_gold);
    let new: Vec<_> = false_after.iter().filter(|p| !false_before.contains(p)).collect();
    assert!(new.is_empty(), "false links added by mixing in translations: {new:?}");
    assert!(
        m["pair_precision"].as_f64().unwrap() >= v["pair_precision"].as_f64().unwrap(),
        "precision fell: {v} → {m}"
    );
    assert_recalls(&m, 0.95);
}

/// The translation issue's floors on translations-dev.
#[test]
fn translations_dev_floors() {
    let Some(data) = shared_data() else {
        return;
    };
    let db = ingested(&data.join("translations-dev/docs.jsonl"));
    let v = score_stories(db.path(), &data.join("translations-dev/gold.jsonl"), &data);
    eprintln!("translations-dev: {v}");
    assert!(v["pair_f1"].as_f64().unwrap() >= 0.9, "pair F1 {v}");
    assert_recalls(&v, 0.95);
}
