//! Linking stored articles into stories, and reading stories back.
//!
//! Ingest writes articles; [`link_pending`] links every article without a row in `members`
//! into the archive's stories in one transaction (the linker's state is saved in the same
//! transaction), so a crash between ingest and linking only leaves work for the next run.
//!
//! The state is the linker's compact binary form ([`Linker::to_bytes`], a BLOB; stores written
//! before it hold JSON, still read). It keeps no fingerprints: those of articles linked
//! earlier are recomputed from their stored text when a new article is compared with them.

use baoku_text::link::{content_len, fingerprint_article, linking_order, Edge, LinkDoc, LinkParams, Linker, Relation};
use baoku_text::normalize::Normalizer;
use baoku_text::translate::TranslationParams;
use rayon::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, MAIN_DB};
use std::sync::mpsc::{Receiver, SyncSender};
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

/// Bytes of fingerprints kept in memory while linking (about 5.5 per content character): a
/// cache of those of linked articles, which new ones are compared with. Beyond it fingerprints
/// are recomputed from the stored text when needed, which costs time, not results.
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
/// each pending article twice, far apart (its length, then its fingerprint), so the
/// archive's 64 MiB cache would only sit beside the fingerprints (measured on CCTV: no change
/// in time).
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
    // A transaction by hand rather than rusqlite's, whose borrow of the connection cannot
    // move to another thread: the rows are written on one while the state is encoded here.
    conn.execute_batch("BEGIN")?;
    match link_pending_tx(conn, budget) {
        Ok(report) => {
            conn.execute_batch("COMMIT")?;
            Ok(report)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn link_pending_tx(tx: &mut Connection, budget: usize) -> Result<LinkReport> {
    let started = Instant::now();
    let mut report = LinkReport::default();
    let normalizer = Normalizer::shared();
    // before the state: with nothing to link, reading it (tens of MB) is the whole cost
    let order = pending_order(tx, normalizer)?;
    if order.is_empty() {
        return Ok(report);
    }
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
    let mut new: Vec<u64> = order.iter().map(|&(id, _)| id).collect();
    new.sort_unstable();
    let path = match tx.path() {
        Some(p) if !p.is_empty() => p.to_owned(),
        _ => return Err(Error::Invalid("linking needs an archive on disk".into())),
    };
    let edges = std::thread::scope(|scope| -> Result<Vec<_>> {
        let (send, recv) = std::sync::mpsc::sync_channel(STREAM_AHEAD);
        let (back, freed) = std::sync::mpsc::channel();
        let (order, params) = (&order, &params);
        let fingerprints = scope.spawn(move || fingerprint_in_order(&path, order, normalizer, params, send, freed));
        let mut text = tx.prepare_cached("SELECT headline, text FROM articles WHERE id = ?1")?;
        let mut source = |id: u64| {
            let t: Option<(String, String)> = text
                .query_row([id as i64], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .ok()
                .flatten();
            t.map(|(h, t)| fingerprint_article(normalizer, &h, &t, &params.fingerprint))
        };
        // Each doc is copied onto this thread's heap (glibc gives each thread an arena of its
        // own, and fingerprints the cache kept in the other pinned the holes around them:
        // +30 MB at the peak on CCTV), and the original goes back to be freed where it was
        // made (freeing it here contended for that arena's lock: +2 s of CPU).
        let docs = recv.into_iter().flat_map(|chunk: Vec<LinkDoc>| {
            let copies: Vec<LinkDoc> = chunk.to_vec();
            let _ = back.send(chunk);
            copies
        });
        let edges = linker.link_in_order(docs, &mut source);
        // a fingerprinting error ended the stream early: the transaction is not committed
        fingerprints.join().expect("the fingerprinting thread does not panic")?;
        Ok(edges)
    })?;
    // the cached fingerprints are not saved: free them before the state is written
    linker.set_memory_budget(0);
    report.version_secs = started.elapsed().as_secs_f64();
    let (translations, tr) = link_translations(tx, &mut linker, &new, &TranslationParams::default())?;
    report.translation = tr;
    report.translation_secs = started.elapsed().as_secs_f64() - report.version_secs;
    let edges: Vec<_> = edges.into_iter().chain(translations).collect();
    // Every member of a story that gained an article is written: merges move old members.
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
    // The state is encoded here while the links and members are written on another thread
    // (CCTV: 0.14 s and 0.15 s). Not the other way round: encoded there, the state's pieces
    // took fresh memory in that thread's heap (+32 MB at the peak) instead of the holes the
    // fingerprint cache just left in this one's.
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    std::thread::scope(|scope| {
        let (conn, edges, rows, new) = (&mut *tx, &edges, &rows, &new);
        let writer = scope.spawn(move || write_links(conn, edges, rows, new));
        linker.write_state(&mut |chunk| pieces.extend(chunk.chunks(STATE_PIECE).map(<[u8]>::to_vec)));
        writer.join().expect("the writing thread does not panic")
    })?;
    // A BLOB in the TEXT column: SQLite keeps it as it is. Encoded once, kept in pieces of
    // 2 KiB (small enough to fit the holes the fingerprint cache just left in the heap: one
    // buffer of the whole state, or pieces of 64 KiB, added tens of MB to the peak), then
    // written in place a piece at a time (incremental blob I/O), rather than bound as a
    // parameter (which SQLite copies). Encoding it twice, once for its length, cost as much
    // as linking 5 % of the articles.
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
    report.linked = new.len();
    Ok(report)
}

/// A story member's row: (article, story, relation, score, script).
type MemberRow = (u64, u64, Relation, f32, bool);

/// Writes the links and the members' rows of a linking; `new`: the articles linked, in id
/// order (the others' rows are updated).
fn write_links(conn: &Connection, edges: &[Edge], rows: &[MemberRow], new: &[u64]) -> Result<()> {
    // One row a statement, with the check apart: an `INSERT … SELECT` may write several
    // rows, so SQLite kept a statement journal for each (a copy of every page it touched,
    // foreign keys being on).
    let mut exists = conn.prepare_cached("SELECT 1 FROM articles WHERE id = ?1")?;
    let mut ins =
        conn.prepare_cached("INSERT INTO links (a, b, relation, script, score) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    // the articles just linked were read in this transaction (`new` is in id order): looking
    // each up again read a page of the table an edge
    let mut is_article = |id: u64| -> Result<bool> { Ok(new.binary_search(&id).is_ok() || exists.exists([id as i64])?) };
    for e in edges {
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
    // The new articles have no row yet, the older members have one. (`INSERT OR REPLACE`
    // for both kept a statement journal for each row: 0.5 s on CCTV.)
    let mut insert = conn.prepare_cached(
        "INSERT INTO members (story, relation, score, script, article_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut update = conn.prepare_cached(
        "UPDATE members SET story = ?1, relation = ?2, score = ?3, script = ?4 WHERE article_id = ?5",
    )?;
    for &(id, story, relation, score, script) in rows {
        let member = if new.binary_search(&id).is_ok() {
            &mut insert
        } else if is_article(id)? {
            &mut update
        } else {
            // deleted with a replaced file, still in the linker's story
            continue;
        };
        member.execute(params![
            story as i64,
            relation.as_str(),
            score as f64,
            script,
            id as i64
        ])?;
    }
    Ok(())
}

/// Articles read at a time to be measured for [`linking_order`]: enough to keep both cores
/// busy, few enough that their texts are a few MB.
const ORDER_CHUNK: usize = 1024;

/// Articles fingerprinted and handed to the linker at a time (the first chunks are smaller,
/// see [`stream_chunks`]).
const STREAM_CHUNK: usize = 64;

/// Chunks the fingerprinting thread may be ahead of the linker.
const STREAM_AHEAD: usize = 16;

/// The articles not yet in a story as (id, content length), in [`linking_order`]. The lengths
/// ingest wrote are read from their index, without the texts; articles written before ingest
/// wrote them are measured from their text (see [`measure_pending`]).
fn pending_order(tx: &Connection, normalizer: &Normalizer) -> Result<Vec<(u64, u32)>> {
    let mut order: Vec<(u64, u32)> = tx
        .prepare(
            "SELECT id, content_len FROM articles a INDEXED BY articles_content_len
             WHERE content_len IS NOT NULL AND NOT EXISTS (SELECT 1 FROM members m WHERE m.article_id = a.id)",
        )?
        .query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, u32>(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    order.extend(measure_pending(tx, normalizer)?);
    order.sort_unstable_by_key(|&(id, len)| linking_order(len, id));
    Ok(order)
}

/// The pending articles without a stored length, as (id, content length): the length of the
/// text's matching form, computed on all cores.
fn measure_pending(tx: &Connection, normalizer: &Normalizer) -> Result<Vec<(u64, u32)>> {
    let mut st = tx.prepare(
        "SELECT id, text FROM articles a
         WHERE content_len IS NULL AND NOT EXISTS (SELECT 1 FROM members m WHERE m.article_id = a.id) ORDER BY id",
    )?;
    let mut rows = st.query([])?;
    // Texts are read here while the chunk before is measured on the pool.
    let (send, recv) = std::sync::mpsc::sync_channel::<Vec<(u64, String)>>(2);
    std::thread::scope(|scope| -> Result<Vec<(u64, u32)>> {
        // owned here, so that a read error ends the measuring thread too
        let send = send;
        let measuring = scope.spawn(move || {
            let mut order = Vec::new();
            for chunk in recv {
                order.par_extend(
                    chunk
                        .into_par_iter()
                        .map(|(id, text)| (id, content_len(normalizer, &text))),
                );
            }
            order
        });
        let mut chunk = Vec::with_capacity(ORDER_CHUNK);
        while let Some(r) = rows.next()? {
            chunk.push((r.get::<_, i64>(0)? as u64, r.get(1)?));
            if chunk.len() == ORDER_CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(ORDER_CHUNK));
                send.send(full).expect("the measuring thread runs until the texts end");
            }
        }
        send.send(chunk).expect("the measuring thread runs until the texts end");
        drop(send);
        Ok(measuring.join().expect("measuring does not panic"))
    })
}

/// Fingerprints the articles of `order` in that order and hands them to the linker a chunk
/// at a time: one thread, beside the linker's (linking is one thread and waited on
/// fingerprinting; now each has a core). It reads through a connection of its own, which
/// sees what the linking transaction sees: the articles ingest committed.
fn fingerprint_in_order(
    path: &str,
    order: &[(u64, u32)],
    normalizer: &Normalizer,
    params: &LinkParams,
    send: SyncSender<Vec<LinkDoc>>,
    freed: Receiver<Vec<LinkDoc>>,
) -> Result<()> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(crate::archive::BUSY_TIMEOUT)?;
    let mut st = conn.prepare("SELECT headline, text, date, agency, script FROM articles WHERE id = ?1")?;
    for chunk in stream_chunks(order) {
        // the chunks the linker has copied
        while freed.try_recv().is_ok() {}
        let mut docs = Vec::with_capacity(chunk.len());
        for &(id, len) in chunk {
            let f = &params.fingerprint;
            // fingerprinted from the row's own bytes: no copy of the text
            let doc = st
                .query_row([id as i64], |r| {
                    let (headline, text) = (text_ref(r, 0)?.unwrap_or(""), text_ref(r, 1)?.unwrap_or(""));
                    let (date, agency) = (text_ref(r, 2)?, text_ref(r, 3)?);
                    let hant = text_ref(r, 4)? == Some("Hant");
                    Ok(LinkDoc::new(id, normalizer, headline, text, date, agency, hant, f))
                })
                .optional()?;
            // deleted since it was measured: nothing to link
            let Some(mut doc) = doc else {
                continue;
            };
            debug_assert_eq!(
                doc.fingerprint.content_len, len,
                "content_len agrees with the fingerprint"
            );
            doc.pack();
            docs.push(doc);
        }
        if send.send(docs).is_err() {
            // the linker stopped
            break;
        }
    }
    Ok(())
}

/// Column `i` of a row as text borrowed from the row (`None` for NULL), checked to be UTF-8
/// by simdutf8: rusqlite's `String` copied every text and checked it with `std` (that check
/// alone 4 % of the fingerprinting thread's time on CCTV).
fn text_ref<'r>(r: &'r rusqlite::Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => match simdutf8::basic::from_utf8(t) {
            Ok(s) => Ok(Some(s)),
            Err(_) => std::str::from_utf8(t).map(Some).map_err(|e| rusqlite::Error::Utf8Error(i, e)),
        },
        _ => Err(rusqlite::types::FromSqlError::InvalidType.into()),
    }
}

/// The pending articles in [`linking_order`] cut into the chunks that are fingerprinted and
/// handed to the linker: 1, 2, 4, … articles, then [`STREAM_CHUNK`] at a time, so that the
/// linker starts on the first (longest) article without waiting for a whole chunk of them.
fn stream_chunks(order: &[(u64, u32)]) -> impl Iterator<Item = &[(u64, u32)]> {
    let (mut at, mut size) = (0, 1);
    std::iter::from_fn(move || {
        if at >= order.len() {
            return None;
        }
        let end = (at + size).min(order.len());
        let chunk = &order[at..end];
        (at, size) = (end, (size * 2).min(STREAM_CHUNK));
        Some(chunk)
    })
}

/// Stories with at least `min_members` members, by story id.
pub fn stories(conn: &Connection, min_members: usize, only: Option<i64>) -> Result<Vec<StoryRow>> {
    let sql = "SELECT m.story, a.id, a.source_id, m.relation, m.script, m.score, a.date, a.agency, a.headline, a.lang
               FROM members m JOIN articles a ON a.id = m.article_id WHERE ?1 IS NULL OR m.story = ?1
               ORDER BY m.story, a.date, a.id";
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

#[cfg(test)]
mod tests {
    use crate::prepare::{prepare, Kind};
    use crate::Archive;
    use baoku_text::link::{LinkDoc, LinkParams, Linker};
    use baoku_text::normalize::Normalizer;

    const BRIDGE: &str = "新华社江川10月1日电 江川大桥今天建成通车，两岸居民往来从此不再绕行三十公里。大桥全长一千二百米，历时四年建成，总投资十八亿元。通车仪式上，建设者代表说，大桥的建成将带动两岸经济发展，沿江的物流园区和旅游线路也将随之延伸。";
    const HARBOUR: &str = "本报江川3月12日电 江川港一季度集装箱吞吐量达四十二万标准箱，同比增长百分之十一。港口集团负责人介绍，新开通的三条近洋航线和铁水联运班列是增长的主要来源。今年港口还将建成两个自动化泊位，并扩建冷链仓储区。";
    const BIRDS: &str = "新华社江川3月11日电 随着气温回升，首批北归候鸟近日飞抵江川湿地。保护区工作人员监测到白琵鹭、灰鹤等二十余种鸟类，总数约三千只。保护区今年新修复湿地八百亩，并在观鸟点增设了科普展板。";

    /// The fixture: edited copies, an excerpt, a traditional copy, a longer copy, two empty
    /// records and unrelated reports, as one JSONL feed; and how many records it has.
    fn feed() -> (String, usize) {
        let edited = BRIDGE.replace("三十公里", "30公里").replace("十八亿元", "18亿元");
        let excerpt: String = BRIDGE.chars().take(70).collect();
        let traditional = HARBOUR
            .replace("电", "電")
            .replace("吞吐量达", "吞吐量達")
            .replace("长", "長")
            .replace("来源", "來源")
            .replace("还将", "還將")
            .replace("动化", "動化");
        let longer = format!("{BIRDS}当地志愿者也参加了巡护。");
        let texts = [
            ("江川大桥建成通车", BRIDGE.to_string(), "新华社"),
            ("江川大桥通车", edited, "江川日报"),
            ("大桥通车", excerpt, "江川晚报"),
            ("江川港集装箱吞吐量首季开门红", HARBOUR.to_string(), "本报"),
            ("江川港集裝箱吞吐量首季開門紅", traditional, "江川時報"),
            ("江川湿地迎来首批北归候鸟", BIRDS.to_string(), "新华社"),
            ("候鸟北归江川湿地", longer, "江川晚报"),
            ("", String::new(), "江川晚报"),
            ("", String::new(), "江川晚报"),
        ];
        let jsonl = texts
            .iter()
            .enumerate()
            .map(|(i, (title, text, source))| {
                let rec = serde_json::json!({"id": i.to_string(), "title": title, "text": text,
                                             "date": "2024-03-12", "source": source});
                format!("{rec}\n")
            })
            .collect();
        (jsonl, texts.len())
    }

    fn ingested(jsonl: &str) -> (tempfile::TempDir, Archive) {
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::open(dir.path()).unwrap();
        archive.set_index_on_ingest(false);
        archive
            .ingest(vec![prepare("feed.jsonl".into(), jsonl.as_bytes().to_vec(), Kind::Jsonl)])
            .unwrap();
        (dir, archive)
    }

    fn db(dir: &tempfile::TempDir) -> rusqlite::Connection {
        rusqlite::Connection::open(dir.path().join(crate::archive::DB_FILE)).unwrap()
    }

    /// Every member as (article, story, relation, score), by article.
    fn membership(dir: &tempfile::TempDir) -> Vec<(i64, i64, String, String)> {
        let db = db(dir);
        let mut st = db
            .prepare("SELECT article_id, story, relation, printf('%.4f', score) FROM members ORDER BY article_id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// Ingest stores each article's length in matching form, the length linking orders by;
    /// articles of a store written before it (no length) are measured from their text and
    /// linked into the same stories.
    #[test]
    fn articles_without_a_stored_length_link_as_those_with_one() {
        let (jsonl, n) = feed();
        let (d1, mut stored) = ingested(&jsonl);
        let lengths: Vec<(String, u32)> = {
            let db = db(&d1);
            let mut st = db.prepare("SELECT text, content_len FROM articles").unwrap();
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(lengths.len(), n);
        for (text, len) in &lengths {
            assert_eq!(*len, baoku_text::link::content_len(Normalizer::shared(), text), "{text}");
        }
        let (d2, mut older) = ingested(&jsonl);
        // as a store from before the column: every other article without its length
        let unset = db(&d2)
            .execute("UPDATE articles SET content_len = NULL WHERE id % 2 = 0", [])
            .unwrap();
        assert!(unset >= 4);
        assert_eq!(stored.link_pending().unwrap().linked, n);
        assert_eq!(older.link_pending().unwrap().linked, n);
        let (a, b) = (membership(&d1), membership(&d2));
        assert_eq!(a.len(), n);
        assert!(a.iter().filter(|m| m.2 != "canonical").count() >= 4, "{a:?}");
        assert_eq!(a, b);
    }

    /// Linking through the store — articles put in order by the length of their matching form,
    /// fingerprinted on a thread beside the linker — gives the stories and relations the
    /// library gives the same articles linked as one batch.
    #[test]
    fn linking_the_store_gives_the_library_stories() {
        let (jsonl, n) = feed();
        let (_dir, mut archive) = ingested(&jsonl);
        let report = archive.link_pending().unwrap();
        assert_eq!(report.linked, n);
        let mut stored = Vec::new();
        archive
            .for_each_article(|a| {
                stored.push(a);
                Ok(())
            })
            .unwrap();
        let params = LinkParams::default();
        let docs = stored
            .iter()
            .map(|a| {
                let (id, n) = (a.id as u64, Normalizer::shared());
                LinkDoc::new(
                    id,
                    n,
                    &a.headline,
                    &a.text,
                    a.date.as_deref(),
                    a.agency.as_deref(),
                    a.script == "Hant",
                    &params.fingerprint,
                )
            })
            .collect();
        let mut library = Linker::new(params);
        library.link_batch(docs);
        let mut versions = 0;
        for a in &stored {
            let story = library.story_of(a.id as u64).unwrap();
            let member = library
                .story(story)
                .unwrap()
                .members
                .into_iter()
                .find(|m| m.id == a.id as u64)
                .unwrap();
            assert_eq!(a.story, Some(story as i64), "{}", a.headline);
            assert_eq!(a.relation.as_deref(), Some(member.relation.as_str()), "{}", a.headline);
            versions += usize::from(member.relation.as_str() != "canonical");
        }
        // the fixture has versions to agree on: the edited copy, the excerpt, the traditional
        // copy, the longer copy and the second empty record
        assert!(versions >= 4, "{versions} versions");
    }
}
