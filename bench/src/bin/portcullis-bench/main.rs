//! `portcullis-bench`: the small tools `scripts/bench.sh` calls between `wrk` runs.
//! Each subcommand does one bounded thing and exits.

mod db;
mod net;
mod record;
mod report;
mod seed;

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Tools of the Portcullis benchmark harness (see scripts/bench.sh).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a database next to ADMIN_URL's and print its URL.
    CreateDb {
        /// A database URL of the server (e.g. TEST_DATABASE_URL).
        #[arg(long, env = "BENCH_ADMIN_DATABASE_URL", hide_env_values = true)]
        admin_url: String,
        /// Name of the new database.
        #[arg(long)]
        name: String,
    },
    /// Drop a database made by create-db (WITH (FORCE)).
    DropDb {
        /// A database URL of the server.
        #[arg(long, env = "BENCH_ADMIN_DATABASE_URL", hide_env_values = true)]
        admin_url: String,
        /// Name of the database.
        #[arg(long)]
        name: String,
    },
    /// Delete the Redis keys under a prefix.
    RedisCleanup {
        /// The Redis.
        #[arg(long)]
        redis_url: String,
        /// Every key starting with this is deleted.
        #[arg(long)]
        prefix: String,
    },
    /// Print a free TCP port of 127.0.0.1.
    FreePort,
    /// Wait until URL answers 2xx (at most --timeout-secs).
    WaitHttp {
        /// What to poll.
        #[arg(long)]
        url: String,
        /// Give up after this long.
        #[arg(long, default_value_t = 60)]
        timeout_secs: u64,
    },
    /// Register users through the API and keep their tokens.
    Seed(seed::SeedArgs),
    /// Append the stats of one wrk run to the samples.
    RecordWrk {
        /// samples.jsonl of the run.
        #[arg(long)]
        samples: PathBuf,
        /// What was measured.
        #[arg(long)]
        label: String,
        /// 1-based run number.
        #[arg(long)]
        run: u32,
        /// The wrk command (no secrets).
        #[arg(long)]
        command: String,
        /// The file wrk's output went to.
        #[arg(long)]
        output: PathBuf,
    },
    /// Append the resident memory of a process to the samples; with --watch-secs, the
    /// largest VmRSS seen while watching.
    RecordMemory {
        /// samples.jsonl of the run.
        #[arg(long)]
        samples: PathBuf,
        /// When it is taken.
        #[arg(long)]
        label: String,
        /// 1-based run number.
        #[arg(long)]
        run: u32,
        /// The process.
        #[arg(long)]
        pid: u32,
        /// Watch this many seconds (0: read once).
        #[arg(long, default_value_t = 0.0)]
        watch_secs: f64,
    },
    /// Print the table and save it as JSON.
    Report(report::ReportArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::CreateDb { admin_url, name } => {
            let url = db::create(&admin_url, &name).await?;
            writeln!(std::io::stdout().lock(), "{url}")?;
        }
        Command::DropDb { admin_url, name } => db::drop(&admin_url, &name).await?,
        Command::RedisCleanup { redis_url, prefix } => {
            let deleted = db::redis_cleanup(&redis_url, &prefix).await?;
            eprintln!("bench: deleted {deleted} Redis keys under {prefix}");
        }
        Command::FreePort => {
            let port = net::free_port()?;
            writeln!(std::io::stdout().lock(), "{port}")?;
        }
        Command::WaitHttp { url, timeout_secs } => net::wait_http(&url, timeout_secs).await?,
        Command::Seed(args) => seed::run(args).await?,
        Command::RecordWrk {
            samples,
            label,
            run,
            command,
            output,
        } => record::wrk(&samples, label, run, command, &output)?,
        Command::RecordMemory {
            samples,
            label,
            run,
            pid,
            watch_secs,
        } => record::memory(&samples, label, run, pid, watch_secs).await?,
        Command::Report(args) => report::run(args)?,
    }
    Ok(())
}
