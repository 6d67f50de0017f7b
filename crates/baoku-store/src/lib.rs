//! The baoku data directory: a SQLite store of files, raw bytes, articles, spans, furniture
//! and stories, and the tantivy search index beside it.
//!
//! ```
//! use baoku_store::{prepare::{prepare, Kind}, Archive};
//! let dir = tempfile::tempdir().unwrap();
//! let mut archive = Archive::open(dir.path()).unwrap();
//! let raw = "江川大桥建成通车\n　　本报江川10月1日电  江川大桥今天建成通车，两岸往来从此不再绕行。\n".as_bytes().to_vec();
//! let file = prepare("page.txt".into(), raw, Kind::Text);
//! let report = archive.ingest(vec![file]).unwrap();
//! assert_eq!(report[0].articles, 1);
//! let id = archive.files().unwrap()[0].id;
//! assert!(archive.source(id).unwrap().text.starts_with("江川大桥"));
//! ```
#![warn(missing_docs)]

pub mod archive;
pub mod batch;
pub mod error;
pub mod index;
pub mod prepare;
pub mod schema;
pub mod search;
pub mod stories;
mod stream;
mod tokenizer;
pub mod translations;
pub mod trends;

pub use archive::{Archive, Batches, FileReport, FileRow, FileSpan, FileState, FileStates, SourceView, StoredArticle};
pub use error::{Error, Result};
pub use search::{Hit, SearchRequest, SearchResults, Sort};
pub use stories::{ArticleLink, StoryMember, StoryRow};
