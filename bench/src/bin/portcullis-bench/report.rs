//! `report`: reads the samples, prints the table, saves `report.json` and `report.txt`;
//! fails when a measurement is missing or had failed requests (what CI checks).

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use portcullis_bench::machine::Machine;
use portcullis_bench::{Report, RunInfo, Sample};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// samples.jsonl of the run.
    #[arg(long)]
    samples: PathBuf,
    /// Where report.json and report.txt go.
    #[arg(long)]
    out_dir: PathBuf,
    /// Also copy report.json here (e.g. target/bench/latest.json).
    #[arg(long)]
    latest: Option<PathBuf>,
    /// Criterion's output directory (CRITERION_HOME), when it ran.
    #[arg(long)]
    criterion_home: Option<PathBuf>,
    /// `full` or `quick`.
    #[arg(long)]
    mode: String,
    /// Runs per measurement.
    #[arg(long)]
    runs: u32,
    /// Seconds per load run.
    #[arg(long)]
    duration_s: u32,
    /// Sessions of the refresh scenario.
    #[arg(long)]
    sessions: u32,
    /// bcrypt cost of the measured server.
    #[arg(long)]
    bcrypt_cost: u32,
    /// When the run started.
    #[arg(long)]
    started_at: String,
    /// The load generator's version.
    #[arg(long)]
    load_generator: String,
    /// How the server ran.
    #[arg(long)]
    server: String,
    /// A command the run used (repeat).
    #[arg(long = "command")]
    commands: Vec<String>,
}

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.samples)
        .with_context(|| format!("reading {}", args.samples.display()))?;
    let samples = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str::<Sample>(l)
                .with_context(|| format!("{} line {}", args.samples.display(), i + 1))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let json_path = args.out_dir.join("report.json");
    let run = RunInfo {
        mode: args.mode,
        runs: args.runs,
        duration_s: args.duration_s,
        sessions: args.sessions,
        bcrypt_cost: args.bcrypt_cost,
        started_at: args.started_at,
        load_generator: args.load_generator,
        server: args.server,
        saved_to: json_path.display().to_string(),
        commands: args.commands,
        micro_benchmarks: args.criterion_home.is_some(),
    };
    let report = Report::build(
        Machine::current(),
        run,
        samples,
        args.criterion_home.as_deref(),
    );
    let rendered = report.render();
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(&json_path, &json)
        .with_context(|| format!("writing {}", json_path.display()))?;
    std::fs::write(args.out_dir.join("report.txt"), &rendered)?;
    if let Some(latest) = &args.latest {
        std::fs::write(latest, &json).with_context(|| format!("writing {}", latest.display()))?;
    }
    write!(std::io::stdout().lock(), "{rendered}")?;
    let problems = report.problems();
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("bench: problem: {problem}");
        }
        anyhow::bail!(
            "the run is incomplete ({} problems above): the bench no longer works as written",
            problems.len()
        );
    }
    Ok(())
}
