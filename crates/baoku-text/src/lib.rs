//! Pure text processing for baoku: no disk, no threads, every stage a function of its input.
//!
//! The stages follow the data flow of a raw news dump:
//! [`decode`](decode::decode) bytes into text with a map back to raw bytes,
//! [`split`](split::split_page) a page dump into pieces and page furniture,
//! [`stitch`](stitch::stitch) continued pieces across pages and files into articles, and
//! describe each article (headline, date, dateline, agency, reporters, language, script).
//! JSON Lines records and HTML pages take their own routes ([`jsonl`], [`html`]) to the same
//! [`Article`].
//!
//! ```
//! use baoku_text::{decode::decode, split::split_page, stitch::stitch};
//! let raw = "人民日报 2019年10月2日 星期三 第03版\n江川大桥建成通车\n　　本报江川10月1日电  （记者王小明）江川大桥今天建成通车。\n".as_bytes();
//! let decoded = decode(raw);
//! let page = split_page("page.txt", &decoded.text);
//! let articles = stitch(&[page]);
//! assert_eq!(articles[0].headline, "江川大桥建成通车");
//! assert_eq!(articles[0].date.as_deref(), Some("2019-10-02"));
//! ```
#![warn(missing_docs)]

pub mod decode;
pub mod describe;
pub mod diff;
pub mod fingerprint;
pub mod highlight;
pub mod html;
pub mod issue_date;
pub mod jsonl;
pub mod link;
pub mod model;
pub mod normalize;
pub mod query;
pub mod split;
pub mod stitch;
pub mod tokenize;
pub mod translate;
pub mod variant;

pub use model::{Article, Furniture, FurnitureKind, SourceSpan, Span};
