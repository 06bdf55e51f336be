//! `verify-token`: verifies a Portcullis access token the way a downstream service does,
//! with nothing but jsonwebtoken and the issuer's published JWK Set
//! (`GET /.well-known/jwks.json`). See README.md.
//!
//! ```text
//! verify-token --jwks <url-or-path> --issuer <iss> --audience <aud> <token>
//! ```
//!
//! Prints the verified claims as one line of JSON on standard output; on failure prints
//! the reason on standard error and exits with status 1 (2 for a usage error). The
//! token itself is never printed.

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;

mod args;
mod verify;

use args::{Command, Options, USAGE};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let command = match args::parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(command) => command,
        Err(e) => {
            eprintln!("verify-token: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let options = match command {
        Command::Help => {
            eprintln!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Verify(options) => options,
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("verify-token: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> anyhow::Result<()> {
    let token = if options.token == "-" {
        let mut token = String::new();
        std::io::stdin()
            .read_to_string(&mut token)
            .context("reading the token from standard input")?;
        token.trim().to_owned()
    } else {
        options.token
    };
    let jwks = verify::load_jwks(&options.jwks).await?;
    let claims = verify::verify(&token, &jwks, &options.issuer, &options.audience)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{claims}").context("writing the claims")?;
    out.flush().context("writing the claims")
}
