//! The command line, parsed by hand: four values, each from a flag or the environment.

use std::fmt;

/// How to call the program, shown by `--help` and after a usage error.
pub const USAGE: &str = "\
usage: verify-token --jwks <url-or-path> --issuer <iss> --audience <aud> <token>

  --jwks       JWKS URL (http://host/.well-known/jwks.json) or a file path   [PORTCULLIS_JWKS]
  --issuer     the `iss` every token must carry                              [PORTCULLIS_ISSUER]
  --audience   the `aud` every token must carry                              [PORTCULLIS_AUDIENCE]
  <token>      the access token; `-` reads it from standard input            [PORTCULLIS_ACCESS_TOKEN]

Prints the verified claims as one line of JSON. Exit status: 0 verified, 1 refused or
failed, 2 usage error.";

/// What to verify, and against what.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    /// A JWKS URL (`http://` or `https://`) or a file path.
    pub jwks: String,
    /// The required `iss`.
    pub issuer: String,
    /// The required `aud`.
    pub audience: String,
    /// The token, or `-` for standard input.
    pub token: String,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Print [`USAGE`].
    Help,
    /// Verify a token.
    Verify(Options),
}

/// A command line that cannot be run.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Parses the arguments (without the program name); a value missing from them is read
/// from `env` (the variable named in [`USAGE`]).
///
/// # Errors
/// [`UsageError`] for an unknown flag, a flag without its value, a second token, or a
/// value found neither in the arguments nor in the environment.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, UsageError> {
    let (mut jwks, mut issuer, mut audience, mut token) = (None, None, None, None);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let slot = match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--jwks" => &mut jwks,
            "--issuer" => &mut issuer,
            "--audience" => &mut audience,
            _ if arg.starts_with("--") => return Err(UsageError(format!("unknown option {flag}"))),
            _ => {
                if token.replace(arg).is_some() {
                    return Err(UsageError("expected exactly one token".to_owned()));
                }
                continue;
            }
        };
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| UsageError(format!("{flag} needs a value")))?;
        *slot = Some(value);
    }
    let pick = |value: Option<String>, name: &str, var: &str| {
        value
            .or_else(|| env(var))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| UsageError(format!("missing {name} (or {var})")))
    };
    Ok(Command::Verify(Options {
        jwks: pick(jwks, "--jwks", "PORTCULLIS_JWKS")?,
        issuer: pick(issuer, "--issuer", "PORTCULLIS_ISSUER")?,
        audience: pick(audience, "--audience", "PORTCULLIS_AUDIENCE")?,
        token: pick(token, "<token>", "PORTCULLIS_ACCESS_TOKEN")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn options(jwks: &str, issuer: &str, audience: &str, token: &str) -> Command {
        Command::Verify(Options {
            jwks: jwks.to_owned(),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            token: token.to_owned(),
        })
    }

    #[test]
    fn flags_in_any_order_and_with_equals() {
        let line = args(&["--issuer", "i", "t0k", "--jwks=j.json", "--audience", "a"]);
        assert_eq!(parse(line, no_env), Ok(options("j.json", "i", "a", "t0k")));
    }

    #[test]
    fn missing_values_come_from_the_environment() {
        let env = |name: &str| Some(format!("env:{name}"));
        assert_eq!(
            parse(args(&["--issuer", "i"]), env),
            Ok(options(
                "env:PORTCULLIS_JWKS",
                "i",
                "env:PORTCULLIS_AUDIENCE",
                "env:PORTCULLIS_ACCESS_TOKEN"
            ))
        );
    }

    #[test]
    fn usage_errors() {
        for line in [
            vec!["--jwks"],
            vec!["--jwks", "j", "--issuer", "i", "--audience", "a"],
            vec![
                "--jwks",
                "j",
                "--issuer",
                "i",
                "--audience",
                "a",
                "t1",
                "t2",
            ],
            vec![
                "--jwks",
                "j",
                "--issuer",
                "i",
                "--audience",
                "a",
                "--leeway",
                "5",
                "t",
            ],
            vec!["--jwks", "", "--issuer", "i", "--audience", "a", "t"],
        ] {
            assert!(parse(args(&line), no_env).is_err(), "{line:?}");
        }
        assert_eq!(parse(args(&["t", "--help"]), no_env), Ok(Command::Help));
    }
}
