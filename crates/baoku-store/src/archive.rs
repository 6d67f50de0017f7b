//! The `Archive`: one data directory holding the SQLite store.
//!
//! Ingest writes a whole batch of files in one transaction: after a crash every file is
//! either fully in (its row, raw bytes, articles, spans, furniture) or not in at all. The
//! search index follows every 64 MB written and the end of an ingest (see [`crate::index`]).

use std::path::{Path, PathBuf};

use baoku_text::decode::{decode, gunzip, Decoded};
use baoku_text::issue_date::{IssueDates, Undated};
use baoku_text::normalize::Normalizer;
use baoku_text::{Article, Furniture, Span};
use rusqlite::blob::ZeroBlob;
use rusqlite::{params, CachedStatement, Connection, OptionalExtension, Transaction, MAIN_DB};
use serde::Serialize;

use crate::batch::{assemble, Assembled, Held};
use crate::error::{Error, Result};
use crate::index::SearchIndex;
use crate::prepare::{read_whole, Prepared};
use crate::schema;
use crate::search::{SearchRequest, SearchResults};

/// File name of the SQLite database inside the data directory.
pub const DB_FILE: &str = "baoku.sqlite";

/// An open data directory.
pub struct Archive {
    conn: Connection,
    dir: PathBuf,
    /// Opened on first use: commands that never search never touch it.
    index: Option<SearchIndex>,
    /// Whether `ingest` brings the index up to date after each batch.
    index_on_ingest: bool,
}

/// Whether a file needs ingesting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// Never seen at this path.
    New,
    /// Same path, same content: nothing to do.
    Unchanged,
    /// Same path, other content: its old articles are replaced.
    Changed,
}

/// The stored files' paths and content hashes, from [`Archive::file_states`].
#[derive(Debug, Default)]
pub struct FileStates {
    /// path → (hash, read without error)
    known: std::collections::HashMap<String, (String, bool)>,
}

impl FileStates {
    /// Whether the file at `path` with content hash `hash` needs ingesting.
    pub fn state(&self, path: &str, hash: &str) -> FileState {
        match self.known.get(path) {
            None => FileState::New,
            // A file that failed before is tried again.
            Some((h, true)) if h == hash => FileState::Unchanged,
            Some(_) => FileState::Changed,
        }
    }
}

/// What ingest did with one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path.
    pub path: String,
    /// `new`, `replaced`, `unchanged` or `failed`.
    pub status: &'static str,
    /// Articles whose spans touch this file.
    pub articles: usize,
    /// Warnings about the file and its pages.
    pub warnings: Vec<String>,
    /// Why the file gave nothing, when it gave nothing.
    pub error: Option<String>,
}

/// A row of the `files` table.
#[derive(Debug, Clone, Serialize)]
pub struct FileRow {
    /// Store id.
    pub id: i64,
    /// Path as ingested.
    pub path: String,
    /// Size on disk.
    pub bytes: i64,
    /// blake3 of the bytes on disk.
    pub hash: String,
    /// `text`, `html`, `jsonl`, `binary` or `unreadable`.
    pub kind: String,
    /// Whether the file was gzip.
    pub gzip: bool,
    /// Detected encoding.
    pub encoding: Option<String>,
    /// Undecodable bytes.
    pub bad_bytes: i64,
    /// Articles drawn from it.
    pub articles: i64,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Error, when nothing could be read.
    pub error: Option<String>,
    /// When it was ingested (UTC, RFC 3339).
    pub ingested_at: String,
}

/// Where an article came from: a file and a byte range of its (decompressed) raw bytes.
#[derive(Debug, Clone, Serialize)]
pub struct FileSpan {
    /// Store id of the file.
    pub file_id: i64,
    /// The file's path.
    pub path: String,
    /// First byte.
    pub start: i64,
    /// One past the last byte.
    pub end: i64,
}

/// A source file of an article with the article's spans marked (see [`Archive::source_view`]).
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    /// Store id of the file.
    pub file_id: i64,
    /// Its path.
    pub path: String,
    /// Detected encoding.
    pub encoding: String,
    /// The decoded file, or the part of it around the article when the file is large.
    pub text: String,
    /// Character offset of `text` in the whole decoded file.
    pub offset: usize,
    /// True when `text` is the whole file.
    pub complete: bool,
    /// The article's spans in `text`, as character offsets (start, end).
    pub spans: Vec<(usize, usize)>,
}

/// Bytes of decoded source shown on each side of an article's spans.
const SOURCE_CONTEXT: usize = 16 * 1024;

/// An article as stored, with its id and provenance.
#[derive(Debug, Clone, Serialize)]
pub struct StoredArticle {
    /// Store id.
    pub id: i64,
    /// The record id in the source (JSONL `id`), if any.
    pub source_id: Option<String>,
    /// Files and byte spans it came from.
    pub files: Vec<FileSpan>,
    /// Main headline.
    pub headline: String,
    /// Other headline lines.
    pub subheads: Vec<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Dateline place.
    pub place: Option<String>,
    /// Agency or outlet.
    pub agency: Option<String>,
    /// Reporters.
    pub reporters: Vec<String>,
    /// `zh` or `en`.
    pub lang: String,
    /// `Hans`, `Hant` or `Latn`.
    pub script: String,
    /// Page in the issue.
    pub page: Option<i64>,
    /// Source URL.
    pub url: Option<String>,
    /// Body text.
    pub text: String,
    /// What was unsure.
    pub warnings: Vec<String>,
    /// Uninterpreted JSONL fields.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The story it belongs to (None until linked).
    pub story: Option<i64>,
    /// Its relation in the story: `canonical`, `exact`, `near`, `excerpt`.
    pub relation: Option<String>,
}

/// How long a connection waits for another process's lock before giving up.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Archive {
    /// Opens (creating if needed) the data directory `dir`.
    pub fn open(dir: &Path) -> Result<Archive> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let mut conn = Connection::open(&path)?;
        // Big pages suit a store of whole files and articles (fewer overflow pages per blob);
        // it only takes effect on a new database, before the first table.
        conn.pragma_update(None, "page_size", 32768)?;
        // WAL: readers see the last committed batch while an ingest writes the next one.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Statement journals (deletes of several rows keep one) in memory, not in temp files.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        schema::migrate(&mut conn)?;
        Ok(Archive {
            conn,
            dir: dir.to_path_buf(),
            index: None,
            index_on_ingest: true,
        })
    }

    /// Whether [`Archive::ingest`] updates the search index after each batch (the default);
    /// when not, the queue keeps the changes for the next search or [`Archive::reindex`].
    pub fn set_index_on_ingest(&mut self, on: bool) {
        self.index_on_ingest = on;
    }

    /// Checks the whole database for damage (`PRAGMA quick_check`, which reads every page:
    /// about a second per 200 MB). Ingest runs it before writing; readers rely on SQLite's
    /// own checks of the pages they read, so opening an archive to search stays instant.
    pub fn check(&self) -> Result<()> {
        let ok: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(Error::DataCorruption(format!(
                "{}: {ok}",
                self.dir.join(DB_FILE).display()
            )));
        }
        Ok(())
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the store knows of every file, for [`FileStates::state`]: one query, so that
    /// the files of an ingest can be checked on all cores while a writer holds the store.
    pub fn file_states(&self) -> Result<FileStates> {
        let mut st = self.conn.prepare("SELECT path, hash, error IS NULL FROM files")?;
        let known = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(FileStates { known })
    }

    /// Records a file that could not be read at all (permissions, vanished, a loop).
    pub fn record_unreadable(&mut self, path: &str, error: &str) -> Result<FileReport> {
        let tx = self.conn.transaction()?;
        delete_file(&tx, path)?;
        tx.execute(
            "INSERT INTO files (path, bytes, hash, kind, error, ingested_at) VALUES (?1, 0, '', 'unreadable', ?2, ?3)",
            params![path, error, now()],
        )?;
        tx.commit()?;
        Ok(FileReport {
            path: path.into(),
            status: "failed",
            articles: 0,
            warnings: vec![],
            error: Some(error.into()),
        })
    }

    /// Writes prepared files as one batch and finishes the ingest (see [`Archive::batches`]).
    pub fn ingest(&mut self, batch: Vec<Prepared>) -> Result<Vec<FileReport>> {
        let mut batches = self.batches();
        let mut reports = batches.write(batch)?;
        reports.extend(batches.finish()?);
        Ok(reports)
    }

    /// Starts an ingest in batches, one transaction each.
    pub fn batches(&mut self) -> Batches<'_> {
        let bulk = self.start_bulk_load();
        Batches {
            bulk,
            archive: self,
            held: Vec::new(),
            dates: IssueDates::default(),
            undated: Vec::new(),
            unindexed: 0,
        }
    }

    /// Switches an empty archive that no other process has open to SQLite's rollback journal
    /// for its first ingest: WAL writes every page twice (into the log, then into the
    /// database when the log is checkpointed), a rollback journal writes a page that is new
    /// to the file once, and keeps nothing else (CCTV: 0.4 s of a 2.0 s ingest, all of it after
    /// the last article was parsed). Commits are as atomic as in WAL; what is lost is reading
    /// the archive while it is written, which nobody does to an archive still empty. Returns
    /// whether it switched; [`Batches`] switches back when it ends.
    fn start_bulk_load(&mut self) -> bool {
        let empty = self
            .conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM files)", [], |r| r.get::<_, bool>(0))
            .unwrap_or(false);
        if !empty {
            return false;
        }
        // another connection (a server) keeps WAL in place: ask once, do not wait for it
        let _ = self.conn.busy_timeout(std::time::Duration::ZERO);
        let mode = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0));
        let _ = self.conn.busy_timeout(BUSY_TIMEOUT);
        mode.is_ok_and(|m| m.eq_ignore_ascii_case("delete"))
    }

    fn search_index(&mut self) -> Result<&mut SearchIndex> {
        if self.index.is_none() {
            self.index = Some(SearchIndex::open(&self.dir)?);
        }
        Ok(self.index.as_mut().expect("just opened"))
    }

    /// Brings the search index up to date with the store; returns how many articles changed.
    pub fn sync_index(&mut self) -> Result<usize> {
        self.search_index()?;
        self.index.as_mut().expect("opened").sync(&self.conn)
    }

    /// [`Archive::sync_index`], except that an index another process is writing is left to
    /// that process.
    fn sync_unless_busy(&mut self) -> Result<()> {
        match self.sync_index() {
            Ok(_) | Err(Error::Busy(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Before reading the index: applies what it lacks unless another process is writing it
    /// (then the last committed index answers), and lets go of tantivy's writer lock so an
    /// ingest elsewhere can take it.
    fn catch_up(&mut self) -> Result<()> {
        self.sync_unless_busy()?;
        self.index.as_mut().expect("opened by sync").close_writer();
        Ok(())
    }

    /// Article changes the search index has not applied yet.
    pub fn index_pending(&mut self) -> Result<i64> {
        self.search_index()?;
        self.index.as_ref().expect("opened").pending(&self.conn)
    }

    /// Rebuilds the search index from the store; `progress` gets the running count.
    pub fn reindex(&mut self, progress: impl FnMut(usize)) -> Result<usize> {
        self.search_index()?;
        self.index.as_mut().expect("opened").rebuild(&self.conn, progress)
    }

    /// Searches the archive. The index is brought up to date first unless another process
    /// is writing it (then the last committed index answers).
    pub fn search(&mut self, req: &SearchRequest) -> Result<SearchResults> {
        self.catch_up()?;
        crate::search::search(&self.conn, self.index.as_ref().expect("opened by sync"), req)
    }

    /// How often each of `terms` occurs per month, year or outlet (see [`crate::trends`]).
    pub fn trends(
        &mut self,
        terms: &[String],
        by: crate::trends::By,
        count: crate::trends::Unit,
    ) -> Result<crate::trends::Trends> {
        self.catch_up()?;
        crate::trends::trends(
            &self.conn,
            self.index.as_ref().expect("opened by sync"),
            terms,
            by,
            count,
        )
    }

    /// Like [`Archive::search`] without snippets: how many articles match, and the ranked
    /// ids (collapsed by story unless `req.all_versions`).
    pub fn search_ids(&mut self, req: &SearchRequest) -> Result<(usize, Vec<crate::search::Ranked>)> {
        self.catch_up()?;
        let parsed = baoku_text::query::parse(&req.query)?;
        crate::search::rank(&self.conn, self.index.as_ref().expect("opened by sync"), req, &parsed)
    }

    /// Links every article not yet in a story into the archive's stories.
    pub fn link_pending(&mut self) -> Result<crate::stories::LinkReport> {
        crate::stories::link_pending(&mut self.conn)
    }

    /// Stories with at least `min_members` versions.
    pub fn stories(&self, min_members: usize) -> Result<Vec<crate::StoryRow>> {
        crate::stories::stories(&self.conn, min_members, None)
    }

    /// How many stories have at least `min_members` versions: from the story index alone
    /// (for a summary line; reading every story's rows took 0.2 s on CCTV).
    pub fn story_count(&self, min_members: usize) -> Result<usize> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM (SELECT 1 FROM members GROUP BY story HAVING count(*) >= ?1)",
            [min_members as i64],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// The links of an article to others (see [`crate::stories::links`]).
    pub fn links(&self, id: i64) -> Result<Vec<crate::stories::ArticleLink>> {
        crate::stories::links(&self.conn, id)
    }

    /// One story by id.
    pub fn story(&self, id: i64) -> Result<crate::StoryRow> {
        crate::stories::stories(&self.conn, 1, Some(id))?
            .pop()
            .ok_or_else(|| Error::NotFound(format!("story {id}")))
    }

    /// Every file, in path order.
    pub fn files(&self) -> Result<Vec<FileRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, path, bytes, hash, kind, gzip, encoding, bad_bytes, articles, warnings, error, ingested_at
             FROM files ORDER BY path",
        )?;
        let rows = st.query_map([], |r| {
            Ok(FileRow {
                id: r.get(0)?,
                path: r.get(1)?,
                bytes: r.get(2)?,
                hash: r.get(3)?,
                kind: r.get(4)?,
                gzip: r.get(5)?,
                encoding: r.get(6)?,
                bad_bytes: r.get(7)?,
                articles: r.get(8)?,
                warnings: from_json(r.get::<_, String>(9)?),
                error: r.get(10)?,
                ingested_at: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Number of articles in the store.
    pub fn article_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?)
    }

    /// How many articles have spans in any of these files (an article stitched across two
    /// of them counts once).
    pub fn article_count_in(&self, paths: &[&str]) -> Result<i64> {
        let paths = serde_json::to_string(paths).expect("a list of strings serializes");
        Ok(self.conn.query_row(
            "SELECT count(DISTINCT s.article_id) FROM spans s JOIN files f ON f.id = s.file_id
             WHERE f.path IN (SELECT value FROM json_each(?1))",
            [paths],
            |r| r.get(0),
        )?)
    }

    /// Calls `f` on every article in id order, streaming (memory does not grow with the archive).
    pub fn for_each_article(&self, mut f: impl FnMut(StoredArticle) -> Result<()>) -> Result<()> {
        let mut st = self.conn.prepare(&format!("{ARTICLE_SELECT} ORDER BY a.id"))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let mut a = article_row(r)?;
            a.files = self.spans(a.id)?;
            f(a)?;
        }
        Ok(())
    }

    /// One article by id.
    pub fn article(&self, id: i64) -> Result<StoredArticle> {
        let mut a = self
            .conn
            .query_row(&format!("{ARTICLE_SELECT} WHERE a.id = ?1"), [id], article_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("article {id}")))?;
        a.files = self.spans(id)?;
        Ok(a)
    }

    fn spans(&self, id: i64) -> Result<Vec<FileSpan>> {
        let mut st = self.conn.prepare_cached(
            "SELECT s.file_id, f.path, s.start, s.end FROM spans s JOIN files f ON f.id = s.file_id
             WHERE s.article_id = ?1 ORDER BY s.seq",
        )?;
        let rows = st.query_map([id], |r| {
            Ok(FileSpan {
                file_id: r.get(0)?,
                path: r.get(1)?,
                start: r.get(2)?,
                end: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The decoded raw text of a file as stored (gzip undone), with its decoder map.
    pub fn source(&self, file_id: i64) -> Result<Decoded> {
        let raw: Vec<u8> = self
            .conn
            .query_row("SELECT content FROM raw WHERE file_id = ?1", [file_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("raw bytes of file {file_id}")))?;
        let plain = gunzip(&raw).map_err(|e| Error::DataCorruption(format!("raw bytes of file {file_id}: {e}")))?;
        Ok(decode(&plain))
    }

    /// Each source file of an article, decoded whole, with the article's spans in it as
    /// character offsets: the page around the article, for a reader to check.
    pub fn source_view(&self, id: i64) -> Result<Vec<SourceView>> {
        let a = self.article(id)?;
        let mut files: Vec<(i64, String)> = Vec::new();
        for s in &a.files {
            if !files.iter().any(|f| f.0 == s.file_id) {
                files.push((s.file_id, s.path.clone()));
            }
        }
        let mut out = Vec::new();
        for (file_id, path) in files {
            let d = self.source(file_id)?;
            let spans: Vec<(usize, usize)> = a
                .files
                .iter()
                .filter(|s| s.file_id == file_id)
                .map(|s| (d.text_offset(s.start as usize), d.text_offset(s.end as usize)))
                .collect();
            // A whole feed file can be a hundred megabytes: show the article with some
            // context around it, not the file.
            let first = spans.iter().map(|s| s.0).min().unwrap_or(0);
            let last = spans.iter().map(|s| s.1).max().unwrap_or(0);
            let mut from = first.saturating_sub(SOURCE_CONTEXT);
            while !d.text.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (last + SOURCE_CONTEXT).min(d.text.len());
            while !d.text.is_char_boundary(to) {
                to += 1;
            }
            let chars = |b: usize| d.text[from..b].chars().count();
            out.push(SourceView {
                file_id,
                path,
                encoding: d.encoding.to_string(),
                offset: d.text[..from].chars().count(),
                complete: from == 0 && to == d.text.len(),
                spans: spans.iter().map(|&(s, e)| (chars(s), chars(e))).collect(),
                text: d.text[from..to].to_string(),
            });
        }
        Ok(out)
    }

    /// The exact bytes of each span of an article, decoded: what the article was made from.
    pub fn raw_spans(&self, id: i64) -> Result<Vec<(FileSpan, String)>> {
        let a = self.article(id)?;
        let mut out = Vec::new();
        for s in a.files {
            let raw: Vec<u8> = self
                .conn
                .query_row("SELECT content FROM raw WHERE file_id = ?1", [s.file_id], |r| r.get(0))?;
            let plain = gunzip(&raw).map_err(|e| Error::DataCorruption(format!("{}: {e}", s.path)))?;
            let (start, end) = (s.start as usize, s.end as usize);
            let bytes = plain
                .get(start..end)
                .ok_or_else(|| Error::DataCorruption(format!("span {start}..{end} outside {}", s.path)))?;
            out.push((s, decode(bytes).text));
        }
        Ok(out)
    }
}

const ARTICLE_SELECT: &str = "SELECT a.id, a.source_id, a.headline, a.subheads, a.date, a.place, a.agency, a.reporters,
    a.lang, a.script, a.page, a.url, a.text, a.warnings, a.extra, m.story, m.relation
    FROM articles a LEFT JOIN members m ON m.article_id = a.id";

/// An ingest in batches, each written in one transaction. Text files whose continuations
/// wait for a later batch are held back (see [`crate::batch`]); [`Batches::finish`] writes
/// them and brings the search index up to date.
pub struct Batches<'a> {
    archive: &'a mut Archive,
    /// The archive was switched to the rollback journal for this ingest
    /// ([`Archive::start_bulk_load`]).
    bulk: bool,
    held: Vec<Held>,
    /// What the dated page articles written so far say about dates.
    dates: IssueDates,
    /// Page articles written without a date, to be dated when the ingest has been seen.
    undated: Vec<(i64, Undated)>,
    /// Bytes written since the search index was last brought up to date.
    unindexed: usize,
}

impl Drop for Batches<'_> {
    fn drop(&mut self) {
        if self.bulk {
            // back to WAL (if this fails, as on a full disk, the next open sets it)
            let _ = self.archive.conn.pragma_update(None, "journal_mode", "WAL");
        }
    }
}

/// How much ingest writes between two updates of the search index.
const INDEX_EVERY_BYTES: usize = 64 << 20;

impl Batches<'_> {
    /// Writes a batch, except files held back for a later one; returns the written files'
    /// reports.
    pub fn write(&mut self, batch: Vec<Prepared>) -> Result<Vec<FileReport>> {
        self.write_with(batch, false)
    }

    /// [`Archive::record_unreadable`] during the ingest.
    pub fn record_unreadable(&mut self, path: &str, error: &str) -> Result<FileReport> {
        self.archive.record_unreadable(path, error)
    }

    /// Writes the files still held back, dates the undated page articles from what the
    /// ingest showed (see [`baoku_text::issue_date`]) and updates the search index (unless
    /// turned off).
    pub fn finish(mut self) -> Result<Vec<FileReport>> {
        let reports = self.write_with(Vec::new(), true)?;
        date_undated(&mut self.archive.conn, &self.dates, &self.undated)?;
        if self.archive.index_on_ingest && self.unindexed > 0 {
            self.archive.sync_unless_busy()?;
        }
        Ok(reports)
    }

    fn write_with(&mut self, mut batch: Vec<Prepared>, last: bool) -> Result<Vec<FileReport>> {
        let partners = stored_partners(&self.archive.conn, &batch)?;
        batch.extend(partners);
        let mut files = std::mem::take(&mut self.held);
        files.extend(batch.into_iter().map(Held::from));
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let mut assembled = assemble(files, last);
        let written = write_batch(&mut self.archive.conn, &mut assembled)?;
        for (a, &id) in assembled.articles.iter().zip(&written.articles) {
            if a.date.is_some() {
                self.dates.learn(a);
            } else {
                let page = a.spans.first().map_or(-1, |s| written.files[s.source]);
                self.undated.push((id, Undated::of(a, page)));
            }
        }
        self.held = assembled.held;
        self.unindexed += assembled.files.iter().map(|f| f.raw.len().max(1)).sum::<usize>();
        if self.archive.index_on_ingest && self.unindexed >= INDEX_EVERY_BYTES {
            // Another process writing the index will apply these queue entries too.
            self.archive.sync_unless_busy()?;
            self.unindexed = 0;
        }
        Ok(written.reports)
    }
}

fn article_row(r: &rusqlite::Row) -> rusqlite::Result<StoredArticle> {
    Ok(StoredArticle {
        id: r.get(0)?,
        source_id: r.get(1)?,
        files: Vec::new(),
        headline: r.get(2)?,
        subheads: from_json(r.get::<_, String>(3)?),
        date: r.get(4)?,
        place: r.get(5)?,
        agency: r.get(6)?,
        reporters: from_json(r.get::<_, String>(7)?),
        lang: r.get(8)?,
        script: r.get(9)?,
        page: r.get(10)?,
        url: r.get(11)?,
        text: r.get(12)?,
        warnings: from_json(r.get::<_, String>(13)?),
        extra: serde_json::from_str(&r.get::<_, String>(14)?).unwrap_or_default(),
        story: r.get(15)?,
        relation: r.get(16)?,
    })
}

/// The stored text files that share an article with a file of `batch` (a continuation),
/// and those that share one with them, read again from their stored bytes: replacing a
/// file deletes its articles, and the parts of them that lie in other files would be lost
/// unless those files are split and stitched again with it.
fn stored_partners(conn: &Connection, batch: &[Prepared]) -> Result<Vec<Prepared>> {
    let mut seen: std::collections::HashSet<String> = batch.iter().map(|p| p.path.clone()).collect();
    let mut todo: Vec<String> = seen.iter().cloned().collect();
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT f2.path, f2.kind, r.content FROM files f1
         JOIN spans s1 ON s1.file_id = f1.id
         JOIN spans s2 ON s2.article_id = s1.article_id AND s2.file_id != f1.id
         JOIN files f2 ON f2.id = s2.file_id
         JOIN raw r ON r.file_id = f2.id
         WHERE f1.path = ?1",
    )?;
    let mut out = Vec::new();
    while let Some(path) = todo.pop() {
        let rows = st.query_map([&path], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?;
        for row in rows {
            let (path, kind, raw): (String, String, Vec<u8>) = row?;
            if seen.insert(path.clone()) {
                let kind = crate::prepare::Kind::parse(&kind).unwrap_or(crate::prepare::Kind::Text);
                out.push(crate::prepare::prepare(path.clone(), raw, kind));
                todo.push(path);
            }
        }
    }
    Ok(out)
}

/// What [`write_batch`] wrote: the files' reports, and the ids of the files and of the
/// page articles in the order of the batch.
struct Written {
    reports: Vec<FileReport>,
    files: Vec<i64>,
    articles: Vec<i64>,
}

/// Writes the files of a batch, their articles and their pages' furniture in one
/// transaction. A streamed file that turns out not to stream is read whole, and the batch,
/// rolled back, written again.
fn write_batch(conn: &mut Connection, a: &mut Assembled) -> Result<Written> {
    loop {
        match try_write_batch(conn, a)? {
            Ok(written) => return Ok(written),
            Err(k) => {
                let f = &mut a.files[k];
                *f = read_whole(std::mem::take(&mut f.path), std::mem::take(&mut f.raw), f.kind);
            }
        }
    }
}

/// [`write_batch`] once: `Err(k)` when file `k` did not stream (nothing is written then).
fn try_write_batch(conn: &mut Connection, a: &Assembled) -> Result<std::result::Result<Written, usize>> {
    let (batch, pages) = (&a.files, &a.pages);
    let tx = conn.transaction()?;
    let mut file_ids = Vec::with_capacity(batch.len());
    let mut reports = Vec::with_capacity(batch.len());
    for p in batch {
        let replaced = delete_file(&tx, &p.path)?;
        file_ids.push(insert_file(&tx, p)?);
        reports.push(FileReport {
            path: p.path.clone(),
            status: if p.error.is_some() {
                "failed"
            } else if replaced {
                "replaced"
            } else {
                "new"
            },
            articles: 0,
            warnings: p.warnings.clone(),
            error: p.error.clone(),
        });
    }
    let mut inserts = ArticleInserts::new(&tx)?;
    // Articles of HTML and JSONL files first, in file order, then those of text pages: the
    // order ingest has always written them in.
    for (k, p) in batch.iter().enumerate() {
        if !write_file_articles(&mut inserts, p, file_ids[k], &mut reports[k])? {
            return Ok(Err(k));
        }
    }
    let mut article_ids = Vec::with_capacity(a.articles.len());
    for article in &a.articles {
        // Spans of text pages are in decoded text.
        let spans: Vec<(i64, Span)> = article
            .spans
            .iter()
            .map(|s| {
                let d = batch[s.source].decoded.as_ref().expect("pages come from decoded files");
                (file_ids[s.source], d.raw_span(s.span))
            })
            .collect();
        article_ids.push(inserts.insert(article, content_len(article), &spans)?);
        let mut touched: Vec<usize> = article.spans.iter().map(|s| s.source).collect();
        touched.sort_unstable();
        touched.dedup();
        for f in touched {
            reports[f].articles += 1;
        }
    }
    drop(inserts);
    let mut ins_furn =
        tx.prepare_cached("INSERT INTO furniture (file_id, kind, start, end, text) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for (i, page) in pages {
        let Some(d) = &batch[*i].decoded else { continue };
        for f in &page.furniture {
            let raw = d.raw_span(f.span);
            ins_furn.execute(params![
                file_ids[*i],
                furniture_kind(f),
                raw.start as i64,
                raw.end as i64,
                f.text
            ])?;
        }
    }
    drop(ins_furn);
    // Warnings of streamed files are known only now.
    let mut upd = tx.prepare_cached("UPDATE files SET articles = ?1, warnings = ?2 WHERE id = ?3")?;
    for (r, id) in reports.iter().zip(&file_ids) {
        upd.execute(params![r.articles as i64, json(&r.warnings), id])?;
    }
    drop(upd);
    tx.commit()?;
    Ok(Ok(Written {
        reports,
        files: file_ids,
        articles: article_ids,
    }))
}

/// Writes the articles of an HTML or JSONL file, streaming it when it streams; false when
/// it did not stream after all.
fn write_file_articles(
    inserts: &mut ArticleInserts,
    p: &Prepared,
    file_id: i64,
    report: &mut FileReport,
) -> Result<bool> {
    // Spans of these articles were mapped to raw bytes by `prepare`, or are raw (streamed).
    let mut write = |a: &Article, len: u32| -> Result<()> {
        let spans: Vec<(i64, Span)> = a.spans.iter().map(|s| (file_id, s.span)).collect();
        inserts.insert(a, len, &spans)?;
        report.articles += usize::from(!spans.is_empty());
        Ok(())
    };
    if !p.stream {
        p.articles.iter().try_for_each(|a| write(a, content_len(a)))?;
        return Ok(true);
    }
    let warnings = crate::stream::for_each_record(&p.raw, &mut write)?;
    let streamed = warnings.is_some();
    report.warnings.extend(warnings.into_iter().flatten());
    Ok(streamed)
}

/// The length linking orders an article by (`articles.content_len`), stored at ingest.
pub(crate) fn content_len(a: &Article) -> u32 {
    baoku_text::link::content_len(Normalizer::shared(), &a.text)
}

/// The statements that insert articles, prepared once for a batch: taking them from
/// rusqlite's statement cache and putting them back for every article cost the writer 3 %.
struct ArticleInserts<'tx> {
    article: CachedStatement<'tx>,
    queue: CachedStatement<'tx>,
    span: CachedStatement<'tx>,
}

impl<'tx> ArticleInserts<'tx> {
    fn new(tx: &'tx Transaction) -> Result<ArticleInserts<'tx>> {
        Ok(ArticleInserts {
            article: tx.prepare_cached(
                "INSERT INTO articles (source_id, headline, subheads, text, date, place, agency, reporters, lang, script, page, url, extra, warnings, content_len)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?,
            queue: tx.prepare_cached("INSERT INTO index_queue (article) VALUES (?1)")?,
            span: tx.prepare_cached(
                "INSERT INTO spans (article_id, seq, file_id, start, end) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
        })
    }

    /// Inserts an article with its [`content_len`] and its spans (file id, raw bytes) and
    /// queues it for the search index; returns its id.
    fn insert(&mut self, a: &Article, content_len: u32, spans: &[(i64, Span)]) -> Result<i64> {
        let id = self.article.insert(params![
            a.source_id,
            a.headline,
            json(&a.subheads),
            a.text,
            a.date,
            a.place,
            a.agency,
            json(&a.reporters),
            a.lang,
            a.script,
            a.page,
            a.url,
            json(&a.extra),
            json(&a.warnings),
            content_len,
        ])?;
        self.queue.execute([id])?;
        for (seq, (file, span)) in spans.iter().enumerate() {
            self.span
                .execute(params![id, seq as i64, file, span.start as i64, span.end as i64])?;
        }
        Ok(id)
    }
}

/// Dates the undated page articles of an ingest, in one transaction, and queues them for
/// the search index.
fn date_undated(conn: &mut Connection, dates: &IssueDates, undated: &[(i64, Undated)]) -> Result<()> {
    let found = dates.resolve(undated.iter().map(|(_, u)| u));
    if found.iter().all(Option::is_none) {
        return Ok(());
    }
    let tx = conn.transaction()?;
    {
        let mut get = tx.prepare_cached("SELECT warnings FROM articles WHERE id = ?1")?;
        let mut set = tx.prepare_cached("UPDATE articles SET date = ?1, warnings = ?2 WHERE id = ?3")?;
        let mut queue = tx.prepare_cached("INSERT INTO index_queue (article) VALUES (?1)")?;
        for ((id, _), f) in undated.iter().zip(found) {
            let Some(f) = f else { continue };
            let mut warnings: Vec<String> = from_json(get.query_row([id], |r| r.get(0))?);
            f.note_in(&mut warnings);
            set.execute(params![f.date, json(&warnings), id])?;
            queue.execute([id])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Removes a file and every article with a span in it; true when there was one.
fn delete_file(tx: &Transaction, path: &str) -> Result<bool> {
    let id: Option<i64> = tx
        .query_row("SELECT id FROM files WHERE path = ?1", [path], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(false) };
    tx.execute(
        "INSERT INTO index_queue (article) SELECT DISTINCT article_id FROM spans WHERE file_id = ?1",
        [id],
    )?;
    tx.execute(
        "DELETE FROM articles WHERE id IN (SELECT article_id FROM spans WHERE file_id = ?1)",
        [id],
    )?;
    tx.execute("DELETE FROM files WHERE id = ?1", [id])?;
    Ok(true)
}

fn insert_file(tx: &Transaction, p: &Prepared) -> Result<i64> {
    let d = p.decoded.as_ref();
    // A streamed file is UTF-8 (or is read whole after all).
    let encoding = if p.stream { Some("UTF-8") } else { d.map(|d| d.encoding) };
    tx.execute(
        "INSERT INTO files (path, bytes, hash, kind, gzip, encoding, bad_bytes, warnings, error, ingested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            p.path,
            p.raw.len() as i64,
            p.hash,
            p.kind.as_str(),
            p.gzip,
            encoding,
            d.map_or(0, |d| d.bad_bytes as i64),
            json(&p.warnings),
            p.error,
            now(),
        ],
    )?;
    let id = tx.last_insert_rowid();
    // Written through a blob handle: bound as a value, SQLite would copy the bytes twice
    // (the bound value and the record), 100 MB of memory for a large dump.
    tx.execute(
        "INSERT INTO raw (file_id, content) VALUES (?1, ?2)",
        params![id, ZeroBlob(p.raw.len() as u64)],
    )?;
    tx.blob_open(MAIN_DB, c"raw", c"content", id, false)?
        .write_all_at(&p.raw, 0)?;
    Ok(id)
}

fn furniture_kind(f: &Furniture) -> String {
    serde_json::to_value(f.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serializes")
}

fn from_json<T: serde::de::DeserializeOwned + Default>(s: String) -> T {
    serde_json::from_str(&s).unwrap_or_default()
}

/// Current UTC time as RFC 3339, without pulling in a date crate.
fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::{prepare, Kind};

    fn journal(a: &Archive) -> String {
        a.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap()
    }

    fn page(name: &str) -> Prepared {
        let text = format!(
            "江川日报 2024年3月12日\n{name}大桥建成通车\n　　本报讯 江川大桥今天建成通车，连接两岸十二个乡镇。\n"
        );
        prepare(format!("{name}.txt"), text.into_bytes(), Kind::Text)
    }

    #[test]
    fn only_the_first_ingest_writes_through_a_rollback_journal() {
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::open(dir.path()).unwrap();
        archive.set_index_on_ingest(false);
        assert_eq!(journal(&archive), "wal");
        let mut batches = archive.batches();
        batches.write(vec![page("甲")]).unwrap();
        assert_eq!(journal(batches.archive), "delete");
        batches.finish().unwrap();
        assert_eq!(journal(&archive), "wal");
        // an archive that holds something keeps its log: readers may be reading it
        let mut batches = archive.batches();
        batches.write(vec![page("乙")]).unwrap();
        assert_eq!(journal(batches.archive), "wal");
        batches.finish().unwrap();
        assert_eq!(archive.article_count().unwrap(), 2);
    }

    #[test]
    fn an_archive_another_process_has_open_keeps_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::open(dir.path()).unwrap();
        let reader = Archive::open(dir.path()).unwrap();
        archive.set_index_on_ingest(false);
        let mut batches = archive.batches();
        batches.write(vec![page("甲")]).unwrap();
        assert_eq!(journal(batches.archive), "wal");
        batches.finish().unwrap();
        assert_eq!(reader.article_count().unwrap(), 1);
    }
}
