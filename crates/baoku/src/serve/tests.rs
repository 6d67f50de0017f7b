//! Every endpoint through the router, without a socket, on the bundled samples.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use super::{router, AppState, Pool};

/// One ingested copy of the samples for all tests of this file.
fn state() -> AppState {
    static DB: OnceLock<tempfile::TempDir> = OnceLock::new();
    let db = DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
        let args = crate::cli::IngestArgs {
            json: true,
            ..crate::cli::IngestArgs::new(vec![samples])
        };
        crate::ingest::run(dir.path(), &args).unwrap();
        dir
    });
    AppState {
        pool: Arc::new(Pool::open(db.path(), 2).unwrap()),
    }
}

/// GET `uri`: status, content type, body.
fn get(uri: &str) -> (StatusCode, String, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let res = router(state())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .map_or(String::new(), |v| v.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(res.into_body(), 64 << 20).await.unwrap();
        (status, ct, String::from_utf8(bytes.to_vec()).unwrap())
    })
}

fn get_json(uri: &str) -> (StatusCode, Value) {
    let (status, ct, body) = get(uri);
    assert!(ct.starts_with("application/json"), "{uri}: {ct}");
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}")),
    )
}

fn ok_json(uri: &str) -> Value {
    let (status, v) = get_json(uri);
    assert_eq!(status, StatusCode::OK, "{uri}: {v}");
    v
}

/// An article of a story with two versions, and the story.
fn reprinted() -> (i64, i64, Vec<i64>) {
    let hits = ok_json("/api/search?q=%E5%8C%97%E5%BD%92%E5%80%99%E9%B8%9F"); // 北归候鸟
    let hit = &hits["hits"][0];
    let story = hit["story"].as_i64().unwrap();
    let s = ok_json(&format!("/api/stories/{story}"));
    let members = s["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    (hit["id"].as_i64().unwrap(), story, members)
}

#[test]
fn search_collapses_by_story_and_marks_highlights() {
    let v = ok_json("/api/search?q=%E6%B9%BF%E5%9C%B0&all_versions=true"); // 湿地
    assert!(v["total"].as_u64().unwrap() >= 2);
    let hit = &v["hits"][0];
    for field in [
        "id",
        "story",
        "headline",
        "date",
        "outlet",
        "score",
        "snippet",
        "highlights",
        "versions",
    ] {
        assert!(hit.get(field).is_some(), "hit lacks {field}: {hit}");
    }
    let collapsed = ok_json("/api/search?q=%E5%8C%97%E5%BD%92%E5%80%99%E9%B8%9F");
    assert_eq!(collapsed["hits"].as_array().unwrap().len(), 1);
    assert!(collapsed["hits"][0]["versions"].as_u64().unwrap() >= 2);
}

#[test]
fn article_source_story_diff_files_and_trends() {
    let (id, story, members) = reprinted();
    let a = ok_json(&format!("/api/articles/{id}"));
    assert_eq!(a["id"], id);
    assert!(a["files"][0]["path"].as_str().is_some());
    // its links name the other versions, with their relation
    let linked: Vec<(i64, &str)> = a["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["id"].as_i64().unwrap(), l["relation"].as_str().unwrap()))
        .collect();
    for &m in members.iter().filter(|&&m| m != id) {
        assert!(
            linked
                .iter()
                .any(|&(o, r)| o == m && ["exact", "near", "excerpt"].contains(&r)),
            "{m} not among the links of {id}: {linked:?}"
        );
    }
    let (status, _, page) = get(&format!("/articles/{id}"));
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<ul id="links">"#), "{page}");
    assert!(
        page.contains(&format!(r#"/diff?a={id}&amp;b={}"#, linked[0].0)),
        "{page}"
    );
    let src = ok_json(&format!("/api/articles/{id}/source"));
    let view = &src[0];
    let text: Vec<char> = view["text"].as_str().unwrap().chars().collect();
    let (s, e) = (
        view["spans"][0][0].as_u64().unwrap() as usize,
        view["spans"][0][1].as_u64().unwrap() as usize,
    );
    let marked: String = text[s..e].iter().collect();
    assert!(marked.contains("候鸟"), "the span covers the article: {marked}");
    assert_eq!(ok_json(&format!("/api/stories/{story}"))["story"], story);
    assert!(members.len() >= 2);
    let d = ok_json(&format!("/api/diff?a={}&b={}", members[0], members[1]));
    assert!(!d["ops"].as_array().unwrap().is_empty());
    assert!(ok_json("/api/files").as_array().unwrap().len() >= 10);
    let t = ok_json("/api/trends?term=%E6%B1%9F%E5%B7%9D&term=%E6%96%B0%E5%8D%8E%E7%A4%BE&by=month&count=articles");
    assert_eq!(t["series"].as_array().unwrap().len(), 2);
    assert!(t["series"][0]["total"].as_u64().unwrap() > t["series"][1]["total"].as_u64().unwrap());
    let (status, ct, csv) = get("/api/trends?term=%E6%B1%9F%E5%B7%9D&format=csv");
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/csv") && csv.starts_with("period,"), "{ct} {csv}");
}

#[test]
fn errors_are_json_with_the_right_status() {
    for (uri, status) in [
        ("/api/articles/999999", StatusCode::NOT_FOUND),
        ("/api/stories/999999", StatusCode::NOT_FOUND),
        ("/api/articles/abc", StatusCode::BAD_REQUEST),
        ("/api/articles/1/source?x", StatusCode::OK),
        ("/api/search", StatusCode::BAD_REQUEST),
        ("/api/search?q=-%E7%BB%8F%E6%B5%8E", StatusCode::BAD_REQUEST),
        ("/api/search?q=a&limit=0", StatusCode::BAD_REQUEST),
        ("/api/search?q=a&limit=abc", StatusCode::BAD_REQUEST),
        ("/api/search?q=a&from=yesterday", StatusCode::BAD_REQUEST),
        ("/api/search?q=a&sort=random", StatusCode::BAD_REQUEST),
        ("/api/search?q=a&lang=fr", StatusCode::BAD_REQUEST),
        ("/api/diff?a=1", StatusCode::BAD_REQUEST),
        ("/api/diff?a=1&b=999999", StatusCode::NOT_FOUND),
        ("/api/trends", StatusCode::BAD_REQUEST),
        ("/api/trends?term=a&by=week", StatusCode::BAD_REQUEST),
        ("/api/nothing-here", StatusCode::NOT_FOUND),
    ] {
        let (got, v) = get_json(uri);
        assert_eq!(got, status, "{uri}: {v}");
        if status != StatusCode::OK {
            assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{uri}: {v}");
        }
    }
    // Oversized queries are refused, not run.
    let long = "%E5%AD%97".repeat(1200);
    assert_eq!(get_json(&format!("/api/search?q={long}")).0, StatusCode::BAD_REQUEST);
    assert_eq!(
        get_json(&format!("/api/search?q={}", "a".repeat(9000))).0,
        StatusCode::BAD_REQUEST
    );
}

#[test]
fn openapi_lists_every_api_route() {
    let doc = ok_json("/api/openapi.json");
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    let routes: Vec<&str> = include_str!("mod.rs")
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".route(\"/api/"))
        .map(|l| l.split('"').next().unwrap())
        .collect();
    assert_eq!(paths.len(), routes.len(), "{paths:?} vs {routes:?}");
    for r in routes {
        assert!(
            paths.iter().any(|p| p.as_str() == format!("/api/{r}")),
            "{r} is not documented"
        );
    }
}

#[test]
fn pages_render_and_errors_are_pages() {
    let (id, story, members) = reprinted();
    for uri in [
        "/".to_string(),
        "/?q=%E7%99%BC%E5%B1%95".to_string(), // 發展
        format!("/articles/{id}"),
        format!("/articles/{id}/source"),
        format!("/stories/{story}"),
        format!("/diff?a={}&b={}", members[0], members[1]),
        "/trends?term=%E6%B1%9F%E5%B7%9D&by=month".to_string(),
        "/trends.svg?term=%E6%B1%9F%E5%B7%9D".to_string(),
        "/files".to_string(),
    ] {
        let (status, ct, body) = get(&uri);
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert!(
            ct.starts_with("text/html") || ct.starts_with("image/svg"),
            "{uri}: {ct}"
        );
        assert!(!body.contains("<script>alert"), "{uri}");
    }
    let (_, _, results) = get("/?q=%E7%99%BC%E5%B1%95");
    assert!(
        results.contains("<mark>发展</mark>"),
        "simplified text highlighted for a traditional query"
    );
    let (status, ct, body) = get("/articles/999999");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(ct.starts_with("text/html") && body.contains("not found"), "{body}");
    // Markup in a query is shown, never run.
    let (_, _, body) = get("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert!(!body.contains("<script>alert") && body.contains("&lt;script&gt;"));
}

#[test]
fn a_chinese_and_an_english_version_are_aligned_side_by_side() {
    let first = |q: &str| {
        ok_json(&format!("/api/search?q={q}"))["hits"][0]["id"]
            .as_i64()
            .unwrap()
    };
    let zh = first("%E6%97%A0%E4%BA%BA%E9%A9%BE%E9%A9%B6"); // 无人驾驶
    let en = first("driverless");
    let d = ok_json(&format!("/api/diff?a={zh}&b={en}"));
    let kinds: Vec<&str> = d["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"aligned"), "{kinds:?}");
    let (status, _, body) = get(&format!("/diff?a={zh}&b={en}"));
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#"class="diff aligned""#) && body.contains(r#"lang="en""#),
        "{body}"
    );
}
