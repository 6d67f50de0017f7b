//! Search speed on a real archive: baoku's [`Archive::search`] beside SQLite FTS5 with its
//! trigram tokenizer (what a user would otherwise pick), on the same fixed set of queries.
//!
//! ```text
//! cargo run --release -p baoku-store --example search_bench -- DATA_DIR OUT_DIR [options]
//! ```
//!
//! `DATA_DIR` is a baoku data directory already holding a corpus and its index (`bench/search.sh`
//! ingests the CCTV corpus into one). The program
//! 1. builds a seeded set of queries from the stored articles (jieba words, AND of 2–3 words,
//!    "quoted phrases", raw substrings of 2–12 characters, word -excluded; about a third
//!    with a date, source or language filter) and writes it to `OUT_DIR/queries.jsonl`;
//! 2. times each through `Archive::search` (hits collapsed by story, snippets, limit 10)
//!    and through `Archive::search_ids` (ranking only);
//! 3. builds `OUT_DIR/fts5.sqlite` (the same headline and text, `tokenize='trigram'`), times
//!    the build, and runs the same queries as FTS5 `MATCH` with bm25 and `snippet()`. Terms of
//!    fewer than 3 characters cannot be trigram-matched: they become `LIKE '%…%'` conditions,
//!    as a user would write them, and queries with no term of 3 or more characters scan
//!    `docs` (unranked, first 10 rows);
//! 4. prints a Markdown report and writes it to `OUT_DIR/results.md`, with per-query times in
//!    `OUT_DIR/latencies.tsv`.
//!
//! Options: `--queries N` (1000), `--seed S` (4), `--reuse-fts` (keep an existing
//! `fts5.sqlite`), and figures measured outside this program to put in the table:
//! `--ingest-secs`, `--ingest-rss-mb`, `--reindex-secs`, `--reindex-rss-mb`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{BufRead, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use baoku_store::{Archive, SearchRequest};
use baoku_text::query::parse;
use baoku_text::tokenize::{jieba, key};
use rusqlite::{params_from_iter, types::Value, Connection};
use serde::{Deserialize, Serialize};

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Queries per class, as a share of the total (sums to 1).
const CLASSES: [(&str, f64); 5] = [
    ("word", 0.25),
    ("and", 0.20),
    ("phrase", 0.15),
    ("substring", 0.30),
    ("not", 0.10),
];
/// Share of queries given a filter.
const FILTERED: f64 = 0.3;
/// Hits per query, as a user's first page.
const LIMIT: usize = 10;
/// Queries run before timing starts (drawn with another seed, never timed).
const WARMUP: usize = 50;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct BenchQuery {
    /// Ordinal in the set.
    n: usize,
    /// `word`, `and`, `phrase`, `substring`, `not`.
    class: String,
    /// Filter applied, if any: `date`, `month`, `source`, `lang`, `date+source`.
    filter: Option<String>,
    /// The query as a user types it into `baoku search`.
    query: String,
    /// Required terms (what `baoku_text::query::parse` makes of `query`).
    terms: Vec<String>,
    /// Excluded terms.
    excluded: Vec<String>,
    from: Option<String>,
    to: Option<String>,
    source: Option<String>,
    lang: Option<String>,
    /// The article the terms were drawn from.
    article: i64,
}

struct Doc {
    id: i64,
    /// Headline and subheads, one per line.
    headline: String,
    text: String,
    date: Option<String>,
    source: Option<String>,
    lang: String,
}

/// SplitMix64: small, seeded, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Args {
    data: PathBuf,
    out: PathBuf,
    queries: usize,
    seed: u64,
    reuse_fts: bool,
    ingest_secs: Option<f64>,
    ingest_rss_mb: Option<f64>,
    reindex_secs: Option<f64>,
    reindex_rss_mb: Option<f64>,
}

fn args() -> Res<Args> {
    let mut it = std::env::args().skip(1);
    let mut pos = Vec::new();
    let mut a = Args {
        data: PathBuf::new(),
        out: PathBuf::new(),
        queries: 1000,
        seed: 4,
        reuse_fts: false,
        ingest_secs: None,
        ingest_rss_mb: None,
        reindex_secs: None,
        reindex_rss_mb: None,
    };
    while let Some(x) = it.next() {
        let mut val = |name: &str| -> Res<String> { it.next().ok_or_else(|| format!("{name} needs a value").into()) };
        match x.as_str() {
            "--queries" => a.queries = val(&x)?.parse()?,
            "--seed" => a.seed = val(&x)?.parse()?,
            "--reuse-fts" => a.reuse_fts = true,
            "--ingest-secs" => a.ingest_secs = Some(val(&x)?.parse()?),
            "--ingest-rss-mb" => a.ingest_rss_mb = Some(val(&x)?.parse()?),
            "--reindex-secs" => a.reindex_secs = Some(val(&x)?.parse()?),
            "--reindex-rss-mb" => a.reindex_rss_mb = Some(val(&x)?.parse()?),
            s if s.starts_with("--") => return Err(format!("unknown option {s}").into()),
            _ => pos.push(PathBuf::from(x)),
        }
    }
    let [data, out] = <[PathBuf; 2]>::try_from(pos).map_err(|_| "usage: search_bench DATA_DIR OUT_DIR [options]")?;
    a.data = data;
    a.out = out;
    Ok(a)
}

fn main() -> Res<()> {
    let a = args()?;
    std::fs::create_dir_all(&a.out)?;
    let mut archive = Archive::open(&a.data)?;
    // The index must be current before anything is timed (a pending sync would land in the
    // first query's time).
    let synced = archive.sync_index()?;
    if synced > 0 {
        eprintln!("index brought up to date: {synced} articles");
    }

    let t = Instant::now();
    let mut docs = Vec::new();
    archive.for_each_article(|s| {
        let mut headline = s.headline;
        for h in s.subheads {
            headline.push('\n');
            headline.push_str(&h);
        }
        docs.push(Doc {
            id: s.id,
            headline,
            text: s.text,
            date: s.date,
            source: s.agency,
            lang: s.lang,
        });
        Ok(())
    })?;
    if docs.is_empty() {
        return Err(format!("{} holds no articles", a.data.display()).into());
    }
    let text_bytes: usize = docs.iter().map(|d| d.headline.len() + d.text.len()).sum();
    let text_chars: usize = docs
        .iter()
        .map(|d| d.headline.chars().count() + d.text.chars().count())
        .sum();
    eprintln!(
        "{} articles, {:.1} MB of headline and text ({:.1} M characters), loaded in {:.1} s",
        docs.len(),
        text_bytes as f64 / 1e6,
        text_chars as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let queries = make_queries(&docs, a.queries, a.seed)?;
    let warmup = make_queries(&docs, WARMUP, a.seed ^ 0x5EED)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(a.out.join("queries.jsonl"))?);
    for q in &queries {
        writeln!(f, "{}", serde_json::to_string(q)?)?;
    }
    f.flush()?;
    // What was written is what is run: read it back.
    let queries = read_queries(&a.out.join("queries.jsonl"))?;
    eprintln!(
        "{} queries written to {}",
        queries.len(),
        a.out.join("queries.jsonl").display()
    );

    // baoku: the full user path, then ranking alone.
    for q in &warmup {
        archive.search(&request(q))?;
    }
    let mut baoku = Vec::with_capacity(queries.len());
    for q in &queries {
        let req = request(q);
        let t = Instant::now();
        let r = archive.search(&req)?;
        baoku.push((t.elapsed(), r.hits.len(), r.total));
    }
    let mut ids = Vec::with_capacity(queries.len());
    for q in &queries {
        let req = request(q);
        let t = Instant::now();
        let (_, r) = archive.search_ids(&req)?;
        ids.push((t.elapsed(), r.len()));
    }
    eprintln!("baoku: done");
    let index_bytes = dir_size(&a.data.join(baoku_store::index::INDEX_DIR))?;
    let segments = segments(&a.data.join(baoku_store::index::INDEX_DIR));
    drop(archive);

    // FTS5.
    let fts_path = a.out.join("fts5.sqlite");
    let build = if a.reuse_fts && fts_path.exists() {
        None
    } else {
        Some(build_fts(&fts_path, &docs)?)
    };
    let n_docs = docs.len();
    drop(docs);
    let conn = Connection::open(&fts_path)?;
    conn.pragma_update(None, "cache_size", -65536)?;
    let fts_index_bytes: i64 = conn.query_row(
        "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'fts\\_%' ESCAPE '\\'",
        [],
        |r| r.get(0),
    )?;
    for q in &warmup {
        run_fts(&conn, q)?;
    }
    let mut fts = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let (hits, mode) = run_fts(&conn, q)?;
        fts.push((t.elapsed(), hits, mode));
    }
    eprintln!("fts5: done");

    // Per-query record.
    let mut tsv = String::from(
        "n\tclass\tfilter\tbaoku_us\tbaoku_ids_us\tfts5_us\tbaoku_hits\tbaoku_total\tfts5_hits\tfts5_mode\tquery\n",
    );
    for (i, q) in queries.iter().enumerate() {
        writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            q.n,
            q.class,
            q.filter.as_deref().unwrap_or("-"),
            baoku[i].0.as_micros(),
            ids[i].0.as_micros(),
            fts[i].0.as_micros(),
            baoku[i].1,
            baoku[i].2,
            fts[i].1,
            fts[i].2.name(),
            q.query
        )?;
    }
    std::fs::write(a.out.join("latencies.tsv"), tsv)?;

    let report = report(&Report {
        a: &a,
        queries: &queries,
        baoku: &baoku,
        ids: &ids,
        fts: &fts,
        articles: n_docs,
        text_bytes,
        text_chars,
        index_bytes,
        segments,
        fts_index_bytes: fts_index_bytes as u64,
        fts_file_bytes: std::fs::metadata(&fts_path)?.len(),
        build,
    })?;
    std::fs::write(a.out.join("results.md"), &report)?;
    print!("{report}");
    Ok(())
}

fn request(q: &BenchQuery) -> SearchRequest {
    SearchRequest {
        query: q.query.clone(),
        limit: LIMIT,
        from: q.from.clone(),
        to: q.to.clone(),
        source: q.source.clone(),
        lang: q.lang.clone(),
        ..Default::default()
    }
}

fn read_queries(path: &Path) -> Res<Vec<BenchQuery>> {
    let mut out = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(path)?).lines() {
        out.push(serde_json::from_str(&line?)?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Queries

/// A term both engines read the same way: no white space (baoku would split it), no quote
/// marks (both would read them as syntax), no leading minus (an exclusion to baoku).
fn clean(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '＂' | '“' | '”' | '「' | '」' | '『' | '』'))
        && !s.starts_with(['-', '－'])
        && !key(s).is_empty()
}

/// jieba words of two or more letters or digits.
fn words_of(text: &str) -> Vec<&str> {
    jieba()
        .cut(text, true)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| w.chars().count() >= 2 && w.chars().all(char::is_alphanumeric))
        .collect()
}

fn make_queries(docs: &[Doc], n: usize, seed: u64) -> Res<Vec<BenchQuery>> {
    let mut rng = Rng(seed);
    let mut out: Vec<BenchQuery> = Vec::with_capacity(n);
    let mut seen = HashSet::new();
    // Class counts: rounded shares, the remainder to the last class.
    let mut plan = Vec::new();
    for (i, (class, share)) in CLASSES.iter().enumerate() {
        let k = if i + 1 == CLASSES.len() {
            n - plan.len()
        } else {
            (n as f64 * share).round() as usize
        };
        plan.extend(std::iter::repeat_n(*class, k.min(n - plan.len())));
    }
    let mut attempts = 0;
    for class in plan {
        loop {
            attempts += 1;
            if attempts > n * 1000 {
                return Err("cannot draw enough queries from this archive".into());
            }
            let d = &docs[rng.below(docs.len())];
            let Some((terms, excluded)) = draw(class, d, docs, &mut rng) else {
                continue;
            };
            let query = terms
                .iter()
                .map(|t| {
                    if class == "phrase" {
                        format!("\"{t}\"")
                    } else {
                        t.clone()
                    }
                })
                .chain(excluded.iter().map(|t| format!("-{t}")))
                .collect::<Vec<_>>()
                .join(" ");
            if !seen.insert(query.clone()) {
                continue;
            }
            // The query must mean to baoku what it means here.
            let parsed = parse(&query).map_err(|e| format!("{query}: {e}"))?;
            if parsed.terms != terms || parsed.excluded != excluded {
                continue;
            }
            let mut q = BenchQuery {
                n: out.len(),
                class: class.to_string(),
                filter: None,
                query,
                terms,
                excluded,
                from: None,
                to: None,
                source: None,
                lang: None,
                article: d.id,
            };
            if rng.unit() < FILTERED {
                filter(&mut q, d, &mut rng);
            }
            out.push(q);
            break;
        }
    }
    Ok(out)
}

fn draw(class: &str, d: &Doc, docs: &[Doc], rng: &mut Rng) -> Option<(Vec<String>, Vec<String>)> {
    let pick = |rng: &mut Rng, words: &[&str]| words[rng.below(words.len())].to_string();
    match class {
        "word" => {
            let w = words_of(&d.text);
            (!w.is_empty()).then(|| (vec![pick(rng, &w)], vec![]))
        }
        "and" => {
            let w = words_of(&d.text);
            let k = 2 + rng.below(2);
            let mut terms: Vec<String> = Vec::new();
            for _ in 0..k * 4 {
                let t = pick(rng, w.get(..).filter(|w| !w.is_empty())?);
                if !terms
                    .iter()
                    .any(|x| key(x).contains(&key(&t)) || key(&t).contains(&key(x)))
                {
                    terms.push(t);
                }
                if terms.len() == k {
                    return Some((terms, vec![]));
                }
            }
            None
        }
        "phrase" => {
            // Consecutive jieba tokens from a random start, 4–10 characters, as they stand in
            // the text.
            let toks = jieba().cut(&d.text, true);
            if toks.is_empty() {
                return None;
            }
            let start = rng.below(toks.len());
            let want = 4 + rng.below(7);
            let mut s = String::new();
            for t in &toks[start..] {
                if !clean(t.word) || !t.word.chars().all(char::is_alphanumeric) {
                    break;
                }
                s.push_str(t.word);
                let n = s.chars().count();
                if n >= want {
                    return (n <= 10 && s.chars().count() > t.word.chars().count()).then(|| (vec![s], vec![]));
                }
            }
            None
        }
        "substring" => {
            let chars: Vec<char> = d.text.chars().collect();
            let len = 2 + rng.below(11);
            if chars.len() < len {
                return None;
            }
            let at = rng.below(chars.len() - len + 1);
            let s: String = chars[at..at + len].iter().collect();
            clean(&s).then(|| (vec![s], vec![]))
        }
        "not" => {
            let w = words_of(&d.text);
            if w.is_empty() {
                return None;
            }
            let t = pick(rng, &w);
            let other = &docs[rng.below(docs.len())];
            let ow = words_of(&other.text);
            if ow.is_empty() {
                return None;
            }
            let x = pick(rng, &ow);
            // The source article must still match.
            let (hk, tk) = (key(&format!("{}{}", d.headline, d.text)), key(&x));
            (!hk.contains(&tk) && !key(&t).contains(&tk)).then(|| (vec![t], vec![x]))
        }
        _ => unreachable!("unknown class {class}"),
    }
}

/// A filter the source article passes.
fn filter(q: &mut BenchQuery, d: &Doc, rng: &mut Rng) {
    let kinds = ["date", "month", "source", "lang", "date+source"];
    let kind = kinds[rng.below(kinds.len())];
    let year = d
        .date
        .as_deref()
        .and_then(|s| s.get(..4))
        .and_then(|y| y.parse::<i32>().ok());
    let mut any = false;
    if kind.starts_with("date") {
        if let Some(y) = year {
            // A span of 1–3 years around the article's.
            let before = rng.below(2) as i32;
            let after = rng.below(2) as i32;
            q.from = Some(format!("{}-01-01", y - before));
            q.to = Some(format!("{}-12-31", y + after));
            any = true;
        }
    }
    if kind == "month" {
        if let Some(m) = d.date.as_deref().and_then(|s| s.get(..7)) {
            q.from = Some(format!("{m}-01"));
            q.to = Some(format!("{m}-31"));
            any = true;
        }
    }
    if kind.ends_with("source") {
        if let Some(s) = &d.source {
            q.source = Some(s.clone());
            any = true;
        }
    }
    if kind == "lang" {
        q.lang = Some(d.lang.clone());
        any = true;
    }
    if any {
        q.filter = Some(kind.to_string());
    }
}

// ---------------------------------------------------------------------------------------
// FTS5

struct Build {
    docs_secs: f64,
    fts_secs: f64,
}

/// `docs` (the articles, as a user's table) with an index on date, then the FTS5 trigram
/// index over its headline and text.
fn build_fts(path: &Path, docs: &[Doc]) -> Res<Build> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(p)?;
        }
    }
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.execute_batch(
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, headline TEXT NOT NULL, text TEXT NOT NULL,
                            date TEXT, source TEXT, lang TEXT NOT NULL);
         CREATE INDEX docs_date ON docs(date);",
    )?;
    let t = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare("INSERT INTO docs VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for d in docs {
            st.execute(rusqlite::params![d.id, d.headline, d.text, d.date, d.source, d.lang])?;
        }
    }
    tx.commit()?;
    let docs_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE fts USING fts5(headline, text, date UNINDEXED, source UNINDEXED,
             lang UNINDEXED, content='docs', content_rowid='id', tokenize='trigram');
         INSERT INTO fts(fts) VALUES('rebuild');",
    )?;
    let fts_secs = t.elapsed().as_secs_f64();
    eprintln!("fts5: docs table {docs_secs:.1} s, trigram index {fts_secs:.1} s");
    Ok(Build { docs_secs, fts_secs })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FtsMode {
    /// `MATCH` alone decides.
    Match,
    /// `MATCH` plus `LIKE` for short terms.
    MatchLike,
    /// No term of 3+ characters: a `LIKE` scan of `docs`.
    Scan,
}

impl FtsMode {
    fn name(self) -> &'static str {
        match self {
            FtsMode::Match => "match",
            FtsMode::MatchLike => "match+like",
            FtsMode::Scan => "like-scan",
        }
    }
}

/// A term as an FTS5 string.
fn fts_string(t: &str) -> String {
    format!("\"{}\"", t.replace('"', "\"\""))
}

/// `%term%` for LIKE with `\` as the escape.
fn like_pattern(t: &str) -> String {
    let mut s = String::from("%");
    for c in t.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// The SQL a user would write for `q`.
fn fts_sql(q: &BenchQuery) -> (String, Vec<Value>, FtsMode) {
    let long = |t: &&String| t.chars().count() >= 3;
    let short = |t: &&String| t.chars().count() < 3;
    let must: Vec<&String> = q.terms.iter().filter(long).collect();
    let mut cond: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let mode = if must.is_empty() {
        FtsMode::Scan
    } else if q.terms.iter().chain(&q.excluded).any(|t| short(&t)) {
        FtsMode::MatchLike
    } else {
        FtsMode::Match
    };
    let (table, id) = if mode == FtsMode::Scan {
        ("docs", "id")
    } else {
        ("fts", "rowid")
    };
    if mode != FtsMode::Scan {
        let mut m = must.iter().map(|t| fts_string(t)).collect::<Vec<_>>().join(" AND ");
        for x in q.excluded.iter().filter(long) {
            m = format!("({m}) NOT {}", fts_string(x));
        }
        cond.push("fts MATCH ?".into());
        params.push(Value::Text(m));
    } else {
        for x in q.excluded.iter().filter(long) {
            cond.push("id NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)".into());
            params.push(Value::Text(fts_string(x)));
        }
    }
    for t in q.terms.iter().filter(short) {
        cond.push("(headline LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')".into());
        params.push(Value::Text(like_pattern(t)));
        params.push(Value::Text(like_pattern(t)));
    }
    for x in q.excluded.iter().filter(short) {
        cond.push("NOT (headline LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')".into());
        params.push(Value::Text(like_pattern(x)));
        params.push(Value::Text(like_pattern(x)));
    }
    let mut push = |sql: &str, v: &Option<String>| {
        if let Some(v) = v {
            cond.push(sql.into());
            params.push(Value::Text(v.clone()));
        }
    };
    push("date >= ?", &q.from);
    push("date <= ?", &q.to);
    push("source = ?", &q.source);
    push("lang = ?", &q.lang);
    let wh = cond.join(" AND ");
    let sql = if mode == FtsMode::Scan {
        // No bm25 without MATCH: the first rows found, with the text's start as the snippet.
        format!("SELECT {id}, headline, substr(text, 1, 60) FROM {table} WHERE {wh} LIMIT {LIMIT}")
    } else {
        format!(
            "SELECT {id}, headline, snippet(fts, -1, '[', ']', '…', 24) FROM {table} WHERE {wh} \
             ORDER BY bm25(fts, 3.0, 1.0) LIMIT {LIMIT}"
        )
    };
    (sql, params, mode)
}

/// Runs `q` on FTS5, reading every hit's id, headline and snippet; how many hits and how.
fn run_fts(conn: &Connection, q: &BenchQuery) -> Res<(usize, FtsMode)> {
    let (sql, params, mode) = fts_sql(q);
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(params))?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let _id: i64 = r.get(0)?;
        let _headline: String = r.get(1)?;
        let _snippet: String = r.get(2)?;
        n += 1;
    }
    Ok((n, mode))
}

// ---------------------------------------------------------------------------------------
// Report

fn dir_size(dir: &Path) -> Res<u64> {
    let mut n = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let m = e.metadata()?;
        n += if m.is_dir() { dir_size(&e.path())? } else { m.len() };
    }
    Ok(n)
}

/// Segments in the index's last commit.
fn segments(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("meta.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| v["segments"].as_array().map(Vec::len))
        .unwrap_or(0)
}

/// Nearest-rank percentile of sorted times, in milliseconds.
fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1].as_secs_f64() * 1e3
}

struct Stats {
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

fn stats(mut t: Vec<Duration>) -> Stats {
    t.sort();
    let mean = if t.is_empty() {
        f64::NAN
    } else {
        t.iter().map(Duration::as_secs_f64).sum::<f64>() / t.len() as f64 * 1e3
    };
    Stats {
        n: t.len(),
        p50: pct(&t, 50.0),
        p90: pct(&t, 90.0),
        p99: pct(&t, 99.0),
        max: pct(&t, 100.0),
        mean,
    }
}

fn ms(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x < 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.1}")
    }
}

struct Report<'a> {
    a: &'a Args,
    queries: &'a [BenchQuery],
    baoku: &'a [(Duration, usize, usize)],
    ids: &'a [(Duration, usize)],
    fts: &'a [(Duration, usize, FtsMode)],
    articles: usize,
    text_bytes: usize,
    text_chars: usize,
    index_bytes: u64,
    segments: usize,
    fts_index_bytes: u64,
    fts_file_bytes: u64,
    build: Option<Build>,
}

fn report(r: &Report) -> Res<String> {
    let mut s = String::new();
    let mb = |b: f64| b / 1e6;
    let text_mb = mb(r.text_bytes as f64);
    writeln!(
        s,
        "{} articles, {:.1} MB of headline and text (UTF-8; {:.1} M characters). {} queries, seed {}, limit {LIMIT}; baoku index in {} segment(s).\n",
        r.articles,
        text_mb,
        r.text_chars as f64 / 1e6,
        r.queries.len(),
        r.a.seed,
        r.segments
    )?;

    writeln!(
        s,
        "| index | build | rate (MB/s of text) | peak RSS | on disk | on disk / text |"
    )?;
    writeln!(s, "|---|---|---|---|---|---|")?;
    let opt = |x: Option<f64>, f: &dyn Fn(f64) -> String| x.map_or("–".to_string(), f);
    writeln!(
        s,
        "| baoku tantivy (`baoku reindex`, 2 indexing threads) | {} | {} | {} | {:.1} MB | {:.2} |",
        opt(r.a.reindex_secs, &|x| format!("{x:.1} s")),
        opt(r.a.reindex_secs, &|x| format!("{:.1}", text_mb / x)),
        opt(r.a.reindex_rss_mb, &|x| format!("{x:.0} MB")),
        mb(r.index_bytes as f64),
        r.index_bytes as f64 / r.text_bytes as f64
    )?;
    if let Some(secs) = r.a.ingest_secs {
        writeln!(
            s,
            "| baoku ingest + index (`ingest --no-link` of the .jsonl.gz) | {secs:.1} s | {:.1} | {} | | |",
            text_mb / secs,
            opt(r.a.ingest_rss_mb, &|x| format!("{x:.0} MB"))
        )?;
    }
    let (fts_build, docs_build) = match &r.build {
        Some(b) => (
            format!("{:.1} s", b.fts_secs),
            format!(" (`docs` table filled in {:.1} s before, not counted)", b.docs_secs),
        ),
        None => ("(reused)".into(), String::new()),
    };
    writeln!(
        s,
        "| SQLite FTS5 trigram (`rebuild`, 1 thread){docs_build} | {fts_build} | {} | | {:.1} MB | {:.2} |",
        r.build
            .as_ref()
            .map_or("–".into(), |b| format!("{:.1}", text_mb / b.fts_secs)),
        mb(r.fts_index_bytes as f64),
        r.fts_index_bytes as f64 / r.text_bytes as f64
    )?;
    writeln!(
        s,
        "\n(FTS5 file with its `docs` copy of the text: {:.1} MB. baoku's text lives in its SQLite store, not in the index.)\n",
        mb(r.fts_file_bytes as f64)
    )?;

    let all = |sel: &dyn Fn(usize) -> bool, which: usize| -> Vec<Duration> {
        (0..r.queries.len())
            .filter(|&i| sel(i))
            .map(|i| match which {
                0 => r.baoku[i].0,
                1 => r.ids[i].0,
                _ => r.fts[i].0,
            })
            .collect()
    };
    let every = |_: usize| true;
    let b = stats(all(&every, 0));
    let i = stats(all(&every, 1));
    let f = stats(all(&every, 2));
    let hits = |k: &dyn Fn(usize) -> usize| (0..r.queries.len()).filter(|&i| k(i) > 0).count();
    writeln!(
        s,
        "Latency over all {} queries, milliseconds (one thread, warm caches):\n",
        r.queries.len()
    )?;
    writeln!(s, "| engine | p50 | p90 | p99 | max | mean | queries with hits |")?;
    writeln!(s, "|---|---|---|---|---|---|---|")?;
    let row = |s: &mut String, name: &str, st: &Stats, h: usize| {
        writeln!(
            s,
            "| {name} | {} | {} | {} | {} | {} | {h} |",
            ms(st.p50),
            ms(st.p90),
            ms(st.p99),
            ms(st.max),
            ms(st.mean)
        )
    };
    row(
        &mut s,
        "baoku `Archive::search` (collapsed, snippets)",
        &b,
        hits(&|i| r.baoku[i].1),
    )?;
    row(&mut s, "baoku `search_ids` (ranking only)", &i, hits(&|i| r.ids[i].1))?;
    row(
        &mut s,
        "SQLite FTS5 trigram (bm25, snippet; LIKE for < 3 chars)",
        &f,
        hits(&|i| r.fts[i].1),
    )?;
    writeln!(
        s,
        "| FTS5 / baoku search | {:.1}× | {:.1}× | {:.1}× | {:.1}× | {:.1}× | |",
        f.p50 / b.p50,
        f.p90 / b.p90,
        f.p99 / b.p99,
        f.max / b.max,
        f.mean / b.mean
    )?;

    let mode_n = |m: FtsMode| r.fts.iter().filter(|x| x.2 == m).count();
    writeln!(
        s,
        "\nFTS5 trigram cannot match a term of fewer than 3 characters: {} of {} queries needed `LIKE` \
         ({} beside a MATCH term, {} with no MATCH term at all: a scan of `docs`, unranked, first {LIMIT} rows).\n",
        mode_n(FtsMode::MatchLike) + mode_n(FtsMode::Scan),
        r.queries.len(),
        mode_n(FtsMode::MatchLike),
        mode_n(FtsMode::Scan)
    )?;

    writeln!(s, "By query class and FTS5 mode (p50 / p99 ms):\n")?;
    writeln!(
        s,
        "| queries | n | baoku search | baoku ids | FTS5 | FTS5 / baoku p50 |"
    )?;
    writeln!(s, "|---|---|---|---|---|---|")?;
    type Group<'a> = (String, Box<dyn Fn(usize) -> bool + 'a>);
    let mut groups: Vec<Group> = Vec::new();
    for (c, _) in CLASSES {
        groups.push((format!("class {c}"), Box::new(move |i| r.queries[i].class == c)));
    }
    groups.push(("with a filter".into(), Box::new(|i| r.queries[i].filter.is_some())));
    groups.push(("no filter".into(), Box::new(|i| r.queries[i].filter.is_none())));
    for m in [FtsMode::Match, FtsMode::MatchLike, FtsMode::Scan] {
        groups.push((format!("FTS5 {}", m.name()), Box::new(move |i| r.fts[i].2 == m)));
    }
    for (name, sel) in &groups {
        let (b, i, f) = (stats(all(sel, 0)), stats(all(sel, 1)), stats(all(sel, 2)));
        if b.n == 0 {
            continue;
        }
        writeln!(
            s,
            "| {name} | {} | {} / {} | {} / {} | {} / {} | {:.1}× |",
            b.n,
            ms(b.p50),
            ms(b.p99),
            ms(i.p50),
            ms(i.p99),
            ms(f.p50),
            ms(f.p99),
            f.p50 / b.p50
        )?;
    }
    let disagree = (0..r.queries.len())
        .filter(|&i| (r.baoku[i].1 > 0) != (r.fts[i].1 > 0))
        .count();
    writeln!(
        s,
        "\nQueries where one engine found something and the other nothing: {disagree} \
         (baoku folds script, width and variants; FTS5 trigram folds ASCII case only).\n"
    )?;
    Ok(s)
}
