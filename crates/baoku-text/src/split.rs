//! Page dumps into pieces: headline blocks, body paragraphs and page furniture.
//!
//! A text dump holds one page, a whole issue or one article. `split_page` finds where
//! articles begin and end, rejoins lines that layout broke inside a sentence, and sets aside
//! page furniture (headers, captions, index bullets, credits, continuation markers) as
//! [`Furniture`] records so that nothing from the input is thrown away.
//!
//! The work runs in three passes, each linear in the input:
//! 1. [`scan`] cuts the text into trimmed lines and classifies each one alone (page header,
//!    furniture, continuation marker, headline-like, body);
//! 2. [`paragraphs`] rejoins layout breaks into paragraphs;
//! 3. [`Segmenter`] walks the paragraphs and decides where articles begin: a headline block
//!    starts a new article only with evidence (a credit closed the previous one, the block has
//!    several lines or a `——` subtitle, a dateline or byline follows); a lone short line
//!    without such evidence is an in-article subhead. A headline block that reads like the
//!    text *before* it is that text's headline, printed after its body.

use serde::{Deserialize, Serialize};

use crate::model::{Furniture, FurnitureKind, Span};

mod trees;

/// One page dump (or one issue) split into pieces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// File name the text came from (dates and page numbers often hide in it).
    pub name: String,
    /// Pieces of articles, in reading order.
    pub pieces: Vec<Piece>,
    /// Furniture lines kept out of articles.
    pub furniture: Vec<Furniture>,
    /// What was unsure on this page.
    pub warnings: Vec<String>,
}

/// A piece of one article on one page: the whole article, or the part before `（下转第N版）`
/// or after `（上接第N版）`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    /// Headline block lines in page order (引题, 主题, 副题), cleaned.
    pub headlines: Vec<String>,
    /// Index into `headlines` of the main headline.
    pub main_headline: usize,
    /// Body paragraphs, layout breaks rejoined, in original script.
    pub paragraphs: Vec<String>,
    /// Byte spans of the decoded text this piece was made from (headline and body lines).
    pub spans: Vec<Span>,
    /// Issue date `YYYY-MM-DD` from the page header or file name, if stated.
    pub date: Option<String>,
    /// Page number in the issue, if known.
    pub page: Option<u32>,
    /// `N` of a trailing `（下转第N版）`.
    pub continues_to: Option<u32>,
    /// `N` of a leading `（上接第N版）`.
    pub continued_from: Option<u32>,
}

/// Splits one decoded page dump into pieces and furniture.
pub fn split_page(name: &str, text: &str) -> Page {
    let (date, page_no) = name_date_page(name);
    let lines = scan(text);
    let indent_mode = is_indent_mode(&lines);
    let paras = paragraphs(&lines, indent_mode);
    let mut seg = Segmenter::new(name, date, page_no);
    seg.index = index_titles(&lines);
    seg.run(&paras);
    seg.finish()
}

/// One undecided headline block seen by the segmenter, for fitting [`boundary_score`]
/// offline: the block's first line, the paragraph before it, and the features of the
/// boundary. Not part of the stable API.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct BoundaryTrace {
    /// Lines of the headline block.
    pub heads: Vec<String>,
    /// Paragraph just above the block.
    pub prev: String,
    /// [`boundary_features`] of the block.
    pub features: [f64; N_FEATURES],
    /// Headlines of the open piece.
    pub piece_heads: Vec<String>,
    /// Paragraphs of the open piece so far.
    pub body: Vec<String>,
    /// Up to three paragraphs after the block.
    pub follow: String,
}

/// Runs the splitter and records each undecided headline block (see [`BoundaryTrace`]).
#[doc(hidden)]
pub fn trace_boundaries(name: &str, text: &str) -> Vec<BoundaryTrace> {
    let (date, page_no) = name_date_page(name);
    let lines = scan(text);
    let indent_mode = is_indent_mode(&lines);
    let paras = paragraphs(&lines, indent_mode);
    let mut seg = Segmenter::new(name, date, page_no);
    seg.index = index_titles(&lines);
    seg.trace = Some(Vec::new());
    seg.run(&paras);
    seg.trace.unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// File names

/// Reads `YYYYMMDD` and an optional `_PP` page number out of a file name
/// (`rmrb_20191002_03.txt`). Opaque names give nothing.
fn name_date_page(name: &str) -> (Option<String>, Option<u32>) {
    let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = stem.split('.').next().unwrap_or(stem);
    let runs: Vec<&str> = stem
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    for (i, run) in runs.iter().enumerate() {
        if run.len() != 8 {
            continue;
        }
        let Some(date) = crate::describe::normalize_date(run) else {
            continue;
        };
        let page = runs.get(i + 1).filter(|p| p.len() <= 3).and_then(|p| p.parse().ok());
        return (Some(date), page);
    }
    (None, None)
}

// ---------------------------------------------------------------------------------------
// Pass 1: lines

/// What one line is, judged on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `人民日报 2019年10月2日 星期三 第03版` or a bare `第05版`.
    Header { date: Option<String>, page: u32 },
    /// Furniture other than headers and continuation markers.
    Furniture(FurnitureKind),
    /// `（下转第N版）` (`to`) or `（上接第N版）` (not `to`).
    Marker { to: bool, page: u32 },
    /// Short, no sentence-final punctuation, not indented: a headline or subhead candidate.
    Head,
    /// Anything else: article text.
    Body,
}

/// A trimmed, non-blank line of the page.
#[derive(Debug, Clone)]
struct Line<'a> {
    text: &'a str,
    span: Span,
    indented: bool,
    kind: Kind,
}

/// Headline lines are short; subtitles (`——…`) may run longer.
const MAX_HEAD_CHARS: usize = 48;
const MAX_SUBTITLE_CHARS: usize = 90;

/// Cuts `text` into trimmed non-blank lines and classifies each. Linear in the input.
fn scan(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text.as_bytes()[pos..]).map_or(text.len(), |i| pos + i);
        let raw = &text[pos..end];
        let trimmed = raw.trim_start();
        let lead = raw.len() - trimmed.len();
        let trimmed = trimmed.trim_end();
        if !trimmed.is_empty() {
            let start = pos + lead;
            let span = Span::new(start, start + trimmed.len());
            let indented = lead > 0 && raw[..lead].chars().count() >= 2 || raw.starts_with('\u{3000}');
            push_line(&mut out, trimmed, span, indented);
        }
        pos = end + 1;
    }
    // A short kicker ending in `：` (`某某大学：`, `财政部：`) right above a headline line is
    // part of the headline block.
    for i in (0..out.len().saturating_sub(1)).rev() {
        if out[i].kind == Kind::Body && out[i + 1].kind == Kind::Head && is_colon_kicker(&out[i]) {
            out[i].kind = Kind::Head;
        }
    }
    out
}

/// `某某大学：`: short, unindented, ends in a colon, no other clause punctuation.
fn is_colon_kicker(l: &Line) -> bool {
    let t = l.text;
    let Some(body) = t.strip_suffix('：').or_else(|| t.strip_suffix(':')) else {
        return false;
    };
    !l.indented && chars_capped(body, 16) <= 16 && !body.contains(['，', ',', '。', '：', ':', '；'])
}

/// Classifies one line, splitting a continuation marker glued to the end of a body line
/// into its own line so that the marker's span stays furniture.
fn push_line<'a>(out: &mut Vec<Line<'a>>, t: &'a str, span: Span, indented: bool) {
    if let Some(cut) = trailing_marker_start(t) {
        let head = t[..cut].trim_end();
        if !head.is_empty() {
            let hspan = Span::new(span.start, span.start + head.len());
            out.push(Line {
                text: head,
                span: hspan,
                indented,
                kind: classify(head, indented),
            });
            let m = &t[cut..];
            let mspan = Span::new(span.start + cut, span.end);
            out.push(Line {
                text: m,
                span: mspan,
                indented: false,
                kind: classify(m, false),
            });
            return;
        }
    }
    out.push(Line {
        text: t,
        span,
        indented,
        kind: classify(t, indented),
    });
}

fn classify(t: &str, indented: bool) -> Kind {
    if let Some(k) = header(t) {
        return k;
    }
    if let Some((to, page)) = marker(t) {
        return Kind::Marker { to, page };
    }
    if let Some(k) = furniture_kind(t) {
        return Kind::Furniture(k);
    }
    if !indented && is_head_like(t) && !is_photo_credit(t) {
        return Kind::Head;
    }
    Kind::Body
}

/// Characters that close a sentence or a quoted/bracketed sentence.
fn is_terminal(c: char) -> bool {
    matches!(
        c,
        '。' | '！'
            | '？'
            | '!'
            | '?'
            | '…'
            | '”'
            | '"'
            | '’'
            | '」'
            | '』'
            | '）'
            | ')'
            | '；'
            | ';'
            | '：'
            | ':'
            | '.'
            | '．'
            | '，'
            | ','
            | '、'
            | '】'
    )
}

fn ends_terminated(t: &str) -> bool {
    t.chars().next_back().is_some_and(is_terminal)
}

/// A line that cannot be a headline: it ends a sentence (headlines may ask a question or
/// end in a quotation), or it is a box line (`■ …`).
fn ends_terminated_body(t: &str) -> bool {
    t.starts_with('■') || ends_terminated(t) && !t.ends_with(['？', '?']) && !closes_headline(t)
}

/// The first `n` chars of `t`, borrowed.
pub(crate) fn prefix_chars(t: &str, n: usize) -> &str {
    t.char_indices().nth(n).map_or(t, |(i, _)| &t[..i])
}

/// Number of chars in `t`, counting no further than `cap` (keeps huge lines linear).
fn chars_capped(t: &str, cap: usize) -> usize {
    t.chars().take(cap + 1).count()
}

fn is_head_like(t: &str) -> bool {
    let n = chars_capped(t, MAX_SUBTITLE_CHARS);
    if t.starts_with('—') || t.starts_with("--") {
        // `——编者`, `——习近平`: a short attribution closing a note or a quotation.
        let rest = t.trim_start_matches(['—', '-']).trim();
        return n <= MAX_SUBTITLE_CHARS && chars_capped(rest, 5) > 5;
    }
    if is_box_label(t) {
        return false;
    }
    if ends_terminated(t) && !closes_headline(t) {
        return false;
    }
    // A kicker (引题) ending in `——` leads into the main headline below it, however many
    // clauses it holds: `某地多措并举，群众满意度提升——`.
    if t.ends_with("——") && !t.starts_with(['“', '"']) {
        return n <= MAX_SUBTITLE_CHARS;
    }
    if is_latin_headline(t, n) {
        return true;
    }
    // A bracketed whole line (`（一）`, `（记者某某）`) is body.
    if bracketed(t).is_some() || starts_with_lede(t) || is_byline(t) {
        return false;
    }
    // Headlines rarely hold clause punctuation; a line cut from a paragraph by layout
    // usually does. The longer the line, the less punctuation a headline may hold.
    // (`、` between listed names is common in headlines, so it is not counted.)
    // A column tag does not count towards the length.
    let t = column_tag_start(t).map_or(t, |i| &t[..i]);
    let n = chars_capped(t, MAX_SUBTITLE_CHARS);
    let punct = t.chars().filter(|c| "，。；：,;:".contains(*c)).count();
    match punct {
        0 => n <= MAX_HEAD_CHARS,
        1 => n < 32,
        _ => n < 24,
    }
}

/// `——编者`, `——編  者`: the signature closing an editor's note.
fn is_editor_note(t: &str) -> bool {
    let Some(rest) = t.strip_prefix("——") else {
        return false;
    };
    let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    rest == "编者" || rest == "編者"
}

/// A kicker line ending in `——` (`安徽小岗村——`), not a subtitle.
fn is_dash_kicker(t: &str) -> bool {
    t.ends_with("——") && !t.starts_with('—')
}

/// `——访某某`, `——记某某`: the subtitle of an interview or a profile, which is an article of
/// its own.
fn is_profile_subtitle(t: &str) -> bool {
    ["——访", "——訪", "——记", "——記"].iter().any(|p| t.starts_with(p))
}

/// `（2019年10月26日某某会议通过）` under a title: a law or decision printed in full, which is
/// a document of its own.
fn is_adoption_note(t: &str) -> bool {
    bracketed(t).is_some_and(|inner| {
        chars_capped(inner, 80) <= 80
            && ['年', '月', '日'].iter().all(|&c| inner.contains(c))
            && (inner.ends_with("通过") || inner.ends_with("通過"))
    })
}

/// Labels of boxes printed inside an article (`核心阅读`, `内容提要`): never a headline.
fn is_box_label(t: &str) -> bool {
    ["核心阅读", "核心閱讀", "内容提要", "內容提要"].contains(&t)
}

/// A `——` line naming who said the words above it: `——某某（某研究所研究员）`, not a
/// `……——` kicker.
fn is_attribution(t: &str) -> bool {
    let t = t.trim();
    t.starts_with("——") && !t.ends_with("——") && chars_capped(t, 60) > 3
}

/// The bulleted label of a sidebar printed with an article (`■链接`, `■背景`, `■点评`).
fn is_sidebar_label(t: &str) -> bool {
    const LABELS: [&str; 14] = [
        "链接", "鏈接", "相关链接", "相關鏈接", "背景", "延伸阅读", "延伸閱讀", "点评", "點評", "小贴士", "小貼士",
        "编后", "編後", "短评",
    ];
    t.trim()
        .strip_prefix(['■', '●', '◆', '▲'])
        .is_some_and(|r| LABELS.contains(&r.trim()))
}

/// An English headline: mostly Latin letters, capitalised, at most 20 words, no sentence
/// punctuation (checked by the caller), longer than a CJK headline may be.
fn is_latin_headline(t: &str, n: usize) -> bool {
    if n > MAX_SUBTITLE_CHARS || !t.starts_with(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    let latin = t.chars().filter(|c| c.is_ascii_alphabetic()).count();
    latin * 10 >= n * 7 && t.split_whitespace().count() <= 20 && !t.contains(['|', ':'])
}

/// A headline may end in a bracketed column name (`……（人民时评）`) or be one quotation
/// (`“……”`).
fn closes_headline(t: &str) -> bool {
    if t.ends_with('）') || t.ends_with(')') {
        return has_column_tag(t);
    }
    // A headline ending in a quoted phrase: `开展春季“护眼行动”`, no sentence inside.
    if t.ends_with('”') && !t.starts_with('“') {
        return t.contains('“') && !t.contains(['。', '，', '！', '？', '；', ',', ';']);
    }
    if t.ends_with('”') && t.starts_with('“') {
        // One quotation, no sentence closed inside it; or quoted phrases joined by words
        // (`“过境站”变身“产业站”`), no clause punctuation anywhere.
        let inner = &t['“'.len_utf8()..t.len() - '”'.len_utf8()];
        return !inner.contains('。') && (!inner.contains('”') || !inner.contains(['，', '！', '？', '；', ',', ';']));
    }
    false
}

/// Standing heads that always open an item: `图片报道`, `图片新闻`, `新闻速览`, and short
/// column names of brief-news corners (`财经短波`, `新闻速递`, `医学资讯`).
fn is_standing_head(t: &str) -> bool {
    const CORNERS: [&str; 8] = ["速递", "速遞", "资讯", "資訊", "短波", "快讯", "快訊", "速览"];
    if chars_capped(t, 6) <= 6 && CORNERS.iter().any(|c| t.ends_with(c)) {
        return true;
    }
    const HEADS: [&str; 8] = [
        "图片报道",
        "圖片報道",
        "图片新闻",
        "圖片新聞",
        "新闻速览",
        "新聞速覽",
        "简讯",
        "簡訊",
    ];
    HEADS.contains(&t)
}

/// The line naming a contribution's author under its headline, with the author's country
/// or place in brackets: `（英国）某某·某某`, `(日本)某某`.
fn is_author_line(t: &str) -> bool {
    let Some(rest) = t.strip_prefix(['（', '(']) else {
        return false;
    };
    let Some(close) = rest.find(['）', ')']) else {
        return false;
    };
    let name = rest[close..].trim_start_matches(['）', ')']).trim();
    let n = chars_capped(name, 16);
    chars_capped(&rest[..close], 8) <= 8
        && (2..=16).contains(&n)
        && name
            .chars()
            .all(|c| crate::describe::is_cjk(c) || c == '·' || c == '•' || c == ' ')
}

/// Column names of brief-news corners, whose items make one article: the corner names of
/// [`is_standing_head`] other than the picture items, and `微阅读`.
fn is_brief_corner(t: &str) -> bool {
    is_standing_head(t) && !t.starts_with(['图', '圖']) || t == "微阅读" || t == "微閱讀"
}

/// `他说：“这里是客厅。”大家笑了`: words introduced by a colon and quoted, with more
/// text after the quotation closes.
fn is_speech_line(t: &str) -> bool {
    t.find(['：', ':']).is_some_and(|i| {
        let rest = t[i..].trim_start_matches(['：', ':']);
        rest.starts_with(['“', '"'])
            && rest
                .rfind(['”', '"'])
                .is_some_and(|j| j > 0 && !rest[j..].trim_start_matches(['”', '"']).is_empty())
    })
}

/// `……（人民时评）`: a bracketed tag at the end of a line that also holds text before it.
/// Series tags run long (`（深入学习贯彻习近平新时代中国特色社会主义思想）`).
fn has_column_tag(t: &str) -> bool {
    column_tag_start(t).is_some()
}

/// Line `k` of a headline block closed by a column tag, not a name under a title followed
/// by the person's role (`张  也（歌唱演员）`), which introduces a contribution inside a
/// feature.
fn is_tagged_head(t: &str, k: usize) -> bool {
    column_tag_start(t).is_some_and(|i| {
        if k == 0 {
            return true;
        }
        let name: Vec<char> = t[..i].chars().filter(|c| !c.is_whitespace()).collect();
        !((2..=4).contains(&name.len()) && name.iter().all(|&c| crate::describe::is_cjk(c)))
    })
}

/// `t` without the column tag that ends it: the tag names a column, not what the text is
/// about, so it only dilutes word overlap.
fn untagged(t: &str) -> &str {
    column_tag_start(t).map_or(t, |i| &t[..i])
}

/// Byte offset of the column tag that ends `t`, if any.
fn column_tag_start(t: &str) -> Option<usize> {
    if !(t.ends_with('）') || t.ends_with(')')) {
        return None;
    }
    let open = t.rfind(['（', '('])?;
    (open > 0 && chars_capped(&t[open..], 42) <= 42).then_some(open)
}

/// `人民日报 2019年10月2日 星期三 第03版`, `人民日報 …`, or a bare `第05版`.
fn header(t: &str) -> Option<Kind> {
    if t.len() > 80 || !t.ends_with('版') {
        return None;
    }
    let body = t.strip_suffix('版')?;
    let at = body.rfind('第')?;
    let page: u32 = parse_page_number(&body[at + '第'.len_utf8()..])?;
    let before = body[..at].trim();
    if before.is_empty() {
        return Some(Kind::Header { date: None, page });
    }
    let date = header_date(before)?;
    Some(Kind::Header { date: Some(date), page })
}

/// `… 2019年10月2日 星期三` → `2019-10-02`.
fn header_date(s: &str) -> Option<String> {
    let y = s.find('年')?;
    let digits_start = s[..y].rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    let rest = &s[digits_start..];
    let day_end = rest.find('日')?;
    crate::describe::normalize_date(&rest[..day_end + '日'.len_utf8()])
}

/// `5`, `05`, `五`, `十一` → the number.
fn parse_page_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    chinese_number(s)
}

/// Chinese numerals up to 99 (`五`, `十一`, `二十三`).
fn chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c).map(|p| p as u32);
    let cs: Vec<char> = s.chars().collect();
    match cs.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(10 * digit(*t)?),
        [t, '十', d] => Some(10 * digit(*t)? + digit(*d)?),
        _ => None,
    }
}

/// A whole-line continuation marker: `（下转第5版）`, `(上接第1版)`, `（转第三版）`.
fn marker(t: &str) -> Option<(bool, u32)> {
    marker_inner(bracketed(t)?.trim())
}

/// The inside of a line wrapped in full- or half-width round brackets.
fn bracketed(t: &str) -> Option<&str> {
    let inner = t.strip_prefix('（').or_else(|| t.strip_prefix('('))?;
    inner.strip_suffix('）').or_else(|| inner.strip_suffix(')'))
}

/// `下转第5版` → (true, 5); `上接第1版` → (false, 1).
fn marker_inner(s: &str) -> Option<(bool, u32)> {
    let (to, rest) = if let Some(r) = s.strip_prefix("下转").or_else(|| s.strip_prefix("下轉")) {
        (true, r)
    } else if let Some(r) = s.strip_prefix("转").or_else(|| s.strip_prefix("轉")) {
        (true, r)
    } else if let Some(r) = s.strip_prefix("上接").or_else(|| s.strip_prefix("接")) {
        (false, r)
    } else {
        return None;
    };
    let n = rest.strip_prefix('第')?.strip_suffix('版')?;
    Some((to, parse_page_number(n)?))
}

/// Byte offset where a continuation marker glued to the end of `t` begins.
fn trailing_marker_start(t: &str) -> Option<usize> {
    if !(t.ends_with('）') || t.ends_with(')')) || t.len() < 12 {
        return None;
    }
    let open = t.rfind(['（', '('])?;
    (open > 0 && marker(&t[open..]).is_some()).then_some(open)
}

/// Furniture that is neither a header nor a marker: photo captions, index bullets, credits.
fn furniture_kind(t: &str) -> Option<FurnitureKind> {
    if (t.starts_with("图为") || t.starts_with("圖為") || t.starts_with("图：") || t.starts_with("圖："))
        && (t.ends_with('摄') || t.ends_with('攝'))
        && chars_capped(t, 120) <= 120
    {
        return Some(FurnitureKind::Caption);
    }
    if t.starts_with("- ") || t.starts_with("• ") || is_page_pointer(t) {
        return Some(FurnitureKind::IndexBullet);
    }
    if is_credit(t) {
        return Some(FurnitureKind::Credit);
    }
    None
}

/// The headlines a page's index (`- 标题`, `• 标题`) lists: each opens an article there.
fn index_titles(lines: &[Line]) -> std::collections::HashSet<String> {
    lines
        .iter()
        .filter(|l| l.kind == Kind::Furniture(FurnitureKind::IndexBullet))
        .filter_map(|l| l.text.strip_prefix("- ").or_else(|| l.text.strip_prefix("• ")))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// An index bullet pointing to another page: `■ 老粮站变身服务中心（第3版）`.
fn is_page_pointer(t: &str) -> bool {
    t.starts_with(['■', '□', '●', '◆', '▲', '★'])
        && t.rfind(['（', '(']).is_some_and(|i| {
            let tail = t[i..].trim_start_matches(['（', '(']).trim_end_matches(['）', ')']);
            tail.starts_with('第') && tail.ends_with('版')
        })
}

/// `本版编辑：…`, `版式设计：…`, `责任编辑：…`, `制图：…`, `本版摄影：…`, `数据来源：…`: page credits and
/// source notes (either colon width).
fn is_credit(t: &str) -> bool {
    const CREDITS: [&str; 8] = [
        "本版编辑",
        "版式设计",
        "责任编辑",
        "美术编辑",
        "本版編輯",
        "版式設計",
        "責任編輯",
        "美術編輯",
    ];
    const LABELS: [&str; 15] = [
        "本版制图",
        "本版製圖",
        "本版摄影",
        "本版攝影",
        "本版统筹",
        "本版統籌",
        "制图",
        "製圖",
        "数据来源",
        "數據來源",
        "资料来源",
        "資料來源",
        "本期统筹",
        "本期統籌",
        "栏目投稿邮箱",
    ];
    if chars_capped(t, 60) > 60 {
        return false;
    }
    let labelled = LABELS
        .iter()
        .any(|l| t.strip_prefix(l).is_some_and(|r| r.starts_with(['：', ':'])));
    labelled
        || is_mailbox_line(t)
        || CREDITS
            .iter()
            .any(|c| t.starts_with(c) || t.contains(c) && t.contains("  "))
}

/// `电子信箱：name@example.com`, `投稿邮箱:…`: a column's mail address alone on its line.
fn is_mailbox_line(t: &str) -> bool {
    let Some(colon) = t.find(['：', ':']) else {
        return false;
    };
    let (label, addr) = (
        &t[..colon],
        t[colon..].trim_start_matches(['：', ':']).trim_end_matches('。').trim(),
    );
    chars_capped(label, 8) <= 8
        && ["信箱", "邮箱", "郵箱"].iter().any(|m| label.ends_with(m))
        && addr.contains('@')
        && addr.chars().all(|c| c.is_ascii_graphic())
}

/// Does `t` open with a dateline or a news lede (`新华社北京10月1日电`, `本报讯`, `据新华社`…)?
pub(crate) fn starts_with_lede(t: &str) -> bool {
    let head = prefix_chars(t, 40);
    const OPENERS: [&str; 12] = [
        "本报讯",
        "本報訊",
        "本报电",
        "本報電",
        "据新华社",
        "據新華社",
        "央视网消息",
        "人民网",
        "中新社",
        "新华网",
        "据中新社",
        "据人民网",
    ];
    if OPENERS.iter().any(|o| head.starts_with(o)) {
        return true;
    }
    // `<outlet><place><month>月<day>日电` within the first 40 chars.
    let Some(dian) = head.find("日电").or_else(|| head.find("日電")) else {
        return false;
    };
    let pre = &head[..dian];
    let has_month = pre.contains('月');
    let outlet = [
        "新华社",
        "新華社",
        "本报",
        "本報",
        "据",
        "據",
        "中新社",
        "人民网",
        "记者",
        "記者",
    ];
    has_month && outlet.iter().any(|o| pre.starts_with(o)) && !pre.contains('。')
}

/// A photo credit closing a picture item: `张三摄`, `李四  王五摄影报道（影像中国）`,
/// `张三图  李四文`. Short, it names people and ends in 摄 / 摄影报道 / …文, maybe followed
/// by a bracketed tag.
fn is_photo_credit(t: &str) -> bool {
    if chars_capped(t, 40) > 40 || t.contains(['。', '，', '：']) {
        return false;
    }
    let core = match t.rfind(['（', '(']) {
        Some(i) if i > 0 && (t.ends_with('）') || t.ends_with(')')) => t[..i].trim_end(),
        _ => t,
    };
    // Agency and picture-desk credits stand alone: `新华社发`, `人民视觉`.
    const AGENCIES: [&str; 8] = [
        "新华社发",
        "新華社發",
        "人民视觉",
        "人民視覺",
        "视觉中国",
        "視覺中國",
        "影像中国",
        "影像中國",
    ];
    AGENCIES.iter().any(|e| core.ends_with(e))
        || ["摄", "攝", "摄影报道", "攝影報道"].iter().any(|e| core.ends_with(e))
        || core.ends_with('文') && core.contains(['图', '圖']) && core.contains([' ', '\u{a0}', '\u{3000}'])
}

/// `本报记者  张三`, `记者 李四 王五`, `新华社记者 …`: a byline line, short.
fn is_byline(t: &str) -> bool {
    let n = chars_capped(t, 40);
    n <= 40
        && [
            "本报记者",
            "本報記者",
            "新华社记者",
            "新華社記者",
            "记者",
            "記者",
            "本报通讯员",
            "通讯员",
        ]
        .iter()
        .any(|p| t.starts_with(p))
        && !ends_terminated(t)
}

/// True when most body-shaped lines are indented (`　　` paragraph starts).
fn is_indent_mode(lines: &[Line]) -> bool {
    let (mut ind, mut all) = (0usize, 0usize);
    for l in lines.iter().filter(|l| matches!(l.kind, Kind::Body)) {
        all += 1;
        ind += l.indented as usize;
    }
    all > 0 && ind * 10 >= all * 4
}

// ---------------------------------------------------------------------------------------
// Pass 2: paragraphs

/// One unit of the page after layout breaks are rejoined.
#[derive(Debug, Clone)]
struct Para {
    text: String,
    spans: Vec<Span>,
    kind: Kind,
}

/// A line continues the previous paragraph when that paragraph stopped mid-sentence at
/// length, and this line does not open a new paragraph (indentation, a subtitle dash, a
/// dateline).
fn is_tail(prev: &Para, prev_last: &Line, line: &Line, indent_mode: bool) -> bool {
    if !matches!(line.kind, Kind::Body | Kind::Head) {
        return false;
    }
    // Whatever the previous line looked like, a line cannot open with a lowercase word or
    // with punctuation that closes a clause: it goes on with the line above.
    let cannot_open = line.text.starts_with(|c: char| c.is_ascii_lowercase())
        || line
            .text
            .starts_with(['，', '、', '。', '；', '：', '”', '）', ',', ';']);
    if is_photo_credit(prev_last.text) || crate::describe::is_web_credit(prev_last.text) {
        return false;
    }
    if matches!(prev.kind, Kind::Head) && prev.spans.len() == 1 && !ends_terminated(prev_last.text) {
        return cannot_open && !prev_last.text.starts_with('—');
    }
    if !matches!(prev.kind, Kind::Body) {
        return false;
    }
    if ends_terminated(prev_last.text) || chars_capped(prev_last.text, 12) < 12 {
        return false;
    }
    if line.text.starts_with('—') || starts_with_lede(line.text) || is_byline(line.text) || is_photo_credit(line.text)
    {
        return false;
    }
    if indent_mode {
        // The break's tail is never indented; a headline isn't either, so a short
        // unterminated tail must read as the end of a sentence.
        return !line.indented;
    }
    // Without indentation only the tail's shape tells: it closes a sentence, or it is
    // long, or it starts with punctuation that cannot open a paragraph.
    ends_terminated(line.text) || matches!(line.kind, Kind::Body) || cannot_open
}

/// On a page whose paragraphs open indented, an unindented unfinished line that stands
/// alone (it did not go on a paragraph above) and is followed by a headline line is a long
/// 引题 over that headline, however many clauses it holds.
fn is_long_kicker(prev: &Para, prev_line: &Line, line: &Line) -> bool {
    matches!(prev.kind, Kind::Body)
        && prev.spans.len() == 1
        && !prev_line.indented
        && !ends_terminated(prev_line.text)
        && chars_capped(prev_line.text, MAX_SUBTITLE_CHARS) < MAX_SUBTITLE_CHARS
        && !starts_with_lede(prev_line.text)
        && !is_photo_credit(prev_line.text)
        && !is_editor_note(prev_line.text)
        && matches!(line.kind, Kind::Head)
        && !line.indented
}

/// A short line standing alone above a headline line, holding clauses or trailing off
/// (`有了食堂、咖啡馆……`, `截至目前，某区引进项目83个`, `难题如何破解？`, `最高检:`): the
/// 引题 of that headline. A sentence closed by `。` or a quotation is body text.
fn is_clause_kicker(prev: &Para, prev_line: &Line, line: &Line) -> bool {
    let t = prev_line.text;
    matches!(prev.kind, Kind::Body)
        && prev.spans.len() == 1
        && !prev_line.indented
        && matches!(line.kind, Kind::Head)
        && !line.indented
        && !line.text.starts_with(['—', '●', '■', '◆', '▲', '★', '□'])
        && chars_capped(t, 40) <= 40
        && !t.contains(['。', '！', '!'])
        && !t.ends_with(['。', '！', '!', '”', '"', '）', ')', '；', ';', '，', ',', '、'])
        && !t.starts_with(['—', '“', '"', '（', '(', '【', '■', '●'])
        && !starts_with_lede(t)
        && !is_photo_credit(t)
        && !is_byline(t)
        && !is_caption_like(t)
}

fn paragraphs(lines: &[Line], indent_mode: bool) -> Vec<Para> {
    let mut out: Vec<Para> = Vec::new();
    let mut last_line: Option<&Line> = None;
    for line in lines {
        if let (Some(prev), Some(pl)) = (out.last_mut(), last_line) {
            if indent_mode && is_long_kicker(prev, pl, line) || is_clause_kicker(prev, pl, line) {
                prev.kind = Kind::Head;
            } else if is_tail(prev, pl, line, indent_mode) {
                prev.kind = Kind::Body;
                join_text(&mut prev.text, line.text);
                prev.spans.push(line.span);
                last_line = Some(line);
                continue;
            }
        }
        // A head-shaped line glued under an unfinished headline-like line still is a
        // separate line; only body text is rejoined.
        out.push(Para {
            text: line.text.to_string(),
            spans: vec![line.span],
            kind: line.kind.clone(),
        });
        last_line = Some(line);
    }
    out
}

/// Rejoins a broken line: no space between CJK (or CJK and punctuation), one space
/// between Latin words.
fn join_text(buf: &mut String, next: &str) {
    let a = buf.chars().next_back();
    let b = next.chars().next();
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if latin(a) && latin(b) {
        buf.push(' ');
    }
    buf.push_str(next);
}

// ---------------------------------------------------------------------------------------
// Pass 3: articles

/// How the sections of a compilation or series piece announced themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Series {
    /// An editor's note (`——编者`) right above the first section's headline.
    Compilation,
    /// A page title over the first section's `……——` kicker (`礼赞新中国` / `某地——` /
    /// `标题`).
    Kickers,
    /// A page title over signed contributions, each a headline and its author's line
    /// (`（英国）某某`).
    Contributions,
    /// A corner of brief news (`财经短波`, `简讯`): one item after another, each a one-line
    /// headline, a dateline and a signed short text.
    Corner,
}

/// A piece being built, with what the segmenter needs to know about its end.
#[derive(Debug, Default)]
struct Building {
    piece: Piece,
    /// A sign-off (`（新华社…电 记者…）`) or credit closed the text.
    ended: bool,
    /// ...and it was an author's sign-off (`（作者为…）`, `（…采访整理）`, bare names), which
    /// also closes a section of a compilation page that goes on without a headline.
    soft_end: bool,
    /// The piece is a compilation or a series whose later headline blocks head its sections.
    series: Option<Series>,
    /// Paragraph indices that were short head-like lines (in-article subheads).
    subheads: Vec<usize>,
    /// Spans of each paragraph, to move paragraphs when a piece is cut in two.
    para_spans: Vec<Vec<Span>>,
}

impl Building {
    fn is_empty(&self) -> bool {
        self.piece.paragraphs.is_empty() && self.piece.headlines.is_empty()
    }
    fn has_body(&self) -> bool {
        !self.piece.paragraphs.is_empty()
    }
    fn headless(&self) -> bool {
        self.piece.headlines.is_empty()
    }
}

struct Segmenter {
    page: Page,
    date: Option<String>,
    page_no: Option<u32>,
    cur: Building,
    /// Undecided boundaries, recorded only when fitting weights.
    trace: Option<Vec<BoundaryTrace>>,
    /// Headlines listed by the page's index bullets.
    index: std::collections::HashSet<String>,
}

impl Segmenter {
    fn new(name: &str, date: Option<String>, page_no: Option<u32>) -> Self {
        let mut s = Segmenter {
            page: Page {
                name: name.to_string(),
                ..Page::default()
            },
            date,
            page_no,
            cur: Building::default(),
            trace: None,
            index: Default::default(),
        };
        s.cur = s.fresh();
        s
    }

    fn fresh(&self) -> Building {
        let piece = Piece {
            date: self.date.clone(),
            page: self.page_no,
            ..Piece::default()
        };
        Building {
            piece,
            ..Building::default()
        }
    }

    fn furniture(&mut self, kind: FurnitureKind, p: &Para) {
        for &span in &p.spans {
            self.page.furniture.push(Furniture {
                kind,
                span,
                text: p.text.clone(),
            });
        }
    }

    /// Closes the current piece (if it holds anything) and starts a fresh one.
    fn close(&mut self) {
        let next = self.fresh();
        let done = std::mem::replace(&mut self.cur, next);
        self.emit(done);
    }

    fn emit(&mut self, b: Building) {
        if b.is_empty() && b.piece.continues_to.is_none() && b.piece.continued_from.is_none() {
            return;
        }
        let mut piece = b.piece;
        piece.spans = b.para_spans.into_iter().flatten().chain(piece.spans).collect();
        piece.spans.sort();
        self.page.pieces.push(piece);
    }

    fn push_heads(&mut self, heads: &[&Para]) {
        // 引题, 主题, `——`副题: the main headline is the line just above the first subtitle
        // when a kicker stands above it.
        if self.cur.piece.headlines.is_empty() {
            if let Some(d) = heads.iter().position(|h| h.text.starts_with('—')) {
                if d >= 2 {
                    self.cur.piece.main_headline = d - 1;
                }
            }
            // `礼赞新中国` / `某地——` / `标题`: a page title over the first section's kicker.
            if heads.len() >= 3 && heads[1..heads.len() - 1].iter().any(|h| is_dash_kicker(&h.text)) {
                self.cur.series = Some(Series::Kickers);
            }
            if heads.len() >= 3 && is_author_line(&heads[heads.len() - 1].text) {
                self.cur.series = Some(Series::Contributions);
            }
            if is_brief_corner(&heads[0].text) {
                self.cur.series = Some(Series::Corner);
            }
        }
        for h in heads {
            self.cur.piece.headlines.push(h.text.clone());
            self.cur.piece.spans.extend(&h.spans);
        }
    }

    fn push_para(&mut self, p: &Para, subhead: bool) {
        if subhead {
            self.cur.subheads.push(self.cur.piece.paragraphs.len());
        }
        self.cur.piece.paragraphs.push(p.text.clone());
        self.cur.para_spans.push(p.spans.clone());
    }

    fn run(&mut self, paras: &[Para]) {
        let mut i = 0;
        while i < paras.len() {
            let p = &paras[i];
            match &p.kind {
                Kind::Header { date, page } => {
                    self.furniture(FurnitureKind::PageHeader, p);
                    if self.cur.has_body() || self.page_no != Some(*page) {
                        self.close();
                    }
                    if date.is_some() {
                        self.date = date.clone();
                    }
                    self.page_no = Some(*page);
                    self.cur.piece.date = self.date.clone();
                    self.cur.piece.page = self.page_no;
                }
                Kind::Marker { to: true, page } => {
                    self.furniture(FurnitureKind::Continuation, p);
                    self.cur.piece.continues_to = Some(*page);
                    self.close();
                }
                Kind::Marker { to: false, page } => {
                    self.furniture(FurnitureKind::Continuation, p);
                    if !self.cur.is_empty() {
                        self.close();
                    }
                    self.cur.piece.continued_from = Some(*page);
                }
                Kind::Furniture(k) => {
                    self.furniture(*k, p);
                    if *k == FurnitureKind::Credit && self.cur.has_body() {
                        self.cur.ended = true;
                    }
                }
                Kind::Head => {
                    let end = head_run_end(paras, i);
                    let heads: Vec<&Para> = paras[i..end].iter().filter(|q| matches!(q.kind, Kind::Head)).collect();
                    // Furniture inside the run still goes to furniture.
                    for q in &paras[i..end] {
                        if let Kind::Furniture(k) = q.kind {
                            self.furniture(k, q);
                        }
                    }
                    let next = paras[end..].iter().find(|q| !matches!(q.kind, Kind::Furniture(_)));
                    self.head_run(&heads, next, paras, end);
                    i = end;
                    continue;
                }
                Kind::Body => self.body(p),
            }
            i += 1;
        }
        self.close();
    }

    fn body(&mut self, p: &Para) {
        if self.cur.ended && self.repeats_dateline(&p.text) {
            // The report on a letter printed above it goes on in the same article.
            self.cur.ended = false;
            self.cur.soft_end = false;
        }
        if !self.cur.ended && starts_with_lede(&p.text) {
            self.lift_headline_lines();
        }
        if self.cur.ended && !is_caption_like(&p.text) && !is_contribution_call(&p.text) {
            if self.cur.soft_end {
                // Text after an author's sign-off without a headline of its own: the next
                // section of the same page feature.
                self.cur.ended = false;
                self.cur.soft_end = false;
            } else {
                // Text after a sign-off: a new article that starts without a headline.
                self.close();
            }
        }
        let photo = is_photo_credit(&p.text);
        let signoff = is_signoff(&p.text);
        self.push_para(p, false);
        if signoff || photo {
            self.cur.ended = true;
            self.cur.soft_end = signoff && !photo && !p.text.contains(['电', '電']);
        }
    }

    /// Before a lede, the open piece's last lines, unterminated and after a finished
    /// sentence, are the next article's headline: too long or too punctuated to read as
    /// one (`某某将出席……并对某国进行正式访问`, `新型冠状病毒，我们该怎么预防？`), or a
    /// short headline over such a subtitle. They open a new article.
    fn lift_headline_lines(&mut self) {
        let ps = &self.cur.piece.paragraphs;
        let run = ps
            .iter()
            .rev()
            .take(3)
            .take_while(|q| !ends_terminated_body(q) && chars_capped(q, MAX_SUBTITLE_CHARS) <= MAX_SUBTITLE_CHARS)
            .count();
        if run == 0 || run == ps.len() {
            return;
        }
        // Head runs already weighed (in-article subheads, sections of a series) stand.
        let weighed = self.cur.series.is_some() || self.cur.subheads.contains(&(ps.len() - 1));
        if weighed || !ends_terminated(&ps[ps.len() - run - 1]) {
            return;
        }
        self.split_off(ps.len() - run);
        let lines = std::mem::take(&mut self.cur.piece.paragraphs);
        self.cur.subheads.clear();
        self.cur.piece.headlines = lines;
        self.cur.piece.spans.extend(self.cur.para_spans.drain(..).flatten());
    }

    /// Does `t` open with the very dateline the current piece signed off with? A letter or
    /// message printed in full, signed `（新华社北京10月7日电）`, and then the news report
    /// about it, `新华社北京10月7日电  …`, are one article.
    fn repeats_dateline(&self, t: &str) -> bool {
        let last = self.cur.piece.paragraphs.last().map(String::as_str).unwrap_or("");
        let Some(inner) = bracketed(last).map(str::trim) else {
            return false;
        };
        is_signoff(last) && inner.ends_with(['电', '電']) && t.starts_with(inner)
    }

    /// Decides what a run of headline-like lines is: the head of a new article, an
    /// in-article subhead, or the headline of the text before it (printed after its body).
    fn head_run(&mut self, heads: &[&Para], next: Option<&Para>, paras: &[Para], end: usize) {
        let next_body = next.filter(|q| matches!(q.kind, Kind::Body));
        if !self.cur.has_body() {
            self.push_heads(heads);
            return;
        }
        // `——某某（某大学教授）` lines alone under text attribute the words above them (a
        // corner of quotes, each signed so): never the head of an article.
        if heads.iter().all(|h| is_attribution(&h.text)) {
            self.cur.ended = false;
            self.cur.soft_end = false;
            for h in heads {
                self.push_para(h, false);
            }
            return;
        }
        // A block just before `（下转第N版）` heads a section that goes on on that page: a
        // subhead of the text above, not its headline printed after the body.
        if next.is_some_and(|q| matches!(q.kind, Kind::Marker { to: true, .. })) {
            for h in heads {
                self.push_para(h, true);
            }
            return;
        }
        // Nothing follows on this page: the block belongs to the text above it.
        if next_body.is_none() {
            self.trailing_heads(heads, &[]);
            return;
        }
        let next_body = next_body.unwrap();
        // A boxed sidebar under the text (`■链接`, `■点评`) is printed as part of the article,
        // even after its sign-off.
        if is_sidebar_label(&heads[0].text) {
            self.cur.ended = false;
            self.cur.soft_end = false;
            for h in heads {
                self.push_para(h, true);
            }
            return;
        }
        // A chapter heading of a document printed in full (`第二章  总则`), or a block right
        // after the text announces the document (`全文如下。`), stays inside the article.
        if !self.cur.ended && (is_chapter_head(&heads[0].text) || self.announces_document()) {
            for h in heads {
                self.push_para(h, true);
            }
            return;
        }
        // The title of a law or decision over its adoption note opens a document; lines above
        // the title (`中华人民共和国主席  某某`, `2019年10月26日`) sign the document before it.
        if is_adoption_note(&next_body.text) {
            let (signature, title) = heads.split_at(heads.len() - 1);
            for h in signature {
                self.push_para(h, false);
            }
            self.close();
            self.push_heads(title);
            return;
        }
        // An editor's note (`——编者`) right above a headline block introduces the sections
        // of a compilation.
        let ps = &self.cur.piece.paragraphs;
        if ps.len() <= 8 && ps.last().is_some_and(|p| is_editor_note(p))
            || ps
                .first()
                .is_some_and(|p| p.starts_with("编者按") || p.starts_with("編者按"))
        {
            self.cur.series = Some(Series::Compilation);
        }
        let section = match self.cur.series {
            None => false,
            Some(Series::Compilation) => true,
            // Sections of a series repeat the first one's shape: a `……——` kicker, and a
            // byline under it if the first had one.
            Some(Series::Kickers) => {
                is_dash_kicker(&heads[0].text)
                    && self.cur.piece.paragraphs.first().is_some_and(|p| is_byline(p)) == is_byline(&next_body.text)
            }
            // Items of a corner have a one-line headline; a block of several lines is the
            // next article.
            Some(Series::Corner) => heads.len() == 1,
            Some(Series::Contributions) => heads.len() == 2 && is_author_line(&heads[1].text),
        };
        if section
            && (self.cur.series == Some(Series::Corner) || !starts_with_lede(&next_body.text))
            && !heads
                .iter()
                .enumerate()
                .any(|(k, h)| self.index.contains(&h.text) || is_tagged_head(&h.text, k) || is_standing_head(&h.text))
            && (!self.cur.ended || self.cur.soft_end)
        {
            self.cur.ended = false;
            self.cur.soft_end = false;
            for h in heads {
                self.push_para(h, true);
            }
            return;
        }
        let follow = following_text(paras, end);
        // Evidence that a new article starts here; a lone short line without any is an
        // in-article subhead. (A `——` line alone after body text is a quoted attribution or
        // a subhead; a subtitle counts only under a headline line.)
        let strong = self.cur.ended
            || heads
                .iter()
                .enumerate()
                .any(|(k, h)| is_tagged_head(&h.text, k) || is_standing_head(&h.text) || self.index.contains(&h.text))
            || starts_with_lede(&next_body.text)
            || is_byline(&next_body.text) && !self.cur.piece.paragraphs.first().is_some_and(|p| is_byline(p))
            || is_box_label(&next_body.text)
            || opens_picture_item(paras, end)
            || self.opens_with_kicker(heads)
            || heads[1..].iter().any(|h| is_profile_subtitle(&h.text));
        // Otherwise the cues are weighed together (see [`boundary_features`]). A block of
        // several lines under which the text leaves the words of the text above is one of
        // them, not evidence alone: sections of one feature often change topic (as a rule it
        // cut 41 such sections out of their articles on pages-dev, for 105 right cuts).
        let new_article = strong || {
            let f = self.boundary_features(heads, next_body, &follow);
            if let Some(t) = self.trace.as_mut() {
                let prev = self.cur.piece.paragraphs.last().cloned().unwrap_or_default();
                let heads = heads.iter().map(|h| h.text.clone()).collect();
                t.push(BoundaryTrace {
                    heads,
                    prev,
                    features: f,
                    piece_heads: self.cur.piece.headlines.clone(),
                    body: self.cur.piece.paragraphs.clone(),
                    follow: follow.clone(),
                });
            }
            // A lone line right after a sentence cut short is inside the article (on pages-dev
            // 58 such lines of 60 are), however long the article has run.
            let cut_short = heads.len() == 1 && f[PREV_ENDS_SENTENCE] == 0.0;
            boundary_score(&f) > 0.0 && !cut_short
        };
        if !new_article {
            // A lone short line inside an article: a subhead, unless it reads like the
            // text above it and a headless article is open.
            for h in heads {
                self.push_para(h, true);
            }
            return;
        }
        // A line of reported speech over the headline (`他说：“……”大家笑了`) is the end of
        // the text above, not a kicker.
        let heads = match heads.split_first() {
            Some((first, rest)) if !rest.is_empty() && is_speech_line(&first.text) => {
                self.push_para(first, false);
                rest
            }
            _ => heads,
        };
        // Does the first line (with its `——` subtitles) belong to the text above
        // (headline after body)?
        if let Some(k) = self.trailing_split(heads, &follow) {
            let (first, rest) = heads.split_at(k);
            self.trailing_heads(first, rest);
            return;
        }
        self.close();
        self.push_heads(heads);
    }

    /// Features of a possible article boundary at the headline block `heads`, which follows
    /// body text of the open piece and precedes `next` (see [`boundary_score`]).
    fn boundary_features(&self, heads: &[&Para], next: &Para, follow: &str) -> [f64; N_FEATURES] {
        let h0 = heads[0].text.as_str();
        let last = heads[heads.len() - 1].text.as_str();
        let recent = self.recent_text(12);
        let near = self.recent_text(6);
        let ps = &self.cur.piece.paragraphs;
        let prev = ps.last().map_or("", String::as_str);
        let coh = cohesion(&recent, follow);
        let n0 = chars_capped(h0, 60) as f64;
        let punct = h0.chars().filter(|c| "，。；：,;:！？!?".contains(*c)).count() as f64;
        let since = ps.len() - self.cur.subheads.last().map_or(0, |&k| k + 1);
        let ln = |x: usize, d: f64| ((1 + x) as f64).ln() / d;
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let multi = heads.len() >= 2;
        let dash = heads.iter().any(|h| h.text.starts_with('—'));
        let lede = ps.first().is_some_and(|p| starts_with_lede(p));
        let head_follow = affinity(&self.cur.piece.headlines.join(""), follow);
        let body_len = ln(ps.iter().map(|p| chars_capped(p, 5000)).sum(), 8.0);
        [
            1.0,
            flag(!multi),
            flag(multi),
            flag(dash),
            n0 / 20.0,
            punct.min(3.0),
            flag(last.ends_with('：') || last.ends_with(':') || last.ends_with("——")),
            coh,
            affinity(h0, follow),
            affinity(h0, &near),
            // PREV_ENDS_SENTENCE
            flag(prev.ends_with(['。', '！', '？', '”', '!', '?', '"'])),
            ln(chars_capped(prev, 400), 5.0),
            ln(ps.len(), 3.0),
            flag(!self.cur.headless()),
            ln(chars_capped(&next.text, 400), 5.0),
            flag(h0.starts_with('“')),
            ln(since, 3.0),
            ln(self.cur.subheads.len(), 2.0),
            flag(next.text.starts_with('“')),
            flag(h0.contains([' ', '\u{3000}'])),
            flag(chars_capped(prev, 20) < 20),
            flag(h0.starts_with(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))),
            coh * flag(multi),
            // A block of several lines whose following text does not go on with the words of
            // the text above (sections of one report share their words).
            flag(multi && coh < if dash { 0.2 } else { 0.1 }),
            // Short news items opened by a dateline rarely hold subheads.
            flag(lede),
            flag(lede && ps.len() <= 4),
            // `……——` kicker opening the block.
            flag(h0.ends_with("——")),
            // Subheads of one article come in series of one shape (`大保护·底色`).
            flag(self.cur.subheads.iter().any(|&k| {
                let sh = ps[k].as_str();
                chars_capped(sh, 60) as f64 == n0
                    || ['·', '：', '，', '“'].iter().any(|&c| sh.contains(c) && h0.contains(c))
            })),
            // The text below goes on with the words of the open article's headline: a section.
            head_follow,
            // A subhead names what the article has been about; a new headline's words are new.
            affinity(h0, &window(ps, 0, ps.len())),
            // The longer the article so far, the likelier it is over.
            body_len,
            // ...above all when its last sentence is finished.
            body_len * flag(prev.ends_with(['。', '！', '？', '”', '!', '?', '"'])),
            // A lone line under which the text leaves the article's headline behind.
            head_follow * flag(!multi),
            // A byline under the block: a report of its own, or the next signed section of a
            // feature whose sections each name their reporter (more so when the open piece
            // opened with a byline too).
            flag(is_byline(&next.text)),
            flag(is_byline(&next.text) && ps.first().is_some_and(|p| is_byline(p))),
        ]
    }

    /// A block led by a `……——` kicker of some length over a headline line: the classic head
    /// of a report. Short kickers (`英国首相——`), quoted lines under the kicker and kickers
    /// repeating the shape of earlier subheads mark sections of one feature.
    fn opens_with_kicker(&self, heads: &[&Para]) -> bool {
        let (first, last) = (&heads[0].text, &heads[heads.len() - 1].text);
        let ps = &self.cur.piece.paragraphs;
        heads.len() >= 2
            && is_dash_kicker(first)
            && chars_capped(first, 10) >= 10
            && !is_dash_kicker(last)
            && !last.starts_with(['“', '"', '■', '●'])
            && !self.cur.subheads.iter().any(|&k| is_dash_kicker(&ps[k]))
    }

    /// A headline-after-body: where the block splits into the headline of the text above
    /// (it reads like that text more than the text below, or the open piece has no headline
    /// of its own yet) and the head of the next article. The part above may be several lines
    /// (`某地——` / `标题`), never a kicker cut from its headline or a `——` subtitle cut from
    /// the line it follows.
    fn trailing_split(&self, heads: &[&Para], follow: &str) -> Option<usize> {
        if self.cur.piece.continued_from.is_some() && self.cur.headless() {
            return None;
        }
        if self.cur.headless() {
            let k = 1 + heads[1..].iter().take_while(|h| h.text.starts_with('—')).count();
            return (k < heads.len()).then_some(k);
        }
        let above = self.recent_text(6);
        let mut best: Option<(f64, usize)> = None;
        let mut part = String::new();
        for k in 1..heads.len() {
            part.push_str(untagged(&heads[k - 1].text));
            if is_dash_kicker(&heads[k - 1].text) || heads[k].text.starts_with('—') {
                continue;
            }
            let a = affinity(&part, &above);
            let b = affinity(&part, follow);
            // A headline shares a good part of its words with the text it heads (a short one
            // often only a place and a thing), clearly more than with the text below.
            if a >= 0.4 && a > b + 0.2 && best.is_none_or(|(m, _)| a - b > m) {
                best = Some((a - b, k));
            }
        }
        best.map(|(_, k)| k)
    }

    /// Attaches `heads` as the headline of the text above. If the open piece already has a
    /// headline, a headless article hides in its body: cut it where the topic shifts.
    /// `then` starts the next article.
    fn trailing_heads(&mut self, heads: &[&Para], then: &[&Para]) {
        if self.cur.piece.continued_from.is_some() && self.cur.headless() {
            // A continued piece needs no headline; the block is the next article's.
            self.close();
            self.push_heads(heads);
            self.push_heads(then);
            return;
        }
        if !self.cur.headless() {
            if let Some(cut) = self.best_cut(&heads[0].text) {
                self.split_off(cut);
            } else if then.is_empty() {
                // No place to cut: keep the lines as subheads of the text above.
                for h in heads {
                    self.push_para(h, true);
                }
                return;
            }
        }
        if self.cur.headless() {
            self.push_heads(heads);
        } else {
            for h in heads {
                self.push_para(h, true);
            }
        }
        if !then.is_empty() {
            self.close();
            self.push_heads(then);
        }
    }

    /// The paragraph index where a headless article most likely starts inside the open
    /// piece, judged by the trailing headline's words and the shift of vocabulary.
    fn best_cut(&self, headline: &str) -> Option<usize> {
        let paras = &self.cur.piece.paragraphs;
        let n = paras.len();
        if n < 2 {
            return None;
        }
        let heads = self.cur.piece.headlines.join("");
        let mut best: Option<(f64, usize)> = None;
        for j in 1..n {
            if self.cur.subheads.contains(&j) && j + 1 == n {
                continue;
            }
            let before = window(paras, j.saturating_sub(3), j);
            let after = window(paras, j, (j + 3).min(n));
            // The new headline should match the text after the cut, the old one the text
            // before; the vocabulary should change across the cut.
            let s = affinity(headline, &after) - affinity(headline, &before) + affinity(&heads, &before)
                - affinity(&heads, &after)
                + (1.0 - affinity(&before, &after)) * 0.5
                + if starts_with_lede(&paras[j]) { 0.5 } else { 0.0 }
                + if is_signoff(&paras[j - 1]) { 0.5 } else { 0.0 };
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, j));
            }
        }
        best.filter(|(s, _)| *s > 0.6).map(|(_, j)| j)
    }

    /// Moves paragraphs `cut..` of the open piece into a new headless piece.
    fn split_off(&mut self, cut: usize) {
        let mut tail = self.fresh();
        tail.piece.paragraphs = self.cur.piece.paragraphs.split_off(cut);
        tail.para_spans = self.cur.para_spans.split_off(cut);
        tail.subheads = self
            .cur
            .subheads
            .iter()
            .filter(|&&k| k >= cut)
            .map(|k| k - cut)
            .collect();
        self.cur.subheads.retain(|&k| k < cut);
        tail.ended = self.cur.ended;
        tail.soft_end = self.cur.soft_end;
        let done = std::mem::replace(&mut self.cur, tail);
        self.emit(done);
    }

    /// The open piece's last paragraph introduces a document that follows in full.
    fn announces_document(&self) -> bool {
        self.cur.piece.paragraphs.last().is_some_and(|p| {
            let p = p.trim_end();
            p.ends_with("如下。") || p.ends_with("如下：") || p.ends_with("如下:")
        })
    }

    /// The last `k` paragraphs of the open piece, joined.
    fn recent_text(&self, k: usize) -> String {
        let ps = &self.cur.piece.paragraphs;
        window(ps, ps.len().saturating_sub(k), ps.len())
    }

    fn finish(self) -> Page {
        self.page
    }
}

/// Number of boundary features (see `Segmenter::boundary_features`).
pub const N_FEATURES: usize = 35;

/// The boundary feature that is 1 when the paragraph above the block ends a sentence.
const PREV_ENDS_SENTENCE: usize = 10;

/// Log-odds that a headline block starts a new article: the sum of the leaves that
/// [`trees`] reach. Gradient-boosted trees of depth two, fitted offline on pages-dev (see
/// `tools/fit_trees.py`) from [`trace_boundaries`]: each undecided block's features, labelled 1
/// when a line of the block is a gold headline of an article other than the one the paragraph
/// above belongs to (about 2,950 blocks, 380 positive). Trees weigh cues together that a
/// single weight per feature cannot (a lone line after a finished commentary, a long section
/// without subheads): fitted on one half of the files and tested on the other, they get 102
/// blocks wrong where logistic weights on the same features get 137. Refit whenever a feature
/// or an earlier rule changes: the traced blocks depend on both.
fn boundary_score(f: &[f64; N_FEATURES]) -> f64 {
    let leaves: f64 = trees::ROOTS
        .iter()
        .map(|&root| {
            let mut k = usize::from(root);
            loop {
                let (feature, threshold, left, right, value) = trees::NODES[k];
                let Ok(feature) = usize::try_from(feature) else {
                    return value;
                };
                // The trees were fitted on features rounded to `f32`.
                k = usize::from(if f64::from(f[feature] as f32) <= threshold {
                    left
                } else {
                    right
                });
            }
        })
        .sum();
    trees::BASE + trees::RATE * leaves
}

/// End of the run of headline-like lines starting at `i` (furniture lines may sit inside).
fn head_run_end(paras: &[Para], i: usize) -> usize {
    let mut end = i;
    let mut j = i;
    while j < paras.len() {
        match paras[j].kind {
            Kind::Head => {
                j += 1;
                end = j;
            }
            Kind::Furniture(_) => j += 1,
            _ => break,
        }
    }
    end
}

/// A picture item follows `end`: a short caption (one or two paragraphs) closed by a photo
/// credit (`张三摄`), and then no more text of its own. Subheads inside an article are
/// followed by longer text; photos inside an article by more of its text.
fn opens_picture_item(paras: &[Para], end: usize) -> bool {
    let (mut n, mut chars) = (0, 0);
    for (j, p) in paras.iter().enumerate().skip(end) {
        match p.kind {
            Kind::Body if is_photo_credit(&p.text) => return n > 0 && item_ends(paras, j + 1),
            Kind::Body if n < 3 => {
                n += 1;
                chars += chars_capped(&p.text, 300);
                if chars > 250 {
                    return false;
                }
            }
            Kind::Furniture(FurnitureKind::Caption) => return item_ends(paras, j + 1),
            Kind::Furniture(_) => {}
            _ => return false,
        }
    }
    false
}

/// No body text follows from `i` before the next headline, page or end of input.
fn item_ends(paras: &[Para], i: usize) -> bool {
    paras[i..]
        .iter()
        .find(|p| !matches!(p.kind, Kind::Furniture(_)))
        .is_none_or(|p| !matches!(p.kind, Kind::Body))
}

/// Up to three body paragraphs after `end`, joined (for lexical comparison).
fn following_text(paras: &[Para], end: usize) -> String {
    let mut s = String::new();
    let mut k = 0;
    for p in &paras[end..] {
        match p.kind {
            Kind::Body => {
                push_capped(&mut s, &p.text);
                k += 1;
                if k == 3 {
                    break;
                }
            }
            Kind::Furniture(_) => {}
            _ => break,
        }
    }
    s
}

/// Paragraphs `a..b` joined, each cut to a bounded length (keeps comparisons cheap).
fn window(paras: &[String], a: usize, b: usize) -> String {
    let mut s = String::new();
    for p in &paras[a..b] {
        push_capped(&mut s, p);
    }
    s
}

fn push_capped(s: &mut String, p: &str) {
    const CAP: usize = 600;
    let end = p.char_indices().nth(CAP / 3).map_or(p.len(), |(i, _)| i);
    s.push_str(&p[..end]);
}

/// Share of the CJK character bigrams of `h` (or its characters, for a short `h`) found in
/// `text`. 0 when `h` has none.
fn affinity(h: &str, text: &str) -> f64 {
    let hs: Vec<char> = h.chars().filter(|&c| crate::describe::is_cjk(c)).take(200).collect();
    if hs.len() < 2 || text.is_empty() {
        return 0.0;
    }
    // Look the text's pairs up among the headline's few rather than sorting the text's many.
    let mut hb: Vec<u64> = hs.windows(2).map(|w| bigram(w[0], w[1])).collect();
    hb.sort_unstable();
    hb.dedup();
    let mut found = vec![false; hb.len()];
    let mut prev: Option<char> = None;
    for c in text.chars().filter(|&c| crate::describe::is_cjk(c)) {
        if let Some(p) = prev {
            if let Ok(i) = hb.binary_search(&bigram(p, c)) {
                found[i] = true;
            }
        }
        prev = Some(c);
    }
    let hits = hs
        .windows(2)
        .filter(|w| hb.binary_search(&bigram(w[0], w[1])).is_ok_and(|i| found[i]))
        .count();
    hits as f64 / (hs.len() - 1) as f64
}

fn bigram(a: char, b: char) -> u64 {
    (a as u64) << 32 | b as u64
}

/// The distinct CJK character bigrams of `s`, sorted (a sorted vector: hashing them was a
/// sixth of ingest time).
pub(crate) fn cjk_bigrams(s: &str) -> Vec<u64> {
    let cs: Vec<char> = s.chars().filter(|&c| crate::describe::is_cjk(c)).collect();
    let mut v: Vec<u64> = cs.windows(2).map(|w| bigram(w[0], w[1])).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Share of the CJK bigrams of `after` that also occur in `before`: how much the text
/// after a boundary goes on with the words of the text before it.
fn cohesion(before: &str, after: &str) -> f64 {
    let a = cjk_bigrams(after);
    if a.is_empty() {
        return 0.0;
    }
    let b = cjk_bigrams(before);
    a.iter().filter(|x| b.binary_search(x).is_ok()).count() as f64 / a.len() as f64
}

/// A sign-off closing an article: a short bracketed line naming the dateline, reporters or
/// author: `（新华社北京10月1日电  记者林晖）`, `（赵兵 丁雅诵）`, `（作者为…）`.
fn is_signoff(t: &str) -> bool {
    let Some(inner) = bracketed(t).map(str::trim) else {
        return false;
    };
    // A dateline sign-off may list many reporters: `（新华社北京10月1日电  参与记者：…）`.
    let dated = ["新华社", "新華社", "本报", "本報"]
        .iter()
        .any(|o| inner.starts_with(o))
        && inner.contains(['电', '電']);
    // An author's note or a source note may name an institution with its own brackets:
    // `（作者为某大学（某学院）教授）`, `（摘自某日在某论坛上的致辞）`, `（摘编自某报）`.
    let noted = ["作者", "摘自", "摘编", "摘編"].iter().any(|o| inner.starts_with(o));
    let n = chars_capped(inner, 200);
    if n < 2 || n > if dated { 200 } else { 80 } || inner.contains('。') || !noted && inner.contains(['（', '(']) {
        return false;
    }
    let keys = [
        "电",
        "電",
        "记者",
        "記者",
        "作者",
        "本报",
        "本報",
        "新华社",
        "新華社",
        "通讯员",
        "整理",
        "执笔",
        "摘自",
        "摘编",
        "摘編",
    ];
    // The note closing a series of commentaries, `（本系列评论结束）`, or a speech printed in
    // excerpt, `（某论坛发言摘要）`.
    if keys.iter().any(|k| inner.contains(k)) || inner.starts_with("本系列") || inner.ends_with("摘要") {
        return !inner.starts_with("上接") && !inner.starts_with("下转");
    }
    // Bare names: two to four CJK chars in groups separated by spaces.
    let groups: Vec<&str> = inner
        .split(|c: char| c.is_whitespace() || c == '、')
        .filter(|g| !g.is_empty())
        .collect();
    n <= 24
        && !groups.is_empty()
        && groups.iter().all(|g| {
            let k = g.chars().count();
            (1..=4).contains(&k) && g.chars().all(crate::describe::is_cjk)
        })
        && !inner.chars().any(|c| "一二三四五六七八九十".contains(c) && n <= 2)
}

/// The call for contributions closing a picture column (`欢迎读者赐图投稿`,
/// `看更多照片和征稿信息，请登录……`): part of the item above it, after its photo credit.
fn is_contribution_call(t: &str) -> bool {
    let head = prefix_chars(t, 40);
    (head.starts_with("欢迎") || head.starts_with("歡迎"))
        && ["投稿", "稿件", "来稿", "來稿"].iter().any(|k| head.contains(k))
        || head.starts_with("看更多照片")
}

/// A chapter or section heading inside a document: `第二章  组织设置`, `第三节`.
fn is_chapter_head(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('第') else {
        return false;
    };
    let num = rest
        .chars()
        .take_while(|c| "一二三四五六七八九十百零〇".contains(*c))
        .count();
    if num == 0 {
        return false;
    }
    let after = rest.chars().nth(num);
    matches!(after, Some('章' | '节' | '編' | '编' | '節')) && chars_capped(t, 40) <= 30
}

/// Photo notes that may follow a sign-off and still belong to the article; a photo credit
/// (`张三摄(影像中国)`) there belongs to the caption next to it.
fn is_caption_like(t: &str) -> bool {
    is_photo_credit(t)
        || t.starts_with("图片说明")
        || t.starts_with('图')
        || t.starts_with('圖')
        || t.ends_with('摄')
        || t.ends_with('攝')
        || t.ends_with("摄）")
        || t.contains("摄（")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(p: &Page) -> Vec<(String, String)> {
        p.pieces
            .iter()
            .map(|pc| (pc.headlines.join("|"), pc.paragraphs.join("/")))
            .collect()
    }

    #[test]
    fn name_gives_date_and_page() {
        assert_eq!(
            name_date_page("rmrb_20191002_03.txt"),
            (Some("2019-10-02".into()), Some(3))
        );
        assert_eq!(name_date_page("rmrb_20191001.txt"), (Some("2019-10-01".into()), None));
        assert_eq!(name_date_page("00021_779d05ec9a56d67b.txt"), (None, None));
    }

    #[test]
    fn header_and_markers() {
        assert_eq!(
            header("人民日报 2019年10月2日 星期三 第03版"),
            Some(Kind::Header {
                date: Some("2019-10-02".into()),
                page: 3
            })
        );
        assert_eq!(header("第05版"), Some(Kind::Header { date: None, page: 5 }));
        assert_eq!(header("我们的第一版"), None);
        assert_eq!(marker("（下转第5版）"), Some((true, 5)));
        assert_eq!(marker("(上接第十一版)"), Some((false, 11)));
        assert_eq!(
            trailing_marker_start("湖水清了，鱼也回来了。（下转第2版）"),
            Some("湖水清了，鱼也回来了。".len())
        );
    }

    #[test]
    fn subhead_before_continuation_marker_stays_in_article() {
        let text = concat!(
            "海岛上的民宿\n",
            "　　本报杭州3月4日电  海岛上的民宿越开越多，游客也越来越多了。\n",
            "　　渔民们放下渔网，办起了家庭旅馆。\n",
            "收入多起来\n",
            "（下转第4版）\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1);
        assert_eq!(p.pieces[0].headlines, vec!["海岛上的民宿".to_string()]);
        assert_eq!(p.pieces[0].paragraphs.last().map(String::as_str), Some("收入多起来"));
        assert_eq!(p.pieces[0].continues_to, Some(4));
    }

    #[test]
    fn chapter_heads_and_announced_document_stay_in_article() {
        let text = concat!(
            "社区公约发布\n",
            "　　本报北京3月4日电  某社区近日发布了居民公约，公约全文如下。\n",
            "居民公约\n",
            "　　第一条  居民应当爱护公共环境，遵守社区的各项规定和约定。\n",
            "第二章  邻里互助\n",
            "　　第二条  邻里之间应当互相帮助，共同维护和睦的社区生活。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert!(p.pieces[0].paragraphs.iter().any(|x| x == "第二章  邻里互助"));
    }

    #[test]
    fn author_signoff_does_not_open_headless_article() {
        let text = concat!(
            "我们的小城故事\n",
            "　　小城的早晨总是从一碗热汤面开始，街坊们围坐在一起。\n",
            "（作者为小城中学教师）\n",
            "　　小城的夜晚属于河边的灯火，孩子们在岸边追逐嬉戏。\n",
            "（本报记者王明采访整理）\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        // A dateline sign-off still closes the article.
        let text = concat!(
            "大桥通车\n",
            "　　大桥今天正式通车，全长三公里。\n",
            "（新华社南京3月4日电）\n",
            "　　另一则消息说，新茶已经上市了，茶农们正忙着采摘。\n",
        );
        assert_eq!(split_page("x.txt", text).pieces.len(), 2);
    }

    #[test]
    fn indented_page_with_two_articles_and_furniture() {
        let text = concat!(
            "人民日报 2020年3月5日 星期四 第04版\r\n",
            "山村通了公交车\r\n",
            "　　本报长沙3月4日电  （记者周明）村民今天坐上了公交车。\r\n",
            "　　村里的老人说，出门再也不用走山路了。\r\n",
            "图为村民在车站候车。本报记者 周明摄\r\n",
            "果园里的新学校\r\n",
            "——记一位乡村教师\r\n",
            "　　清晨，孩子们走进教室。\r\n",
            "本版编辑：李华\r\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(
            texts(&p),
            vec![
                (
                    "山村通了公交车".into(),
                    "本报长沙3月4日电  （记者周明）村民今天坐上了公交车。/村里的老人说，出门再也不用走山路了。".into()
                ),
                (
                    "果园里的新学校|——记一位乡村教师".into(),
                    "清晨，孩子们走进教室。".into()
                ),
            ]
        );
        assert_eq!(p.pieces[0].date.as_deref(), Some("2020-03-05"));
        assert_eq!(p.pieces[0].page, Some(4));
        let kinds: Vec<FurnitureKind> = p.furniture.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![FurnitureKind::PageHeader, FurnitureKind::Caption, FurnitureKind::Credit]
        );
    }

    #[test]
    fn layout_break_is_rejoined() {
        let text =
            "小镇的新桥\n　　这座桥连接了河两岸的两个村子，村民们过河再也不用绕\n远路了。\n　　桥头立着一块石碑。\n";
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1);
        assert_eq!(
            p.pieces[0].paragraphs[0],
            "这座桥连接了河两岸的两个村子，村民们过河再也不用绕远路了。"
        );
        let text = "Bridge opens\n\nThe new bridge links the two villages on either\n\nside of the river.\n";
        let p = split_page("x.txt", text);
        assert_eq!(
            p.pieces[0].paragraphs[0],
            "The new bridge links the two villages on either side of the river."
        );
        // A web credit line ends with no full stop, but is a line of its own.
        let text = "Bridge opens\n\nSource: Wire | 2024-03-12 17:42:05 | Editor: Li Ming\n\n\
                    TOWN, March 12 (Wire) -- The new bridge links the two villages on either\n\nside of the river.\n";
        let p = split_page("x.txt", text);
        assert_eq!(
            p.pieces[0].paragraphs[..2],
            [
                "Source: Wire | 2024-03-12 17:42:05 | Editor: Li Ming",
                "TOWN, March 12 (Wire) -- The new bridge links the two villages on either side of the river."
            ]
        );
    }

    #[test]
    fn lone_subhead_stays_in_article() {
        let text = concat!(
            "江边的春天\n\n新华社武汉3月1日电  江边的柳树发芽了，游人渐渐多了起来。\n\n",
            "游人多了\n\n周末的江滩上，放风筝的孩子们跑来跑去。\n\n江边的茶馆也热闹起来。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert_eq!(p.pieces[0].paragraphs[1], "游人多了");
    }

    #[test]
    fn signoff_then_new_headline() {
        let text = "江边的春天\n　　本报武汉3月1日电  柳树发芽了。\n　　（记者王江）\n新茶上市\n　　茶农们忙着采茶。\n";
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["新茶上市"]);
    }

    #[test]
    fn bulleted_sidebar_label_stays_with_the_article() {
        let text = "江边的春天\n　　本报武汉3月1日电  柳树发芽了，游人很多。\n　　（记者王江）\n■链接\n　　江边公园去年新种了三百棵柳树。\n";
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert!(is_sidebar_label("■点评") && !is_sidebar_label("■记者手记") && !is_sidebar_label("链接"));
    }

    #[test]
    fn signed_quotes_make_one_article() {
        let text = "名家说\n　　我们这一代人见证了江边小城的变化，心里十分高兴。\n——某大学教授王江\n　　画画是我一生的功课，我还要继续画下去。\n——某画院画家李河\n";
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert!(!is_attribution("长江边——"));
    }

    #[test]
    fn long_headline_line_before_a_lede_opens_an_article() {
        let text = concat!(
            "江边的春天\n",
            "　　本报武汉3月1日电  柳树发芽了，江边游人渐多。\n",
            "　　市民们在江滩散步、放风筝，享受春日时光。\n",
            "某某市市长将出席第三届江河流域城市合作论坛并对沿江五个城市进行为期一周的工作考察\n",
            "　　本报北京3月1日电  据市政府消息，市长将于下周出席论坛。\n",
            "新茶，什么时候上市？\n",
            "　　本报杭州3月1日电  茶农们忙着采茶。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 3, "{:?}", texts(&p));
        assert!(p.pieces[1].headlines[0].starts_with("某某市市长将出席"));
        assert_eq!(p.pieces[2].headlines, vec!["新茶，什么时候上市？"]);
    }

    #[test]
    fn headline_after_body() {
        let text = concat!(
            "人民日报 2020年3月5日 星期四 第02版\n",
            "　　本报北京3月4日电  全国春耕备耕工作有序展开，农机手们忙着检修拖拉机。\n",
            "　　各地农技人员下田指导，帮助农户选种育苗。\n",
            "春耕备耕有序展开\n",
            "山里来了快递车\n",
            "　　快递车开进了大山，山货也能卖到城里了。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[0].headlines, vec!["春耕备耕有序展开"]);
        assert_eq!(p.pieces[1].headlines, vec!["山里来了快递车"]);
    }

    #[test]
    fn continuation_markers() {
        let text = "大桥通车\n　　大桥今天通车了。\n（下转第5版）\n（上接第1版）\n　　大桥全长三公里。\n";
        let p = split_page("rmrb_20200305_01.txt", text);
        assert_eq!(p.pieces.len(), 2);
        assert_eq!(p.pieces[0].continues_to, Some(5));
        assert_eq!(p.pieces[1].continued_from, Some(1));
        assert_eq!(p.furniture.len(), 2);
    }

    #[test]
    fn every_line_is_accounted_for() {
        let text = "人民日报 2020年3月5日 星期四 第04版\n山村通了公交车\n　　村民今天坐上了公交车。\n图为车站。本报记者 周明摄\n- 索引\n";
        let p = split_page("x.txt", text);
        check_spans(text, &p);
        let mut covered = vec![false; text.len()];
        for s in p
            .pieces
            .iter()
            .flat_map(|pc| pc.spans.iter())
            .chain(p.furniture.iter().map(|f| &f.span))
        {
            covered[s.start..s.end].iter_mut().for_each(|c| *c = true);
        }
        for (i, c) in text.char_indices() {
            assert!(c.is_whitespace() || covered[i], "byte {i} ({c}) not covered");
        }
    }

    #[test]
    fn photo_credit_closes_an_item() {
        assert!(is_photo_credit("王小明摄（影像中国）"));
        assert!(is_photo_credit("李  华\u{a0}\u{a0}张  强摄影报道"));
        assert!(is_photo_credit("赵\u{a0}\u{a0}一图\u{a0}\u{a0}钱\u{a0}\u{a0}二文"));
        assert!(!is_photo_credit("这是一篇关于摄影的文章，讲述摄"));
        assert!(!is_photo_credit("山里来了快递车"));
        let text = concat!(
            "江边的春天\n　　柳树发芽了。\n　　桃花也开了。\n　　赵\u{a0}\u{a0}一图\u{a0}\u{a0}钱\u{a0}\u{a0}二文\n",
            "新茶上市\n　　茶农们忙着采茶，今年的新茶香气扑鼻。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["新茶上市"]);
        let text = "渔港晨曦\n　　清晨，渔船陆续出海。\n王小明摄（影像中国）\n新茶上市\n　　茶农们忙着采茶。\n";
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(
            p.pieces[0].paragraphs.last().map(String::as_str),
            Some("王小明摄（影像中国）")
        );
    }

    #[test]
    fn photo_credit_after_a_credit_stays_with_its_caption() {
        // Captions and half-width-bracketed credits take turns under a picture spread.
        let text = concat!(
            "江边花坛迎国庆\n　　江边的花坛换上了新装，吸引市民驻足。\n",
            "图①：江边的“丰收”主题花坛。\n王小明摄(影像中国)\n",
            "图②：市民在花坛前留影。\n李\u{a0}\u{a0}华摄(新华社发)\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert_eq!(p.pieces[0].paragraphs.len(), 5);
    }

    #[test]
    fn report_after_a_letter_with_its_dateline_stays_one_article() {
        let letter = concat!(
            "某某致信祝贺东湖茶馆开张\n",
            "　　东湖茶馆的朋友们：\n　　欣闻茶馆重新开张，谨致祝贺！\n",
            "某某\n2019年10月6日\n（新华社北京10月7日电）\n",
        );
        let text = format!(
            "{letter}　　新华社北京10月7日电  某某日前致信祝贺东湖茶馆重新开张。\n　　某某在信中表示，茶馆是街坊们的客厅。\n"
        );
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        // Another dateline after the sign-off is another article.
        let text = format!("{letter}　　新华社上海10月7日电  上海的老茶馆也重新开张了。\n");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
    }

    #[test]
    fn headline_block_rules() {
        // Index bullet pointing to another page is furniture.
        assert!(is_page_pointer("■ 老街茶馆重新开张（第3版）"));
        assert_eq!(
            furniture_kind("■ 老街茶馆重新开张（第3版）"),
            Some(FurnitureKind::IndexBullet)
        );
        // A headline may end in a quoted phrase; a sentence may not.
        assert!(is_head_like("全县小学开展“读书月”"));
        assert!(!is_head_like("他说，“读书月”"));
        // English headline.
        assert!(is_head_like("New ferry links the island to the mainland"));
        assert!(!is_head_like("Source: Wire | 2024-03-12 | Editor: Li"));
        // Kicker, main headline, subtitle: the main headline is the middle line; a short
        // colon kicker above a headline line joins the block.
        let text = "春到山乡\n山村通了公交车\n——记一条新线路\n　　村民今天坐上了公交车。\n";
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces[0].main_headline, 1);
        let text = "东湖镇：\n老茶馆里说新事\n　　茶馆里坐满了人。\n";
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces[0].headlines, vec!["东湖镇：", "老茶馆里说新事"]);
    }

    #[test]
    fn furniture_lines_are_not_headlines() {
        // Credits and source notes, with either colon width.
        assert!(is_credit("本版制图:王小明"));
        assert!(is_credit("本版製圖：王小明"));
        assert!(is_credit("数据来源：某县统计局"));
        assert!(is_credit("本版摄影：张小明  李大华"));
        assert!(is_credit("本版統籌:王小明"));
        assert!(is_credit("栏目投稿邮箱:abc@example.com"));
        assert!(is_credit("电子信箱：desk@example.com"));
        assert!(is_credit("本栏目邮箱：desk@example.com。"));
        assert!(!is_credit("报名邮箱:desk@example.com(请注明姓名)"));
        assert!(!is_credit("制图工艺越来越精细"));
        // Agency photo credits stand alone.
        assert!(is_photo_credit("新华社发"));
        assert!(is_photo_credit("人民视觉"));
        // A short dash attribution and an in-article box label are body, a subtitle is not.
        assert!(!is_head_like("——编者"));
        assert!(!is_head_like("——编  者"));
        assert!(is_head_like("——记一条新开通的公交线路"));
        assert!(!is_head_like("核心阅读"));
    }

    #[test]
    fn long_kicker_ending_in_a_dash_is_a_headline_line() {
        let kicker = "开展田野调查，归纳问题清单，敦促现场交办，某省人大社会委——";
        assert!(is_head_like(kicker));
        let text = format!("{kicker}\n让监督更接地气\n　　本报记者走访了三个县，看到了新变化。\n");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces[0].headlines, vec![kicker, "让监督更接地气"]);
        // On an indented page, a long unindented kicker without the dash, over a headline.
        let kicker = "开展田野调查，归纳问题清单，敦促现场交办，某省人大社会委";
        let text = format!(
            "{kicker}\n让监督更接地气\n　　本报记者走访了三个县，看到了新变化。\n　　村民们说，办事比以前方便多了。\n"
        );
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces[0].headlines, vec![kicker, "让监督更接地气"], "{:?}", texts(&p));
    }

    #[test]
    fn long_column_tags_close_a_headline() {
        // A series tag may be long; it does not count towards the headline's length.
        assert!(is_head_like(
            "守住初心 走好新路（深入学习贯彻某某某新时代中国特色社会主义思想系列评论）"
        ));
        assert!(is_head_like(
            "山村的孩子们在新学校里读书，老师们在新宿舍里安家（走进新时代的乡村学校系列报道）"
        ));
        // A bracket longer than any tag does not make a headline.
        assert!(!is_head_like(
            "守住初心（深入学习贯彻某某某新时代中国特色社会主义思想系列评论之一，本报评论员写于某年某月某日）"
        ));
    }

    #[test]
    fn new_article_cues() {
        assert!(starts_with_lede("本报电  某某公司近日发布新产品。"));
        assert!(is_standing_head("财经短波"));
        assert!(is_standing_head("新闻速递"));
        assert!(!is_standing_head("各地新闻速递汇总一览"));
        let body = concat!(
            "老街茶馆重新开张\n",
            "　　本报北京1月2日电  东湖镇的老街茶馆今天重新开张，街坊们又有了聊天的地方。茶馆由一座老房子改建而成，保留了原来的木梁和青砖。\n",
            "　　开张当天，茶馆里坐满了人，大家一边喝茶一边聊着镇上的新变化，说到高兴处笑声不断。\n",
        );
        // A picture item: short caption closed by a photo credit, then nothing of its own.
        let text = format!("{body}晒秋\n　　10月10日，某县群众将收获的辣椒晾晒在屋顶上。\n王小明摄（影像中国）\n");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["晒秋"]);
        // A headline the page's index lists opens an article.
        let text = format!(
            "- 老街茶馆重新开张\n- 茶馆里的新话题\n{body}茶馆里的新话题\n　　茶馆老板说，开张以后，来喝茶的人越来越多，大家最爱聊镇上的新路。\n"
        );
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["茶馆里的新话题"]);
        let lines = scan("- 老街茶馆重新开张\n• 茶馆里的新话题\n■ 老粮站变身服务中心（第3版）\n正文。\n");
        let mut titles: Vec<String> = index_titles(&lines).into_iter().collect();
        titles.sort();
        assert_eq!(titles, vec!["老街茶馆重新开张", "茶馆里的新话题"]);
        // The picture-item test itself: a caption and credit with nothing after them, or
        // followed by a headline; not when the article's text goes on.
        let paras = |t: &str| paragraphs(&scan(t), true);
        assert!(opens_picture_item(
            &paras("晒秋\n　　群众在屋顶晒辣椒。\n王小明摄\n"),
            1
        ));
        assert!(opens_picture_item(
            &paras("晒秋\n　　群众在屋顶晒辣椒。\n王小明摄\n新茶上市\n　　茶农忙。\n"),
            1
        ));
        assert!(!opens_picture_item(
            &paras("晒秋\n　　群众在屋顶晒辣椒。\n王小明摄\n　　老板说，生意好。\n"),
            1
        ));
        assert!(opens_picture_item(
            &paras("晒秋\n　　群众在屋顶晒辣椒。\n　　又一段。\n　　再一段。\n王小明摄\n"),
            1
        ));
        assert!(!opens_picture_item(
            &paras("晒秋\n　　群众在屋顶晒辣椒。\n　　又一段。\n　　再一段。\n　　还有一段。\n王小明摄\n"),
            1
        ));
        // A box (`核心阅读`) opens an article, never a section.
        let text = format!("{body}湖上人家\n核心阅读\n　　湖边的村子办起了民宿，村民的日子越过越红火。\n");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["湖上人家"]);
    }

    #[test]
    fn signoffs_with_wide_spaces_and_long_reporter_lists() {
        assert!(is_signoff("（王\u{a0}\u{a0}明）"));
        assert!(is_signoff("（李\u{3000}华  张  强）"));
        let long = format!(
            "（新华社北京1月2日电  参与记者：{}）",
            "张三、李四、王五、赵六、".repeat(8)
        );
        assert!(is_signoff(&long));
        assert!(!is_signoff(&format!("（{}）", "某某某某、".repeat(20))));
    }

    #[test]
    fn clause_kicker_above_a_headline_joins_the_block() {
        let body = "老街茶馆重新开张\n本报北京1月2日电  东湖镇的老街茶馆今天重新开张，街坊们又有了聊天的地方。\n";
        for kicker in [
            "有了茶馆、书店、小剧场……",
            "截至目前，全镇新开民宿30家",
            "老街的难题如何破解？",
            "最高检:",
        ] {
            let text = format!("{body}{kicker}\n老街焕发新活力\n本报杭州1月2日电  老街改造完成，游客越来越多。\n");
            let p = split_page("x.txt", &text);
            assert_eq!(p.pieces.len(), 2, "{kicker}: {:?}", texts(&p));
            assert_eq!(p.pieces[1].headlines, vec![kicker, "老街焕发新活力"]);
        }
        // A closed sentence, a quotation or a line over a bulleted subhead stays body text.
        for line in [
            "茶馆老板说，生意越来越好。",
            "他说：“这里是客厅。”大家笑了",
            "茶馆的变化有哪些？",
        ] {
            let bullet = if line.ends_with('？') { "●" } else { "" };
            let text = format!("{body}{line}\n{bullet}老街焕发新活力\n　　老街改造完成，游客越来越多。\n");
            let p = split_page("x.txt", &text);
            assert!(
                p.pieces[0].paragraphs.iter().any(|x| x == line),
                "{line}: {:?}",
                texts(&p)
            );
        }
    }

    #[test]
    fn trailing_headline_of_several_lines_is_cut_from_the_next_block() {
        let text = concat!(
            "老街茶馆重新开张\n",
            "本报北京1月2日电  东湖镇的老街茶馆今天重新开张，街坊们又有了聊天的地方。\n",
            "西山村的果园对游客开放，采摘季每天都有上千人进园，果农增收明显。\n",
            "西山村——\n",
            "果园开放 果农增收\n",
            "新茶上市\n",
            "本报杭州1月2日电  茶农们忙着采茶，今年的新茶香气扑鼻。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 3, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["西山村——", "果园开放 果农增收"]);
        assert_eq!(p.pieces[2].headlines, vec!["新茶上市"]);
    }

    #[test]
    fn trailing_headline_sharing_a_few_words_with_its_body_is_cut_out() {
        // The trailing headline shares four of its ten character pairs with the text above.
        let text = concat!(
            "老街茶馆重新开张\n",
            "本报北京1月2日电  东湖镇的老街茶馆今天重新开张，街坊们又有了聊天的地方。\n",
            "本报讯  河湾公园里的樱花开了，市民纷纷前来赏花拍照。\n",
            "河湾公园新栽千株樱花树\n",
            "新茶上市\n",
            "本报杭州1月2日电  茶农们忙着采茶，今年的新茶香气扑鼻。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 3, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["河湾公园新栽千株樱花树"]);
        assert!(p.pieces[1].paragraphs[0].contains("樱花开了"));
        assert_eq!(p.pieces[2].headlines, vec!["新茶上市"]);
    }

    #[test]
    fn column_tag_of_a_trailing_headline_is_not_weighed() {
        // Without its tag the trailing headline shares four of its seven character pairs
        // with the text above; with the tag only four of sixteen.
        let text = concat!(
            "老街茶馆重新开张\n",
            "本报北京1月2日电  东湖镇的老街茶馆今天重新开张，街坊们又有了聊天的地方。\n",
            "本报讯  河湾公园里的樱花开了，市民纷纷前来赏花拍照。\n",
            "河湾公园樱花盛放（城市漫步·春天的故事）\n",
            "新茶上市\n",
            "本报杭州1月2日电  茶农们忙着采茶，今年的新茶香气扑鼻。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 3, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["河湾公园樱花盛放（城市漫步·春天的故事）"]);
        assert_eq!(p.pieces[2].headlines, vec!["新茶上市"]);
    }

    /// A long article (fifteen paragraphs of some ninety characters: each line below is said
    /// twice), then a lone line sharing no words with it, whose text below shares none with
    /// the article's headline.
    fn long_article_then_lone_line() -> String {
        let text = concat!(
            "老街茶馆重新开张\n",
            "东湖镇的老街茶馆修缮了大半年，今天重新开张，街坊们一早就来到门口，等着喝上第一壶热茶。\n",
            "茶馆的木门和雕花窗都按老样子修好，墙上挂着几十年前的老照片，记录着老街过去的模样。\n",
            "老板李大姐说，茶馆是父亲留下的，街坊们在这里聊天、下棋、听评书，一待就是一下午。\n",
            "修缮期间，街坊们常来工地看看，有人送来旧茶具，有人讲起当年茶馆里的故事，让她很感动。\n",
            "重新开张后，茶馆添了评书和曲艺表演，周末还请来老艺人教孩子们唱小调，吸引了不少年轻人。\n",
            "茶馆的价格没有涨，一壶茶还是十块钱，老人们可以坐上一整天，李大姐说这是父亲定下的规矩。\n",
            "镇上的干部说，老街茶馆是东湖镇的一张名片，下一步还要修缮老街上的其他几家老铺子。\n",
            "开张当天，区文化馆送来一块新匾，上面写着“老街茶香”四个大字，街坊们围着拍照留念。\n",
            "七十多岁的张大爷是茶馆的老主顾，他说自己年轻时每天收工都来坐一会儿，一坐就是五十年。\n",
            "茶馆后院辟出一间小屋，摆着旧算盘、铜茶壶和老式收音机，成了孩子们认识老物件的课堂。\n",
            "李大姐还在门口放了一排长椅，路过的环卫工人和快递小哥可以进来歇脚，免费喝一杯热茶。\n",
            "附近社区的志愿者每周来茶馆办一次读报会，给老人们讲新闻、读政策，大家听得认真，问得也多。\n",
            "有游客在网上分享了茶馆的照片，不少外地人专程赶来，只为在老街上坐一坐，尝一尝这里的茶点。\n",
            "对于将来，李大姐说不想把茶馆做得太大，只想守住这份烟火气，让老街坊们有个说话的地方。\n",
            "傍晚时分，茶馆里依旧坐满了人，茶香飘满整条老街，街坊们说，熟悉的味道终于回来了。\n",
            "山区小学用上新操场\n",
            "西岭乡中心小学的孩子们有了塑胶跑道和篮球场，体育课再也不用在泥地上跑步了。\n",
            "校长王老师说，新操场建成后，学校开设了足球和跳绳兴趣班，孩子们课间都争着去操场活动。\n",
        );
        let (article, next) = text.split_at(text.find("山区小学").unwrap());
        let mut lines = article.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for l in lines {
            let (a, b) = l.split_at(l.len() - '。'.len_utf8());
            out.push_str(&format!("{a}，{a}{b}\n"));
        }
        out + next
    }

    #[test]
    fn lone_line_with_new_words_after_a_long_article_opens_the_next() {
        let p = split_page("x.txt", &long_article_then_lone_line());
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["山区小学用上新操场"]);
    }

    #[test]
    fn lone_line_after_an_unfinished_sentence_stays_inside() {
        // The sentence above the line is cut off: the article is not over yet.
        let text = long_article_then_lone_line().replace("终于回来了。\n", "终于回来了，大家都说\n");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
    }

    #[test]
    fn name_with_role_under_a_title_is_no_column_tag() {
        assert!(is_tagged_head("老街新事（人民时评）", 0));
        assert!(is_tagged_head("秋收（影像中国）", 0));
        assert!(is_tagged_head("老街茶馆的新故事（人民时评）", 1));
        assert!(!is_tagged_head("张  也（歌唱演员）", 1));
        assert!(!is_tagged_head("王明（乡村教师）", 2));
    }

    #[test]
    fn editor_note_opens_a_compilation() {
        let text = concat!(
            "我们的乡村故事\n",
            "　　新年到来之际，本版邀请几位作者讲述他们和乡村的故事，敬请关注。\n",
            "——编  者\n",
            "老屋新生\n",
            "王  明\n",
            "　　老屋翻修以后，成了村里的图书室，孩子们放学后都爱来这里看书。\n",
            "（作者为乡村教师）\n",
            "山路弯弯\n",
            "李  华\n",
            "　　以前进山要走半天，如今修了公路，一个小时就能到县城。\n",
            "（作者为驾驶员）\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert!(p.pieces[0].paragraphs.iter().any(|x| x == "山路弯弯"));
        // A section with its own column tag is an article of its own.
        let text = text.replace("山路弯弯\n", "山路弯弯（乡村笔记）\n");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
    }

    #[test]
    fn kicker_series_under_a_page_title() {
        let text = concat!(
            "家乡新变化\n",
            "东湖镇——\n",
            "老街换新颜\n",
            "本报记者  王  明\n",
            "　　东湖镇的老街修缮一新，青石板路两边开起了茶馆和书店。\n",
            "西山村——\n",
            "果园成了景区\n",
            "本报记者  李  华\n",
            "　　西山村的果园今年对游客开放，采摘季每天都有上千人进园。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert_eq!(p.pieces[0].headlines[0], "家乡新变化");
        assert!(p.pieces[0].paragraphs.iter().any(|x| x == "西山村——"));
        // A block of another shape after the series goes back to the usual cues.
        let text = format!("{text}新茶上市\n　　本报杭州1月2日电  茶农们忙着采茶，今年的新茶香气扑鼻。\n");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["新茶上市"]);
    }

    #[test]
    fn short_dated_item_then_lone_headline() {
        // A short news item opened by a dateline, then a lone headline over unrelated text.
        let text = concat!(
            "小镇新桥通车\n　　本报讯（记者王江）小镇新桥今天通车，两岸村民不再绕路。\n",
            "　　新桥全长一百二十米，可通行货车。\n",
            "湖边候鸟归来\n　　连日来，湖边气温回升，成群的野鸭飞抵浅滩觅食。\n",
            "　　管理处提醒游客不要投喂。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["湖边候鸟归来"]);
    }

    #[test]
    fn quoted_phrases_joined_by_words_make_a_headline_line() {
        assert!(is_head_like("“老站台”变身“新客厅”"));
        assert!(!is_head_like("“来了，都来了”“快看！”"));
    }

    #[test]
    fn source_author_and_series_notes_close_an_article() {
        for note in [
            "（作者为某某大学（某学院）教授）",
            "（摘自3月5日在某论坛上的致辞）",
            "（摘编自3月6日《某某日报》）",
            "（本系列评论结束）",
            "（首届某某论坛发言摘要）",
        ] {
            let text = format!(
                "小城的河\n　　小城的河流经千家万户，河边的柳树一年比一年高。\n　　河水养育了一代又一代人，人们也守护着河水。\n{note}\n山里的茶\n　　山里的茶园漫过山坡，茶农天不亮就上山采茶。\n"
            );
            let p = split_page("x.txt", &text);
            assert_eq!(p.pieces.len(), 2, "{note}: {:?}", texts(&p));
            assert_eq!(p.pieces[1].headlines, vec!["山里的茶"]);
        }
    }

    #[test]
    fn long_dash_kicker_over_a_headline_opens_a_report() {
        let body = "　　秋收时节，田里一片繁忙，合作社的收割机来回穿梭，村民们忙着晾晒新粮。\n";
        let text = format!("丰收的田野\n{body}{body}推广新式农具，东山县秋收效率明显提高——\n田里机器忙\n{body}");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        // Short kickers of one shape head the sections of a feature.
        let text = format!("丰收的田野\n{body}东山——\n田里机器忙\n{body}西山——\n场上粮满仓\n{body}");
        assert_eq!(split_page("x.txt", &text).pieces.len(), 1);
    }

    #[test]
    fn items_of_a_brief_news_corner_make_one_article() {
        let text = concat!(
            "财经短波\n",
            "某银行推出小微贷款\n",
            "本报电 某银行近日推出面向小微企业的信用贷款，最快当天放款。\n",
            "（王小明）\n",
            "某市举办消费季\n",
            "本报电 某市消费季近日开幕，商家推出优惠活动一千余项。\n",
            "（李小红）\n",
            "手机支付越来越方便，安全怎么保障\n",
            "支付安全问答（理财课堂）\n",
            "　　近来，不少读者来信询问手机支付的安全问题，记者采访了有关专家。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[0].headlines, vec!["财经短波", "某银行推出小微贷款"]);
        assert_eq!(p.pieces[0].paragraphs.len(), 5);
    }

    #[test]
    fn signed_contributions_under_a_page_title_make_one_article() {
        let text = concat!(
            "远方的朋友谈小城（友人笔谈）\n",
            "小城的变化让我惊喜\n",
            "（南国）阿明·卡里\n",
            "　　我第一次来到小城是二十年前，那时街道还很窄，如今已是宽阔的大道。\n",
            "（作者为南国某大学教授）\n",
            "小城人的热情难忘\n",
            "（北国）奥拉·森\n",
            "　　每次来到小城，朋友们都会请我品尝当地的小吃，这份热情让我难忘。\n",
            "（作者为北国某协会会长）\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert!(is_author_line("（英国）某某·某某"));
        assert!(!is_author_line("（记者王明）"));
    }

    #[test]
    fn interview_or_profile_subtitle_opens_an_article() {
        let body = "　　山村学校的孩子们每天走很远的山路上学，老师们也一直坚守在山村学校。\n";
        let text = format!("山村学校新变化\n{body}{body}大山里的灯光\n——记山村学校教师王小明\n{body}");
        let p = split_page("x.txt", &text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines[1], "——记山村学校教师王小明");
    }

    #[test]
    fn adoption_note_opens_a_document_and_the_signature_stays_above() {
        let text = concat!(
            "某市河道管理办法\n",
            "　　第一条  为了管好河道，制定本办法。\n",
            "　　第二条  本办法自公布之日起施行。\n",
            "某市人民代表大会常务委员会\n",
            "2031年3月4日\n",
            "某市人民代表大会常务委员会关于设立护河日的决定\n",
            "（2031年3月4日某市第九届人民代表大会常务委员会第五次会议通过）\n",
            "　　为了增强市民护河意识，决定每年四月的第一个星期六为护河日。\n",
        );
        let p = split_page("x.txt", text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[0].paragraphs.last().map(String::as_str), Some("2031年3月4日"));
        assert_eq!(
            p.pieces[1].headlines,
            vec!["某市人民代表大会常务委员会关于设立护河日的决定"]
        );
    }

    /// A commentary of some length, finished, then a lone line over text that leaves its
    /// words behind: the logistic weights read the line as a subhead (log-odds -1.1), the
    /// trees of [`boundary_score`] as the next article's headline.
    #[test]
    fn lone_line_after_a_finished_commentary_opens_an_article() {
        let text = concat!(
            "让街巷更干净一些（民生观）\n",
            "　　入冬以来，城里的老街巷又热闹起来。清早出门，总能看见环卫工人推着小车，把落叶一点点扫进筐里。\n",
            "　　街巷干净不干净，关系着居民每天的心情。一条小巷，堆满杂物，行人只能侧身而过；收拾整齐了，老人孩子都愿意出来走走。\n",
            "　　有的地方把街巷保洁交给居民自己商量，谁家门前谁负责，每月评一评，效果很好。\n",
            "　　也要看到，有些背街小巷仍然缺少垃圾桶，夜里照明不足，群众反映多年没有解决。\n",
            "　　这些小事，件件连着民心。多听听居民的意见，多下一些绣花功夫，街巷才能越来越整洁。\n",
            "　　愿每一条街巷都干干净净，让住在这里的人们过得舒心。\n",
            "　　街巷是城市的毛细血管。毛细血管通畅了，城市才有活力，居民生活才更方便。\n",
            "　　一些城市探索“街长制”，由街道干部包片负责，发现问题及时处理，群众叫好。\n",
            "　　管好街巷，光靠突击清扫不够，还得有长效办法。定期巡查、及时维修、分类收运，哪一环都不能少。\n",
            "　　居民也是街巷的主人。不乱扔垃圾、不占道堆物，从自家门口做起，街巷自然会清爽起来。\n",
            "　　街巷改造还要留住烟火气。修缮老房子、保留老字号，让熟悉的味道和邻里的情分都在。\n",
            "　　小街小巷连着千家万户，做好这篇文章，需要耐心，更需要恒心。\n",
            "　　也有的街道请来设计师和居民一起画图纸，哪里种树、哪里放长椅、哪里停自行车，都由大家商量着定下来，改好以后人人爱护。\n",
            "　　还要看到，街巷管理涉及环卫、城管、供电、燃气等多个部门，只有打破各管一段的做法，遇事一起上门、一起解决，难题才不会拖成老大难。\n",
            "　　一些老街巷路面窄、管线乱，改造时既要考虑消防车能不能开进来，也要想到老人出门买菜、孩子上学放学是不是安全方便。\n",
            "　　街巷干净了，还得管得住。有的小区门口刚清理完，没过几天杂物又堆了起来，说到底是管理跟不上，责任没有落到具体的人身上。\n",
            "　　不妨多用一些群众看得见的办法：在巷口贴出保洁责任人的名字和电话，定期公布整改情况，让居民随时监督、随时反映。\n",
            "　　城市管理千头万绪，街巷是最贴近百姓的一环。把这一环抓牢了，群众的满意度就会实实在在地提上来。\n",
            "　　久久为功，把每一件小事办好办实，街巷的面貌一定会一年比一年好，城市也会因此更有温度。\n",
            "湖畔小镇办起冬季集市\n",
            "　　年货摆满了长长的木棚，糖画、剪纸、手工挂面吸引了不少游客。镇上的农户把自家种的蔬菜水果搬到集市上，一个上午就卖出去大半。\n",
            "　　集市每周开放三天，镇里统一安排摊位，不收摊位费。来自周边县市的游客络绎不绝，小镇的民宿也住满了客人。\n",
            "　　“以前冬天没什么活干，现在守着家门口就能挣钱。”一位摆摊的村民笑着说。\n",
        );
        let p = split_page("rmrb_20310307_05.txt", text);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["湖畔小镇办起冬季集市"]);
        let t = trace_boundaries("rmrb_20310307_05.txt", text);
        assert_eq!(t.len(), 1);
        assert!(boundary_score(&t[0].features) > 0.0);
    }

    #[test]
    fn a_byline_under_a_section_of_a_signed_feature_is_weighed_not_taken_as_evidence() {
        // Sections of one feature, each with its title and its reporter's byline.
        let feature = concat!(
            "山乡秋色\n",
            "本报记者  张小明\n",
            "　　清晨的山村被薄雾笼罩，梯田里的稻子已经泛黄，村民们趁着好天气下地收割。\n",
            "　　合作社的晒场上堆满了新谷，几台烘干机轰隆作响，一派丰收的景象。\n",
            "果园飘香\n",
            "本报记者  李小红\n",
            "　　山脚下的果园里，苹果挂满枝头，游客们挎着篮子一边采摘一边拍照。\n",
        );
        let t = trace_boundaries("rmrb_20310307_05.txt", feature);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].heads, vec!["果园飘香"]);
        assert_eq!(t[0].features[N_FEATURES - 2..], [1.0, 1.0]);
        // A byline under a headline after an unsigned article still opens a report.
        let report = concat!(
            "山乡秋色\n",
            "　　清晨的山村被薄雾笼罩，梯田里的稻子已经泛黄，村民们趁着好天气下地收割。\n",
            "　　合作社的晒场上堆满了新谷，几台烘干机轰隆作响，一派丰收的景象。\n",
            "果园飘香\n",
            "本报记者  李小红\n",
            "　　山脚下的果园里，苹果挂满枝头，游客们挎着篮子一边采摘一边拍照。\n",
        );
        assert!(trace_boundaries("rmrb_20310307_05.txt", report).is_empty());
        let p = split_page("rmrb_20310307_05.txt", report);
        assert_eq!(p.pieces.len(), 2, "{:?}", texts(&p));
        assert_eq!(p.pieces[1].headlines, vec!["果园飘香"]);
    }

    #[test]
    fn a_call_for_pictures_after_the_photo_credit_stays_with_the_picture_item() {
        let text = concat!(
            "湖畔晨光\n",
            "　　清晨，湖面升起薄雾，渔民驾着小船出湖捕鱼，岸边的柳树倒映在水中。\n",
            "王小明摄\n",
            "　　欢迎读者赐图投稿，邮箱：photo@example.com。\n",
        );
        let p = split_page("rmrb_20310307_05.txt", text);
        assert_eq!(p.pieces.len(), 1, "{:?}", texts(&p));
        assert!(p.pieces[0].paragraphs.last().unwrap().starts_with("欢迎读者"));
        assert!(is_contribution_call("看更多照片和征稿信息，请登录某某平台。"));
        assert!(!is_contribution_call("欢迎各地游客前来观光。"));
    }

    fn check_spans(text: &str, p: &Page) {
        let mut all: Vec<Span> = p.pieces.iter().flat_map(|pc| pc.spans.iter().copied()).collect();
        all.extend(p.furniture.iter().map(|f| f.span));
        all.sort();
        for s in &all {
            assert!(s.start <= s.end && s.end <= text.len());
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        }
        for w in all.windows(2) {
            assert!(w[0].end <= w[1].start, "overlap {:?} {:?}", w[0], w[1]);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_sound(s in "\\PC{0,400}") {
            let p = split_page("rmrb_20191002_03.txt", &s);
            check_spans(&s, &p);
        }

        #[test]
        fn never_panics_on_page_like_text(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("　　本报北京3月4日电  村民今天坐上了公交车。".to_string()),
                    proptest::strategy::Just("山里来了快递车".to_string()),
                    proptest::strategy::Just("（下转第5版）".to_string()),
                    proptest::strategy::Just("（上接第1版）".to_string()),
                    proptest::strategy::Just("第05版".to_string()),
                    proptest::strategy::Just("——记一位乡村教师".to_string()),
                    proptest::strategy::Just("（记者王江）".to_string()),
                    proptest::strategy::Just(String::new()),
                    "\\PC{0,30}",
                ],
                0..30,
            )
        ) {
            let s = lines.join("\n");
            let p = split_page("x.txt", &s);
            check_spans(&s, &p);
        }
    }
}
