//! HTML story pages: main text only, navigation, scripts and related links dropped.

use crate::model::Article;

/// What an HTML page holds: one article, or nothing (a listing or index page).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HtmlPage {
    /// The article, when the page is a story page.
    pub article: Option<Article>,
    /// What was unsure about the page.
    pub warnings: Vec<String>,
}

/// Extracts the article of an HTML story page. Spans refer to source 0 (the page itself).
pub fn extract(name: &str, html: &str) -> HtmlPage {
    let _ = (name, html);
    HtmlPage { article: None, warnings: vec!["HTML extraction not implemented yet".into()] }
}
