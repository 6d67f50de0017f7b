//! The SQLite schema and its migrations, numbered by `PRAGMA user_version`.

use rusqlite::{Connection, TransactionBehavior};

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
    r#"
-- Article changes the search index has not applied yet (see index.rs). Written in the same
-- transaction as the change (by triggers until the next migration); AUTOINCREMENT so a sequence number is never reused.
CREATE TABLE index_queue (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    article INTEGER NOT NULL
);
CREATE TRIGGER articles_queue_insert AFTER INSERT ON articles
BEGIN INSERT INTO index_queue (article) VALUES (new.id); END;
CREATE TRIGGER articles_queue_delete AFTER DELETE ON articles
BEGIN INSERT INTO index_queue (article) VALUES (old.id); END;
INSERT INTO index_queue (article) SELECT id FROM articles;
"#,
    r#"
-- The queue is written by the code that inserts and deletes articles (archive.rs), in the
-- same transaction: a trigger made SQLite keep a statement journal for every article
-- insert, a quarter of ingest's writing time.
DROP TRIGGER articles_queue_insert;
DROP TRIGGER articles_queue_delete;
"#,
    r#"
-- Story membership in a narrow table of its own: linking rewrites it for every member of a
-- story that gained one, and rewriting the article rows (texts and all) wrote the whole
-- articles table again (0.8 s of linking CCTV's 75,806 articles). An article without a row
-- here is not linked yet; `relation` is its relation to the member it was verified against.
CREATE TABLE members (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story      INTEGER NOT NULL,
    relation   TEXT NOT NULL,
    score      REAL NOT NULL,
    script     INTEGER NOT NULL
);
CREATE INDEX members_story ON members(story);
INSERT INTO members (article_id, story, relation, score, script)
    SELECT id, story, coalesce(relation, 'canonical'), coalesce(relation_score, 1.0), coalesce(relation_script, 0)
    FROM articles WHERE story IS NOT NULL;
DROP INDEX articles_story;
ALTER TABLE articles DROP COLUMN story;
ALTER TABLE articles DROP COLUMN relation;
ALTER TABLE articles DROP COLUMN relation_score;
ALTER TABLE articles DROP COLUMN relation_script;
"#,
    r#"
-- The length linking orders articles by (content characters of the matching form), written
-- at ingest: linking read every pending text once just to measure it (0.3-0.5 s of linking
-- CCTV). The index covers (length, id), so the order is read without the texts. NULL for
-- articles written before; linking measures those from their text.
ALTER TABLE articles ADD COLUMN content_len INTEGER;
CREATE INDEX articles_content_len ON articles(content_len);
"#,
];

/// Brings the database up to the newest schema. Safe when several processes open a new
/// store at once: the version is read again under the write lock before migrating.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    if version(conn)? == MIGRATIONS.len() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = version(&tx)?;
    if current > MIGRATIONS.len() {
        return Err(Error::DataCorruption(format!(
            "schema version {current} is newer than this baoku knows ({})",
            MIGRATIONS.len()
        )));
    }
    for sql in &MIGRATIONS[current..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
    tx.commit()?;
    Ok(())
}

fn version(conn: &Connection) -> Result<usize> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_opening_a_new_store_at_once_do_not_race() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut conn = Connection::open(&path).unwrap();
                    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                    migrate(&mut conn)
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap().unwrap();
        }
        let conn = Connection::open(&path).unwrap();
        assert_eq!(version(&conn).unwrap(), MIGRATIONS.len());
    }

    #[test]
    fn story_membership_moves_to_its_own_table() {
        let mut conn = Connection::open_in_memory().unwrap();
        let before = MIGRATIONS
            .iter()
            .position(|m| m.contains("CREATE TABLE members"))
            .unwrap();
        for sql in &MIGRATIONS[..before] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", before as i64).unwrap();
        let article = "INSERT INTO articles (id, headline, subheads, text, reporters, lang, script, extra, warnings)
                       VALUES (?1, 'h', '[]', 't', '[]', 'zh', 'Hans', '{}', '[]')";
        for id in [1, 2, 3] {
            conn.execute(article, [id]).unwrap();
        }
        conn.execute_batch(
            "UPDATE articles SET story = 1, relation = 'canonical', relation_score = 1.0, relation_script = 0 WHERE id = 1;
             UPDATE articles SET story = 1, relation = 'near', relation_score = 0.8, relation_script = 1 WHERE id = 2;",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<(i64, i64, String, f64, bool)> = conn
            .prepare("SELECT article_id, story, relation, score, script FROM members ORDER BY article_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [(1, 1, "canonical".into(), 1.0, false), (2, 1, "near".into(), 0.8, true)],
            "article 3 was not linked: no row"
        );
        let columns: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('articles') WHERE name = 'story'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(columns, 0);
    }

    #[test]
    fn a_store_from_a_newer_baoku_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(migrate(&mut conn), Err(Error::DataCorruption(_))));
    }
}
