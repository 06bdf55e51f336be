//! Reads one variable at a time through the caller's lookup and turns its text into a
//! typed value, or into a [`ConfigError`] naming the variable.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ipnet::IpNet;
use secrecy::SecretString;

use super::error::{ConfigError, Problem, Quoted};

/// The longest duration accepted anywhere: `now + duration` must stay a valid timestamp.
const MAX_DURATION: Duration = Duration::from_secs(100 * 31_557_600);

/// Levels a `LOG_LEVEL` directive may name.
const LOG_LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];

/// The caller's environment, seen through the rules every variable shares: values are
/// trimmed, and an empty value counts as unset.
pub(super) struct Reader<F> {
    lookup: F,
}

impl<F: Fn(&str) -> Option<String>> Reader<F> {
    pub(super) fn new(lookup: F) -> Self {
        Self { lookup }
    }

    /// The trimmed value, `None` when unset or blank.
    pub(super) fn string(&self, name: &'static str) -> Option<String> {
        debug_assert!(
            super::VARIABLES.contains(&name),
            "{name} is read but missing from VARIABLES"
        );
        (self.lookup)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    /// A value that must never be printed.
    pub(super) fn secret(&self, name: &'static str) -> Option<SecretString> {
        self.string(name).map(SecretString::from)
    }

    /// A secret of at least `min` bytes.
    pub(super) fn secret_at_least(
        &self,
        name: &'static str,
        min: usize,
    ) -> Result<Option<SecretString>, ConfigError> {
        match self.string(name) {
            Some(value) if value.len() < min => Err(ConfigError::new(
                name,
                Problem::TooShort {
                    min,
                    got: value.len(),
                },
            )),
            value => Ok(value.map(SecretString::from)),
        }
    }

    /// Comma-separated items, trimmed; empty items are skipped.
    pub(super) fn list(&self, name: &'static str) -> Vec<String> {
        self.string(name)
            .map(|value| {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Comma-separated CIDRs or bare IPs (see [`parse_network`]).
    pub(super) fn networks(&self, name: &'static str) -> Result<Vec<IpNet>, ConfigError> {
        self.list(name)
            .iter()
            .map(|entry| parse_network(entry))
            .collect::<Result<_, _>>()
            .map_err(|problem| ConfigError::new(name, problem))
    }

    /// Parses the value with `parse`, or returns `default` when unset.
    pub(super) fn parsed<T>(
        &self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Result<T, ConfigError> {
        match self.string(name) {
            Some(value) => parse(&value).map_err(|problem| ConfigError::new(name, problem)),
            None => Ok(default),
        }
    }

    /// A duration that may be zero.
    pub(super) fn duration(
        &self,
        name: &'static str,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        self.parsed(name, default, parse_duration)
    }

    /// A duration that must be longer than zero.
    pub(super) fn positive_duration(
        &self,
        name: &'static str,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        self.parsed(name, default, |value| {
            let duration = parse_duration(value)?;
            if duration.is_zero() {
                return Err(Problem::ZeroDuration);
            }
            Ok(duration)
        })
    }

    /// `true`/`false`/`1`/`0`/`yes`/`no`, any case.
    pub(super) fn bool(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        self.parsed(name, default, parse_bool)
    }

    /// A whole number in `min..=max`.
    pub(super) fn between<T: TryFrom<u64>>(
        &self,
        name: &'static str,
        default: T,
        min: u64,
        max: u64,
    ) -> Result<T, ConfigError> {
        self.parsed(name, default, |value| {
            let got = parse_number(value)?;
            if !(min..=max).contains(&got) {
                return Err(Problem::OutOfRange { min, max, got });
            }
            T::try_from(got).map_err(|_| Problem::OutOfRange { min, max, got })
        })
    }

    /// A whole number of at least `min`, bounded only by its type.
    pub(super) fn at_least<T: TryFrom<u64>>(
        &self,
        name: &'static str,
        default: T,
        min: u64,
    ) -> Result<T, ConfigError> {
        self.parsed(name, default, |value| {
            let got = parse_number(value)?;
            if got < min {
                return Err(Problem::TooSmall { min, got });
            }
            T::try_from(got).map_err(|_| Problem::TooLarge(Quoted::new(value)))
        })
    }

    /// One of a fixed set of words (any case).
    pub(super) fn one_of<T: Copy>(
        &self,
        name: &'static str,
        default: T,
        expected: &'static str,
        choices: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        self.parsed(name, default, |value| {
            choices
                .iter()
                .find(|(word, _)| word.eq_ignore_ascii_case(value))
                .map(|&(_, choice)| choice)
                .ok_or_else(|| Problem::NotOneOf {
                    expected,
                    got: Quoted::new(value),
                })
        })
    }

    /// A connection URL (it may carry a password, so it stays secret and is never quoted
    /// back) whose scheme is one of `schemes`.
    pub(super) fn connection_url(
        &self,
        name: &'static str,
        schemes: &'static [&'static str],
        wrong_scheme: &'static str,
    ) -> Result<Option<SecretString>, ConfigError> {
        let Some(value) = self.string(name) else {
            return Ok(None);
        };
        let url = url::Url::parse(&value).map_err(|_| {
            ConfigError::new(
                name,
                Problem::BadConnectionUrl("it does not parse as a URL"),
            )
        })?;
        if !schemes.contains(&url.scheme()) {
            return Err(ConfigError::new(
                name,
                Problem::BadConnectionUrl(wrong_scheme),
            ));
        }
        Ok(Some(SecretString::from(value)))
    }
}

/// A humantime duration (`15m`, `168h`, `1h 30m`, `0s`) or a bare number of seconds.
pub(super) fn parse_duration(value: &str) -> Result<Duration, Problem> {
    let not_a_duration = || Problem::NotADuration(Quoted::new(value));
    let duration = if value.bytes().all(|byte| byte.is_ascii_digit()) {
        Duration::from_secs(value.parse().map_err(|_| not_a_duration())?)
    } else {
        humantime::parse_duration(value).map_err(|_| not_a_duration())?
    };
    if duration > MAX_DURATION {
        return Err(Problem::DurationTooLong {
            max: "100 years".to_owned(),
            got: humantime::format_duration(duration).to_string(),
        });
    }
    Ok(duration)
}

fn parse_bool(value: &str) -> Result<bool, Problem> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(Problem::NotABool(Quoted::new(value))),
    }
}

fn parse_number(value: &str) -> Result<u64, Problem> {
    if !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(Problem::NotANumber(Quoted::new(value)));
    }
    // All digits yet unparsable means it overflows u64: too large for any setting.
    value
        .parse()
        .map_err(|_| Problem::TooLarge(Quoted::new(value)))
}

/// An IP address (`HOST`).
pub(super) fn parse_ip(value: &str) -> Result<IpAddr, Problem> {
    value
        .parse()
        .map_err(|_| Problem::NotAnIp(Quoted::new(value)))
}

/// An IP address and port (`127.0.0.1:9100`, `[::1]:9100`).
pub(super) fn parse_socket_addr(value: &str) -> Result<SocketAddr, Problem> {
    value
        .parse()
        .map_err(|_| Problem::NotASocketAddr(Quoted::new(value)))
}

/// A CIDR (`10.0.0.0/8`) or a bare address (a single-host network). Host bits are
/// cleared, so `10.1.2.3/8` becomes `10.0.0.0/8`.
fn parse_network(value: &str) -> Result<IpNet, Problem> {
    if let Ok(network) = value.parse::<IpNet>() {
        return Ok(network.trunc());
    }
    value
        .parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| Problem::NotACidr(Quoted::new(value)))
}

/// A tracing filter made of `level` or `target=level` directives, e.g.
/// `info,portcullis=debug`. A bare word that is no level is refused: the subscriber would
/// read it as a target and silently log almost nothing.
pub(super) fn parse_log_filter(value: &str) -> Result<String, Problem> {
    let refuse = |why| Problem::NotALogFilter {
        value: Quoted::new(value),
        why,
    };
    for directive in value.split(',').map(str::trim) {
        if directive.is_empty() {
            return Err(refuse("it has an empty directive"));
        }
        let level = match directive.rsplit_once('=') {
            Some((target, _)) if target.trim().is_empty() => {
                return Err(refuse("a directive has an empty target"));
            }
            Some((_, level)) => level.trim(),
            None => directive,
        };
        if !LOG_LEVELS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(level))
        {
            return Err(refuse(
                "each directive must be a level (trace, debug, info, warn, error, off) or target=level",
            ));
        }
    }
    Ok(value.to_owned())
}

/// `Name <user@host>` or `user@host`. Control characters are refused: this value goes
/// into a mail header.
pub(super) fn parse_mailbox(value: &str) -> Result<String, Problem> {
    let refuse = || Problem::NotAMailbox(Quoted::new(value));
    if value.chars().any(char::is_control) {
        return Err(refuse());
    }
    let address = match value.rfind('<') {
        Some(start) => value
            .strip_suffix('>')
            .and_then(|rest| rest.get(start + 1..))
            .ok_or_else(refuse)?,
        None => value,
    };
    let (local, domain) = address.split_once('@').ok_or_else(refuse)?;
    let well_formed = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !address.contains(|c: char| c.is_whitespace() || c == '<' || c == '>');
    if !well_formed {
        return Err(refuse());
    }
    Ok(value.to_owned())
}
