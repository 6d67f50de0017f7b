//! Term trends: how many articles (or stories) contain each term, per month, year or outlet.
//!
//! A term matches exactly as in search (script- and width-blind substring, quotes and
//! exclusions allowed). Counting per story counts a story once in a period however many
//! reprints it has there; per article counts every reprint. Undated articles are left out of
//! time series and counted in `undated`.

use std::collections::{BTreeMap, HashSet};

use baoku_text::query::parse;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use tantivy::collector::DocSetCollector;

use crate::error::{Error, Result};
use crate::index::SearchIndex;
use crate::search::{build, DocIds, SearchRequest};

/// Most terms in one trend request.
pub const MAX_TERMS: usize = 8;

/// What the periods are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// `YYYY-MM`.
    #[default]
    Month,
    /// `YYYY`.
    Year,
    /// Agency or outlet.
    Outlet,
}

/// What is counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Each story once per period.
    #[default]
    Stories,
    /// Every article, reprints included.
    Articles,
}

impl std::str::FromStr for By {
    type Err = Error;
    fn from_str(s: &str) -> Result<By> {
        match s {
            "month" => Ok(By::Month),
            "year" => Ok(By::Year),
            "outlet" => Ok(By::Outlet),
            _ => Err(Error::Invalid(format!("by {s:?} (expected month, year or outlet)"))),
        }
    }
}

impl std::str::FromStr for Unit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Unit> {
        match s {
            "stories" => Ok(Unit::Stories),
            "articles" => Ok(Unit::Articles),
            _ => Err(Error::Invalid(format!("count {s:?} (expected stories or articles)"))),
        }
    }
}

/// One term's counts, aligned with [`Trends::periods`].
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// The term as given.
    pub term: String,
    /// Count per period.
    pub counts: Vec<u64>,
    /// Matching articles (or stories) without a date (time series only).
    pub undated: u64,
    /// All matches (or stories), dated or not.
    pub total: u64,
}

/// Counts of several terms over shared periods.
#[derive(Debug, Clone, Serialize)]
pub struct Trends {
    /// Period kind.
    pub by: By,
    /// Unit counted.
    pub count: Unit,
    /// Periods in order (every month or year between the first and the last, gaps included;
    /// outlets by total count).
    pub periods: Vec<String>,
    /// One series per term.
    pub series: Vec<Series>,
}

impl Trends {
    /// The table as CSV: a `period` column, then one column per term.
    pub fn to_csv(&self) -> String {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let mut out = String::from("period");
        for s in &self.series {
            out.push(',');
            out.push_str(&quote(&s.term));
        }
        out.push('\n');
        for (i, p) in self.periods.iter().enumerate() {
            out.push_str(&quote(p));
            for s in &self.series {
                out.push_str(&format!(",{}", s.counts[i]));
            }
            out.push('\n');
        }
        out
    }
}

/// Counts `terms` over the archive.
pub fn trends(conn: &Connection, index: &SearchIndex, terms: &[String], by: By, count: Unit) -> Result<Trends> {
    if terms.is_empty() || terms.len() > MAX_TERMS {
        return Err(Error::Invalid(format!("between 1 and {MAX_TERMS} terms")));
    }
    let searcher = index.searcher();
    let mut st = conn.prepare_cached(
        "SELECT a.date, a.agency, m.story FROM articles a LEFT JOIN members m ON m.article_id = a.id
         WHERE a.id = ?1",
    )?;
    // Per term: period → distinct stories (or articles) seen there.
    type Seen = HashSet<i64>;
    let mut buckets: Vec<(BTreeMap<String, Seen>, Seen, Seen)> = Vec::new();
    for term in terms {
        let parsed = parse(term)?;
        let query = build(&searcher, &parsed, &index.fields, &SearchRequest::default())?;
        let docs = searcher
            .search(&*query, &DocSetCollector)
            .map_err(|e| Error::Index(e.to_string()))?;
        let (mut per, mut undated, mut all) = (BTreeMap::<String, HashSet<i64>>::new(), HashSet::new(), HashSet::new());
        let mut ids = DocIds::new(&searcher);
        for addr in docs {
            let id = ids.get(addr)?;
            let row: Option<(Option<String>, Option<String>, Option<i64>)> = st
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            // An article the store replaced after the index saw it: not counted.
            let Some((date, agency, story)) = row else { continue };
            let unit = match count {
                Unit::Stories => story.unwrap_or(-id),
                Unit::Articles => id,
            };
            all.insert(unit);
            let period = match (by, &date) {
                (By::Outlet, _) => Some(agency.unwrap_or_else(|| "(unknown)".into())),
                (By::Month, Some(d)) if d.len() >= 7 => Some(d[..7].to_string()),
                (By::Year, Some(d)) if d.len() >= 4 => Some(d[..4].to_string()),
                _ => None,
            };
            match period {
                Some(p) => {
                    per.entry(p).or_default().insert(unit);
                }
                None => {
                    undated.insert(unit);
                }
            }
        }
        buckets.push((per, undated, all));
    }
    let periods = periods(by, &buckets.iter().map(|b| &b.0).collect::<Vec<_>>());
    let series = terms
        .iter()
        .zip(buckets)
        .map(|(term, (per, undated, all))| Series {
            term: term.clone(),
            counts: periods
                .iter()
                .map(|p| per.get(p).map_or(0, |s| s.len() as u64))
                .collect(),
            undated: undated.len() as u64,
            total: all.len() as u64,
        })
        .collect();
    Ok(Trends {
        by,
        count,
        periods,
        series,
    })
}

/// The x axis: every month or year from the first to the last seen (so gaps show as zero),
/// or outlets by their summed counts, largest first.
fn periods(by: By, per_term: &[&BTreeMap<String, HashSet<i64>>]) -> Vec<String> {
    let seen: BTreeMap<&String, usize> =
        per_term
            .iter()
            .flat_map(|m| m.iter().map(|(p, s)| (p, s.len())))
            .fold(BTreeMap::new(), |mut acc, (p, n)| {
                *acc.entry(p).or_insert(0) += n;
                acc
            });
    match by {
        By::Outlet => {
            let mut v: Vec<(&String, usize)> = seen.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            v.into_iter().map(|(p, _)| p.clone()).collect()
        }
        By::Month | By::Year => {
            let (Some(first), Some(last)) = (seen.keys().next(), seen.keys().next_back()) else {
                return Vec::new();
            };
            let step = |p: &str| -> Option<String> {
                if by == By::Year {
                    return Some(format!("{:04}", p.parse::<u32>().ok()? + 1));
                }
                let (y, m) = (p.get(..4)?.parse::<u32>().ok()?, p.get(5..7)?.parse::<u32>().ok()?);
                Some(if m >= 12 {
                    format!("{:04}-01", y + 1)
                } else {
                    format!("{y:04}-{:02}", m + 1)
                })
            };
            let mut out = vec![(*first).clone()];
            // Malformed keys cannot be stepped through: fall back to the periods seen.
            while out.last().is_some_and(|p| p < *last) {
                match step(out.last().expect("non-empty")) {
                    Some(next) if out.len() < 100_000 => out.push(next),
                    _ => return seen.keys().map(|p| (*p).clone()).collect(),
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &[i64])]) -> BTreeMap<String, HashSet<i64>> {
        entries
            .iter()
            .map(|(p, ids)| (p.to_string(), ids.iter().copied().collect()))
            .collect()
    }

    #[test]
    fn months_fill_gaps_across_a_year_end() {
        let m = map(&[("2019-11", &[1]), ("2020-02", &[2, 3])]);
        assert_eq!(periods(By::Month, &[&m]), ["2019-11", "2019-12", "2020-01", "2020-02"]);
    }

    #[test]
    fn outlets_by_size() {
        let a = map(&[("本报", &[1]), ("新华社", &[2, 3])]);
        let b = map(&[("本报", &[4, 5, 6])]);
        assert_eq!(periods(By::Outlet, &[&a, &b]), ["本报", "新华社"]);
    }

    #[test]
    fn csv_quotes_terms() {
        let t = Trends {
            by: By::Year,
            count: Unit::Articles,
            periods: vec!["2019".into()],
            series: vec![Series {
                term: "\"一带一路\"".into(),
                counts: vec![3],
                undated: 0,
                total: 3,
            }],
        };
        assert_eq!(t.to_csv(), "period,\"\"\"一带一路\"\"\"\n\"2019\",3\n");
    }
}
