//! HTML building blocks: escaping, marked text, and the page frame with its stylesheet.

use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query-string value.
pub fn url(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `text` escaped, with the character ranges `spans` (sorted, not overlapping) wrapped in
/// `<mark>`; each mark gets `id="{id_prefix}{i}"` when a prefix is given.
pub fn marked(text: &str, spans: &[(usize, usize)], id_prefix: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * 16);
    let mut spans = spans.iter().enumerate().peekable();
    let mut open = false;
    for (i, c) in text.chars().enumerate() {
        while let Some((_, &(_, end))) = spans.peek() {
            if open && end <= i {
                out.push_str("</mark>");
                open = false;
                spans.next();
            } else {
                break;
            }
        }
        if !open {
            if let Some(&(n, &(start, end))) = spans.peek() {
                if start == i && end > start {
                    match id_prefix {
                        Some(p) => {
                            let _ = write!(out, r#"<mark id="{p}{n}">"#);
                        }
                        None => out.push_str("<mark>"),
                    }
                    open = true;
                } else if end <= i {
                    spans.next();
                }
            }
        }
        out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #dadce0; --accent: #0b57d0; --mark: #ffe58f; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.7;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
  line-break: strict; overflow-wrap: anywhere; }
:lang(zh-Hant) body, .hant { font-family: "Noto Sans CJK TC", "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", sans-serif; }
header { border-bottom: 1px solid var(--line); padding: .5rem 1rem; display: flex; gap: 1.25rem; align-items: baseline; }
header .brand { font-weight: 700; font-size: 1.2rem; color: var(--ink); text-decoration: none; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f9ab00; outline-offset: 2px; }
form.search { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: 1rem 0; }
form.search label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
input, select, button { font: inherit; padding: .3rem .5rem; }
input[name=q] { min-width: 18rem; }
.hit { border-bottom: 1px solid var(--line); padding: .6rem 0; }
.hit h2 { font-size: 1.1rem; margin: 0; }
.meta { color: var(--muted); font-size: .9rem; margin: .1rem 0; }
mark { background: var(--mark); color: inherit; }
.text p { text-indent: 2em; margin: .4rem 0; }
pre.source { white-space: pre-wrap; font-family: inherit; background: #f8f9fa; padding: 1rem; border: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; }
.diff { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.diff > div { white-space: pre-wrap; border: 1px solid var(--line); padding: .75rem; }
.diff.aligned { gap: .25rem 1rem; }
.diff.aligned > h2 { margin: 0; }
.diff.aligned > div.alone { background: #fff3cd; }
.diff.aligned > div.none { border-style: dashed; color: #888; }
del { background: #ffd7d5; text-decoration: line-through; }
ins { background: #ccf0d6; text-decoration: none; }
.error { color: #b3261e; }
"#;

/// A whole page: navigation, `body`, and the script that puts `/` on the search box.
pub fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{} · baoku 报库</title>
<style>{STYLE}</style>
</head>
<body>
<header><a class="brand" href="/">报库 baoku</a>
<nav><a href="/">搜索 Search</a> · <a href="/trends">趋势 Trends</a> · <a href="/files">文件 Files</a></nav></header>
<main>
{body}
</main>
<script>
document.addEventListener('keydown', e => {{
  const q = document.querySelector('input[name=q]');
  if (e.key === '/' && q && document.activeElement !== q && !/INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)) {{
    e.preventDefault(); q.focus(); q.select();
  }}
}});
</script>
</body>
</html>"#,
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_by_character_offsets_and_escapes() {
        assert_eq!(marked("發展<b>", &[(0, 2)], None), "<mark>發展</mark>&lt;b&gt;");
        assert_eq!(marked("甲乙丙", &[(1, 3)], Some("s")), r#"甲<mark id="s0">乙丙</mark>"#);
        assert_eq!(
            marked("甲乙丙", &[(0, 1), (2, 3)], None),
            "<mark>甲</mark>乙<mark>丙</mark>"
        );
        assert_eq!(marked("甲", &[], None), "甲");
    }

    #[test]
    fn urls_are_encoded() {
        assert_eq!(url("发展 a&b"), "%E5%8F%91%E5%B1%95+a%26b");
    }
}
