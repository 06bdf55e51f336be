//! `Templates`: a [`MailMessage`] rendered into an [`OutgoingMail`].
//!
//! Each message has three templates, `<name>.subject`, `<name>.txt` and `<name>.html`
//! (minijinja, Jinja2 syntax); the HTML ones extend `layout.html`. Only `.html` templates
//! are auto-escaped. A value a template does not receive is an error, not an empty string.
//!
//! Overrides: every `*.subject`, `*.txt` and `*.html` file of the override directory is
//! loaded under its file name, replacing the built-in template of that name (so
//! `layout.html` restyles every HTML message) or adding a partial for `include` /
//! `extends`. Other files and subdirectories are ignored.

mod escape;
mod message;

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use portcullis_domain::Email;
use portcullis_domain::mail::OutgoingMail;

pub use message::MailMessage;

/// The compiled-in templates, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    (
        "password_reset.subject",
        include_str!("../templates/password_reset.subject"),
    ),
    (
        "password_reset.txt",
        include_str!("../templates/password_reset.txt"),
    ),
    (
        "password_reset.html",
        include_str!("../templates/password_reset.html"),
    ),
    (
        "email_verification.subject",
        include_str!("../templates/email_verification.subject"),
    ),
    (
        "email_verification.txt",
        include_str!("../templates/email_verification.txt"),
    ),
    (
        "email_verification.html",
        include_str!("../templates/email_verification.html"),
    ),
    (
        "password_changed.subject",
        include_str!("../templates/password_changed.subject"),
    ),
    (
        "password_changed.txt",
        include_str!("../templates/password_changed.txt"),
    ),
    (
        "password_changed.html",
        include_str!("../templates/password_changed.html"),
    ),
    (
        "account_exists.subject",
        include_str!("../templates/account_exists.subject"),
    ),
    (
        "account_exists.txt",
        include_str!("../templates/account_exists.txt"),
    ),
    (
        "account_exists.html",
        include_str!("../templates/account_exists.html"),
    ),
];

/// The extensions of the three parts of a message.
const PARTS: [&str; 3] = ["subject", "txt", "html"];

/// The override directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateLoadError {
    /// The directory cannot be listed.
    #[error("cannot read the mail template directory {path}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A template file cannot be read (or is not UTF-8).
    #[error("cannot read the mail template {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A template does not compile; the source names the file and line.
    #[error("mail template {name} has a syntax error")]
    Syntax {
        /// The template (file) name.
        name: String,
        /// What and where.
        #[source]
        source: minijinja::Error,
    },
    /// A template compiles but fails on sample values (an unknown variable, a missing
    /// `extends` target, a bad filter).
    #[error("mail template {name} does not render")]
    Render {
        /// The template name.
        name: String,
        /// What and where.
        #[source]
        source: minijinja::Error,
    },
}

/// A message could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the mail template {template}")]
pub struct RenderError {
    /// The template that failed, e.g. `password_reset.html`.
    pub template: String,
    /// What and where.
    #[source]
    pub source: minijinja::Error,
}

/// The mail templates: the built-in ones, optionally with files from a directory on top.
/// Build once at start-up and share.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The compiled-in templates only.
    pub fn builtin() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(escape::formatter);
        // Compiled on first use; `with_overrides` compiles and tries every one at start-up,
        // and this crate's tests do the same for the built-in set.
        env.set_loader(|name| {
            Ok(BUILTIN
                .iter()
                .find(|(builtin, _)| *builtin == name)
                .map(|(_, source)| (*source).to_owned()))
        });
        Self { env }
    }

    /// The built-in templates with those of `dir` on top (see the module docs), each one
    /// compiled and tried on sample values now, so a broken override stops the start.
    ///
    /// # Errors
    /// [`TemplateLoadError`] naming the directory, file or template at fault.
    pub fn with_overrides(dir: &Path) -> Result<Self, TemplateLoadError> {
        let mut templates = Self::builtin();
        let listing = std::fs::read_dir(dir).map_err(|source| TemplateLoadError::Directory {
            path: dir.to_owned(),
            source,
        })?;
        let mut loaded = Vec::new();
        for entry in listing {
            let entry = entry.map_err(|source| TemplateLoadError::Directory {
                path: dir.to_owned(),
                source,
            })?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let is_template = Path::new(&name)
                .extension()
                .and_then(|ext| ext.to_str())
                .is_some_and(|ext| PARTS.contains(&ext));
            // `metadata` follows symlinks (Kubernetes mounts ConfigMap files as links).
            if name.starts_with('.') || !is_template || !path.metadata().is_ok_and(|m| m.is_file())
            {
                continue;
            }
            let source = std::fs::read_to_string(&path)
                .map_err(|source| TemplateLoadError::Read { path, source })?;
            templates
                .env
                .add_template_owned(name.clone(), source)
                .map_err(|source| TemplateLoadError::Syntax {
                    name: name.clone(),
                    source,
                })?;
            loaded.push(name);
        }
        templates.check()?;
        loaded.sort();
        tracing::info!(dir = %dir.display(), templates = ?loaded, "mail template overrides loaded");
        Ok(templates)
    }

    /// Renders every template of every message on sample values.
    ///
    /// # Errors
    /// The first template that fails, as [`TemplateLoadError::Render`].
    #[expect(clippy::expect_used, reason = "a constant, valid address")]
    pub fn check(&self) -> Result<(), TemplateLoadError> {
        let to = Email::parse("someone@portcullis.example").expect("a valid sample address");
        for sample in MailMessage::samples() {
            self.render(&sample, &to)
                .map_err(|error| TemplateLoadError::Render {
                    name: error.template,
                    source: error.source,
                })?;
        }
        Ok(())
    }

    /// Renders `message` for `to`: subject (on one line), plain text and HTML.
    ///
    /// # Errors
    /// [`RenderError`] when a template fails, which [`Templates::check`] rules out for the
    /// values it tries.
    pub fn render(&self, message: &MailMessage, to: &Email) -> Result<OutgoingMail, RenderError> {
        let name = message.template_name();
        let context = message.context(to);
        let part = |ext: &str| {
            let template = format!("{name}.{ext}");
            self.env
                .get_template(&template)
                .and_then(|t| t.render(&context))
                .map_err(|source| RenderError { template, source })
        };
        let [subject, text, html] = PARTS;
        Ok(OutgoingMail {
            to: to.clone(),
            subject: part(subject)?
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            text: part(text)?,
            html: part(html)?,
        })
    }
}
