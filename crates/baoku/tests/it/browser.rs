//! The web page in a real browser: Debian's chromium, headless, against `baoku serve` on the
//! bundled samples. `.ci/run` installs chromium and fonts-noto-cjk; without chromium the
//! test says so and skips. Screenshots go to `<target>/tmp/browser/`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{baoku, ingested, repo};

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {name}"))
                .output()
                .ok()?;
            let path = String::from_utf8(out.stdout).ok()?.trim().to_string();
            (!path.is_empty()).then(|| PathBuf::from(path))
        })
}

/// A running `baoku serve`, killed on drop.
struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baoku"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    Server(child, addr)
}

/// Loads `url` in headless chromium, saves a screenshot as `name`.png, returns the DOM after
/// its scripts ran.
fn visit(browser: &Path, url: &str, name: &str) -> String {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--window-size=1280,1000",
    ];
    let shot = Command::new(browser)
        .args(flags)
        .arg(format!("--screenshot={}", shots.join(format!("{name}.png")).display()))
        .arg(url)
        .output()
        .unwrap();
    assert!(
        shot.status.success(),
        "screenshot of {url}: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let dom = Command::new(browser)
        .args(flags)
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    assert!(dom.status.success(), "{url}: {}", String::from_utf8_lossy(&dom.stderr));
    String::from_utf8(dom.stdout).unwrap()
}

/// The first `href="{prefix}…"` in `dom`.
fn link(dom: &str, prefix: &str) -> String {
    let at = dom
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("no link to {prefix} in page"));
    let rest = &dom[at + 6..];
    rest[..rest.find('"').unwrap()].replace("&amp;", "&")
}

/// The `value` of the checked radio named `name`.
fn checked(dom: &str, name: &str) -> String {
    dom.split("<input")
        .filter(|i| i.contains(&format!("name=\"{name}\"")) && i.contains("checked"))
        .find_map(|i| {
            i.split("value=\"")
                .nth(1)
                .map(|v| v[..v.find('"').unwrap()].to_string())
        })
        .unwrap_or_else(|| panic!("no checked {name}"))
}

#[test]
fn a_reader_searches_opens_a_story_its_diff_and_a_trend_chart() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium on this machine (.ci/run installs Debian's chromium)");
        return;
    };
    let db = ingested(&repo().join("samples"));
    let server = serve(db.path());
    let base = &server.1;

    // The search form submits q (and filters) to / by GET; the page the browser gets back:
    let home = visit(&browser, &format!("{base}/"), "home");
    assert!(home.contains(r#"action="/""#) && home.contains(r#"name="q""#));
    let results = visit(&browser, &format!("{base}/?q=%E6%BF%95%E5%9C%B0"), "search"); // 濕地
    assert!(
        results.contains("<mark>湿地</mark>"),
        "a traditional query highlights simplified text"
    );
    assert!(results.contains("versions in"), "a reprinted story shows its versions");

    // Its story: every version listed, a diff form with two versions chosen.
    let story_url = link(&results, "/stories/");
    let story = visit(&browser, &format!("{base}{story_url}"), "story");
    assert!(story.matches("<tr><td><input").count() >= 2, "{story}");
    let (a, b) = (checked(&story, "a"), checked(&story, "b"));
    assert_ne!(a, b);
    let diff = visit(&browser, &format!("{base}/diff?a={a}&b={b}"), "diff");
    assert!(diff.contains(r#"id="changes""#) && diff.contains(r#"class="diff""#));
    assert!(
        diff.contains("<del>") || diff.contains("<ins>"),
        "the two versions differ somewhere"
    );

    // A Chinese article and its English version: paragraphs side by side, row by row.
    let articles = crate::json_lines(&baoku(db.path(), &["articles", "--json"]));
    let id_of = |f: &dyn Fn(&serde_json::Value) -> bool| articles.iter().find(|a| f(a)).unwrap()["id"].to_string();
    let zh = id_of(&|a| a["lang"] == "zh" && a["headline"].as_str().unwrap().contains("无人驾驶"));
    let en = id_of(&|a| a["source_id"] == "wf-20240312-0004");
    let aligned = visit(&browser, &format!("{base}/diff?a={zh}&b={en}"), "diff-translation");
    assert!(aligned.contains(r#"class="diff aligned""#), "{aligned}");
    assert!(
        aligned.contains(r#"<div lang="en">"#) && aligned.contains(r#"<div lang="zh">"#),
        "{aligned}"
    );

    // The article's source with its span marked (and scrolled to by the page's script).
    let article_url = link(&results, "/articles/");
    let source = visit(&browser, &format!("{base}{article_url}/source"), "source");
    assert!(source.contains(r#"<mark id="span-0-0">"#), "{source}");

    // A trend chart of two terms, drawn as SVG, with its numbers.
    let trends = visit(
        &browser,
        &format!("{base}/trends?term=%E6%B1%9F%E5%B7%9D&term=%E6%96%B0%E5%8D%8E%E7%A4%BE&by=outlet&count=stories"),
        "trends",
    );
    assert!(
        trends.contains("<svg") && trends.matches("<rect").count() > 4,
        "bars drawn"
    );
    assert!(trends.contains(r#"<table id="counts">"#) && trends.contains("新华社"));
    let files = visit(&browser, &format!("{base}/files"), "files");
    assert!(files.contains("big5_traditional.txt") && files.contains("Big5"));
}
