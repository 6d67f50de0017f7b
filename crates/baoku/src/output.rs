//! `baoku files`, `articles`, `show`: reading the archive, as text for people or JSON for pipes.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use baoku_store::{Archive, ArticleLink, StoredArticle};

fn open(db: &Path) -> Result<Archive> {
    Archive::open(db).with_context(|| format!("opening data directory {}", db.display()))
}

pub fn files(db: &Path, json: bool) -> Result<()> {
    let archive = open(db)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for f in archive.files()? {
        if json {
            writeln!(out, "{}", serde_json::to_string(&f)?)?;
        } else {
            let status = match (&f.error, f.warnings.len()) {
                (Some(e), _) => format!("error: {e}"),
                (None, 0) => String::new(),
                (None, n) => format!("{n} warnings: {}", f.warnings.join("; ")),
            };
            writeln!(
                out,
                "{:>9} {:<8} {:<9} {:>4} bad {:>4} art  {}  {}",
                f.bytes,
                f.kind,
                f.encoding.as_deref().unwrap_or("-"),
                f.bad_bytes,
                f.articles,
                f.path,
                status
            )?;
        }
    }
    Ok(out.flush()?)
}

pub fn articles(db: &Path, json: bool) -> Result<()> {
    let archive = open(db)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    archive.for_each_article(|a| {
        let line = if json {
            serde_json::to_string(&a).expect("plain data serializes")
        } else {
            format!(
                "{:>6}  {}  {:<6}  {}",
                a.id,
                a.date.as_deref().unwrap_or("----------"),
                a.agency.as_deref().unwrap_or("-"),
                if a.headline.is_empty() {
                    "(no headline)"
                } else {
                    &a.headline
                }
            )
        };
        // A closed pipe (`| head`) ends here; main exits quietly on it.
        writeln!(out, "{line}").map_err(|e| baoku_store::Error::Io {
            path: "stdout".into(),
            source: e,
        })
    })?;
    out.flush()?;
    Ok(())
}

pub fn show(db: &Path, id: i64, raw: bool, json: bool) -> Result<()> {
    let archive = open(db)?;
    let mut out = std::io::stdout().lock();
    if raw {
        for (span, text) in archive.raw_spans(id)? {
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"path": span.path, "start": span.start, "end": span.end, "text": text})
                )?;
            } else {
                writeln!(out, "── {} bytes {}..{}", span.path, span.start, span.end)?;
                write!(out, "{text}")?;
                if !text.ends_with('\n') {
                    writeln!(out)?;
                }
            }
        }
        return Ok(());
    }
    let a = archive.article(id)?;
    let links = archive.links(id)?;
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&article_json(&a, &links))?)?;
        return Ok(());
    }
    for s in &a.subheads {
        writeln!(out, "  {s}")?;
    }
    writeln!(out, "{}", a.headline)?;
    let mut meta = vec![a.date.clone().unwrap_or_else(|| "date unknown".into())];
    meta.extend(a.agency.clone());
    meta.extend(a.place.clone());
    if !a.reporters.is_empty() {
        meta.push(format!("记者 {}", a.reporters.join("、")));
    }
    meta.push(format!("{}/{}", a.lang, a.script));
    writeln!(out, "{}\n", meta.join(" · "))?;
    writeln!(out, "{}\n", a.text)?;
    for l in &links {
        writeln!(
            out,
            "link: {}{} {:.2} · {} · {} · {} · {}",
            l.relation,
            if l.script { "+script" } else { "" },
            l.score,
            l.id,
            l.date.as_deref().unwrap_or("?"),
            l.agency.as_deref().unwrap_or("-"),
            l.headline
        )?;
    }
    for f in &a.files {
        writeln!(out, "source: {} bytes {}..{}", f.path, f.start, f.end)?;
    }
    for w in &a.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}

/// An article as `show --json` and the API give it: its fields and its `links`.
pub fn article_json(a: &StoredArticle, links: &[ArticleLink]) -> serde_json::Value {
    let mut v = serde_json::json!(a);
    v["links"] = serde_json::json!(links);
    v
}

pub fn stories(db: &Path, json: bool, all: bool) -> Result<()> {
    let archive = open(db)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for s in archive.stories(if all { 1 } else { 2 })? {
        if json {
            writeln!(out, "{}", serde_json::to_string(&s)?)?;
        } else {
            let canonical = s
                .members
                .iter()
                .find(|m| m.id == s.canonical)
                .map_or("", |m| m.headline.as_str());
            writeln!(
                out,
                "{:>6}  {} versions  {}..{}  {}  {}  {}",
                s.story,
                s.members.len(),
                s.first_date.as_deref().unwrap_or("?"),
                s.last_date.as_deref().unwrap_or("?"),
                s.langs.join("+"),
                s.outlets.join("、"),
                canonical
            )?;
        }
    }
    Ok(out.flush()?)
}

pub fn story(db: &Path, id: i64, json: bool) -> Result<()> {
    let archive = open(db)?;
    let s = archive.story(id)?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&s)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "story {} · {} versions · canonical {} · {}",
        s.story,
        s.members.len(),
        s.canonical,
        s.langs.join("+")
    )?;
    for m in &s.members {
        writeln!(
            out,
            "{:>6}  {}  {:<8}  {:<2}  {:<11}{} {:.2}  {}",
            m.id,
            m.date.as_deref().unwrap_or("----------"),
            m.agency.as_deref().unwrap_or("-"),
            m.lang,
            m.relation,
            if m.script { "+script" } else { "" },
            m.score,
            m.headline
        )?;
    }
    Ok(())
}

pub fn diff(db: &Path, a: i64, b: i64, strict: bool, json: bool) -> Result<()> {
    use std::io::IsTerminal;
    let archive = open(db)?;
    let (x, y) = (archive.article(a)?, archive.article(b)?);
    let ops = baoku_text::diff::diff(&x.text, &y.text, strict);
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(&ops)?)?;
    } else {
        let ansi = std::io::stdout().is_terminal();
        write!(out, "{}", baoku_text::diff::render(&x.text, &y.text, &ops, ansi))?;
    }
    Ok(())
}
