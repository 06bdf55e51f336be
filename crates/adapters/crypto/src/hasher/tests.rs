use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portcullis_domain::ports::{HashError, PasswordHasher};
use portcullis_domain::{PasswordHash, PlainPassword};

use super::check::cost_of;
use super::{BcryptConfig, BcryptConfigError, BcryptHasher};

const COST: u32 = 4;

fn hasher() -> BcryptHasher {
    BcryptHasher::new(COST, 4).unwrap()
}

fn pw(s: &str) -> PlainPassword {
    PlainPassword::new_unchecked(s.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn round_trip_matches() {
    let h = hasher();
    let hash = h.hash(&pw("correct horse battery")).await.unwrap();
    assert!(hash.as_str().starts_with("$2b$04$"));
    let check = h
        .verify(&pw("correct horse battery"), Some(&hash))
        .await
        .unwrap();
    assert!(check.matches);
    assert!(!check.needs_rehash);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_does_not_match() {
    let h = hasher();
    let hash = h.hash(&pw("correct horse battery")).await.unwrap();
    let check = h
        .verify(&pw("correct horse battery!"), Some(&hash))
        .await
        .unwrap();
    assert!(!check.matches);
    assert!(!check.needs_rehash);
}

#[tokio::test(flavor = "multi_thread")]
async fn salts_differ_between_hashes() {
    let h = hasher();
    let a = h.hash(&pw("same password")).await.unwrap();
    let b = h.hash(&pw("same password")).await.unwrap();
    assert_ne!(a, b);
}

/// Median wall time of `runs` calls of `f`.
async fn median<F, Fut>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f().await;
        times.push(start.elapsed());
    }
    times.sort();
    times[runs / 2]
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_user_reports_no_match_after_real_work() {
    // A higher cost than the other tests so the work dwarfs scheduling noise.
    let h = BcryptHasher::new(7, 1).unwrap();
    let password = pw("correct horse battery");
    let hash = h.hash(&password).await.unwrap();

    let unknown = h.verify(&password, None).await.unwrap();
    assert!(!unknown.matches);
    assert!(!unknown.needs_rehash);

    let known = median(5, || async {
        assert!(h.verify(&password, Some(&hash)).await.unwrap().matches);
    })
    .await;
    let dummy = median(5, || async {
        assert!(!h.verify(&password, None).await.unwrap().matches);
    })
    .await;
    let ratio = dummy.as_secs_f64() / known.as_secs_f64();
    assert!(
        (0.25..=4.0).contains(&ratio),
        "unknown-user path took {dummy:?}, known-user path {known:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lower_stored_cost_needs_rehash() {
    let old = hasher().hash(&pw("correct horse battery")).await.unwrap();
    let stronger = BcryptHasher::new(COST + 1, 1).unwrap();
    let check = stronger
        .verify(&pw("correct horse battery"), Some(&old))
        .await
        .unwrap();
    assert!(check.matches);
    assert!(check.needs_rehash);

    let wrong = stronger
        .verify(&pw("wrong horse battery"), Some(&old))
        .await
        .unwrap();
    assert!(
        !wrong.needs_rehash,
        "a wrong password never triggers a rehash"
    );
}

#[test]
fn cost_is_read_from_the_prefix() {
    assert_eq!(cost_of("$2b$04$abcdefghijklmnopqrstuv"), Some(4));
    assert_eq!(cost_of("$2y$12$abc"), Some(12));
    assert_eq!(cost_of("$2a$31$"), Some(31));
    for bad in [
        "",
        "$2b$4$x",
        "$2c$04$x",
        "$argon2id$v=19$",
        "$2b$x4$xx",
        "2b$04$xx",
    ] {
        assert_eq!(cost_of(bad), None, "{bad:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_stored_hash_is_no_match() {
    let h = hasher();
    let valid = h.hash(&pw("correct horse battery")).await.unwrap();
    let mut bad_base64 = valid.as_str().to_owned();
    bad_base64.replace_range(20..21, "!");
    for stored in [
        String::new(),
        "garbage".to_owned(),
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA".to_owned(),
        valid.as_str().replacen("$04$", "$99$", 1),
        valid.as_str().replacen("$04$", "$03$", 1),
        valid.as_str()[..59].to_owned(),
        bad_base64,
        format!("{}é", &valid.as_str()[..58]),
    ] {
        let check = h
            .verify(
                &pw("correct horse battery"),
                Some(&PasswordHash::new(stored)),
            )
            .await
            .unwrap();
        assert!(!check.matches && !check.needs_rehash);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn seventy_one_bytes_hash_and_seventy_two_are_refused() {
    let h = hasher();
    let longest = "x".repeat(71);
    let hash = h.hash(&pw(&longest)).await.unwrap();
    assert!(h.verify(&pw(&longest), Some(&hash)).await.unwrap().matches);

    let too_long = format!("{longest}y");
    assert!(matches!(
        h.hash(&pw(&too_long)).await,
        Err(HashError::Unexpected(_))
    ));
    // Never truncated: the 72-byte password does not match its 71-byte prefix.
    let check = h.verify(&pw(&too_long), Some(&hash)).await.unwrap();
    assert!(!check.matches);
    let check = h.verify(&pw(&"x".repeat(200)), None).await.unwrap();
    assert!(!check.matches);
}

#[tokio::test(flavor = "multi_thread")]
async fn nul_is_refused_when_hashing() {
    assert!(matches!(
        hasher().hash(&pw("abcdefgh\0ijk")).await,
        Err(HashError::Unexpected(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn bound_on_work_in_flight_holds() {
    let h = Arc::new(
        BcryptHasher::from_config(BcryptConfig {
            cost: COST,
            max_in_flight: 1,
            max_wait: Duration::from_secs(60),
        })
        .unwrap(),
    );
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let gauge_peak = Arc::new(AtomicUsize::new(0));

    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (hasher, running, peak) = (Arc::clone(&h), Arc::clone(&running), Arc::clone(&peak));
        tasks.push(tokio::spawn(async move {
            hasher
                .run_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
                .unwrap();
        }));
        let (hasher, gauge_peak) = (Arc::clone(&h), Arc::clone(&gauge_peak));
        tasks.push(tokio::spawn(async move {
            hasher.hash(&pw("correct horse battery")).await.unwrap();
            gauge_peak.fetch_max(hasher.in_flight(), Ordering::SeqCst);
        }));
    }
    let sampler = {
        let (h, gauge_peak) = (Arc::clone(&h), Arc::clone(&gauge_peak));
        tokio::spawn(async move {
            loop {
                gauge_peak.fetch_max(h.in_flight(), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    for task in tasks {
        task.await.unwrap();
    }
    sampler.abort();
    assert_eq!(peak.load(Ordering::SeqCst), 1);
    assert!(gauge_peak.load(Ordering::SeqCst) <= 1);
    assert_eq!(h.in_flight(), 0);
    assert_eq!(h.queued(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn saturated_hasher_sheds_with_overloaded() {
    let h = BcryptHasher::from_config(BcryptConfig {
        cost: COST,
        max_in_flight: 1,
        max_wait: Duration::from_millis(20),
    })
    .unwrap();
    let busy = Arc::clone(&h.permits).acquire_owned().await.unwrap();
    assert_eq!(h.in_flight(), 1);
    assert!(matches!(
        h.hash(&pw("correct horse battery")).await,
        Err(HashError::Overloaded)
    ));
    assert!(matches!(
        h.verify(&pw("correct horse battery"), None).await,
        Err(HashError::Overloaded)
    ));
    assert_eq!(h.queued(), 0);
    drop(busy);
    assert!(h.hash(&pw("correct horse battery")).await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn queued_gauge_counts_waiting_callers() {
    let h = Arc::new(BcryptHasher::new(COST, 1).unwrap());
    let busy = Arc::clone(&h.permits).acquire_owned().await.unwrap();
    let waiter = {
        let h = Arc::clone(&h);
        tokio::spawn(async move { h.verify(&pw("correct horse battery"), None).await })
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while h.queued() != 1 {
        assert!(Instant::now() < deadline, "the caller never queued");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    drop(busy);
    assert!(!waiter.await.unwrap().unwrap().matches);
    assert_eq!(h.queued(), 0);
    assert_eq!(h.in_flight(), 0);
}

#[test]
fn invalid_configurations_are_refused() {
    assert!(matches!(
        BcryptHasher::new(3, 1),
        Err(BcryptConfigError::InvalidCost(3))
    ));
    assert!(matches!(
        BcryptHasher::new(32, 1),
        Err(BcryptConfigError::InvalidCost(32))
    ));
    assert!(matches!(
        BcryptHasher::new(COST, 0),
        Err(BcryptConfigError::InvalidMaxInFlight { got: 0, .. })
    ));
    assert_eq!(
        BcryptHasher::new(COST, 2).unwrap().config().max_wait,
        BcryptConfig::DEFAULT_MAX_WAIT
    );
}
