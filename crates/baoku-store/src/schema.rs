//! The SQLite schema and its migrations, numbered by `PRAGMA user_version`.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Each entry moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,
    bytes       INTEGER NOT NULL,          -- size on disk
    hash        TEXT NOT NULL,             -- blake3 of the bytes on disk; '' when unreadable
    kind        TEXT NOT NULL,             -- text | html | jsonl | binary | unreadable
    gzip        INTEGER NOT NULL DEFAULT 0,
    encoding    TEXT,
    bad_bytes   INTEGER NOT NULL DEFAULT 0,
    articles    INTEGER NOT NULL DEFAULT 0,
    warnings    TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    error       TEXT,
    ingested_at TEXT NOT NULL
);
-- The bytes as they were on disk (still gzipped if they were), so that an article's source
-- can always be shown, even after the file moved or changed.
CREATE TABLE raw (
    file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
    content BLOB NOT NULL
);
CREATE TABLE articles (
    id        INTEGER PRIMARY KEY,
    source_id TEXT,
    headline  TEXT NOT NULL,
    subheads  TEXT NOT NULL,               -- JSON array
    text      TEXT NOT NULL,
    date      TEXT,
    place     TEXT,
    agency    TEXT,
    reporters TEXT NOT NULL,               -- JSON array
    lang      TEXT NOT NULL,
    script    TEXT NOT NULL,
    page      INTEGER,
    url       TEXT,
    extra     TEXT NOT NULL,               -- JSON object
    warnings  TEXT NOT NULL                -- JSON array
);
CREATE INDEX articles_date ON articles(date);
CREATE INDEX articles_source_id ON articles(source_id);
-- Byte ranges of the decompressed raw file that an article was made from.
CREATE TABLE spans (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    file_id    INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    PRIMARY KEY (article_id, seq)
);
CREATE INDEX spans_file ON spans(file_id);
-- Page furniture: headers, captions, index bullets, credits, continuation markers.
CREATE TABLE furniture (
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    text    TEXT NOT NULL
);
CREATE INDEX furniture_file ON furniture(file_id);
"#,
    r#"
-- Stories: linked versions of one piece of writing. `story` is NULL until the article has
-- been linked; `relation` is its relation to the member it was verified against.
ALTER TABLE articles ADD COLUMN story INTEGER;
ALTER TABLE articles ADD COLUMN relation TEXT;
ALTER TABLE articles ADD COLUMN relation_score REAL;
ALTER TABLE articles ADD COLUMN relation_script INTEGER;
CREATE INDEX articles_story ON articles(story);
-- Typed edges, `related` ones included (they never merge stories).
CREATE TABLE links (
    a        INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b        INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    script   INTEGER NOT NULL,
    score    REAL NOT NULL
);
CREATE INDEX links_a ON links(a);
CREATE INDEX links_b ON links(b);
-- The linker's state (fingerprints, band and anchor tables), so that new articles link into
-- existing stories without recomputing the archive.
CREATE TABLE linker (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    state TEXT NOT NULL
);
"#,
];

/// Brings the database up to the newest schema.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if version > MIGRATIONS.len() {
        return Err(Error::DataCorruption(format!(
            "schema version {version} is newer than this baoku knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
