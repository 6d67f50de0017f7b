//! `baoku ingest`: walk the paths, read and split files on all cores, write batches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Instant;

use anyhow::{Context, Result};
use baoku_store::prepare::{self, Kind, Prepared};
use baoku_store::stories::LinkReport;
use baoku_store::{Archive, FileReport, FileState, FileStates};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::IngestArgs;

/// A file found by the walk, or a path that could not be walked.
enum Found {
    File(PathBuf, Kind),
    Unreadable(String, String),
}

pub fn run(db: &Path, args: &IngestArgs) -> Result<()> {
    let mut archive = Archive::open(db).with_context(|| format!("opening data directory {}", db.display()))?;
    archive.check().context("checking the store before writing to it")?;
    archive.set_index_on_ingest(!args.no_index);
    let (found, skipped) = walk(&args.paths);
    let total_bytes: u64 = found
        .iter()
        .map(|f| match f {
            Found::File(p, _) => std::fs::metadata(p).map_or(0, |m| m.len()),
            Found::Unreadable(..) => 0,
        })
        .sum();
    let bar = ProgressBar::new(total_bytes);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {msg}",
        )
        .expect("valid template"),
    );
    let started = Instant::now();
    let mut reports: Vec<FileReport> = Vec::new();
    let mut files = Vec::new();
    for f in found {
        match f {
            Found::File(p, k) => files.push((p, k)),
            Found::Unreadable(path, err) => reports.push(archive.record_unreadable(&path, &err)?),
        }
    }
    let known = archive.file_states()?;
    // Two stages: this thread reads and splits a batch on all cores while a writer thread
    // writes the previous one (SQLite takes one writer; the two overlap).
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(1);
    let written = std::thread::scope(|s| {
        let writer = s.spawn(|| write_batches(&mut archive, receive, &bar));
        for batch in batches(&files, args.batch_files.max(1), args.batch_mb.max(1) << 20) {
            let batch = read_batch(batch, &known, args.stream_mb << 20, &bar);
            if send.send(batch).is_err() {
                break; // the writer stopped on an error, which join returns
            }
        }
        drop(send);
        writer.join().expect("the writer thread does not panic")
    })?;
    reports.extend(written);
    // A file found unchanged but split again with a changed file it shares an article with
    // is reported once, as replaced.
    let rewritten: std::collections::HashSet<String> = reports
        .iter()
        .filter(|r| r.status != "unchanged")
        .map(|r| r.path.clone())
        .collect();
    reports.retain(|r| r.status != "unchanged" || !rewritten.contains(&r.path));
    bar.set_message("linking versions");
    let linked = if args.no_link {
        None
    } else {
        Some(archive.link_pending().context("linking new articles into stories")?)
    };
    bar.finish_and_clear();
    let mut out = std::io::stdout().lock();
    if args.json {
        for r in &reports {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        }
    } else {
        summary(
            &mut out,
            &reports,
            skipped,
            total_bytes,
            started.elapsed().as_secs_f64(),
            &archive,
        )?;
        if let Some(l) = linked {
            writeln!(out, "{}", link_summary(&l))?;
        }
    }
    Ok(())
}

/// A batch for the writer: files read and prepared, files found unchanged, files unreadable.
struct Batch {
    prepared: Vec<Prepared>,
    unchanged: Vec<FileReport>,
    unreadable: Vec<(String, String)>,
}

/// One file of a batch after reading.
enum Read {
    Prepared(Box<Prepared>),
    Unchanged(String),
    Unreadable(String, String),
}

/// Reads, hashes and prepares a batch of files on all cores; unchanged files are not split,
/// JSONL files of `stream_bytes` or more are left to the writer to stream.
fn read_batch(batch: &[(PathBuf, Kind)], known: &FileStates, stream_bytes: usize, bar: &ProgressBar) -> Batch {
    let read: Vec<Read> = batch
        .par_iter()
        .map(|(p, kind)| {
            let path = display(p);
            let raw = match std::fs::read(p) {
                Ok(raw) => raw,
                Err(e) => return Read::Unreadable(path, e.to_string()),
            };
            bar.inc(raw.len() as u64);
            if known.state(&path, &prepare::hash(&raw)) == FileState::Unchanged {
                return Read::Unchanged(path);
            }
            Read::Prepared(Box::new(prepare::prepare_with(path, raw, *kind, stream_bytes)))
        })
        .collect();
    let mut out = Batch {
        prepared: Vec::new(),
        unchanged: Vec::new(),
        unreadable: Vec::new(),
    };
    for r in read {
        match r {
            Read::Prepared(p) => out.prepared.push(*p),
            Read::Unchanged(path) => out.unchanged.push(FileReport {
                path,
                status: "unchanged",
                articles: 0,
                warnings: vec![],
                error: None,
            }),
            Read::Unreadable(path, error) => out.unreadable.push((path, error)),
        }
    }
    out
}

/// The writer stage: writes each batch as it comes, then what the batches held back.
fn write_batches(archive: &mut Archive, receive: Receiver<Batch>, bar: &ProgressBar) -> Result<Vec<FileReport>> {
    let mut reports = Vec::new();
    let mut articles = 0;
    let mut batches = archive.batches();
    let mut count = |reports: &mut Vec<FileReport>, written: Vec<FileReport>| {
        articles += written.iter().map(|r| r.articles).sum::<usize>();
        reports.extend(written);
        bar.set_message(format!("{} files, {articles} articles", reports.len()));
    };
    for batch in receive {
        reports.extend(batch.unchanged);
        for (path, error) in batch.unreadable {
            reports.push(batches.record_unreadable(&path, &error)?);
        }
        let written = batches.write(batch.prepared).context("writing a batch to the store")?;
        count(&mut reports, written);
    }
    let written = batches.finish().context("writing the last batch to the store")?;
    count(&mut reports, written);
    Ok(reports)
}

/// `baoku link`: links every article not yet in a story.
pub fn link(db: &Path) -> Result<()> {
    let mut archive = Archive::open(db).with_context(|| format!("opening data directory {}", db.display()))?;
    let started = Instant::now();
    let linked = archive.link_pending().context("linking articles into stories")?;
    println!(
        "{}; {} stories with more than one version ({:.2} s in all)",
        link_summary(&linked),
        archive.story_count(2)?,
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}

/// One line on what linking did: versions, then translations when there was anything to compare.
fn link_summary(l: &LinkReport) -> String {
    let mut s = format!(
        "{} new articles linked into stories in {:.1} s",
        l.linked, l.version_secs
    );
    let t = &l.translation;
    if t.scope > 0 {
        s += &format!(
            "; translations: {} articles compared across languages, {} translation links, {:.1} s",
            t.scope, t.edges, l.translation_secs
        );
    }
    s
}

/// Expands folders recursively (following links, reporting loops) and keeps files of known kinds.
/// Returns the files in path order and how many files of other kinds were passed over.
fn walk(paths: &[PathBuf]) -> (Vec<Found>, usize) {
    let mut found = Vec::new();
    let mut skipped = 0;
    for root in paths {
        if root.is_file() {
            // A file named on the command line is read even with an unknown extension.
            found.push(Found::File(absolute(root), Kind::from_path(root).unwrap_or(Kind::Text)));
            continue;
        }
        // Hidden files and folders (.git, .DS_Store, .gitattributes) are not dumps.
        let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name();
        for entry in walker
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            match entry {
                Ok(e) if e.file_type().is_file() => match Kind::from_path(e.path()) {
                    Some(k) => found.push(Found::File(absolute(e.path()), k)),
                    None => skipped += 1,
                },
                Ok(_) => {}
                Err(e) => {
                    let path = e.path().map_or_else(|| display(root), display);
                    found.push(Found::Unreadable(path, e.to_string()));
                }
            }
        }
    }
    // One file reached twice (named twice, or through a link) is read once.
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| match f {
        Found::File(p, _) => seen.insert(p.clone()),
        Found::Unreadable(..) => true,
    });
    (found, skipped)
}

/// Consecutive runs of files, bounded in count and bytes.
fn batches(files: &[(PathBuf, Kind)], max_files: usize, max_bytes: usize) -> Vec<&[(PathBuf, Kind)]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0usize);
    for (i, (p, _)) in files.iter().enumerate() {
        let size = std::fs::metadata(p).map_or(0, |m| m.len() as usize);
        if i > start && (i - start >= max_files || bytes + size > max_bytes) {
            out.push(&files[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < files.len() {
        out.push(&files[start..]);
    }
    out
}

fn summary(
    out: &mut impl Write,
    reports: &[FileReport],
    skipped: usize,
    bytes: u64,
    secs: f64,
    archive: &Archive,
) -> Result<()> {
    let count = |s: &str| reports.iter().filter(|r| r.status == s).count();
    // Articles of the files read, an article stitched across two of them once.
    let read: Vec<&str> = reports
        .iter()
        .filter(|r| matches!(r.status, "new" | "replaced"))
        .map(|r| r.path.as_str())
        .collect();
    let articles = archive.article_count_in(&read)?;
    writeln!(
        out,
        "{} files: {} new, {} replaced, {} unchanged, {} failed; {} articles from {:.1} MB in {:.2} s ({:.1} MB/s)",
        reports.len(),
        count("new"),
        count("replaced"),
        count("unchanged"),
        count("failed"),
        articles,
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs.max(1e-9),
    )?;
    if skipped > 0 {
        writeln!(
            out,
            "{skipped} files of other types passed over (not .txt, .html, .jsonl or their .gz)"
        )?;
    }
    let troubled: Vec<&FileReport> = reports
        .iter()
        .filter(|r| r.error.is_some() || !r.warnings.is_empty())
        .collect();
    for r in troubled.iter().take(20) {
        match &r.error {
            Some(e) => writeln!(out, "  error   {}: {e}", r.path)?,
            None => writeln!(out, "  warning {}: {}", r.path, r.warnings.join("; "))?,
        }
    }
    if troubled.len() > 20 {
        writeln!(
            out,
            "  … and {} more files with warnings: see `baoku files`",
            troubled.len() - 20
        )?;
    }
    writeln!(
        out,
        "archive {} now holds {} articles, {} stories with more than one version",
        archive.dir().display(),
        archive.article_count()?,
        archive.story_count(2)?
    )?;
    Ok(())
}

/// The path a file is known by in the store: canonical when it exists (so `a/../b` and `b`
/// are one file), else absolute (a dangling link is still reported where it stands).
fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
