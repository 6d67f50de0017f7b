//! A batch of prepared files into the articles to write, holding back the files whose
//! continuations are not complete yet.
//!
//! Ingest writes files in batches (one transaction each). A page that ends `（下转第N版）`
//! may find its `（上接第N版）` half in a file of a later batch, and a continuation matched
//! within one batch may have a better partner in the next (opaque file names, pages without
//! header: the match is ranked, see [`baoku_text::stitch`]). So a text file with a
//! continuation piece is held back, together with every file its articles join, and
//! stitched again with the next batch, until it has waited [`HOLD_BATCHES`] batches or the
//! ingest ends: continuations are matched among all the pieces of that window, as if the
//! window were one batch. Files without continuations are written at once.

use baoku_text::split::Page;
use baoku_text::stitch::{article, chains, is_open};
use baoku_text::Article;

use crate::prepare::Prepared;

/// How many batches a file with a continuation waits for other candidates.
pub const HOLD_BATCHES: u32 = 8;

/// A file waiting for a later batch, and how many batches it has waited.
#[derive(Debug)]
pub struct Held {
    pub(crate) file: Prepared,
    waited: u32,
}

impl From<Prepared> for Held {
    fn from(file: Prepared) -> Held {
        Held { file, waited: 0 }
    }
}

/// What one batch writes.
#[derive(Debug, Default)]
pub struct Assembled {
    /// The files written now, HTML and JSONL files with their articles.
    pub files: Vec<Prepared>,
    /// The articles of text pages, `SourceSpan::source` indexing `files`.
    pub articles: Vec<Article>,
    /// The text pages of `files` (for their furniture), with the file's index.
    pub pages: Vec<(usize, Page)>,
    /// The files held back for the next batch.
    pub held: Vec<Held>,
}

/// Splits `batch` into the files to write now, with their articles, and the files to hold
/// back; `last` writes everything.
pub fn assemble(mut batch: Vec<Held>, last: bool) -> Assembled {
    // The text pages of the batch, taken out of their files, and each page's file.
    let (mut pages, mut page_file) = (Vec::new(), Vec::new());
    for (i, h) in batch.iter_mut().enumerate() {
        if let Some(page) = h.file.page.take() {
            pages.push(page);
            page_file.push(i);
        }
    }
    let chains = chains(&pages);

    // Files joined by an article are written together: union-find over pages.
    let mut root: Vec<usize> = (0..pages.len()).collect();
    fn find(root: &mut [usize], mut x: usize) -> usize {
        while root[x] != x {
            root[x] = root[root[x]];
            x = root[x];
        }
        x
    }
    for c in &chains {
        for w in c.windows(2) {
            let (a, b) = (find(&mut root, w[0].0), find(&mut root, w[1].0));
            root[a] = b;
        }
    }
    let mut hold_group = vec![false; pages.len()];
    let mut expired = vec![false; pages.len()];
    for (p, &f) in page_file.iter().enumerate() {
        let r = find(&mut root, p);
        expired[r] |= batch[f].waited >= HOLD_BATCHES;
    }
    if !last {
        for c in chains.iter().filter(|c| c.len() > 1 || is_open(&pages, c)) {
            let r = find(&mut root, c[0].0);
            hold_group[r] = !expired[r];
        }
    }
    let held_page: Vec<bool> = (0..pages.len()).map(|p| hold_group[find(&mut root, p)]).collect();

    // New file index of every written file; held files get none.
    let mut hold_file = vec![false; batch.len()];
    for (p, &f) in page_file.iter().enumerate() {
        hold_file[f] = held_page[p];
    }
    let mut new_index = vec![usize::MAX; batch.len()];
    let mut n = 0;
    for (i, &h) in hold_file.iter().enumerate() {
        if !h {
            new_index[i] = n;
            n += 1;
        }
    }

    // Sequential: this runs in ingest's writer thread, and work handed to rayon from there
    // waits behind the next batch's splitting, which holds both cores.
    let articles: Vec<Article> = chains
        .iter()
        .filter(|c| !held_page[c[0].0])
        .map(|c| {
            let mut a = article(&pages, c);
            a.spans
                .iter_mut()
                .for_each(|s| s.source = new_index[page_file[s.source]]);
            a
        })
        .collect();

    let mut out = Assembled::default();
    let mut pages_of: Vec<Option<Page>> = batch.iter().map(|_| None).collect();
    for (p, page) in pages.into_iter().enumerate() {
        pages_of[page_file[p]] = Some(page);
    }
    for (i, (mut h, page)) in batch.into_iter().zip(pages_of).enumerate() {
        if hold_file[i] {
            h.file.page = page;
            h.waited += 1;
            out.held.push(h);
            continue;
        }
        if let Some(page) = page {
            out.pages.push((new_index[i], page));
        }
        out.files.push(h.file);
    }
    out.articles = articles;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::{prepare, Kind};

    fn text_file(name: &str, text: &str) -> Held {
        prepare(name.into(), text.as_bytes().to_vec(), Kind::Text).into()
    }

    fn head() -> Held {
        text_file(
            "rmrb_20200305_01.txt",
            "山里来了快递车\n　　本报昆明3月4日电  快递车开进了大山。\n（下转第5版）\n",
        )
    }

    fn tail() -> Held {
        text_file(
            "rmrb_20200305_05.txt",
            "（上接第1版）\n快递车山里来了\n　　山货也能卖到城里了。\n",
        )
    }

    fn other() -> Held {
        text_file(
            "rmrb_20200305_02.txt",
            "江川大桥建成通车\n　　本报江川3月4日电  江川大桥今天建成通车。\n",
        )
    }

    #[test]
    fn a_continuation_waits_for_its_other_half() {
        let first = assemble(vec![head(), other()], false);
        assert_eq!(first.files.len(), 1, "the complete page is written");
        assert_eq!(first.articles.len(), 1);
        assert_eq!(first.articles[0].spans[0].source, 0);
        assert_eq!(first.held.len(), 1, "the page ending 下转 waits");

        let mut next = first.held;
        next.push(tail());
        let second = assemble(next, false);
        assert!(second.files.is_empty(), "matched, but a better partner may still come");
        assert_eq!(second.held.len(), 2);
        let third = assemble(second.held, true);
        assert!(third.held.is_empty());
        assert_eq!(third.files.len(), 2);
        let second = third;
        assert_eq!(second.articles.len(), 1, "{:?}", second.articles);
        let a = &second.articles[0];
        assert!(a.text.contains("快递车开进了大山") && a.text.contains("山货也能卖到城里了"));
        let sources: Vec<usize> = a.spans.iter().map(|s| s.source).collect();
        assert!(sources.contains(&0) && sources.contains(&1), "{sources:?}");
    }

    #[test]
    fn the_last_batch_and_long_waits_write_everything() {
        let last = assemble(vec![head(), other()], true);
        assert_eq!(last.files.len(), 2);
        assert!(last.held.is_empty());
        assert!(last
            .articles
            .iter()
            .any(|a| a.warnings.iter().any(|w| w.contains("下转"))));

        let mut held = vec![head()];
        for _ in 0..HOLD_BATCHES {
            held = assemble(held, false).held;
            assert_eq!(held.len(), 1);
        }
        let gave_up = assemble(held, false);
        assert_eq!(gave_up.files.len(), 1, "a file waits {HOLD_BATCHES} batches at most");
        assert_eq!(gave_up.pages.len(), 1, "its furniture is written too");
    }

    #[test]
    fn files_joined_by_an_article_wait_together() {
        // The tail's file also ends with a piece that continues further: both files wait.
        let tail_open = text_file(
            "rmrb_20200305_05.txt",
            "（上接第1版）\n快递车山里来了\n　　山货也能卖到城里了。\n\n另一篇报道\n　　本报北京3月4日电  会议今天开幕。\n（下转第7版）\n",
        );
        let a = assemble(vec![head(), tail_open, other()], false);
        assert_eq!(a.files.len(), 1);
        assert_eq!(a.held.len(), 2);
    }
}
