//! One measurement, as the script records it: a JSON line of `samples.jsonl`.

use serde::{Deserialize, Serialize};

/// The labels the script gives its measurements; the report looks them up by name.
pub mod label {
    /// Bare actix-web handler returning a small JSON.
    pub const PLAIN: &str = "plain";
    /// Bare actix-web handler verifying the HS256 access token.
    pub const VERIFY: &str = "verify";
    /// `GET /api/v1/me` with a Bearer token.
    pub const ME: &str = "me";
    /// One Redis EVAL and one Postgres single-row UPDATE per request.
    pub const RAW: &str = "raw";
    /// `POST /api/v1/auth/refresh` over many sessions.
    pub const REFRESH: &str = "refresh";
    /// `POST /api/v1/auth/login` at the production bcrypt cost.
    pub const LOGIN: &str = "login";
    /// The paced `/me` probe on an otherwise idle server.
    pub const PROBE_IDLE: &str = "probe_idle";
    /// The paced `/me` probe while logins saturate hashing.
    pub const PROBE_FLOOD: &str = "probe_flood";
    /// The login flood running under the probe.
    pub const LOGIN_FLOOD: &str = "login_flood";
    /// `/me` at 1,000 connections (the memory scenario's load).
    pub const CONNS_1000: &str = "conns_1000";
    /// Memory of the server after start-up and a few requests.
    pub const IDLE: &str = "idle";
    /// Memory of the server once every load has stopped.
    pub const IDLE_AFTER: &str = "idle_after";
}

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sample {
    /// One `wrk` run.
    Wrk {
        /// What was measured ([`label`]).
        label: String,
        /// 1-based run number.
        run: u32,
        /// The command, with secrets replaced by placeholders.
        command: String,
        /// What `wrk` reported.
        stats: WrkStats,
    },
    /// Time of one bcrypt verification while every core runs one.
    HashTime {
        /// 1-based run number (the login run it is paired with).
        #[serde(default)]
        run: u32,
        /// The bcrypt cost.
        cost: u32,
        /// Threads verifying at once (one per core).
        threads: u32,
        /// How many verifications were timed, over all threads.
        iterations: u32,
        /// Their median, in milliseconds.
        median_ms: f64,
    },
    /// Resident memory of the server.
    Memory {
        /// When it was taken ([`label`]).
        label: String,
        /// 1-based run number.
        run: u32,
        /// `VmRSS` (the largest one seen, when sampled over a load), in KiB.
        rss_kib: u64,
        /// `VmHWM` at the end, in KiB.
        hwm_kib: u64,
    },
}

/// What the harness's `wrk` scripts print in `done()` (`BENCH_WRK {json}`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WrkStats {
    /// Completed requests.
    pub requests: u64,
    /// Length of the run, in microseconds.
    pub duration_us: u64,
    /// Median latency, in microseconds.
    pub p50_us: f64,
    /// 90th percentile latency, in microseconds.
    pub p90_us: f64,
    /// 99th percentile latency, in microseconds.
    pub p99_us: f64,
    /// Largest latency, in microseconds.
    pub max_us: f64,
    /// Connections that could not be opened.
    pub connect_errors: u64,
    /// Socket read errors.
    pub read_errors: u64,
    /// Socket write errors.
    pub write_errors: u64,
    /// Responses with a status of 400 or more.
    pub status_errors: u64,
    /// Requests that timed out.
    pub timeouts: u64,
}

/// Why `wrk`'s output could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WrkOutputError {
    /// The `BENCH_WRK` line is missing: the script did not run or `wrk` failed.
    #[error("no BENCH_WRK line in the wrk output (did wrk run with the harness's script?)")]
    Missing,
    /// The line is not the expected JSON.
    #[error("the BENCH_WRK line is not valid: {0}")]
    Invalid(#[from] serde_json::Error),
}

const MARKER: &str = "BENCH_WRK ";

impl WrkStats {
    /// Reads the stats from the full output of a `wrk` run (the last `BENCH_WRK` line).
    ///
    /// # Errors
    /// [`WrkOutputError`] when there is no such line or it does not parse.
    pub fn from_output(output: &str) -> Result<Self, WrkOutputError> {
        let line = output
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix(MARKER))
            .ok_or(WrkOutputError::Missing)?;
        Ok(serde_json::from_str(line)?)
    }

    /// Completed requests per second.
    pub fn requests_per_sec(&self) -> f64 {
        if self.duration_us == 0 {
            return 0.0;
        }
        self.requests as f64 / (self.duration_us as f64 / 1e6)
    }

    /// Every failed request: socket errors, time-outs and error statuses.
    pub fn errors(&self) -> u64 {
        self.connect_errors
            + self.read_errors
            + self.write_errors
            + self.status_errors
            + self.timeouts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "Running 3s test @ http://127.0.0.1:1/\n  2 threads and 64 connections\n\
        BENCH_WRK {\"requests\":3000,\"duration_us\":3000000,\"p50_us\":900,\"p90_us\":1500,\
        \"p99_us\":4000.5,\"max_us\":9000,\"connect_errors\":0,\"read_errors\":0,\
        \"write_errors\":0,\"status_errors\":2,\"timeouts\":1}\n";

    #[test]
    fn reads_the_marker_line() {
        let stats = WrkStats::from_output(OUTPUT).unwrap();
        assert_eq!(stats.requests, 3000);
        assert!((stats.requests_per_sec() - 1000.0).abs() < 1e-9);
        assert!((stats.p99_us - 4000.5).abs() < 1e-9);
        assert_eq!(stats.errors(), 3);
    }

    #[test]
    fn refuses_output_without_it() {
        assert!(matches!(
            WrkStats::from_output("unable to connect to 127.0.0.1:1 Connection refused"),
            Err(WrkOutputError::Missing)
        ));
        assert!(matches!(
            WrkStats::from_output("BENCH_WRK {\"requests\":"),
            Err(WrkOutputError::Invalid(_))
        ));
    }

    #[test]
    fn samples_round_trip_as_tagged_json() {
        let sample = Sample::HashTime {
            run: 1,
            cost: 12,
            threads: 2,
            iterations: 5,
            median_ms: 210.0,
        };
        let line = serde_json::to_string(&sample).unwrap();
        assert!(line.starts_with("{\"kind\":\"hash_time\""));
        assert_eq!(serde_json::from_str::<Sample>(&line).unwrap(), sample);
    }
}
