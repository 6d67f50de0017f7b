//! Search tokens: script-blind character keys and bigrams for "any substring", jieba words
//! for ranking.
//!
//! Two forms of a text feed the index:
//! - the **key**: every non-space character width-folded and mapped to its variant class
//!   ([`crate::variant::fold`]), character by character and without context, so the key of
//!   any substring a user types is exactly a substring of the document's key, in either
//!   script. Its overlapping [`bigrams`] are indexed with positions; a query of n ≥ 2
//!   characters is the phrase of its bigrams, which finds every occurrence whatever a word
//!   segmenter would have done with it.
//! - the **words**: jieba over the simplified form (OpenCC t2s with phrase tables; jieba
//!   splits traditional text badly), white space kept between words that had it, each word
//!   then folded like the key. Words only rank; they never decide whether a document matches.
//!
//! ```
//! use baoku_text::tokenize::{key, bigrams, words_text, words};
//! assert_eq!(key("發展 ＡＢ"), key("发展ab"));
//! let mut grams = Vec::new();
//! bigrams(&key("改革开放"), |_, g| grams.push(g.to_string()));
//! assert_eq!(grams, ["改革", "革开", "开放"]);
//! let mut w = Vec::new();
//! words(&words_text("堅持改革開放 climate change"), |t| w.push(t.to_string()));
//! assert_eq!(w, ["坚持", "改革开放", "climate", "change"]);
//! ```

use std::sync::LazyLock;

use jieba_rs::Jieba;

use crate::model::Span;
use crate::normalize::{fold_width, Normalizer};
use crate::variant::fold;

/// The process-wide jieba segmenter (its dictionary takes about 170 ms and 26 MB to build).
pub fn jieba() -> &'static Jieba {
    static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);
    &JIEBA
}

/// The key characters of `text` with the byte offset of the character each came from;
/// white space has no key.
pub fn key_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    text.char_indices()
        .filter_map(|(at, c)| fold_width(c).map(|f| (at, fold(f))))
}

/// The script-blind matching key of `text` (see the module docs).
pub fn key(text: &str) -> String {
    key_chars(text).map(|(_, c)| c).collect()
}

/// Calls `f(position, bigram)` for each overlapping character bigram of `key`; a one-character
/// key yields itself.
pub fn bigrams(key: &str, mut f: impl FnMut(usize, &str)) {
    // Character starts, then the end: bigram k is starts[k]..starts[k + 2].
    let mut starts = key.char_indices().map(|(i, _)| i).chain(std::iter::once(key.len()));
    let (Some(mut a), Some(mut b)) = (starts.next(), starts.next()) else {
        return;
    };
    let mut pos = 0;
    for c in starts {
        f(pos, &key[a..c]);
        pos += 1;
        (a, b) = (b, c);
    }
    if pos == 0 {
        f(0, &key[a..b]);
    }
}

/// The text jieba segments: simplified (phrase-level t2s), width folded, with one space where
/// the original had white space between two characters.
pub fn words_text(text: &str) -> String {
    let n = Normalizer::shared().normalize(text);
    let mut out = String::with_capacity(n.text.len() + n.text.len() / 16);
    let mut prev_end = None;
    for (c, &at) in n.text.chars().zip(&n.offsets) {
        let at = at as usize;
        if let Some(end) = prev_end {
            if at > end && text[end..at].chars().any(char::is_whitespace) {
                out.push(' ');
            }
        }
        out.push(c);
        prev_end = Some(at + text[at..].chars().next().map_or(0, char::len_utf8));
    }
    out
}

/// Calls `f` with each word of a [`words_text`], folded like the key; words without a letter
/// or digit (punctuation, spaces) are skipped.
pub fn words(words_text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    for t in jieba().cut(words_text, true) {
        if !t.word.chars().any(char::is_alphanumeric) {
            continue;
        }
        buf.clear();
        buf.extend(t.word.chars().map(fold));
        f(&buf);
    }
}

/// Byte spans of `text` where the key of `needle` occurs in the key of `text`
/// (non-overlapping, left to right). Spans cover the original characters, script and width
/// as they are, white space inside a match included.
pub fn find(text: &str, needle: &str) -> Vec<Span> {
    let needle: Vec<char> = key(needle).chars().collect();
    if needle.is_empty() {
        return Vec::new();
    }
    let hay: Vec<(usize, char)> = key_chars(text).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if hay[i..i + needle.len()]
            .iter()
            .map(|&(_, c)| c)
            .eq(needle.iter().copied())
        {
            let (last, c) = hay[i + needle.len() - 1];
            out.push(Span::new(
                hay[i].0,
                last + text[last..].chars().next().map_or(c.len_utf8(), char::len_utf8),
            ));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant::to_traditional;
    use proptest::prelude::*;

    fn grams(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        bigrams(s, |p, g| v.push(format!("{p}:{g}")));
        v
    }

    #[test]
    fn bigram_positions() {
        assert_eq!(grams("abc"), ["0:ab", "1:bc"]);
        assert_eq!(grams("中"), ["0:中"]);
        assert!(grams("").is_empty());
    }

    #[test]
    fn words_keep_english_apart_and_chinese_together() {
        let mut w = Vec::new();
        words(&words_text("新華社北京3月20日電\nXinhua News  Agency"), |t| {
            w.push(t.to_string())
        });
        assert!(w.contains(&"新华社".to_string()), "{w:?}");
        assert!(
            w.contains(&"xinhua".to_string()) && w.contains(&"agency".to_string()),
            "{w:?}"
        );
    }

    #[test]
    fn find_maps_back_to_original_script_and_width() {
        let text = "他說：「堅持發展\n經濟」，ＡＢＣ。";
        let spans = find(text, "发展经济");
        assert_eq!(spans.len(), 1);
        assert_eq!(&text[spans[0].start..spans[0].end], "發展\n經濟");
        let spans = find(text, "abc");
        assert_eq!(&text[spans[0].start..spans[0].end], "ＡＢＣ");
    }

    #[test]
    fn traditional_query_keys_like_simplified() {
        for s in ["看着他说", "头发很长", "以后再说", "钟表", "乾隆年间干部"] {
            assert_eq!(key(s), key(&to_traditional(s)), "{s}");
        }
    }

    proptest! {
        /// The property search completeness rests on: a substring's key is a substring of
        /// the text's key.
        #[test]
        fn key_of_substring_is_substring_of_key(s in "[國務院發展乾燥著後髮鐘会议经济学习，。、 ａ-ｚA-Z０-９\n]{1,40}", a in 0usize..40, len in 1usize..12) {
            let chars: Vec<char> = s.chars().collect();
            let a = a % chars.len();
            let sub: String = chars[a..(a + len).min(chars.len())].iter().collect();
            prop_assert!(key(&s).contains(&key(&sub)));
            prop_assert!(sub.trim().is_empty() || !find(&s, &sub).is_empty());
        }
    }
}
