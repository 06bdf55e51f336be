//! The machinery every contract suite shares: running clauses, collecting the broken
//! ones, and racing tasks.

use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::Barrier;

/// Fails the current clause when the two values differ, showing both.
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (left, right) = (&$left, &$right);
        if left != right {
            ::anyhow::bail!(
                "{}\n      got:      {:?}\n      expected: {:?}",
                format!($($msg)+),
                left,
                right
            );
        }
    }};
}
pub(crate) use ensure_eq;

/// Runs the clauses of one port's contract and reports every broken one at the end.
pub(crate) struct Suite {
    port: &'static str,
    failures: Vec<String>,
}

impl Suite {
    pub(crate) fn new(port: &'static str) -> Self {
        Self {
            port,
            failures: Vec::new(),
        }
    }

    /// Runs one clause; an error is recorded under the clause's name.
    pub(crate) async fn clause(
        &mut self,
        name: &str,
        check: impl Future<Output = anyhow::Result<()>>,
    ) {
        if let Err(err) = check.await {
            self.failures.push(format!("{name}: {err:#}"));
        }
    }

    /// Panics with every broken clause, if any.
    pub(crate) fn finish(self) {
        if self.failures.is_empty() {
            return;
        }
        let mut report = format!(
            "{} contract: {} clause(s) broken",
            self.port,
            self.failures.len()
        );
        for failure in &self.failures {
            let _ = write!(report, "\n  - {failure}");
        }
        panic!("{report}");
    }
}

/// Spawns `n` tasks built by `task(i)`, releases them together through a barrier, and
/// returns their outputs in index order. A panicking task panics the caller.
pub(crate) async fn race<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let fut = task(i);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                fut.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for handle in handles {
        match handle.await {
            Ok(value) => out.push(value),
            Err(err) => match err.try_into_panic() {
                Ok(payload) => std::panic::resume_unwind(payload),
                Err(err) => panic!("testkit: a raced task was cancelled: {err}"),
            },
        }
    }
    out
}
