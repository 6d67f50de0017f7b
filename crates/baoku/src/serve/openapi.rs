//! The OpenAPI 3.1 document of the JSON API, written out by hand: a dozen routes do not
//! justify a derive framework, and a test checks that it lists every `/api/` route.

use serde_json::{json, Value};

fn id_param(what: &str) -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}, "description": what})
}

fn query(name: &str, ty: &str, what: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": {"type": ty}, "description": what})
}

fn ok(what: &str) -> Value {
    json!({
        "200": {"description": what, "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": {"$ref": "#/components/responses/Error"},
        "404": {"$ref": "#/components/responses/Error"}
    })
}

/// The document served at `/api/openapi.json`.
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "baoku",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A clean, linked, searchable archive of Chinese news dumps."
        },
        "paths": {
            "/api/search": {"get": {
                "summary": "Full-text search, script- and width-blind; any substring is found",
                "parameters": [
                    {"name": "q", "in": "query", "required": true, "schema": {"type": "string"},
                     "description": "words (all required), \"quoted phrases\", -excluded"},
                    query("limit", "integer", "most hits (1–10000, default 10)"),
                    query("from", "string", "earliest date YYYY-MM-DD"),
                    query("to", "string", "latest date YYYY-MM-DD"),
                    query("source", "string", "agency or outlet"),
                    query("lang", "string", "zh or en"),
                    query("sort", "string", "relevance (default) or date"),
                    query("all_versions", "boolean", "one hit per article instead of per story")
                ],
                "responses": ok("total matching articles and hits with snippets and highlight offsets")
            }},
            "/api/articles/{id}": {"get": {
                "summary": "An article: metadata, text, files and byte spans, story, and its links to other articles (versions, translations, related writing)",
                "parameters": [id_param("article id")],
                "responses": ok("the article")
            }},
            "/api/articles/{id}/source": {"get": {
                "summary": "The decoded source around an article, with its spans as character offsets",
                "parameters": [id_param("article id")],
                "responses": ok("one entry per source file")
            }},
            "/api/stories/{id}": {"get": {
                "summary": "A story: versions, relations, dates, outlets",
                "parameters": [id_param("story id")],
                "responses": ok("the story")
            }},
            "/api/diff": {"get": {
                "summary": "Character-level diff of two articles, aligned by paragraph",
                "parameters": [
                    {"name": "a", "in": "query", "required": true, "schema": {"type": "integer"}},
                    {"name": "b", "in": "query", "required": true, "schema": {"type": "integer"}},
                    query("strict", "boolean", "report script and width differences too")
                ],
                "responses": ok("both texts and the diff operations (byte spans of each)")
            }},
            "/api/trends": {"get": {
                "summary": "Counts of articles or stories containing each term per period",
                "parameters": [
                    {"name": "term", "in": "query", "required": true, "schema": {"type": "array", "items": {"type": "string"}},
                     "style": "form", "explode": true, "description": "repeat for several terms (at most 8)"},
                    query("by", "string", "month (default), year or outlet"),
                    query("count", "string", "stories (default) or articles"),
                    query("format", "string", "json (default) or csv")
                ],
                "responses": ok("periods and one series per term")
            }},
            "/api/files": {"get": {
                "summary": "The per-file ingest report",
                "responses": ok("one entry per file")
            }},
            "/api/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1"}}
            }}
        },
        "components": {"responses": {"Error": {
            "description": "what went wrong",
            "content": {"application/json": {"schema": {
                "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]
            }}}
        }}}
    })
}
