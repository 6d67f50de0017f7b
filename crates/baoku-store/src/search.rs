//! Running a user's query against the index and turning hits into results.
//!
//! Matching: every required term must occur as a substring (the phrase of its key's bigrams
//! in the headline or the body); excluded terms must not. Ranking: BM25 over the jieba words
//! of the terms, plus the bigram phrases themselves, headline fields boosted. Hits are then
//! collapsed by story (unless all versions are asked for), looked up in SQLite and given a
//! snippet in the article's own script.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;

use baoku_text::highlight::{highlights, snippet};
use baoku_text::query::{parse, Query as UserQuery};
use baoku_text::tokenize::{bigrams, key, words, words_text};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, BooleanQuery, BoostQuery, ConstScoreQuery, ConstScorer, EnableScoring, Explanation, Occur,
    PhraseQuery, Query, RangeQuery, RegexQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocAddress, DocId, Order, Score, Searcher, SegmentReader, Term};

use crate::error::{Error, Result};
use crate::index::{date_number, Fields, SearchIndex};

/// How much a match in the headline weighs against one in the body.
const TITLE_BOOST: f32 = 3.0;
/// Characters of context in a snippet.
const SNIPPET_CHARS: usize = 120;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 10_000;

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search as the CLI and the API take it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What the user typed.
    pub query: String,
    /// Most hits (stories, or articles with `all_versions`).
    pub limit: usize,
    /// Earliest date, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Latest date, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Only this agency or outlet.
    pub source: Option<String>,
    /// Only this language (`zh`, `en`).
    pub lang: Option<String>,
    /// Order.
    pub sort: Sort,
    /// One hit per article instead of one per story.
    pub all_versions: bool,
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Article id (the best-ranked version of its story).
    pub id: i64,
    /// Story id, once linked.
    pub story: Option<i64>,
    /// Headline.
    pub headline: String,
    /// Character offsets of matches in the headline.
    pub headline_highlights: Vec<(usize, usize)>,
    /// Date.
    pub date: Option<String>,
    /// Agency or outlet.
    pub outlet: Option<String>,
    /// Language.
    pub lang: String,
    /// Script.
    pub script: String,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
    /// Text around the matches, in the article's own script.
    pub snippet: String,
    /// Character offsets of matches in the snippet.
    pub highlights: Vec<(usize, usize)>,
    /// Versions in the story (1 when not linked).
    pub versions: usize,
    /// Distinct outlets among the versions.
    pub outlets: usize,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Articles matching (before collapsing by story).
    pub total: usize,
    /// The hits, best (or newest) first.
    pub hits: Vec<Hit>,
}

/// A ranked match before it is turned into a [`Hit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// Article id.
    pub id: i64,
    /// Its story, once linked.
    pub story: Option<i64>,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
}

/// Runs `req` on the index and the store: hits with snippets and story counts.
pub fn search(conn: &Connection, index: &SearchIndex, req: &SearchRequest) -> Result<SearchResults> {
    let parsed = parse(&req.query)?;
    let (total, ranked) = rank(conn, index, req, &parsed)?;
    let hits = ranked
        .into_iter()
        .map(|r| hit(conn, r, &parsed))
        .collect::<Result<_>>()?;
    Ok(SearchResults { total, hits })
}

/// The ranking alone: how many articles match, and the best `limit` (collapsed by story
/// unless `all_versions`), without snippets.
pub fn rank(
    conn: &Connection,
    index: &SearchIndex,
    req: &SearchRequest,
    parsed: &UserQuery,
) -> Result<(usize, Vec<Ranked>)> {
    let limit = req.limit.clamp(1, MAX_LIMIT);
    let searcher = index.searcher();
    let query = build(&searcher, parsed, &index.fields, req)?;
    // Collapsing needs more than `limit` articles when several versions rank high: widen
    // until enough stories are found or every match has been seen.
    let mut fetch = if req.all_versions { limit } else { limit * 4 };
    loop {
        let (total, docs) = top(&searcher, &*query, fetch, req.sort)?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut ids = DocIds::new(&searcher);
        for (score, addr) in &docs {
            let id = ids.get(*addr)?;
            // A lagging index may still hold an article SQLite has replaced: skip it.
            let Some(story) = story_of(conn, id)? else { continue };
            if !req.all_versions && !seen.insert(story.unwrap_or(-id)) {
                continue;
            }
            out.push(Ranked {
                id,
                story,
                score: *score,
            });
            if out.len() == limit {
                break;
            }
        }
        if out.len() == limit || docs.len() < fetch || fetch >= total {
            return Ok((total, out));
        }
        fetch = (fetch * 4).min(total);
    }
}

fn top(searcher: &Searcher, query: &dyn Query, n: usize, sort: Sort) -> Result<(usize, Vec<(f32, DocAddress)>)> {
    let err = |e: tantivy::TantivyError| Error::Index(e.to_string());
    Ok(match sort {
        Sort::Relevance => searcher
            .search(query, &(Count, TopDocs::with_limit(n).order_by_score()))
            .map_err(err)?,
        Sort::Date => {
            let (count, docs) = searcher
                .search(
                    query,
                    &(
                        Count,
                        TopDocs::with_limit(n).order_by_fast_field::<i64>("date", Order::Desc),
                    ),
                )
                .map_err(err)?;
            (count, docs.into_iter().map(|(_, a)| (0.0, a)).collect())
        }
    })
}

/// Article ids of index documents, each segment's id column opened once (opening it costs a
/// few microseconds, which added up to tens of milliseconds over an excluded common word).
pub(crate) struct DocIds<'a> {
    searcher: &'a Searcher,
    columns: Vec<Option<tantivy::columnar::Column<u64>>>,
}

impl<'a> DocIds<'a> {
    pub(crate) fn new(searcher: &'a Searcher) -> Self {
        DocIds {
            searcher,
            columns: vec![None; searcher.segment_readers().len()],
        }
    }

    /// The article id of an index document.
    pub(crate) fn get(&mut self, addr: DocAddress) -> Result<i64> {
        let slot = &mut self.columns[addr.segment_ord as usize];
        if slot.is_none() {
            *slot = Some(
                self.searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64("id")
                    .map_err(|e| Error::Index(e.to_string()))?,
            );
        }
        slot.as_ref()
            .expect("just opened")
            .first(addr.doc_id)
            .map(|v| v as i64)
            .ok_or_else(|| Error::DataCorruption(format!("index document {addr:?} has no id")))
    }
}

/// `Some(story)` when the article exists (story itself None until linked).
fn story_of(conn: &Connection, id: i64) -> Result<Option<Option<i64>>> {
    Ok(conn
        .prepare_cached("SELECT m.story FROM articles a LEFT JOIN members m ON m.article_id = a.id WHERE a.id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

fn hit(conn: &Connection, r: Ranked, q: &UserQuery) -> Result<Hit> {
    let Ranked { id, story, score } = r;
    let (headline, text, date, outlet, lang, script): (String, String, Option<String>, Option<String>, String, String) =
        conn.prepare_cached("SELECT headline, text, date, agency, lang, script FROM articles WHERE id = ?1")?
            .query_row([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })?;
    let (versions, outlets) = match story {
        Some(s) => conn
            .prepare_cached(
                "SELECT count(*), count(DISTINCT a.agency) FROM members m JOIN articles a ON a.id = m.article_id
             WHERE m.story = ?1",
            )?
            .query_row([s], |r| {
                Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
            })?,
        None => (1, usize::from(outlet.is_some())),
    };
    let snip = snippet(&text, &q.terms, SNIPPET_CHARS);
    let headline_highlights = highlights(&headline, &q.terms)
        .into_iter()
        .map(|s| (headline[..s.start].chars().count(), headline[..s.end].chars().count()))
        .collect();
    Ok(Hit {
        id,
        story,
        headline,
        headline_highlights,
        date,
        outlet,
        lang,
        script,
        score,
        snippet: snip.text,
        highlights: snip.highlights,
        versions,
        outlets: outlets.max(1),
    })
}

/// The tantivy query for a parsed user query and the request's filters.
///
/// Shaped around a tantivy 0.27 bug: phrase scorers under a union inside an intersection,
/// or under an exclusion, are sought backwards (`seek_danger` asserts in debug builds and
/// may answer wrongly in release). So each required term is one phrase over `grams`, which
/// holds headline and body; the headline boost is an optional clause (it only scores); and
/// excluded terms are resolved to documents first and excluded as a set of documents.
pub(crate) fn build(searcher: &Searcher, q: &UserQuery, f: &Fields, req: &SearchRequest) -> Result<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for term in &q.terms {
        let k = key(term);
        let (Some(anywhere), Some(in_title)) = (gram_query(f.grams, &k)?, gram_query(f.title_grams, &k)?) else {
            continue;
        };
        clauses.push((Occur::Must, anywhere));
        clauses.push((Occur::Should, Box::new(BoostQuery::new(in_title, TITLE_BOOST))));
        words(&words_text(term), |w| {
            clauses.push((Occur::Should, Box::new(word_query(f.words, w))));
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(word_query(f.title_words, w)), TITLE_BOOST)),
            ));
        });
    }
    let mut excluded: HashMap<SegmentId, BitSet> = HashMap::new();
    for term in &q.excluded {
        if let Some(g) = gram_query(f.grams, &key(term))? {
            let docs = searcher
                .search(&*g, &DocSetCollector)
                .map_err(|e| Error::Index(e.to_string()))?;
            for addr in docs {
                let segment = searcher.segment_reader(addr.segment_ord);
                excluded
                    .entry(segment.segment_id())
                    .or_insert_with(|| BitSet::with_max_value(segment.max_doc()))
                    .insert(addr.doc_id);
            }
        }
    }
    if !excluded.is_empty() {
        clauses.push((Occur::MustNot, Box::new(DocsQuery(Arc::new(excluded)))));
    }
    let filter =
        |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) { (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))) };
    if req.from.is_some() || req.to.is_some() {
        let bound = |d: &Option<String>, inclusive: fn(Term) -> Bound<Term>| -> Result<Bound<Term>> {
            match d {
                None => Ok(Bound::Unbounded),
                Some(d) => {
                    let n = date_number(Some(d));
                    if n < 10_000_000 {
                        return Err(Error::Invalid(format!("date {d:?} (expected YYYY-MM-DD)")));
                    }
                    Ok(inclusive(Term::from_field_i64(f.date, n)))
                }
            }
        };
        let range = RangeQuery::new(bound(&req.from, Bound::Included)?, bound(&req.to, Bound::Included)?);
        clauses.push(filter(Box::new(range)));
    }
    if let Some(s) = &req.source {
        clauses.push(filter(Box::new(TermQuery::new(
            Term::from_field_text(f.outlet, s),
            IndexRecordOption::Basic,
        ))));
    }
    if let Some(l) = &req.lang {
        clauses.push(filter(Box::new(TermQuery::new(
            Term::from_field_text(f.lang, l),
            IndexRecordOption::Basic,
        ))));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// Documents of this searcher's segments given as bit sets: the excluded articles, found
/// before the main query runs. (Excluding them as a `TermSetQuery` of article ids gave the
/// same answer but cost about 65 ms when the excluded word is in half the archive.)
#[derive(Clone)]
struct DocsQuery(Arc<HashMap<SegmentId, BitSet>>);

impl std::fmt::Debug for DocsQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DocsQuery({} segments)", self.0.len())
    }
}

impl Query for DocsQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for DocsQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = match self.0.get(&reader.segment_id()) {
            Some(bits) => bits.clone(),
            None => BitSet::with_max_value(reader.max_doc()),
        };
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        match self.0.get(&reader.segment_id()) {
            Some(bits) if bits.contains(doc) => Ok(Explanation::new("in the set", 1.0)),
            _ => Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not in the set"
            ))),
        }
    }
}

fn word_query(field: Field, w: &str) -> TermQuery {
    TermQuery::new(Term::from_field_text(field, w), IndexRecordOption::WithFreqs)
}

/// Finds `key` as a substring of `field`: one character by the bigrams it starts, two by
/// their bigram, more by the phrase of bigrams that covers it without overlaps (fewer posting
/// lists to intersect than every bigram, same answer).
fn gram_query(field: Field, key: &str) -> Result<Option<Box<dyn Query>>> {
    let mut grams: Vec<(usize, String)> = Vec::new();
    bigrams(key, |pos, g| grams.push((pos, g.to_string())));
    Ok(match grams.len() {
        0 => None,
        1 if key.chars().count() == 1 => {
            let c: String = key.chars().flat_map(escape_regex).collect();
            let q = RegexQuery::from_pattern(&format!("{c}.?"), field).map_err(|e| Error::Index(e.to_string()))?;
            Some(Box::new(q))
        }
        1 => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, &grams[0].1),
            IndexRecordOption::WithFreqs,
        ))),
        n => {
            let last = n - 1;
            let terms = grams
                .into_iter()
                .filter(|(pos, _)| pos % 2 == 0 || *pos == last)
                .map(|(pos, g)| (pos, Term::from_field_text(field, &g)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    })
}

fn escape_regex(c: char) -> Vec<char> {
    if r"\.+*?()|[]{}^$#&-~".contains(c) {
        vec!['\\', c]
    } else {
        vec![c]
    }
}
