//! Translation linking: does a Chinese article and an English article tell the same text?
//!
//! No translation model can ship in the binary, so both languages are projected into shared
//! **anchor terms** that a translator keeps:
//!
//! * names, romanized: the Chinese side gives the toneless pinyin of every 2–4-character run
//!   of its Han text (CC-CEDICT readings for dictionary words, so 重庆 → `chongqing`; the
//!   usual reading of each character otherwise, and a surname's own reading for the first
//!   character, 曾 → `zeng`); the English side gives its capitalized words that read as
//!   pinyin (`Jinping`, `Chongqing`) and runs of them joined (`Xi Jinping` → `xijinping`);
//! * numbers, dates and quantities, normalized across languages: 3月20日 ↔ March 20,
//!   80多个 ↔ more than 80, 2.5万 ↔ 25,000, 三十 ↔ thirty;
//! * words: the Chinese text is segmented by forward maximum matching over CC-CEDICT and each
//!   word stands for the (stemmed) words of its English glosses; English words are lowercased,
//!   stemmed lightly and stopwords dropped.
//!
//! A document is a set of **units**, each matched if the other document holds one of the
//! unit's terms (an English word or number is one term; a Chinese word is any of its glosses).
//! A unit weighs `ln(1/p)`, where `p` is the share of the corpus's documents of the other
//! language that it matches: a word like 的 or "said" that matches nearly everything weighs
//! nothing (the IDF-like damping, learned from the corpus being linked). The score of a pair
//! is the harmonic mean of the two coverages (weight of each side's units matched by the
//! other side, over its total).
//!
//! Candidates come from an inverted index over the rarest terms of each document
//! ([`TranslationLinker::candidates`]), never from all pairs, and a pair is only scored when
//! the two dates are within a window.
//!
//! ```
//! use baoku_text::translate::{project, Lang, TranslationLinker, TranslationParams};
//! let docs = [
//!     project("重庆市今年将在60所学校试点现代学徒制。", Lang::Zh),
//!     project("Chongqing will try a modern apprenticeship system in 60 schools this year.", Lang::En),
//!     project("Heavy rain flooded the harbour of a small fishing town on Tuesday.", Lang::En),
//!     project("星期二，一场大雨淹没了一个小渔镇的港口。", Lang::Zh),
//! ];
//! // Weights come from how many documents of the other language a term matches: a corpus
//! // needs more than one document per language for any term to weigh anything.
//! let linker = TranslationLinker::new(&docs);
//! assert!(linker.score(0, 1) > linker.score(0, 2));
//! assert!(linker.score(3, 2) > linker.score(3, 1));
//! ```
//!
//! The dictionary is `data/cedict.tsv.gz`, derived from CC-CEDICT (CC BY-SA 4.0, see
//! `data/CEDICT-LICENSE.md`) by `tools/cedict_table.py`; it is parsed once, on first use.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::LazyLock;

/// The language of a document, as far as translation linking is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    /// Chinese (either script).
    Zh,
    /// English.
    En,
}

/// The language of a text: Chinese when Han characters make up at least a fifth of its
/// letters, English when it is mostly Latin letters, `None` otherwise (empty, other scripts).
pub fn detect_lang(text: &str) -> Option<Lang> {
    let mut counts = LetterCounts::default();
    for (n, (at, c)) in text.char_indices().take(20_000).enumerate() {
        counts.add(c);
        let LetterCounts { han, latin, other } = counts;
        // Done once the rest cannot outweigh the Han characters: each byte left adds at
        // most half to `latin / 3 + other` (a letter of another script takes two bytes, a
        // Latin one adds a third), and the floor of `latin / 3` at most one more. A Chinese
        // text is decided about a third of the way in (detection was 6 % of an ingest).
        if n % 64 == 63 && han > 0 && 4 * han > latin / 3 + other + (text.len() - at) / 2 + 1 {
            return Some(Lang::Zh);
        }
    }
    counts.lang()
}

/// Letters of a text by script, as [`detect_lang`] counts them.
#[derive(Clone, Copy, Default)]
struct LetterCounts {
    han: usize,
    latin: usize,
    other: usize,
}

impl LetterCounts {
    fn add(&mut self, c: char) {
        if is_han(c) {
            self.han += 1;
        } else if c.is_ascii_alphabetic() {
            self.latin += 1;
        } else if !c.is_ascii() && !is_punctuation(c) && c.is_alphabetic() {
            self.other += 1;
        }
    }

    fn lang(self) -> Option<Lang> {
        let LetterCounts { han, latin, other } = self;
        // A Han character carries about as much as a 3-letter English word piece.
        if han > 0 && han * 5 >= han + latin / 3 + other {
            Some(Lang::Zh)
        } else if latin >= 20 && latin * 4 >= (han + latin + other) * 3 {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// Punctuation of Chinese text, none of it alphabetic: answered without the Unicode tables,
/// which `char::is_alphabetic` searches for every character outside ASCII (a tenth of reading
/// a JSONL dump went to telling `，` and `。` from letters).
fn is_punctuation(c: char) -> bool {
    matches!(c,
        '\u{2000}'..='\u{206F}' // general punctuation: “ ” — … ·
        | '\u{3000}'..='\u{3004}' // 　、。〃〄
        | '\u{3008}'..='\u{3020}' // 〈〉《》「」『』【】〔〕…
        | '\u{FF01}'..='\u{FF20}' // ！（），．：；？ and full-width digits
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

impl Lang {
    /// 0 for Chinese, 1 for English: an index into per-language tables (`1 - i` is the other).
    pub fn index(self) -> usize {
        match self {
            Lang::Zh => 0,
            Lang::En => 1,
        }
    }

    /// The language of a language tag (`zh`, `zh-Hant`, `en`, `en-US`…), if it is one of the two.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Days since 1970-01-01 of a date that begins `YYYY-MM-DD`, for the date window.
pub fn days(date: &str) -> Option<i32> {
    let mut it = date.get(..10)?.split('-');
    let (y, m, d): (i32, i32, i32) = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // civil-from-days inverse (H. Hinnant)
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

// ---------------------------------------------------------------------------------------------
// Terms

/// Kinds of anchor terms, hashed in with the text so that they never collide.
const WORD: u8 = b'w';
const PINYIN: u8 = b'p';
const NUMBER: u8 = b'n';
const MONTH: u8 = b'm';
const DATE: u8 = b'd';
const ZH_WORD: u8 = b'z';

const FNV0: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, 64 bits, continued from `h`: stable across runs and platforms, and streaming, so
/// that the pinyin of a window is hashed without building its string.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn term(kind: u8, s: &str) -> u64 {
    fnv(fnv(FNV0, &[kind]), s.as_bytes())
}

/// Hasher for keys that are already hashes.
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv(self.0, bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type IdMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<IdHasher>>;

fn number_term(v: f64) -> u64 {
    term(NUMBER, &format_number(v))
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{:.4}", v);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "etc",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "s",
    "t",
    "said",
    "says",
    "say",
    "sb",
    "sth",
    "esp",
    "fig",
    "lit",
    "used",
    "may",
    "might",
    "must",
    "shall",
];

static STOP: LazyLock<HashSet<&'static str>> = LazyLock::new(|| STOPWORDS.iter().copied().collect());

/// Light English stemming, the same for text and glosses: plural and verb endings off, then a
/// final `e` and a doubled final consonant (`increased`, `increasing`, `increases` →
/// `increas`; `stopped` → `stop`; `cities` → `city`).
pub fn stem(word: &str) -> String {
    let w = word;
    let n = w.len();
    let mut s: &str = w;
    let owned;
    if n > 4 && w.ends_with("ies") {
        owned = format!("{}y", &w[..n - 3]);
        return owned;
    }
    if n > 4 && (w.ends_with("sses") || w.ends_with("xes") || w.ends_with("ches") || w.ends_with("shes")) {
        s = &w[..n - 2];
    } else if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        s = &w[..n - 1];
    } else if n > 5 && w.ends_with("ing") {
        s = &w[..n - 3];
    } else if n > 4 && w.ends_with("ed") && !w.ends_with("eed") {
        s = &w[..n - 2];
    }
    let mut out = s.to_string();
    if out.len() > 3 && out.ends_with('e') {
        out.pop();
    }
    let b = out.as_bytes();
    if b.len() > 3 && b[b.len() - 1] == b[b.len() - 2] && !b"aeioulsz".contains(&b[b.len() - 1]) {
        out.pop();
    }
    out
}

fn word_term(word: &str) -> Option<u64> {
    if STOP.contains(word) || word.is_empty() || word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(term(WORD, &stem(word)))
}

// ---------------------------------------------------------------------------------------------
// Dictionary

struct Entry {
    /// Toneless readings, joined syllables; the first is the usual one.
    readings: Vec<Box<str>>,
    /// The reading as a surname, for single characters that are surnames.
    surname: Option<Box<str>>,
    /// Whether CC-CEDICT capitalizes a reading (a proper noun).
    proper: bool,
    /// Gloss word terms, stopwords dropped, sorted.
    glosses: Vec<u64>,
    /// `term(PINYIN, r)` of each reading.
    pinyin_terms: Vec<u64>,
}

/// Longest headword looked up when segmenting (longer proper nouns are not matched).
const MAX_LOOKUP: usize = 8;
/// Index value of a proper prefix of headwords that is not a headword itself.
const PREFIX: u32 = u32::MAX;

struct Dict {
    entries: Vec<Entry>,
    /// FNV hash of a headword (simplified or traditional) → its entry, or [`PREFIX`] for a
    /// string that only begins headwords (segmenting stops looking where nothing begins).
    index: IdMap<u32>,
    /// Toneless pinyin syllables.
    syllables: HashSet<Box<str>>,
    /// Words of glosses of common (not proper) entries: ordinary English vocabulary.
    vocabulary: HashSet<Box<str>>,
}

static DICT_GZ: &[u8] = include_bytes!("../data/cedict.tsv.gz");
static DICT: LazyLock<Dict> = LazyLock::new(Dict::load);

impl Dict {
    fn load() -> Dict {
        let mut text = String::new();
        flate2::read::GzDecoder::new(DICT_GZ)
            .read_to_string(&mut text)
            .expect("embedded cedict.tsv.gz is valid");
        let mut entries = Vec::with_capacity(130_000);
        let mut index: IdMap<u32> = IdMap::default();
        let mut alias = Vec::new();
        let mut syllables = HashSet::new();
        let mut vocabulary = HashSet::new();
        for line in text.lines() {
            let mut f = line.split('\t');
            let (Some(word), Some(readings)) = (f.next(), f.next()) else {
                continue;
            };
            if let Some(simp) = readings.strip_prefix('=') {
                alias.push((word, simp));
                continue;
            }
            let surname = f.next().filter(|s| !s.is_empty()).map(Box::from);
            let gloss = f.next().unwrap_or("");
            let proper = readings.starts_with('*');
            let readings: Vec<Box<str>> = readings.split(' ').map(|r| r.trim_start_matches('*').into()).collect();
            let chars = word.chars().count();
            if chars == 1 {
                syllables.extend(readings.iter().cloned());
            }
            if !proper {
                vocabulary.extend(gloss.split(' ').filter(|w| !w.is_empty()).map(Box::from));
            }
            let mut glosses: Vec<u64> = gloss.split(' ').filter_map(word_term).collect();
            glosses.sort_unstable();
            glosses.dedup();
            let pinyin_terms = readings.iter().map(|r| term(PINYIN, r)).collect();
            index.insert(fnv(FNV0, word.as_bytes()), entries.len() as u32);
            entries.push(Entry {
                readings,
                surname,
                proper,
                glosses,
                pinyin_terms,
            });
        }
        let mut heads: Vec<&str> = Vec::new();
        for (trad, simp) in alias {
            if let Some(&e) = index.get(&fnv(FNV0, simp.as_bytes())) {
                index.entry(fnv(FNV0, trad.as_bytes())).or_insert(e);
                heads.push(trad);
            }
        }
        heads.extend(text.lines().filter_map(|l| l.split('\t').next()));
        for w in heads {
            let mut h = FNV0;
            for (n, c) in w.chars().enumerate().take(MAX_LOOKUP) {
                let mut b = [0u8; 4];
                if n > 0 {
                    index.entry(h).or_insert(PREFIX);
                }
                h = fnv(h, c.encode_utf8(&mut b).as_bytes());
            }
        }
        Dict {
            entries,
            index,
            syllables,
            vocabulary,
        }
    }

    fn get(&self, word: &str) -> Option<&Entry> {
        self.lookup(fnv(FNV0, word.as_bytes()))
    }

    fn lookup(&self, hash: u64) -> Option<&Entry> {
        self.index
            .get(&hash)
            .filter(|&&i| i != PREFIX)
            .map(|&i| &self.entries[i as usize])
    }

    /// Whether `s` (lowercase ASCII) reads as `min`+ pinyin syllables.
    fn is_pinyin(&self, s: &str, min: usize) -> bool {
        let b = s.as_bytes();
        // best[i]: fewest syllables covering b[..i] (usize::MAX when none).
        let mut best = vec![usize::MAX; b.len() + 1];
        best[0] = 0;
        for i in 0..b.len() {
            if best[i] == usize::MAX {
                continue;
            }
            for j in i + 1..=(i + 6).min(b.len()) {
                if self.syllables.contains(&s[i..j]) {
                    best[j] = best[j].min(best[i] + 1);
                }
            }
        }
        // Count the most syllables instead would favour "xi an"; the fewest is enough to know
        // the word is pinyin, and a two-syllable minimum rules out most English words.
        best[b.len()] != usize::MAX && max_syllables(self, s) >= min
    }
}

fn max_syllables(d: &Dict, s: &str) -> usize {
    let b = s.as_bytes();
    let mut most = vec![0usize; b.len() + 1];
    let mut ok = vec![false; b.len() + 1];
    ok[0] = true;
    for i in 0..b.len() {
        if !ok[i] {
            continue;
        }
        for j in i + 1..=(i + 6).min(b.len()) {
            if d.syllables.contains(&s[i..j]) {
                ok[j] = true;
                most[j] = most[j].max(most[i] + 1);
            }
        }
    }
    most[b.len()]
}

/// The toneless pinyin of a Chinese word or name, syllables joined: CC-CEDICT's reading of the
/// whole word when it has one (重庆 → `chongqing`), else the usual reading of each character
/// (the surname reading for the first character when `as_name`: 曾国 → `zengguo`).
pub fn pinyin(word: &str, as_name: bool) -> String {
    let d = &*DICT;
    if let Some(e) = d.get(word) {
        if !(as_name && word.chars().count() == 1 && e.surname.is_some()) {
            return e.readings[0].to_string();
        }
    }
    let mut out = String::new();
    for (i, c) in word.chars().enumerate() {
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf);
        match d.get(s) {
            Some(e) if i == 0 && as_name && e.surname.is_some() => out.push_str(e.surname.as_deref().unwrap()),
            Some(e) => out.push_str(&e.readings[0]),
            None => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Projection

/// One thing a document says that a translation should say too.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    /// The unit's identity within its language (an English term, a Chinese word, a number).
    pub key: u64,
    /// The terms that match it in a document of the other language (sorted).
    pub alts: Vec<u64>,
}

/// A document projected into anchor terms.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Projection {
    /// Language of the document.
    pub lang: Lang,
    /// What the document says, each matched against the other document's `terms`.
    pub units: Vec<Unit>,
    /// Every term the document can be matched on (sorted, distinct): the alternatives of its
    /// units and, for Chinese, the pinyin of its Han runs.
    pub terms: Vec<u64>,
    /// Length: Han characters of a Chinese text, words of an English one.
    pub size: u32,
}

/// Projects a text of the given language into anchor terms.
pub fn project(text: &str, lang: Lang) -> Projection {
    match lang {
        Lang::Zh => project_zh(text),
        Lang::En => project_en(text),
    }
}

fn finish(lang: Lang, mut units: Vec<Unit>, extra: Vec<u64>, size: usize) -> Projection {
    units.sort_by_key(|u| u.key);
    units.dedup_by_key(|u| u.key);
    let mut terms: Vec<u64> = units.iter().flat_map(|u| u.alts.iter().copied()).chain(extra).collect();
    terms.sort_unstable();
    terms.dedup();
    Projection {
        lang,
        units,
        terms,
        size: size.min(u32::MAX as usize) as u32,
    }
}

const ZH_DIGITS: &str = "零〇一二三四五六七八九十百千万亿两";
/// Characters after which a lone Chinese numeral is a quantity (三个, 两名).
const CLASSIFIERS: &str = "个名人位家次年天岁项条种件所座月日号倍届期批只台辆架艘户元亿万";

fn zh_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Value of a run of Chinese numerals: 三十 → 30, 一百二十五 → 125, 二〇一六 → 2016,
/// 三万五千 → 35000, 1.2 亿 handled by the caller.
pub fn parse_zh_number(s: &str) -> Option<f64> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return None;
    }
    if chars.len() > 1 && chars.iter().all(|&c| zh_digit(c).is_some() && c != '两') {
        // Digit by digit: 二〇一六.
        return chars
            .iter()
            .try_fold(0f64, |v, &c| Some(v * 10.0 + zh_digit(c)? as f64));
    }
    let (mut total, mut section, mut digit) = (0f64, 0f64, None::<u64>);
    for &c in &chars {
        if let Some(d) = zh_digit(c) {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10.0,
            '百' => 100.0,
            '千' => 1000.0,
            '万' => 1e4,
            '亿' => 1e8,
            _ => return None,
        };
        if unit >= 1e4 {
            section += digit.take().unwrap_or(0) as f64;
            if section == 0.0 {
                section = 1.0;
            }
            total = (total + section) * unit;
            section = 0.0;
        } else {
            section += digit.take().unwrap_or(1) as f64 * unit;
        }
    }
    Some(total + section + digit.unwrap_or(0) as f64)
}

/// Numbers, months and dates of a Chinese text (width-folded first), as terms.
fn zh_numbers(chars: &[char], out: &mut Vec<u64>) {
    let mut i = 0;
    let mut month: Option<(u32, usize)> = None; // (month, index just after 月)
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let mut value = None;
        if c.is_ascii_digit() {
            let mut s = String::new();
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || ((chars[i] == '.' || chars[i] == ',')
                        && i + 1 < chars.len()
                        && chars[i + 1].is_ascii_digit()
                        && i > start))
            {
                if chars[i] != ',' {
                    s.push(chars[i]);
                }
                i += 1;
            }
            value = s.parse::<f64>().ok();
            // 2.5万, 3千, 1.2亿, 80多万
            let mut j = i;
            if j < chars.len() && matches!(chars[j], '多' | '余') {
                j += 1;
            }
            if let (Some(v), Some(&m)) = (value, chars.get(j)) {
                let mul = match m {
                    '千' => 1e3,
                    '万' => 1e4,
                    '亿' => 1e8,
                    _ => 0.0,
                };
                if mul > 0.0 {
                    let mut v = v * mul;
                    let mut k = j + 1;
                    if m == '万' && chars.get(k) == Some(&'亿') {
                        v *= 1e8;
                        k += 1;
                    }
                    value = Some((v * 1e6).round() / 1e6);
                    i = k;
                }
            }
        } else if ZH_DIGITS.contains(c) {
            while i < chars.len() && ZH_DIGITS.contains(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let first = chars[start];
            let next = chars.get(i).copied();
            let ok = if matches!(first, '万' | '亿' | '千' | '百') {
                false
            } else if i - start == 1 {
                first == '十' || next.is_some_and(|n| CLASSIFIERS.contains(n))
            } else {
                // 一一, 一些 are not numbers; a run of two plain digits is often a word (一二).
                run.chars().any(|c| "十百千万亿".contains(c))
                    || i - start >= 3
                    || next.is_some_and(|n| CLASSIFIERS.contains(n))
            };
            if ok {
                value = parse_zh_number(&run);
            }
        } else {
            i += 1;
            continue;
        }
        let Some(v) = value else { continue };
        let next = chars.get(i).copied();
        if next == Some('月') && (1.0..=12.0).contains(&v) && v.fract() == 0.0 {
            out.push(term(MONTH, &format_number(v)));
            month = Some((v as u32, i + 1));
            i += 1;
            continue;
        }
        if matches!(next, Some('日') | Some('号')) && (1.0..=31.0).contains(&v) && v.fract() == 0.0 {
            if let Some((m, after)) = month {
                if after == start {
                    out.push(term(DATE, &format!("{}-{}", m, v as u32)));
                }
            }
            i += 1;
        }
        out.push(number_term(v));
    }
}

fn project_zh(text: &str) -> Projection {
    let d = &*DICT;
    let chars: Vec<char> = text.chars().filter_map(crate::normalize::fold_width).collect();
    let mut units: Vec<Unit> = Vec::new();
    let mut extra: Vec<u64> = Vec::with_capacity(chars.len() * 4);

    let mut numbers = Vec::new();
    zh_numbers(&chars, &mut numbers);
    for n in numbers {
        units.push(Unit { key: n, alts: vec![n] });
    }

    let mut i = 0;
    // Per position of a Han run: the entries of the words starting there, by length.
    let mut found: Vec<[Option<u32>; MAX_LOOKUP + 1]> = Vec::new();
    // Entries already made units (a word counts once).
    let mut seen: HashSet<u32, std::hash::BuildHasherDefault<IdHasher>> = HashSet::default();
    let pinyin0 = fnv(FNV0, &[PINYIN]);
    while i < chars.len() {
        if !is_han(chars[i]) {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len() && is_han(chars[end]) {
            end += 1;
        }
        let run = &chars[i..end];
        found.clear();
        for a in 0..run.len() {
            let mut row = [None; MAX_LOOKUP + 1];
            let mut h = FNV0;
            for len in 1..=MAX_LOOKUP.min(run.len() - a) {
                let mut b = [0u8; 4];
                h = fnv(h, run[a + len - 1].encode_utf8(&mut b).as_bytes());
                match d.index.get(&h) {
                    None => break,
                    Some(&PREFIX) => {}
                    Some(&e) => row[len] = Some(e),
                }
            }
            found.push(row);
        }
        let entry = |ix: Option<u32>| ix.map(|e| &d.entries[e as usize]);
        // Pinyin of every 2–4-character window: names, romanized.
        for a in 0..run.len() {
            for len in 2..=4.min(run.len() - a) {
                if let Some(e) = entry(found[a][len]) {
                    extra.extend(&e.pinyin_terms);
                } else {
                    let mut h = pinyin0;
                    for row in &found[a..a + len] {
                        if let Some(e) = entry(row[1]) {
                            h = fnv(h, e.readings[0].as_bytes());
                        }
                    }
                    extra.push(h);
                }
                if let Some(e) = entry(found[a][1]) {
                    if let Some(s) = e.surname.as_deref().filter(|s| *s != &*e.readings[0]) {
                        let mut h = fnv(pinyin0, s.as_bytes());
                        for row in &found[a + 1..a + len] {
                            if let Some(e) = entry(row[1]) {
                                h = fnv(h, e.readings[0].as_bytes());
                            }
                        }
                        extra.push(h);
                    }
                }
            }
        }
        // Words by forward maximum matching; each stands for its glosses.
        let mut a = 0;
        while a < run.len() {
            let len = (1..=MAX_LOOKUP).rev().find(|&l| found[a][l].is_some()).unwrap_or(1);
            let ix = found[a][len];
            if let Some(e) = entry(ix).filter(|_| seen.insert(ix.unwrap_or(PREFIX))) {
                let mut alts = e.glosses.clone();
                if e.proper && len >= 2 {
                    alts.extend(&e.pinyin_terms);
                }
                if !alts.is_empty() {
                    alts.sort_unstable();
                    alts.dedup();
                    let key = found[a][len].map_or(0, |e| e as u64);
                    units.push(Unit {
                        key: fnv(fnv(FNV0, &[ZH_WORD]), &key.to_le_bytes()),
                        alts,
                    });
                }
            }
            a += len;
        }
        i = end;
    }
    let han = chars.iter().filter(|&&c| is_han(c)).count();
    finish(Lang::Zh, units, extra, han)
}

struct Token {
    text: String,
    capital: bool,
}

fn en_tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        let capital = c.is_uppercase();
        let mut s = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c.is_alphanumeric() {
                s.extend(c.to_lowercase());
            } else if (c == '.' || c == ',')
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
                && s.bytes().last().is_some_and(|b| b.is_ascii_digit())
            {
                if c == '.' {
                    s.push('.');
                }
            } else if matches!(c, '\'' | '’') && chars.get(i + 1).is_some_and(|n| n.is_alphabetic()) {
                // Xi'an → xian; China's → china
                if chars.get(i + 1).is_some_and(|n| *n == 's' || *n == 'S')
                    && !chars.get(i + 2).is_some_and(|n| n.is_alphanumeric())
                {
                    i += 2;
                    break;
                }
            } else {
                break;
            }
            i += 1;
        }
        out.push(Token { text: s, capital });
    }
    out
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_of(w: &str) -> Option<u32> {
    if let Some(m) = MONTHS.iter().position(|m| *m == w) {
        return Some(m as u32 + 1);
    }
    let m = match w {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" | "sept" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(m)
}

fn word_number(w: &str) -> Option<f64> {
    const SMALL: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(i) = SMALL.iter().position(|s| *s == w) {
        return Some(i as f64);
    }
    TENS.iter().position(|s| *s == w).map(|i| (i as f64 + 2.0) * 10.0)
}

fn multiplier(w: &str) -> Option<f64> {
    Some(match w {
        "hundred" => 1e2,
        "thousand" => 1e3,
        "million" | "millions" | "mln" => 1e6,
        "billion" | "billions" | "bln" => 1e9,
        "trillion" => 1e12,
        _ => return None,
    })
}

fn digit_value(w: &str) -> Option<f64> {
    let w = w
        .strip_suffix("st")
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))
        .or_else(|| w.strip_suffix("th"))
        .or_else(|| w.strip_suffix('s'))
        .unwrap_or(w);
    if !w.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    w.parse().ok()
}

fn project_en(text: &str) -> Projection {
    let d = &*DICT;
    let tokens = en_tokens(text);
    let mut terms: Vec<u64> = Vec::new();
    // Numbers and dates.
    let mut i = 0;
    while i < tokens.len() {
        let w = tokens[i].text.as_str();
        let mut value = digit_value(w);
        if value.is_none() {
            if let Some(v) = word_number(w) {
                // twenty-five → 25
                let mut v = v;
                if v >= 20.0 {
                    if let Some(u) = tokens
                        .get(i + 1)
                        .and_then(|t| word_number(&t.text))
                        .filter(|u| *u < 10.0)
                    {
                        v += u;
                        i += 1;
                    }
                }
                value = Some(v);
            }
        }
        if let Some(mut v) = value {
            if let Some(m) = tokens.get(i + 1).and_then(|t| multiplier(&t.text)) {
                v *= m;
                i += 1;
                if let Some(m2) = tokens.get(i + 1).and_then(|t| multiplier(&t.text)).filter(|m2| *m2 > m) {
                    v *= m2;
                    i += 1;
                }
            }
            terms.push(number_term((v * 1e6).round() / 1e6));
            // 20 March
            if (1.0..=31.0).contains(&v) && v.fract() == 0.0 {
                if let Some(m) = tokens.get(i + 1).and_then(|t| month_of(&t.text)) {
                    terms.push(term(DATE, &format!("{}-{}", m, v as u32)));
                }
            }
            i += 1;
            continue;
        }
        if let Some(m) = month_of(w).filter(|_| w != "may" || tokens[i].capital) {
            terms.push(term(MONTH, &m.to_string()));
            if let Some(day) = tokens.get(i + 1).and_then(|t| digit_value(&t.text)) {
                if (1.0..=31.0).contains(&day) && day.fract() == 0.0 {
                    terms.push(term(DATE, &format!("{}-{}", m, day as u32)));
                }
            }
        }
        i += 1;
    }
    // Words and pinyin names.
    let mut run = String::new();
    let mut run_len = 0;
    let flush = |run: &mut String, run_len: &mut usize, terms: &mut Vec<u64>| {
        if *run_len >= 2 {
            terms.push(term(PINYIN, run));
        }
        run.clear();
        *run_len = 0;
    };
    for t in &tokens {
        let w = t.text.as_str();
        if w.bytes().any(|b| b.is_ascii_digit()) {
            flush(&mut run, &mut run_len, &mut terms);
            continue;
        }
        if let Some(x) = word_term(w) {
            terms.push(x);
        }
        let pinyin_like = t.capital && w.is_ascii() && d.is_pinyin(w, 1);
        if pinyin_like {
            if !d.vocabulary.contains(w) && d.is_pinyin(w, 2) {
                terms.push(term(PINYIN, w));
            }
            run.push_str(w);
            run_len += 1;
        } else {
            flush(&mut run, &mut run_len, &mut terms);
        }
    }
    flush(&mut run, &mut run_len, &mut terms);
    let units = terms.iter().map(|&t| Unit { key: t, alts: vec![t] }).collect();
    finish(Lang::En, units, Vec::new(), tokens.len())
}

// ---------------------------------------------------------------------------------------------
// Linking

/// Parameters of translation linking.
#[derive(Clone, Debug)]
pub struct TranslationParams {
    /// Score (harmonic mean of the two weighted coverages) at or above which a pair is a
    /// translation.
    pub threshold: f64,
    /// Also required: the pair's score is at least this share of the best score either
    /// document has with any candidate (a document's translations score alike; a
    /// merely related article scores well below them). Measured: 0.5 and 0.6 let 7 and 2
    /// false edges through when translations-dev is mixed into reprints-dev, 0.7–0.8 none
    /// with every true edge kept, 0.9 loses 8 true edges.
    pub relative: f64,
    /// Two documents whose dates are both known are compared only within this many days.
    pub date_window: i32,
    /// Rarest terms of each document put in the candidate index.
    pub index_terms: usize,
    /// Index hits (in either direction) a pair needs to become a candidate.
    pub min_hits: usize,
}

impl Default for TranslationParams {
    fn default() -> Self {
        TranslationParams {
            threshold: 0.3,
            relative: 0.75,
            date_window: 3,
            index_terms: 16,
            min_hits: 2,
        }
    }
}

/// A translation edge between a Chinese and an English document (indices into the slice
/// given to [`TranslationLinker::new`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TranslationPair {
    /// Index of the Chinese document.
    pub zh: usize,
    /// Index of the English document.
    pub en: usize,
    /// Its score.
    pub score: f64,
}

/// The corpus statistics that weigh units, and the candidate index.
pub struct TranslationLinker<'a> {
    docs: &'a [Projection],
    /// Per document, the weight of each unit (same order as `units`).
    weights: Vec<Vec<f32>>,
    /// Per document, its total unit weight.
    totals: Vec<f64>,
    /// Number of documents of each language whose terms hold a term (only terms that some
    /// unit of the other language can match are counted).
    df: IdMap<[u32; 2]>,
}

/// Han characters per English word in a translation (translations-dev: 1.2–1.45).
const HAN_PER_WORD: f64 = 1.35;
/// Length ratios within this factor of [`HAN_PER_WORD`] are not damped.
const LENGTH_SLACK: f64 = 1.5;

/// 1 when the Chinese length fits the English one as a translation's would, less the further
/// off the ratio is (a factor of 2 beyond the slack halves the score).
fn length_fit(a: &Projection, b: &Projection) -> f64 {
    let (zh, en) = if a.lang == Lang::Zh { (a, b) } else { (b, a) };
    let ratio = (zh.size.max(1) as f64 / en.size.max(1) as f64) / HAN_PER_WORD;
    let off = ratio.ln().abs() - LENGTH_SLACK.ln();
    if off <= 0.0 {
        1.0
    } else {
        (-off).exp()
    }
}

impl<'a> TranslationLinker<'a> {
    /// Counts how many documents of each language hold each term and weighs every unit by
    /// how rarely it matches a document of the other language.
    pub fn new(docs: &'a [Projection]) -> Self {
        let mut n = [0u32; 2];
        // Terms worth counting: those that some unit can match.
        let mut df: IdMap<[u32; 2]> = IdMap::default();
        for p in docs {
            n[p.lang.index()] += 1;
            for u in &p.units {
                for &a in &u.alts {
                    df.entry(a).or_insert([0, 0]);
                }
            }
        }
        for p in docs {
            let l = p.lang.index();
            for t in &p.terms {
                if let Some(c) = df.get_mut(t) {
                    c[l] += 1;
                }
            }
        }
        let mut weights = Vec::with_capacity(docs.len());
        let mut totals = Vec::with_capacity(docs.len());
        for p in docs {
            let other = 1 - p.lang.index();
            let n_other = n[other] as f64;
            let floor = 1.0 / (n_other + 1.0);
            let w: Vec<f32> = p
                .units
                .iter()
                .map(|u| {
                    // Probability that a document of the other language matches the unit.
                    let miss: f64 = u
                        .alts
                        .iter()
                        .map(|a| 1.0 - df[a][other] as f64 / n_other.max(1.0))
                        .product();
                    let prob = (1.0 - miss).max(floor);
                    (-prob.ln()) as f32
                })
                .collect();
            totals.push(w.iter().map(|&x| x as f64).sum());
            weights.push(w);
        }
        TranslationLinker {
            docs,
            weights,
            totals,
            df,
        }
    }

    fn coverage(&self, a: usize, b: usize) -> f64 {
        let (pa, pb) = (&self.docs[a], &self.docs[b]);
        if self.totals[a] <= 0.0 {
            return 0.0;
        }
        let mut hit = 0.0;
        for (u, &w) in pa.units.iter().zip(&self.weights[a]) {
            if w > 0.0 && u.alts.iter().any(|t| pb.terms.binary_search(t).is_ok()) {
                hit += w as f64;
            }
        }
        hit / self.totals[a]
    }

    /// The two coverages of a pair: the share of `a`'s unit weight matched by `b`'s terms and
    /// the other way round.
    pub fn coverages(&self, a: usize, b: usize) -> (f64, f64) {
        (self.coverage(a, b), self.coverage(b, a))
    }

    /// Score of a pair: the smaller of the two weighted coverages (each side's units matched by
    /// the other side's terms), damped when the lengths do not fit a translation; 0 for two
    /// documents of one language.
    pub fn score(&self, a: usize, b: usize) -> f64 {
        if self.docs[a].lang == self.docs[b].lang {
            return 0.0;
        }
        let (x, y) = (self.coverage(a, b), self.coverage(b, a));
        x.min(y) * length_fit(&self.docs[a], &self.docs[b])
    }

    /// Candidate pairs (Chinese index, English index) from an inverted index over each
    /// document's `index_terms` rarest matchable terms: a pair is a candidate when the terms of
    /// one hold at least `min_hits` of the indexed terms of the other (counted both ways), and
    /// their dates (days, when both known) are within `date_window`.
    pub fn candidates(&self, dates: &[Option<i32>], params: &TranslationParams) -> Vec<(usize, usize)> {
        // Postings per language of the indexed document: a document only looks up the other
        // language's (same-language lists grow with the corpus and were all skipped: a
        // quadratic cost on a large Chinese archive with a few English articles).
        let mut index: [IdMap<Vec<u32>>; 2] = Default::default();
        for (i, p) in self.docs.iter().enumerate() {
            let other = 1 - p.lang.index();
            let mut rare: Vec<(u32, u64)> = p
                .units
                .iter()
                .flat_map(|u| u.alts.iter())
                .filter_map(|t| {
                    let c = self.df.get(t)?;
                    (c[other] > 0).then_some((c[0] + c[1], *t))
                })
                .collect();
            rare.sort_unstable();
            rare.dedup();
            for &(_, t) in rare.iter().take(params.index_terms) {
                index[p.lang.index()].entry(t).or_default().push(i as u32);
            }
        }
        let mut hits: IdMap<u32> = IdMap::default();
        for (i, p) in self.docs.iter().enumerate() {
            let other = &index[1 - p.lang.index()];
            for t in &p.terms {
                if let Some(post) = other.get(t) {
                    for &j in post {
                        let (z, e) = if p.lang == Lang::Zh {
                            (i as u64, j as u64)
                        } else {
                            (j as u64, i as u64)
                        };
                        *hits.entry(z << 32 | e).or_default() += 1;
                    }
                }
            }
        }
        let mut out: Vec<(usize, usize)> = hits
            .into_iter()
            .filter(|&(_, h)| h as usize >= params.min_hits)
            .map(|(key, _)| ((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize))
            .filter(
                |&(z, e)| match (dates.get(z).copied().flatten(), dates.get(e).copied().flatten()) {
                    (Some(a), Some(b)) => (a - b).abs() <= params.date_window,
                    _ => true,
                },
            )
            .collect();
        out.sort_unstable();
        out
    }

    /// Translation pairs: candidates scored, kept at or above `threshold` and within
    /// `relative` of the best score of either document.
    pub fn link(&self, dates: &[Option<i32>], params: &TranslationParams) -> Vec<TranslationPair> {
        self.select(self.candidates(dates, params), params)
    }

    /// Scores candidate pairs (Chinese index, English index) and keeps those at or above
    /// `threshold` and within `relative` of the best score either document has among them.
    pub fn select(&self, candidates: Vec<(usize, usize)>, params: &TranslationParams) -> Vec<TranslationPair> {
        let scored: Vec<TranslationPair> = candidates
            .into_iter()
            .map(|(zh, en)| TranslationPair {
                zh,
                en,
                score: self.score(zh, en),
            })
            .filter(|p| p.score >= params.threshold)
            .collect();
        let mut best = vec![0f64; self.docs.len()];
        for p in &scored {
            best[p.zh] = best[p.zh].max(p.score);
            best[p.en] = best[p.en].max(p.score);
        }
        scored
            .into_iter()
            .filter(|p| p.score >= params.relative * best[p.zh].max(best[p.en]))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Paragraph alignment

/// A row of a zh/en alignment: paragraphs of one text (a byte range over one or more
/// consecutive lines) and their counterpart in the other; `None` where a side has none.
#[derive(Clone, Debug, PartialEq)]
pub struct AlignedRow {
    /// Bytes of the Chinese text.
    pub zh: Option<std::ops::Range<usize>>,
    /// Bytes of the English text.
    pub en: Option<std::ops::Range<usize>>,
    /// Score of the pair (harmonic mean of the two coverages); 0 for a one-sided row.
    pub score: f64,
}

/// Non-blank lines of a text, as byte ranges without their line ends.
fn lines(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut pos = 0;
    for l in text.split_inclusive('\n') {
        let t = l.trim_end_matches(['\n', '\r']);
        if !t.trim().is_empty() {
            out.push(pos..pos + t.len());
        }
        pos += l.len();
    }
    out
}

/// Lowest score at which two paragraphs are aligned.
const ALIGN_MIN: f64 = 0.08;
/// Share of a left-over paragraph's weight that a neighbouring row's other side must cover
/// for the paragraph to join that row (a translator split or merged paragraphs).
const ALIGN_JOIN: f64 = 0.3;

/// Aligns the paragraphs of a Chinese text and its English version in order, by the anchors
/// they share (names, numbers, glossed words, weighed by how few paragraphs hold them): a
/// monotone alignment maximizing the summed scores, then paragraphs left over joined to the
/// neighbouring row that covers them (one paragraph translated as two).
pub fn align(zh: &str, en: &str) -> Vec<AlignedRow> {
    let (lz, le) = (lines(zh), lines(en));
    let mut paras: Vec<Projection> = lz.iter().map(|r| project(&zh[r.clone()], Lang::Zh)).collect();
    paras.extend(le.iter().map(|r| project(&en[r.clone()], Lang::En)));
    let linker = TranslationLinker::new(&paras);
    let (n, m) = (lz.len(), le.len());
    let sim = |i: usize, j: usize| {
        let (x, y) = linker.coverages(i, n + j);
        if x + y > 0.0 {
            2.0 * x * y / (x + y)
        } else {
            0.0
        }
    };
    let s: Vec<Vec<f64>> = (0..n).map(|i| (0..m).map(|j| sim(i, j)).collect()).collect();
    // best[i][j]: best total over the first i and j paragraphs
    let mut best = vec![vec![0f64; m + 1]; n + 1];
    for i in 1..=n {
        for j in 1..=m {
            let pair = if s[i - 1][j - 1] >= ALIGN_MIN {
                best[i - 1][j - 1] + s[i - 1][j - 1]
            } else {
                f64::MIN
            };
            best[i][j] = pair.max(best[i - 1][j]).max(best[i][j - 1]);
        }
    }
    // Walk back: matched pairs, then every paragraph in order.
    let mut pairs = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        if best[i][j] == best[i - 1][j] {
            i -= 1;
        } else if best[i][j] == best[i][j - 1] {
            j -= 1;
        } else {
            pairs.push((i - 1, j - 1));
            i -= 1;
            j -= 1;
        }
    }
    pairs.reverse();
    // Rows: (zh paragraphs, en paragraphs, score); left-overs join a neighbour that covers them.
    let mut rows: Vec<(Vec<usize>, Vec<usize>, f64)> =
        pairs.iter().map(|&(i, j)| (vec![i], vec![j], s[i][j])).collect();
    let mut alone: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    let row_of = |pairs: &[(usize, usize)], zh_side: bool, k: usize| {
        // rows before and after paragraph k of its side
        let at = pairs.partition_point(|&(i, j)| if zh_side { i < k } else { j < k });
        (at.checked_sub(1), (at < pairs.len()).then_some(at))
    };
    for (zh_side, count) in [(true, n), (false, m)] {
        for k in 0..count {
            if pairs.iter().any(|&(i, j)| if zh_side { i == k } else { j == k }) {
                continue;
            }
            let (before, after) = row_of(&pairs, zh_side, k);
            let cover = |r: usize| {
                let (i, j) = pairs[r];
                if zh_side {
                    linker.coverages(k, n + j).0
                } else {
                    linker.coverages(n + k, i).0
                }
            };
            let pick = [before, after]
                .into_iter()
                .flatten()
                .map(|r| (cover(r), r))
                .filter(|&(c, _)| c >= ALIGN_JOIN)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match pick {
                Some((_, r)) if zh_side => rows[r].0.push(k),
                Some((_, r)) => rows[r].1.push(k),
                None if zh_side => alone.push((Some(k), None)),
                None => alone.push((None, Some(k))),
            }
        }
    }
    let span = |ranges: &[std::ops::Range<usize>], ks: &[usize]| {
        let lo = ks.iter().map(|&k| ranges[k].start).min()?;
        let hi = ks.iter().map(|&k| ranges[k].end).max()?;
        Some(lo..hi)
    };
    let mut out: Vec<AlignedRow> = rows
        .iter()
        .map(|(a, b, score)| AlignedRow {
            zh: span(&lz, a),
            en: span(&le, b),
            score: *score,
        })
        .chain(alone.into_iter().map(|(a, b)| AlignedRow {
            zh: a.map(|k| lz[k].clone()),
            en: b.map(|k| le[k].clone()),
            score: 0.0,
        }))
        .collect();
    // In reading order: by position on the Chinese side, English-only rows after the row
    // whose English precedes them.
    let key = |r: &AlignedRow| (r.zh.as_ref().map(|z| z.start), r.en.as_ref().map(|e| e.start));
    let mut placed: Vec<AlignedRow> = Vec::with_capacity(out.len());
    out.sort_by_key(|r| key(r));
    let (with_zh, en_only): (Vec<_>, Vec<_>) = out.into_iter().partition(|r| r.zh.is_some());
    let mut en_only = en_only.into_iter().peekable();
    for r in with_zh {
        // English-only rows that come before this row's English
        if let Some(e) = &r.en {
            while en_only.peek().is_some_and(|x| x.en.as_ref().unwrap().start < e.start) {
                placed.push(en_only.next().unwrap());
            }
        }
        placed.push(r);
    }
    placed.extend(en_only);
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(p: &Projection, t: u64) -> bool {
        p.terms.binary_search(&t).is_ok()
    }

    #[test]
    fn numbers_and_dates_meet_across_languages() {
        let zh = project(
            "去年3月20日，全市80多个社区共接待游客2.5万人次，增长百分之三十，投资1.2亿元。",
            Lang::Zh,
        );
        let en = project(
            "On March 20 last year, more than 80 communities received 25,000 visitors, up thirty percent, \
             with 120 million yuan invested.",
            Lang::En,
        );
        for t in [
            term(DATE, "3-20"),
            term(MONTH, "3"),
            number_term(20.0),
            number_term(80.0),
            number_term(25000.0),
            number_term(30.0),
            number_term(120_000_000.0),
        ] {
            assert!(has(&zh, t) && has(&en, t), "{t}: zh {} en {}", has(&zh, t), has(&en, t));
        }
        assert_eq!(parse_zh_number("二〇一六"), Some(2016.0));
        assert_eq!(parse_zh_number("一百二十五"), Some(125.0));
        assert_eq!(parse_zh_number("三万五千"), Some(35000.0));
        assert_eq!(parse_zh_number("十二"), Some(12.0));
        assert!(has(&project("20 March", Lang::En), term(DATE, "3-20")));
        assert!(has(&project("二〇一六年十二月五日", Lang::Zh), term(DATE, "12-5")));
        assert!(has(&project("２０１６年", Lang::Zh), number_term(2016.0)));
    }

    #[test]
    fn names_romanized_with_phrase_readings() {
        assert_eq!(pinyin("重庆", false), "chongqing");
        assert_eq!(pinyin("长沙", false), "changsha");
        assert_eq!(pinyin("习近平", false), "xijinping");
        assert_eq!(pinyin("曾", true), "zeng");
        assert_eq!(pinyin("曾小红", true), "zengxiaohong");
        let zh = project("成渝地区的曾小红和习近平在重庆见面。", Lang::Zh);
        let en = project(
            "Zeng Xiaohong met Xi Jinping in Chongqing, in the Chengdu-Chongqing region.",
            Lang::En,
        );
        for name in ["chongqing", "xijinping", "xiaohong", "zengxiaohong", "jinping"] {
            assert!(has(&en, term(PINYIN, name)), "en {name}");
            assert!(has(&zh, term(PINYIN, name)), "zh {name}");
        }
        // Ordinary capitalized English words are not taken for pinyin.
        let en = project("Women Change China", Lang::En);
        assert!(!has(&en, term(PINYIN, "women")));
    }

    #[test]
    fn stems_and_glosses_meet() {
        assert_eq!(stem("students"), "student");
        assert_eq!(stem("increased"), stem("increasing"));
        assert_eq!(stem("cities"), "city");
        let zh = project("学生", Lang::Zh);
        assert!(has(&zh, term(WORD, "student")));
    }

    #[test]
    fn translation_scores_above_unrelated_pairs() {
        let docs = [
            project(
                "长沙市昨天举行科技创新大会，300多名学生展示了机器人和环保发明。市长王建国说，今年全市将投资5亿元建设新的实验室。",
                Lang::Zh,
            ),
            project(
                "Changsha held a science and technology innovation conference yesterday, where more than 300 students \
                 showed robots and environmental inventions. Mayor Wang Jianguo said the city will invest 500 million \
                 yuan this year to build new laboratories.",
                Lang::En,
            ),
            project(
                "A storm brought heavy snow to the northern coast on Friday, closing two airports and cutting power \
                 to thousands of homes, the weather service said.",
                Lang::En,
            ),
            project("气象部门说，周五一场暴风雪给北部海岸带来大雪，两座机场关闭，数千户家庭断电。", Lang::Zh),
        ];
        let linker = TranslationLinker::new(&docs);
        let (good, bad1, bad2) = (linker.score(0, 1), linker.score(0, 2), linker.score(3, 1));
        assert!(
            good > 2.0 * bad1.max(bad2),
            "translation {good}, unrelated {bad1} {bad2}"
        );
        assert!(linker.score(3, 2) > linker.score(3, 1));
        assert_eq!(linker.score(1, 2), 0.0, "one language: never a translation");
        // Four documents give coarse weights (a unit matches 0, 1 or 2 of the other side's two
        // documents): a lower threshold than the corpus-measured default.
        let params = TranslationParams {
            threshold: 0.2,
            ..TranslationParams::default()
        };
        let pairs = linker.link(&[None; 4], &params);
        let got: Vec<(usize, usize)> = pairs.iter().map(|p| (p.zh, p.en)).collect();
        assert_eq!(got, vec![(0, 1), (3, 2)], "scores {:?} {}", pairs, linker.score(3, 2));
        // Outside the date window there is no candidate.
        let far = linker.link(&[Some(0), Some(30), Some(0), Some(0)], &params);
        assert!(far.iter().all(|p| (p.zh, p.en) != (0, 1)));
    }

    #[test]
    fn punctuation_is_never_alphabetic() {
        let ranges = [
            '\u{2000}'..='\u{206F}',
            '\u{3000}'..='\u{3020}',
            '\u{FF01}'..='\u{FF65}',
        ];
        for c in ranges.into_iter().flatten() {
            assert!(!(is_punctuation(c) && c.is_alphabetic()), "{c:?} is alphabetic");
        }
        assert!(is_punctuation('，') && is_punctuation('“') && is_punctuation('《'));
        assert!(
            !is_punctuation('〇') && !is_punctuation('Ａ'),
            "letters of those blocks"
        );
    }

    #[test]
    fn language_detection() {
        assert_eq!(detect_lang("长沙市昨天举行科技创新大会 (Changsha)"), Some(Lang::Zh));
        assert_eq!(
            detect_lang("Changsha held a science and technology conference."),
            Some(Lang::En)
        );
        assert_eq!(detect_lang(""), None);
    }

    /// [`detect_lang`] as it reads without stopping early: the reference it must agree with.
    fn detect_lang_reading_all(text: &str) -> Option<Lang> {
        let mut counts = LetterCounts::default();
        text.chars().take(20_000).for_each(|c| counts.add(c));
        counts.lang()
    }

    proptest::proptest! {
        #[test]
        fn stopping_early_never_changes_the_language(
            parts in proptest::collection::vec(("[一-龥]{0,200}", "[a-zA-Z ]{0,300}", "[а-яαβγ𠀀]{0,100}", "[，。 0-9]{0,20}"), 0..12),
        ) {
            // runs of each kind in turn: the kind that decides may come last
            let text: String = parts.iter().map(|(h, l, o, p)| format!("{h}{l}{o}{p}")).collect();
            proptest::prop_assert_eq!(detect_lang(&text), detect_lang_reading_all(&text));
        }
    }

    #[test]
    fn days_and_tags() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2000-03-01T08:00"), Some(11_017));
        assert_eq!(days("2024-02-30").map(|d| d - days("2024-02-28").unwrap()), Some(2));
        assert_eq!(days("2024-13-01"), None);
        assert_eq!(days("March 3"), None);
        assert_eq!(Lang::from_tag("zh-Hant"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("EN_us"), Some(Lang::En));
        assert_eq!(Lang::from_tag("ja"), None);
    }

    /// A Chinese text and an English version that splits its second paragraph in two and
    /// leaves out its third (fictional).
    const ZH: &str = "江川市今天开通首条无人驾驶公交线路，全长9.6公里，设14个站点。\n\
        线路连接地铁站、产业园区和居民小区，每天运营12小时，市民可以免费乘坐到3月31日。\n\
        市交通局局长赵立新说，这是江川建设智慧城市的又一步。\n\
        明年，全市还将新开5条无人驾驶线路，总里程超过60公里。";
    const EN: &str = "Jiangchuan opened its first driverless bus line on Tuesday, a 9.6-km route with 14 stops.\n\
        The line links a metro station, industrial parks and residential communities.\n\
        It runs 12 hours a day, and rides are free until March 31.\n\
        Next year the city will open 5 more driverless lines, totalling more than 60 km.";

    #[test]
    fn paragraphs_align_in_order_with_splits_and_omissions() {
        let rows = align(ZH, EN);
        let text = |r: &AlignedRow| (r.zh.clone().map(|x| &ZH[x]), r.en.clone().map(|x| &EN[x]));
        let rows: Vec<_> = rows.iter().map(text).collect();
        assert_eq!(rows.len(), 4, "{rows:#?}");
        assert!(rows[0].0.unwrap().contains("首条") && rows[0].1.unwrap().contains("first driverless"));
        // one paragraph translated as two: both English ones in one row
        assert!(rows[1].0.unwrap().contains("地铁站"), "{rows:#?}");
        assert!(
            rows[1].1.unwrap().contains("metro") && rows[1].1.unwrap().contains("March 31"),
            "{rows:#?}"
        );
        // the quote the English left out stands alone
        assert!(
            rows[2].0.unwrap().contains("赵立新") && rows[2].1.is_none(),
            "{rows:#?}"
        );
        assert!(rows[3].0.unwrap().contains("明年") && rows[3].1.unwrap().contains("Next year"));
    }
}
