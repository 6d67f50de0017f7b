//! Query-string parameters, repeated keys included (`term=a&term=b`), checked before use.

use axum::extract::RawQuery;
use baoku_store::trends::{By, Unit};
use baoku_store::{SearchRequest, Sort};

use super::Failure;

/// Longest query string accepted.
const MAX_QUERY_BYTES: usize = 8192;

/// Decoded `key=value` pairs in order.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string; oversized ones are refused.
    pub fn parse(raw: &RawQuery) -> Result<Params, Failure> {
        let q = raw.0.as_deref().unwrap_or("");
        if q.len() > MAX_QUERY_BYTES {
            return Err(Failure::bad(format!(
                "query string longer than {MAX_QUERY_BYTES} bytes"
            )));
        }
        Ok(Params(form_urlencoded::parse(q.as_bytes()).into_owned().collect()))
    }

    /// The first value of `key`, when non-empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `key`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A boolean flag (`true`, `1`, `on`).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1" | "on"))
    }

    /// A required integer.
    pub fn id(&self, key: &str) -> Result<i64, Failure> {
        let v = self
            .get(key)
            .ok_or_else(|| Failure::bad(format!("missing parameter {key}")))?;
        v.parse().map_err(|_| Failure::bad(format!("{key}={v:?} is not an id")))
    }

    /// The search request these parameters describe (`q` required).
    pub fn search(&self) -> Result<SearchRequest, Failure> {
        let query = self
            .get("q")
            .ok_or_else(|| Failure::bad("missing parameter q"))?
            .to_string();
        let limit = match self.get("limit") {
            None => 10,
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|&n| (1..=baoku_store::search::MAX_LIMIT).contains(&n))
                .ok_or_else(|| Failure::bad(format!("limit={l:?} (expected 1 to 10000)")))?,
        };
        let sort = match self.get("sort") {
            None | Some("relevance") => Sort::Relevance,
            Some("date") => Sort::Date,
            Some(s) => return Err(Failure::bad(format!("sort={s:?} (expected relevance or date)"))),
        };
        let lang = match self.get("lang") {
            None => None,
            Some(l @ ("zh" | "en")) => Some(l.to_string()),
            Some(l) => return Err(Failure::bad(format!("lang={l:?} (expected zh or en)"))),
        };
        Ok(SearchRequest {
            query,
            limit,
            from: self.get("from").map(str::to_string),
            to: self.get("to").map(str::to_string),
            source: self.get("source").map(str::to_string),
            lang,
            sort,
            all_versions: self.flag("all_versions"),
        })
    }

    /// Terms, period and unit of a trends request.
    pub fn trends(&self) -> Result<(Vec<String>, By, Unit), Failure> {
        let terms = self.all("term");
        if terms.is_empty() {
            return Err(Failure::bad("missing parameter term"));
        }
        let by = self
            .get("by")
            .unwrap_or("month")
            .parse()
            .map_err(super::Failure::from)?;
        let count = self
            .get("count")
            .unwrap_or("stories")
            .parse()
            .map_err(super::Failure::from)?;
        Ok((terms, by, count))
    }
}
