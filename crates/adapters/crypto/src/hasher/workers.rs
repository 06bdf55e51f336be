//! The hashing threads: bcrypt runs on a few dedicated threads at a lower CPU priority
//! (nice 10 on Linux and other Unixes), never on Tokio's workers or blocking pool.
//!
//! On a saturated machine the kernel then gives the request workers their CPU first
//! and bcrypt what is left: a login flood slows logins down but no longer the
//! latency of every other request (issue 5, "`/me` p99 under login flood"). On an idle
//! machine the hashes run at full speed: priority only matters under contention.
//! Raising a thread's nice value needs no privilege; if the OS refuses anyway the
//! threads run at normal priority and a warning says so once.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};

/// How much lower than normal the hashing threads run (0 = normal, 19 = lowest).
pub(super) const NICENESS: i32 = 10;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of hashing threads fed by one queue. The threads end when the pool is
/// dropped (and their current job is done).
pub(super) struct Workers {
    jobs: Mutex<Sender<Job>>,
}

impl Workers {
    /// Starts `threads` hashing threads.
    ///
    /// # Errors
    /// When the OS refuses to start a thread.
    pub(super) fn start(threads: usize) -> std::io::Result<Self> {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("bcrypt-{n}"))
                .spawn(move || {
                    lower_priority(n);
                    run(&queue);
                })?;
        }
        Ok(Self {
            jobs: Mutex::new(jobs),
        })
    }

    /// Queues `job`; `false` when no thread is left to run it.
    pub(super) fn submit(&self, job: Job) -> bool {
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(job)
            .is_ok()
    }
}

fn run(queue: &Mutex<Receiver<Job>>) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match next {
            // A panicking job drops its answer channel (its caller gets an error); the
            // thread lives on.
            Ok(job) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
            // The pool was dropped.
            Err(_) => return,
        }
    }
}

/// Lowers the calling thread's priority (on Linux `setpriority(PRIO_PROCESS, 0)`
/// applies to the calling thread only).
fn lower_priority(thread: usize) {
    #[cfg(unix)]
    if let Err(err) = rustix::process::setpriority_process(None, NICENESS)
        && thread == 0
    {
        tracing::warn!(error = %err, "bcrypt threads run at normal priority");
    }
    #[cfg(not(unix))]
    let _ = thread;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn jobs_run_on_the_lower_priority_threads() {
        let workers = Workers::start(2).unwrap();
        let (tx, rx) = channel();
        assert!(workers.submit(Box::new(move || {
            let name = std::thread::current().name().map(str::to_owned);
            let nice = rustix::process::getpriority_process(None).unwrap();
            tx.send((name, nice)).unwrap();
        })));
        let (name, nice) = rx.recv().unwrap();
        assert!(name.unwrap().starts_with("bcrypt-"));
        assert!(nice >= NICENESS, "niceness {nice}");
    }
}
