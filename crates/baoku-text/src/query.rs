//! What a user types into the search box: plain words (all required), "quoted phrases",
//! and -excluded words or -"phrases" (a minus before a digit is a negative number).
//!
//! Matching is by substring on the script-blind key ([`crate::tokenize::key`]), so a phrase
//! is simply a term that may hold spaces: white space never matters for Chinese, and for
//! English `"climate change"` finds the words with any spacing between them. Chinese quote
//! marks (“…” 「…」 『…』) quote too; a quote left open runs to the end; a full-width minus
//! (－) excludes too.
//!
//! ```
//! use baoku_text::query::parse;
//! let q = parse("發展 \"一带 一路\" -经济").unwrap();
//! assert_eq!(q.terms, ["發展", "一带 一路"]);
//! assert_eq!(q.excluded, ["经济"]);
//! ```

use crate::tokenize::key;

/// Longest query accepted, in characters.
pub const MAX_CHARS: usize = 1000;
/// Most terms (required and excluded) in one query.
pub const MAX_TERMS: usize = 32;

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Terms every hit contains, as typed (quotes removed).
    pub terms: Vec<String>,
    /// Terms no hit contains.
    pub excluded: Vec<String>,
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// Nothing to search for (empty, or only excluded terms).
    Empty,
    /// Longer than [`MAX_CHARS`] characters or more than [`MAX_TERMS`] terms.
    TooLong,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            QueryError::Empty => "the query has no words to search for",
            QueryError::TooLong => "the query is too long (at most 1000 characters and 32 terms)",
        })
    }
}

impl std::error::Error for QueryError {}

fn closing_quote(c: char) -> Option<char> {
    match c {
        '"' | '＂' => Some(c),
        '“' => Some('”'),
        '「' => Some('」'),
        '『' => Some('』'),
        _ => None,
    }
}

/// Parses a query (see the module docs).
pub fn parse(input: &str) -> Result<Query, QueryError> {
    if input.chars().count() > MAX_CHARS {
        return Err(QueryError::TooLong);
    }
    let mut q = Query::default();
    let mut chars = input.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        // "-30℃" is a negative number, not an exclusion.
        let negate = matches!(first, '-' | '－') && {
            let mut ahead = chars.clone();
            ahead.next();
            ahead.peek().is_some_and(|c| !c.is_numeric())
        };
        if negate {
            chars.next();
        }
        let mut term = String::new();
        match chars.peek().copied().and_then(closing_quote) {
            Some(close) => {
                chars.next();
                // An unclosed quote runs to the end: text pasted from an article often
                // starts inside a quotation (“一带一路 …).
                for c in chars.by_ref() {
                    if c == close {
                        break;
                    }
                    term.push(c);
                }
            }
            None => {
                while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                    term.push(c);
                }
            }
        }
        // A lone "-" or an empty quote says nothing.
        if key(&term).is_empty() {
            continue;
        }
        if negate { &mut q.excluded } else { &mut q.terms }.push(term.trim().to_string());
    }
    if q.terms.len() + q.excluded.len() > MAX_TERMS {
        return Err(QueryError::TooLong);
    }
    if q.terms.is_empty() {
        return Err(QueryError::Empty);
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_exclusions() {
        let q = parse("  “改革 开放”  -「座谈会」 －会议 climate").unwrap();
        assert_eq!(q.terms, ["改革 开放", "climate"]);
        assert_eq!(q.excluded, ["座谈会", "会议"]);
    }

    #[test]
    fn refusals() {
        assert_eq!(parse("   "), Err(QueryError::Empty));
        assert_eq!(parse("-经济"), Err(QueryError::Empty));
        assert_eq!(parse("“一带一路 倡议").unwrap().terms, ["一带一路 倡议"]);
        assert_eq!(parse(&"字".repeat(1001)), Err(QueryError::TooLong));
        assert_eq!(parse(&"字 ".repeat(40)), Err(QueryError::TooLong));
    }

    #[test]
    fn hyphen_inside_a_word_or_before_a_number_is_kept() {
        assert_eq!(parse("Chengdu-Chongqing").unwrap().terms, ["Chengdu-Chongqing"]);
        assert_eq!(parse("-30℃，我们破雪而来").unwrap().terms, ["-30℃，我们破雪而来"]);
    }
}
