//! `seed`: registers users through the public API (`token_delivery: body`) and writes
//! their tokens and emails to files for the `wrk` scripts.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use serde::Deserialize;

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The server, `http://127.0.0.1:PORT`.
    #[arg(long)]
    base_url: String,
    /// How many users to register.
    #[arg(long)]
    count: u32,
    /// Users are `<prefix>-<n>@example.com`.
    #[arg(long, default_value = "bench")]
    email_prefix: String,
    /// Their password.
    #[arg(long, env = "BENCH_PASSWORD", hide_env_values = true)]
    password: String,
    /// User-Agent of every request (the sessions are bound to it).
    #[arg(long, default_value = "portcullis-bench/1.0")]
    user_agent: String,
    /// Registrations in flight.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Write one refresh token per line, in user order.
    #[arg(long)]
    refresh_out: Option<PathBuf>,
    /// Write the access token of the first user.
    #[arg(long)]
    access_out: Option<PathBuf>,
    /// Write one email per line.
    #[arg(long)]
    emails_out: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
}

struct Seeded {
    index: u32,
    email: String,
    tokens: Tokens,
}

pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .user_agent(args.user_agent.clone())
        .timeout(Duration::from_secs(60))
        .build()?;
    let args = Arc::new(args);
    let next = Arc::new(AtomicU32::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency.max(1) {
        let (client, args, next) = (client.clone(), args.clone(), next.clone());
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= args.count {
                    return Ok::<_, anyhow::Error>(done);
                }
                done.push(register(&client, &args, index).await?);
            }
        });
    }
    let mut seeded = Vec::new();
    while let Some(joined) = workers.join_next().await {
        seeded.extend(joined??);
    }
    seeded.sort_by_key(|s| s.index);
    if let Some(path) = &args.refresh_out {
        let lines: String = seeded
            .iter()
            .map(|s| format!("{}\n", s.tokens.refresh_token))
            .collect();
        std::fs::write(path, lines).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.emails_out {
        let lines: String = seeded.iter().map(|s| format!("{}\n", s.email)).collect();
        std::fs::write(path, lines).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.access_out {
        let first = seeded
            .first()
            .context("no user registered: nothing to take an access token from")?;
        std::fs::write(path, &first.tokens.access_token)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!(
        "bench:   registered {} users in {:.1} s",
        seeded.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn register(client: &reqwest::Client, args: &SeedArgs, index: u32) -> anyhow::Result<Seeded> {
    let email = format!("{}-{index}@example.com", args.email_prefix);
    let response = client
        .post(format!("{}/api/v1/auth/register", args.base_url))
        .json(&serde_json::json!({
            "email": email,
            "password": args.password,
            "name": format!("Bench User {index}"),
            "token_delivery": "body",
        }))
        .send()
        .await
        .with_context(|| format!("registering {email}"))?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        anyhow::bail!("registering {email}: {status}: {body}");
    }
    let tokens: Tokens = response
        .json()
        .await
        .with_context(|| format!("registering {email}: the answer has no tokens"))?;
    Ok(Seeded {
        index,
        email,
        tokens,
    })
}
