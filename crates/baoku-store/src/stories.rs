//! Linking stored articles into stories, and reading stories back.
//!
//! Ingest writes articles with `story` NULL; [`link_pending`] links every such article into
//! the archive's stories in one transaction (the linker's state is saved in the same
//! transaction), so a crash between ingest and linking only leaves work for the next run.
//!
//! The state is the linker's compact binary form ([`Linker::to_bytes`], a BLOB; stores written
//! before it hold JSON, still read). It keeps no fingerprints: those of articles linked
//! earlier are recomputed from their stored text when a new article is compared with them.

use baoku_text::link::{fingerprint_article, LinkDoc, LinkParams, Linker};
use baoku_text::normalize::Normalizer;
use baoku_text::translate::TranslationParams;
use rayon::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, MAIN_DB};
use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::translations::{link_translations, TranslationReport};

/// A story member as listed by `baoku stories`.
#[derive(Debug, Clone, Serialize)]
pub struct StoryMember {
    /// Article id.
    pub id: i64,
    /// Record id in the source (JSONL `id`).
    pub source_id: Option<String>,
    /// `canonical`, `exact`, `near`, `excerpt` or `translation`.
    pub relation: String,
    /// True when it differs in script from the member it was verified against.
    pub script: bool,
    /// Score of that edge.
    pub score: f64,
    /// Date.
    pub date: Option<String>,
    /// Agency or outlet.
    pub agency: Option<String>,
    /// Headline.
    pub headline: String,
    /// Language (`zh`, `en`).
    pub lang: String,
}

/// A story: versions of one piece of writing.
#[derive(Debug, Clone, Serialize)]
pub struct StoryRow {
    /// Story id (the article that founded it).
    pub story: i64,
    /// The canonical version's article id.
    pub canonical: i64,
    /// Members in date order.
    pub members: Vec<StoryMember>,
    /// Earliest date.
    pub first_date: Option<String>,
    /// Latest date.
    pub last_date: Option<String>,
    /// Distinct outlets.
    pub outlets: Vec<String>,
    /// Distinct languages of the members (a story with translations has two).
    pub langs: Vec<String>,
}

/// A link from an article to another: a version edge, a translation, or a `related` one (a
/// report and the speech it quotes, a digest and its item: other writing, never merged).
#[derive(Debug, Clone, Serialize)]
pub struct ArticleLink {
    /// The other article.
    pub id: i64,
    /// `exact`, `near`, `excerpt`, `translation` or `related`.
    pub relation: String,
    /// The two differ in script (traditional / simplified).
    pub script: bool,
    /// Jaccard similarity for `near`, containment of the shorter text otherwise.
    pub score: f64,
    /// The other article's headline.
    pub headline: String,
    /// Its date.
    pub date: Option<String>,
    /// Its agency or outlet.
    pub agency: Option<String>,
}

/// Every link of article `id`, either way round: versions first, then `related` ones, each
/// by score.
pub fn links(conn: &Connection, id: i64) -> Result<Vec<ArticleLink>> {
    let mut st = conn.prepare_cached(
        "SELECT o.id, l.relation, l.script, l.score, o.headline, o.date, o.agency
         FROM links l JOIN articles o ON o.id = CASE WHEN l.a = ?1 THEN l.b ELSE l.a END
         WHERE l.a = ?1 OR l.b = ?1
         ORDER BY l.relation = 'related', l.score DESC, o.id",
    )?;
    let rows = st.query_map([id], |r| {
        Ok(ArticleLink {
            id: r.get(0)?,
            relation: r.get(1)?,
            script: r.get(2)?,
            score: r.get(3)?,
            headline: r.get(4)?,
            date: r.get(5)?,
            agency: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Bytes of fingerprints kept in memory while linking (about 5.5 per content character):
/// the pending articles' own, then a cache of those compared with. Beyond it fingerprints are
/// recomputed from the stored text when needed, which costs time, not results.
pub const LINK_MEMORY: usize = 256 << 20;

/// Bytes of a piece of the encoded linker state held before it is written.
const STATE_PIECE: usize = 2048;

/// What [`link_pending`] did.
#[derive(Debug, Default, Clone, Copy)]
pub struct LinkReport {
    /// Articles linked (each joined a story or founded one).
    pub linked: usize,
    /// Seconds spent linking versions (same language).
    pub version_secs: f64,
    /// Translation linking of the batch.
    pub translation: TranslationReport,
    /// Seconds spent on it.
    pub translation_secs: f64,
}

/// Links every article not yet in a story, as a version of a stored story or a translation of
/// one (see [`crate::translations`]).
pub fn link_pending(conn: &mut Connection) -> Result<LinkReport> {
    link_pending_with(conn, LINK_MEMORY)
}

/// SQLite's page cache while linking (`PRAGMA cache_size`, KiB when negative): linking reads
/// each pending article once and rewrites its row once, so the archive's 64 MiB cache would
/// only sit beside the fingerprints (measured on CCTV: no change in time).
const LINK_PAGE_CACHE: i64 = -8192;

/// [`link_pending`] with a memory budget for fingerprints (bytes).
pub fn link_pending_with(conn: &mut Connection, budget: usize) -> Result<LinkReport> {
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    let fk: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", LINK_PAGE_CACHE)?;
    // Linking checks that both ends of every link it writes are articles; SQLite's check
    // of the same read each end's row again (a page of texts: 0.25 s of CCTV's ~6.5 s).
    conn.pragma_update(None, "foreign_keys", false)?;
    let report = link_pending_in(conn, budget);
    conn.pragma_update(None, "foreign_keys", fk)?;
    conn.pragma_update(None, "cache_size", cache)?;
    report
}

fn link_pending_in(conn: &mut Connection, budget: usize) -> Result<LinkReport> {
    let started = Instant::now();
    let mut report = LinkReport::default();
    let tx = conn.transaction()?;
    let state = tx
        .query_row("SELECT state FROM linker WHERE id = 1", [], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Blob(b) => Ok(b.to_vec()),
                ValueRef::Text(t) => Err(t.to_vec()),
                _ => Ok(Vec::new()),
            })
        })
        .optional()?;
    let mut linker = match state {
        // the binary state
        Some(Ok(b)) => Linker::from_bytes(&b).map_err(|e| Error::DataCorruption(e.to_string()))?,
        // a store written before the binary state: JSON (its fingerprints are recomputed)
        Some(Err(json)) => {
            serde_json::from_slice(&json).map_err(|e| Error::DataCorruption(format!("linker state: {e}")))?
        }
        None => Linker::new(LinkParams::default()),
    };
    linker.set_memory_budget(budget);
    let params = *linker.params();
    let normalizer = Normalizer::shared();
    let docs = pending_docs(&tx, normalizer, &params, budget)?;
    if docs.is_empty() {
        return Ok(report);
    }
    let new: Vec<u64> = docs.iter().map(|d| d.id).collect();
    let edges = {
        let mut text = tx.prepare_cached("SELECT headline, text FROM articles WHERE id = ?1")?;
        let mut source = |id: u64| {
            let t: Option<(String, String)> = text
                .query_row([id as i64], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .ok()
                .flatten();
            t.map(|(h, t)| fingerprint_article(normalizer, &h, &t, &params.fingerprint))
        };
        let edges = linker.link_batch_with(docs, &mut source);
        // the cached fingerprints are not saved: free them before the state is written
        linker.set_memory_budget(0);
        edges
    };
    report.version_secs = started.elapsed().as_secs_f64();
    let (translations, tr) = link_translations(&tx, &mut linker, &new, &TranslationParams::default())?;
    report.translation = tr;
    report.translation_secs = started.elapsed().as_secs_f64() - report.version_secs;
    let edges: Vec<_> = edges.into_iter().chain(translations).collect();
    {
        // One row a statement, with the check apart: an `INSERT … SELECT` may write several
        // rows, so SQLite kept a statement journal for each (a copy of every page it touched,
        // foreign keys being on).
        let mut exists = tx.prepare_cached("SELECT 1 FROM articles WHERE id = ?1")?;
        let mut ins =
            tx.prepare_cached("INSERT INTO links (a, b, relation, script, score) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut is_article =
            |id: u64| -> Result<bool> { Ok(new.binary_search(&id).is_ok() || exists.exists([id as i64])?) };
        for e in &edges {
            // the articles just linked were read in this transaction (`new` is in id order):
            // looking each up again read a page of the table an edge
            if !is_article(e.a)? || !is_article(e.b)? {
                continue;
            }
            ins.execute(params![
                e.a as i64,
                e.b as i64,
                e.relation.as_str(),
                e.script,
                e.score as f64
            ])?;
        }
        // Every member of a story that gained an article is rewritten: merges move old members.
        let mut upd = tx.prepare_cached(
            "UPDATE articles SET story = ?1, relation = ?2, relation_score = ?3, relation_script = ?4 WHERE id = ?5",
        )?;
        let mut done = std::collections::HashSet::new();
        let mut rows = Vec::with_capacity(new.len());
        for id in &new {
            let Some(sid) = linker.story_of(*id) else { continue };
            if !done.insert(sid) {
                continue;
            }
            let Some(story) = linker.story(sid) else { continue };
            rows.extend(
                story
                    .members
                    .iter()
                    .map(|m| (m.id, story.id, m.relation, m.score, m.script)),
            );
        }
        // in row order: each page of the table is read and written once, not once a story
        rows.sort_unstable_by_key(|r| r.0);
        for (id, story, relation, score, script) in rows {
            upd.execute(params![
                story as i64,
                relation.as_str(),
                score as f64,
                script,
                id as i64
            ])?;
        }
    }
    // A BLOB in the TEXT column: SQLite keeps it as it is. Encoded once, kept in pieces of
    // 2 KiB (small enough to fit the holes the fingerprint cache just left in the heap: one
    // buffer of the whole state, or pieces of 64 KiB, added tens of MB to the peak), then
    // written in place a piece at a time (incremental blob I/O), rather than bound as a
    // parameter (which SQLite copies). Encoding it twice, once for its length, cost as much
    // as linking 5 % of the articles.
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    linker.write_state(&mut |chunk| pieces.extend(chunk.chunks(STATE_PIECE).map(<[u8]>::to_vec)));
    let len: usize = pieces.iter().map(Vec::len).sum();
    tx.execute(
        "INSERT OR REPLACE INTO linker (id, state) VALUES (1, zeroblob(?1))",
        [len as i64],
    )?;
    {
        let mut blob = tx.blob_open(MAIN_DB, c"linker", c"state", 1, false)?;
        let mut at = 0;
        for piece in pieces {
            blob.write_all_at(&piece, at)?;
            at += piece.len();
        }
    }
    tx.commit()?;
    report.linked = new.len();
    Ok(report)
}

/// Articles read for fingerprinting at a time: enough to keep both cores busy, few enough
/// that their texts are a few MB.
const FINGERPRINT_CHUNK: usize = 1024;

/// The articles not yet in a story, fingerprinted on all cores (normalization and shingling
/// were a quarter of linking's time, and each article's is its own). Fingerprints past
/// `budget` bytes are dropped, to be recomputed from the text when their turn comes.
fn pending_docs(
    tx: &rusqlite::Transaction,
    normalizer: &Normalizer,
    params: &LinkParams,
    budget: usize,
) -> Result<Vec<LinkDoc>> {
    struct Pending {
        id: u64,
        headline: String,
        text: String,
        date: Option<String>,
        agency: Option<String>,
    }
    let mut st = tx.prepare("SELECT id, headline, text, date, agency FROM articles WHERE story IS NULL ORDER BY id")?;
    let mut rows = st.query([])?;
    let mut docs = Vec::new();
    let mut chunk = Vec::with_capacity(FINGERPRINT_CHUNK);
    let mut held = 0usize;
    loop {
        let row = rows.next()?;
        if let Some(r) = row {
            chunk.push(Pending {
                id: r.get::<_, i64>(0)? as u64,
                headline: r.get(1)?,
                text: r.get(2)?,
                date: r.get(3)?,
                agency: r.get(4)?,
            });
        }
        if chunk.len() < FINGERPRINT_CHUNK && row.is_some() {
            continue;
        }
        let done: Vec<(LinkDoc, usize)> = chunk
            .par_drain(..)
            .map(|p| {
                let f = &params.fingerprint;
                let mut doc = LinkDoc::new(
                    p.id,
                    normalizer,
                    &p.headline,
                    &p.text,
                    p.date.as_deref(),
                    p.agency.as_deref(),
                    f,
                );
                let f = &doc.fingerprint;
                let bytes = 4 * (f.shingles.len() + f.anchors.len()) + 8 * f.facts.len();
                doc.pack();
                (doc, bytes)
            })
            .collect();
        // In id order, so which fingerprints are kept does not depend on the threads. A kept
        // one is copied onto this thread's heap: glibc gives each thread an arena of its own,
        // and pieces kept there pinned the holes around them (+28 MB at the peak on CCTV).
        for (mut doc, bytes) in done {
            held += bytes;
            if held > budget {
                doc.strip();
                docs.push(doc);
            } else {
                docs.push(doc.clone());
            }
        }
        if row.is_none() {
            return Ok(docs);
        }
    }
}

/// Stories with at least `min_members` members, by story id.
pub fn stories(conn: &Connection, min_members: usize, only: Option<i64>) -> Result<Vec<StoryRow>> {
    let sql = "SELECT story, id, source_id, relation, relation_script, relation_score, date, agency, headline, lang
               FROM articles WHERE story IS NOT NULL AND (?1 IS NULL OR story = ?1)
               ORDER BY story, date, id";
    let mut st = conn.prepare(sql)?;
    let mut rows = st.query([only])?;
    let mut out: Vec<StoryRow> = Vec::new();
    let push = |out: &mut Vec<StoryRow>, row: StoryRow| {
        if row.members.len() >= min_members {
            out.push(row);
        }
    };
    let mut cur: Option<StoryRow> = None;
    while let Some(r) = rows.next()? {
        let story: i64 = r.get(0)?;
        let m = StoryMember {
            id: r.get(1)?,
            source_id: r.get(2)?,
            relation: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            script: r.get::<_, Option<bool>>(4)?.unwrap_or(false),
            score: r.get::<_, Option<f64>>(5)?.unwrap_or(0.0),
            date: r.get(6)?,
            agency: r.get(7)?,
            headline: r.get(8)?,
            lang: r.get(9)?,
        };
        if cur.as_ref().is_some_and(|c| c.story != story) {
            push(&mut out, finish(cur.take().unwrap()));
        }
        cur.get_or_insert_with(|| StoryRow {
            story,
            canonical: 0,
            members: Vec::new(),
            first_date: None,
            last_date: None,
            outlets: Vec::new(),
            langs: Vec::new(),
        })
        .members
        .push(m);
    }
    if let Some(c) = cur {
        push(&mut out, finish(c));
    }
    Ok(out)
}

fn finish(mut s: StoryRow) -> StoryRow {
    // The canonical may have been deleted with a replaced file: then the longest-lived member stands in.
    s.canonical = s
        .members
        .iter()
        .find(|m| m.relation == "canonical")
        .unwrap_or(&s.members[0])
        .id;
    s.first_date = s.members.iter().filter_map(|m| m.date.clone()).min();
    s.last_date = s.members.iter().filter_map(|m| m.date.clone()).max();
    let mut outlets: Vec<String> = s.members.iter().filter_map(|m| m.agency.clone()).collect();
    outlets.sort();
    outlets.dedup();
    s.outlets = outlets;
    let mut langs: Vec<String> = s.members.iter().map(|m| m.lang.clone()).collect();
    langs.sort();
    langs.dedup();
    s.langs = langs;
    s
}
