//! Fingerprints of a text in matching form: an exact hash, character shingles, MinHash band
//! keys for locality-sensitive hashing, sampled anchor shingles, and the text's facts.
//!
//! Shingles are `k` consecutive *content* characters (letters and digits: punctuation is
//! skipped, so half-width or missing punctuation does not break a shingle). Each shingle is
//! hashed once to 64 bits; the high 32 bits are its id in the shingle set, the low bits
//! choose whether it is an anchor (a consistent 1-in-`anchor_every` sample shared by all
//! documents, used for containment candidates and boilerplate counts) and, with one-permutation
//! hashing, its MinHash bin. Empty bins are filled by rotation densification
//! (Shrivastava 2017), so one hash per shingle gives a full signature.
//!
//! ```
//! use baoku_text::{normalize::Normalizer, fingerprint::{fingerprint, FingerprintParams}};
//! let p = FingerprintParams::default();
//! let a = fingerprint(&Normalizer::shared().normalize("新華社北京10月1日電").text, &p);
//! let b = fingerprint(&Normalizer::shared().normalize("新华社北京10月1日电").text, &p);
//! assert_eq!(a.exact, b.exact);
//! assert_eq!(a.bands, b.bands);
//! ```

use serde::{Deserialize, Serialize};

use crate::normalize::is_content;

/// Shingle length, signature size and anchor sampling. The defaults were chosen by
/// measurement on `reprints-dev` (see `crates/baoku-text/LINKING.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintParams {
    /// Characters per shingle.
    pub k: usize,
    /// LSH bands.
    pub bands: usize,
    /// MinHash values per band (the signature has `bands * rows` values).
    pub rows: usize,
    /// One shingle in this many (by hash) is an anchor.
    pub anchor_every: u32,
}

impl Default for FingerprintParams {
    fn default() -> Self {
        FingerprintParams {
            k: 4,
            bands: 24,
            rows: 3,
            anchor_every: 4,
        }
    }
}

/// What linking needs to know about one text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Hash of the whole matching form (0 for an empty text).
    pub exact: u64,
    /// Number of content characters (letters and digits).
    pub content_len: u32,
    /// Sorted, distinct shingle ids.
    pub shingles: Vec<u32>,
    /// Sorted, distinct ids of the anchor shingles (a subset of `shingles`).
    pub anchors: Vec<u32>,
    /// One LSH key per band (empty when the text has no shingle).
    pub bands: Vec<u64>,
    /// The text's facts (see [`facts`]), each as `context << 32 | value` (hashes of the two
    /// content characters before it, digits as `#`, and of its text), sorted and distinct.
    pub facts: Vec<u64>,
}

/// Mixes 64 bits (the MurmurHash3 finalizer).
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// A 64-bit hash of a string (FNV-1a over bytes, then mixed). Stable across runs and
/// platforms: stored hashes stay valid.
pub fn hash_str(s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// Hashes of every shingle of a normalized text, in text order, with duplicates.
pub fn shingle_hashes(norm: &str, k: usize) -> Vec<u64> {
    let chars: Vec<u32> = norm.chars().filter(|&c| is_content(c)).map(|c| c as u32).collect();
    shingles_of(&chars, k)
}

/// [`shingle_hashes`] of the content characters.
fn shingles_of(chars: &[u32], k: usize) -> Vec<u64> {
    let mut out = Vec::new();
    shingles_into(chars, k, &mut out);
    out
}

/// [`shingles_of`] into `out` (cleared first).
fn shingles_into(chars: &[u32], k: usize, out: &mut Vec<u64>) {
    out.clear();
    if chars.is_empty() {
        return;
    }
    let k = k.max(1);
    if chars.len() < k {
        out.push(hash_chars(chars));
        return;
    }
    out.extend(chars.windows(k).map(hash_chars));
}

/// What fingerprinting keeps from one text to the next (each thread its own): allocating
/// and freeing these for every text was a tenth of fingerprinting CCTV.
#[derive(Default)]
struct Scratch {
    chars: Vec<u32>,
    hashes: Vec<u64>,
    ids: Vec<u32>,
    anchors: Vec<u32>,
    sorting: Vec<u32>,
    text: Vec<char>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Lists at least this long are radix sorted (below it the standard sort is faster).
const RADIX_FROM: usize = 512;

/// Sorts `v` and drops repeats. Long lists go through an LSD radix sort of three 11-bit
/// digits (about 2x the standard sort's speed on a thousand shingle ids; sorting was a
/// sixth of fingerprinting); `tmp` is its buffer.
fn sort_distinct(v: &mut Vec<u32>, tmp: &mut Vec<u32>) {
    if v.len() < RADIX_FROM {
        v.sort_unstable();
    } else {
        let mut counts = [[0u32; 2048]; 3];
        for &x in v.iter() {
            counts[0][(x & 2047) as usize] += 1;
            counts[1][(x >> 11 & 2047) as usize] += 1;
            counts[2][(x >> 22) as usize] += 1;
        }
        for digit in &mut counts {
            let mut at = 0;
            for c in digit.iter_mut() {
                (*c, at) = (at, at + *c);
            }
        }
        tmp.clear();
        tmp.resize(v.len(), 0);
        for (d, starts) in counts.iter_mut().enumerate() {
            for &x in v.iter() {
                let b = (x >> (11 * d) & 2047) as usize;
                tmp[starts[b] as usize] = x;
                starts[b] += 1;
            }
            std::mem::swap(v, tmp);
        }
    }
    v.dedup();
}

fn hash_chars(w: &[u32]) -> u64 {
    let mut h = 0x9e37_79b9_7f4a_7c15u64;
    for &c in w {
        h = (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// The shingle id kept in sets (high 32 bits of its hash).
fn shingle_id(h: u64) -> u32 {
    (h >> 32) as u32
}

/// Fingerprints a text in matching form (see [`crate::normalize`]).
pub fn fingerprint(norm: &str, p: &FingerprintParams) -> Fingerprint {
    fingerprint_with_exact(norm, p, if norm.is_empty() { 0 } else { hash_str(norm) })
}

/// The exact hash [`fingerprint`] gives `norm`, and [`hash_str`] of `head`, a NUL and `norm`
/// joined (the linker's record key), in one pass over `norm`: two independent FNV chains
/// interleave, where two passes each waited on one multiplication a byte.
pub(crate) fn exact_and_record_key(head: &str, norm: &str) -> (u64, u64) {
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut r = 0xcbf2_9ce4_8422_2325u64;
    for b in head.bytes().chain([0]) {
        r = (r ^ u64::from(b)).wrapping_mul(PRIME);
    }
    let mut e = 0xcbf2_9ce4_8422_2325u64;
    for b in norm.bytes() {
        let b = u64::from(b);
        e = (e ^ b).wrapping_mul(PRIME);
        r = (r ^ b).wrapping_mul(PRIME);
    }
    (if norm.is_empty() { 0 } else { mix64(e) }, mix64(r))
}

/// [`fingerprint`] with its exact hash already computed.
pub(crate) fn fingerprint_with_exact(norm: &str, p: &FingerprintParams, exact: u64) -> Fingerprint {
    SCRATCH.with_borrow_mut(|s| {
        let Scratch {
            chars,
            hashes,
            ids,
            anchors,
            sorting,
            text,
        } = s;
        // decoded once: the facts read every character, the shingles the content ones
        text.clear();
        text.extend(norm.chars());
        chars.clear();
        chars.extend(text.iter().filter(|&&c| is_content(c)).map(|&c| c as u32));
        shingles_into(chars, p.k, hashes);
        // ids and anchors in one pass; a power-of-two sampling rate as a mask (a division a
        // shingle was 2 % of linking CCTV)
        let every = u64::from(p.anchor_every.max(1));
        let mask = every.is_power_of_two().then(|| every - 1);
        ids.clear();
        anchors.clear();
        for &h in hashes.iter() {
            let id = shingle_id(h);
            ids.push(id);
            let low = h & 0xffff;
            if mask.map_or(low % every, |m| low & m) == 0 {
                anchors.push(id);
            }
        }
        sort_distinct(ids, sorting);
        sort_distinct(anchors, sorting);
        let bands = if hashes.is_empty() {
            Vec::new()
        } else {
            band_keys(hashes, p)
        };
        let mut facts = Vec::new();
        fact_keys(text, &mut facts);
        facts.sort_unstable();
        facts.dedup();
        // fingerprints of a whole corpus are held while it is linked: no spare capacity
        Fingerprint {
            exact,
            content_len: chars.len() as u32,
            shingles: ids.to_vec(),
            anchors: anchors.to_vec(),
            bands,
            facts,
        }
    })
}

/// The encoded facts of a text, given as its characters, as `facts(norm)` encoded by
/// [`encode_fact`] (not key facts), without building their strings: the hashes are taken
/// over the characters as they are read (building the strings was a fifth of fingerprinting).
fn fact_keys(chars: &[char], out: &mut Vec<u64>) {
    // what `hash_str` gives the string of these characters
    fn hash_chars(chars: impl Iterator<Item = char>) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let mut buf = [0u8; 4];
        for c in chars {
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        mix64(h)
    }
    // as `context`
    let context = |before: &[char]| {
        let mut ctx = ['\0'; 2];
        let mut n = 0;
        for &c in before.iter().rev() {
            if is_content(c) {
                ctx[1 - n] = if c.is_ascii_digit() { '#' } else { c };
                n += 1;
                if n == 2 {
                    break;
                }
            }
        }
        hash_chars(ctx[2 - n..].iter().copied())
    };
    scan_facts(chars, |kind, value, before| {
        let text = hash_chars(chars[value].iter().copied());
        out.push(fact_bits(kind, false, context(&chars[..before]), text));
    });
}

/// A fact as kept in a [`Fingerprint`]: bit 63 marks dates and titles (their contradiction
/// weighs more), bit 62 *key* facts (a text's 《titles》 and the headline's facts, one
/// contradiction of which is enough), bits 32–61 hash the context, the low bits the value.
fn encode_fact(f: &Fact, key: bool) -> u64 {
    fact_bits(f.kind, key, hash_str(&f.context), hash_str(&f.text))
}

/// [`encode_fact`] from the hashes of the context and the value.
fn fact_bits(kind: FactKind, key: bool, context: u64, text: u64) -> u64 {
    u64::from(kind != FactKind::Number) << 63
        | u64::from(key) << 62
        | ((context << 32) & CONTEXT)
        | (text & 0xffff_ffff)
}

/// The context bits of an encoded fact.
pub const CONTEXT: u64 = 0x3fff_ffff_0000_0000;

/// Adds the facts of a headline in matching form (numbers, also in Chinese numerals, dates
/// and titles) to a fingerprint as key facts: `连续24天` against `连续34天`, `十二届` against
/// `十三届`, `第二次会议` against `第三次会议` tell templated reports apart.
pub fn add_headline_facts(fp: &mut Fingerprint, headline: &str) {
    let mut all = facts(headline);
    all.extend(chinese_numbers(headline));
    // a headline context is not a text context
    fp.facts.extend(all.iter().map(|f| {
        let f = Fact {
            context: format!("题{}", f.context),
            ..f.clone()
        };
        encode_fact(&f, true)
    }));
    fp.facts.sort_unstable();
    fp.facts.dedup();
    fp.facts.shrink_to_fit();
}

/// Numbers in Chinese numerals before a counter (`十二届`, `第三次`, `一论`, `二〇二〇年`),
/// as digits; a lone `一` only after `第`.
pub fn chinese_numbers(norm: &str) -> Vec<Fact> {
    const DIGITS: &str = "〇零一二两三四五六七八九十百千";
    const COUNTERS: &str = "届次号天年月日周期批论轮";
    let chars: Vec<char> = norm.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !DIGITS.contains(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && DIGITS.contains(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        let counter = chars.get(i).is_some_and(|c| COUNTERS.contains(*c));
        let ordinal = start > 0 && chars[start - 1] == '第';
        if counter && (ordinal || run.iter().any(|&c| c != '一')) {
            if let Some(v) = chinese_value(run) {
                let kind = if "年月日号".contains(chars[i]) {
                    FactKind::Date
                } else {
                    FactKind::Number
                };
                out.push(Fact {
                    kind,
                    text: v.to_string(),
                    context: context(&chars[..start]),
                });
            }
        }
    }
    out
}

/// The value of a run of Chinese numerals: positional (`二〇二〇`) or with 十/百/千.
fn chinese_value(run: &[char]) -> Option<u64> {
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u64)
            .or(match c {
                '零' => Some(0),
                '两' => Some(2),
                _ => None,
            })
    };
    if run.iter().all(|&c| digit(c).is_some()) && run.len() > 1 {
        return run.iter().try_fold(0u64, |acc, &c| Some(acc * 10 + digit(c)?));
    }
    let (mut total, mut cur) = (0u64, 0u64);
    for &c in run {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                cur = digit(c)?;
                continue;
            }
        };
        total += cur.max(1) * unit;
        cur = 0;
    }
    Some(total + cur)
}

/// One-permutation MinHash with rotation densification, cut into band keys.
fn band_keys(hashes: &[u64], p: &FingerprintParams) -> Vec<u64> {
    let m = (p.bands * p.rows).max(1);
    let mut bins = vec![u32::MAX; m];
    let mut filled = vec![false; m];
    for &h in hashes {
        // bits 16..48 choose the bin, the high 32 bits are the value
        let bin = ((((h >> 16) & 0xffff_ffff) * m as u64) >> 32) as usize;
        let v = shingle_id(h);
        if v <= bins[bin] {
            bins[bin] = v;
            filled[bin] = true;
        }
    }
    let sig: Vec<u32> = (0..m)
        .map(|i| {
            if filled[i] {
                return bins[i];
            }
            // rotation: borrow from the next filled bin, offset by the distance
            let mut j = 1;
            while !filled[(i + j) % m] {
                j += 1;
            }
            (bins[(i + j) % m] as u64).wrapping_add(j as u64 * 0x9e37_79b9) as u32
        })
        .collect();
    sig.chunks(p.rows.max(1))
        .enumerate()
        .map(|(b, rows)| {
            let mut h = mix64(b as u64 + 1);
            for &v in rows {
                h = mix64(h ^ u64::from(v));
            }
            h
        })
        .collect()
}

/// What a fact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// A number (`5` in `5例`, `3.5` in `3.5%`); its unit is left out, so that an edit next
    /// to it does not change it.
    Number,
    /// A year, month, day or hour (`5月`, `19日`).
    Date,
    /// A title in book-title marks (`《…》`).
    Title,
}

/// A fact of a text: what templated reports change from one day to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// What it is.
    pub kind: FactKind,
    /// Its text in matching form (digits, or a title with its marks).
    pub text: String,
    /// The two content characters before it (digits as `#`): a templated report keeps the
    /// context and changes the value.
    pub context: String,
}

/// Numbers with units, dates and 《titles》 of a text in matching form.
pub fn facts(norm: &str) -> Vec<Fact> {
    let chars: Vec<char> = norm.chars().collect();
    let mut out = Vec::new();
    scan_facts(&chars, |kind, value, before| {
        out.push(Fact {
            kind,
            text: chars[value].iter().collect(),
            context: context(&chars[..before]),
        })
    });
    out
}

/// Finds the facts of `chars`: calls `found(kind, the value's range, where its context
/// ends)` for each, in order. The one definition of a fact, for [`facts`] and the hashed
/// keys of fingerprints.
fn scan_facts(chars: &[char], mut found: impl FnMut(FactKind, std::ops::Range<usize>, usize)) {
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let kind = match chars.get(i) {
                Some('年' | '月' | '日' | '时' | '号') => FactKind::Date,
                _ => FactKind::Number,
            };
            found(kind, start..i, start);
            continue;
        }
        if c == '《' {
            if let Some(len) = chars[i + 1..].iter().take(60).position(|&c| c == '》') {
                found(FactKind::Title, i..i + len + 2, i);
                i += len + 2;
                continue;
            }
        }
        i += 1;
    }
}

fn context(before: &[char]) -> String {
    let mut ctx: Vec<char> = before
        .iter()
        .rev()
        .filter(|c| is_content(**c))
        .take(2)
        .map(|&c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    ctx.reverse();
    ctx.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_of_a_daily_report() {
        let f = facts("截至5月19日24时,新增确诊病例5例,均为境外输入.本台今天刊播央视快评《坚定信心》.");
        let t: Vec<&str> = f.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(t, ["5", "19", "24", "5", "《坚定信心》"]);
        assert_eq!(f[0].kind, FactKind::Date);
        assert_eq!(f[1].context, "#月");
        assert_eq!(f[3].kind, FactKind::Number);
        assert_eq!(f[4].kind, FactKind::Title);
    }

    #[test]
    fn chinese_numbers_before_counters() {
        let v = |s: &str| {
            chinese_numbers(s)
                .into_iter()
                .map(|f| (f.text, f.context))
                .collect::<Vec<_>>()
        };
        assert_eq!(v("全国政协十二届一次会议"), [("12".into(), "政协".into())]);
        assert_eq!(v("主席团第二次会议"), [("2".into(), "团第".into())]);
        assert_eq!(v("二〇二〇年新年贺词"), [("2020".into(), "".into())]);
        assert_eq!(v("一起统一行动"), []);
        assert_eq!(v("纪念一百五十九周年"), [("159".into(), "纪念".into())]);
    }

    #[test]
    fn exact_and_record_key_hash_as_apart() {
        for (head, text) in [("广告", ""), ("甲", "乙丙"), ("", ""), ("", "abc")] {
            let (exact, record) = exact_and_record_key(head, text);
            assert_eq!(exact, fingerprint(text, &FingerprintParams::default()).exact);
            assert_eq!(record, hash_str(&format!("{head}\u{0}{text}")));
        }
    }

    #[test]
    fn fact_keys_encode_facts() {
        for text in [
            "截至5月19日24时,新增确诊病例5例,均为境外输入.本台今天刊播央视快评《坚定信心》.",
            "12《》3《未完4,a5b6c《x》",
            "",
        ] {
            let mut keys = Vec::new();
            fact_keys(&text.chars().collect::<Vec<_>>(), &mut keys);
            let want: Vec<u64> = facts(text).iter().map(|f| encode_fact(f, false)).collect();
            assert_eq!(keys, want, "{text}");
        }
    }

    proptest::proptest! {
        /// The radix sort (long lists) and the standard sort (short ones) give what sorting
        /// and dropping repeats gives, with the buffers left over from a longer list.
        #[test]
        fn sort_distinct_sorts_and_drops_repeats(
            v in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..3 * RADIX_FROM),
            repeats in proptest::collection::vec(0usize..64, 0..RADIX_FROM),
            narrow in proptest::prelude::any::<bool>(),
        ) {
            let mut v: Vec<u32> = v.into_iter().map(|x| if narrow { x % 5000 } else { x }).collect();
            for r in repeats {
                if let Some(&x) = v.get(r) {
                    v.push(x);
                }
            }
            let mut want = v.clone();
            want.sort_unstable();
            want.dedup();
            let mut tmp = vec![7; 4 * RADIX_FROM];
            sort_distinct(&mut v, &mut tmp);
            proptest::prop_assert_eq!(v, want);
        }
    }

    #[test]
    fn punctuation_does_not_break_shingles() {
        let p = FingerprintParams::default();
        let a = fingerprint("今天,江川大桥建成通车.", &p);
        let b = fingerprint("今天江川大桥建成通车", &p);
        assert_eq!(a.shingles, b.shingles);
        assert_eq!(a.bands, b.bands);
        assert_ne!(a.exact, b.exact);
    }

    #[test]
    fn empty_text_has_no_shingles() {
        let f = fingerprint("", &FingerprintParams::default());
        assert!(f.shingles.is_empty() && f.bands.is_empty() && f.exact == 0);
    }
}
