//! Command-line arguments: flag, else `BAOKU_*` environment; [`crate::config`] adds
//! `baoku.toml` and the defaults.

use std::path::PathBuf;

use baoku_store::prepare::STREAM_BYTES;
use clap::{Args, Parser, Subcommand};

/// baoku (报库): a clean, linked, searchable archive of Chinese news dumps.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Data directory [default: `db` in baoku.toml, else ./baoku-data].
    #[arg(long, global = true, env = "BAOKU_DB")]
    pub db: Option<PathBuf>,
    /// Settings file [default: ./baoku.toml when there is one].
    #[arg(long, global = true, env = "BAOKU_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments. `search`'s query takes words that begin with `-`
    /// (exclusions), which would make clap read options after the query as query words;
    /// so its `--` options are moved in front of the query first.
    pub fn from_args() -> Cli {
        Cli::parse_from(options_first(std::env::args_os().collect()))
    }
}

/// `baoku search 江川 -新华社 --limit 5` → `baoku search --limit 5 江川 -新华社`: every
/// `--option` (with its value) after `search` goes before the query words; a bare `--`
/// ends the options.
pub fn options_first(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if !args.iter().any(|a| a == "search") {
        return args;
    }
    let mut cmd = <Cli as clap::CommandFactory>::command();
    cmd.build();
    let search = cmd.find_subcommand("search").expect("search is a command");
    let takes_value = |name: &str| {
        search
            .get_arguments()
            .any(|a| a.get_long() == Some(name) && a.get_action().takes_values())
    };
    // The command is the first word after the global options (`--db DIR`).
    let mut at = 1;
    while let Some(name) = args.get(at).and_then(|a| a.to_str()).and_then(|a| a.strip_prefix("--")) {
        at += if !name.contains('=') && takes_value(name) { 2 } else { 1 };
    }
    if args.get(at).is_none_or(|a| a != "search") {
        return args;
    }
    let (mut options, mut words) = (Vec::new(), Vec::new());
    let mut rest = args[at + 1..].iter().cloned();
    while let Some(a) = rest.next() {
        let s = a.to_string_lossy();
        if s == "--" {
            words.push(a);
            words.extend(rest.by_ref());
        } else if let Some(name) = s.strip_prefix("--") {
            let value = !name.contains('=') && takes_value(name);
            options.push(a);
            if value {
                options.extend(rest.next());
            }
        } else {
            words.push(a);
        }
    }
    let mut out = args[..=at].to_vec();
    out.extend(options);
    out.extend(words);
    out
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read files and folders (txt, html, jsonl, any of them .gz) into the archive.
    Ingest(IngestArgs),
    /// Link articles not yet in a story (after `ingest --no-link`).
    Link,
    /// Per file: path, size, hash, encoding, undecodable bytes, articles, warnings, error.
    Files {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Every article; with --json one JSON object per line.
    Articles {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Stories: versions of one piece of writing (reprints, edits, excerpts, other script).
    Stories {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// List single-version stories too.
        #[arg(long)]
        all: bool,
    },
    /// One story's versions in date order, with outlets and relations.
    Story {
        /// Story id.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Character-level diff of two articles, aligned by paragraph.
    Diff {
        /// First article id.
        a: i64,
        /// Second article id.
        b: i64,
        /// Report script and width differences as changes too.
        #[arg(long)]
        strict: bool,
        /// Print the diff operations as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Full-text search, script- and width-blind; any substring of the text is found.
    Search(SearchArgs),
    /// Rebuild the search index from the store.
    Reindex,
    /// How often terms occur per month, year or outlet, counted per story or per article.
    Trends {
        /// Terms (each a query: words, "phrases", -exclusions); simplified or traditional.
        #[arg(required = true)]
        terms: Vec<String>,
        /// Periods.
        #[arg(long, default_value = "month", value_parser = ["month", "year", "outlet"])]
        by: String,
        /// Count each story once, or every article (reprints included).
        #[arg(long, default_value = "stories", value_parser = ["stories", "articles"])]
        count: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Also write the chart as SVG to this file.
        #[arg(long)]
        svg: Option<PathBuf>,
    },
    /// Serve the JSON API and the web page.
    Serve {
        /// Address to listen on [default: `serve.addr` in baoku.toml, else 127.0.0.1:7878].
        #[arg(long, env = "BAOKU_ADDR")]
        addr: Option<String>,
        /// Files or folders to ingest in the background while serving.
        #[arg(long, num_args = 1..)]
        ingest: Vec<PathBuf>,
    },
    /// One article.
    Show {
        /// Article id.
        id: i64,
        /// Print the exact source text the article was made from.
        #[arg(long)]
        raw: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `baoku ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files and folders (folders are read recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print one JSON report per file instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Do not link the new articles into stories now (bulk loads: run `baoku link` once after).
    #[arg(long)]
    pub no_link: bool,
    /// Do not update the search index now (bulk loads: the next search or `baoku reindex`
    /// builds it).
    #[arg(long)]
    pub no_index: bool,
    /// Files per transaction; a crash loses at most the batch being written.
    #[arg(long, default_value_t = BATCH_FILES, hide = true)]
    pub batch_files: usize,
    /// Megabytes per transaction.
    #[arg(long, default_value_t = BATCH_MB, hide = true)]
    pub batch_mb: usize,
    /// JSONL files of this many megabytes (on disk) or more are read as they are written.
    #[arg(long, default_value_t = STREAM_BYTES >> 20, hide = true)]
    pub stream_mb: usize,
}

/// Files per batch. Batches are small so that reading and splitting one overlaps writing the
/// one before (pages-dev: 4 MB batches ingest in 0.6–0.8 s, one 15 MB batch in 0.9–1.0 s).
const BATCH_FILES: usize = 500;
/// Megabytes per batch.
const BATCH_MB: usize = 4;

impl IngestArgs {
    /// An ingest of `paths` with every option at its default.
    pub fn new(paths: Vec<PathBuf>) -> IngestArgs {
        IngestArgs {
            paths,
            json: false,
            no_link: false,
            no_index: false,
            batch_files: BATCH_FILES,
            batch_mb: BATCH_MB,
            stream_mb: STREAM_BYTES >> 20,
        }
    }
}

/// Arguments of `baoku search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words (all required), "quoted phrases", -excluded words; simplified or traditional.
    #[arg(required = true, allow_hyphen_values = true)]
    pub query: Vec<String>,
    /// One JSON object per hit.
    #[arg(long)]
    pub json: bool,
    /// Most hits.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Earliest date (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Latest date (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// Only this agency or outlet (as `baoku articles` shows it).
    #[arg(long)]
    pub source: Option<String>,
    /// Only this language.
    #[arg(long, value_parser = ["zh", "en"])]
    pub lang: Option<String>,
    /// Best match first, or newest first.
    #[arg(long, default_value = "relevance", value_parser = ["relevance", "date"])]
    pub sort: String,
    /// List every matching article instead of one per story.
    #[arg(long)]
    pub all_versions: bool,
}

#[cfg(test)]
mod options_first_tests {
    use super::options_first;

    fn reorder(args: &str) -> String {
        let args = args.split(' ').map(Into::into).collect();
        let out: Vec<String> = options_first(args)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        out.join(" ")
    }

    #[test]
    fn search_options_move_before_the_query() {
        assert_eq!(
            reorder("baoku --db d search 江川 -新华社 --limit 5 --json --from=2020-01-01"),
            "baoku --db d search --limit 5 --json --from=2020-01-01 江川 -新华社"
        );
        assert_eq!(reorder("baoku search 江川 -- --json"), "baoku search 江川 -- --json");
        assert_eq!(reorder("baoku articles --json"), "baoku articles --json");
        assert_eq!(
            reorder("baoku trends search --by month"),
            "baoku trends search --by month"
        );
        assert_eq!(
            reorder("baoku --db search search 江川 --json"),
            "baoku --db search search --json 江川"
        );
    }
}
