//! Fresh databases for contract clauses, kept alive until the suite ends.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portcullis_postgres::PgPool;
use portcullis_postgres::test_support::TestDatabase;

/// The databases one suite created: each `make()` of a contract suite gets a new one.
#[derive(Clone, Default)]
pub struct Databases {
    inner: Arc<Mutex<Vec<TestDatabase>>>,
    timings: Arc<Mutex<Vec<Duration>>>,
}

impl Databases {
    /// A new database cloned from the migrated template; returns its pool.
    pub async fn fresh(&self) -> PgPool {
        let started = Instant::now();
        let db = TestDatabase::new().await.expect("a fresh test database");
        self.timings.lock().unwrap().push(started.elapsed());
        let pool = db.pool();
        self.inner.lock().unwrap().push(db);
        pool
    }

    /// Drops every database now and prints how long creating them took (visible with
    /// `--nocapture`).
    pub async fn close(self, suite: &str) {
        let timings = self.timings.lock().unwrap().clone();
        if let (Some(min), Some(max)) = (timings.iter().min(), timings.iter().max()) {
            let total: Duration = timings.iter().sum();
            eprintln!(
                "{suite}: {} databases, creation min {min:?} / mean {:?} / max {max:?}",
                timings.len(),
                total / u32::try_from(timings.len()).unwrap()
            );
        }
        let dbs = std::mem::take(&mut *self.inner.lock().unwrap());
        for db in dbs {
            db.close().await.expect("dropping a test database");
        }
    }
}
