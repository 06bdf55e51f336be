use super::*;
use crate::sample::WrkStats;

fn wrk(label: &str, run: u32, rps: u64, p99_ms: f64) -> Sample {
    Sample::Wrk {
        label: label.to_owned(),
        run,
        command: format!("wrk {label}"),
        stats: WrkStats {
            requests: rps * 10,
            duration_us: 10_000_000,
            p50_us: 500.0,
            p90_us: 800.0,
            p99_us: p99_ms * 1000.0,
            max_us: 9000.0,
            connect_errors: 0,
            read_errors: 0,
            write_errors: 0,
            status_errors: 0,
            timeouts: 0,
        },
    }
}

fn machine() -> Machine {
    Machine {
        cores: 2,
        cpu_model: "Test CPU".to_owned(),
        kernel: "6.1".to_owned(),
    }
}

fn run_info() -> RunInfo {
    RunInfo {
        mode: "full".to_owned(),
        runs: 3,
        duration_s: 10,
        sessions: 2000,
        bcrypt_cost: 12,
        started_at: "2026-11-25T12:00:00Z".to_owned(),
        load_generator: "wrk 4.1.0".to_owned(),
        server: "APP_ENV=local".to_owned(),
        saved_to: "target/bench/x/report.json".to_owned(),
        commands: vec!["./scripts/bench.sh".to_owned()],
        micro_benchmarks: false,
    }
}

fn row<'a>(report: &'a Report, prefix: &str) -> &'a Row {
    report
        .rows
        .iter()
        .find(|r| r.name.starts_with(prefix))
        .unwrap()
}

#[test]
fn ratios_are_medians_of_paired_runs() {
    let samples = vec![
        wrk(label::VERIFY, 1, 1000, 2.0),
        wrk(label::ME, 1, 900, 2.0),
        wrk(label::VERIFY, 2, 2000, 2.0),
        wrk(label::ME, 2, 1000, 2.0),
        wrk(label::VERIFY, 3, 1000, 2.0),
        wrk(label::ME, 3, 950, 2.0),
    ];
    let report = Report::build(machine(), run_info(), samples, None);
    let ratio = row(&report, "/me ÷ verify-only");
    // Per-run ratios 0.9, 0.5, 0.95: the median is 0.9 (the ratio of medians would be
    // 950 / 1000).
    assert!((ratio.value.unwrap() - 0.9).abs() < 1e-9);
    assert_eq!(ratio.met(), Some(true));
    assert_eq!(row(&report, "GET /api/v1/me").rps, Some(950.0));
}

#[test]
fn login_is_compared_with_cores_over_hash_time() {
    let samples = vec![
        Sample::HashTime {
            run: 1,
            cost: 12,
            threads: 2,
            iterations: 6,
            median_ms: 240.0,
        },
        Sample::HashTime {
            run: 1,
            cost: 12,
            threads: 2,
            iterations: 6,
            median_ms: 260.0,
        },
        wrk(label::LOGIN, 1, 7, 900.0),
    ];
    let report = Report::build(machine(), run_info(), samples, None);
    assert_eq!(row(&report, "bcrypt ceiling").rps, Some(8.0));
    let ratio = row(&report, "login ÷ bcrypt ceiling").value.unwrap();
    assert!((ratio - 7.0 / 8.0).abs() < 1e-9);
    assert_eq!(row(&report, "login ÷ bcrypt ceiling").met(), Some(false));
}

#[test]
fn memory_and_latency_targets() {
    let samples = vec![
        wrk(label::PROBE_IDLE, 1, 800, 1.0),
        wrk(label::PROBE_FLOOD, 1, 800, 3.0),
        Sample::Memory {
            label: label::IDLE.to_owned(),
            run: 1,
            rss_kib: 20 * 1024,
            hwm_kib: 21 * 1024,
        },
        Sample::Memory {
            label: label::CONNS_1000.to_owned(),
            run: 1,
            rss_kib: 120 * 1024,
            hwm_kib: 120 * 1024,
        },
    ];
    let report = Report::build(machine(), run_info(), samples, None);
    assert_eq!(row(&report, "/me p99 during flood").value, Some(3.0));
    assert_eq!(row(&report, "/me p99 during flood").met(), Some(false));
    assert_eq!(row(&report, "RSS idle (").met(), Some(true));
    assert_eq!(row(&report, "RSS under").met(), Some(false));
    // Nothing measured: no verdict rather than a wrong one.
    assert_eq!(row(&report, "refresh ÷ raw").met(), None);
}

#[test]
fn renders_one_table_with_targets_and_commands() {
    let samples = vec![
        wrk(label::PLAIN, 1, 40000, 3.0),
        wrk(label::ME, 1, 20000, 5.0),
    ];
    let text = Report::build(machine(), run_info(), samples, None).render();
    assert!(text.contains("2 cores (nproc), Test CPU"));
    assert!(text.contains("| 1 | plain: bare actix-web handler, small JSON"));
    assert!(text.contains("40000"));
    assert!(text.contains("0.50×"));
    assert!(text.contains("not measured"));
    assert!(text.contains("[plain] wrk plain"));
    assert!(text.contains("./scripts/bench.sh"));
    let widths: Vec<usize> = text
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| l.chars().count())
        .collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "aligned columns");
}

#[test]
fn failed_requests_and_missing_measurements_are_problems() {
    let mut failing = wrk(label::ME, 1, 100, 2.0);
    if let Sample::Wrk { stats, .. } = &mut failing {
        stats.status_errors = 7;
    }
    let report = Report::build(machine(), run_info(), vec![failing], None);
    let problems = report.problems();
    assert!(
        problems
            .iter()
            .any(|p| p == "GET /api/v1/me, Bearer token: 7 failed requests")
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("plain: bare") && p.ends_with("not measured"))
    );
    // Quick mode runs no criterion: its rows are not expected.
    assert!(!problems.iter().any(|p| p.starts_with("criterion")));
}
