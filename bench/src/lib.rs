//! The library half of the benchmark harness (`just bench`, `scripts/bench.sh`).
//!
//! The script starts the services, the server and the reference servers, and drives
//! load with `wrk`; every measurement it takes is appended as one [`Sample`] (a JSON
//! line) to `samples.jsonl` in the run's directory. [`report::Report`] then reduces the
//! samples to medians and ratios and renders the one table the harness prints.
//!
//! Nothing here panics on bad input: a missing or malformed measurement is an error or
//! an empty cell, never a crash that would hide the rest of the table.

pub mod criterion_results;
pub mod machine;
pub mod proc_status;
pub mod report;
pub mod sample;
pub mod stats;

pub use report::{Report, RunInfo};
pub use sample::{Sample, WrkStats};
