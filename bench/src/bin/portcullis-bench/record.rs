//! Appending measurements to `samples.jsonl`, with a one-line echo on stderr.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use portcullis_bench::proc_status;
use portcullis_bench::{Sample, WrkStats};

const WATCH_INTERVAL: Duration = Duration::from_millis(200);

fn append(samples: &Path, sample: &Sample) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(samples)
        .with_context(|| format!("opening {}", samples.display()))?;
    writeln!(file, "{}", serde_json::to_string(sample)?)?;
    Ok(())
}

pub fn wrk(
    samples: &Path,
    label: String,
    run: u32,
    command: String,
    output: &Path,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(output)
        .with_context(|| format!("reading the wrk output {}", output.display()))?;
    let stats = WrkStats::from_output(&text)
        .with_context(|| format!("{label} run {run}: see {}", output.display()))?;
    eprintln!(
        "bench:   [{label} #{run}] {:.1} req/s, p50 {:.2} ms, p99 {:.2} ms, {} requests, {} errors",
        stats.requests_per_sec(),
        stats.p50_us / 1000.0,
        stats.p99_us / 1000.0,
        stats.requests,
        stats.errors()
    );
    if stats.errors() > 0 {
        eprintln!(
            "bench:   warning: {label} #{run} had failed requests (see {})",
            output.display()
        );
    }
    append(
        samples,
        &Sample::Wrk {
            label,
            run,
            command,
            stats,
        },
    )
}

pub async fn memory(
    samples: &Path,
    label: String,
    run: u32,
    pid: u32,
    watch_secs: f64,
) -> anyhow::Result<()> {
    let watch = Duration::try_from_secs_f64(watch_secs.max(0.0)).unwrap_or(Duration::ZERO);
    let start = Instant::now();
    let mut memory = proc_status::read(pid).with_context(|| format!("reading pid {pid}"))?;
    let mut largest = memory.rss_kib;
    // Bounded by time and, in case the clock misbehaves, by count.
    let max_reads = watch.as_millis() / WATCH_INTERVAL.as_millis() + 1;
    for _ in 0..max_reads {
        if start.elapsed() >= watch {
            break;
        }
        tokio::time::sleep(WATCH_INTERVAL).await;
        memory = proc_status::read(pid).with_context(|| format!("reading pid {pid}"))?;
        largest = largest.max(memory.rss_kib);
    }
    eprintln!(
        "bench:   [memory {label} #{run}] VmRSS {:.1} MiB (VmHWM {:.1} MiB)",
        largest as f64 / 1024.0,
        memory.hwm_kib as f64 / 1024.0
    );
    append(
        samples,
        &Sample::Memory {
            label,
            run,
            rss_kib: largest,
            hwm_kib: memory.hwm_kib,
        },
    )
}
