//! Page dumps into pieces: headline blocks, body paragraphs and page furniture.
//!
//! A text dump holds one page, a whole issue or one article. `split_page` finds where
//! articles begin and end, rejoins lines that layout broke inside a sentence, and sets aside
//! page furniture (headers, captions, index bullets, credits, continuation markers) as
//! [`Furniture`] records so that nothing from the input is thrown away.

use serde::{Deserialize, Serialize};

use crate::model::{Furniture, Span};

/// One page dump (or one issue) split into pieces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// File name the text came from (dates and page numbers often hide in it).
    pub name: String,
    /// Pieces of articles, in reading order.
    pub pieces: Vec<Piece>,
    /// Furniture lines kept out of articles.
    pub furniture: Vec<Furniture>,
    /// What was unsure on this page.
    pub warnings: Vec<String>,
}

/// A piece of one article on one page: the whole article, or the part before `（下转第N版）`
/// or after `（上接第N版）`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    /// Headline block lines in page order (引题, 主题, 副题), cleaned.
    pub headlines: Vec<String>,
    /// Index into `headlines` of the main headline.
    pub main_headline: usize,
    /// Body paragraphs, layout breaks rejoined, in original script.
    pub paragraphs: Vec<String>,
    /// Byte spans of the decoded text this piece was made from (headline and body lines).
    pub spans: Vec<Span>,
    /// Issue date `YYYY-MM-DD` from the page header or file name, if stated.
    pub date: Option<String>,
    /// Page number in the issue, if known.
    pub page: Option<u32>,
    /// `N` of a trailing `（下转第N版）`.
    pub continues_to: Option<u32>,
    /// `N` of a leading `（上接第N版）`.
    pub continued_from: Option<u32>,
}

/// Splits one decoded page dump into pieces and furniture.
pub fn split_page(name: &str, text: &str) -> Page {
    // Placeholder: the whole text is one piece, first line as headline.
    let mut piece = Piece::default();
    let mut first = true;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let span = Span::new(pos, pos + line.len());
        pos += line.len();
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if first {
            piece.headlines.push(t.to_string());
            first = false;
        } else {
            piece.paragraphs.push(t.to_string());
        }
        piece.spans.push(span);
    }
    Page { name: name.to_string(), pieces: vec![piece], ..Page::default() }
}
