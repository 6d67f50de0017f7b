//! `baoku`: turn raw Chinese news dumps into a clean, linked, searchable archive.

mod chart;
mod cli;
mod config;
mod ingest;
mod output;
mod search;
mod serve;

fn main() {
    let cli = cli::Cli::from_args();
    if let Err(e) = run(cli) {
        // `baoku articles | head`: the reader left; that is not an error.
        let closed = e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        });
        if closed {
            return;
        }
        eprintln!("error: {e}");
        for cause in e.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        std::process::exit(2);
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<()> {
    let addr = match &cli.command {
        cli::Command::Serve { addr, .. } => addr.clone(),
        _ => None,
    };
    let config = config::resolve(&cli, addr.as_deref(), &std::env::current_dir()?)?;
    let db = config.db.clone();
    match cli.command {
        cli::Command::Ingest(args) => ingest::run(&db, &args),
        cli::Command::Link => ingest::link(&db),
        cli::Command::Files { json } => output::files(&db, json),
        cli::Command::Articles { json } => output::articles(&db, json),
        cli::Command::Search(args) => search::search(&db, &args),
        cli::Command::Reindex => search::reindex(&db),
        cli::Command::Trends {
            terms,
            by,
            count,
            json,
            svg,
        } => search::trends(&db, &terms, &by, &count, json, svg.as_deref()),
        cli::Command::Serve { ingest, .. } => serve::run(&db, &config.addr, ingest),
        cli::Command::Show { id, raw, json } => output::show(&db, id, raw, json),
        cli::Command::Stories { json, all } => output::stories(&db, json, all),
        cli::Command::Story { id, json } => output::story(&db, id, json),
        cli::Command::Diff { a, b, strict, json } => output::diff(&db, a, b, strict, json),
    }
}
