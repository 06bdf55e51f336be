//! `MemoryRateLimiter`.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::{RateLimitDecision, RateLimitPolicy, RateLimiter};
use portcullis_domain::{StoreError, Timestamp};

use crate::lock::lock;
use crate::sweep::SweepSchedule;

/// Fixed-window counters in memory. A key's window starts at its first counted request
/// and lasts `policy.window`; refused requests are not counted. Ended windows are
/// replaced when their key is seen again and swept as the map grows.
#[derive(Debug, Default)]
pub struct MemoryRateLimiter {
    state: Mutex<Windows>,
}

#[derive(Debug, Default)]
struct Windows {
    by_key: HashMap<String, Window>,
    sweep: SweepSchedule,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    ends_at: Timestamp,
    counted: u32,
}

impl MemoryRateLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn check(
        &self,
        key: &str,
        policy: RateLimitPolicy,
        now: Timestamp,
    ) -> Result<RateLimitDecision, StoreError> {
        let mut state = lock(&self.state)?;
        let live = state.by_key.get(key).copied().filter(|w| now < w.ends_at);
        let decision = match live {
            Some(window) if window.counted >= policy.limit => RateLimitDecision {
                allowed: false,
                limit: policy.limit,
                remaining: 0,
                reset_after: window.ends_at - now,
            },
            // A zero budget refuses everything and starts no window.
            None if policy.limit == 0 => RateLimitDecision {
                allowed: false,
                limit: 0,
                remaining: 0,
                reset_after: policy.window,
            },
            _ => {
                let mut window = live.unwrap_or(Window {
                    ends_at: now + policy.window,
                    counted: 0,
                });
                window.counted += 1;
                if let Some(slot) = state.by_key.get_mut(key) {
                    *slot = window;
                } else {
                    state.by_key.insert(key.to_owned(), window);
                }
                RateLimitDecision {
                    allowed: true,
                    limit: policy.limit,
                    remaining: policy.limit.saturating_sub(window.counted),
                    reset_after: window.ends_at - now,
                }
            }
        };
        if state.sweep.due(state.by_key.len()) {
            state.by_key.retain(|_, w| now < w.ends_at);
            let len = state.by_key.len();
            state.sweep.swept(len);
        }
        Ok(decision)
    }
}

#[cfg(test)]
mod tests {
    use portcullis_testkit::{secs, t0};

    use super::*;

    #[tokio::test]
    async fn ended_windows_are_swept() {
        let limiter = MemoryRateLimiter::new();
        let policy = RateLimitPolicy {
            limit: 5,
            window: secs(60),
        };
        for i in 0..5000 {
            limiter
                .check(&format!("old-{i}"), policy, t0())
                .await
                .unwrap();
        }
        let later = t0() + secs(120);
        for i in 0..5000 {
            limiter
                .check(&format!("new-{i}"), policy, later)
                .await
                .unwrap();
        }
        let len = limiter.state.lock().unwrap().by_key.len();
        assert!(len <= 5000, "{len} windows kept, only 5000 are live");
    }

    #[tokio::test]
    async fn zero_limit_refuses_without_storing() {
        let limiter = MemoryRateLimiter::new();
        let policy = RateLimitPolicy {
            limit: 0,
            window: secs(60),
        };
        let decision = limiter.check("k", policy, t0()).await.unwrap();
        assert!(!decision.allowed);
        assert!(limiter.state.lock().unwrap().by_key.is_empty());
    }
}
