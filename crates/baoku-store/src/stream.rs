//! Large JSONL files record by record: threads of their own decompress and parse them
//! while the writer writes, so that neither the whole text nor all its articles are held
//! (the 138 MB CCTV dump peaked at 431 MB read whole).
//!
//! One thread decompresses the file and cuts it into chunks of whole lines; parsing threads
//! (as many as there are cores, at most [`MAX_PARSERS`]) parse the chunks, and the writer
//! takes their articles chunk by chunk in file order. At most [`AHEAD`] chunks are cut ahead
//! of the one the writer writes, which bounds memory.
//!
//! Only UTF-8 files stream: their decoded text is their raw bytes, so a record's span in
//! the stream is the raw span that reading the file whole gives. Whether a file is UTF-8 is
//! judged from its head before ([`starts_as_utf8`]) and checked chunk by chunk while it
//! streams; a line that is not, or a broken gzip stream, stops it, and the writer reads the
//! file whole instead: every file has exactly the articles, spans and warnings it has read
//! whole.

use std::io::{BufRead, Read};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::Mutex;

use baoku_text::decode::gunzip_reader;
use baoku_text::{jsonl, Article, Span};

use crate::error::Result;

/// How much of a file's start (gzip undone) shows that it is UTF-8; at least the 8 KB
/// that [`baoku_text::decode`] looks at to tell binary files.
const HEAD_BYTES: u64 = 64 << 10;

/// Lines parsed as one chunk, or fewer when they reach [`CHUNK_BYTES`].
const CHUNK_LINES: usize = 64;

/// Bytes of text a chunk reaches at most (but for its last line).
const CHUNK_BYTES: usize = 256 << 10;

/// Chunks cut ahead of the one being written. With [`CHUNK_LINES`], the CCTV dump peaks
/// as it did parsed on one thread in chunks of 256 articles, 4 ahead (128 MB; 256 lines 2
/// ahead: 133 MB).
const AHEAD: usize = 4;

/// Parsing threads at most: the writer, one thread, writes no faster than two or three
/// parse (CCTV dump: the writer takes 1 s, parsing on one thread 1.3 s).
const MAX_PARSERS: usize = 4;

/// Whether a file's raw bytes (gzip or not) start as UTF-8 text.
pub(crate) fn starts_as_utf8(raw: &[u8]) -> bool {
    let mut head = Vec::new();
    let read = gunzip_reader(raw).take(HEAD_BYTES).read_to_end(&mut head);
    read.is_ok() && baoku_text::decode::starts_as_utf8(&head)
}

/// Whole lines of the stream, not yet checked to be UTF-8: `pos` is the byte position of
/// the first, `number` its line number (from 1).
struct Lines {
    bytes: Vec<u8>,
    pos: usize,
    number: usize,
}

/// A chunk to parse, and where its articles go: `None` when it is not UTF-8.
type Job = (Lines, SyncSender<Option<Parsed>>);

/// The articles and warnings of a chunk, and where the writer hands the articles back once
/// written, so that the thread that allocated them frees them: glibc's malloc takes the
/// allocating thread's arena lock to free memory from another thread, and the writer
/// freeing every article fought the parser for it (15 % of the parser's time, in futex calls).
struct Parsed {
    articles: Vec<Article>,
    /// The articles' content lengths.
    lens: Vec<u32>,
    warnings: Vec<String>,
    written: Sender<Vec<Article>>,
}

/// Parses the records of a JSONL file's raw bytes and hands each to `write` in order, with
/// its [`content_len`](crate::archive::content_len) (measured by the parsers: on the writer
/// it was a quarter of its time).
/// Returns the file's warnings, or `None` when it turned out not to be UTF-8 or not to
/// decompress: then some records may have been written, and the caller discards them.
pub(crate) fn for_each_record(
    raw: &[u8],
    mut write: impl FnMut(&Article, u32) -> Result<()>,
) -> Result<Option<Vec<String>>> {
    let parsers = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_PARSERS));
    let (send_job, jobs) = sync_channel::<Job>(parsers);
    let jobs = Mutex::new(jobs);
    // The parsed chunks to come, in file order.
    let (send_next, next) = sync_channel::<Receiver<Option<Parsed>>>(AHEAD);
    std::thread::scope(|s| {
        let cutter = s.spawn(move || cut(raw, &send_job, &send_next));
        for _ in 0..parsers {
            s.spawn(|| parse(&jobs));
        }
        let mut warnings = Vec::new();
        let utf8 = write_chunks(&next, &mut write, &mut warnings);
        // A failed write or a chunk that is not UTF-8 stops the cutter at its next chunk,
        // and the parsers with it.
        drop(next);
        let complete = cutter.join().expect("the JSONL cutter does not panic");
        utf8.map(|utf8| (utf8 && complete.is_some()).then_some(warnings))
    })
}

/// The writer's part: writes the chunks' articles in order and collects their warnings;
/// false at the first chunk that is not UTF-8.
fn write_chunks(
    next: &Receiver<Receiver<Option<Parsed>>>,
    mut write: impl FnMut(&Article, u32) -> Result<()>,
    warnings: &mut Vec<String>,
) -> Result<bool> {
    // A parser that panicked ends the chunks; the scope passes its panic on.
    for parsed in next.iter().map_while(|chunk| chunk.recv().ok()) {
        let Some(p) = parsed else { return Ok(false) };
        for (a, &len) in p.articles.iter().zip(&p.lens) {
            write(a, len)?;
        }
        warnings.extend(p.warnings);
        // The parser may have ended (it has no more chunks): the articles are freed here.
        let _ = p.written.send(p.articles);
    }
    Ok(true)
}

/// The cutting thread: sends the chunks to parse, and in the same order where the writer
/// finds their articles; `None` at a gzip error (or when the writer stopped).
fn cut(raw: &[u8], jobs: &SyncSender<Job>, next: &SyncSender<Receiver<Option<Parsed>>>) -> Option<()> {
    let mut reader = gunzip_reader(raw);
    let (mut pos, mut number) = (0, 1);
    loop {
        let mut bytes = Vec::new();
        let mut lines = 0;
        while lines < CHUNK_LINES && bytes.len() < CHUNK_BYTES {
            if reader.read_until(b'\n', &mut bytes).ok()? == 0 {
                break;
            }
            lines += 1;
        }
        if lines == 0 {
            return Some(());
        }
        let len = bytes.len();
        let (send, parsed) = sync_channel(1);
        jobs.send((Lines { bytes, pos, number }, send)).ok()?;
        next.send(parsed).ok()?;
        pos += len;
        number += lines;
    }
}

/// A parsing thread: parses chunks until there are no more, and frees the articles the
/// writer hands back.
fn parse(jobs: &Mutex<Receiver<Job>>) {
    let (written, done) = channel();
    loop {
        done.try_iter().for_each(drop);
        let job = jobs.lock().expect("no parser panics holding the lock").recv();
        let Ok((lines, send)) = job else { break };
        // Whole lines are all UTF-8 when together they are. simdutf8 checks the Chinese
        // text of the CCTV dump ten times faster than `std::str::from_utf8` (0.011 s, 0.11 s).
        let Ok(text) = simdutf8::basic::from_utf8(&lines.bytes) else {
            let _ = send.send(None);
            continue;
        };
        let mut parsed = Parsed {
            articles: Vec::with_capacity(CHUNK_LINES),
            lens: Vec::with_capacity(CHUNK_LINES),
            warnings: Vec::new(),
            written: written.clone(),
        };
        let mut pos = lines.pos;
        for (k, line) in text.split_inclusive('\n').enumerate() {
            let span = Span::new(pos, pos + line.len());
            parsed
                .articles
                .extend(jsonl::line_record(line, span, lines.number + k, &mut parsed.warnings));
            pos += line.len();
        }
        parsed.lens = parsed.articles.iter().map(crate::archive::content_len).collect();
        // The writer may have stopped.
        let _ = send.send(Some(parsed));
    }
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

    /// A feed whose runs of [`super::CHUNK_LINES`] lines alternate between long records
    /// and short ones, so that a chunk after a long one is parsed first; a line that is not
    /// an object every 97 records. Returns the text and the numbers of those lines.
    fn uneven_feed(n: usize) -> (String, Vec<usize>) {
        let (mut text, mut broken) = (String::new(), Vec::new());
        let mut lines = 0;
        for i in 0..n {
            let long = (lines / super::CHUNK_LINES).is_multiple_of(3);
            let body = if long {
                "江川大桥建成通车。".repeat(60)
            } else {
                i.to_string()
            };
            text += &format!("{{\"id\":\"r{i}\",\"text\":\"{body}\"}}\n");
            lines += 1;
            if i % 97 == 0 {
                text += "[1]\n";
                lines += 1;
                broken.push(lines);
            }
        }
        (text, broken)
    }

    #[test]
    fn records_and_warnings_come_out_in_file_order_across_chunks() {
        let (text, broken) = uneven_feed(5000);
        let raw = gzip(text.as_bytes());
        let mut ids = Vec::new();
        let warnings = super::for_each_record(&raw, |a, len| {
            assert_eq!(len, crate::archive::content_len(a));
            let span = a.spans[0].span;
            let line = &text[span.start..span.end];
            ids.push(a.source_id.clone().unwrap());
            assert!(line.starts_with(&format!("{{\"id\":\"{}\"", ids.last().unwrap())));
            assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
            Ok(())
        })
        .unwrap()
        .expect("the feed streams");
        let want: Vec<String> = (0..5000).map(|i| format!("r{i}")).collect();
        assert!(ids == want, "records out of order");
        let want: Vec<String> = broken
            .iter()
            .map(|n| format!("line {n}: not a JSON object, skipped"))
            .collect();
        assert_eq!(warnings, want);
        // And so in the store, as read whole.
        let (_, articles) = same_as_whole(&raw);
        assert_eq!(articles.len(), 5000);
    }

    #[test]
    fn a_failed_write_stops_the_stream() {
        let (text, _) = uneven_feed(3000);
        let mut written = 0;
        let result = super::for_each_record(text.as_bytes(), |_, _| {
            written += 1;
            match written {
                100 => Err(crate::error::Error::Invalid("disk full".into())),
                _ => Ok(()),
            }
        });
        assert!(matches!(result, Err(crate::error::Error::Invalid(_))), "{result:?}");
        assert_eq!(written, 100, "no record is written after the failed one");
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
