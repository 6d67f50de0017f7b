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
    /// The store holds something it could not have written: a damaged or foreign data directory.
    #[error("data corruption: {0}")]
    DataCorruption(String),
    /// No article, file or story with this id.
    #[error("not found: {0}")]
    NotFound(String),
}

/// Result with the store's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
