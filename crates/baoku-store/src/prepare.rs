//! One raw file into what the store keeps: kind, hash, decoded text, pieces or articles.
//!
//! Pure and per file, so the binary runs it on all cores; only [`crate::Archive::ingest`]
//! touches the database. Large UTF-8 JSONL files are only hashed here and read by the
//! writer as it writes them (`stream.rs`).

use std::path::Path;

use baoku_text::decode::{decode, decode_vec, gunzip, is_gzip, Decoded};
use baoku_text::split::{split_page, Page};
use baoku_text::{html, jsonl, Article};

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A plain-text page dump.
    Text,
    /// An HTML story page.
    Html,
    /// JSON Lines, one article per record.
    Jsonl,
    /// Not text: kept in the file report, no articles.
    Binary,
}

impl Kind {
    /// The name stored in the `files` table.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Html => "html",
            Kind::Jsonl => "jsonl",
            Kind::Binary => "binary",
        }
    }

    /// The kind named by [`Kind::as_str`].
    pub fn parse(name: &str) -> Option<Kind> {
        [Kind::Text, Kind::Html, Kind::Jsonl, Kind::Binary]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// The kind a file name announces (`.gz` looked through), or `None` for other files.
    pub fn from_path(path: &Path) -> Option<Kind> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        match name.rsplit_once('.').map(|(_, ext)| ext) {
            None | Some("txt" | "text") => Some(Kind::Text),
            Some("html" | "htm" | "shtml" | "xhtml") => Some(Kind::Html),
            Some("jsonl" | "ndjson") => Some(Kind::Jsonl),
            // A dot inside an opaque name ("v1.2_page") is not an extension we know: text.
            Some(ext) if ext.len() > 5 || ext.chars().any(|c| !c.is_ascii_alphanumeric()) => Some(Kind::Text),
            Some(_) => None,
        }
    }
}

/// A file read, hashed and turned into pieces or articles, ready for the store.
#[derive(Debug)]
pub struct Prepared {
    /// The path as given (made absolute by the caller).
    pub path: String,
    /// The bytes as they are on disk.
    pub raw: Vec<u8>,
    /// blake3 of `raw`, hex.
    pub hash: String,
    /// How it was read.
    pub kind: Kind,
    /// True when `raw` was gzip.
    pub gzip: bool,
    /// The decoded text and its map back to (decompressed) raw bytes.
    pub decoded: Option<Decoded>,
    /// Text dumps: the split page, stitched with the rest of the batch at ingest.
    pub page: Option<Page>,
    /// HTML and JSONL: the articles, their spans already in raw (decompressed) bytes, source
    /// 0; `decoded.text` is then dropped (its encoding and the rest are kept).
    pub articles: Vec<Article>,
    /// A large UTF-8 JSONL file not read yet: the writer reads its records as it writes them
    /// (see `stream.rs`); `decoded` is `None` and `articles` empty.
    pub stream: bool,
    /// What went wrong but did not stop the file.
    pub warnings: Vec<String>,
    /// Why the file gave nothing, when it gave nothing.
    pub error: Option<String>,
}

/// blake3 of a file's bytes, in hex.
pub fn hash(raw: &[u8]) -> String {
    blake3::hash(raw).to_hex().to_string()
}

/// JSONL files of this many bytes on disk or more are streamed when they are UTF-8.
pub const STREAM_BYTES: usize = 8 << 20;

/// Decodes and splits one file. `kind` comes from [`Kind::from_path`]; content can overrule a
/// `.txt` name that holds HTML.
pub fn prepare(path: String, raw: Vec<u8>, kind: Kind) -> Prepared {
    prepare_with(path, raw, kind, STREAM_BYTES)
}

/// [`prepare`], streaming JSONL files of `stream_bytes` or more (on disk) that start as
/// UTF-8: they are left to the writer, which reads and writes their records one by one.
pub fn prepare_with(path: String, raw: Vec<u8>, kind: Kind, stream_bytes: usize) -> Prepared {
    if kind == Kind::Jsonl && raw.len() >= stream_bytes && crate::stream::starts_as_utf8(&raw) {
        let mut p = unread(path, &raw, kind);
        p.gzip = is_gzip(&raw);
        p.raw = raw;
        p.stream = true;
        return p;
    }
    read_whole(path, raw, kind)
}

/// A file hashed, nothing read yet.
fn unread(path: String, raw: &[u8], kind: Kind) -> Prepared {
    Prepared {
        path,
        hash: hash(raw),
        kind,
        gzip: false,
        decoded: None,
        page: None,
        articles: Vec::new(),
        stream: false,
        warnings: Vec::new(),
        error: None,
        raw: Vec::new(),
    }
}

/// Decodes and splits a whole file at once.
pub(crate) fn read_whole(path: String, raw: Vec<u8>, kind: Kind) -> Prepared {
    let mut p = unread(path, &raw, kind);
    let plain = match gunzip(&raw) {
        Ok(plain) => plain,
        Err(e) => {
            p.error = Some(e);
            p.raw = raw;
            return p;
        }
    };
    p.gzip = matches!(plain, std::borrow::Cow::Owned(_));
    if plain.is_empty() {
        p.warnings.push("empty file".into());
    }
    let mut decoded = match plain {
        std::borrow::Cow::Owned(plain) => decode_vec(plain),
        std::borrow::Cow::Borrowed(raw) => decode(raw),
    };
    p.raw = raw;
    if decoded.binary {
        p.kind = Kind::Binary;
        p.warnings.push("binary file: no text to read".into());
        p.decoded = Some(decoded);
        return p;
    }
    if decoded.bad_bytes > 0 {
        p.warnings.push(format!(
            "{} undecodable bytes (as {})",
            decoded.bad_bytes, decoded.encoding
        ));
    }
    if p.kind == Kind::Text && looks_like_html(&decoded.text) {
        p.kind = Kind::Html;
    }
    let name = Path::new(&p.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match p.kind {
        Kind::Text => {
            let page = split_page(&name, &decoded.text);
            p.warnings.extend(page.warnings.iter().cloned());
            p.page = Some(page);
        }
        Kind::Html => {
            let page = html::extract(&name, &decoded.text);
            p.warnings.extend(page.warnings);
            p.articles.extend(page.article);
        }
        Kind::Jsonl => {
            let records = jsonl::parse(&decoded.text);
            p.warnings.extend(records.warnings);
            p.articles = records.articles;
        }
        Kind::Binary => {}
    }
    if !p.articles.is_empty() {
        // The store keeps raw byte spans: map them now and let the text go, which the
        // articles hold a second time (a JSONL dump can be hundreds of MB).
        for s in p.articles.iter_mut().flat_map(|a| a.spans.iter_mut()) {
            s.span = decoded.raw_span(s.span);
        }
        decoded.text = String::new();
    }
    p.decoded = Some(decoded);
    p
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start()
        .chars()
        .take(200)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        let k = |s: &str| Kind::from_path(Path::new(s));
        assert_eq!(k("a/rmrb_20191001.txt"), Some(Kind::Text));
        assert_eq!(k("a/00021_779d05ec"), Some(Kind::Text));
        assert_eq!(k("a/page.shtml"), Some(Kind::Html));
        assert_eq!(k("docs.jsonl.gz"), Some(Kind::Jsonl));
        assert_eq!(k("p.txt.gz"), Some(Kind::Text));
        assert_eq!(k("photo.jpg"), None);
    }

    #[test]
    fn bad_files_become_warnings() {
        let p = prepare("x.txt".into(), vec![], Kind::Text);
        assert!(p.error.is_none());
        assert!(p.warnings.iter().any(|w| w.contains("empty")));
        let p = prepare("x.bin".into(), vec![0, 1, 2, 0, 0x7f], Kind::Text);
        assert_eq!(p.kind, Kind::Binary);
        let p = prepare("x.gz".into(), vec![0x1f, 0x8b, 9, 9], Kind::Text);
        assert!(p.error.as_deref().unwrap().contains("gzip"));
        let p = prepare(
            "x.jsonl".into(),
            b"{\"id\":\"1\",\"text\":\"\xe6\xad\xa3\xe6\x96\x87\"}\nnot json\n".to_vec(),
            Kind::Jsonl,
        );
        assert_eq!(p.articles.len(), 1);
        assert!(p.warnings.iter().any(|w| w.starts_with("line 2")), "{:?}", p.warnings);
    }

    #[test]
    fn record_spans_are_raw_bytes() {
        // GB18030: two bytes a character, so text and raw offsets differ.
        let lines = "{\"id\":\"1\",\"text\":\"江川大桥建成通车\"}\n{\"id\":\"2\",\"text\":\"两岸往来不再绕行\"}\n";
        let (raw, _, _) = encoding_rs::GB18030.encode(lines);
        let p = prepare("feed.jsonl".into(), raw.to_vec(), Kind::Jsonl);
        assert_eq!(p.decoded.as_ref().unwrap().encoding, "gb18030");
        let second = &p.articles[1].spans[0].span;
        let (text, _, _) = encoding_rs::GB18030.decode(&raw[second.start..second.end]);
        assert_eq!(text.trim_end(), "{\"id\":\"2\",\"text\":\"两岸往来不再绕行\"}");
    }
}
