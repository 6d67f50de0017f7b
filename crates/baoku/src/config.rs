//! Settings resolved once, at the edge: defaults, then `baoku.toml`, then `BAOKU_*`
//! environment variables and flags (clap gives the last two, the flag winning).
//!
//! ```toml
//! # baoku.toml, read from the current directory, or the file named by --config / BAOKU_CONFIG
//! db = "/srv/news/baoku-data"     # relative paths are relative to this file
//!
//! [serve]
//! addr = "0.0.0.0:7878"
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::cli::Cli;

/// The file looked for in the current directory when no `--config` is given.
pub const FILE: &str = "baoku.toml";
const DEFAULT_DB: &str = "baoku-data";
/// Where `baoku serve` listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7878";

/// What `baoku.toml` may hold; anything else in it is an error (a misspelt key must not be
/// silently ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileSettings {
    db: Option<PathBuf>,
    serve: ServeSettings,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ServeSettings {
    addr: Option<String>,
}

/// The resolved settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Data directory.
    pub db: PathBuf,
    /// Address `baoku serve` listens on.
    pub addr: String,
    /// The settings file that was read, if any.
    pub file: Option<PathBuf>,
}

/// Resolves the settings of one run: `cli` holds flags and environment; `cwd` is where
/// `baoku.toml` is looked for.
pub fn resolve(cli: &Cli, addr_flag: Option<&str>, cwd: &Path) -> Result<Config> {
    let path = match &cli.config {
        Some(p) => Some(p.clone()),
        None => Some(cwd.join(FILE)).filter(|p| p.is_file()),
    };
    let settings = match &path {
        Some(p) => read(p)?,
        None => FileSettings::default(),
    };
    // A relative `db` in the file is relative to the file, not to where baoku runs.
    let base = path.as_deref().and_then(Path::parent).unwrap_or(cwd);
    let db = cli
        .db
        .clone()
        .or_else(|| settings.db.map(|d| base.join(d)))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
    let addr = addr_flag
        .map(String::from)
        .or(settings.serve.addr)
        .unwrap_or_else(|| DEFAULT_ADDR.to_string());
    Ok(Config { db, addr, file: path })
}

fn read(path: &Path) -> Result<FileSettings> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading settings {}", path.display()))?;
    // toml's message names the line and column.
    toml::from_str(&text).with_context(|| format!("settings {}", path.display()))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from([&["baoku"], args].concat()).unwrap()
    }

    #[test]
    fn defaults_then_file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let c = resolve(&cli(&["files"]), None, dir.path()).unwrap();
        assert_eq!(
            (c.db, c.addr, c.file),
            (PathBuf::from(DEFAULT_DB), DEFAULT_ADDR.into(), None)
        );

        std::fs::write(
            dir.path().join(FILE),
            "db = \"news\"\n[serve]\naddr = \"0.0.0.0:9000\"\n",
        )
        .unwrap();
        let c = resolve(&cli(&["files"]), None, dir.path()).unwrap();
        assert_eq!(c.db, dir.path().join("news"));
        assert_eq!(c.addr, "0.0.0.0:9000");

        let c = resolve(&cli(&["--db", "other", "files"]), Some("127.0.0.1:1"), dir.path()).unwrap();
        assert_eq!((c.db, c.addr.as_str()), (PathBuf::from("other"), "127.0.0.1:1"));
    }

    #[test]
    fn a_bad_file_is_an_error_naming_it_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("my.toml");
        std::fs::write(&p, "db = \"x\"\ndatabase = \"y\"\n").unwrap();
        let e = resolve(&cli(&["--config", p.to_str().unwrap(), "files"]), None, dir.path()).unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("my.toml") && msg.contains("database") && msg.contains('2'),
            "{msg}"
        );
        let missing = dir.path().join("none.toml");
        let e = resolve(
            &cli(&["--config", missing.to_str().unwrap(), "files"]),
            None,
            dir.path(),
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("none.toml"));
    }
}
