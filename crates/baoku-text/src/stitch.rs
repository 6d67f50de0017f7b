//! Pieces into articles: join `（下转第N版）` / `（上接第N版）` continuations across pages and
//! files, then describe each article.
//!
//! A piece that ends `（下转第N版）` is joined with a piece that begins `（上接第M版）` on page N
//! of the same issue. When a page's date or number is unknown (opaque file names, no page
//! header), the candidates are ranked by what is known: matching issue date and page
//! numbers, then the headline the continued piece repeats (often with its halves swapped),
//! then the words the two halves share, then nearness in the batch. The repeated headline is
//! kept out of the text.

use std::collections::{HashMap, HashSet};

use crate::describe;
use crate::model::{Article, SourceSpan};
use crate::split::{Page, Piece};

/// Stitches the pieces of a batch of pages into articles. `SourceSpan::source` in the result
/// is the index of the page in `pages`.
pub fn stitch(pages: &[Page]) -> Vec<Article> {
    let mut articles: Vec<Article> = chains(pages).iter().map(|c| article(pages, c)).collect();
    crate::issue_date::date_articles(&mut articles);
    articles
}

/// A piece of a page: (index of the page in the batch, index of the piece in the page).
pub type PieceId = (usize, usize);

/// Which pieces make one article: every piece of the batch once, in chains of continuations
/// in reading order, in page order of their first piece.
pub fn chains(pages: &[Page]) -> Vec<Vec<PieceId>> {
    let ids: Vec<PieceId> = pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| (0..p.pieces.len()).map(move |k| (i, k)))
        .collect();
    let piece = |id: PieceId| &pages[id.0].pieces[id.1];
    let heads: Vec<PieceId> = ids
        .iter()
        .copied()
        .filter(|&id| piece(id).continues_to.is_some())
        .collect();
    let tails: Vec<PieceId> = ids
        .iter()
        .copied()
        .filter(|&id| piece(id).continued_from.is_some())
        .collect();

    // Best pairs first, each piece used once.
    let days: Vec<Vec<u32>> = pages.iter().map(dateline_days).collect();
    let words = Vocabulary::new(heads.iter().chain(&tails).map(|&id| piece(id)));
    let mut pairs: Vec<(f64, PieceId, PieceId)> = Vec::new();
    for (hk, &h) in heads.iter().enumerate() {
        for (tk, &t) in tails.iter().enumerate() {
            if t == h {
                continue;
            }
            if let Some(s) = match_score((piece(h), h.0, &days[h.0]), (piece(t), t.0, &days[t.0])) {
                pairs.push((s + WORDS_WEIGHT * words.similarity(hk, heads.len() + tk), h, t));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut next_of = HashMap::new();
    let mut used_h = HashSet::new();
    let mut used_t = HashSet::new();
    for (_, h, t) in pairs {
        if used_h.contains(&h) || used_t.contains(&t) {
            continue;
        }
        used_h.insert(h);
        used_t.insert(t);
        next_of.insert(h, t);
    }

    let mut out = Vec::new();
    for &id in &ids {
        if used_t.contains(&id) {
            continue; // emitted with the piece it continues
        }
        let mut chain = vec![id];
        let mut cur = id;
        while let Some(&t) = next_of.get(&cur) {
            if chain.contains(&t) {
                break;
            }
            chain.push(t);
            cur = t;
        }
        out.push(chain);
    }
    out
}

/// True when a chain still waits for a piece: it ends `（下转第N版）` or begins `（上接第M版）`
/// with no partner in the batch (the partner may be in a file not read yet).
pub fn is_open(pages: &[Page], chain: &[PieceId]) -> bool {
    let piece = |id: PieceId| &pages[id.0].pieces[id.1];
    let (first, last) = (chain[0], chain[chain.len() - 1]);
    piece(last).continues_to.is_some() || piece(first).continued_from.is_some()
}

/// Weight of [`Vocabulary::similarity`] in a pair's score. The cosines of true halves run
/// 0.04–0.2 on pages-dev, so the words settle what page evidence (a date +2, page numbers +1
/// each) leaves open and outweigh nearness in the batch (at most 0.1); weights 1 to 8 give
/// the same pairs there.
const WORDS_WEIGHT: f64 = 2.0;

/// The words (CJK bigrams) of the pieces that wait for a partner, weighted by how rare they
/// are among those pieces: the two halves of one article share its own words (names, the
/// subject), and words every report uses tell nothing.
struct Vocabulary {
    /// Each piece's distinct bigrams, sorted, with their squared idf weight.
    docs: Vec<Vec<(u64, f64)>>,
    /// Each piece's vector norm.
    norms: Vec<f64>,
}

impl Vocabulary {
    fn new<'a>(pieces: impl Iterator<Item = &'a Piece>) -> Vocabulary {
        let grams: Vec<Vec<u64>> = pieces.map(|p| crate::split::cjk_bigrams(&ends(p))).collect();
        // Document frequencies from one sorted list of every piece's bigrams (cheaper than a
        // hash map of a few hundred thousand).
        let mut all: Vec<u64> = grams.concat();
        all.sort_unstable();
        let n = grams.len() as f64;
        let docs: Vec<Vec<(u64, f64)>> = grams
            .into_iter()
            .map(|d| {
                d.into_iter()
                    .map(|b| {
                        let df = all.partition_point(|&x| x <= b) - all.partition_point(|&x| x < b);
                        (b, (n / df as f64).ln().powi(2))
                    })
                    .collect()
            })
            .collect();
        let norms = docs
            .iter()
            .map(|d| d.iter().map(|&(_, w)| w).sum::<f64>().sqrt())
            .collect();
        Vocabulary { docs, norms }
    }

    /// Cosine of pieces `a` and `b` (indices in the order given to `new`).
    fn similarity(&self, a: usize, b: usize) -> f64 {
        let (x, y) = (&self.docs[a], &self.docs[b]);
        if self.norms[a] == 0.0 || self.norms[b] == 0.0 {
            return 0.0;
        }
        let (mut i, mut j, mut dot) = (0, 0, 0.0);
        while i < x.len() && j < y.len() {
            match x[i].0.cmp(&y[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += x[i].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        dot / (self.norms[a] * self.norms[b])
    }
}

/// Characters at each end of a piece that [`Vocabulary`] reads: the halves of an article
/// meet at the end of one and the start of the other.
const END_CHARS: usize = 1000;

/// A piece's headlines and the [`END_CHARS`] characters at each end of its body.
fn ends(p: &Piece) -> String {
    let body = p.paragraphs.join("\n");
    let n = body.chars().count();
    let mut out = p.headlines.join("\n");
    out.push('\n');
    if n <= 2 * END_CHARS {
        out.push_str(&body);
    } else {
        out.extend(body.chars().take(END_CHARS));
        out.push('\n');
        out.extend(body.chars().skip(n - END_CHARS));
    }
    out
}

/// Datelines are printed at most this many days before their issue.
const DATELINE_LAG: u32 = 10;

/// The days of the year (non-leap) of the datelines that open a page's pieces.
fn dateline_days(page: &Page) -> Vec<u32> {
    page.pieces
        .iter()
        .filter_map(|p| describe::dateline(p.paragraphs.first()?)?.month_day)
        .filter_map(|(m, d)| day_of_year(m, d))
        .collect()
}

fn day_of_year(month: u32, day: u32) -> Option<u32> {
    const BEFORE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    Some(BEFORE.get(month.checked_sub(1)? as usize)? + day.min(31) - 1)
}

/// False when the datelines of an undated page show it cannot be of the other piece's issue:
/// none of them falls in the [`DATELINE_LAG`] days up to the other's date, or (both undated)
/// within that many days of one of the other page's. Pages without datelines rule nothing out.
fn same_issue_by_datelines(h: &Piece, h_days: &[u32], t: &Piece, t_days: &[u32]) -> bool {
    let before = |issue: u32, day: u32| (issue + 365 - day) % 365 <= DATELINE_LAG;
    let issue_day = |p: &Piece| {
        let d = p.date.as_deref()?;
        day_of_year(d.get(5..7)?.parse().ok()?, d.get(8..10)?.parse().ok()?)
    };
    let fits = |issue: u32, days: &[u32]| days.is_empty() || days.iter().any(|&d| before(issue, d));
    match (issue_day(h), issue_day(t)) {
        (Some(_), Some(_)) => true, // their dates decide (match_score)
        (Some(i), None) => fits(i, t_days),
        (None, Some(i)) => fits(i, h_days),
        (None, None) => {
            h_days.is_empty()
                || t_days.is_empty()
                || h_days
                    .iter()
                    .any(|&a| t_days.iter().any(|&b| before(a, b) || before(b, a)))
        }
    }
}

/// How well `t` (begins `（上接第M版）`) continues `h` (ends `（下转第N版）`); `None` when
/// what is known rules it out: dates, page numbers, the datelines of an undated page
/// ([`dateline_days`] of each piece's page).
fn match_score((h, hi, h_days): (&Piece, usize, &[u32]), (t, ti, t_days): (&Piece, usize, &[u32])) -> Option<f64> {
    let to = h.continues_to?;
    let from = t.continued_from?;
    if !same_issue_by_datelines(h, h_days, t, t_days) {
        return None;
    }
    let mut s = 0.0;
    match (&h.date, &t.date) {
        (Some(a), Some(b)) if a != b => return None,
        (Some(_), Some(_)) => s += 2.0,
        _ => {}
    }
    match t.page {
        Some(p) if p != to => return None,
        Some(_) => s += 1.0,
        None => {}
    }
    match h.page {
        Some(p) if p != from => return None,
        Some(_) => s += 1.0,
        None => {}
    }
    if t.page.is_none() && h.page.is_some_and(|p| p >= to) {
        // A continuation runs forward in the issue; same-page or backward jumps are odd.
        s -= 0.5;
    }
    let hh = h.headlines.join("");
    let th = t.headlines.join("");
    if !hh.is_empty() && !th.is_empty() {
        s += 3.0 * headline_similarity(&hh, &th);
    }
    if hi == ti {
        s += 0.3;
    }
    // Prefer near neighbours in the batch (same issue tends to sit together).
    s -= (hi.abs_diff(ti) as f64).min(1000.0) / 10000.0;
    Some(s)
}

/// Share of CJK characters (or words) two headlines have in common, order ignored, so that a
/// repeat with its halves swapped still matches.
pub(crate) fn headline_similarity(a: &str, b: &str) -> f64 {
    let chars = |s: &str| -> HashSet<char> { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let (x, y) = (chars(a), chars(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let common = x.intersection(&y).count() as f64;
    common / x.len().min(y.len()) as f64
}

/// One article from a chain of pieces: headline from the first piece that has one; the
/// headlines a continued piece repeats are left out of the text.
pub fn article(pages: &[Page], chain: &[PieceId]) -> Article {
    let first = &pages[chain[0].0].pieces[chain[0].1];
    let mut a = Article::default();
    let mut headlines: Vec<String> = Vec::new();
    let mut main = 0;
    let mut paragraphs: Vec<&str> = Vec::new();
    for (n, &(pi, k)) in chain.iter().enumerate() {
        let p = &pages[pi].pieces[k];
        if headlines.is_empty() && !p.headlines.is_empty() {
            headlines = p.headlines.clone();
            main = p.main_headline.min(headlines.len() - 1);
        } else if n > 0 && !p.headlines.is_empty() {
            let sim = headline_similarity(&headlines.join(""), &p.headlines.join(""));
            if sim < 0.5 {
                a.warnings.push(format!(
                    "continued piece on page {} has a different headline: {}",
                    p.page.map_or("?".to_string(), |x| x.to_string()),
                    p.headlines.join(" ")
                ));
            }
        }
        paragraphs.extend(p.paragraphs.iter().map(String::as_str));
        a.spans
            .extend(p.spans.iter().map(|&span| SourceSpan { source: pi, span }));
        if a.date.is_none() {
            a.date = p.date.clone();
        }
    }
    let last = &pages[chain[chain.len() - 1].0].pieces[chain[chain.len() - 1].1];
    if let Some(n) = last.continues_to {
        a.warnings
            .push(format!("continues on page {n} (下转第{n}版), continuation not found"));
    }
    if let Some(m) = first.continued_from {
        a.warnings
            .push(format!("continued from page {m} (上接第{m}版), start not found"));
    }
    if !headlines.is_empty() {
        a.headline = headlines[main].clone();
        a.subheads = headlines
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != main)
            .map(|(_, h)| h.clone())
            .collect();
    }
    a.text = paragraphs.join("\n");
    a.page = first.page;
    describe::describe(&mut a);
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::split_page;

    #[test]
    fn joins_across_files_and_drops_repeated_headline() {
        let p1 = split_page(
            "rmrb_20200305_01.txt",
            "山里来了快递车\n　　本报昆明3月4日电  快递车开进了大山。\n（下转第5版）\n",
        );
        let p5 = split_page(
            "rmrb_20200305_05.txt",
            "（上接第1版）\n快递车山里来了\n　　山货也能卖到城里了。\n",
        );
        let arts = stitch(&[p1, p5]);
        assert_eq!(arts.len(), 1);
        let a = &arts[0];
        assert_eq!(a.headline, "山里来了快递车");
        assert_eq!(a.text, "本报昆明3月4日电  快递车开进了大山。\n山货也能卖到城里了。");
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert_eq!(a.spans.iter().map(|s| s.source).collect::<Vec<_>>().last(), Some(&1));
        assert_eq!(a.date.as_deref(), Some("2020-03-05"));
    }

    #[test]
    fn undated_copy_takes_the_date_of_a_dated_copy() {
        let text = "大桥通车\n　　本报讯  全长三公里的跨江大桥今天正式通车，两岸居民往来从此不再需要绕行渡口，车程由一个小时缩短到十分钟，沿江的村镇也迎来了新的发展机会。\n";
        let dated = split_page("rmrb_20200305_01.txt", text);
        let undated = split_page("a1b2c3.txt", text);
        let arts = stitch(&[undated, dated]);
        assert_eq!(arts.len(), 2);
        assert_eq!(arts[0].date.as_deref(), Some("2020-03-05"));
        assert!(
            arts[0].warnings.iter().all(|w| !w.starts_with("no issue date")),
            "{:?}",
            arts[0].warnings
        );
        // Dated copies that disagree give nothing.
        let other = split_page("rmrb_20200306_01.txt", text);
        let arts = stitch(&[
            split_page("a1b2c3.txt", text),
            split_page("rmrb_20200305_01.txt", text),
            other,
        ]);
        assert_eq!(arts[0].date, None);
    }

    #[test]
    fn different_issue_is_not_joined_and_warns() {
        let p1 = split_page(
            "rmrb_20200305_01.txt",
            "大桥通车\n　　大桥今天通车了。\n（下转第5版）\n",
        );
        let p5 = split_page(
            "rmrb_20200306_05.txt",
            "（上接第1版）\n大桥通车\n　　大桥全长三公里。\n",
        );
        let arts = stitch(&[p1, p5]);
        assert_eq!(arts.len(), 2);
        assert!(arts[0].warnings.iter().any(|w| w.contains("下转第5版")));
        assert!(arts[1].warnings.iter().any(|w| w.contains("上接第1版")));
    }

    #[test]
    fn an_undated_page_of_another_month_is_not_joined() {
        // The undated page's datelines are of January: it is not the March issue's page 1,
        // nearer in the batch though it is than the page that is.
        let march = split_page(
            "x1.txt",
            "山里来了快递车\n　　本报昆明3月4日电  快递车开进了大山。\n（下转第5版）\n",
        );
        let january = split_page(
            "x2.txt",
            "冬储菜进了社区\n　　本报江城1月7日电  社区菜店备足了冬储菜。\n（下转第5版）\n",
        );
        let p5 = split_page("rmrb_20200305_05.txt", "（上接第1版）\n　　山货也能卖到城里了。\n");
        let arts = stitch(&[march, january, p5]);
        let joined = arts.iter().find(|a| a.text.contains("山货")).unwrap();
        assert!(joined.text.starts_with("本报昆明3月4日电"), "{:?}", joined.text);
        // Year ends wrap: a December 30 dateline fits a January 2 issue.
        assert_eq!(
            day_of_year(12, 30).map(|d| (day_of_year(1, 2).unwrap() + 365 - d) % 365),
            Some(3)
        );
    }

    #[test]
    fn undated_halves_without_headline_match_by_their_words() {
        // Headerless pages in a batch: nearness alone would join each start with the tail
        // next to it; the words the halves share join them right, whatever the file order.
        let start = |topic: &str| {
            split_page(
                "a.txt",
                &format!("{topic}开工\n　　本报讯  {topic}今天开工，预计明年建成。\n（下转第5版）\n"),
            )
        };
        let tail = |topic: &str| {
            split_page(
                "b.txt",
                &format!("（上接第1版）\n　　{topic}建成后，两岸往来更方便。\n"),
            )
        };
        for order in [[0, 1, 2, 3], [0, 3, 2, 1], [2, 1, 0, 3]] {
            let pages = [start("跨江大桥"), tail("城北水厂"), start("城北水厂"), tail("跨江大桥")];
            let pages: Vec<Page> = order.iter().map(|&i| pages[i].clone()).collect();
            let arts = stitch(&pages);
            assert_eq!(arts.len(), 2, "{arts:?}");
            for a in &arts {
                let topic = if a.text.contains("跨江大桥今天") {
                    "跨江大桥建成后"
                } else {
                    "城北水厂建成后"
                };
                assert!(a.text.contains(topic), "{order:?}: {:?}", a.text);
            }
        }
    }

    #[test]
    fn undated_pages_match_by_headline() {
        let a = split_page(
            "a.txt",
            "大桥通车\n　　大桥今天通车了。\n（下转第5版）\n新茶上市\n　　茶农忙。\n（下转第5版）\n",
        );
        let b = split_page(
            "b.txt",
            "（上接第1版）\n上市新茶\n　　今年雨水足。\n（上接第1版）\n通车大桥\n　　全长三公里。\n",
        );
        let arts = stitch(&[a, b]);
        assert_eq!(arts.len(), 2);
        assert_eq!(arts[0].text, "大桥今天通车了。\n全长三公里。");
        assert_eq!(arts[1].text, "茶农忙。\n今年雨水足。");
    }
}
