//! `bench-refs`: the reference points the harness measures Portcullis against, on the
//! same machine, in the same session, with the same load generator.
//!
//! - `--mode plain`: a bare actix-web handler answering a small JSON (what the HTTP
//!   stack alone costs).
//! - `--mode verify`: the same handler after verifying the HS256 Bearer token with
//!   jsonwebtoken (the floor of any JWT-authenticated endpoint).
//! - `--mode raw`: one Redis EVAL and one Postgres single-row UPDATE per request (the
//!   round trips a refresh-token rotation cannot avoid).
//! - `--mode hash-time`: times bcrypt verifications on `--threads` threads at once (one
//!   per core by default) and prints one `hash_time` sample (the login ceiling is cores
//!   ÷ that time).
//!
//! Servers run like Portcullis does: a multi-threaded Tokio runtime under actix-web's
//! default worker count, bound to 127.0.0.1. They answer `GET /health` for readiness.

mod hash_time;
mod raw;
mod verify;

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Plain,
    Verify,
    Raw,
    HashTime,
}

/// Reference servers and timings for the Portcullis benchmark.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// What to run.
    #[arg(long, value_enum)]
    mode: Mode,
    /// Port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// HS256 secret of the tokens `verify` accepts (the server's JWT_SECRET).
    #[arg(long, env = "BENCH_JWT_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// `iss` the tokens must carry (the server's JWT_ISSUER).
    #[arg(long, default_value = "portcullis")]
    issuer: String,
    /// `aud` the tokens must carry (the server's JWT_AUDIENCE).
    #[arg(long, default_value = "portcullis")]
    audience: String,
    /// Postgres database of the `raw` table.
    #[arg(long, env = "BENCH_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Redis of the `raw` keys.
    #[arg(long, env = "BENCH_REDIS_URL")]
    redis_url: Option<String>,
    /// Prefix of the `raw` Redis keys.
    #[arg(long, default_value = "bench:raw:")]
    redis_prefix: String,
    /// Rows of the `raw` table (ids 1..=rows).
    #[arg(long, default_value_t = 2000)]
    rows: i32,
    /// Postgres pool size of `raw` (Portcullis's default is 16).
    #[arg(long, default_value_t = 16)]
    pool_size: usize,
    /// bcrypt cost for `hash-time`.
    #[arg(long, default_value_t = 12)]
    cost: u32,
    /// Verifications timed by `hash-time`, per thread.
    #[arg(long, default_value_t = 3)]
    iterations: u32,
    /// Threads verifying at once in `hash-time` (default: one per core).
    #[arg(long)]
    threads: Option<u32>,
    /// Run number written into the `hash-time` sample.
    #[arg(long, default_value_t = 1)]
    run: u32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let addr = ("127.0.0.1", args.port);
    match args.mode {
        Mode::Plain => verify::serve_plain(addr).await,
        Mode::Verify => {
            let secret = args
                .secret
                .ok_or_else(|| anyhow::anyhow!("--secret (or BENCH_JWT_SECRET) is required"))?;
            verify::serve_verify(addr, &secret, &args.issuer, &args.audience).await
        }
        Mode::Raw => {
            let database_url = args.database_url.ok_or_else(|| {
                anyhow::anyhow!("--database-url (or BENCH_DATABASE_URL) is required")
            })?;
            let redis_url = args
                .redis_url
                .ok_or_else(|| anyhow::anyhow!("--redis-url (or BENCH_REDIS_URL) is required"))?;
            let settings = raw::Settings {
                database_url,
                redis_url,
                redis_prefix: args.redis_prefix,
                rows: args.rows,
                pool_size: args.pool_size,
            };
            raw::serve(addr, settings).await
        }
        Mode::HashTime => {
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            let threads = args
                .threads
                .unwrap_or_else(|| u32::try_from(cores).unwrap_or(1));
            hash_time::run(args.cost, args.iterations, threads, args.run).await
        }
    }
}
