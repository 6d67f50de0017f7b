//! Links Chinese and English documents that are translations of each other and scores the
//! result against the folder's gold.
//!
//! ```text
//! cargo run --release -p baoku-text --example translations_eval -- ../shared/data/translations-dev
//! cargo run --release -p baoku-text --example translations_eval -- ../shared/data/reprints-dev
//! ```
//! The folder holds `docs.jsonl` or `docs.jsonl.gz` (id, text, optional headline, lang, date)
//! and optionally `gold.jsonl` (id, story, relation). Documents without `lang` get
//! [`detect_lang`]. Translation pairs are joined into stories (union-find) and written as
//! stories JSONL to `$OUT` (default `translation-stories.jsonl` in the temp directory); with a
//! gold file the example prints pair precision/recall/F1 of those stories, the false pairs
//! (edges between two gold stories) and runs `../shared/tools/score_links.py` when present.
//! Environment variables `THRESHOLD RELATIVE WINDOW INDEX HITS` override parameters;
//! `ANALYZE=1` also scores every zh–en pair (not only candidates) to show the score
//! distribution and the candidate index's recall.

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use baoku_text::translate::{days, detect_lang, project, Lang, TranslationLinker, TranslationParams};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: translations_eval FOLDER (with docs.jsonl[.gz] and gold.jsonl)");
        std::process::exit(2);
    });
    let dir = std::path::Path::new(&dir);
    let docs_path = [dir.join("docs.jsonl"), dir.join("docs.jsonl.gz")]
        .into_iter()
        .find(|p| p.exists());
    let Some(docs_path) = docs_path else {
        eprintln!("{}: no docs.jsonl or docs.jsonl.gz", dir.display());
        std::process::exit(2);
    };
    let raw = std::fs::read(&docs_path).expect("reading docs");
    let bytes = baoku_text::decode::gunzip(&raw).expect("gunzip");
    let text = String::from_utf8_lossy(&bytes);

    let t0 = Instant::now();
    let mut ids = Vec::new();
    let mut langs = Vec::new();
    let mut dates = Vec::new();
    let mut bodies = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let body = format!("{}\n{}", s("headline"), s("text"));
        let lang = match s("lang").as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => detect_lang(&body),
        };
        ids.push(s("id"));
        langs.push(lang);
        dates.push(days(&s("date")));
        bodies.push(body);
    }
    let t_parse = t0.elapsed();
    let t1 = Instant::now();
    // Documents of neither language take part as empty English documents with no units.
    let projections: Vec<_> = bodies
        .iter()
        .zip(&langs)
        .map(|(b, l)| project(b, l.unwrap_or(Lang::En)))
        .collect();
    let projections: Vec<_> = projections
        .into_iter()
        .zip(&langs)
        .map(|(mut p, l)| {
            if l.is_none() {
                p.units.clear();
                p.terms.clear();
            }
            p
        })
        .collect();
    let t_project = t1.elapsed();
    let defaults = TranslationParams::default();
    let params = TranslationParams {
        threshold: env("THRESHOLD", defaults.threshold),
        relative: env("RELATIVE", defaults.relative),
        date_window: env("WINDOW", defaults.date_window),
        index_terms: env("INDEX", defaults.index_terms),
        min_hits: env("HITS", defaults.min_hits),
    };
    let t2 = Instant::now();
    let linker = TranslationLinker::new(&projections);
    let candidates = linker.candidates(&dates, &params);
    let pairs = linker.link(&dates, &params);
    let t_link = t2.elapsed();
    let n_zh = langs.iter().filter(|l| **l == Some(Lang::Zh)).count();
    let n_en = langs.iter().filter(|l| **l == Some(Lang::En)).count();
    eprintln!(
        "{} docs ({n_zh} zh, {n_en} en, {} other); parse {:.2} s, project {:.2} s, index + score {:.2} s; \
         {} candidates ({} zh-en pairs in all), {} translation pairs",
        ids.len(),
        ids.len() - n_zh - n_en,
        t_parse.as_secs_f64(),
        t_project.as_secs_f64(),
        t_link.as_secs_f64(),
        candidates.len(),
        n_zh * n_en,
        pairs.len()
    );

    // Stories by union-find over the translation pairs.
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    for p in &pairs {
        let (a, b) = (find(&mut parent, p.zh), find(&mut parent, p.en));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut stories: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..ids.len() {
        let r = find(&mut parent, i);
        stories.entry(r).or_default().push(i);
    }
    let out_path = std::env::var("OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("translation-stories.jsonl"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&out_path).expect("creating OUT"));
    let mut roots: Vec<_> = stories.keys().copied().collect();
    roots.sort_unstable();
    for r in roots {
        let m = &stories[&r];
        if m.len() > 1 {
            let members: Vec<&str> = m.iter().map(|&i| ids[i].as_str()).collect();
            let line = serde_json::json!({"story": ids[r], "members": members});
            writeln!(out, "{line}").unwrap();
        }
    }
    out.flush().unwrap();
    drop(out);
    eprintln!("stories written to {}", out_path.display());

    let gold_path = dir.join("gold.jsonl");
    let Ok(gold_text) = std::fs::read_to_string(&gold_path) else {
        return;
    };
    let mut gold: HashMap<String, String> = HashMap::new();
    for line in gold_text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a gold line");
        gold.insert(
            v["id"].as_str().unwrap_or("").into(),
            v["story"].as_str().unwrap_or("").into(),
        );
    }
    let story_of = |i: usize| gold.get(&ids[i]).cloned().unwrap_or_else(|| format!("solo:{}", ids[i]));
    // Pair metrics over same-story pairs, as score_links.py counts them.
    let pairs_in = |groups: &mut dyn Iterator<Item = Vec<usize>>| -> (u64, u64) {
        let (mut all, mut tp) = (0u64, 0u64);
        for g in groups {
            let n = g.len() as u64;
            all += n * n.saturating_sub(1) / 2;
            let mut by: HashMap<String, u64> = HashMap::new();
            for i in g {
                *by.entry(story_of(i)).or_default() += 1;
            }
            tp += by.values().map(|n| n * n.saturating_sub(1) / 2).sum::<u64>();
        }
        (all, tp)
    };
    let (predicted, tp) = pairs_in(&mut stories.values().cloned());
    let mut gold_groups: HashMap<String, Vec<usize>> = HashMap::new();
    for i in 0..ids.len() {
        gold_groups.entry(story_of(i)).or_default().push(i);
    }
    let (gold_pairs, _) = pairs_in(&mut gold_groups.values().cloned());
    let p = if predicted > 0 {
        tp as f64 / predicted as f64
    } else {
        1.0
    };
    let r = if gold_pairs > 0 {
        tp as f64 / gold_pairs as f64
    } else {
        1.0
    };
    let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    let false_edges: Vec<_> = pairs.iter().filter(|x| story_of(x.zh) != story_of(x.en)).collect();
    println!("translation pairs (stories by union-find over zh-en edges):");
    println!("  pair precision {p:.4}  recall {r:.4}  F1 {f:.4}   ({tp} of {predicted} predicted, {gold_pairs} gold)");
    println!(
        "  zh-en edges {}, false edges (between gold stories) {}",
        pairs.len(),
        false_edges.len()
    );
    let shape = |z: usize, e: usize| {
        let (cz, ce) = linker.coverages(z, e);
        let han = bodies[z]
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count();
        let words = bodies[e].split_whitespace().count().max(1);
        format!(
            "cov zh {cz:.2} en {ce:.2}, {han} han / {words} words = {:.2}",
            han as f64 / words as f64
        )
    };
    for x in false_edges.iter().take(10) {
        println!(
            "    false: {} ~ {} score {:.3} ({})",
            ids[x.zh],
            ids[x.en],
            x.score,
            shape(x.zh, x.en)
        );
    }
    if std::env::var("ANALYZE").is_ok() {
        for x in pairs.iter().filter(|x| story_of(x.zh) == story_of(x.en)).take(12) {
            println!(
                "    true: {} ~ {} score {:.3} ({})",
                ids[x.zh],
                ids[x.en],
                x.score,
                shape(x.zh, x.en)
            );
        }
    }
    // Gold zh-en pairs missed as edges (for reading).
    let edge_set: std::collections::HashSet<(usize, usize)> = pairs.iter().map(|x| (x.zh, x.en)).collect();
    let cand_set: std::collections::HashSet<(usize, usize)> = candidates.iter().copied().collect();
    let mut missed = Vec::new();
    let mut gold_edges = 0;
    for g in gold_groups.values() {
        for &a in g {
            for &b in g {
                if langs[a] == Some(Lang::Zh) && langs[b] == Some(Lang::En) {
                    gold_edges += 1;
                    if !edge_set.contains(&(a, b)) {
                        missed.push((a, b, cand_set.contains(&(a, b)), linker.score(a, b)));
                    }
                }
            }
        }
    }
    println!(
        "  gold zh-en pairs {gold_edges}, found as edges {}, missed {}",
        gold_edges - missed.len(),
        missed.len()
    );
    for (a, b, cand, s) in missed.iter().take(10) {
        println!("    missed: {} ~ {} candidate {cand} score {s:.3}", ids[*a], ids[*b]);
    }
    if std::env::var("ANALYZE").is_ok() {
        let mut true_scores = Vec::new();
        let mut false_best = Vec::new();
        for a in (0..ids.len()).filter(|&i| langs[i] == Some(Lang::Zh)) {
            let mut best_false = 0f64;
            for b in (0..ids.len()).filter(|&i| langs[i] == Some(Lang::En)) {
                let s = linker.score(a, b);
                if story_of(a) == story_of(b) {
                    true_scores.push(s);
                } else {
                    best_false = best_false.max(s);
                }
            }
            false_best.push(best_false);
        }
        // A document whose translation is not in the corpus links to its best wrong partner
        // when that scores at or above the threshold (the relative rule cannot help then).
        let mut orphans = [0usize; 2];
        let mut count = [0usize; 2];
        for a in 0..ids.len() {
            let Some(la) = langs[a] else { continue };
            let best = (0..ids.len())
                .filter(|&b| langs[b].is_some_and(|lb| lb != la) && story_of(a) != story_of(b))
                .map(|b| linker.score(a, b))
                .fold(0f64, f64::max);
            let k = (la == Lang::En) as usize;
            count[k] += 1;
            orphans[k] += (best >= params.threshold) as usize;
        }
        println!(
            "  ANALYZE with its translations removed, a document would still link (best wrong partner >= {}): \
             zh {}/{}, en {}/{}",
            params.threshold, orphans[0], count[0], orphans[1], count[1]
        );
        true_scores.sort_by(f64::total_cmp);
        false_best.sort_by(f64::total_cmp);
        let q = |v: &[f64], x: f64| v.get(((v.len() as f64 - 1.0) * x) as usize).copied().unwrap_or(0.0);
        println!(
            "  ANALYZE true-pair scores: min {:.3} p5 {:.3} median {:.3}; best false score per zh doc: median {:.3} \
             p95 {:.3} max {:.3}",
            q(&true_scores, 0.0),
            q(&true_scores, 0.05),
            q(&true_scores, 0.5),
            q(&false_best, 0.5),
            q(&false_best, 0.95),
            q(&false_best, 1.0)
        );
        let in_cand = missed.iter().filter(|m| m.2).count() + (gold_edges - missed.len());
        println!("  ANALYZE candidate recall {in_cand}/{gold_edges}");
    }
    let scorer = std::path::Path::new("../shared/tools/score_links.py");
    if scorer.exists() {
        println!("score_links.py:");
        let status = std::process::Command::new("python3")
            .arg(scorer)
            .arg(&gold_path)
            .arg(&out_path)
            .status();
        if let Err(e) = status {
            eprintln!("running score_links.py: {e}");
        }
    }
}
