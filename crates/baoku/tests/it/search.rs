//! Search as a user meets it: the CLI on the bundled samples, and the floors on the
//! People's Daily corpus (skipped without `../shared`).

use baoku_store::{Archive, SearchRequest};
use baoku_text::tokenize::key;
use baoku_text::variant::to_traditional;

use crate::{baoku, baoku_unchecked, ingested, json_lines, repo, shared_data};

fn samples_db() -> tempfile::TempDir {
    ingested(&repo().join("samples"))
}

fn ids(out: &std::process::Output) -> Vec<i64> {
    json_lines(out).iter().map(|h| h["id"].as_i64().unwrap()).collect()
}

#[test]
fn finds_substrings_in_either_script_and_highlights_the_original() {
    let db = samples_db();
    let d = db.path();
    // A substring across a word boundary (营经 of 民营/经济) is found like a whole word.
    let whole = ids(&baoku(d, &["search", "--json", "民营经济"]));
    // Options may follow the query.
    assert_eq!(ids(&baoku(d, &["search", "民营经济", "--json"])), whole);
    assert!(!whole.is_empty());
    assert_eq!(ids(&baoku(d, &["search", "--json", "营经"])), whole);
    // Traditional input finds simplified text and the other way round.
    assert_eq!(ids(&baoku(d, &["search", "--json", "民營經濟"])), whole);
    let trad = json_lines(&baoku(d, &["search", "--json", "--all-versions", "修缮"]));
    let hant: Vec<_> = trad.iter().filter(|h| h["script"] == "Hant").collect();
    assert!(!hant.is_empty(), "the Big5 sample holds 修繕: {trad:?}");
    // Highlights land on the article's own characters.
    for h in &hant {
        let snippet: Vec<char> = h["snippet"].as_str().unwrap().chars().collect();
        let spans = h["highlights"].as_array().unwrap();
        assert!(!spans.is_empty(), "{h}");
        for s in spans {
            let (a, b) = (s[0].as_u64().unwrap() as usize, s[1].as_u64().unwrap() as usize);
            assert_eq!(snippet[a..b].iter().collect::<String>(), "修繕", "{h}");
        }
    }
}

#[test]
fn words_phrases_exclusions_filters_and_versions() {
    let db = samples_db();
    let d = db.path();
    let both = ids(&baoku(d, &["search", "--json", "--all-versions", "江川", "新华社"]));
    let jiangchuan = ids(&baoku(
        d,
        &["search", "--json", "--all-versions", "--limit", "100", "江川"],
    ));
    assert!(!both.is_empty() && both.len() < jiangchuan.len());
    assert!(both.iter().all(|i| jiangchuan.contains(i)));
    let without = ids(&baoku(
        d,
        &[
            "search",
            "--json",
            "--all-versions",
            "--limit",
            "100",
            "江川",
            "-新华社",
        ],
    ));
    assert_eq!(without.len() + both.len(), jiangchuan.len());
    assert!(without.iter().all(|i| !both.contains(i)));
    // Dates filter; newest first when sorted by date.
    let dated = json_lines(&baoku(
        d,
        &[
            "search",
            "--json",
            "--all-versions",
            "--from",
            "2024-03-13",
            "--sort",
            "date",
            "江川",
        ],
    ));
    let dates: Vec<&str> = dated.iter().map(|h| h["date"].as_str().unwrap()).collect();
    assert!(
        !dates.is_empty() && dates.iter().all(|d| *d >= "2024-03-13"),
        "{dates:?}"
    );
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    // Collapsed by story: the reprinted report shows once, with its versions counted.
    let all = json_lines(&baoku(d, &["search", "--json", "--all-versions", "北归候鸟"]));
    let one = json_lines(&baoku(d, &["search", "--json", "北归候鸟"]));
    assert!(all.len() >= 2, "{all:?}");
    assert_eq!(one.len(), 1);
    assert!(one[0]["versions"].as_u64().unwrap() >= 2);
}

#[test]
fn bad_queries_get_clear_errors() {
    let db = samples_db();
    for (args, msg) in [
        (vec!["search", "-经济"], "no words to search for"),
        (vec!["search", "经济", "--from", "yesterday"], "expected YYYY-MM-DD"),
        (vec!["search", "--from", "yesterday", "经济"], "expected YYYY-MM-DD"),
    ] {
        let out = baoku_unchecked(db.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{args:?}: {err}");
    }
}

#[test]
fn index_follows_the_store() {
    let db = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.txt");
    std::fs::write(
        &file,
        "江川大桥建成通车\n　　本报江川10月1日电  江川大桥今天建成通车，两岸往来从此不再绕行。\n",
    )
    .unwrap();
    baoku(db.path(), &["ingest", file.to_str().unwrap()]);
    assert_eq!(ids(&baoku(db.path(), &["search", "--json", "不再绕行"])).len(), 1);
    // A changed file replaces its articles in the index too: no ghosts.
    std::fs::write(
        &file,
        "柳湾渡口恢复通航\n　　本报柳湾10月2日电  柳湾渡口今天恢复通航。\n",
    )
    .unwrap();
    baoku(db.path(), &["ingest", file.to_str().unwrap()]);
    assert!(ids(&baoku(db.path(), &["search", "--json", "不再绕行"])).is_empty());
    assert_eq!(ids(&baoku(db.path(), &["search", "--json", "恢复通航"])).len(), 1);
    // A lost index is rebuilt from the store on the next search; `reindex` rebuilds on demand.
    std::fs::remove_dir_all(db.path().join("index")).unwrap();
    assert_eq!(ids(&baoku(db.path(), &["search", "--json", "恢复通航"])).len(), 1);
    baoku(db.path(), &["reindex"]);
    assert_eq!(ids(&baoku(db.path(), &["search", "--json", "柳湾"])).len(), 1);
    // A bulk load without indexing leaves no index; the first search builds it.
    let bulk = tempfile::tempdir().unwrap();
    baoku(bulk.path(), &["ingest", "--no-index", file.to_str().unwrap()]);
    assert!(!bulk.path().join("index").exists());
    assert_eq!(ids(&baoku(bulk.path(), &["search", "--json", "柳湾"])).len(), 1);
}

/// xorshift64*: a seeded generator, so the floors test the same queries every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

fn ranked_ids(archive: &mut Archive, query: &str, limit: usize) -> Vec<i64> {
    let req = SearchRequest {
        query: query.to_string(),
        limit,
        all_versions: true,
        ..SearchRequest::default()
    };
    archive.search_ids(&req).unwrap().1.iter().map(|r| r.id).collect()
}

/// The search issue's floors on `rmrb-2019-10_2020-01.jsonl.gz` (4,303 articles).
#[test]
fn rmrb_search_floors() {
    let Some(data) = shared_data() else {
        return;
    };
    let db = tempfile::tempdir().unwrap();
    let corpus = data.join("rmrb-2019-10_2020-01.jsonl.gz");
    baoku(db.path(), &["ingest", "--no-link", corpus.to_str().unwrap()]);
    let mut archive = Archive::open(db.path()).unwrap();
    let mut articles = Vec::new();
    archive
        .for_each_article(|a| {
            articles.push((a.id, a.headline, a.text.chars().collect::<Vec<char>>()));
            Ok(())
        })
        .unwrap();
    let all = articles.len();
    let mut rng = Rng(0x2019_1001);

    // Substring completeness and script blindness: 1,000 random substrings of 2–12
    // characters of random articles (those with some text to search for).
    let (mut found, mut same, mut tried) = (0, 0, 0);
    let (mut misses, mut changed) = (Vec::new(), Vec::new());
    while tried < 1000 {
        let (id, _, text) = &articles[rng.below(all)];
        let len = 2 + rng.below(11);
        if text.len() < len {
            continue;
        }
        let start = rng.below(text.len() - len + 1);
        let sub: String = text[start..start + len].iter().collect();
        // A user types something to find: a piece that is only white space or begins with
        // the exclusion sign is not a query for this text.
        if key(&sub).chars().count() < 2 || sub.split_whitespace().any(|w| w.starts_with(['-', '－'])) {
            continue;
        }
        tried += 1;
        let hits = ranked_ids(&mut archive, &sub, all);
        if hits.contains(id) {
            found += 1;
        } else {
            misses.push((*id, sub.clone()));
        }
        let mut a = hits;
        let mut b = ranked_ids(&mut archive, &to_traditional(&sub), all);
        a.sort_unstable();
        b.sort_unstable();
        if a == b {
            same += 1;
        } else {
            changed.push(sub.clone());
        }
    }
    eprintln!("substring completeness {found}/1000, same hits in traditional {same}/1000; misses {misses:?}; script-dependent {changed:?}");

    // Known item: 500 random headlines should each rank their own article first. A headline
    // printed over several articles (图片报道, 广告, a column title) names none of them, so the
    // floor is measured on headlines that occur once; the figure over all headlines, where a
    // tie with an identically headlined article counts as a miss, is printed beside it.
    let mut seen = std::collections::HashMap::new();
    for a in &articles {
        *seen.entry(key(&a.1)).or_insert(0) += 1;
    }
    let named: Vec<_> = articles.iter().filter(|a| key(&a.1).chars().count() >= 2).collect();
    let unique: Vec<_> = named.iter().copied().filter(|a| seen[&key(&a.1)] == 1).collect();
    let mut known = |pool: &[&(i64, String, Vec<char>)], archive: &mut Archive| {
        let (mut first, mut wrong) = (0, Vec::new());
        for _ in 0..500 {
            let (id, headline, _) = pool[rng.below(pool.len())];
            let top = ranked_ids(archive, headline, 1);
            if top.first() == Some(id) {
                first += 1;
            } else {
                let other = top
                    .first()
                    .and_then(|t| articles.iter().find(|a| a.0 == *t))
                    .map(|a| a.1.clone());
                wrong.push((*id, headline.clone(), other));
            }
        }
        (first, wrong)
    };
    let (first, wrong) = known(&unique, &mut archive);
    let (first_any, _) = known(&named, &mut archive);
    eprintln!(
        "known item first: {first}/500 of headlines occurring once ({} of {}), {first_any}/500 of all headlines; wrong {wrong:?}",
        unique.len(),
        named.len()
    );

    assert!(found >= 999, "substring completeness {found}/1000 below 99.9 %");
    assert_eq!(
        same,
        1000,
        "traditional queries changed the hits of {} queries",
        1000 - same
    );
    assert!(first >= 475, "known item first {first}/500 below 95 %");
}
