//! `hash-time`: how long one bcrypt verification takes here, on one thread.

use std::io::Write as _;
use std::time::Instant;

use anyhow::Context as _;
use portcullis_bench::Sample;
use portcullis_bench::stats::median;

const PASSWORD: &str = "bench-password-of-a-usual-length";

pub async fn run(cost: u32, iterations: u32) -> anyhow::Result<()> {
    // Off the async workers, as the server does it.
    let sample = tokio::task::spawn_blocking(move || measure(cost, iterations)).await??;
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string(&sample)?
    )?;
    Ok(())
}

fn measure(cost: u32, iterations: u32) -> anyhow::Result<Sample> {
    let hash = bcrypt::non_truncating_hash(PASSWORD, cost).context("hashing")?;
    let mut times_ms = Vec::new();
    for _ in 0..iterations.max(1) {
        let start = Instant::now();
        let ok = bcrypt::non_truncating_verify(PASSWORD, &hash).context("verifying")?;
        times_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(ok, "bcrypt did not verify its own hash");
    }
    Ok(Sample::HashTime {
        cost,
        iterations: iterations.max(1),
        median_ms: median(&times_ms).unwrap_or(0.0),
    })
}
