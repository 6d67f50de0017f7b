//! Highlights and snippets in the article's own text: matches are found on the script-blind
//! key ([`crate::tokenize::find`]) and mapped back, so a simplified query lights up the right
//! traditional characters.
//!
//! ```
//! use baoku_text::highlight::snippet;
//! let s = snippet("國務院召開會議，研究經濟發展。", &["经济发展".to_string()], 40);
//! assert_eq!(s.text, "國務院召開會議，研究經濟發展。");
//! let (a, b) = s.highlights[0];
//! assert_eq!(s.text.chars().skip(a).take(b - a).collect::<String>(), "經濟發展");
//! ```

use serde::Serialize;

use crate::model::Span;
use crate::tokenize::find;

/// A window of an article's text with the matches in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The window, white space runs collapsed to one space; "…" marks cut ends.
    pub text: String,
    /// Matches in `text` as character offsets (start, end), in order, not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

/// Byte spans of `text` matching any of `terms`, in order, overlaps merged.
pub fn highlights(text: &str, terms: &[String]) -> Vec<Span> {
    let mut spans: Vec<Span> = terms.iter().flat_map(|t| find(text, t)).collect();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// About `width` characters of `text` around the densest cluster of matches (the start of
/// the text when nothing matches).
pub fn snippet(text: &str, terms: &[String], width: usize) -> Snippet {
    let spans = highlights(text, terms);
    // Choose the window start (a byte offset) that covers the most matches.
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let char_at = |byte: usize| starts.partition_point(|&b| b < byte);
    let total = starts.len();
    let mut best = (0usize, 0usize); // (matches covered, first char)
    for (i, s) in spans.iter().enumerate() {
        let first = char_at(s.start);
        let covered = spans[i..]
            .iter()
            .take_while(|t| char_at(t.end) <= first + width)
            .count();
        if covered > best.0 {
            best = (covered, first);
        }
    }
    // Lead in with a little context before the first match.
    let from = if best.0 == 0 {
        0
    } else {
        best.1.saturating_sub(width / 5)
    };
    let from = from.min(total.saturating_sub(width));
    let to = (from + width).min(total);
    let byte = |c: usize| starts.get(c).copied().unwrap_or(text.len());
    let (bfrom, bto) = (byte(from), byte(to));

    let mut out = Snippet {
        text: String::new(),
        highlights: Vec::new(),
    };
    let mut n = 0; // characters written
    if from > 0 {
        out.text.push('…');
        n += 1;
    }
    let mut spans = spans
        .into_iter()
        .filter(|s| s.start >= bfrom && s.end <= bto)
        .peekable();
    let mut open: Option<usize> = None;
    let mut prev_space = false;
    for (i, c) in text[bfrom..bto].char_indices() {
        let at = bfrom + i;
        if open.is_none() {
            if let Some(s) = spans.peek() {
                if s.start == at {
                    open = Some(n);
                }
            }
        }
        if c.is_whitespace() {
            if !prev_space && open.is_none() {
                out.text.push(' ');
                n += 1;
            }
            prev_space = true;
        } else {
            out.text.push(c);
            n += 1;
            prev_space = false;
        }
        if let (Some(start), Some(s)) = (open, spans.peek()) {
            if at + c.len_utf8() >= s.end {
                out.highlights.push((start, n));
                open = None;
                spans.next();
            }
        }
    }
    if to < total {
        out.text.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_goes_to_the_matches() {
        let text = format!("{}发展改革{}", "甲".repeat(100), "乙".repeat(100));
        let s = snippet(&text, &["改革".into()], 20);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'), "{}", s.text);
        let (a, b) = s.highlights[0];
        assert_eq!(s.text.chars().skip(a).take(b - a).collect::<String>(), "改革");
    }

    #[test]
    fn white_space_inside_a_match_is_dropped_and_runs_collapse() {
        let s = snippet("甲  乙\n發\n展丙", &["发展".into()], 40);
        assert_eq!(s.text, "甲 乙 發展丙");
        let (a, b) = s.highlights[0];
        assert_eq!(s.text.chars().skip(a).take(b - a).collect::<String>(), "發展");
    }

    #[test]
    fn no_match_gives_the_start() {
        let s = snippet(&"字".repeat(50), &["无".into()], 10);
        assert_eq!(s.text, format!("{}…", "字".repeat(10)));
        assert!(s.highlights.is_empty());
    }

    #[test]
    fn overlapping_terms_merge() {
        let spans = highlights("改革开放", &["改革".into(), "革开".into()]);
        assert_eq!(spans, [Span::new(0, 9)]);
    }
}
