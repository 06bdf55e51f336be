//! `hash-time`: how long one bcrypt verification takes here while every core runs one
//! (so the ceiling `cores ÷ time` is what the machine can actually do right now, other
//! load and frequency scaling included).

use std::io::Write as _;
use std::time::Instant;

use anyhow::Context as _;
use portcullis_bench::Sample;
use portcullis_bench::stats::median;

const PASSWORD: &str = "bench-password-of-a-usual-length";

pub async fn run(cost: u32, iterations: u32, threads: u32, run: u32) -> anyhow::Result<()> {
    let hash = bcrypt::non_truncating_hash(PASSWORD, cost).context("hashing")?;
    let threads = threads.max(1);
    let per_thread = iterations.max(1);
    let mut workers = Vec::new();
    for _ in 0..threads {
        let hash = hash.clone();
        // Off the async workers, as the server does it.
        workers.push(tokio::task::spawn_blocking(move || {
            time_verifications(&hash, per_thread)
        }));
    }
    let mut times_ms = Vec::new();
    for worker in workers {
        times_ms.extend(worker.await??);
    }
    let sample = Sample::HashTime {
        run,
        cost,
        threads,
        iterations: u32::try_from(times_ms.len()).unwrap_or(u32::MAX),
        median_ms: median(&times_ms).unwrap_or(0.0),
    };
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string(&sample)?
    )?;
    Ok(())
}

fn time_verifications(hash: &str, iterations: u32) -> anyhow::Result<Vec<f64>> {
    let mut times_ms = Vec::new();
    for _ in 0..iterations {
        let start = Instant::now();
        let ok = bcrypt::non_truncating_verify(PASSWORD, hash).context("verifying")?;
        times_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(ok, "bcrypt did not verify its own hash");
    }
    Ok(times_ms)
}
