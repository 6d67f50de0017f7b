//! HTML story pages: main text only, navigation, scripts and related links dropped.
//!
//! [`extract`] parses a decoded page with `scraper` (html5ever) and walks the tree once,
//! cutting the visible text into paragraphs at block-level boundaries (`<p>`, `<div>`, `<br>`,
//! `<li>`…) and skipping what is never read (`<script>`, `<style>`, hidden elements, forms,
//! `<nav>`, `<footer>`). Each paragraph long enough to matter scores its container (and half
//! its container's parent), readability-style: one point, plus one per sentence mark, plus one
//! per 40 characters, all scaled down by the paragraph's link density. A container's score is
//! then weighed by its own link density and by what its class and id say (`content`, `article`
//! up; `comment`, `share`, `related`, `nav` down; known story containers of Chinese news sites
//! such as `#content_area` or `.TRS_Editor` a little more up). The best container's paragraphs,
//! minus link lists and credit lines (`编辑：…`, `来源：…`), are the article text.
//!
//! A page whose best container is a list of story links, or which has no paragraph of prose at
//! all, is a listing page and yields no article.
//!
//! ```
//! let page = baoku_text::html::extract(
//!     "story.html",
//!     "<html><head><title>江川大桥建成通车_新闻频道_某某网</title></head><body>\
//!      <div class=nav><a href=/>首页</a></div>\
//!      <div id=content_area><p>本报江川10月1日电，江川大桥今天建成通车，全长三千米。</p>\
//!      <p>大桥连接两岸，通车后车程缩短一半。</p><p>责任编辑：王五</p></div></body></html>",
//! );
//! let article = page.article.unwrap();
//! assert_eq!(article.headline, "江川大桥建成通车");
//! assert_eq!(article.text, "本报江川10月1日电，江川大桥今天建成通车，全长三千米。\n大桥连接两岸，通车后车程缩短一半。");
//! ```

use scraper::{ElementRef, Html, Node};

use crate::describe;
use crate::model::{Article, SourceSpan, Span};

/// What an HTML page holds: one article, or nothing (a listing or index page).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HtmlPage {
    /// The article, when the page is a story page.
    pub article: Option<Article>,
    /// What was unsure about the page.
    pub warnings: Vec<String>,
}

/// Elements whose content is never part of the text a reader sees as the story.
#[rustfmt::skip]
const SKIP_TAGS: &[&str] = &[
    "head", "script", "style", "noscript", "iframe", "template", "svg", "canvas", "object", "embed",
    "video", "audio", "button", "select", "textarea", "input", "nav", "footer", "aside", "map",
    "math", "title", "meta", "link",
];

/// Elements that end a paragraph where they open and close.
#[rustfmt::skip]
const BLOCK_TAGS: &[&str] = &[
    "address", "article", "blockquote", "body", "br", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "menu", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
];

/// Blocks that hold one paragraph: their score goes to the container around them.
#[rustfmt::skip]
const PARA_TAGS: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "pre", "blockquote",
];

/// Ids and classes of story containers on common Chinese news sites.
#[rustfmt::skip]
const HINTS: &[&str] = &[
    "content_area", "cnt_bd", "text_area", "trs_editor", "artibody", "article_content",
    "article-content", "rm_txt_con", "post_text", "main_text", "zhengwen", "detail_con",
];

/// Class and id words that mark a container of story text.
#[rustfmt::skip]
const POSITIVE: &[&str] = &[
    "article", "content", "text", "body", "main", "entry", "post", "story", "detail", "cnt",
];

/// Class and id words that mark page furniture (matched as whole words or word starts).
#[rustfmt::skip]
const NEGATIVE: &[&str] = &[
    "comment", "pinglun", "share", "footer", "foot", "nav", "menu", "sidebar", "side", "related",
    "relate", "xiangguan", "recommend", "tuijian", "hot", "rank", "ad", "ads", "advert", "banner",
    "breadcrumb", "crumb", "copyright", "login", "search", "tag", "tags", "keyword", "brief",
    "summary", "jianjie", "intro", "header", "top", "bottom", "list", "widget", "popup", "modal",
];

/// Deeper elements are ignored (their text is lost) so that no page can exhaust the stack.
const MAX_DEPTH: usize = 400;

/// A paragraph with fewer letters (CJK or alphabetic) does not score its container.
const MIN_PARA_CHARS: usize = 8;

/// A page whose story text is shorter than this has no article.
const MIN_TEXT_CHARS: usize = 10;

/// An anchor with at least this many characters is taken for a link to a story.
const STORY_LINK_CHARS: usize = 8;

/// Extracts the article of an HTML story page. Spans refer to source 0 (the page itself).
pub fn extract(name: &str, html: &str) -> HtmlPage {
    let mut warnings = Vec::new();
    let doc = Html::parse_document(html);
    let mut walk = Walk::default();
    walk.element(doc.root_element(), None, None, false, 0);
    walk.flush();
    if walk.too_deep {
        warnings.push(format!("elements nested deeper than {MAX_DEPTH} levels were ignored"));
    }
    walk.totals();
    let meta = Meta::read(&doc);

    let Some(best) = walk.best() else {
        return no_article(&walk, warnings);
    };
    let b = &walk.elems[best];
    if b.story_links >= 5 && b.link_chars * 10 > b.chars * 3 {
        warnings.push("listing page: no article".to_string());
        return HtmlPage {
            article: None,
            warnings,
        };
    }

    let headline = headline(&meta);
    let body = walk.main_paragraphs(best, &headline);
    let chars: usize = body.iter().map(|&i| walk.paras[i].chars).sum();
    if chars < MIN_TEXT_CHARS {
        return no_article(&walk, warnings);
    }
    // A channel page may hold one featured summary that scores like a short story; its title
    // names the channel (`国内新闻_某某网`), not a story.
    let links = walk.elems.first().map_or(0, |e| e.story_links);
    if links >= 15 && chars < 300 && headline.chars().filter(|c| wide(*c)).count() < 8 {
        warnings.push("listing page: no article (short text, many links, channel title)".into());
        return HtmlPage {
            article: None,
            warnings,
        };
    }
    let first = *body.first().expect("non-empty body");

    let mut article = Article {
        headline,
        text: body
            .iter()
            .map(|&i| walk.paras[i].text.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        url: meta.url.clone(),
        ..Article::default()
    };
    article.date = meta
        .date
        .clone()
        .or_else(|| walk.near_main(first, &body, 80, find_date))
        .or_else(|| meta.url.as_deref().and_then(date_in_url))
        .or_else(|| date_in_url(name));
    if article.date.is_none() {
        article.warnings.push("no date found".to_string());
    }
    article.agency = walk.near_main(first, &body, 120, agency);
    if article.headline.is_empty() {
        article.warnings.push("no headline found".to_string());
    }
    article.spans = spans(html, body.iter().map(|&i| &walk.paras[i]));
    describe::describe(&mut article);
    HtmlPage {
        article: Some(article),
        warnings,
    }
}

/// One element met by the walk, in document order (so a subtree is a contiguous range).
struct Elem<'a> {
    el: ElementRef<'a>,
    parent: Option<usize>,
    /// One past the index of its last descendant.
    end: usize,
    /// Visible characters of the subtree (own text only until [`Walk::totals`]).
    chars: usize,
    /// Characters of the subtree inside links.
    link_chars: usize,
    /// Links with enough text to name a story, in the subtree.
    story_links: usize,
    /// What the class and id say.
    weight: f32,
    /// Paragraph score gathered from the paragraphs it holds.
    score: f32,
}

/// A run of text between two block boundaries.
struct Para<'a> {
    /// Nearest block element around the text.
    owner: usize,
    text: String,
    chars: usize,
    link_chars: usize,
    /// The text nodes as parsed, to find the paragraph again in the source.
    pieces: Vec<&'a str>,
}

#[derive(Default)]
struct Walk<'a> {
    elems: Vec<Elem<'a>>,
    paras: Vec<Para<'a>>,
    open: Option<Para<'a>>,
    too_deep: bool,
}

impl<'a> Walk<'a> {
    /// Visits `el` and its subtree; `owner` is the nearest block element around it.
    fn element(
        &mut self,
        el: ElementRef<'a>,
        parent: Option<usize>,
        owner: Option<usize>,
        in_link: bool,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        let e = el.value();
        let tag = e.name();
        if SKIP_TAGS.contains(&tag) || hidden(el) {
            return;
        }
        let idx = self.elems.len();
        self.elems.push(Elem {
            el,
            parent,
            end: idx + 1,
            chars: 0,
            link_chars: 0,
            story_links: 0,
            weight: class_weight(el),
            score: 0.0,
        });
        let block = BLOCK_TAGS.contains(&tag);
        if block {
            self.flush();
        }
        let owner = if block { Some(idx) } else { owner };
        let in_link = in_link || (tag == "a" && e.attr("href").is_some());
        for child in el.children() {
            match child.value() {
                Node::Text(t) => {
                    if let Some(owner) = owner {
                        self.text(&t.text, idx, owner, in_link);
                    }
                }
                Node::Element(_) => {
                    if let Some(c) = ElementRef::wrap(child) {
                        self.element(c, Some(idx), owner, in_link, depth + 1);
                    }
                }
                _ => {}
            }
        }
        if block {
            self.flush();
        }
        self.elems[idx].end = self.elems.len();
    }

    fn text(&mut self, t: &'a str, at: usize, owner: usize, in_link: bool) {
        let visible = t.chars().filter(|c| !is_space(*c)).count();
        if self.open.as_ref().is_some_and(|p| p.owner != owner) {
            self.flush();
        }
        if visible == 0 && self.open.is_none() {
            return;
        }
        let p = self.open.get_or_insert_with(|| Para {
            owner,
            text: String::new(),
            chars: 0,
            link_chars: 0,
            pieces: Vec::new(),
        });
        p.text.push_str(t);
        p.chars += visible;
        p.pieces.push(t);
        self.elems[at].chars += visible;
        if in_link {
            p.link_chars += visible;
            self.elems[at].link_chars += visible;
        }
    }

    fn flush(&mut self) {
        if let Some(mut p) = self.open.take() {
            if p.chars > 0 {
                p.text = clean_space(&p.text);
                self.paras.push(p);
            }
        }
    }

    /// Sums characters and links over subtrees, then scores containers from paragraphs.
    fn totals(&mut self) {
        for i in (0..self.elems.len()).rev() {
            if self.elems[i].el.value().name() == "a" && self.elems[i].chars >= STORY_LINK_CHARS {
                self.elems[i].story_links += 1;
            }
            if let Some(p) = self.elems[i].parent {
                let (c, l, s) = (self.elems[i].chars, self.elems[i].link_chars, self.elems[i].story_links);
                let up = &mut self.elems[p];
                up.chars += c;
                up.link_chars += l;
                up.story_links += s;
            }
        }
        for p in &self.paras {
            let letters = p.text.chars().filter(|c| c.is_alphabetic()).count();
            if letters < MIN_PARA_CHARS || p.link_chars * 2 > p.chars {
                continue;
            }
            let density = p.link_chars as f32 / p.chars as f32;
            let marks = p.text.chars().filter(|c| "，。、；！？,;".contains(*c)).count();
            let score = (1.0 + marks.min(20) as f32 + (p.chars as f32 / 40.0).min(5.0)) * (1.0 - density);
            let owner = &self.elems[p.owner];
            let first = if PARA_TAGS.contains(&owner.el.value().name()) {
                owner.parent.unwrap_or(p.owner)
            } else {
                p.owner
            };
            self.elems[first].score += score;
            if let Some(up) = self.elems[first].parent {
                self.elems[up].score += score / 2.0;
            }
        }
    }

    /// Final score of a container: paragraph score and class weight, less its link share.
    fn rank(&self, i: usize) -> f32 {
        let e = &self.elems[i];
        let density = e.link_chars as f32 / e.chars.max(1) as f32;
        (e.score + e.weight) * (1.0 - density)
    }

    /// The container holding the story text, if any paragraph scored at all.
    fn best(&self) -> Option<usize> {
        (0..self.elems.len())
            .filter(|&i| self.elems[i].score > 0.0)
            .max_by(|&a, &b| self.rank(a).total_cmp(&self.rank(b)).then(b.cmp(&a)))
    }

    /// The paragraphs of the story: those of the best container, and of siblings nearly as good.
    fn main_paragraphs(&self, best: usize, headline: &str) -> Vec<usize> {
        let top = self.rank(best);
        let mut ranges = vec![(best, self.elems[best].end)];
        if let Some(parent) = self.elems[best].parent {
            let mut i = parent + 1;
            while i < self.elems[parent].end {
                let e = &self.elems[i];
                if i != best && e.weight >= 0.0 && self.rank(i) >= (top * 0.3).max(10.0) && e.link_chars * 4 < e.chars {
                    ranges.push((i, e.end));
                }
                i = e.end;
            }
        }
        let head = squeeze(headline);
        let mut out: Vec<usize> = (0..self.paras.len())
            .filter(|&i| {
                let p = &self.paras[i];
                ranges.iter().any(|&(s, e)| (s..e).contains(&p.owner))
                    && p.link_chars * 10 < p.chars * 6
                    && !furniture(&p.text)
                    && (head.is_empty() || squeeze(&p.text) != head)
            })
            .collect();
        // Short labels without a sentence mark at either end are headings of the box, not text.
        while out.first().is_some_and(|&i| label(&self.paras[i])) {
            out.remove(0);
        }
        while out.last().is_some_and(|&i| label(&self.paras[i])) {
            out.pop();
        }
        out
    }

    /// The first thing `find` reads off a short paragraph that is not story text: the nearest
    /// one before the story, else a credit line dropped from inside it, else the nearest after.
    fn near_main(
        &self,
        first: usize,
        body: &[usize],
        max_chars: usize,
        find: fn(&str) -> Option<String>,
    ) -> Option<String> {
        let read = |i: usize| {
            let p = &self.paras[i];
            if p.chars <= max_chars {
                find(&p.text)
            } else {
                None
            }
        };
        let last = *body.last()?;
        (0..first)
            .rev()
            .find_map(read)
            .or_else(|| (first..=last).filter(|i| !body.contains(i)).find_map(read))
            .or_else(|| (last + 1..self.paras.len()).find_map(read))
    }
}

/// True for `style="display:none"`, `hidden` and `aria-hidden="true"` elements.
fn hidden(el: ElementRef<'_>) -> bool {
    let e = el.value();
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    e.attr("style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// What the class and id of an element say about it.
fn class_weight(el: ElementRef<'_>) -> f32 {
    let e = el.value();
    let mut w = 0.0;
    for value in [e.attr("id"), e.attr("class")].into_iter().flatten() {
        let lower = value.to_ascii_lowercase();
        for name in lower.split_ascii_whitespace() {
            if HINTS.contains(&name) {
                w += 20.0;
                continue;
            }
            let words = name.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty());
            for word in words {
                if NEGATIVE
                    .iter()
                    .any(|n| word == *n || (n.len() >= 4 && word.starts_with(n)))
                {
                    w -= 15.0;
                } else if POSITIVE
                    .iter()
                    .any(|p| word == *p || (p.len() >= 4 && word.starts_with(p)))
                {
                    w += 8.0;
                }
            }
        }
    }
    if matches!(e.name(), "article" | "main") {
        w += 8.0;
    }
    w
}

/// White space inside the text: Unicode white space, no-break and ideographic spaces.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' || c == '\u{feff}'
}

/// Collapses runs of white space to one space, drops those between two CJK characters when
/// they held a line break (layout, not meaning), and trims the ends.
fn clean_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run: Option<bool> = None; // Some(had newline) while inside a run of white space
    for c in s.chars() {
        if is_space(c) {
            let nl = c == '\n' || c == '\r';
            run = Some(run.unwrap_or(false) || nl);
            continue;
        }
        if let Some(nl) = run.take() {
            let prev = out.chars().next_back();
            let joined = nl && prev.is_some_and(wide) && wide(c);
            if prev.is_some() && !joined {
                out.push(' ');
            }
        }
        out.push(c);
    }
    out
}

/// CJK characters and full-width punctuation.
fn wide(c: char) -> bool {
    describe::is_cjk(c) || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}')
}

/// The text without any white space, for comparisons.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !is_space(*c)).collect()
}

/// A short label such as `主要内容` or `相关新闻`: no sentence mark, a few characters.
fn label(p: &Para<'_>) -> bool {
    p.chars <= 6 && !p.text.chars().any(|c| "。！？.!?".contains(c))
}

/// Credit and page-tool lines that sit inside story containers but are not story text.
fn furniture(text: &str) -> bool {
    let t = squeeze(text);
    let t = t.trim_start_matches(['(', '（', '[', '【']);
    const STARTS: &[&str] = &[
        "编辑：",
        "编辑:",
        "责任编辑",
        "责编：",
        "责编:",
        "来源：",
        "来源:",
        "本文来源",
        "原标题：",
        "分享到",
        "扫一扫",
        "打印本页",
        "关闭窗口",
        "【纠错】",
        "纠错",
        "更新时间",
    ];
    if STARTS.iter().any(|s| t.starts_with(s)) {
        return true;
    }
    // A line holding only a date and time, or a source and a date.
    let rest: String = t
        .chars()
        .filter(|c| !c.is_ascii_digit() && !"-/:.年月日时分秒".contains(*c))
        .collect();
    rest.is_empty() && t.chars().count() >= 8
}

/// The first `来源：X` on a line, as `X`.
fn agency(text: &str) -> Option<String> {
    let at = text.find("来源")?;
    let rest = text[at + "来源".len()..].trim_start_matches(|c: char| is_space(c));
    let rest = rest.strip_prefix(['：', ':'])?;
    let value: String = rest
        .trim_start_matches(|c: char| is_space(c))
        .chars()
        .take_while(|c| !is_space(*c) && !"|｜,，;；)）".contains(*c))
        .collect();
    (!value.is_empty() && value.chars().count() <= 20).then_some(value)
}

/// The first date in `text` written `2024年9月29日`, `2024-09-29`, `2024/09/29` or
/// `2024.09.29`, as `YYYY-MM-DD`.
fn find_date(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            if let Some(d) = date_at(&text[i..]) {
                return Some(d);
            }
        }
        i += 1;
    }
    None
}

/// A date at the start of `s` (see [`find_date`]).
fn date_at(s: &str) -> Option<String> {
    let year = s.get(..4)?;
    if !year.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let rest = &s[4..];
    let (sep1, sep2): (&str, &str) = match rest.chars().next()? {
        '年' => ("年", "月"),
        '-' => ("-", "-"),
        '/' => ("/", "/"),
        '.' => (".", "."),
        _ => return None,
    };
    let rest = rest.strip_prefix(sep1)?;
    let (month, rest) = digits(rest)?;
    let rest = rest.strip_prefix(sep2)?;
    let (day, rest) = digits(rest)?;
    if sep1 == "年" && !rest.starts_with('日') && !rest.starts_with('号') {
        return None;
    }
    ymd(year.parse().ok()?, month, day)
}

/// One or two digits at the start of `s`, and what follows them.
fn digits(s: &str) -> Option<(u32, &str)> {
    let n = s.bytes().take(2).take_while(u8::is_ascii_digit).count();
    if n == 0 || s.as_bytes().get(n).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn ymd(y: u32, m: u32, d: u32) -> Option<String> {
    ((1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A date in a URL or file name: `/2024/09/29/`, `2024-09-29`, `2024-09/29` or eight digits
/// `20240929` standing alone.
fn date_in_url(s: &str) -> Option<String> {
    let b = s.as_bytes();
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_digit() || !b[i].is_ascii_digit() {
            continue;
        }
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let num = |a: usize, n: usize| s.get(a..a + n)?.parse::<u32>().ok();
        if run == 8 {
            if let Some(d) = ymd(num(i, 4)?, num(i + 4, 2)?, num(i + 6, 2)?) {
                return Some(d);
            }
        } else if run == 4 {
            // 2024/09/29, 2024-09-29, 2024-09/29, 2024/0929
            let t = &s[i + 4..];
            let Some(t) = t.strip_prefix(['/', '-', '_']) else {
                continue;
            };
            let Some((m, t)) = digits(t) else {
                let r = t.bytes().take_while(u8::is_ascii_digit).count();
                if r == 4 {
                    if let Some(d) = ymd(num(i, 4)?, num(i + 5, 2)?, num(i + 7, 2)?) {
                        return Some(d);
                    }
                }
                continue;
            };
            let Some(t) = t.strip_prefix(['/', '-', '_']) else {
                continue;
            };
            if let Some((d, _)) = digits(t) {
                if let Some(d) = ymd(num(i, 4)?, m, d) {
                    return Some(d);
                }
            }
        }
    }
    None
}

/// What the page's `<head>` and headings say: title, date and canonical address.
#[derive(Default)]
struct Meta {
    title: Option<String>,
    og_title: Option<String>,
    /// Texts of the `<h1>` elements, in page order.
    h1: Vec<String>,
    date: Option<String>,
    url: Option<String>,
}

impl Meta {
    fn read(doc: &Html) -> Meta {
        let mut m = Meta::default();
        for node in doc.tree.root().descendants() {
            let Some(el) = ElementRef::wrap(node) else {
                continue;
            };
            let e = el.value();
            match e.name() {
                "h1" => {
                    let h = clean_space(&el.text().collect::<String>());
                    if h.chars().count() >= 2 {
                        m.h1.push(h);
                    }
                }
                "title" if m.title.is_none() => {
                    m.title = Some(el.text().collect::<String>()).filter(|t| !t.trim().is_empty());
                }
                "link" if m.url.is_none() => {
                    let canonical = e
                        .attr("rel")
                        .is_some_and(|r| r.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("canonical")));
                    if canonical {
                        m.url = e.attr("href").and_then(absolute);
                    }
                }
                "meta" => {
                    let key = e
                        .attr("property")
                        .or_else(|| e.attr("name"))
                        .or_else(|| e.attr("itemprop"))
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    let Some(content) = e.attr("content") else {
                        continue;
                    };
                    match key.as_str() {
                        "og:title" | "twitter:title" if m.og_title.is_none() => {
                            m.og_title = Some(content.to_string()).filter(|t| !t.trim().is_empty());
                        }
                        "og:url" if m.url.is_none() => m.url = absolute(content),
                        k if m.date.is_none() && date_key(k) => {
                            m.date = find_date(content).or_else(|| date_in_url(content));
                        }
                        _ => {}
                    }
                }
                "time" if m.date.is_none() => {
                    m.date = e.attr("datetime").and_then(find_date);
                }
                _ => {}
            }
        }
        m
    }
}

/// Meta names that carry a publication date.
fn date_key(k: &str) -> bool {
    matches!(
        k,
        "article:published_time"
            | "og:article:published_time"
            | "og:release_date"
            | "publishdate"
            | "publish_date"
            | "publish-date"
            | "pubdate"
            | "pubtime"
            | "firstpublishedtime"
            | "datepublished"
            | "date"
            | "dc.date"
            | "dc.date.issued"
            | "sailthru.date"
            | "weibo:article:create_at"
    )
}

/// Absolute URLs only (`http(s)://…`, or `//…` made `https:`).
fn absolute(u: &str) -> Option<String> {
    let u = u.trim();
    if u.starts_with("http://") || u.starts_with("https://") {
        Some(u.to_string())
    } else {
        u.strip_prefix("//")
            .filter(|r| !r.is_empty())
            .map(|r| format!("https://{r}"))
    }
}

/// The story title: an `<h1>` that the page title contains, else the page title (or
/// `og:title`) without the site's name.
fn headline(meta: &Meta) -> String {
    let raw = meta.og_title.as_deref().or(meta.title.as_deref()).unwrap_or("");
    let title = strip_site(&clean_space(raw));
    if title.is_empty() {
        return meta.h1.first().cloned().unwrap_or_default();
    }
    // An <h1> holding most of the title is the headline as the reader sees it; a short one
    // (the site's logo) is not.
    let (full, story) = (squeeze(raw), squeeze(&title));
    let weight = |s: &str| s.chars().map(|c| if wide(c) { 2 } else { 1 }).sum::<usize>();
    meta.h1
        .iter()
        .find(|h| {
            let h = squeeze(h);
            full.contains(&h) && weight(&h) * 5 >= weight(&story) * 3
        })
        .cloned()
        .unwrap_or(title)
}

/// `习近平会见乍得总统_新闻频道_央视网(cctv.com)` → `习近平会见乍得总统`: the first part
/// between title separators, unless a later part is much longer (`人民网 | 标题`).
fn strip_site(title: &str) -> String {
    const SEPS: &[&str] = &["_", "|", "｜", " - ", " – ", " — ", "--"];
    let mut parts = vec![title];
    for sep in SEPS {
        parts = parts.iter().flat_map(|p| p.split(sep)).collect();
    }
    // CJK characters weigh double, so that `央视网(cctv.com)` stays short.
    let weight = |p: &str| p.chars().map(|c| if wide(c) { 2 } else { 1 }).sum::<usize>();
    let parts: Vec<&str> = parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect();
    let Some(&first) = parts.first() else {
        return String::new();
    };
    let longest = parts.iter().copied().max_by_key(|p| weight(p)).unwrap_or(first);
    if weight(longest) * 2 > weight(first) * 3 {
        longest
    } else {
        first
    }
    .to_string()
}

/// A page without main text: a listing when the page as a whole links to several stories.
fn no_article(walk: &Walk, mut warnings: Vec<String>) -> HtmlPage {
    let links = walk.elems.first().map_or(0, |e| e.story_links);
    warnings.push(
        if links >= 5 {
            "listing page: no article"
        } else {
            "no main text found: no article"
        }
        .to_string(),
    );
    HtmlPage {
        article: None,
        warnings,
    }
}

/// Spans of the paragraphs in the source, found by searching for the runs of their text
/// nodes in order after `<body`. A paragraph none of whose text can be found (entities,
/// rewritten markup) has no span; when none is found, the whole page is the span.
fn spans<'p, 'a: 'p>(html: &str, paras: impl Iterator<Item = &'p Para<'a>>) -> Vec<SourceSpan> {
    let mut cursor = find_ascii_ci(html, "<body").unwrap_or(0);
    let mut out = Vec::new();
    for p in paras {
        let (mut start, mut pos) = (None, cursor);
        for run in p.pieces.iter().flat_map(|t| runs(t)) {
            // The paragraph may start anywhere further on; its next runs follow closely.
            let limit = match start {
                None => html.len(),
                Some(_) => floor_boundary(html, pos + 4096 + 4 * run.len()),
            };
            if let Some(at) = html[pos..limit].find(run) {
                start.get_or_insert(pos + at);
                pos += at + run.len();
            }
        }
        if let Some(start) = start {
            let span = widen(html, cursor, start, pos);
            out.push(SourceSpan { source: 0, span });
            cursor = span.end;
        }
    }
    if out.is_empty() {
        out.push(SourceSpan {
            source: 0,
            span: Span::new(0, html.len()),
        });
    }
    out
}

/// Widens `start..end` over the few characters the runs leave out at either end (quotes,
/// `%`, entities) up to the nearest tag, never back past `floor` (the previous paragraph's
/// end, so spans stay in order), then trims white space.
fn widen(html: &str, floor: usize, start: usize, end: usize) -> Span {
    const REACH: usize = 24;
    let before = &html[floor_boundary(html, start.saturating_sub(REACH).max(floor))..start];
    let start = match before.rfind('>') {
        Some(gt) => start - before.len() + gt + 1,
        None => start,
    };
    let after = &html[end..floor_boundary(html, end + REACH)];
    let end = after.find('<').map_or(end, |lt| end + lt);
    let text = &html[start..end];
    let lead = text.len() - text.trim_start_matches(is_space).len();
    let trail = text.len() - text.trim_end_matches(is_space).len();
    Span::new(start + lead, (end - trail).max(start + lead))
}

/// The runs of a text node that an HTML writer leaves as they are: letters, digits, CJK and
/// full-width punctuation, cut at characters often written as entities (`&ldquo;`, `&nbsp;`).
fn runs(t: &str) -> impl Iterator<Item = &str> {
    t.split(|c: char| !(c.is_alphanumeric() || wide(c) && c != '\u{3000}'))
        .filter(|r| r.chars().nth(1).is_some())
}

/// The largest char boundary of `s` not past `at`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = r##"<!DOCTYPE html><html><head>
<meta charset="utf-8"><title>江川大桥建成通车 两岸车程缩短一半_新闻频道_某某网(mou.com)</title>
<link rel="canonical" href="https://news.mou.com/2024/09/29/ARTI123.shtml">
<script>var title = "江川大桥建成通车，这是脚本里的中文，不是正文。"; var x = "更多中文更多中文更多中文，。";</script>
<style>.p { color: red } /* 样式表里的中文注释，不是正文。 */</style>
</head><body>
<div class="nav"><a href="/">首页</a> <a href="/news">新闻</a> <a href="/sports">体育频道</a></div>
<div class="topbar">2024年09月30日 星期一</div>
<h1>江川大桥建成通车 两岸车程缩短一半</h1>
<div class="info">来源：江川日报  2024-09-29 19:37</div>
<div class="share"><a href="#">分享到微博</a><a href="#">分享到微信</a></div>
<div id="text_area">
  <p>　　本报江川9月29日电（记者王小明）江川大桥今天建成通车，全长三千二百米，
  是全省最长的跨江大桥。</p>
  <p>大桥连接江川东西两岸，通车后，两岸车程由一小时缩短到半小时，沿线群众出行更方便。</p>
  <p>据介绍，大桥历时四年建成，采用了多项新技术，<a href="/tech">桥梁建设</a>水平明显提高。</p>
  <p>（责任编辑：张三）</p>
</div>
<div class="related"><h3>相关新闻</h3><ul>
  <li><a href="/a1">江川二桥开工建设，预计三年后建成通车</a></li>
  <li><a href="/a2">江川隧道通车运行一周年，车流量稳步增长</a></li>
  <li><a href="/a3">江川东岸新区规划公布，将建设三座大桥</a></li>
</ul></div>
<div class="footer">版权所有 © 某某网 京ICP备12345号 联系我们 关于我们 网站地图</div>
</body></html>"##;

    #[test]
    fn story_page_keeps_the_story_and_drops_the_clutter() {
        let page = extract("ARTI123.shtml", STORY);
        let a = page.article.expect("a story page has an article");
        assert_eq!(a.headline, "江川大桥建成通车 两岸车程缩短一半");
        assert_eq!(
            a.text,
            "本报江川9月29日电（记者王小明）江川大桥今天建成通车，全长三千二百米，是全省最长的跨江大桥。\n\
             大桥连接江川东西两岸，通车后，两岸车程由一小时缩短到半小时，沿线群众出行更方便。\n\
             据介绍，大桥历时四年建成，采用了多项新技术，桥梁建设水平明显提高。"
        );
        assert_eq!(a.date.as_deref(), Some("2024-09-29"));
        assert_eq!(a.agency.as_deref(), Some("江川日报"));
        assert_eq!(a.url.as_deref(), Some("https://news.mou.com/2024/09/29/ARTI123.shtml"));
        assert_eq!((a.lang.as_str(), a.script.as_str()), ("zh", "Hans"));
    }

    #[test]
    fn spans_point_at_the_paragraphs_in_the_source() {
        let a = extract("a.html", STORY).article.unwrap();
        assert_eq!(a.spans.len(), 3);
        let first = &STORY[a.spans[0].span.start..a.spans[0].span.end];
        assert!(first.starts_with("本报江川9月29日电"), "{first}");
        assert!(first.ends_with("跨江大桥。"), "{first}");
        let last = &STORY[a.spans[2].span.start..a.spans[2].span.end];
        assert!(last.starts_with("据介绍") && last.ends_with("明显提高。"), "{last}");
        assert!(a.spans.windows(2).all(|w| w[0].span.end <= w[1].span.start));
    }

    #[test]
    fn listing_page_has_no_article() {
        let mut html = String::from("<html><head><title>新闻联播 20240901</title></head><body><ul>");
        for i in 0..15 {
            html.push_str(&format!(
                "<li><div class=image><a href=\"/2024/09/01/V{i}.shtml\"><img src=x.jpg></a>\
                 <span>00:0{}:30</span></div><a href=\"/2024/09/01/V{i}.shtml\">[视频]第{i}条新闻的标题文字在这里</a></li>",
                i % 10
            ));
        }
        html.push_str("</ul></body></html>");
        let page = extract("20240901.shtml", &html);
        assert_eq!(page.article, None);
        assert!(
            page.warnings.iter().any(|w| w.starts_with("listing page")),
            "{:?}",
            page.warnings
        );
    }

    #[test]
    fn listing_page_with_summaries_has_no_article() {
        let mut html = String::from("<html><body><div class=news>");
        for i in 0..10 {
            html.push_str(&format!(
                "<div class=item><h3><a href=\"/n{i}.html\">第{i}条新闻的标题在这里</a></h3>\
                 <p>这是第{i}条新闻的摘要，讲了一件事。</p></div>"
            ));
        }
        html.push_str("</div></body></html>");
        let page = extract("index.html", &html);
        assert_eq!(page.article, None, "{:?}", page.warnings);
    }

    #[test]
    fn script_with_chinese_text_is_not_the_article() {
        let html = "<html><head><title>短讯</title></head><body>\
            <script>var s = '这是一段很长的中文脚本，里面有很多逗号，句号。还有更多的中文，不应被提取，绝对不应该。';</script>\
            <div><p>今天全市降雨，气温下降五度。</p></div>\
            <script type=\"application/ld+json\">{\"articleBody\": \"今天全市降雨，气温下降五度。这是脚本中的全文，不是页面正文。\"}</script>\
            </body></html>";
        let a = extract("s.html", html).article.expect("article");
        assert_eq!(a.text, "今天全市降雨，气温下降五度。");
        assert_eq!(a.headline, "短讯");
    }

    #[test]
    fn empty_page_has_no_article() {
        for html in ["", "<html></html>", "<html><body>   </body></html>"] {
            let page = extract("e.html", html);
            assert_eq!(page.article, None);
            assert!(!page.warnings.is_empty());
        }
    }

    #[test]
    fn malformed_html_still_gives_the_text() {
        let html = "<html><title>坏页面_某某网</title><body><div id=content><p>第一段没有闭合，\
            但是内容还在，读者能看见。<p>第二段<b>加粗没有闭合，依然是正文。<div>第三段在未闭合的标签里，也要保留。";
        let a = extract("bad.html", html).article.expect("article");
        assert_eq!(a.headline, "坏页面");
        assert_eq!(
            a.text,
            "第一段没有闭合，但是内容还在，读者能看见。\n第二段加粗没有闭合，依然是正文。\n第三段在未闭合的标签里，也要保留。"
        );
    }

    #[test]
    fn hidden_summary_and_brief_lose_to_the_story() {
        let html = "<html><head><title>[视频]央视快评：救灾</title></head><body>\
            <div class=video><div class=tit>[视频]央视快评：救灾</div></div>\
            <div style=\"display: none\"><p>央视快评：抓紧组织力量救灾，切实保障人民群众生命财产安全。</p></div>\
            <ul class=phone><li><div class=video_brief>央视快评：抓紧组织力量救灾，切实保障安全。</div></li></ul>\
            <div id=content_area><p><strong>央视网消息</strong>（新闻联播）：本台播发央视快评《抓紧组织力量救灾》。<br/></p></div>\
            <div class=zebian><span>编辑：某某</span><span>责任编辑：某某</span></div>\
            </body></html>";
        let a = extract("v.shtml", html).article.expect("article");
        assert_eq!(a.text, "央视网消息（新闻联播）：本台播发央视快评《抓紧组织力量救灾》。");
        assert_eq!(a.headline, "[视频]央视快评：救灾");
    }

    #[test]
    fn date_from_url_when_the_page_has_none() {
        let html = "<html><head><link rel=canonical href=\"//news.x.com/2024/09/03/a.html\"></head>\
            <body><div><p>今天的新闻正文，内容足够长，可以成为文章。</p></div></body></html>";
        let a = extract("a.html", html).article.unwrap();
        assert_eq!(a.date.as_deref(), Some("2024-09-03"));
        assert_eq!(a.url.as_deref(), Some("https://news.x.com/2024/09/03/a.html"));
    }

    #[test]
    fn dates_are_read_in_several_forms() {
        assert_eq!(find_date("更新时间：2024年9月3日 19:37").as_deref(), Some("2024-09-03"));
        assert_eq!(find_date("2024-09-29 19:37").as_deref(), Some("2024-09-29"));
        assert_eq!(find_date("12024-09-29"), None);
        assert_eq!(find_date("2024年13月1日"), None);
        assert_eq!(
            date_in_url("https://x.cn/2024-09/29/c_1.htm").as_deref(),
            Some("2024-09-29")
        );
        assert_eq!(date_in_url("t20240929_123.html").as_deref(), Some("2024-09-29"));
        assert_eq!(date_in_url("VIDE0Cu7GuvB5xIdvVCMDRPM240929.shtml"), None);
    }

    #[test]
    fn site_names_are_stripped_from_titles() {
        assert_eq!(
            strip_site("习近平会见乍得总统_新闻频道_央视网(cctv.com)"),
            "习近平会见乍得总统"
        );
        assert_eq!(strip_site("人民网 | 江川大桥建成通车"), "江川大桥建成通车");
        assert_eq!(strip_site("标题——副题"), "标题——副题");
    }

    #[test]
    fn table_layout_keeps_the_text_cell_only() {
        let html = "<html><head><title>老式页面的新闻标题 - 某某在线</title></head><body><table><tr>\
            <td class=left><a href=/1>栏目一的链接文字</a><br><a href=/2>栏目二的链接文字</a><br>\
            <a href=/3>栏目三的链接文字</a></td>\
            <td class=main>第一段正文，讲述事情的起因，内容较长。<br><br>第二段正文，讲述事情的经过，同样较长。</td>\
            <td class=right>广告位招租，联系电话12345678</td></tr></table></body></html>";
        let a = extract("t.html", html).article.expect("article");
        assert_eq!(a.headline, "老式页面的新闻标题");
        assert_eq!(
            a.text,
            "第一段正文，讲述事情的起因，内容较长。\n第二段正文，讲述事情的经过，同样较长。"
        );
    }

    #[test]
    fn logo_h1_is_not_the_headline_but_the_story_h1_is() {
        let html = "<html><head><title>江川：大桥通车 两岸连成一片_国内新闻_某某网</title></head><body>\
            <h1 class=logo><a href=/>某某网</a></h1><div class=art><h1>大桥通车　两岸连成一片</h1>\
            <p>大桥今天通车，江川两岸从此连成一片，群众出行更加方便。</p></div></body></html>";
        let a = extract("h.html", html).article.expect("article");
        assert_eq!(a.headline, "大桥通车 两岸连成一片");
        assert_eq!(a.text, "大桥今天通车，江川两岸从此连成一片，群众出行更加方便。");
    }

    proptest::proptest! {
        #[test]
        fn any_markup_gives_sound_spans_and_no_panic(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<p>", "</p>", "<div class=content>", "</div>", "<br>", "<a href=/x>", "</a>",
                "<script>", "</script>", "<li>", "<ul>", "<h1>", "</h1>", "<title>", "</title>",
                "<table><tr><td>", "&ldquo;", "&nbsp;", "&#x4e2d;", "<!--", "-->", "　", "\n",
                "新华社北京9月29日电，", "记者王小明报道。", "来源：新华社", "2024年9月29日",
                "责任编辑：张三", "<span style=display:none>", "</span>", "<", ">", "\"", "é",
            ]), 0..60)
        ) {
            let html = parts.concat();
            let page = extract("p.html", &html);
            if let Some(a) = page.article {
                for s in &a.spans {
                    proptest::prop_assert!(s.span.start <= s.span.end && s.span.end <= html.len());
                    proptest::prop_assert!(html.is_char_boundary(s.span.start));
                    proptest::prop_assert!(html.is_char_boundary(s.span.end));
                }
                proptest::prop_assert!(a.spans.windows(2).all(|w| w[0].span.end <= w[1].span.start));
                proptest::prop_assert!(!a.text.is_empty());
            }
        }
    }

    /// The layout of a people.com.cn story page (text made up): title with `--` separators,
    /// date and source in a box above the text, pager links and an editor line inside the
    /// text box, centred verse lines, a login form and a share bar.
    #[test]
    fn portal_story_page_with_pager_and_editor_line() {
        let html = "<html><head><meta http-equiv=content-type content=\"text/html;charset=GB2312\">\
            <title>春雨过后，老街换了新颜--文化--某某网 </title>\
            <meta name=publishdate content=2019-06-15></head><body>\
            <div class=top_nav><a href=/>网站首页</a><a href=/p>时政</a><a href=/w>国际</a>\
            <form><p><input value=请输入用户名></p><p><a href=/f>忘记密码？</a></p></form></div>\
            <div class=text_title><h1>春雨过后，老街换了新颜</h1><div class=box01>\
            <div class=fl>2019年06月15日08:18&nbsp;&nbsp;来源：<a href=/c>某某网-文化频道</a></div>\
            <div class=fr><span class=ops_tit>分享到：</span><a class=icon_weibo title=微博>微博</a></div></div></div>\
            <div class=text_con><div class=\"fl text_con_left\"><div class=box_con id=rwb_zw>\
            <p style=\"text-indent: 2em;\"><a href=/s><strong>点击进入“文艺专题”&gt;&gt;</strong></a></p>\
            <p style=\"text-indent: 2em;\">\n\t一场春雨过后，城南的老街换了新颜，青石板路被雨水洗得发亮，街边的老店陆续开门迎客。</p>\
            <p style=\"text-align: center;\"><strong>《春日》</strong></p>\
            <p style=\"text-align: center;\">\n\t雨过青石路，风来旧巷深。</p>\
            <p style=\"text-indent: 2em;\">\n\t老街的修缮持续了两年，工匠们按照旧样式修复了门窗和屋檐，保留了街巷原有的格局。</p>\
            <div class=\"zdfy clearfix\"><a href=/1>【1】</a><a href=/2>【2】</a><a href=/3>【3】</a></div>\
            <div class=\"edit clearfix\">(责编：张三、李四)</div></div></div>\
            <div class=\"fr text_con_right\"><h2>热点推荐</h2><ul>\
            <li><a href=/h1>城东公园新增三条健身步道，市民晨练更方便</a></li>\
            <li><a href=/h2>本市今年新建改建城市书房二十座，开放时间延长</a></li></ul></div></div>\
            <div class=footer>关于我们 | 联系我们 | 版权所有</div></body></html>";
        let a = extract("c1013-31153719.html", html).article.expect("article");
        assert_eq!(a.headline, "春雨过后，老街换了新颜");
        assert_eq!(
            a.text,
            "一场春雨过后，城南的老街换了新颜，青石板路被雨水洗得发亮，街边的老店陆续开门迎客。\n\
             《春日》\n雨过青石路，风来旧巷深。\n\
             老街的修缮持续了两年，工匠们按照旧样式修复了门窗和屋檐，保留了街巷原有的格局。"
        );
        assert_eq!(a.date.as_deref(), Some("2019-06-15"));
        assert_eq!(a.agency.as_deref(), Some("某某网-文化频道"));
    }

    #[test]
    fn channel_page_with_a_featured_summary_has_no_article() {
        let mut html = String::from(
            "<html><head><title>国内新闻_某某网</title></head><body>\
             <div class=focus><h2><a href=/f.html>江川大桥建成通车 两岸车程缩短一半</a></h2>\
             <p>江川大桥今天建成通车，全长三千二百米，是全省最长的跨江大桥，两岸车程缩短一半。\
             <a href=/f.html>[详细]</a></p></div>",
        );
        for block in 0..3 {
            html.push_str("<div class=news_list><ul>");
            for i in 0..12 {
                html.push_str(&format!(
                    "<li><a href=/n{block}{i}.html>第{block}栏第{i}条新闻的标题文字</a><span>09-29 19:37</span></li>"
                ));
            }
            html.push_str("</ul></div>");
        }
        html.push_str("</body></html>");
        let page = extract("index.html", &html);
        assert_eq!(page.article, None, "{:?}", page.warnings);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}<p>深处的正文，内容足够长，可以成为文章。</p>", "<div>".repeat(5000));
        let page = extract("deep.html", &html);
        assert!(
            page.warnings.iter().any(|w| w.contains("deeper")),
            "{:?}",
            page.warnings
        );
    }
}
