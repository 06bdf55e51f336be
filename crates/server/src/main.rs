//! `portcullis`: the authentication server and its operator commands.

use std::process::ExitCode;

use actix_web::{HttpServer, web};
use clap::{Parser, Subcommand};
use portcullis::config::Config;
use portcullis::{admin, telemetry, wiring};

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
    let config = match Config::from_lookup(|key| std::env::var(key).ok()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    if let Err(err) = telemetry::init(&config.log_level, config.log_format) {
        eprintln!("error: {err}");
        return ExitCode::from(2);
    }
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
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runtime.block_on(serve(config)),
        Command::CreateAdmin {
            email,
            name,
            password_stdin,
        } => runtime.block_on(admin::create_admin(&config, &email, &name, password_stdin)),
    };
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
    let state = web::Data::new(wiring::build(&config).await?);
    admin::bootstrap_from_env(&config, &state.service).await?;
    let addr = config.socket_addr();
    let server = HttpServer::new(move || portcullis_http::app(state.clone()))
        .shutdown_timeout(config.shutdown_timeout.as_secs())
        .bind(addr)
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    for bound in server.addrs() {
        tracing::info!(addr = %bound, env = ?config.app_env, "portcullis listening");
    }
    // actix-web stops accepting on SIGINT/SIGTERM and lets in-flight requests finish
    // within the shutdown timeout.
    server.run().await?;
    tracing::info!("portcullis stopped gracefully");
    Ok(())
}
