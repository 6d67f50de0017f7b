//! The values that flow between stages: spans, pages, pieces and articles.

use serde::{Deserialize, Serialize};

/// A byte range `start..end` into one decoded source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// Number of bytes covered.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

/// A span in one of several source texts, named by its index in the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceSpan {
    /// Index of the source in the batch handed to [`crate::stitch`].
    pub source: usize,
    /// The bytes in that source's decoded text.
    pub span: Span,
}

/// What a line of page furniture is: text that belongs to the page, not to an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FurnitureKind {
    /// `人民日报 2019年10月1日 星期二 第01版`, or a bare `第05版`.
    PageHeader,
    /// A photo caption (`……本报记者 某某摄`).
    Caption,
    /// An index bullet pointing to other pages (`■ …`).
    IndexBullet,
    /// Editor and design credits (`本版编辑：…`, `版式设计：…`).
    Credit,
    /// A continuation marker (`（下转第5版）`, `（上接第1版）`).
    Continuation,
    /// Anything else kept out of article text.
    Other,
}

/// A piece of page furniture, kept so that nothing from the input is thrown away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Furniture {
    /// What kind of furniture.
    pub kind: FurnitureKind,
    /// Where it stands in the decoded text.
    pub span: Span,
    /// Its text, trimmed.
    pub text: String,
}

/// A recovered article, with everything the store keeps about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// The record id given by the source (a JSONL `id`), if any.
    pub source_id: Option<String>,
    /// Main headline (empty when none was found).
    pub headline: String,
    /// Other headline lines: 引题 (kicker) and 副题 (subtitle), in page order.
    pub subheads: Vec<String>,
    /// Body text in its original script, paragraphs joined by `\n`.
    pub text: String,
    /// Issue or publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Dateline place (`北京` in `新华社北京10月1日电`).
    pub place: Option<String>,
    /// Agency or outlet (`新华社`, `本报`, `央视网`…).
    pub agency: Option<String>,
    /// Reporter names.
    pub reporters: Vec<String>,
    /// `zh` or `en`.
    pub lang: String,
    /// `Hans`, `Hant` or `Latn`.
    pub script: String,
    /// Page number in the issue, when known.
    pub page: Option<u32>,
    /// Source URL (JSONL `url`, HTML canonical link).
    pub url: Option<String>,
    /// Fields of a JSONL record that baoku does not interpret, kept as they were.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Where the article came from, in source order.
    pub spans: Vec<SourceSpan>,
    /// What was unsure about this article.
    pub warnings: Vec<String>,
}
