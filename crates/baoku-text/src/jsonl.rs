//! JSON Lines: one article per record.
//!
//! Recognised fields: `id`, `title` or `headline`, `text` (or `content`, `body`), `date`,
//! `source` or `outlet`, `url`, `lang`. Every other field is kept in [`Article::extra`].
//! A line that is not a JSON object becomes a warning naming its line number; the rest of
//! the file goes on.

use serde_json::{Map, Value};

use crate::describe;
use crate::model::{Article, SourceSpan, Span};

/// The records of one JSON Lines file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    /// One article per valid record; spans point at the record's line (source 0).
    pub articles: Vec<Article>,
    /// Broken lines and unreadable fields, each naming its line number.
    pub warnings: Vec<String>,
}

/// Parses a decoded JSON Lines text.
pub fn parse(text: &str) -> Records {
    let mut out = Records::default();
    let mut pos = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let span = Span::new(pos, pos + line.len());
        pos += line.len();
        out.articles.extend(line_record(line, span, n + 1, &mut out.warnings));
    }
    out
}

/// The article of one line (with its `\n`, at `span` in the text, `number` counted from 1),
/// or `None` for a blank line or a broken one, which gets a warning. [`parse`] in pieces,
/// for a reader that cannot hold a whole large file.
pub fn line_record(line: &str, span: Span, number: usize, warnings: &mut Vec<String>) -> Option<Article> {
    let body = line.trim();
    if body.is_empty() {
        return None;
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => {
            let mut a = record(map, warnings, number);
            a.spans.push(SourceSpan { source: 0, span });
            describe::describe(&mut a);
            Some(a)
        }
        Ok(_) => {
            warnings.push(format!("line {number}: not a JSON object, skipped"));
            None
        }
        Err(e) => {
            warnings.push(format!("line {number}: invalid JSON ({e}), skipped"));
            None
        }
    }
}

fn record(mut map: Map<String, Value>, warnings: &mut Vec<String>, line: usize) -> Article {
    let mut take = |keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|k| match map.remove(*k) {
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Null) | None => None,
            Some(other) => {
                // Keep what we cannot read as text rather than drop it.
                map.insert((*k).to_string(), other);
                None
            }
        })
    };
    let source_id = take(&["id"]);
    let headline = take(&["title", "headline"]).unwrap_or_default();
    let text = take(&["text", "content", "body"]).unwrap_or_default();
    let raw_date = take(&["date", "pub_date", "published"]);
    let agency = take(&["source", "outlet"]);
    let url = take(&["url"]);
    let (lang, script) = language_tag(&take(&["lang", "language"]).unwrap_or_default());
    let date = raw_date.as_deref().and_then(describe::normalize_date);
    if let (Some(raw), None) = (&raw_date, &date) {
        warnings.push(format!("line {line}: date {raw:?} not understood"));
    }
    let mut a = Article {
        source_id,
        headline: trimmed(headline),
        text: trimmed(text),
        date,
        agency,
        url,
        lang,
        script,
        extra: map,
        ..Article::default()
    };
    if a.text.is_empty() {
        a.warnings.push("record has no text".into());
    }
    a
}

/// `s` without its surrounding whitespace, in its own buffer: a record's text is not
/// copied again (138 MB of it in the CCTV dump).
fn trimmed(mut s: String) -> String {
    s.truncate(s.trim_end().len());
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
    s
}

/// Splits a BCP 47 tag (`zh-Hant`, `zh-TW`, `en-US`, `zh`) into baoku's language and script;
/// parts the tag does not say stay empty for `describe` to fill in.
fn language_tag(tag: &str) -> (String, String) {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    let script = parts
        .find_map(|p| match p.to_ascii_lowercase().as_str() {
            "hant" | "tw" | "hk" | "mo" => Some("Hant"),
            "hans" | "cn" | "sg" => Some("Hans"),
            _ => None,
        })
        .unwrap_or("");
    (lang, script.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_fields_and_broken_lines() {
        let text = concat!(
            r#"{"id":"a1","title":"标题一","text":"新华社北京3月20日电 正文。","date":"2024-03-20","source":"新华社","section":"要闻"}"#,
            "\n{broken\n",
            r#"{"id":"a2","headline":"Title","text":"BEIJING, March 20 (Xinhua) -- Text.","date":"20240321","outlet":"Xinhua","lang":"en"}"#,
            "\n"
        );
        let r = parse(text);
        assert_eq!(r.articles.len(), 2);
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].starts_with("line 2:"), "{:?}", r.warnings);
        let a = &r.articles[0];
        assert_eq!(a.source_id.as_deref(), Some("a1"));
        assert_eq!(a.headline, "标题一");
        assert_eq!(a.date.as_deref(), Some("2024-03-20"));
        assert_eq!(a.agency.as_deref(), Some("新华社"));
        assert_eq!(a.extra.get("section").and_then(|v| v.as_str()), Some("要闻"));
        assert_eq!(a.lang, "zh");
        let b = &r.articles[1];
        assert_eq!(b.headline, "Title");
        assert_eq!(b.date.as_deref(), Some("2024-03-21"));
        assert_eq!(b.lang, "en");
        assert_eq!(trimmed(" \u{3000}江川\n ".into()), "江川");
        assert_eq!(trimmed("江川".into()), "江川");
        assert_eq!(trimmed(" \t".into()), "");
        assert_eq!(language_tag("zh-Hant"), ("zh".into(), "Hant".into()));
        assert_eq!(language_tag("zh_TW"), ("zh".into(), "Hant".into()));
        assert_eq!(language_tag(""), (String::new(), String::new()));
        assert_eq!(
            &text[b.spans[0].span.start..b.spans[0].span.end].trim_end(),
            &text.lines().nth(2).unwrap()
        );
    }
}
