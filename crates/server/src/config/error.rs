//! Why a configuration was refused.
//!
//! Policy: one error stops start-up, and its `Display` is a single line that names the
//! variable and says what is wrong (and, when it helps, what a good value looks like).
//! A value is quoted back only when it is not a secret, and always escaped and shortened.

/// A variable whose value the server cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The environment variable at fault, e.g. `JWT_SECRET`.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

impl ConfigError {
    pub(crate) fn new(variable: &'static str, problem: Problem) -> Self {
        Self { variable, problem }
    }
}

/// What is wrong with one variable. Quoted values are already escaped and shortened, so
/// every message stays on one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Unset, but `APP_ENV=production` needs it.
    #[error("production requires it (APP_ENV=production)")]
    RequiredInProduction,
    /// Unset, but another variable that was set needs it.
    #[error("required when {0} is set")]
    RequiredWith(&'static str),
    /// Not a duration.
    #[error("not a duration ({0}); use e.g. 3s, 15m, 168h")]
    NotADuration(Quoted),
    /// A duration that must not be zero.
    #[error("must be longer than 0s")]
    ZeroDuration,
    /// A duration past the sane maximum (timestamps must stay representable).
    #[error("must be at most {max} (got {got})")]
    DurationTooLong {
        /// The maximum, human-readable.
        max: String,
        /// What was given, human-readable.
        got: String,
    },
    /// Not a non-negative whole number.
    #[error("not a whole number ({0})")]
    NotANumber(Quoted),
    /// A number outside its range.
    #[error("must be between {min} and {max} (got {got})")]
    OutOfRange {
        /// Smallest accepted value.
        min: u64,
        /// Largest accepted value.
        max: u64,
        /// What was given.
        got: u64,
    },
    /// A number below its minimum.
    #[error("must be at least {min} (got {got})")]
    TooSmall {
        /// Smallest accepted value.
        min: u64,
        /// What was given.
        got: u64,
    },
    /// A number too large for the setting.
    #[error("is too large (got {0})")]
    TooLarge(Quoted),
    /// Not a boolean.
    #[error("not a boolean ({0}); use true or false")]
    NotABool(Quoted),
    /// Not one of a fixed set of words.
    #[error("must be one of {expected} (got {got})")]
    NotOneOf {
        /// The accepted words, e.g. `local | production`.
        expected: &'static str,
        /// What was given.
        got: Quoted,
    },
    /// A secret shorter than its minimum.
    #[error("must be at least {min} bytes (got {got})")]
    TooShort {
        /// Minimum length in bytes.
        min: usize,
        /// Length given, in bytes.
        got: usize,
    },
    /// `*` in a credentialed CORS allow-list.
    #[error("`*` is not allowed because requests carry credentials; list each origin")]
    WildcardOrigin,
    /// Not a `scheme://host[:port]` origin.
    #[error("not an origin ({value}): {why}; use e.g. https://app.example.com")]
    NotAnOrigin {
        /// What was given.
        value: Quoted,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Not an absolute http(s) URL (or has parts it must not have).
    #[error("not an absolute http(s) URL ({value}): {why}")]
    NotAnHttpUrl {
        /// What was given.
        value: Quoted,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A connection URL (which may hold a password, so it is never quoted) that does not
    /// parse or has the wrong scheme.
    #[error("not a valid connection URL: {0}")]
    BadConnectionUrl(&'static str),
    /// Not an IP address.
    #[error("not an IP address ({0}); use e.g. 0.0.0.0, 127.0.0.1 or ::")]
    NotAnIp(Quoted),
    /// Not an IP address with a port.
    #[error("not an IP address and port ({0}); use e.g. 127.0.0.1:9100 or [::1]:9100")]
    NotASocketAddr(Quoted),
    /// Not a CIDR or a bare IP.
    #[error("not an IP address or CIDR ({0}); use e.g. 10.0.0.0/8, 192.168.1.10 or fd00::/8")]
    NotACidr(Quoted),
    /// Not a tracing filter.
    #[error("not a log filter ({value}): {why}; use e.g. info or info,portcullis=debug")]
    NotALogFilter {
        /// What was given.
        value: Quoted,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Not a mailbox such as `Name <user@host>`.
    #[error("not a mailbox ({0}); use e.g. Portcullis <no-reply@example.com>")]
    NotAMailbox(Quoted),
    /// Set but blank where a value is needed (a list item, for instance).
    #[error("{0}")]
    Invalid(&'static str),
}

/// A non-secret value as shown in an error: escaped (no raw newline can split the line)
/// and cut to a readable length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted(String);

impl Quoted {
    const MAX_CHARS: usize = 64;

    pub(crate) fn new(value: &str) -> Self {
        let mut shown: String = value.chars().take(Self::MAX_CHARS).collect();
        if value.chars().count() > Self::MAX_CHARS {
            shown.push('…');
        }
        Self(shown)
    }
}

impl std::fmt::Display for Quoted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}
