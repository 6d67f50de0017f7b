//! The tantivy search index in `<data dir>/index`, kept in step with SQLite.
//!
//! SQLite is the truth. Every insert and delete of an article appends its id to
//! `index_queue` inside the writer's own transaction (`archive.rs`, the only code that
//! inserts or deletes articles); [`SearchIndex::sync`] applies the queue
//! to tantivy and commits with the last applied sequence number as the commit payload, then
//! trims the queue. A crash anywhere leaves the queue holding what the index lacks, and the
//! next sync (every ingest, every search) replays it: replaying is idempotent (delete the
//! article's document, add it again if the article still exists). Hits are looked up in
//! SQLite, so an index that lags by one batch never shows a ghost.
//!
//! Fields: `grams` (bigrams of the key of headline, subheads and body, with positions:
//! substring search), `title_grams` (the same of the headline alone, to boost it),
//! `title_words`/`words` (jieba words with frequencies: BM25 ranking), `id` (u64, fast),
//! `date` (i64 YYYYMMDD, 0 when unknown, fast), `outlet`, `lang`, `script` (raw strings).
//! No text is stored in the index; SQLite has it.

use std::path::Path;

use rusqlite::Connection;
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::tokenizer::{GramTokenizer, WordTokenizer, GRAMS, WORDS};

/// Folder of the index inside the data directory.
pub const INDEX_DIR: &str = "index";

/// Version of what the index holds (fields, tokenizers); an index of another version is
/// rebuilt on the next sync. Bump it whenever indexing changes.
const INDEX_VERSION: &str = "baoku-index-2";

/// Memory for tantivy's indexing threads, shared between them.
const WRITER_BUDGET: usize = 192 << 20;

/// The schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Article id.
    pub id: Field,
    /// Date as YYYYMMDD, 0 when unknown.
    pub date: Field,
    /// Agency or outlet, as stored.
    pub outlet: Field,
    /// `zh` or `en`.
    pub lang: Field,
    /// `Hans`, `Hant`, `Latn`.
    pub script: Field,
    /// Bigrams of headline and subheads.
    pub title_grams: Field,
    /// Bigrams of headline, subheads and body (each a separate value: no phrase spans two).
    pub grams: Field,
    /// Words of headline and subheads.
    pub title_words: Field,
    /// Words of the body.
    pub words: Field,
}

/// The open index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// Opened on first write; holds tantivy's lock for as long as it lives.
    writer: Option<IndexWriter>,
    /// The fields.
    pub fields: Fields,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST),
        date: b.add_i64_field("date", INDEXED | FAST),
        outlet: b.add_text_field("outlet", STRING),
        lang: b.add_text_field("lang", STRING),
        script: b.add_text_field("script", STRING),
        title_grams: b.add_text_field("title_grams", text(GRAMS, IndexRecordOption::WithFreqsAndPositions)),
        grams: b.add_text_field("grams", text(GRAMS, IndexRecordOption::WithFreqsAndPositions)),
        title_words: b.add_text_field("title_words", text(WORDS, IndexRecordOption::WithFreqs)),
        words: b.add_text_field("words", text(WORDS, IndexRecordOption::WithFreqs)),
    };
    (b.build(), fields)
}

/// What the index needs of an article.
struct IndexedArticle {
    id: i64,
    headline: String,
    subheads: Vec<String>,
    text: String,
    date: Option<String>,
    agency: Option<String>,
    lang: String,
    script: String,
}

impl SearchIndex {
    /// Opens the index under `dir`, creating it when missing. An index whose schema is not
    /// this baoku's is refused as corrupt (`baoku reindex` rebuilds it).
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let path = dir.join(INDEX_DIR);
        std::fs::create_dir_all(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(&path).map_err(|e| index_error(&path, e))?;
        let index = Index::open_or_create(mmap, schema).map_err(|e| index_error(&path, e))?;
        index.tokenizers().register(GRAMS, GramTokenizer::default());
        index.tokenizers().register(WORDS, WordTokenizer::default());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|e| index_error(&path, e))?;
        Ok(SearchIndex {
            index,
            reader,
            writer: None,
            fields,
        })
    }

    /// A searcher over the last commit.
    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// The queue sequence number the index has applied up to; None for an index that has
    /// never been committed (new, or its folder was deleted) or was built by another version.
    fn applied(&self) -> Result<Option<i64>> {
        let meta = self
            .index
            .load_metas()
            .map_err(|e| index_error(Path::new(INDEX_DIR), e))?;
        Ok(meta
            .payload
            .as_deref()
            .and_then(|p| p.strip_prefix(INDEX_VERSION)?.strip_prefix(':')?.parse().ok()))
    }

    fn writer(&mut self) -> Result<&mut IndexWriter> {
        if self.writer.is_none() {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
            let w = self
                .index
                .writer_with_num_threads(threads, WRITER_BUDGET)
                .map_err(|e| match e {
                    tantivy::TantivyError::LockFailure(..) => Error::Busy("the search index".into()),
                    e => index_error(Path::new(INDEX_DIR), e),
                })?;
            self.writer = Some(w);
        }
        Ok(self.writer.as_mut().expect("just opened"))
    }

    /// Lets go of the writer (and tantivy's lock), waiting for its threads.
    pub fn close_writer(&mut self) {
        self.writer = None;
    }

    /// How many queued article changes the index has not applied yet.
    pub fn pending(&self, conn: &Connection) -> Result<i64> {
        Ok(match self.applied()? {
            Some(applied) => conn.query_row("SELECT count(*) FROM index_queue WHERE seq > ?1", [applied], |r| {
                r.get(0)
            })?,
            None => conn.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?,
        })
    }

    /// Applies the queue to the index and commits; returns how many articles were
    /// (re)indexed or removed. [`Error::Busy`] when another process holds the index.
    pub fn sync(&mut self, conn: &Connection) -> Result<usize> {
        let Some(applied) = self.applied()? else {
            // The queue only holds what came after the last commit: a new, lost or outdated
            // index is built from the whole store.
            return self.rebuild(conn, |_| {});
        };
        // One read transaction: the queue's end and the articles are one snapshot.
        let tx = conn.unchecked_transaction()?;
        let last: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM index_queue", [], |r| r.get(0))?;
        if last <= applied {
            return Ok(0);
        }
        let fields = self.fields;
        let writer = self.writer()?;
        let ids: Vec<i64> = tx
            .prepare("SELECT DISTINCT article FROM index_queue WHERE seq > ?1 AND seq <= ?2")?
            .query_map([applied, last], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        for &id in &ids {
            writer.delete_term(Term::from_field_u64(fields.id, id as u64));
        }
        let mut st = tx.prepare(&format!(
            "{INDEXED_SELECT} WHERE id IN (SELECT DISTINCT article FROM index_queue WHERE seq > ?1 AND seq <= ?2)"
        ))?;
        let mut rows = st.query([applied, last])?;
        while let Some(r) = rows.next()? {
            add(writer, &fields, &indexed_row(r)?)?;
        }
        drop(rows);
        drop(st);
        self.commit(last)?;
        drop(tx);
        conn.execute("DELETE FROM index_queue WHERE seq <= ?1", [last])?;
        Ok(ids.len())
    }

    /// Rebuilds the index from every article in the store; returns how many were indexed.
    pub fn rebuild(&mut self, conn: &Connection, mut progress: impl FnMut(usize)) -> Result<usize> {
        let tx = conn.unchecked_transaction()?;
        let last: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM index_queue", [], |r| r.get(0))?;
        let fields = self.fields;
        let writer = self.writer()?;
        writer
            .delete_all_documents()
            .map_err(|e| index_error(Path::new(INDEX_DIR), e))?;
        let mut st = tx.prepare(&format!("{INDEXED_SELECT} ORDER BY id"))?;
        let mut rows = st.query([])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            add(writer, &fields, &indexed_row(r)?)?;
            n += 1;
            progress(n);
        }
        drop(rows);
        drop(st);
        self.commit(last)?;
        drop(tx);
        conn.execute("DELETE FROM index_queue WHERE seq <= ?1", [last])?;
        Ok(n)
    }

    fn commit(&mut self, last: i64) -> Result<()> {
        let writer = self.writer()?;
        let mut prepared = writer
            .prepare_commit()
            .map_err(|e| index_error(Path::new(INDEX_DIR), e))?;
        prepared.set_payload(&format!("{INDEX_VERSION}:{last}"));
        prepared.commit().map_err(|e| index_error(Path::new(INDEX_DIR), e))?;
        self.reader.reload().map_err(|e| index_error(Path::new(INDEX_DIR), e))?;
        Ok(())
    }
}

const INDEXED_SELECT: &str = "SELECT id, headline, subheads, text, date, agency, lang, script FROM articles";

fn indexed_row(r: &rusqlite::Row) -> rusqlite::Result<IndexedArticle> {
    Ok(IndexedArticle {
        id: r.get(0)?,
        headline: r.get(1)?,
        subheads: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default(),
        text: r.get(3)?,
        date: r.get(4)?,
        agency: r.get(5)?,
        lang: r.get(6)?,
        script: r.get(7)?,
    })
}

/// `YYYY-MM-DD` as the number YYYYMMDD (0 when absent or malformed).
pub fn date_number(date: Option<&str>) -> i64 {
    date.and_then(|d| d.replace('-', "").parse().ok()).unwrap_or(0)
}

fn add(writer: &IndexWriter, f: &Fields, a: &IndexedArticle) -> Result<()> {
    let mut d = TantivyDocument::new();
    d.add_u64(f.id, a.id as u64);
    d.add_i64(f.date, date_number(a.date.as_deref()));
    d.add_text(f.outlet, a.agency.as_deref().unwrap_or(""));
    d.add_text(f.lang, &a.lang);
    d.add_text(f.script, &a.script);
    for t in std::iter::once(&a.headline).chain(&a.subheads) {
        d.add_text(f.title_grams, t);
        d.add_text(f.grams, t);
        d.add_text(f.title_words, t);
    }
    d.add_text(f.grams, &a.text);
    d.add_text(f.words, &a.text);
    writer
        .add_document(d)
        .map_err(|e| index_error(Path::new(INDEX_DIR), e))?;
    Ok(())
}

fn index_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Index(format!("{}: {e}", path.display()))
}
