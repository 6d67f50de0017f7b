//! Pieces into articles: join `（下转第N版）` / `（上接第N版）` continuations across pages and
//! files, then describe each article.

use crate::describe;
use crate::model::{Article, SourceSpan};
use crate::split::Page;

/// Stitches the pieces of a batch of pages into articles. `SourceSpan::source` in the result
/// is the index of the page in `pages`.
pub fn stitch(pages: &[Page]) -> Vec<Article> {
    let mut out = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        for piece in &page.pieces {
            let mut a = Article {
                headline: piece.headlines.get(piece.main_headline).cloned().unwrap_or_default(),
                subheads: piece
                    .headlines
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != piece.main_headline)
                    .map(|(_, h)| h.clone())
                    .collect(),
                text: piece.paragraphs.join("\n"),
                date: piece.date.clone(),
                page: piece.page,
                spans: piece.spans.iter().map(|&span| SourceSpan { source: i, span }).collect(),
                ..Article::default()
            };
            describe::describe(&mut a);
            out.push(a);
        }
    }
    out
}
