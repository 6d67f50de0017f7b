//! The JSON API: one handler per resource, errors as `{"error": …}` with a 4xx/5xx status.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{AppState, Failure, Params};

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// A path id: digits, else 400.
pub fn path_id(raw: &str) -> Result<i64, Failure> {
    raw.parse().map_err(|_| Failure::bad(format!("{raw:?} is not an id")))
}

/// `GET /api/search?q=…&limit=&from=&to=&source=&lang=&sort=&all_versions=`
pub async fn search(State(s): State<AppState>, raw: RawQuery) -> Result<Json<Value>, Failure> {
    let req = Params::parse(&raw)?.search()?;
    let results = s.run(move |a| a.search(&req)).await?;
    Ok(Json(json!(results)))
}

/// `GET /api/articles/{id}`
pub async fn article(State(s): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, Failure> {
    let id = path_id(&id)?;
    let (article, links) = s.run(move |a| Ok((a.article(id)?, a.links(id)?))).await?;
    Ok(Json(crate::output::article_json(&article, &links)))
}

/// `GET /api/articles/{id}/source`
pub async fn source(State(s): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, Failure> {
    let id = path_id(&id)?;
    Ok(Json(json!(s.run(move |a| a.source_view(id)).await?)))
}

/// `GET /api/stories/{id}`
pub async fn story(State(s): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, Failure> {
    let id = path_id(&id)?;
    Ok(Json(json!(s.run(move |a| a.story(id)).await?)))
}

/// `GET /api/diff?a=&b=&strict=`
pub async fn diff(State(s): State<AppState>, raw: RawQuery) -> Result<Json<Value>, Failure> {
    let p = Params::parse(&raw)?;
    let (x, y, strict) = (p.id("a")?, p.id("b")?, p.flag("strict"));
    let (x, y) = s.run(move |a| Ok((a.article(x)?, a.article(y)?))).await?;
    let ops = baoku_text::diff::diff(&x.text, &y.text, strict);
    Ok(Json(json!({
        "a": { "id": x.id, "headline": x.headline, "text": x.text },
        "b": { "id": y.id, "headline": y.headline, "text": y.text },
        "strict": strict,
        "ops": ops,
    })))
}

/// `GET /api/trends?term=…&term=…&by=month|year|outlet&count=stories|articles[&format=csv]`
pub async fn trends(State(s): State<AppState>, raw: RawQuery) -> Result<Response, Failure> {
    let p = Params::parse(&raw)?;
    let (terms, by, count) = p.trends()?;
    let csv = p.get("format") == Some("csv");
    let t = s.run(move |a| a.trends(&terms, by, count)).await?;
    Ok(if csv {
        ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], t.to_csv()).into_response()
    } else {
        Json(json!(t)).into_response()
    })
}

/// `GET /api/files`
pub async fn files(State(s): State<AppState>) -> Result<Json<Value>, Failure> {
    Ok(Json(json!(s.run(|a| a.files()).await?)))
}

/// `GET /api/openapi.json`
pub async fn openapi() -> Json<Value> {
    Json(super::openapi::document())
}

/// Anything else: JSON 404 under `/api/`, a page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    let msg = format!("no such page: {}", uri.path());
    if uri.path().starts_with("/api/") {
        Failure(StatusCode::NOT_FOUND, msg).into_response()
    } else {
        super::pages::failure_page(Failure(StatusCode::NOT_FOUND, msg))
    }
}
