//! `portcullis`: the authentication server and its operator commands.

use std::process::ExitCode;

use actix_web::{HttpServer, web};
use clap::{Parser, Subcommand};
use portcullis::config::Config;
use portcullis::{admin, keygen, telemetry, wiring};

/// Portcullis: self-hosted authentication for web and mobile apps.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Create an admin account, or promote an existing account to admin. Idempotent.
    /// The password comes from standard input with --password-stdin, else from
    /// ADMIN_PASSWORD (never from the command line).
    CreateAdmin {
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// Display name for a new account.
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Run the embedded database migrations and exit (the migration container).
    Migrate,
    /// Run one pass of the retention job (expired and revoked sessions, old audit
    /// events) and exit.
    Cleanup,
    /// Write a new EdDSA or ES256 key pair for JWT_PRIVATE_KEY / JWT_VERIFY_KEYS.
    Keygen {
        /// `eddsa` or `es256`.
        #[arg(long, default_value = "eddsa")]
        algorithm: String,
        /// Where to write the private key (PKCS#8 PEM, mode 0600); the public key goes
        /// next to it with `.pub.pem`.
        #[arg(long, default_value = "jwt-signing-key.pem")]
        out: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `.env` is optional; a malformed one is reported, not ignored.
    if let Err(err) = dotenvy::dotenv()
        && !err.not_found()
    {
        eprintln!("error: .env: {err}");
        return ExitCode::FAILURE;
    }
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Keygen { algorithm, out } = &command {
        // Needs no configuration: an operator runs it before there is any.
        return match keygen::write_keypair(algorithm, out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_lookup(|key| std::env::var(key).ok()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let telemetry = match telemetry::init(
        &config.log_level,
        config.log_format,
        config.otel_exporter_otlp_endpoint.as_deref(),
    ) {
        Ok(telemetry) => telemetry,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = match command {
        Command::Keygen { .. } => Ok(()),
        Command::Migrate => runtime.block_on(admin::migrate(&config)),
        Command::Cleanup => runtime.block_on(admin::cleanup(&config)),
        Command::Serve => runtime.block_on(serve(config)),
        Command::CreateAdmin {
            email,
            name,
            password_stdin,
        } => runtime.block_on(admin::create_admin(&config, &email, &name, password_stdin)),
    };
    // Spans of the last requests are still queued: export them before exiting.
    telemetry.shutdown();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "portcullis stopped");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let built = wiring::build(&config).await?;
    let audit = built.audit.clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mail_worker = built.mail.spawn(stopped.clone());
    let retention = tokio::spawn(
        built
            .retention
            .run_periodically(std::time::Duration::from_secs(3600), stopped),
    );
    let state = web::Data::new(built.state);
    admin::bootstrap_from_env(&config, &state.service).await?;
    let addr = config.socket_addr();
    let server = HttpServer::new(move || portcullis_http::app(state.clone()))
        .shutdown_timeout(config.shutdown_timeout.as_secs())
        .bind(addr)
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    for bound in server.addrs() {
        tracing::info!(addr = %bound, env = ?config.app_env, "portcullis listening");
    }
    let metrics_server = match (config.metrics_addr, built.metrics) {
        (Some(addr), Some(endpoint)) => {
            let server = HttpServer::new(move || portcullis_http::metrics_app(endpoint.clone()))
                .workers(1)
                // Stopped after the main server has drained (below), so scrapes keep
                // working while in-flight requests finish.
                .disable_signals()
                .shutdown_timeout(config.shutdown_timeout.as_secs())
                .bind(addr)
                .map_err(|e| anyhow::anyhow!("METRICS_ADDR: cannot listen on {addr}: {e}"))?;
            for bound in server.addrs() {
                tracing::info!(addr = %bound, "metrics listening (METRICS_ADDR)");
            }
            Some(server.run())
        }
        _ => None,
    };
    // actix-web stops accepting on SIGINT/SIGTERM and lets in-flight requests finish
    // within the shutdown timeout.
    match metrics_server {
        None => server.run().await?,
        Some(metrics) => run_with_metrics_listener(server.run(), metrics).await?,
    }
    // In-flight requests are done: write their audit events, and let the mail worker
    // finish its current batch.
    audit.flush().await;
    let _ = stop.send(true);
    retention.abort();
    if tokio::time::timeout(std::time::Duration::from_secs(10), mail_worker)
        .await
        .is_err()
    {
        tracing::warn!("the mail worker did not stop in time");
    }
    tracing::info!("portcullis stopped gracefully");
    Ok(())
}

/// Runs the main server and the `METRICS_ADDR` listener together. The main server owns
/// the signals: when it has drained, the metrics listener stops too. Should the metrics
/// listener end first (it only does on an error), the main server is stopped gracefully
/// and the error returned.
async fn run_with_metrics_listener(
    main: actix_web::dev::Server,
    metrics: actix_web::dev::Server,
) -> anyhow::Result<()> {
    let (main_handle, metrics_handle) = (main.handle(), metrics.handle());
    let mut main = std::pin::pin!(main);
    let mut metrics = std::pin::pin!(metrics);
    // `stop` sends its command at once; the server future itself carries it out, so it
    // is that future, not the handle's, that is awaited.
    tokio::select! {
        done = &mut main => {
            drop(metrics_handle.stop(true));
            metrics.await.map_err(|e| anyhow::anyhow!("METRICS_ADDR listener: {e}"))?;
            done?;
            Ok(())
        }
        done = &mut metrics => {
            tracing::error!("the METRICS_ADDR listener stopped; stopping the server");
            drop(main_handle.stop(true));
            main.await?;
            done.map_err(|e| anyhow::anyhow!("METRICS_ADDR listener: {e}"))?;
            anyhow::bail!("METRICS_ADDR listener stopped unexpectedly")
        }
    }
}
