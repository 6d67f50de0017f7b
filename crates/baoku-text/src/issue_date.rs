//! Issue dates that a page dump does not print, from what the rest of the ingest knows.
//!
//! A page cut out of its issue with an opaque file name and no page header says nothing of
//! its date except in its articles' datelines (`本报北京1月16日电`), which give the month and
//! day a report was filed but not the year. Two things fill the gap, once the whole ingest
//! has been seen (dated files may come after undated ones):
//! - **copies**: a page dumped alone and again inside its dated whole issue; an undated
//!   article whose opening matches a dated article's takes its date;
//! - **estimates**: a morning paper prints the reports filed the day before, so the issue
//!   is dated the day after the page's latest dateline; the year is the one the ingest's
//!   dated pages show for that month. An estimate is only made when that year is clear, and
//!   it says so in the article's warnings.

use std::collections::HashMap;

use crate::describe::dateline;
use crate::model::Article;

/// What one undated article offers for dating.
#[derive(Debug, Clone)]
pub struct Undated {
    /// The page (file) it was printed on: the datelines of one page date each other.
    pub page: i64,
    /// Its [`opening`], to find a dated copy.
    pub opening: Option<String>,
    /// The month and day of its dateline.
    pub month_day: Option<(u32, u32)>,
}

impl Undated {
    /// What `a`, printed on `page`, offers for dating.
    pub fn of(a: &Article, page: i64) -> Undated {
        Undated {
            page,
            opening: opening(&a.text),
            month_day: dateline(&a.text).and_then(|d| d.month_day),
        }
    }
}

/// A date found for an undated article, and the warning that says where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Replaces the article's "no issue date" warning.
    pub warning: String,
}

impl Found {
    /// Puts the warning saying where the date came from in place of the one `describe`
    /// left saying there was none.
    pub fn note_in(&self, warnings: &mut Vec<String>) {
        warnings.retain(|w| !w.starts_with("no issue date"));
        warnings.push(self.warning.clone());
    }
}

/// Dates the undated articles among `articles` from the dated ones, each article's page
/// being its first source: [`crate::stitch::stitch`] on one batch of pages. (The store does
/// the same over a whole ingest.)
pub fn date_articles(articles: &mut [Article]) {
    let mut dates = IssueDates::default();
    articles
        .iter()
        .filter(|a| a.date.is_some())
        .for_each(|a| dates.learn(a));
    let undated: Vec<usize> = (0..articles.len()).filter(|&i| articles[i].date.is_none()).collect();
    let offers: Vec<Undated> = undated
        .iter()
        .map(|&i| {
            let a = &articles[i];
            Undated::of(a, a.spans.first().map_or(-1, |s| s.source as i64))
        })
        .collect();
    for (i, found) in undated.into_iter().zip(dates.resolve(offers.iter())) {
        if let Some(f) = found {
            f.note_in(&mut articles[i].warnings);
            articles[i].date = Some(f.date);
        }
    }
}

/// What the dated articles of an ingest say about dates.
#[derive(Debug, Default)]
pub struct IssueDates {
    /// Dated page articles per (year, month).
    months: HashMap<(i32, u32), u32>,
    /// Opening of every dated article → its date; `None` when copies disagree.
    openings: HashMap<String, Option<String>>,
}

/// The first 120 non-space characters of `text`, when it has at least 60: long enough that
/// two different articles do not share it.
pub fn opening(text: &str) -> Option<String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).take(120).collect();
    (t.chars().count() >= 60).then_some(t)
}

impl IssueDates {
    /// Learns from a dated article of a text page.
    pub fn learn(&mut self, a: &Article) {
        let Some(d) = a.date.as_deref() else { return };
        if let Some((y, m, _)) = parse(d) {
            *self.months.entry((y, m)).or_default() += 1;
        }
        if let Some(k) = opening(&a.text) {
            self.openings
                .entry(k)
                .and_modify(|e| {
                    if e.as_deref() != Some(d) {
                        *e = None;
                    }
                })
                .or_insert_with(|| Some(d.to_string()));
        }
    }

    /// Dates `undated` where the ingest allows, in the same order.
    pub fn resolve<'a>(&self, undated: impl Iterator<Item = &'a Undated> + Clone) -> Vec<Option<Found>> {
        let mut latest: HashMap<i64, Vec<(u32, u32)>> = HashMap::new();
        for u in undated.clone() {
            if let Some(md) = u.month_day {
                latest.entry(u.page).or_default().push(md);
            }
        }
        let estimates: HashMap<i64, Option<Found>> = latest
            .into_iter()
            .map(|(page, mds)| (page, self.estimate(&mds)))
            .collect();
        undated
            .map(|u| {
                let copy = u.opening.as_ref().and_then(|k| self.openings.get(k)).cloned().flatten();
                match copy {
                    Some(date) => Some(Found {
                        warning: format!("issue date {date} taken from an identical dated article"),
                        date,
                    }),
                    None => estimates.get(&u.page).cloned().flatten(),
                }
            })
            .collect()
    }

    /// The day after the latest of a page's datelines, in the year the dated pages give.
    fn estimate(&self, mds: &[(u32, u32)]) -> Option<Found> {
        // A page with December and January datelines straddles the new year.
        let wraps = mds.iter().any(|&(m, _)| m == 12) && mds.iter().any(|&(m, _)| m == 1);
        let &(m, d) = mds
            .iter()
            .max_by_key(|&&(m, d)| (if wraps && m == 1 { 13 } else { m }, d))?;
        // Candidate years: those the dated pages show for the dateline's month or the next.
        let mut scores: HashMap<i32, u32> = HashMap::new();
        let seen = |ym| self.months.get(&ym).copied().unwrap_or(0);
        for &(y, month) in self.months.keys() {
            let y = match month {
                _ if month == m => y,
                _ if month == m % 12 + 1 && m == 12 => y - 1,
                _ if month == m % 12 + 1 => y,
                _ => continue,
            };
            if let Some((iy, im, _)) = next_day(y, m, d) {
                scores.insert(y, seen((iy, im)) + seen((y, m)));
            }
        }
        let mut ranked: Vec<(i32, u32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let &(year, best) = ranked.first()?;
        // A year is taken only when the dated pages clearly favour it.
        if ranked.get(1).is_some_and(|&(_, second)| best < 2 * second) {
            return None;
        }
        let (y, mo, da) = next_day(year, m, d)?;
        let date = format!("{y:04}-{mo:02}-{da:02}");
        Some(Found {
            warning: format!(
                "issue date {date} estimated: the day after the page's latest dateline ({m}月{d}日), \
                 year from dated pages of the same month"
            ),
            date,
        })
    }
}

/// `YYYY-MM-DD` into numbers.
fn parse(d: &str) -> Option<(i32, u32, u32)> {
    let mut it = d.splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let day = it.next()?.get(..2)?.parse().ok()?;
    Some((y, m, day))
}

/// The day after `y-m-d`; `None` when that is no date (`2-30`).
fn next_day(y: i32, m: u32, d: u32) -> Option<(i32, u32, u32)> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    match d {
        0 => None,
        d if d < days => Some((y, m, d + 1)),
        d if d == days && m == 12 => Some((y + 1, 1, 1)),
        d if d == days => Some((y, m + 1, 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(date: &str, text: &str) -> Article {
        Article {
            date: Some(date.into()),
            text: text.into(),
            ..Article::default()
        }
    }

    fn undated(page: i64, month_day: Option<(u32, u32)>) -> Undated {
        Undated {
            page,
            opening: None,
            month_day,
        }
    }

    #[test]
    fn date_articles_dates_an_undated_page_from_the_dated_ones() {
        let mut page = Article {
            text: "本报清溪3月3日电  河湾小学今天迎来开学日。".into(),
            warnings: vec!["no issue date; dateline says 3月3日 but gives no year, date left unset".into()],
            ..Article::default()
        };
        page.spans.push(crate::SourceSpan {
            source: 1,
            span: crate::Span::new(0, 10),
        });
        let mut articles = [dated("2020-03-04", "冬储菜进了社区"), page];
        date_articles(&mut articles);
        assert_eq!(articles[1].date.as_deref(), Some("2020-03-04"));
        assert_eq!(articles[1].warnings.len(), 1);
        assert!(
            articles[1].warnings[0].contains("estimated"),
            "{:?}",
            articles[1].warnings
        );
    }

    #[test]
    fn next_day_rolls_over_months_years_and_leap_days() {
        assert_eq!(next_day(2020, 1, 17), Some((2020, 1, 18)));
        assert_eq!(next_day(2019, 10, 31), Some((2019, 11, 1)));
        assert_eq!(next_day(2019, 12, 31), Some((2020, 1, 1)));
        assert_eq!(next_day(2020, 2, 28), Some((2020, 2, 29)));
        assert_eq!(next_day(2019, 2, 28), Some((2019, 3, 1)));
        assert_eq!(next_day(2019, 2, 30), None);
    }

    #[test]
    fn a_page_is_dated_the_day_after_its_latest_dateline() {
        let mut dates = IssueDates::default();
        dates.learn(&dated("2020-03-05", "山里来了快递车"));
        dates.learn(&dated("2019-10-02", "江川大桥建成通车"));
        let found = dates.resolve([undated(7, Some((3, 2))), undated(7, Some((3, 4))), undated(7, None)].iter());
        let want = Some("2020-03-05".to_string());
        assert!(
            found.iter().all(|f| f.as_ref().map(|f| f.date.clone()) == want),
            "{found:?}"
        );
        assert!(found[0].as_ref().unwrap().warning.contains("estimated"));
    }

    #[test]
    fn the_year_comes_across_a_month_end_and_a_new_year() {
        let mut dates = IssueDates::default();
        dates.learn(&dated("2020-01-02", "元旦的街头"));
        let found = dates.resolve(
            [
                undated(1, Some((12, 30))),
                undated(1, Some((12, 31))),
                undated(2, Some((1, 1))),
            ]
            .iter(),
        );
        assert_eq!(found[0].as_ref().unwrap().date, "2020-01-01");
        assert_eq!(found[2].as_ref().unwrap().date, "2020-01-02");
        // A page with both December and January datelines is a January issue.
        let found = dates.resolve([undated(3, Some((12, 31))), undated(3, Some((1, 1)))].iter());
        assert_eq!(found[0].as_ref().unwrap().date, "2020-01-02");
    }

    #[test]
    fn no_year_is_guessed_without_clear_evidence() {
        let mut dates = IssueDates::default();
        assert_eq!(dates.resolve([undated(1, Some((3, 4)))].iter()), vec![None]);
        dates.learn(&dated("2019-03-10", "甲"));
        dates.learn(&dated("2020-03-10", "乙"));
        assert_eq!(dates.resolve([undated(1, Some((3, 4)))].iter()), vec![None]);
        dates.learn(&dated("2020-03-11", "丙"));
        dates.learn(&dated("2020-03-12", "丁"));
        assert_eq!(
            dates.resolve([undated(1, Some((3, 4)))].iter())[0]
                .as_ref()
                .unwrap()
                .date,
            "2020-03-05"
        );
    }

    #[test]
    fn a_dated_copy_beats_an_estimate_and_disagreeing_copies_date_nothing() {
        let text = "快递车开进了大山。".repeat(8);
        let mut dates = IssueDates::default();
        dates.learn(&dated("2020-03-06", &text));
        dates.learn(&dated("2020-03-07", "别的文章"));
        let mut u = undated(1, Some((3, 4)));
        u.opening = opening(&text);
        let found = dates.resolve([u.clone()].iter());
        assert_eq!(found[0].as_ref().unwrap().date, "2020-03-06");
        assert!(found[0].as_ref().unwrap().warning.contains("identical"));
        dates.learn(&dated("2020-03-08", &text));
        assert_eq!(dates.resolve([u].iter())[0].as_ref().unwrap().date, "2020-03-05");
    }
}
