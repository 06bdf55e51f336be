//! `create-admin` and the `ADMIN_EMAIL`/`ADMIN_PASSWORD` first-boot bootstrap.

use std::io::BufRead;

use anyhow::Context;
use portcullis_core::{AccountError, AuthService, BootstrapOutcome};
use portcullis_domain::{DisplayName, Email, PlainPassword};
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::wiring;

/// `portcullis create-admin`: creates or promotes, then prints what it did.
///
/// # Errors
/// A bad email or name, no password, a password that breaks the policy, a store error.
pub async fn create_admin(
    config: &Config,
    email: &str,
    name: &str,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let secret = config
            .admin_password
            .as_ref()
            .context("no password: use --password-stdin or set ADMIN_PASSWORD")?;
        secret.expose_secret().to_owned()
    };
    if config.database_url.is_none() {
        tracing::warn!(
            "no DATABASE_URL: the admin is created in the embedded store of this process only"
        );
    }
    let built = wiring::build(config).await?;
    let outcome = bootstrap(&built.state.service, email, name, password).await;
    built.audit.flush().await;
    let outcome = outcome?;
    let what = match outcome {
        BootstrapOutcome::Created => "created",
        BootstrapOutcome::Promoted => "promoted to admin (password unchanged)",
        BootstrapOutcome::AlreadyAdmin => "already an admin (nothing changed)",
    };
    tracing::info!(email, outcome = what, "create-admin");
    eprintln!("{email}: {what}");
    Ok(())
}

/// `portcullis migrate`: applies the embedded migrations and prints them.
///
/// # Errors
/// No `DATABASE_URL`, or a migration failed.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let Some(url) = &config.database_url else {
        anyhow::bail!(
            "DATABASE_URL: `migrate` needs a database (the embedded store migrates itself)"
        );
    };
    let applied = portcullis_postgres::run_migrations(url.expose_secret())
        .await
        .context("migrations failed")?;
    if applied.is_empty() {
        eprintln!("the schema is up to date");
    }
    for name in applied {
        eprintln!("applied {name}");
    }
    Ok(())
}

/// `portcullis cleanup`: one pass of the retention job.
///
/// # Errors
/// A store error.
pub async fn cleanup(config: &Config) -> anyhow::Result<()> {
    let built = wiring::build(config).await?;
    let removed = built.retention.run_once().await?;
    eprintln!("{removed}");
    Ok(())
}

/// At `serve` start-up: makes sure `ADMIN_EMAIL` is an admin when both variables are
/// set.
///
/// # Errors
/// As [`create_admin`].
pub async fn bootstrap_from_env(config: &Config, service: &AuthService) -> anyhow::Result<()> {
    let (Some(email), Some(password)) = (&config.admin_email, &config.admin_password) else {
        return Ok(());
    };
    let outcome = bootstrap(
        service,
        email,
        "Administrator",
        password.expose_secret().to_owned(),
    )
    .await?;
    tracing::info!(email = %email, outcome = ?outcome, "admin bootstrap from ADMIN_EMAIL");
    Ok(())
}

async fn bootstrap(
    service: &AuthService,
    email: &str,
    name: &str,
    password: String,
) -> anyhow::Result<BootstrapOutcome> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = DisplayName::parse(name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    service
        .bootstrap_admin(email, name, PlainPassword::new_unchecked(password))
        .await
        .map_err(|e| match e {
            AccountError::WeakPassword(r) => anyhow::anyhow!("password: {r}"),
            other => anyhow::anyhow!("create-admin failed: {other}"),
        })
}
