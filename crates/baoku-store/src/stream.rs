//! Large JSONL files record by record: a thread of their own decompresses and parses them
//! while the writer writes, so that neither the whole text nor all its articles are held
//! (the 138 MB CCTV dump peaked at 431 MB read whole).
//!
//! Only UTF-8 files stream: their decoded text is their raw bytes, so a record's span in
//! the stream is the raw span that reading the file whole gives. Whether a file is UTF-8 is
//! judged from its head before ([`starts_as_utf8`]) and checked line by line while it
//! streams; a line that is not, or a broken gzip stream, stops it, and the writer reads the
//! file whole instead: every file has exactly the articles, spans and warnings it has read
//! whole.

use std::io::{BufRead, Read};
use std::sync::mpsc::{sync_channel, SyncSender};

use baoku_text::decode::gunzip_reader;
use baoku_text::{jsonl, Article, Span};

use crate::error::Result;

/// How much of a file's start (gzip undone) shows that it is UTF-8; at least the 8 KB
/// that [`baoku_text::decode`] looks at to tell binary files.
const HEAD_BYTES: u64 = 64 << 10;

/// Records handed from the parsing thread to the writer at a time.
const CHUNK: usize = 256;

/// Whether a file's raw bytes (gzip or not) start as UTF-8 text.
pub(crate) fn starts_as_utf8(raw: &[u8]) -> bool {
    let mut head = Vec::new();
    let read = gunzip_reader(raw).take(HEAD_BYTES).read_to_end(&mut head);
    read.is_ok() && baoku_text::decode::starts_as_utf8(&head)
}

/// Parses the records of a JSONL file's raw bytes and hands each to `write` in order.
/// Returns the file's warnings, or `None` when it turned out not to be UTF-8 or not to
/// decompress: then some records may have been written, and the caller discards them.
pub(crate) fn for_each_record(raw: &[u8], mut write: impl FnMut(Article) -> Result<()>) -> Result<Option<Vec<String>>> {
    let (send, receive) = sync_channel(4);
    std::thread::scope(|s| {
        let parser = s.spawn(move || parse(raw, send));
        let written = receive.iter().flatten().try_for_each(&mut write);
        // A failed write stops the parser at its next chunk.
        drop(receive);
        let parsed = parser.join().expect("the JSONL parser does not panic");
        written.map(|()| parsed)
    })
}

/// The parsing thread: sends the records in chunks; returns the warnings, or `None` at the
/// first line that is not UTF-8 or at a gzip error (or when the writer stopped).
fn parse(raw: &[u8], send: SyncSender<Vec<Article>>) -> Option<Vec<String>> {
    let mut reader = gunzip_reader(raw);
    let (mut line, mut pos, mut number) = (Vec::new(), 0, 0);
    let mut warnings = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK);
    loop {
        line.clear();
        let len = reader.read_until(b'\n', &mut line).ok()?;
        if len == 0 {
            break;
        }
        number += 1;
        let text = std::str::from_utf8(&line).ok()?;
        chunk.extend(jsonl::line_record(
            text,
            Span::new(pos, pos + len),
            number,
            &mut warnings,
        ));
        pos += len;
        if chunk.len() == CHUNK {
            send.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                .ok()?;
        }
    }
    send.send(chunk).ok()?;
    Some(warnings)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use crate::prepare::{prepare_with, Kind};
    use crate::Archive;

    /// A feed of `n` records with a broken line and a line that is not an object among them.
    fn feed(n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            s += &format!(
                "{{\"id\":\"r{i}\",\"title\":\"第{i}条新闻\",\"text\":\"本台消息，江川县第{i}个村庄通了公路。\",\"date\":\"2024-03-{:02}\",\"section\":\"要闻\"}}\n",
                i % 28 + 1
            );
            if i == 300 {
                s += "{\"id\":\"broken\",\"text\":\n\n[1,2]\n";
            }
        }
        s
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(bytes).unwrap();
        z.finish().unwrap()
    }

    /// Everything the store shows of its files and articles, ingest times left out.
    fn stored(raw: &[u8], stream_bytes: usize) -> (Vec<String>, Vec<String>, bool) {
        let dir = tempfile::tempdir().unwrap();
        let mut archive = Archive::open(dir.path()).unwrap();
        let p = prepare_with("feed.jsonl.gz".into(), raw.to_vec(), Kind::Jsonl, stream_bytes);
        let streamed = p.stream;
        archive.ingest(vec![p]).unwrap();
        let files = archive
            .files()
            .unwrap()
            .into_iter()
            .map(|mut f| {
                f.ingested_at.clear();
                serde_json::to_string(&f).unwrap()
            })
            .collect();
        let mut articles = Vec::new();
        archive
            .for_each_article(|a| {
                let raw: Vec<String> = archive.raw_spans(a.id)?.into_iter().map(|(_, t)| t).collect();
                articles.push(format!("{} {raw:?}", serde_json::to_string(&a).unwrap()));
                Ok(())
            })
            .unwrap();
        (files, articles, streamed)
    }

    /// The store holds the same files, articles, spans and warnings streamed as read whole.
    fn same_as_whole(raw: &[u8]) -> (Vec<String>, Vec<String>) {
        let (files, articles, streamed) = stored(raw, 0);
        assert!(streamed, "the file was not streamed");
        let (whole_files, whole_articles, streamed) = stored(raw, usize::MAX);
        assert!(!streamed);
        assert_eq!(files, whole_files);
        assert_eq!(articles.len(), whole_articles.len());
        for (a, b) in articles.iter().zip(&whole_articles) {
            assert_eq!(a, b);
        }
        (files, articles)
    }

    #[test]
    fn a_streamed_file_is_stored_as_read_whole() {
        let text = feed(1000);
        for raw in [text.as_bytes().to_vec(), gzip(text.as_bytes())] {
            let (files, articles) = same_as_whole(&raw);
            assert_eq!(articles.len(), 1000);
            assert!(files[0].contains("\"encoding\":\"UTF-8\""), "{}", files[0]);
            assert!(files[0].contains("line 302: invalid JSON"), "{}", files[0]);
            assert!(files[0].contains("line 304: not a JSON object"), "{}", files[0]);
            // The exact raw line of a record after the broken ones.
            assert!(
                articles[999].contains("[\"{\\\"id\\\":\\\"r999\\\""),
                "{}",
                articles[999]
            );
        }
    }

    #[test]
    fn a_file_that_stops_being_utf8_is_read_whole() {
        // UTF-8 at the start, GB18030 further on: the stream stops after writing records,
        // which must not stay in the store.
        let mut raw = feed(500).into_bytes();
        let (gb, _, _) = encoding_rs::GB18030.encode("{\"id\":\"gb\",\"text\":\"江川大桥建成通车\"}\n");
        raw.extend_from_slice(&gb);
        raw.extend_from_slice(feed(10).as_bytes());
        let (files, articles) = same_as_whole(&raw);
        assert!(files[0].contains("undecodable bytes"), "{}", files[0]);
        assert_eq!(articles.len(), 511);
    }

    #[test]
    fn a_broken_gzip_stream_leaves_no_articles() {
        let mut raw = gzip(feed(3000).as_bytes());
        raw.truncate(raw.len() * 2 / 3);
        let (files, articles) = same_as_whole(&raw);
        assert!(files[0].contains("\"error\":\"gzip"), "{}", files[0]);
        assert!(
            articles.is_empty(),
            "records written before the break stayed: {}",
            articles.len()
        );
    }

    #[test]
    fn files_that_do_not_start_as_utf8_are_read_whole() {
        let (gb, _, _) = encoding_rs::GB18030.encode("{\"id\":\"gb\",\"text\":\"江川大桥建成通车\"}\n");
        assert!(!super::starts_as_utf8(&gb));
        assert!(!super::starts_as_utf8(b"\xef\xbb\xbf{\"id\":1}\n"), "a BOM");
        assert!(!super::starts_as_utf8(b""));
        assert!(super::starts_as_utf8(&gzip(feed(10).as_bytes())));
    }
}
