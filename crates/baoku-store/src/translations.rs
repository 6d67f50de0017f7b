//! Translation linking of stored articles: a new Chinese article and an English one (either
//! new or already stored) that tell the same story join one story, by a `translation` edge.
//!
//! The scorer ([`baoku_text::translate`]) weighs terms by how many documents of the other
//! language hold them, so it needs a corpus, not a pair. The corpus is the **scope** of a
//! batch: the new articles, every stored Chinese or English article within the date window
//! of a new dated one, and the stored undated ones when a new one is undated. Two dated
//! articles are compared within the window, an undated one only with undated ones: a
//! translation is published within days of its original, and without a date the whole
//! archive would be compared, which costs a projection of every article and finds false
//! partners (109 undated English documents ingested with the CCTV corpus, whose originals
//! are not in it: 99 s and 122 links). Pairs of two old articles were decided before and
//! are not scored again. An archive with articles of one language only costs one query.

use std::collections::HashSet;

use baoku_text::link::{Edge, Linker};
use baoku_text::translate::{days, project, Lang, TranslationLinker, TranslationParams};
use rayon::prelude::*;
use rusqlite::Connection;

use crate::error::Result;

/// What translation linking of one batch found and how much it looked at.
#[derive(Debug, Default, Clone, Copy)]
pub struct TranslationReport {
    /// Articles projected (the scope).
    pub scope: usize,
    /// Candidate pairs scored.
    pub candidates: usize,
    /// Translation edges that merged two stories.
    pub edges: usize,
}

struct Row {
    id: i64,
    lang: Lang,
    day: Option<i32>,
    new: bool,
}

/// Links the `new` articles (already linked as versions by `linker`) to their translations,
/// merging stories in `linker`; returns the edges and a report.
pub fn link_translations(
    tx: &Connection,
    linker: &mut Linker,
    new: &[u64],
    params: &TranslationParams,
) -> Result<(Vec<Edge>, TranslationReport)> {
    let mut report = TranslationReport::default();
    let new: HashSet<i64> = new.iter().map(|&i| i as i64).collect();
    let rows: Vec<Row> = {
        let mut st = tx.prepare("SELECT id, lang, date FROM articles")?;
        let rows = st.query_map([], |r| {
            let id: i64 = r.get(0)?;
            let lang = Lang::from_tag(r.get_ref(1)?.as_str()?);
            let day = r.get_ref(2)?.as_str_or_null()?.and_then(days);
            Ok(lang.map(|lang| Row {
                id,
                lang,
                day,
                new: new.contains(&id),
            }))
        })?;
        rows.filter_map(|r| r.transpose()).collect::<rusqlite::Result<_>>()?
    };
    // Days of each language's articles, sorted; undated ones counted apart.
    let mut dated: [Vec<i32>; 2] = [Vec::new(), Vec::new()];
    let mut undated = [0usize; 2];
    for r in &rows {
        match r.day {
            Some(d) => dated[r.lang.index()].push(d),
            None => undated[r.lang.index()] += 1,
        }
    }
    for v in &mut dated {
        v.sort_unstable();
    }
    let w = params.date_window;
    let near = |v: &[i32], d: i32| {
        let i = v.partition_point(|&x| x < d - w);
        v.get(i).is_some_and(|&x| x <= d + w)
    };
    // A new article that could have a translation here: one of the other language within
    // its window, or undated like it.
    let mut open: Vec<i32> = Vec::new();
    let (mut any, mut undated_new) = (false, false);
    for r in rows.iter().filter(|r| r.new) {
        let o = 1 - r.lang.index();
        let partners = match r.day {
            None => undated[o] > 0,
            Some(d) => near(&dated[o], d),
        };
        if partners {
            any = true;
            match r.day {
                Some(d) => open.push(d),
                None => undated_new = true,
            }
        }
    }
    if !any {
        return Ok((Vec::new(), report));
    }
    open.sort_unstable();
    open.dedup();
    // The scope, both languages (the weights need each language's document frequencies).
    let in_scope = |r: &Row| match r.day {
        None => undated_new,
        Some(d) => near(&open, d),
    };
    let scope: Vec<&Row> = rows.iter().filter(|r| in_scope(r)).collect();
    report.scope = scope.len();
    let texts: Vec<String> = {
        let mut st = tx.prepare_cached("SELECT headline, text FROM articles WHERE id = ?1")?;
        let mut out = Vec::with_capacity(scope.len());
        for r in &scope {
            let (h, t): (String, String) = st.query_row([r.id], |x| Ok((x.get(0)?, x.get(1)?)))?;
            out.push(if h.is_empty() { t } else { format!("{h}\n{t}") });
        }
        out
    };
    let projections: Vec<_> = texts
        .par_iter()
        .zip(scope.par_iter())
        .map(|(t, r)| project(t, r.lang))
        .collect();
    drop(texts);
    let dates: Vec<Option<i32>> = scope.iter().map(|r| r.day).collect();
    let scorer = TranslationLinker::new(&projections);
    let candidates: Vec<(usize, usize)> = scorer
        .candidates(&dates, params)
        .into_iter()
        // dated pairs were window-checked by `candidates`
        .filter(|&(z, e)| scope[z].day.is_some() == scope[e].day.is_some())
        .collect();
    report.candidates = candidates.len();
    // All candidates are scored, so that an old article's best score counts in the relative
    // rule; pairs of two old articles were decided by an earlier batch.
    let pairs = scorer.select(candidates, params);
    let mut edges = Vec::new();
    for p in pairs.into_iter().filter(|p| scope[p.zh].new || scope[p.en].new) {
        if let Some(e) = linker.link_translation(scope[p.zh].id as u64, scope[p.en].id as u64, p.score as f32) {
            edges.push(e);
        }
    }
    report.edges = edges.len();
    Ok((edges, report))
}
