//! Links every article of a JSON Lines file (optionally gzip-compressed) and prints one JSON
//! line per story with more than one member.
//!
//! ```text
//! cargo run --release --example links_eval -- ../shared/data/reprints-dev/docs.jsonl.gz > stories.jsonl
//! python3 ../shared/tools/score_links.py ../shared/data/reprints-dev/gold.jsonl stories.jsonl
//! ```
//! Timing (normalize + fingerprint, linking), table sizes and the largest stories with a few
//! headlines go to stderr. Parameters can be overridden for measurement with environment
//! variables `K`, `BANDS`, `ROWS`, `ANCHOR`, `NEAR`, `EXCERPT`, `DAMPED`, `DAMPING`, `CONFLICT`,
//! `CAP`, `CANDIDATES`, `BATCH`.

use std::time::Instant;

use baoku_text::decode::{decode, gunzip};
use baoku_text::link::{LinkDoc, LinkParams, Linker, Relation};
use baoku_text::normalize::Normalizer;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: links_eval FILE.jsonl[.gz] > stories.jsonl");
        std::process::exit(2);
    });
    let raw = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("reading {path}: {e}");
        std::process::exit(2);
    });
    let t0 = Instant::now();
    let bytes = gunzip(&raw).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    let text = decode(&bytes).text;
    drop(bytes);
    let articles = baoku_text::jsonl::parse(&text).articles;
    drop(text);
    let t_parse = t0.elapsed();

    let mut params = LinkParams::default();
    let f = &mut params.fingerprint;
    f.k = env("K", f.k);
    f.bands = env("BANDS", f.bands);
    f.rows = env("ROWS", f.rows);
    f.anchor_every = env("ANCHOR", f.anchor_every);
    params.near_jaccard = env("NEAR", params.near_jaccard);
    params.excerpt_containment = env("EXCERPT", params.excerpt_containment);
    params.damped_containment = env("DAMPED", params.damped_containment);
    params.damping = env("DAMPING", params.damping);
    params.fact_conflict_share = env("CONFLICT", params.fact_conflict_share);
    params.anchor_cap = env("CAP", params.anchor_cap);
    params.max_candidates = env("CANDIDATES", params.max_candidates);
    let batch: usize = env("BATCH", 1000);

    let t1 = Instant::now();
    let normalizer = Normalizer::shared();
    let t_init = t1.elapsed();
    let t2 = Instant::now();
    let docs: Vec<LinkDoc> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| {
            LinkDoc::new(
                i as u64,
                normalizer,
                &a.headline,
                &a.text,
                a.date.as_deref(),
                a.agency.as_deref(),
                a.script == "Hant",
                &params.fingerprint,
            )
        })
        .collect();
    let t_fp = t2.elapsed();
    let t3 = Instant::now();
    let mut linker = Linker::new(params);
    let mut edges = Vec::new();
    let mut docs = docs.into_iter().peekable();
    while docs.peek().is_some() {
        let chunk: Vec<LinkDoc> = docs.by_ref().take(batch).collect();
        edges.extend(linker.link_batch(chunk));
    }
    let t_link = t3.elapsed();

    if let Ok(gold) = std::env::var("EXPLAIN") {
        explain(&gold, &articles, &linker, normalizer);
    }
    let sid = |id: u64| {
        articles[id as usize]
            .source_id
            .clone()
            .unwrap_or_else(|| id.to_string())
    };
    let stories = linker.stories();
    let mut out = String::new();
    for s in &stories {
        let members: Vec<serde_json::Value> = s
            .members
            .iter()
            .map(|m| {
                let rel = if m.script { format!("{}+script", m.relation.as_str()) } else { m.relation.as_str().to_string() };
                serde_json::json!({"source_id": sid(m.id), "relation": rel, "score": (m.score * 1000.0).round() / 1000.0})
            })
            .collect();
        out.push_str(
            &serde_json::json!({"story": sid(s.id), "canonical": sid(s.canonical), "members": members}).to_string(),
        );
        out.push('\n');
    }
    print!("{out}");

    let chars: usize = articles.iter().map(|a| a.text.chars().count()).sum();
    let related = edges.iter().filter(|e| e.relation == Relation::Related).count();
    let sizes = linker.sizes();
    eprintln!(
        "{} articles, {:.1} M chars: parse {:.2}s, normalizer init {:.2}s, normalize+fingerprint {:.2}s ({:.1} MB/s of text), link {:.2}s; peak RSS {:.0} MB",
        articles.len(),
        chars as f64 / 1e6,
        t_parse.as_secs_f64(),
        t_init.as_secs_f64(),
        t_fp.as_secs_f64(),
        articles.iter().map(|a| a.text.len()).sum::<usize>() as f64 / 1e6 / t_fp.as_secs_f64(),
        t_link.as_secs_f64(),
        peak_rss_mb()
    );
    eprintln!(
        "stories with >1 member: {}, members in them: {}, related edges: {related}; tables: docs {} stories {} canonical shingles+anchors {} band keys {} anchor keys {}",
        stories.len(),
        stories.iter().map(|s| s.members.len()).sum::<usize>(),
        sizes[0], sizes[1], sizes[2], sizes[3], sizes[4]
    );
    for s in stories.iter().take(env("SHOW", 10)) {
        eprintln!("story of {} members (canonical {}):", s.members.len(), sid(s.canonical));
        for m in s.members.iter().take(4) {
            let a = &articles[m.id as usize];
            let lead: String = a.text.chars().take(40).collect::<String>().replace('\n', " ");
            eprintln!(
                "  {} {:?} {:.2} {} | {} | {}",
                sid(m.id),
                m.relation,
                m.score,
                a.date.as_deref().unwrap_or("-"),
                a.headline,
                lead
            );
        }
    }
}

/// For every gold version not in its original's story, prints the evidence.
fn explain(gold: &str, articles: &[baoku_text::Article], linker: &Linker, n: &Normalizer) {
    use std::collections::HashMap;
    let by_sid: HashMap<&str, u64> = articles
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some((a.source_id.as_deref()?, i as u64)))
        .collect();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(gold)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let mut orig: HashMap<String, String> = HashMap::new();
    for g in &lines {
        if g["relation"] == "original" {
            orig.insert(
                g["story"].as_str().unwrap_or("").into(),
                g["id"].as_str().unwrap_or("").into(),
            );
        }
    }
    let fp = |i: u64| {
        let a = &articles[i as usize];
        LinkDoc::new(i, n, &a.headline, &a.text, None, None, false, &linker.params().fingerprint).fingerprint
    };
    for g in &lines {
        let (id, rel) = (g["id"].as_str().unwrap_or(""), g["relation"].as_str().unwrap_or(""));
        let Some(o) = orig.get(g["story"].as_str().unwrap_or("")) else {
            continue;
        };
        if rel == "original" {
            continue;
        }
        let (Some(&x), Some(&y)) = (by_sid.get(id), by_sid.get(o.as_str())) else {
            continue;
        };
        if linker.story_of(x) == linker.story_of(y) {
            continue;
        }
        let e = linker.evidence(&fp(x), &fp(y), Some(y));
        eprintln!("MISS {rel} {id} {o}: {e:?}");
    }
}
