//! A killed ingest leaves the store consistent: every file fully in or not in at all, and
//! the search index in step with it.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{baoku, json_lines};

fn page(i: usize) -> String {
    format!(
        "江川日报 2024年3月{d}日 星期二 第{p:02}版\n第{i}号新闻标题\n　　本报江川3月{d}日电  这是第{i}篇报道的正文，讲述临河县第{i}个村庄的变化。\n　　第二段继续讲述村民的生活。\n",
        d = i % 28 + 1,
        p = i % 8 + 1,
    )
}

#[test]
fn killing_an_ingest_never_leaves_a_half_written_file() {
    let src = tempfile::tempdir().unwrap();
    let n = 6000;
    for i in 0..n {
        std::fs::write(src.path().join(format!("p{i:05}.txt")), page(i)).unwrap();
    }
    let db = tempfile::tempdir().unwrap();
    let db_file = db.path().join("baoku.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_baoku"))
        .arg("--db")
        .arg(db.path())
        .args(["ingest", "--batch-files", "100"])
        .arg(src.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill once a batch is committed, as a concurrent reader sees it (WAL lets it read while
    // the ingest writes), well before the end.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        let seen = crate::baoku_unchecked(db.path(), &["files", "--json"]);
        if seen.status.success() && !seen.stdout.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "ingest finished before it could be killed; make the corpus bigger"
    );
    assert!(db_file.exists());

    // Every file present is complete: its article count matches the articles pointing at it.
    let files = json_lines(&baoku(db.path(), &["files", "--json"]));
    let articles = json_lines(&baoku(db.path(), &["articles", "--json"]));
    assert!(
        !files.is_empty() && files.len() < n,
        "killed too early or too late: {} files",
        files.len()
    );
    let mut per_file = std::collections::HashMap::new();
    for a in &articles {
        let mut paths: Vec<&str> = a["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        paths.sort_unstable();
        paths.dedup();
        for p in paths {
            *per_file.entry(p.to_string()).or_insert(0i64) += 1;
        }
    }
    for f in &files {
        let path = f["path"].as_str().unwrap();
        assert_eq!(
            f["articles"].as_i64().unwrap(),
            per_file.get(path).copied().unwrap_or(0),
            "{path}"
        );
        assert!(f["articles"].as_i64().unwrap() >= 1, "{path}");
    }
    assert_eq!(
        per_file.len(),
        files.len(),
        "articles pointing at files not in the store"
    );

    // The search index matches the store: every article is found, nothing else is (the
    // batch that was being indexed when the ingest died is caught up by this search).
    let found = json_lines(&baoku(
        db.path(),
        &["search", "--json", "--all-versions", "--limit", "10000", "村民的生活"],
    ));
    let mut found: Vec<i64> = found.iter().map(|h| h["id"].as_i64().unwrap()).collect();
    let mut stored: Vec<i64> = articles.iter().map(|a| a["id"].as_i64().unwrap()).collect();
    found.sort_unstable();
    stored.sort_unstable();
    assert_eq!(found, stored, "search hits and stored articles differ after the kill");

    // Running it again finishes the job.
    baoku(db.path(), &["ingest", src.path().to_str().unwrap()]);
    let files = json_lines(&baoku(db.path(), &["files", "--json"]));
    assert_eq!(files.len(), n);
    let total = baoku(db.path(), &["search", "--all-versions", "村民的生活"]);
    let summary = String::from_utf8_lossy(&total.stderr);
    assert!(summary.contains(&format!("{n} articles match")), "{summary}");
}

/// A JSONL file streamed record by record is still written in one transaction: killed
/// while its records are being written, the store holds none of them, and the next ingest
/// writes them all.
/// Starts `baoku ingest` of `feed` and kills it once `written` says records are being
/// written (the file's transaction is open); the ingest must not have finished.
fn kill_a_streamed_ingest(db: &std::path::Path, feed: &std::path::Path, written: impl Fn() -> bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baoku"))
        .arg("--db")
        .arg(db)
        .args(["ingest", "--no-link", "--stream-mb", "1"])
        .arg(feed)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) && !written() {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    assert!(
        !child.wait().unwrap().success(),
        "ingest finished before it could be killed; make the feed bigger"
    );
}

#[test]
fn killing_a_streamed_ingest_leaves_nothing_of_the_file() {
    let src = tempfile::tempdir().unwrap();
    // Gzip: the raw bytes stored first are small, and the records (some 130 MB in the store)
    // outgrow SQLite's 64 MB page cache, so pages reach the disk while they are written.
    let feed = src.path().join("feed.jsonl.gz");
    let n = 400_000;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..n {
        writeln!(
            z,
            "{{\"id\":\"r{i}\",\"title\":\"第{i}条新闻\",\"text\":\"本台消息，江川县第{i}个村庄通了公路，村民出行更方便了。山货也能卖到城里，孩子上学不再走山路。县里还修了桥，两岸往来不再绕行。\"}}"
        )
        .unwrap();
    }
    std::fs::write(&feed, z.finish().unwrap()).unwrap();
    let raw = feed.metadata().unwrap().len();
    let db = tempfile::tempdir().unwrap();
    let size = |name: &str| db.path().join(name).metadata().map_or(0, |m| m.len());

    // The first ingest into an empty archive writes through a rollback journal: the database
    // file grows past the raw bytes while the records are written.
    kill_a_streamed_ingest(db.path(), &feed, || size("baoku.sqlite") > raw + (8 << 20));
    assert!(json_lines(&baoku(db.path(), &["files", "--json"])).is_empty());
    assert!(json_lines(&baoku(db.path(), &["articles", "--json"])).is_empty());

    // An archive that holds something is written through its write-ahead log.
    let small = src.path().join("small.jsonl");
    std::fs::write(
        &small,
        "{\"id\":\"s1\",\"title\":\"江川大桥通车\",\"text\":\"本台消息，江川大桥今天建成通车。\"}\n",
    )
    .unwrap();
    baoku(db.path(), &["ingest", "--no-link", small.to_str().unwrap()]);
    kill_a_streamed_ingest(db.path(), &feed, || size("baoku.sqlite-wal") > 8 << 20);
    assert_eq!(json_lines(&baoku(db.path(), &["files", "--json"])).len(), 1);
    assert_eq!(json_lines(&baoku(db.path(), &["articles", "--json"])).len(), 1);

    baoku(
        db.path(),
        &["ingest", "--no-link", "--stream-mb", "1", feed.to_str().unwrap()],
    );
    let files = json_lines(&baoku(db.path(), &["files", "--json"]));
    let fed = files
        .iter()
        .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with("feed.jsonl.gz")))
        .expect("the feed is listed");
    assert_eq!(fed["articles"], n);
    let found = baoku(db.path(), &["search", "--all-versions", "村庄通了公路"]);
    let summary = String::from_utf8_lossy(&found.stderr);
    assert!(summary.contains(&format!("{n} articles match")), "{summary}");
}
