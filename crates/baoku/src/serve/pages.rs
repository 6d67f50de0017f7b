//! The web page: server-rendered HTML, one handler per view, the same store calls as the API.

use std::fmt::Write;

use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use baoku_store::StoredArticle;
use baoku_text::diff::{DiffKind, DiffOp};

use super::html::{escape, marked, page, url};
use super::{api::path_id, AppState, Failure, Params};

/// An HTML page or an HTML error page with the failure's status.
type PageResult = Result<Html<String>, Response>;

/// The error page for a failure.
pub fn failure_page(f: Failure) -> Response {
    let body = format!(r#"<h1>{}</h1><p class="error">{}</p>"#, f.0.as_u16(), escape(&f.1));
    (f.0, Html(page("error", &body))).into_response()
}

fn fail(f: Failure) -> Response {
    failure_page(f)
}

fn meta_line(date: Option<&str>, outlet: Option<&str>, extra: &str) -> String {
    let mut parts = vec![escape(date.unwrap_or("date unknown"))];
    if let Some(o) = outlet {
        parts.push(escape(o));
    }
    if !extra.is_empty() {
        parts.push(extra.to_string());
    }
    parts.join(" · ")
}

/// `/`: the search box and, with `q`, the results collapsed by story.
pub async fn search(State(s): State<AppState>, raw: RawQuery) -> PageResult {
    let p = Params::parse(&raw).map_err(fail)?;
    let q = p.get("q").unwrap_or("").to_string();
    let value = |k: &str| escape(p.get(k).unwrap_or(""));
    let lang = p.get("lang").unwrap_or("");
    let mut body = format!(
        r#"<h1>搜索 Search</h1>
<form class="search" method="get" action="/" role="search">
<label>查询 Query<input name="q" value="{}" autofocus placeholder="发展 &quot;一带一路&quot; -经济" aria-label="query"></label>
<label>从 From<input name="from" type="date" value="{}"></label>
<label>到 To<input name="to" type="date" value="{}"></label>
<label>来源 Outlet<input name="source" value="{}" size="8"></label>
<label>语言 Language<select name="lang"><option value="">any</option><option value="zh"{}>zh</option><option value="en"{}>en</option></select></label>
<button type="submit">搜索</button>
</form>"#,
        escape(&q),
        value("from"),
        value("to"),
        value("source"),
        if lang == "zh" { " selected" } else { "" },
        if lang == "en" { " selected" } else { "" },
    );
    if q.trim().is_empty() {
        body.push_str(r#"<p class="meta">Any substring of two or more characters is found, in simplified or traditional script. Press <kbd>/</kbd> to search.</p>"#);
        return Ok(Html(page("Search", &body)));
    }
    let req = p.search().map_err(fail)?;
    let results = s.run(move |a| a.search(&req)).await.map_err(fail)?;
    let _ = write!(
        body,
        r#"<p class="meta" id="summary">{} articles match; {} shown</p><div id="results">"#,
        results.total,
        results.hits.len()
    );
    for h in &results.hits {
        let versions = match h.story {
            Some(story) if h.versions > 1 => format!(
                r#"<a href="/stories/{story}">{} versions in {} outlet{}</a>"#,
                h.versions,
                h.outlets,
                if h.outlets == 1 { "" } else { "s" }
            ),
            _ => String::new(),
        };
        let script = if h.script == "Hant" {
            r#" class="hant" lang="zh-Hant""#
        } else {
            ""
        };
        let headline = if h.headline.is_empty() {
            "(no headline)"
        } else {
            &h.headline
        };
        let _ = write!(
            body,
            r#"<article class="hit"{script}><h2><a href="/articles/{}">{}</a></h2><p class="meta">{}</p><p class="snippet">{}</p></article>"#,
            h.id,
            marked(headline, &h.headline_highlights, None),
            meta_line(h.date.as_deref(), h.outlet.as_deref(), &versions),
            marked(&h.snippet, &h.highlights, None)
        );
    }
    body.push_str("</div>");
    Ok(Html(page(&q, &body)))
}

/// `/articles/{id}`: metadata, text, links to its source and story.
pub async fn article(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id).map_err(fail)?;
    let (a, links) = s
        .run(move |ar| Ok((ar.article(id)?, ar.links(id)?)))
        .await
        .map_err(fail)?;
    let mut body = String::new();
    let script = if a.script == "Hant" {
        r#" class="hant" lang="zh-Hant""#
    } else {
        ""
    };
    let _ = write!(body, "<article{script}>");
    for sub in &a.subheads {
        let _ = write!(body, r#"<p class="meta">{}</p>"#, escape(sub));
    }
    let _ = write!(
        body,
        "<h1>{}</h1>",
        escape(if a.headline.is_empty() {
            "(no headline)"
        } else {
            &a.headline
        })
    );
    let mut extra = Vec::new();
    if let Some(p) = &a.place {
        extra.push(escape(p));
    }
    if !a.reporters.is_empty() {
        extra.push(format!("记者 {}", escape(&a.reporters.join("、"))));
    }
    extra.push(format!("{}/{}", escape(&a.lang), escape(&a.script)));
    if let Some(story) = a.story {
        extra.push(format!(r#"<a href="/stories/{story}">story {story}</a>"#));
    }
    extra.push(format!(
        r#"<a href="/articles/{id}/source" id="show-source">show source</a>"#
    ));
    let _ = write!(
        body,
        r#"<p class="meta">{}</p><div class="text">"#,
        meta_line(a.date.as_deref(), a.agency.as_deref(), &extra.join(" · "))
    );
    for para in a.text.split('\n').filter(|p| !p.trim().is_empty()) {
        let _ = write!(body, "<p>{}</p>", escape(para.trim()));
    }
    body.push_str("</div></article>");
    for w in &a.warnings {
        let _ = write!(body, r#"<p class="meta">warning: {}</p>"#, escape(w));
    }
    if !links.is_empty() {
        body.push_str(r#"<h2>Linked articles</h2><ul id="links">"#);
        for l in &links {
            let _ = write!(
                body,
                r#"<li><span lang="en">{}{} {:.2}</span> · {} · {} · <a href="/articles/{}">{}</a> · <a href="/diff?a={id}&amp;b={}">diff</a></li>"#,
                escape(&l.relation),
                if l.script { " +script" } else { "" },
                l.score,
                escape(l.date.as_deref().unwrap_or("?")),
                escape(l.agency.as_deref().unwrap_or("-")),
                l.id,
                escape(if l.headline.is_empty() {
                    "(no headline)"
                } else {
                    &l.headline
                }),
                l.id,
            );
        }
        body.push_str("</ul>");
    }
    Ok(Html(page(&a.headline, &body)))
}

/// `/articles/{id}/source`: the raw page with the article's spans highlighted.
pub async fn source(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id).map_err(fail)?;
    let views = s.run(move |a| a.source_view(id)).await.map_err(fail)?;
    let mut body = format!(r#"<h1>Source of <a href="/articles/{id}">article {id}</a></h1>"#);
    for (i, v) in views.iter().enumerate() {
        let _ = write!(
            body,
            r#"<h2>{}</h2><p class="meta">{} · {}</p><pre class="source">{}</pre>"#,
            escape(&v.path),
            escape(&v.encoding),
            if v.complete {
                "whole file".to_string()
            } else {
                format!("from character {} of the file", v.offset)
            },
            marked(&v.text, &v.spans, Some(&format!("span-{i}-")))
        );
    }
    body.push_str("<script>document.querySelector('mark')?.scrollIntoView({block: 'center'});</script>");
    Ok(Html(page(&format!("source of {id}"), &body)))
}

/// `/stories/{id}`: versions on a timeline and a form to diff any two.
pub async fn story(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id).map_err(fail)?;
    let st = s.run(move |a| a.story(id)).await.map_err(fail)?;
    let mut body = format!(
        r#"<h1>Story {}</h1><p class="meta">{} versions · {} – {} · {} · {}</p>
<form method="get" action="/diff"><table id="versions"><thead><tr><th>A</th><th>B</th><th>date</th><th>outlet</th><th>language</th><th>relation</th><th>score</th><th>headline</th></tr></thead><tbody>"#,
        st.story,
        st.members.len(),
        escape(st.first_date.as_deref().unwrap_or("?")),
        escape(st.last_date.as_deref().unwrap_or("?")),
        escape(&st.outlets.join("、")),
        escape(&st.langs.join(" + "))
    );
    let other = st
        .members
        .iter()
        .find(|m| m.id != st.canonical)
        .map_or(st.canonical, |m| m.id);
    for m in &st.members {
        let _ = write!(
            body,
            r#"<tr><td><input type="radio" name="a" value="{id}" aria-label="A: {id}"{}></td><td><input type="radio" name="b" value="{id}" aria-label="B: {id}"{}></td><td>{}</td><td>{}</td><td lang="en">{}</td><td>{}{}</td><td>{:.2}</td><td><a href="/articles/{id}" lang="{}">{}</a></td></tr>"#,
            if m.id == st.canonical { " checked" } else { "" },
            if m.id == other { " checked" } else { "" },
            escape(m.date.as_deref().unwrap_or("?")),
            escape(m.agency.as_deref().unwrap_or("-")),
            escape(&m.lang),
            escape(&m.relation),
            if m.script { " +script" } else { "" },
            m.score,
            escape(&m.lang),
            escape(&m.headline),
            id = m.id,
        );
    }
    body.push_str(
        r#"</tbody></table><p><label><input type="checkbox" name="strict" value="true"> show script and width differences</label>
<button type="submit" id="compare">比较 Compare A and B</button></p></form>"#,
    );
    Ok(Html(page(&format!("story {}", st.story), &body)))
}

/// `/diff?a=&b=[&strict=true]`: the two versions side by side, changes highlighted.
pub async fn diff(State(s): State<AppState>, raw: RawQuery) -> PageResult {
    let p = Params::parse(&raw).map_err(fail)?;
    let (x, y, strict) = (p.id("a").map_err(fail)?, p.id("b").map_err(fail)?, p.flag("strict"));
    let (x, y) = s.run(move |a| Ok((a.article(x)?, a.article(y)?))).await.map_err(fail)?;
    let ops = baoku_text::diff::diff(&x.text, &y.text, strict);
    if ops.iter().any(|o| o.kind == DiffKind::Aligned) {
        return Ok(Html(page("diff", &aligned(&x, &y, &ops))));
    }
    let (mut left, mut right) = (String::new(), String::new());
    let mut changes = 0;
    for op in &ops {
        let (ta, tb) = (
            escape(&x.text[op.a.start..op.a.end]),
            escape(&y.text[op.b.start..op.b.end]),
        );
        match op.kind {
            DiffKind::Equal => {
                left.push_str(&ta);
                right.push_str(&tb);
            }
            _ => {
                changes += 1;
                if !ta.is_empty() {
                    let _ = write!(left, "<del>{ta}</del>");
                }
                if !tb.is_empty() {
                    let _ = write!(right, "<ins>{tb}</ins>");
                }
            }
        }
    }
    let toggle = format!(
        r#"<a href="/diff?a={}&amp;b={}{}">{}</a>"#,
        x.id,
        y.id,
        if strict { "" } else { "&amp;strict=true" },
        if strict {
            "hide script and width differences"
        } else {
            "show script and width differences"
        }
    );
    let body = format!(
        r#"<h1>Diff</h1><p class="meta" id="changes">{changes} changes · {toggle}</p>
<div class="diff"><div id="a"><h2><a href="/articles/{}">{}</a></h2>{left}</div><div id="b"><h2><a href="/articles/{}">{}</a></h2>{right}</div></div>"#,
        x.id,
        escape(&x.headline),
        y.id,
        escape(&y.headline)
    );
    Ok(Html(page("diff", &body)))
}

/// A Chinese and an English version: aligned paragraphs side by side, one row each, with
/// paragraphs that have no counterpart marked.
fn aligned(x: &StoredArticle, y: &StoredArticle, ops: &[DiffOp]) -> String {
    let (lx, ly) = (lang_tag(&x.lang), lang_tag(&y.lang));
    let mut rows = String::new();
    let mut unmatched = 0;
    for op in ops {
        let (ta, tb) = (
            escape(&x.text[op.a.start..op.a.end]),
            escape(&y.text[op.b.start..op.b.end]),
        );
        let cell = |t: &str, lang: &str| {
            if t.is_empty() {
                r#"<div class="none">—</div>"#.to_string()
            } else if op.kind == DiffKind::Aligned {
                format!(r#"<div lang="{lang}">{t}</div>"#)
            } else {
                format!(r#"<div lang="{lang}" class="alone">{t}</div>"#)
            }
        };
        if op.kind != DiffKind::Aligned {
            unmatched += 1;
        }
        let _ = write!(rows, "{}{}", cell(&ta, lx), cell(&tb, ly));
    }
    format!(
        r#"<h1>Translation</h1><p class="meta" id="changes">paragraphs aligned by shared names, numbers and words · {unmatched} without a counterpart</p>
<div class="diff aligned"><h2><a href="/articles/{}">{}</a></h2><h2><a href="/articles/{}">{}</a></h2>{rows}</div>"#,
        x.id,
        escape(&x.headline),
        y.id,
        escape(&y.headline)
    )
}

/// A `lang` attribute value for a stored language tag.
fn lang_tag(lang: &str) -> &'static str {
    match lang {
        "en" => "en",
        _ => "zh",
    }
}

fn trends_query(p: &Params) -> String {
    let mut q: Vec<String> = p.all("term").iter().map(|t| format!("term={}", url(t))).collect();
    for k in ["by", "count"] {
        if let Some(v) = p.get(k) {
            q.push(format!("{k}={}", url(v)));
        }
    }
    q.join("&")
}

/// `/trends?term=…&term=…&by=&count=`: the chart, the numbers, CSV and JSON links.
pub async fn trends(State(s): State<AppState>, raw: RawQuery) -> PageResult {
    let p = Params::parse(&raw).map_err(fail)?;
    let terms = p.all("term");
    let (by, count) = (p.get("by").unwrap_or("month"), p.get("count").unwrap_or("stories"));
    let sel = |cur: &str, v: &str| if cur == v { " selected" } else { "" };
    let mut body = String::from(r#"<h1>趋势 Trends</h1><form class="search" method="get" action="/trends">"#);
    for i in 0..3 {
        let _ = write!(
            body,
            r#"<label>词 Term {}<input name="term" value="{}"></label>"#,
            i + 1,
            escape(terms.get(i).map_or("", String::as_str))
        );
    }
    let _ = write!(
        body,
        r#"<label>按 By<select name="by"><option{}>month</option><option{}>year</option><option{}>outlet</option></select></label>
<label>计 Count<select name="count"><option{}>stories</option><option{}>articles</option></select></label>
<button type="submit">画图 Chart</button></form>"#,
        sel(by, "month"),
        sel(by, "year"),
        sel(by, "outlet"),
        sel(count, "stories"),
        sel(count, "articles"),
    );
    if terms.is_empty() {
        body.push_str(r#"<p class="meta">Counts per story count each story once however often it was reprinted; per article counts every reprint.</p>"#);
        return Ok(Html(page("Trends", &body)));
    }
    let (terms, by, count) = p.trends().map_err(fail)?;
    let t = s.run(move |a| a.trends(&terms, by, count)).await.map_err(fail)?;
    let q = trends_query(&p);
    let _ = write!(
        body,
        r#"<figure id="chart">{}</figure><p><a href="/api/trends?{q}&amp;format=csv">CSV</a> · <a href="/api/trends?{q}">JSON</a> · <a href="/trends.svg?{q}">SVG</a></p><table id="counts"><thead><tr><th>period</th>"#,
        crate::chart::svg(&t),
        q = escape(&q)
    );
    for series in &t.series {
        let _ = write!(body, "<th>{}</th>", escape(&series.term));
    }
    body.push_str("</tr></thead><tbody>");
    for (i, period) in t.periods.iter().enumerate() {
        let _ = write!(body, "<tr><td>{}</td>", escape(period));
        for series in &t.series {
            let _ = write!(body, "<td>{}</td>", series.counts[i]);
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table>");
    Ok(Html(page("Trends", &body)))
}

/// `/trends.svg?term=…`: the chart alone.
pub async fn trends_svg(State(s): State<AppState>, raw: RawQuery) -> Result<Response, Response> {
    let p = Params::parse(&raw).map_err(fail)?;
    let (terms, by, count) = p.trends().map_err(fail)?;
    let t = s.run(move |a| a.trends(&terms, by, count)).await.map_err(fail)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], crate::chart::svg(&t)).into_response())
}

/// `/files`: what was ingested, encodings, warnings and errors.
pub async fn files(State(s): State<AppState>) -> PageResult {
    let files = s.run(|a| a.files()).await.map_err(fail)?;
    let mut body = String::from(
        r#"<h1>文件 Files</h1><table id="files"><thead><tr><th>path</th><th>kind</th><th>encoding</th><th>bytes</th><th>bad bytes</th><th>articles</th><th>warnings / error</th></tr></thead><tbody>"#,
    );
    for f in &files {
        let status = match &f.error {
            Some(e) => format!(r#"<span class="error">{}</span>"#, escape(e)),
            None => escape(&f.warnings.join("; ")),
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            escape(&f.path),
            escape(&f.kind),
            escape(f.encoding.as_deref().unwrap_or("-")),
            f.bytes,
            f.bad_bytes,
            f.articles
        );
    }
    body.push_str("</tbody></table>");
    Ok(Html(page("Files", &body)))
}
