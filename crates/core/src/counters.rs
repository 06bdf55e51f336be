//! Auth counters (Prometheus names, via the `metrics` facade; the server installs the
//! exporter). Labels are closed sets: never a user id, email or token.

/// `portcullis_logins_total{result}`: `success`, `failure`, `locked`.
pub(crate) fn login(result: &'static str) {
    metrics::counter!("portcullis_logins_total", "result" => result).increment(1);
}

/// `portcullis_lockouts_total`: identifiers locked after repeated failures.
pub(crate) fn lockout() {
    metrics::counter!("portcullis_lockouts_total").increment(1);
}

/// `portcullis_refreshes_total{result}`: `success`, `invalid`, `reused`,
/// `device_mismatch`.
pub(crate) fn refresh(result: &'static str) {
    metrics::counter!("portcullis_refreshes_total", "result" => result).increment(1);
}

/// `portcullis_registrations_total`.
pub(crate) fn registration() {
    metrics::counter!("portcullis_registrations_total").increment(1);
}
