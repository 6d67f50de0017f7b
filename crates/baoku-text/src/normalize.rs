//! The matching form of a text: width folded, traditional → simplified, white space dropped,
//! with a map from every normalized character back to its byte offset in the original.
//!
//! The matching form is never shown to a user; fingerprints, links, diffs and search work on
//! it, and [`Normalized::span`] turns a range of it back into bytes of the original text.
//!
//! Traditional → simplified uses OpenCC's `t2s` phrase tables (ferrous-opencc, Apache-2.0,
//! tables from the OpenCC project, Apache-2.0). The converter is built once in a
//! [`Normalizer`] (about 30 ms); [`Normalizer::shared`] gives a process-wide one.
//!
//! ```
//! use baoku_text::normalize::Normalizer;
//! let n = Normalizer::shared().normalize("新華社北京１０月１日電　（記者）");
//! assert_eq!(n.text, "新华社北京10月1日电(记者)");
//! // every normalized character maps back to a byte of the original
//! assert_eq!(n.offsets.len(), n.text.chars().count());
//! ```

use std::sync::LazyLock;

use ferrous_opencc::{config::BuiltinConfig, OpenCC};

use crate::model::Span;

/// A text in matching form with its offset map.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Normalized {
    /// The matching form.
    pub text: String,
    /// For each character of `text` (by char index), the byte offset in the original text of
    /// the character it came from. Monotone non-decreasing, every value a char boundary of
    /// the original.
    pub offsets: Vec<u32>,
}

impl Normalized {
    /// The bytes of `original` that normalized characters `start..end` (char indices) came
    /// from. `original` must be the text this was normalized from.
    pub fn span(&self, original: &str, start: usize, end: usize) -> Span {
        if start >= end || start >= self.offsets.len() {
            let at = self.offsets.get(start).map_or(original.len(), |&o| o as usize);
            return Span::new(at, at);
        }
        let last = self.offsets[end.min(self.offsets.len()) - 1] as usize;
        let last_len = original[last..].chars().next().map_or(0, char::len_utf8);
        Span::new(self.offsets[start] as usize, last + last_len)
    }
}

/// Holds the traditional → simplified tables; build once and share.
pub struct Normalizer {
    t2s: OpenCC,
    /// One bit per code point in `0..0x30000`: the character converts on its own under t2s.
    /// Segments without such a character skip the converter (nearly all simplified text).
    trigger: Vec<u64>,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normalizer").finish_non_exhaustive()
    }
}

static SHARED: LazyLock<Normalizer> = LazyLock::new(Normalizer::new);

const TRIGGER_LIMIT: u32 = 0x30000;

impl Default for Normalizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Normalizer {
    /// Builds the converter (OpenCC `t2s` tables embedded in the binary).
    pub fn new() -> Self {
        let t2s = OpenCC::from_config(BuiltinConfig::T2s).expect("embedded OpenCC t2s config");
        let mut trigger = vec![0u64; (TRIGGER_LIMIT as usize).div_ceil(64)];
        let ranges = [0x3400..=0x4DBF, 0x4E00..=0x9FFF, 0xF900..=0xFAFF, 0x20000..=0x2FFFF];
        let mut buf = [0u8; 4];
        for r in ranges {
            for cp in r {
                let Some(c) = char::from_u32(cp) else { continue };
                let s = c.encode_utf8(&mut buf);
                if t2s.convert(s) != *s {
                    trigger[cp as usize / 64] |= 1 << (cp % 64);
                }
            }
        }
        Normalizer { t2s, trigger }
    }

    /// A process-wide normalizer, built on first use.
    pub fn shared() -> &'static Normalizer {
        &SHARED
    }

    fn is_trigger(&self, c: char) -> bool {
        let cp = c as u32;
        cp < TRIGGER_LIMIT && self.trigger[cp as usize / 64] & (1 << (cp % 64)) != 0
    }

    /// A CJK ideograph that t2s leaves alone: most characters of a Chinese text, with no width
    /// to fold and all content (a tenth of an ingest went to folding them one by one).
    fn is_plain_cjk(&self, c: char) -> bool {
        ('\u{4E00}'..='\u{9FFF}').contains(&c) && !self.is_trigger(c)
    }

    /// The matching form of `text`: width folded, t2s, white space dropped.
    pub fn normalize(&self, text: &str) -> Normalized {
        self.normalize_with(text, true)
    }

    /// Like [`Normalizer::normalize`], with traditional → simplified only when `t2s` is set
    /// (strict diffs keep the script).
    pub fn normalize_with(&self, text: &str, t2s: bool) -> Normalized {
        let mut out = Normalized {
            text: String::with_capacity(text.len()),
            offsets: Vec::with_capacity(text.len() / 3 + 1),
        };
        // Segment: a run of folded characters up to and including a sentence break.
        let mut seg: Vec<(char, u32)> = Vec::new();
        let mut seg_trigger = false;
        for (at, c) in text.char_indices() {
            let Some(f) = fold_width(c) else { continue };
            seg_trigger |= t2s && self.is_trigger(f);
            seg.push((f, at as u32));
            if is_break(f) {
                self.flush(&mut seg, seg_trigger, &mut out);
                seg_trigger = false;
            }
        }
        self.flush(&mut seg, seg_trigger, &mut out);
        out
    }

    /// The text of [`Normalizer::normalize`]'s form, without the offset map (what fingerprints
    /// read): one pass of folding when no character converts under t2s.
    pub fn text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        // runs of characters that stay as they are, copied as bytes
        let mut run = 0;
        for (at, c) in text.char_indices() {
            if self.is_plain_cjk(c) {
                continue;
            }
            let f = fold_width(c);
            if f.is_some_and(|f| self.is_trigger(f)) {
                return self.normalize(text).text;
            }
            if f != Some(c) {
                out.push_str(&text[run..at]);
                out.extend(f);
                run = at + c.len_utf8();
            }
        }
        out.push_str(&text[run..]);
        out
    }

    /// How many characters of the matching form of `text` are [`is_content`]: what counting
    /// them in [`Normalizer::normalize`]'s text gives, without building it when no character
    /// converts under t2s (nearly all simplified text; folding keeps one character for one).
    pub fn content_len(&self, text: &str) -> usize {
        let mut n = 0;
        for c in text.chars() {
            if self.is_plain_cjk(c) {
                n += 1;
                continue;
            }
            let Some(f) = fold_width(c) else { continue };
            if self.is_trigger(f) {
                return self.normalize(text).text.chars().filter(|&c| is_content(c)).count();
            }
            n += usize::from(is_content(f));
        }
        n
    }

    fn flush(&self, seg: &mut Vec<(char, u32)>, convert: bool, out: &mut Normalized) {
        if seg.is_empty() {
            return;
        }
        if !convert {
            for &(c, at) in seg.iter() {
                out.text.push(c);
                out.offsets.push(at);
            }
            seg.clear();
            return;
        }
        let src: String = seg.iter().map(|&(c, _)| c).collect();
        let conv = self.t2s.convert(&src);
        if conv.chars().count() == seg.len() {
            for (c, &(_, at)) in conv.chars().zip(seg.iter()) {
                out.text.push(c);
                out.offsets.push(at);
            }
        } else {
            // Phrase conversion changed the length (not seen on real text): convert this
            // segment character by character so every output still maps to its source.
            let mut buf = [0u8; 4];
            for &(c, at) in seg.iter() {
                let one = self.t2s.convert(c.encode_utf8(&mut buf));
                for o in one.chars() {
                    out.text.push(o);
                    out.offsets.push(at);
                }
            }
        }
        seg.clear();
    }
}

fn is_break(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '?' | '!' | '\u{3002}' | '\u{3001}' | '"' | '(' | ')'
    )
}

/// Folds one character to its matching form: full-width ASCII to ASCII, CJK punctuation to
/// its ASCII counterpart, middle dots to `·`; `None` for white space (dropped).
/// Idempotent: `fold_width(fold_width(c)) == fold_width(c)`.
pub fn fold_width(c: char) -> Option<char> {
    if c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}') {
        return None;
    }
    Some(match c {
        '\u{FF01}'..='\u{FF5E}' => {
            let a = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            return fold_width(a);
        }
        '\u{3002}' | '\u{FF61}' => '.',
        '\u{3001}' | '\u{FF64}' => ',',
        '\u{201C}' | '\u{201D}' | '\u{300C}' | '\u{300D}' => '"',
        '\u{2018}' | '\u{2019}' | '\u{300E}' | '\u{300F}' => '\'',
        '\u{3010}' | '\u{3014}' => '[',
        '\u{3011}' | '\u{3015}' => ']',
        '\u{2236}' => ':',
        '\u{00B7}' | '\u{30FB}' | '\u{2027}' | '\u{2022}' | '\u{FF65}' => '·',
        '\u{2014}' | '\u{2015}' | '\u{2500}' => '—',
        _ => c,
    })
}

/// True for characters that carry content for matching: letters (any script) and digits.
/// Punctuation is kept in the matching form but left out of shingles.
#[inline]
pub fn is_content(c: char) -> bool {
    // fast paths for ASCII and the CJK Unified Ideographs block (all of it letters, see the
    // test): most characters of a Chinese text, which the general lookup was slow for
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        true
    } else {
        c.is_alphanumeric()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_content_is_alphanumeric() {
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            assert_eq!(is_content(c), c.is_alphanumeric(), "{c:?}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn folds_width_script_and_space() {
        let n = Normalizer::shared();
        let t = n.normalize("國務院總理李克強 主持會議，ＡＢＣ１２３。\n「發展」");
        assert_eq!(t.text, "国务院总理李克强主持会议,ABC123.\"发展\"");
    }

    #[test]
    fn phrase_level_conversion() {
        // 乾隆 keeps 乾 while 乾燥 becomes 干燥: phrase tables, not character by character.
        let t = Normalizer::shared().normalize("乾隆年間天氣乾燥");
        assert_eq!(t.text, "乾隆年间天气干燥");
    }

    #[test]
    fn spans_map_back() {
        let orig = "　新華社北京１０月１日電 （記者王明）";
        let t = Normalizer::shared().normalize(orig);
        let chars: Vec<char> = t.text.chars().collect();
        let i = chars.iter().position(|&c| c == '1').unwrap();
        let sp = t.span(orig, i, i + 2);
        assert_eq!(&orig[sp.start..sp.end], "１０");
        let sp = t.span(orig, 0, 3);
        assert_eq!(&orig[sp.start..sp.end], "新華社");
    }

    proptest! {
        #[test]
        fn width_folding_is_idempotent(s in "\\PC{0,60}") {
            let n = Normalizer::shared();
            let once = n.normalize_with(&s, false);
            let twice = n.normalize_with(&once.text, false);
            prop_assert_eq!(&once.text, &twice.text);
        }

        #[test]
        fn offsets_monotone_and_in_bounds(s in "[\\PC　，。「」國務院發展乾燥著後髮鐘ａＢ１ \n]{0,80}") {
            let t = Normalizer::shared().normalize(&s);
            prop_assert_eq!(t.offsets.len(), t.text.chars().count());
            let mut prev = 0u32;
            for &o in &t.offsets {
                prop_assert!(o >= prev);
                prop_assert!((o as usize) < s.len());
                prop_assert!(s.is_char_boundary(o as usize));
                prev = o;
            }
        }

        #[test]
        fn content_len_counts_the_matching_form(s in "[\\PC　，。「」國務院發展乾燥著後髮鐘会议ａＢ１ \n]{0,80}") {
            let n = Normalizer::shared();
            let counted = n.normalize(&s).text.chars().filter(|&c| is_content(c)).count();
            prop_assert_eq!(n.content_len(&s), counted);
        }

        #[test]
        fn text_is_the_matching_form(s in "[\\PC　，。「」國務院發展乾燥著後髮鐘会议ａＢ１ \n]{0,80}") {
            let n = Normalizer::shared();
            prop_assert_eq!(n.text(&s), n.normalize(&s).text);
        }

        #[test]
        fn normalizing_is_idempotent_on_chinese(s in "[國務院發展乾燥著後髮鐘会议经济学习，。、 ０-９]{0,40}") {
            let n = Normalizer::shared();
            let once = n.normalize(&s);
            prop_assert_eq!(&n.normalize(&once.text).text, &once.text);
        }
    }
}
