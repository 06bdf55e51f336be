//! The printed form of a [`Report`]: a Markdown table, padded so it also reads in a
//! terminal, between a header that states the machine and settings and a footer with
//! the commands.

use std::fmt::Write as _;

use super::{Report, Row, Target};

const HEADERS: [&str; 9] = [
    "§",
    "measurement",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "value",
    "target",
    "met",
];
/// Columns aligned right (numbers).
const RIGHT: [bool; 9] = [false, false, true, true, true, true, true, false, false];

pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    let run = &report.run;
    let machine = &report.machine;
    let _ = writeln!(
        out,
        "Portcullis benchmark, {} mode: each number is the median of {} run(s) of {} s",
        run.mode, run.runs, run.duration_s
    );
    let _ = writeln!(
        out,
        "machine: {} cores (nproc), {} (/proc/cpuinfo), Linux {}; started {}",
        machine.cores, machine.cpu_model, machine.kernel, run.started_at
    );
    let _ = writeln!(
        out,
        "load generator: {} on the same machine, 127.0.0.1 only",
        run.load_generator
    );
    let _ = writeln!(out, "server: {}", run.server);
    let _ = writeln!(out);

    let cells: Vec<[String; 9]> = report.rows.iter().map(cells).collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let headers = HEADERS.map(str::to_owned);
    line(&mut out, &headers, &widths);
    let rule = widths.map(|w| "-".repeat(w));
    line(&mut out, &rule, &widths);
    for row in &cells {
        line(&mut out, row, &widths);
    }

    let _ = writeln!(out);
    let _ = writeln!(out, "targets (issue 5):");
    for (row, met) in report.targets() {
        let verdict = match met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "not measured",
        };
        let _ = writeln!(out, "  {verdict:<12} {}", row.name);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "commands:");
    for command in &run.commands {
        let _ = writeln!(out, "  {command}");
    }
    for (label, command) in &report.wrk_commands {
        let _ = writeln!(out, "  [{label}] {command}");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "saved: {}", run.saved_to);
    out
}

fn line(out: &mut String, cells: &[String; 9], widths: &[usize; 9]) {
    out.push('|');
    for ((cell, width), right) in cells.iter().zip(widths).zip(RIGHT) {
        let pad = width.saturating_sub(cell.chars().count());
        out.push(' ');
        if right {
            out.push_str(&" ".repeat(pad));
            out.push_str(cell);
        } else {
            out.push_str(cell);
            out.push_str(&" ".repeat(pad));
        }
        out.push_str(" |");
    }
    out.push('\n');
}

fn cells(row: &Row) -> [String; 9] {
    [
        row.section.to_string(),
        row.name.clone(),
        row.rps.map(rate).unwrap_or_default(),
        row.p50_ms.map(|v| format!("{v:.2}")).unwrap_or_default(),
        row.p99_ms.map(|v| format!("{v:.2}")).unwrap_or_default(),
        row.errors.map(|e| e.to_string()).unwrap_or_default(),
        row.value
            .map(|v| quantity(v, &row.unit))
            .unwrap_or_else(|| dash_if(row.target.is_some())),
        row.target.map(|t| target(t, &row.unit)).unwrap_or_default(),
        match row.met() {
            Some(true) => "yes".to_owned(),
            Some(false) => "NO".to_owned(),
            None => dash_if(row.target.is_some()),
        },
    ]
}

fn dash_if(applies: bool) -> String {
    if applies {
        "–".to_owned()
    } else {
        String::new()
    }
}

fn rate(rps: f64) -> String {
    if rps >= 100.0 {
        format!("{rps:.0}")
    } else {
        format!("{rps:.2}")
    }
}

fn quantity(value: f64, unit: &str) -> String {
    match unit {
        "×" => format!("{value:.2}×"),
        "ns" if value >= 1000.0 => format!("{:.2} µs", value / 1000.0),
        "ns" => format!("{value:.0} ns"),
        "" => format!("{value:.2}"),
        _ => format!("{value:.1} {unit}"),
    }
}

fn target(target: Target, unit: &str) -> String {
    let (op, bound) = match target {
        Target::AtLeast(b) => ("≥", b),
        Target::AtMost(b) => ("≤", b),
        Target::Below(b) => ("<", b),
    };
    match unit {
        "×" => format!("{op} {bound:.2}×"),
        _ => format!("{op} {bound:.0} {unit}"),
    }
}
