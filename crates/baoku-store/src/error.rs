//! Errors of the store. Bad input is not an error: it becomes warnings in a file's report.

use std::path::PathBuf;

/// What can go wrong with the data directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a path failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value has the wrong type.
    #[error("database value: {0}")]
    SqlValue(#[from] rusqlite::types::FromSqlError),
    /// The store holds something it could not have written: a damaged or foreign data directory.
    #[error("data corruption: {0}")]
    DataCorruption(String),
    /// The search index failed.
    #[error("search index: {0}")]
    Index(String),
    /// Another process holds a lock that this operation needs.
    #[error("{0} is busy (another baoku process is writing it)")]
    Busy(String),
    /// A search query that cannot be run.
    #[error("query: {0}")]
    Query(#[from] baoku_text::query::QueryError),
    /// A request that cannot be run as given (a malformed date, an unknown sort).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// No article, file or story with this id.
    #[error("not found: {0}")]
    NotFound(String),
}

/// Result with the store's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
