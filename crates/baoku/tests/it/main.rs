//! Integration tests of the `baoku` binary: one test binary for the crate (link time on 2 cores).

mod bad_input;
mod browser;
mod crash;
mod floors;
mod ingest;
mod samples;
mod search;
mod translations;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `../shared/data` beside the repository, when this machine has it.
pub fn shared_data() -> Option<PathBuf> {
    let p = repo().join("../shared/data");
    if !p.is_dir() {
        eprintln!("skipped: ../shared/data is not present");
        return None;
    }
    Some(p)
}

/// A new data directory with `path` ingested by `baoku ingest PATH`.
pub fn ingested(path: &Path) -> tempfile::TempDir {
    let db = tempfile::tempdir().unwrap();
    baoku(db.path(), &["ingest", path.to_str().unwrap()]);
    db
}

/// Runs `baoku --db DB ARGS…` and returns its output; panics with stderr when it fails.
pub fn baoku(db: &Path, args: &[&str]) -> Output {
    let out = baoku_unchecked(db, args);
    assert!(
        out.status.success(),
        "baoku {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// Runs `baoku --db DB ARGS…` whatever its exit status.
pub fn baoku_unchecked(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baoku"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

/// Parses JSON Lines output.
pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}
