//! `baoku search` and `baoku reindex`.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};
use baoku_store::{Archive, SearchRequest, Sort};

use crate::cli::SearchArgs;

pub fn search(db: &Path, args: &SearchArgs) -> Result<()> {
    let mut archive = Archive::open(db).with_context(|| format!("opening data directory {}", db.display()))?;
    let req = SearchRequest {
        query: args.query.join(" "),
        limit: args.limit,
        from: args.from.clone(),
        to: args.to.clone(),
        source: args.source.clone(),
        lang: args.lang.clone(),
        sort: if args.sort == "date" {
            Sort::Date
        } else {
            Sort::Relevance
        },
        all_versions: args.all_versions,
    };
    let results = archive.search(&req)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for h in &results.hits {
            writeln!(out, "{}", serde_json::to_string(h)?)?;
        }
        return Ok(());
    }
    let ansi = std::io::stdout().is_terminal();
    for h in &results.hits {
        let versions = if h.versions > 1 {
            format!(
                "  [{} versions in {} outlet{}]",
                h.versions,
                h.outlets,
                if h.outlets == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:>6}  {}  {:<6}  {}{versions}",
            h.id,
            h.date.as_deref().unwrap_or("----------"),
            h.outlet.as_deref().unwrap_or("-"),
            marked(&h.headline, &h.headline_highlights, ansi),
        )?;
        writeln!(out, "        {}", marked(&h.snippet, &h.highlights, ansi))?;
    }
    let shown = results.hits.len();
    let unit = if args.all_versions { "articles" } else { "stories" };
    eprintln!("{shown} {unit} shown; {} articles match", results.total);
    Ok(())
}

/// `text` with its highlighted character ranges in bold on a terminal.
fn marked(text: &str, spans: &[(usize, usize)], ansi: bool) -> String {
    if !ansi || spans.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut spans = spans.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        if spans.peek().is_some_and(|s| s.0 == i) {
            out.push_str("\x1b[1;31m");
        }
        out.push(c);
        if spans.peek().is_some_and(|s| s.1 == i + 1) {
            out.push_str("\x1b[0m");
            spans.next();
        }
    }
    out
}

pub fn reindex(db: &Path) -> Result<()> {
    let mut archive = Archive::open(db).with_context(|| format!("opening data directory {}", db.display()))?;
    let total = archive.article_count()? as u64;
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} articles")
            .expect("valid template"),
    );
    let n = archive.reindex(|n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    eprintln!("indexed {n} articles");
    Ok(())
}

pub fn trends(db: &Path, terms: &[String], by: &str, count: &str, json: bool, svg: Option<&Path>) -> Result<()> {
    let mut archive = Archive::open(db).with_context(|| format!("opening data directory {}", db.display()))?;
    let t = archive.trends(terms, by.parse()?, count.parse()?)?;
    if let Some(path) = svg {
        std::fs::write(path, crate::chart::svg(&t)).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(&t)?)?;
        return Ok(());
    }
    write!(out, "{:<12}", by)?;
    for s in &t.series {
        write!(out, "\t{}", s.term)?;
    }
    writeln!(out)?;
    for (i, p) in t.periods.iter().enumerate() {
        write!(out, "{p:<12}")?;
        for s in &t.series {
            write!(out, "\t{}", s.counts[i])?;
        }
        writeln!(out)?;
    }
    for s in &t.series {
        let undated = if s.undated > 0 {
            format!(", {} undated", s.undated)
        } else {
            String::new()
        };
        eprintln!("{}: {} {count}{undated}", s.term, s.total);
    }
    Ok(())
}
