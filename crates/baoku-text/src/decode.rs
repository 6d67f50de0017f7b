//! Bytes to text: gzip, BOM, UTF-8, GB18030/GBK, Big5, UTF-16, with a map back to raw bytes.
//!
//! Every decoded text keeps a line-level map to the raw bytes it came from, so that an
//! article's span in the text can always be turned back into the exact bytes of the file.
//! Lines are cut at byte 0x0A, which no supported multi-byte encoding uses inside a
//! character (UTF-16 is cut at the 16-bit unit 0x000A instead).

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU8, Ordering};

use encoding_rs::{DecoderResult, Encoding, BIG5, GB18030, UTF_16BE, UTF_16LE, UTF_8};

use crate::model::Span;

/// How many bytes chardetng looks at: over a thousand CJK characters, enough to tell GB18030
/// from Big5; chardetng costs about 0.2 ms per KiB, so a bigger prefix only costs time.
const SNIFF_BYTES: usize = 4 * 1024;

/// Longest stretch of a line between two points of the map back to raw bytes (see
/// `byte_line_end`).
const CHECKPOINT_BYTES: usize = 4096;

/// A decoded source text with its encoding report and its map back to raw bytes.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, exactly as decoded (line endings kept, BOM removed).
    pub text: String,
    /// Name of the encoding used (`UTF-8`, `GB18030`, `Big5`, `UTF-16LE`…).
    pub encoding: &'static str,
    /// True when the input started with a byte-order mark.
    pub bom: bool,
    /// Bytes that could not be decoded (each became U+FFFD).
    pub bad_bytes: usize,
    /// True when the input looks binary; `text` is then empty.
    pub binary: bool,
    /// Start of each line: (offset in `text`, offset in raw bytes, decoded without error).
    lines: Vec<LineMark>,
    raw_len: usize,
    encoder: &'static Encoding,
}

#[derive(Debug, Clone, Copy)]
struct LineMark {
    text: usize,
    raw: usize,
    /// Decoded without error: its raw offsets can be measured from either end.
    clean: bool,
}

/// Whether `bytes` start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Unwraps gzip when `bytes` start with the gzip magic number; other bytes pass through.
pub fn gunzip(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    if !is_gzip(bytes) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(bytes.len() * 4);
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(Cow::Owned(out))
}

/// [`gunzip`] as a reader, for reading a large file a line at a time without holding it.
pub fn gunzip_reader(bytes: &[u8]) -> Box<dyn BufRead + Send + '_> {
    if is_gzip(bytes) {
        Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(bytes)))
    } else {
        Box::new(bytes)
    }
}

/// Whether `head`, the start of a file's bytes (gzip undone), is text that [`decode`] reads
/// as UTF-8 byte for byte if the rest of the file is valid UTF-8 too: no BOM, not binary,
/// valid UTF-8 but for a character cut at its end. `head` must hold the first 8 KB (or the
/// whole file), which tell binary files.
pub fn starts_as_utf8(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    valid && !head.is_empty() && Encoding::for_bom(head).is_none() && !looks_binary(head)
}

/// [`decode`] for bytes the caller gives up: valid UTF-8 becomes the text without a copy
/// (a large JSONL dump would otherwise be held twice).
pub fn decode_vec(raw: Vec<u8>) -> Decoded {
    if Encoding::for_bom(&raw).is_some() || looks_binary(&raw) {
        return decode(&raw);
    }
    match String::from_utf8(raw) {
        Ok(text) => valid_utf8(text),
        Err(e) => decode(e.as_bytes()),
    }
}

/// Text that was valid UTF-8 without a BOM: its raw bytes are its own.
fn valid_utf8(text: String) -> Decoded {
    Decoded {
        raw_len: text.len(),
        text,
        encoding: UTF_8.name(),
        bom: false,
        bad_bytes: 0,
        binary: false,
        lines: vec![LineMark {
            text: 0,
            raw: 0,
            clean: true,
        }],
        encoder: UTF_8,
    }
}

/// Decodes raw bytes, detecting the encoding.
pub fn decode(raw: &[u8]) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(raw) {
        return decode_with(raw, enc, bom_len);
    }
    if looks_binary(raw) {
        return Decoded {
            text: String::new(),
            encoding: "binary",
            bom: false,
            bad_bytes: 0,
            binary: true,
            lines: vec![LineMark {
                text: 0,
                raw: 0,
                clean: true,
            }],
            raw_len: raw.len(),
            encoder: UTF_8,
        };
    }
    if let Ok(text) = std::str::from_utf8(raw) {
        return valid_utf8(text.to_owned());
    }
    // Mostly-valid UTF-8 with a few damaged bytes is still UTF-8: GB18030 text read as
    // UTF-8 fails on nearly every character, so a low error rate settles it.
    let (good_wide, bad) = utf8_quality(raw);
    if bad * 100 <= raw.len() || good_wide >= 4 * bad {
        return decode_with(raw, UTF_8, 0);
    }
    let guess = sniff(raw);
    let first = decode_with(raw, guess, 0);
    // chardetng can mistake one CJK legacy encoding for the other on short or mixed input:
    // when the guess leaves undecodable bytes, keep whichever candidate leaves fewer.
    if first.bad_bytes == 0 {
        return first;
    }
    [GB18030, BIG5, UTF_8]
        .into_iter()
        .filter(|e| *e != guess)
        .map(|e| decode_with(raw, e, 0))
        .fold(first, |best, d| if d.bad_bytes < best.bad_bytes { d } else { best })
}

/// Valid non-ASCII UTF-8 characters and invalid bytes, counted without decoding.
fn utf8_quality(raw: &[u8]) -> (usize, usize) {
    let (mut wide, mut bad) = (0, 0);
    for chunk in raw.utf8_chunks() {
        wide += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        bad += chunk.invalid().len();
    }
    (wide, bad)
}

fn sniff(raw: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let prefix = &raw[..raw.len().min(SNIFF_BYTES)];
    det.feed(prefix, prefix.len() == raw.len());
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    // GBK and GB2312 text is GB18030 text; GB18030 decodes strictly more.
    if enc == encoding_rs::GBK {
        GB18030
    } else {
        enc
    }
}

/// NUL bytes or many C0 control bytes near the start mean this is not a text dump.
fn looks_binary(raw: &[u8]) -> bool {
    let head = &raw[..raw.len().min(8192)];
    if head.is_empty() {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    head.contains(&0) || controls * 20 > head.len()
}

fn decode_with(raw: &[u8], enc: &'static Encoding, bom_len: usize) -> Decoded {
    let wide = enc == UTF_16LE || enc == UTF_16BE;
    let body = &raw[bom_len..];
    let mut text = String::with_capacity(body.len() + body.len() / 2);
    let mut lines = Vec::new();
    let mut bad = 0;
    let mut pos = 0;
    while pos < body.len() {
        let end = if wide {
            wide_line_end(body, pos, enc == UTF_16LE)
        } else {
            byte_line_end(body, pos)
        };
        let at = text.len();
        let line_bad = decode_line(enc, &body[pos..end], &mut text);
        lines.push(LineMark {
            text: at,
            raw: bom_len + pos,
            clean: line_bad == 0,
        });
        bad += line_bad;
        pos = end;
    }
    if lines.is_empty() {
        lines.push(LineMark {
            text: 0,
            raw: bom_len,
            clean: true,
        });
    }
    Decoded {
        text,
        encoding: enc.name(),
        bom: bom_len > 0,
        bad_bytes: bad,
        binary: false,
        lines,
        raw_len: raw.len(),
        encoder: enc.output_encoding(),
    }
}

/// Where the line starting at `pos` ends, or a checkpoint inside a long line: after
/// [`CHECKPOINT_BYTES`], the next space, tab, `<` or `>` ends the piece, since those bytes are
/// never part of a multi-byte character in UTF-8, GB18030 or Big5. Without checkpoints,
/// mapping many offsets inside one long line (minified HTML) would be quadratic.
fn byte_line_end(body: &[u8], pos: usize) -> usize {
    let end = memchr::memchr(b'\n', &body[pos..]).map_or(body.len(), |i| pos + i + 1);
    if end - pos <= 2 * CHECKPOINT_BYTES {
        return end;
    }
    let from = pos + CHECKPOINT_BYTES;
    body[from..end]
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'<' | b'>'))
        .map_or(end, |i| from + i + 1)
}

fn wide_line_end(body: &[u8], pos: usize, le: bool) -> usize {
    let mut i = pos;
    while i + 1 < body.len() {
        let nl = if le {
            body[i] == b'\n' && body[i + 1] == 0
        } else {
            body[i] == 0 && body[i + 1] == b'\n'
        };
        i += 2;
        if nl {
            return i;
        }
    }
    body.len()
}

/// Decodes one line, appending to `out`; returns how many bytes were undecodable.
fn decode_line(enc: &'static Encoding, line: &[u8], out: &mut String) -> usize {
    let mut dec = enc.new_decoder_without_bom_handling();
    let mut bad = 0;
    let mut src = line;
    out.reserve(
        dec.max_utf8_buffer_length_without_replacement(src.len())
            .unwrap_or(src.len() * 3),
    );
    loop {
        let (res, read) = dec.decode_to_string_without_replacement(src, out, true);
        src = &src[read..];
        match res {
            DecoderResult::InputEmpty => return bad,
            DecoderResult::OutputFull => out.reserve(src.len() * 3 + 16),
            DecoderResult::Malformed(len, _) => {
                bad += len as usize;
                out.push('\u{FFFD}');
            }
        }
    }
}

impl Decoded {
    /// Length of the raw input in bytes (after gzip, before decoding).
    pub fn raw_len(&self) -> usize {
        self.raw_len
    }

    /// The raw byte offset of text offset `at` (which must lie on a char boundary).
    pub fn raw_offset(&self, at: usize) -> usize {
        let at = at.min(self.text.len());
        let i = self.lines.partition_point(|m| m.text <= at).saturating_sub(1);
        let mark = self.lines[i];
        let (next_text, next_raw) = self
            .lines
            .get(i + 1)
            .map_or((self.text.len(), self.raw_len), |m| (m.text, m.raw));
        // Encode the shorter side of `at` within its line: span ends sit at line ends, and
        // encoding whole lines again was a tenth of ingest time on GB18030 pages. A line with
        // undecodable bytes is measured from its start only, so offsets stay monotone.
        if at - mark.text <= next_text - at || !mark.clean {
            (mark.raw + self.encoded_len(&self.text[mark.text..at])).min(next_raw)
        } else {
            next_raw
                .saturating_sub(self.encoded_len(&self.text[at..next_text]))
                .max(mark.raw)
        }
    }

    /// The text offset (a char boundary) whose raw offset is the first at or past `raw`:
    /// the inverse of [`Decoded::raw_offset`], for showing stored raw spans in the text.
    pub fn text_offset(&self, raw: usize) -> usize {
        let i = self.lines.partition_point(|m| m.raw <= raw).saturating_sub(1);
        let Some(mark) = self.lines.get(i) else { return 0 };
        let end = self.lines.get(i + 1).map_or(self.text.len(), |m| m.text);
        // Lines are cut at most a few KB apart, so a binary search within one is cheap.
        let starts: Vec<usize> = self.text[mark.text..end]
            .char_indices()
            .map(|(o, _)| mark.text + o)
            .chain(std::iter::once(end))
            .collect();
        let k = starts.partition_point(|&t| self.raw_offset(t) < raw);
        starts.get(k).copied().unwrap_or(end)
    }

    /// The raw byte span that text span `span` was decoded from.
    pub fn raw_span(&self, span: Span) -> Span {
        Span::new(self.raw_offset(span.start), self.raw_offset(span.end))
    }

    /// Bytes `s` takes in the source encoding; exact for text decoded without error. U+FFFD
    /// stood for an undecodable sequence and counts as one byte.
    fn encoded_len(&self, s: &str) -> usize {
        if self.encoding == UTF_16LE.name() || self.encoding == UTF_16BE.name() {
            // (encoding_rs encodes nothing to UTF-16: its output encoding is UTF-8)
            return s.encode_utf16().count() * 2;
        }
        if self.encoder == UTF_8 || s.is_ascii() {
            return s.len();
        }
        let Some(table) = char_lengths(self.encoder) else {
            let (bytes, _, _) = self.encoder.encode(s);
            return bytes.len()
                - s.matches('\u{FFFD}').count() * (self.encoder.encode("\u{FFFD}").0.len().saturating_sub(1));
        };
        s.chars()
            .map(|c| match c {
                '\u{FFFD}' => 1,
                c if (c as u32) < 0x10000 => {
                    let cell = &table[c as usize];
                    match cell.load(Ordering::Relaxed) {
                        0 => {
                            let n = self.encoder.encode(c.encode_utf8(&mut [0; 4])).0.len().min(255);
                            cell.store(n as u8, Ordering::Relaxed);
                            n
                        }
                        n => n as usize,
                    }
                }
                c => self.encoder.encode(c.encode_utf8(&mut [0; 4])).0.len(),
            })
            .sum()
    }
}

/// Bytes each BMP character takes in GB18030 or Big5 (what `Encoding::encode` gives it; 0
/// until first asked): summing these is many times faster than encoding the text again,
/// which span mapping did for every span end. Filled as characters come, because encoding
/// all 65,536 up front took longer than mapping the spans of a whole folder.
fn char_lengths(enc: &'static Encoding) -> Option<&'static [AtomicU8]> {
    use std::sync::OnceLock;
    static GB: OnceLock<Box<[AtomicU8]>> = OnceLock::new();
    static B5: OnceLock<Box<[AtomicU8]>> = OnceLock::new();
    let cell = if enc == GB18030 {
        &GB
    } else if enc == BIG5 {
        &B5
    } else {
        return None;
    };
    Some(cell.get_or_init(|| (0..0x10000).map(|_| AtomicU8::new(0)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(raw: &[u8], d: &Decoded) {
        // Every line start and every char boundary maps to a raw offset that decodes to the same suffix.
        for (i, _) in d.text.char_indices().step_by(7) {
            let r = d.raw_offset(i);
            assert_eq!(d.text_offset(r), i, "text_offset inverts raw_offset at {i}");
            assert!(r <= raw.len());
        }
        assert_eq!(d.raw_offset(d.text.len()), raw.len());
    }

    #[test]
    fn decode_vec_agrees_with_decode() {
        let samples: [&[u8]; 5] = [
            "本报讯 江川大桥通车。\n".as_bytes(),
            b"\xef\xbb\xbf\xe6\x9c\xac\xe6\x8a\xa5\n",
            b"\xb1\xbe\xb1\xa8\xd1\xb6 \xbd\xad\xb4\xa8\n",
            b"\x00\x01\x02\x03binary\x00\x00",
            b"",
        ];
        for raw in samples {
            let (a, b) = (decode(raw), decode_vec(raw.to_vec()));
            assert_eq!(
                (&a.text, a.encoding, a.bom, a.binary),
                (&b.text, b.encoding, b.bom, b.binary)
            );
            if !b.binary {
                roundtrip(raw, &b);
            }
        }
    }

    #[test]
    fn utf16_offsets_count_two_bytes_a_unit() {
        let text = "本报讯\n江川 bridge 𠀀。\n";
        let mut raw = vec![0xFF, 0xFE];
        raw.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let d = decode(&raw);
        assert_eq!(d.encoding, "UTF-16LE");
        let at = d.text.find("bridge").unwrap();
        let want = 2 + 2 * d.text[..at].encode_utf16().count();
        assert_eq!(d.raw_offset(at), want);
        roundtrip(&raw, &d);
    }

    #[test]
    fn table_lengths_match_the_encoder() {
        let s = "本报讯 江川大橋「開張」\u{00A0}䶮 €𠀀 abc，。";
        for enc in [GB18030, BIG5] {
            let d = decode_with(&enc.encode("本报").0, enc, 0);
            for c in s.chars().filter(|&c| (c as u32) < 0x10000) {
                let want = enc.encode(c.encode_utf8(&mut [0; 4])).0.len();
                let c = c.to_string();
                // The first call fills the cell, the second reads it.
                assert_eq!(d.encoded_len(&c), want, "{} {c}", enc.name());
                assert_eq!(d.encoded_len(&c), want, "{} {c} again", enc.name());
            }
        }
    }

    #[test]
    fn utf8_plain_and_bom() {
        let d = decode("本报北京10月1日电\n正文".as_bytes());
        assert_eq!(d.encoding, "UTF-8");
        assert!(!d.bom);
        let mut raw = vec![0xEF, 0xBB, 0xBF];
        raw.extend_from_slice("标题\n正文".as_bytes());
        let d = decode(&raw);
        assert!(d.bom);
        assert_eq!(d.text, "标题\n正文");
        assert_eq!(d.raw_offset(0), 3);
        assert_eq!(d.raw_offset("标题\n".len()), 3 + "标题\n".len());
        roundtrip(&raw, &d);
    }

    #[test]
    fn gb18030_maps_back_to_raw_bytes() {
        let text = "人民日报 2019年10月2日 星期三 第03版\n　　新华社北京10月1日电  中华人民共和国。\n第二行";
        let (raw, _, _) = GB18030.encode(text);
        let d = decode(&raw);
        assert_eq!(d.encoding, "gb18030");
        assert_eq!(d.text, text);
        assert_eq!(d.bad_bytes, 0);
        let at = text.find("新华社").unwrap();
        let r = d.raw_offset(at);
        let (prefix, _, _) = GB18030.encode(&text[..at]);
        assert_eq!(r, prefix.len());
        roundtrip(&raw, &d);
    }

    #[test]
    fn long_lines_get_checkpoints() {
        let text = "<p>中华人民共和国成立七十周年</p> ".repeat(2000);
        let (raw, _, _) = GB18030.encode(&text);
        let d = decode(&raw);
        assert_eq!(d.text, text);
        assert!(d.lines.len() > 10, "{} checkpoints", d.lines.len());
        for (i, _) in text.char_indices().step_by(997) {
            let (prefix, _, _) = GB18030.encode(&text[..i]);
            assert_eq!(d.raw_offset(i), prefix.len());
        }
    }

    #[test]
    fn big5_traditional() {
        let text = "中央社記者台北10日電，行政院今天召開會議，討論經濟發展與國際貿易的問題。\n這是第二段。";
        let (raw, _, _) = BIG5.encode(text);
        let d = decode(&raw);
        assert_eq!(d.encoding, "Big5");
        assert_eq!(d.text, text);
    }

    #[test]
    fn utf16_with_bom() {
        let mut raw = vec![0xFF, 0xFE];
        for u in "第一行\n第二行".encode_utf16() {
            raw.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&raw);
        assert_eq!(d.encoding, "UTF-16LE");
        assert_eq!(d.text, "第一行\n第二行");
        assert_eq!(d.raw_offset("第一行\n".len()), 2 + 8);
        roundtrip(&raw, &d);
    }

    #[test]
    fn invalid_bytes_are_counted_not_fatal() {
        let mut raw = "一段正常的中文新闻文本，其中夹着几个损坏的字节。".as_bytes().to_vec();
        raw.extend_from_slice(&[0xFF, 0xFE, 0xFD]);
        raw.extend_from_slice("\n下一行".as_bytes());
        let d = decode(&raw);
        assert!(d.bad_bytes > 0);
        assert!(d.text.contains("下一行"));
        roundtrip(&raw, &d);
    }

    #[test]
    fn binary_is_flagged() {
        let d = decode(&[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3]);
        assert!(d.binary);
        assert!(d.text.is_empty());
    }

    #[test]
    fn gzip_is_unwrapped() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all("压缩的文本".as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(&*gunzip(&gz).unwrap(), "压缩的文本".as_bytes());
        assert!(gunzip(&[0x1f, 0x8b, 1, 2]).is_err());
        assert_eq!(&*gunzip(b"plain").unwrap(), b"plain");
    }
}
