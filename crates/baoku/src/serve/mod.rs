//! `baoku serve`: the JSON API and the web page over one data directory (axum).
//!
//! Every route is listed in [`router`]. Handlers run store calls on tokio's blocking pool
//! through a small pool of [`Archive`]s (a SQLite connection and an index reader each), so
//! requests run in parallel and never block the event loop; an ingest started with
//! `--ingest` writes through its own `Archive` while readers see the last committed batch.

pub mod api;
pub mod html;
mod openapi;
pub mod pages;
mod params;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use baoku_store::Archive;

pub use params::Params;

/// Archives shared by the handlers.
pub struct Pool {
    archives: Vec<Mutex<Archive>>,
    next: AtomicUsize,
}

impl Pool {
    /// Opens `n` archives on `db`.
    pub fn open(db: &Path, n: usize) -> baoku_store::Result<Pool> {
        let archives = (0..n.max(1))
            .map(|_| Archive::open(db).map(Mutex::new))
            .collect::<baoku_store::Result<_>>()?;
        Ok(Pool {
            archives,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `f` on a free archive (or waits for the next in turn).
    pub fn with<T>(&self, f: impl FnOnce(&mut Archive) -> T) -> T {
        for a in &self.archives {
            if let Ok(mut guard) = a.try_lock() {
                return f(&mut guard);
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.archives.len();
        // A handler that panicked poisons its archive; the connection itself is still sound.
        let mut guard = self.archives[i].lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The archives.
    pub pool: Arc<Pool>,
}

impl AppState {
    /// Runs a store call on the blocking pool.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Archive) -> baoku_store::Result<T> + Send + 'static,
    ) -> Result<T, Failure> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| Failure(StatusCode::INTERNAL_SERVER_ERROR, format!("request failed: {e}")))?
            .map_err(Failure::from)
    }
}

/// A failed request: its status and a message for the user.
#[derive(Debug)]
pub struct Failure(pub StatusCode, pub String);

impl From<baoku_store::Error> for Failure {
    fn from(e: baoku_store::Error) -> Failure {
        use baoku_store::Error as E;
        let status = match &e {
            E::NotFound(_) => StatusCode::NOT_FOUND,
            E::Query(_) | E::Invalid(_) => StatusCode::BAD_REQUEST,
            E::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Failure(status, e.to_string())
    }
}

impl Failure {
    /// 400 with `msg`.
    pub fn bad(msg: impl Into<String>) -> Failure {
        Failure(StatusCode::BAD_REQUEST, msg.into())
    }
}

/// Every route of the API and the web page.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::search))
        .route("/articles/{id}", get(pages::article))
        .route("/articles/{id}/source", get(pages::source))
        .route("/stories/{id}", get(pages::story))
        .route("/diff", get(pages::diff))
        .route("/trends", get(pages::trends))
        .route("/trends.svg", get(pages::trends_svg))
        .route("/files", get(pages::files))
        .route("/api/search", get(api::search))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/articles/{id}/source", get(api::source))
        .route("/api/stories/{id}", get(api::story))
        .route("/api/diff", get(api::diff))
        .route("/api/trends", get(api::trends))
        .route("/api/files", get(api::files))
        .route("/api/openapi.json", get(api::openapi))
        .fallback(api::not_found)
        .with_state(state)
}

/// Serves `db` on `addr`, ingesting `ingest` in the background first if given.
pub fn run(db: &Path, addr: &str, ingest: Vec<PathBuf>) -> anyhow::Result<()> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let pool = Pool::open(db, threads * 2).with_context(|| format!("opening data directory {}", db.display()))?;
    let state = AppState { pool: Arc::new(pool) };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let local = listener.local_addr()?;
        println!("baoku is serving {} at http://{local}/", db.display());
        if !ingest.is_empty() {
            let db = db.to_path_buf();
            // Readers see each batch as it commits.
            std::thread::spawn(move || {
                let args = crate::cli::IngestArgs::new(ingest);
                if let Err(e) = crate::ingest::run(&db, &args) {
                    eprintln!("ingest failed: {e:#}");
                }
            });
        }
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        anyhow::Ok(())
    })
}

#[cfg(test)]
mod tests;
