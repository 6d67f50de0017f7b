//! The index's two tantivy tokenizers, thin wrappers over [`baoku_text::tokenize`].
//!
//! They take the article's original text and do the folding themselves, so the expensive
//! part (t2s, jieba) runs in tantivy's indexing threads, in parallel, and positions are
//! token ordinals (1, 2, 3 …), which is what phrase queries need.

use baoku_text::tokenize::{bigrams, key_chars, words, words_text};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Registered name of [`GramTokenizer`].
pub const GRAMS: &str = "baoku_grams";
/// Registered name of [`WordTokenizer`].
pub const WORDS: &str = "baoku_words";

/// Overlapping character bigrams of the script-blind key.
#[derive(Clone, Default)]
pub struct GramTokenizer {
    key: String,
    /// Byte offset in the original text of each key character, then the text's length.
    offsets: Vec<usize>,
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = Tokens<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens<'a> {
        self.key.clear();
        self.offsets.clear();
        for (at, c) in key_chars(text) {
            self.key.push(c);
            self.offsets.push(at);
        }
        self.offsets.push(text.len());
        let mut spans = Vec::with_capacity(self.offsets.len());
        bigrams(&self.key, |_, g| {
            let start = g.as_ptr() as usize - self.key.as_ptr() as usize;
            spans.push((start, start + g.len()));
        });
        // Original offsets of each bigram: its first key character to the one after it.
        let origin: Vec<(usize, usize)> = (0..spans.len())
            .map(|i| (self.offsets[i], self.offsets[(i + 2).min(self.offsets.len() - 1)]))
            .collect();
        Tokens::new(&self.key, spans, origin)
    }
}

/// jieba words of the simplified form, folded like the key.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    words: String,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = Tokens<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens<'a> {
        let simplified = words_text(text);
        self.words.clear();
        let mut spans = Vec::new();
        words(&simplified, |w| {
            let start = self.words.len();
            self.words.push_str(w);
            spans.push((start, self.words.len()));
        });
        // Offsets are not used (highlights are computed from the text itself).
        let origin = vec![(0, 0); spans.len()];
        Tokens::new(&self.words, spans, origin)
    }
}

/// A stream over precomputed token spans of one buffer.
pub struct Tokens<'a> {
    buf: &'a str,
    spans: std::vec::IntoIter<(usize, usize)>,
    origin: std::vec::IntoIter<(usize, usize)>,
    token: Token,
}

impl<'a> Tokens<'a> {
    fn new(buf: &'a str, spans: Vec<(usize, usize)>, origin: Vec<(usize, usize)>) -> Self {
        Tokens {
            buf,
            spans: spans.into_iter(),
            origin: origin.into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for Tokens<'_> {
    fn advance(&mut self) -> bool {
        let Some((a, b)) = self.spans.next() else {
            return false;
        };
        let (from, to) = self.origin.next().unwrap_or((0, 0));
        self.token.position = self.token.position.wrapping_add(1);
        self.token.text.clear();
        self.token.text.push_str(&self.buf[a..b]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mut t: impl Tokenizer, text: &str) -> Vec<(usize, String)> {
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push((s.token().position, s.token().text.clone()));
        }
        out
    }

    #[test]
    fn grams_have_consecutive_positions_across_line_breaks() {
        let got = run(GramTokenizer::default(), "發展\n經濟");
        assert_eq!(got, [(0, "发展".into()), (1, "展经".into()), (2, "经济".into())]);
    }

    #[test]
    fn words_are_simplified_and_counted_by_ordinal() {
        let got = run(WordTokenizer::default(), "堅持改革開放。");
        assert_eq!(got, [(0, "坚持".into()), (1, "改革开放".into())]);
    }
}
