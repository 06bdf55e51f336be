//! Reads what criterion wrote: `<CRITERION_HOME>/<benchmark>/new/estimates.json`.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// One micro-benchmark's median time per iteration, with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Median, in nanoseconds.
    pub median_ns: f64,
    /// Lower bound of the median's confidence interval, in nanoseconds.
    pub lower_ns: f64,
    /// Upper bound of the median's confidence interval, in nanoseconds.
    pub upper_ns: f64,
}

#[derive(Deserialize)]
struct Estimates {
    median: Statistic,
}

#[derive(Deserialize)]
struct Statistic {
    point_estimate: f64,
    confidence_interval: Interval,
}

#[derive(Deserialize)]
struct Interval {
    lower_bound: f64,
    upper_bound: f64,
}

/// The estimate of benchmark `id` under `criterion_home`; `None` when criterion did not
/// run it (quick mode) or wrote something unreadable.
pub fn read(criterion_home: &Path, id: &str) -> Option<Estimate> {
    let path = criterion_home.join(id).join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    parse(&text)
}

/// Parses an `estimates.json` text.
pub fn parse(text: &str) -> Option<Estimate> {
    let estimates: Estimates = serde_json::from_str(text).ok()?;
    Some(Estimate {
        median_ns: estimates.median.point_estimate,
        lower_ns: estimates.median.confidence_interval.lower_bound,
        upper_ns: estimates.median.confidence_interval.upper_bound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_median() {
        let text = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.0,"standard_error":0.1},
            "median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1500.0,"upper_bound":1700.0},"point_estimate":1600.0,"standard_error":0.1}}"#;
        assert_eq!(
            parse(text),
            Some(Estimate {
                median_ns: 1600.0,
                lower_ns: 1500.0,
                upper_ns: 1700.0
            })
        );
        assert_eq!(parse("{}"), None);
        assert_eq!(read(Path::new("/nonexistent"), "x"), None);
    }
}
