//! Character-level differences between two versions of a story, aligned by paragraph.
//!
//! Both texts are cut into paragraphs (lines) and put into matching form; paragraphs are
//! aligned first (identical paragraphs match whole), then each run of differing paragraphs is
//! compared character by character. Differences of script, width and white space are not
//! changes unless `strict` (then only white space is ignored). Every op carries the byte
//! spans it covers in both *original* texts, so a user interface can highlight them.
//!
//! ```
//! use baoku_text::diff::{diff, DiffKind};
//! let ops = diff("江川大橋今天建成通車。\n全长三千米。", "江川大桥今天建成。\n全长三千米。", false);
//! let changed: Vec<_> = ops.iter().filter(|o| o.kind != DiffKind::Equal).collect();
//! assert_eq!(changed.len(), 1);
//! assert_eq!(changed[0].kind, DiffKind::Delete);
//! ```

use serde::{Deserialize, Serialize};
use similar::{capture_diff_slices, Algorithm, DiffTag};

use crate::fingerprint::hash_str;
use crate::model::Span;
use crate::normalize::{Normalized, Normalizer};
use crate::translate::{align, detect_lang, Lang};

/// What an op does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// The same in both (up to script and width unless strict).
    Equal,
    /// In `a` only.
    Delete,
    /// In `b` only.
    Insert,
    /// Different text in `a` and `b`.
    Replace,
    /// Paragraphs of `a` and their translation in `b` (a Chinese and an English version).
    Aligned,
}

/// One op: a span of `a` and a span of `b` (an empty span where the op has no text there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffOp {
    /// What it does.
    pub kind: DiffKind,
    /// Bytes of the original `a`.
    pub a: Span,
    /// Bytes of the original `b`.
    pub b: Span,
}

struct Para {
    norm: Normalized,
    /// Byte offset of the paragraph in its text.
    base: usize,
    line: std::ops::Range<usize>,
}

fn paragraphs(text: &str, strict: bool) -> Vec<Para> {
    let n = Normalizer::shared();
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let norm = if strict { strict_form(line) } else { n.normalize(line) };
        if !norm.text.is_empty() {
            out.push(Para {
                norm,
                base: pos,
                line: pos..pos + line.len(),
            });
        }
        pos += line.len();
    }
    out
}

fn strict_form(s: &str) -> Normalized {
    let mut n = Normalized::default();
    for (at, c) in s.char_indices().filter(|(_, c)| !c.is_whitespace()) {
        n.text.push(c);
        n.offsets.push(at as u32);
    }
    n
}

/// Diffs two versions; `strict` reports script and width differences too. A Chinese and an
/// English version are not compared by character: their paragraphs are aligned side by side
/// ([`crate::translate::align`]) as `Aligned` ops, with `Delete`/`Insert` for paragraphs that
/// have no counterpart (what a translation left out or added).
pub fn diff(a: &str, b: &str, strict: bool) -> Vec<DiffOp> {
    if let (Some(x), Some(y)) = (detect_lang(a), detect_lang(b)) {
        if x != y {
            return aligned(a, b, x == Lang::Zh);
        }
    }
    let pa = paragraphs(a, strict);
    let pb = paragraphs(b, strict);
    let ka: Vec<u64> = pa.iter().map(|p| hash_str(&p.norm.text)).collect();
    let kb: Vec<u64> = pb.iter().map(|p| hash_str(&p.norm.text)).collect();
    let mut out: Vec<DiffOp> = Vec::new();
    let whole = |ps: &[Para], r: std::ops::Range<usize>, len: usize| -> Span {
        if r.is_empty() {
            let at = ps.get(r.start).map_or(len, |p| p.line.start);
            Span::new(at, at)
        } else {
            Span::new(ps[r.start].line.start, ps[r.end - 1].line.end)
        }
    };
    for op in capture_diff_slices(Algorithm::Myers, &ka, &kb) {
        let (tag, ra, rb) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => push(
                &mut out,
                DiffKind::Equal,
                whole(&pa, ra, a.len()),
                whole(&pb, rb, b.len()),
            ),
            DiffTag::Delete => push(
                &mut out,
                DiffKind::Delete,
                whole(&pa, ra, a.len()),
                whole(&pb, rb, b.len()),
            ),
            DiffTag::Insert => push(
                &mut out,
                DiffKind::Insert,
                whole(&pa, ra, a.len()),
                whole(&pb, rb, b.len()),
            ),
            DiffTag::Replace => chars(&mut out, a, &pa[ra], b, &pb[rb]),
        }
    }
    out
}

/// Ops of a zh/en pair: `a_is_zh` tells which side `a` is.
fn aligned(a: &str, b: &str, a_is_zh: bool) -> Vec<DiffOp> {
    let rows = if a_is_zh { align(a, b) } else { align(b, a) };
    let (mut at_a, mut at_b) = (0, 0);
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (ra, rb) = if a_is_zh { (r.zh, r.en) } else { (r.en, r.zh) };
        let sa = ra.map_or(Span::new(at_a, at_a), |x| Span::new(x.start, x.end));
        let sb = rb.map_or(Span::new(at_b, at_b), |x| Span::new(x.start, x.end));
        (at_a, at_b) = (at_a.max(sa.end), at_b.max(sb.end));
        let kind = match (sa.is_empty(), sb.is_empty()) {
            (false, false) => DiffKind::Aligned,
            (false, true) => DiffKind::Delete,
            _ => DiffKind::Insert,
        };
        out.push(DiffOp { kind, a: sa, b: sb });
    }
    out
}

/// Character diff of runs of paragraphs.
fn chars(out: &mut Vec<DiffOp>, a: &str, pa: &[Para], b: &str, pb: &[Para]) {
    let flat = |ps: &[Para]| -> (Vec<char>, Vec<usize>) {
        let mut cs = Vec::new();
        let mut offs = Vec::new();
        for p in ps {
            for (c, &o) in p.norm.text.chars().zip(&p.norm.offsets) {
                cs.push(c);
                offs.push(p.base + o as usize);
            }
        }
        (cs, offs)
    };
    let (ca, oa) = flat(pa);
    let (cb, ob) = flat(pb);
    let span = |text: &str, offs: &[usize], r: std::ops::Range<usize>| -> Span {
        if r.is_empty() {
            let at = offs.get(r.start).copied().unwrap_or_else(|| {
                offs.last()
                    .map_or(0, |&o| o + text[o..].chars().next().map_or(0, char::len_utf8))
            });
            return Span::new(at, at);
        }
        let last = offs[r.end - 1];
        Span::new(
            offs[r.start],
            last + text[last..].chars().next().map_or(0, char::len_utf8),
        )
    };
    for op in capture_diff_slices(Algorithm::Myers, &ca, &cb) {
        let (tag, ra, rb) = op.as_tag_tuple();
        let kind = match tag {
            DiffTag::Equal => DiffKind::Equal,
            DiffTag::Delete => DiffKind::Delete,
            DiffTag::Insert => DiffKind::Insert,
            DiffTag::Replace => DiffKind::Replace,
        };
        push(out, kind, span(a, &oa, ra), span(b, &ob, rb));
    }
}

/// Appends an op, folding a delete next to an insert into one replace.
fn push(out: &mut Vec<DiffOp>, kind: DiffKind, a: Span, b: Span) {
    if let Some(last) = out.last_mut() {
        let pair = matches!(
            (last.kind, kind),
            (DiffKind::Delete, DiffKind::Insert) | (DiffKind::Insert, DiffKind::Delete)
        );
        if last.kind == kind && kind == DiffKind::Equal
            || pair
            || (last.kind == DiffKind::Replace && kind != DiffKind::Equal)
        {
            last.kind = if last.kind == kind { kind } else { DiffKind::Replace };
            last.a = Span::new(last.a.start.min(a.start), last.a.end.max(a.end));
            last.b = Span::new(last.b.start.min(b.start), last.b.end.max(b.end));
            return;
        }
    }
    out.push(DiffOp { kind, a, b });
}

/// Renders the ops over `b` with deletions as `[-…-]` and insertions as `{+…+}`; with
/// `ansi`, in red and green instead.
pub fn render(a: &str, b: &str, ops: &[DiffOp], ansi: bool) -> String {
    let (del, ins, end) = if ansi {
        ("\x1b[31m", "\x1b[32m", "\x1b[0m")
    } else {
        ("[-", "{+", "")
    };
    let (del_end, ins_end) = if ansi { (end, end) } else { ("-]", "+}") };
    let mut s = String::new();
    if ops.iter().any(|o| o.kind == DiffKind::Aligned) {
        // a translation pair: each row's paragraphs, one side above the other
        for op in ops {
            let ta = &a[op.a.start..op.a.end];
            let tb = &b[op.b.start..op.b.end];
            match op.kind {
                DiffKind::Delete => s.push_str(&format!("{del}{ta}{del_end}\n")),
                DiffKind::Insert => s.push_str(&format!("{ins}{tb}{ins_end}\n")),
                _ => s.push_str(&format!("{ta}\n  ⇄ {tb}\n")),
            }
            s.push('\n');
        }
        return s;
    }
    let mut at = 0;
    for op in ops {
        if op.b.start > at {
            s.push_str(&b[at..op.b.start]);
        }
        at = at.max(op.b.end);
        let ta = &a[op.a.start..op.a.end];
        let tb = &b[op.b.start..op.b.end];
        match op.kind {
            DiffKind::Equal => s.push_str(tb),
            DiffKind::Delete => s.push_str(&format!("{del}{ta}{del_end}")),
            DiffKind::Insert => s.push_str(&format!("{ins}{tb}{ins_end}")),
            DiffKind::Replace | DiffKind::Aligned => s.push_str(&format!("{del}{ta}{del_end}{ins}{tb}{ins_end}")),
        }
    }
    s.push_str(&b[at.min(b.len())..]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_width_are_not_changes() {
        let a = "江川大桥今天建成通车，全长３２００米。\n两岸居民欢欣鼓舞。";
        let b = "江川大橋今天建成通車,全長3200米.\n兩岸居民歡欣鼓舞。";
        assert!(diff(a, b, false).iter().all(|o| o.kind == DiffKind::Equal));
        assert!(diff(a, b, true).iter().any(|o| o.kind != DiffKind::Equal));
    }

    #[test]
    fn spans_point_into_originals() {
        let a = "第一段不变。\n江川大桥今天建成通车。\n第三段。";
        let b = "第一段不变。\n江川大桥昨天正式建成通车。\n第三段。";
        let ops = diff(a, b, false);
        let changed: Vec<(&str, &str)> = ops
            .iter()
            .filter(|o| o.kind != DiffKind::Equal)
            .map(|o| (&a[o.a.start..o.a.end], &b[o.b.start..o.b.end]))
            .collect();
        assert_eq!(changed, [("今", "昨"), ("", "正式")]);
        assert_eq!(
            render(a, b, &ops, false),
            "第一段不变。\n江川大桥[-今-]{+昨+}天{+正式+}建成通车。\n第三段。"
        );
    }

    #[test]
    fn whole_paragraphs_deleted() {
        let a = "一段。\n二段。\n三段。";
        let b = "一段。\n三段。";
        let ops = diff(a, b, false);
        let del: Vec<&str> = ops
            .iter()
            .filter(|o| o.kind == DiffKind::Delete)
            .map(|o| &a[o.a.start..o.a.end])
            .collect();
        assert_eq!(del, ["二段。\n"]);
    }
}
