//! Ingest of the bundled samples: what comes out, re-ingest, changed files.

use std::path::Path;

use crate::{baoku, ingested, json_lines, repo};

#[test]
fn samples_ingest_into_articles_with_provenance() {
    let db = tempfile::tempdir().unwrap();
    let out = baoku(db.path(), &["ingest", repo().join("samples").to_str().unwrap()]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("0 failed"), "{summary}");

    let files = json_lines(&baoku(db.path(), &["files", "--json"]));
    let enc = |name: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not ingested"))["encoding"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(enc("gb18030_page.txt"), "gb18030");
    assert_eq!(enc("big5_traditional.txt"), "Big5");
    assert_eq!(enc("gbk_gzipped.txt.gz"), "gb18030");
    assert!(
        files.iter().all(|f| !f["path"].as_str().unwrap().contains("/.")),
        "hidden files must be passed over"
    );

    let articles = json_lines(&baoku(db.path(), &["articles", "--json"]));
    let feed: Vec<_> = articles.iter().filter(|a| a["source_id"].is_string()).collect();
    assert_eq!(feed.len(), 5, "one article per JSONL record");
    let trad = feed.iter().find(|a| a["source_id"] == "wf-20240315-0003").unwrap();
    assert_eq!(trad["script"], "Hant");
    assert_eq!(trad["lang"], "zh");
    // The English wire story: its web credit line stays a line of its own, so the dateline
    // under it gives place and agency.
    let wire = articles
        .iter()
        .find(|a| a["files"][0]["path"].as_str().unwrap().ends_with("english_report.txt"))
        .unwrap();
    assert_eq!(
        (wire["lang"].as_str(), wire["date"].as_str()),
        (Some("en"), Some("2024-03-12"))
    );
    assert_eq!(
        (wire["agency"].as_str(), wire["place"].as_str()),
        (Some("Xinhua"), Some("JIANGCHUAN"))
    );
    assert!(wire["text"]
        .as_str()
        .unwrap()
        .starts_with("Source: Xinhua | 2024-03-12 17:42:05 | Editor: Liu Fang\nJIANGCHUAN, March 12"));
    for a in &articles {
        for key in [
            "id",
            "files",
            "headline",
            "subheads",
            "date",
            "place",
            "agency",
            "reporters",
            "lang",
            "script",
            "text",
            "warnings",
        ] {
            assert!(a.get(key).is_some(), "article lacks {key}: {a}");
        }
        assert!(
            !a["files"].as_array().unwrap().is_empty(),
            "article without provenance: {a}"
        );
    }

    // `show --raw` gives back the exact bytes each span came from.
    let id = trad["id"].as_i64().unwrap().to_string();
    let raw = String::from_utf8(baoku(db.path(), &["show", &id, "--raw"]).stdout).unwrap();
    assert!(raw.contains("\"id\": \"wf-20240315-0003\""), "{raw}");
}

#[test]
fn reingest_is_a_no_op_and_a_changed_file_replaces_its_articles() {
    let db = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let page = src.path().join("page.txt");
    std::fs::write(
        &page,
        "江川大桥建成通车\n　　本报江川10月1日电  江川大桥今天建成通车，两岸往来从此不再绕行。\n",
    )
    .unwrap();
    let p = page.to_str().unwrap();
    baoku(db.path(), &["ingest", p]);
    let before = json_lines(&baoku(db.path(), &["articles", "--json"]));
    let again = String::from_utf8(baoku(db.path(), &["ingest", p]).stdout).unwrap();
    assert!(again.contains("1 unchanged"), "{again}");
    assert_eq!(json_lines(&baoku(db.path(), &["articles", "--json"])), before);

    std::fs::write(
        &page,
        "临河新校开学\n　　本报临河9月1日电  临河县第一中学新校区今天迎来首批两千名学生。\n",
    )
    .unwrap();
    let changed = String::from_utf8(baoku(db.path(), &["ingest", p]).stdout).unwrap();
    assert!(changed.contains("1 replaced"), "{changed}");
    let after = json_lines(&baoku(db.path(), &["articles", "--json"]));
    assert_eq!(after.len(), 1);
    assert!(after[0]["text"].as_str().unwrap().contains("新校区"));
    let files = json_lines(&baoku(db.path(), &["files", "--json"]));
    assert_eq!(files.len(), 1);
}

/// Replacing the page that holds an article's first half must not lose the second half,
/// which lies in a file that did not change: that file is split and stitched again too.
#[test]
fn replacing_a_page_keeps_the_continuation_in_an_unchanged_page() {
    let db = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    for name in ["jiangchuan_20240312_01.txt", "jiangchuan_20240312_03.txt"] {
        std::fs::copy(repo().join("samples").join(name), src.path().join(name)).unwrap();
    }
    let dir = src.path().to_str().unwrap();
    let stitched = |db: &Path| -> Vec<serde_json::Value> {
        json_lines(&baoku(db, &["articles", "--json"]))
            .into_iter()
            .filter(|a| file_count(a) == 2)
            .collect()
    };
    baoku(db.path(), &["ingest", dir]);
    let before = stitched(db.path());
    assert_eq!(before.len(), 1, "the samples' continuation is stitched");

    let first = src.path().join("jiangchuan_20240312_01.txt");
    let page = std::fs::read_to_string(&first).unwrap();
    std::fs::write(&first, page.replacen("新建的智能泵站", "新建成的智能泵站", 1)).unwrap();
    let out = String::from_utf8(baoku(db.path(), &["ingest", dir]).stdout).unwrap();
    assert!(out.contains("2 files: 0 new, 2 replaced, 0 unchanged"), "{out}");
    let after = stitched(db.path());
    assert_eq!(after.len(), 1, "still stitched after the first page changed");
    assert_eq!(after[0]["text"], before[0]["text"]);
    assert_eq!(json_lines(&baoku(db.path(), &["files", "--json"])).len(), 2);
}

#[test]
fn a_reprint_in_a_feed_joins_the_page_article_it_copies() {
    let db = ingested(&repo().join("samples"));
    let stories = json_lines(&baoku(db.path(), &["stories", "--json"]));
    // wire_feed.jsonl's first record is an edited reprint of the port story on pages 1 and 3.
    let port = stories
        .iter()
        .find(|s| {
            s["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["source_id"] == "wf-20240312-0001")
        })
        .unwrap_or_else(|| panic!("the port reprint is in no story: {stories:?}"));
    let members = port["members"].as_array().unwrap();
    assert!(members.len() >= 2);
    let page_version = members
        .iter()
        .find(|m| m["source_id"].is_null())
        .expect("the page article");
    assert!(page_version["headline"].as_str().unwrap().contains("江川港"));

    // `articles --json` names the story; `story` and `diff` work on it.
    let articles = json_lines(&baoku(db.path(), &["articles", "--json"]));
    let reprint = articles.iter().find(|a| a["source_id"] == "wf-20240312-0001").unwrap();
    assert_eq!(reprint["story"], port["story"]);
    let story = String::from_utf8(baoku(db.path(), &["story", &port["story"].to_string()]).stdout).unwrap();
    assert!(story.contains("canonical"), "{story}");
    let (a, b) = (members[0]["id"].to_string(), members[1]["id"].to_string());
    let ops: serde_json::Value = serde_json::from_slice(&baoku(db.path(), &["diff", &a, &b, "--json"]).stdout).unwrap();
    let ops = ops.as_array().unwrap();
    assert!(
        ops.iter().any(|o| o["kind"] == "equal") && ops.iter().any(|o| o["kind"] != "equal"),
        "{ops:?}"
    );

    // Unknown ids are clear errors, not panics.
    let missing = crate::baoku_unchecked(db.path(), &["story", "999999"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"));
}

#[test]
fn no_link_defers_linking_to_the_link_command() {
    let db = tempfile::tempdir().unwrap();
    baoku(
        db.path(),
        &["ingest", "--no-link", repo().join("samples").to_str().unwrap()],
    );
    assert!(json_lines(&baoku(db.path(), &["stories", "--json"])).is_empty());
    assert!(json_lines(&baoku(db.path(), &["articles", "--json"]))
        .iter()
        .all(|a| a["story"].is_null()));
    let out = String::from_utf8(baoku(db.path(), &["link"]).stdout).unwrap();
    assert!(out.contains("articles linked"), "{out}");
    assert!(!json_lines(&baoku(db.path(), &["stories", "--json"])).is_empty());
    assert!(json_lines(&baoku(db.path(), &["articles", "--json"]))
        .iter()
        .all(|a| a["story"].is_i64()));
}

#[test]
fn baoku_toml_in_the_working_directory_names_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("baoku.toml"), "db = \"news\"\n").unwrap();
    let sample = repo().join("samples/english_report.txt");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_baoku"))
            .current_dir(dir.path())
            .env_remove("BAOKU_DB")
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["ingest", sample.to_str().unwrap()]).status.success());
    assert!(dir.path().join("news/baoku.sqlite").is_file());
    // A flag still wins over the file.
    assert!(run(&["--db", "flagged", "ingest", sample.to_str().unwrap()])
        .status
        .success());
    assert!(dir.path().join("flagged/baoku.sqlite").is_file());
    // A misspelt key is an error that names the file.
    std::fs::write(dir.path().join("baoku.toml"), "dbb = \"news\"\n").unwrap();
    let bad = run(&["files"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("baoku.toml"));
}

/// Undated pages (opaque names, no page header) are dated once the whole ingest has been
/// seen, even when the dated files come in later batches: a page reprinted in its dated
/// whole issue takes that date, and a page with only datelines is dated the day after its
/// latest one, in the year the dated pages give.
#[test]
fn undated_pages_are_dated_from_the_rest_of_the_ingest() {
    let src = tempfile::tempdir().unwrap();
    let copy = "果园里的新路\n　　本报石门3月2日电  （记者林小禾）石门县的果农今年不用再挑着担子下山了。一条四米宽的水泥路修到了果园门口，货车直接开到树下，橘子当天就能运到县城的冷库。\n";
    let lone = "河湾小学开学了\n　　本报清溪3月3日电  清溪镇河湾小学今天迎来新校舍落成后的第一个开学日，两百多名学生搬进了宽敞明亮的教室，操场也铺上了塑胶跑道。\n";
    let issue = format!("人民日报 2020年3月4日 星期三 第05版\n{copy}\n冬储菜进了社区\n　　本报江城3月3日电  江城市的社区菜店今年备足了冬储菜，居民下楼就能买到平价的白菜和萝卜，菜价比去年同期低了一成。\n");
    // Opaque names sort the undated pages first, so they are written in earlier batches.
    std::fs::write(src.path().join("a1.txt"), copy).unwrap();
    std::fs::write(src.path().join("a2.txt"), lone).unwrap();
    std::fs::write(src.path().join("z9.txt"), issue).unwrap();
    let db = tempfile::tempdir().unwrap();
    baoku(
        db.path(),
        &["ingest", "--batch-files", "1", src.path().to_str().unwrap()],
    );
    let articles = json_lines(&baoku(db.path(), &["articles", "--json"]));
    let of = |file: &str, headline: &str| {
        articles
            .iter()
            .find(|a| a["headline"] == headline && a["files"][0]["path"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("no {headline} from {file}: {articles:?}"))
            .clone()
    };
    let copied = of("a1.txt", "果园里的新路");
    assert_eq!(copied["date"], "2020-03-04", "{copied}");
    assert!(
        copied["warnings"].to_string().contains("identical dated article"),
        "{copied}"
    );
    let estimated = of("a2.txt", "河湾小学开学了");
    assert_eq!(estimated["date"], "2020-03-04", "{estimated}");
    assert!(estimated["warnings"].to_string().contains("estimated"), "{estimated}");
    assert!(
        !estimated["warnings"].to_string().contains("no issue date"),
        "{estimated}"
    );
    // The search index knows the new dates.
    let hits = baoku(db.path(), &["search", "河湾小学", "--from", "2020-03-04", "--json"]);
    assert!(String::from_utf8_lossy(&hits.stdout).contains("河湾小学开学了"));
}

/// A text printed again on the same occasion a year later is `related` to the first, not a
/// version of it: `show` lists the link both ways, and the two stay apart.
#[test]
fn show_lists_related_articles() {
    let db = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    // Invented: one ceremony report, reprinted a year later with a few words changed.
    let body = |year: &str, leaders: &str| {
        format!(
            "本报江川9月30日电 {year}年烈士纪念日向人民英雄敬献花篮仪式今天上午在江川市人民英雄纪念碑广场隆重举行。\\n{leaders}和各界代表一同出席仪式。仪式由市委副书记主持，全体肃立，奏唱国歌，向为民族独立和人民解放牺牲的英雄们默哀。\\n少先队员齐声唱起《我们是共产主义接班人》，各界代表缓步登上纪念碑基座，瞻仰纪念碑，向人民英雄献上花篮，寄托对先烈的无限哀思。"
        )
    };
    let feed = src.path().join("feed.jsonl");
    std::fs::write(
        &feed,
        format!(
            "{{\"id\": \"a\", \"title\": \"敬献花篮仪式举行\", \"date\": \"2024-09-30\", \"text\": \"{}\"}}\n{{\"id\": \"b\", \"title\": \"敬献花篮仪式举行\", \"date\": \"2025-09-30\", \"text\": \"{}\"}}\n",
            body("2024", "市领导张建华、李志远"),
            body("2025", "市领导王大同、陈立新")
        ),
    )
    .unwrap();
    baoku(db.path(), &["ingest", feed.to_str().unwrap()]);
    let articles = json_lines(&baoku(db.path(), &["articles", "--json"]));
    assert_eq!(articles.len(), 2);
    assert_ne!(articles[0]["story"], articles[1]["story"], "a year apart: not versions");
    for (me, other) in [(&articles[0], &articles[1]), (&articles[1], &articles[0])] {
        let id = me["id"].as_i64().unwrap().to_string();
        let shown: serde_json::Value =
            serde_json::from_slice(&baoku(db.path(), &["show", &id, "--json"]).stdout).unwrap();
        let links = shown["links"].as_array().unwrap();
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(links[0]["id"], other["id"]);
        assert_eq!(links[0]["relation"], "related");
        let text = String::from_utf8(baoku(db.path(), &["show", &id]).stdout).unwrap();
        assert!(text.contains("link: related"), "{text}");
    }
}

/// The summary counts an article stitched across two files once: the samples' port story
/// continues from page 1 onto page 3, and the total matches what the archive then holds.
#[test]
fn summary_counts_a_stitched_article_once() {
    let db = tempfile::tempdir().unwrap();
    let out =
        String::from_utf8(baoku(db.path(), &["ingest", repo().join("samples").to_str().unwrap()]).stdout).unwrap();
    let read: usize = out
        .split("; ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no article count in {out}"));
    let held = json_lines(&baoku(db.path(), &["articles", "--json"]));
    assert_eq!(read, held.len(), "{out}");
    assert!(
        held.iter().any(|a| file_count(a) == 2),
        "the samples hold a continuation across files"
    );
}

/// How many files an article's spans come from.
fn file_count(article: &serde_json::Value) -> usize {
    article["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect::<std::collections::HashSet<_>>()
        .len()
}
