//! Reduces the samples of one run to the table: medians per measurement, ratios to the
//! references taken in the same session, and the targets.
//!
//! Every number is the median over the runs. A ratio of two load measurements is the
//! median of the per-run ratios (the script interleaves the runs, so drift of a shared
//! machine hits both sides of a pair alike).

mod render;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::criterion_results::{self, Estimate};
use crate::machine::Machine;
use crate::sample::{Sample, label};
use crate::stats::{median, paired_ratio};

/// How the script ran: the settings the table states next to the numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// `full` or `quick`.
    pub mode: String,
    /// Runs per measurement.
    pub runs: u32,
    /// Seconds per load run.
    pub duration_s: u32,
    /// Sessions refreshing in the refresh scenario.
    pub sessions: u32,
    /// The bcrypt cost of the measured server.
    pub bcrypt_cost: u32,
    /// When the run started (UTC, RFC 3339).
    pub started_at: String,
    /// `wrk`'s version line.
    pub load_generator: String,
    /// How the measured server was started (environment, no secrets).
    pub server: String,
    /// Where the report is saved.
    pub saved_to: String,
    /// The commands that produced the run, besides the `wrk` lines of the samples.
    pub commands: Vec<String>,
    /// Whether the criterion micro-benchmarks ran (full mode).
    pub micro_benchmarks: bool,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The scenario number (1–6).
    pub section: u8,
    /// What was measured.
    pub name: String,
    /// Requests per second (median).
    pub rps: Option<f64>,
    /// Median latency in milliseconds (median over runs).
    pub p50_ms: Option<f64>,
    /// 99th percentile latency in milliseconds (median over runs).
    pub p99_ms: Option<f64>,
    /// Failed requests over all runs (error statuses, socket errors, time-outs).
    pub errors: Option<u64>,
    /// A value that is not a load figure: a ratio, a memory size, a time.
    pub value: Option<f64>,
    /// How `value` reads (`×`, `MB`, `µs`, ...).
    pub unit: String,
    /// The target for `value`, if it has one.
    pub target: Option<Target>,
}

/// A target of the issue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "bound", rename_all = "snake_case")]
pub enum Target {
    /// `value ≥ bound`.
    AtLeast(f64),
    /// `value ≤ bound`.
    AtMost(f64),
    /// `value < bound`.
    Below(f64),
}

impl Target {
    /// Whether `value` meets the target.
    pub fn met_by(self, value: f64) -> bool {
        match self {
            Self::AtLeast(bound) => value >= bound,
            Self::AtMost(bound) => value <= bound,
            Self::Below(bound) => value < bound,
        }
    }
}

impl Row {
    /// Whether the row's value meets its target; `None` without a target or a value.
    pub fn met(&self) -> Option<bool> {
        Some(self.target?.met_by(self.value?))
    }
}

/// The whole report: what is printed and saved as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// The run's settings.
    pub run: RunInfo,
    /// The table.
    pub rows: Vec<Row>,
    /// One `wrk` command per measurement (its first run).
    pub wrk_commands: Vec<(String, String)>,
    /// Every sample the rows were computed from.
    pub samples: Vec<Sample>,
}

/// Criterion benchmark ids of `benches/micro.rs`, with the row names.
pub const MICRO_BENCHES: [(&str, &str); 3] = [
    (
        "jwt_verify_hs256",
        "criterion: JwtCodec::verify (HS256 access token)",
    ),
    (
        "refresh_token_hash",
        "criterion: RefreshToken::hash (SHA-256)",
    ),
    (
        "rate_limit_check_memory",
        "criterion: MemoryRateLimiter::check",
    ),
];

/// The load figures of one label, in run order.
#[derive(Debug, Default)]
struct Series {
    rps: Vec<f64>,
    p50_ms: Vec<f64>,
    p99_ms: Vec<f64>,
    errors: u64,
}

impl Series {
    fn of(samples: &[Sample], wanted: &str) -> Self {
        let mut runs: Vec<_> = samples
            .iter()
            .filter_map(|s| match s {
                Sample::Wrk {
                    label, run, stats, ..
                } if label == wanted => Some((*run, stats)),
                _ => None,
            })
            .collect();
        runs.sort_by_key(|(run, _)| *run);
        let mut series = Self::default();
        for (_, stats) in runs {
            series.rps.push(stats.requests_per_sec());
            series.p50_ms.push(stats.p50_us / 1000.0);
            series.p99_ms.push(stats.p99_us / 1000.0);
            series.errors += stats.errors();
        }
        series
    }

    fn row(&self, section: u8, name: impl Into<String>) -> Row {
        let measured = !self.rps.is_empty();
        Row {
            section,
            name: name.into(),
            rps: median(&self.rps),
            p50_ms: median(&self.p50_ms),
            p99_ms: median(&self.p99_ms),
            errors: measured.then_some(self.errors),
            value: None,
            unit: String::new(),
            target: None,
        }
    }
}

fn value_row(
    section: u8,
    name: impl Into<String>,
    value: Option<f64>,
    unit: &str,
    target: Option<Target>,
) -> Row {
    Row {
        section,
        name: name.into(),
        rps: None,
        p50_ms: None,
        p99_ms: None,
        errors: None,
        value,
        unit: unit.to_owned(),
        target,
    }
}

fn memory_mib(samples: &[Sample], wanted: &str) -> Option<f64> {
    let values: Vec<f64> = samples
        .iter()
        .filter_map(|s| match s {
            Sample::Memory { label, rss_kib, .. } if label == wanted => {
                Some(*rss_kib as f64 / 1024.0)
            }
            _ => None,
        })
        .collect();
    median(&values)
}

/// The bcrypt verify time of each run, in run order (the mean when a run has several
/// samples, taken before and after its login load), and the cost they were taken at.
fn hash_times(samples: &[Sample]) -> (Option<u32>, Vec<f64>) {
    let mut by_run: Vec<(u32, u32, Vec<f64>)> = Vec::new();
    for sample in samples {
        if let Sample::HashTime {
            run,
            cost,
            median_ms,
            ..
        } = sample
        {
            match by_run.iter_mut().find(|(r, _, _)| r == run) {
                Some((_, _, times)) => times.push(*median_ms),
                None => by_run.push((*run, *cost, vec![*median_ms])),
            }
        }
    }
    by_run.sort_by_key(|(run, _, _)| *run);
    let cost = by_run.first().map(|(_, cost, _)| *cost);
    let times = by_run
        .into_iter()
        .map(|(_, _, times)| times.iter().sum::<f64>() / times.len() as f64)
        .collect();
    (cost, times)
}

impl Report {
    /// Builds the report from the samples of a run and the criterion estimates found
    /// under `criterion_home` (none in quick mode).
    pub fn build(
        machine: Machine,
        run: RunInfo,
        samples: Vec<Sample>,
        criterion_home: Option<&Path>,
    ) -> Self {
        let estimates: Vec<Option<Estimate>> = MICRO_BENCHES
            .iter()
            .map(|(id, _)| criterion_home.and_then(|home| criterion_results::read(home, id)))
            .collect();
        let rows = rows(&machine, &run, &samples, &estimates);
        let mut wrk_commands: Vec<(String, String)> = Vec::new();
        for sample in &samples {
            if let Sample::Wrk { label, command, .. } = sample
                && !wrk_commands.iter().any(|(l, _)| l == label)
            {
                wrk_commands.push((label.clone(), command.clone()));
            }
        }
        Self {
            machine,
            run,
            rows,
            wrk_commands,
            samples,
        }
    }

    /// The table and its header, as printed.
    pub fn render(&self) -> String {
        render::render(self)
    }

    /// Rows with a target, and whether each is met (`None`: not measured).
    pub fn targets(&self) -> impl Iterator<Item = (&Row, Option<bool>)> {
        self.rows
            .iter()
            .filter(|r| r.target.is_some())
            .map(|r| (r, r.met()))
    }

    /// What makes the run unusable: failed requests (a scenario that no longer works
    /// against the API measures errors, not the service) and measurements missing from
    /// the samples. A missed target is not a problem: it is a result.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for row in &self.rows {
            if let Some(errors) = row.errors.filter(|e| *e > 0) {
                problems.push(format!("{}: {errors} failed requests", row.name));
            }
            let measured = row.rps.is_some() || row.value.is_some();
            let expected = row.section < 6 || self.run.micro_benchmarks;
            if expected && !measured {
                problems.push(format!("{}: not measured", row.name));
            }
        }
        problems
    }
}

fn rows(
    machine: &Machine,
    run: &RunInfo,
    samples: &[Sample],
    estimates: &[Option<Estimate>],
) -> Vec<Row> {
    let plain = Series::of(samples, label::PLAIN);
    let verify = Series::of(samples, label::VERIFY);
    let me = Series::of(samples, label::ME);
    let raw = Series::of(samples, label::RAW);
    let refresh = Series::of(samples, label::REFRESH);
    let login = Series::of(samples, label::LOGIN);
    let probe_idle = Series::of(samples, label::PROBE_IDLE);
    let probe_flood = Series::of(samples, label::PROBE_FLOOD);
    let login_flood = Series::of(samples, label::LOGIN_FLOOD);
    let conns = Series::of(samples, label::CONNS_1000);

    let mut rows = vec![
        plain.row(1, "plain: bare actix-web handler, small JSON"),
        verify.row(1, "verify-only: actix-web + jsonwebtoken HS256 verify"),
        me.row(1, "GET /api/v1/me, Bearer token"),
        value_row(
            1,
            "/me ÷ verify-only (req/s)",
            paired_ratio(&me.rps, &verify.rps),
            "×",
            Some(Target::AtLeast(0.9)),
        ),
        value_row(
            1,
            "/me ÷ plain (req/s)",
            paired_ratio(&me.rps, &plain.rps),
            "×",
            None,
        ),
        value_row(
            1,
            "verify-only ÷ plain (req/s)",
            paired_ratio(&verify.rps, &plain.rps),
            "×",
            None,
        ),
        raw.row(2, "raw ceiling: 1 Redis EVAL + 1 Postgres UPDATE"),
        refresh.row(
            2,
            format!("POST /api/v1/auth/refresh, {} sessions", run.sessions),
        ),
        value_row(
            2,
            "refresh ÷ raw ceiling (req/s)",
            paired_ratio(&refresh.rps, &raw.rps),
            "×",
            Some(Target::AtLeast(0.5)),
        ),
    ];

    // The ceiling of each login run: cores ÷ the verify time measured just before it.
    let (cost, hash_ms) = hash_times(samples);
    let ceilings: Vec<f64> = hash_ms
        .iter()
        .filter(|ms| **ms > 0.0)
        .map(|ms| machine.cores as f64 * 1000.0 / ms)
        .collect();
    let mut ceiling_row = value_row(
        3,
        match (cost, median(&hash_ms)) {
            (Some(cost), Some(ms)) => format!(
                "bcrypt ceiling: {} cores ÷ {ms:.1} ms per verify (cost {cost}, all cores hashing)",
                machine.cores
            ),
            _ => "bcrypt ceiling: not measured".to_owned(),
        },
        None,
        "",
        None,
    );
    ceiling_row.rps = median(&ceilings);
    rows.push(ceiling_row);
    rows.push(login.row(
        3,
        format!("POST /api/v1/auth/login, cost {}", run.bcrypt_cost),
    ));
    rows.push(value_row(
        3,
        "login ÷ bcrypt ceiling (req/s)",
        paired_ratio(&login.rps, &ceilings),
        "×",
        Some(Target::AtLeast(0.9)),
    ));

    rows.push(probe_idle.row(4, "GET /me paced probe, idle server"));
    rows.push(probe_flood.row(4, "GET /me paced probe, during login flood"));
    rows.push(login_flood.row(4, "login flood under the probe"));
    rows.push(value_row(
        4,
        "/me p99 during flood ÷ idle p99",
        paired_ratio(&probe_flood.p99_ms, &probe_idle.p99_ms),
        "×",
        Some(Target::AtMost(2.0)),
    ));

    rows.push(value_row(
        5,
        "RSS idle (after start-up and a few requests)",
        memory_mib(samples, label::IDLE),
        "MiB",
        Some(Target::Below(30.0)),
    ));
    let mut loaded = conns.row(5, "RSS under 1,000 connections (GET /me, peak VmRSS)");
    loaded.value = memory_mib(samples, label::CONNS_1000);
    loaded.unit = "MiB".to_owned();
    loaded.target = Some(Target::Below(100.0));
    rows.push(loaded);
    rows.push(value_row(
        5,
        "RSS idle again after all the load",
        memory_mib(samples, label::IDLE_AFTER),
        "MiB",
        None,
    ));

    for ((_, name), estimate) in MICRO_BENCHES.iter().zip(estimates) {
        rows.push(value_row(
            6,
            *name,
            estimate.map(|e| e.median_ns),
            "ns",
            None,
        ));
    }
    rows
}

#[cfg(test)]
mod tests;
