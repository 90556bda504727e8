//! The `ocp-mock` command line (clap): `serve`, `check`, `validate`, `record` and `openapi`, each with its own
//! `--help`. Every flag can also come from the `OCP_MOCK_*` environment variable its help
//! names (the flag wins; a variable set to the empty string counts as unset), so CI jobs can
//! configure the mock and the checker without touching a command line.
//!
//! Bad arguments are reported on one line, `ocp-mock: <reason>`, with clap's suggestion when
//! a flag or command is mistyped, and exit with status 2.

mod check;
mod record;
mod serve;
#[cfg(test)]
mod tests;
mod values;

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use ocp_mock::OcpVersion;
use ocp_mock::check::aborted::render_error;
use ocp_mock::check::{CheckOptions, Format, ValidateOptions};

use check::{CheckArgs, ValidateArgs};
use record::RecordArgs;
pub use record::RecordRun;
use serve::ServeArgs;
pub use serve::ServeOptions;

/// A mock of the OceanBase Cloud Platform (OCP) REST API, and a contract checker for any OCP
#[derive(Debug, Parser)]
#[command(
    name = "ocp-mock",
    version,
    propagate_version = true,
    after_help = "Every flag can also be set with the OCP_MOCK_* variable its command's help \
                  names; the flag wins, and an empty variable counts as unset."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the mock until SIGINT or SIGTERM
    Serve(Box<ServeArgs>),
    /// Run the contract probes against an OCP (or the mock)
    Check(CheckArgs),
    /// Check saved answers (JSON bodies; - for stdin) offline
    Validate(ValidateArgs),
    /// Forward calls to a real OCP and write each exchange as a fixture for serve --replay
    Record(Box<RecordArgs>),
    /// Print the OpenAPI 3.1 document of an OCP version's documented API
    Openapi(OpenapiArgs),
    /// Print the version
    Version,
}

/// The flags of `openapi`.
#[derive(Debug, clap::Args)]
struct OpenapiArgs {
    /// The OCP release whose API to describe: 3.1.1, 4.2.2, 4.3.4 or 4.3.5 (default 4.3.4)
    #[arg(long, env = "OCP_MOCK_OCP_VERSION", value_name = "VERSION")]
    ocp_version: Option<OcpVersion>,
}

/// What the user asked for, ready to run.
#[derive(Debug)]
pub enum Invocation {
    /// `ocp-mock serve`.
    Serve(Box<ServeOptions>),
    /// `ocp-mock check`.
    Check(Box<CheckOptions>),
    /// `ocp-mock validate`.
    Validate(ValidateOptions),
    /// `ocp-mock record`.
    Record(Box<RecordRun>),
    /// `ocp-mock openapi`: the document of this version.
    Openapi(OcpVersion),
    /// `ocp-mock version`.
    Version,
}

/// A command line that cannot be carried out, or a request for help or the version (which
/// clap prints itself).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Refused by clap: an unknown flag, a missing or malformed value; or `--help`.
    #[error("{}", describe(.0))]
    Clap(#[from] clap::Error),
    /// A flag's value the model refused.
    #[error("{flag}: {reason}")]
    Bad {
        /// The flag, e.g. `--inventory`.
        flag: &'static str,
        /// Why, without the value when it may hold a secret.
        reason: String,
    },
    /// A rule between flags, or a flag a command cannot do without.
    #[error("{0}")]
    Rule(&'static str),
    /// `check` refused after its flags were read: the report format is known, so a report of
    /// the refusal goes to stdout too (a CI job's `> report.xml` is never empty).
    #[error("{error}")]
    Reported {
        /// Why.
        error: Box<CliError>,
        /// The `--format` asked for.
        format: Format,
        /// The target as given, or a placeholder.
        subject: String,
    },
}

impl CliError {
    fn bad(flag: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::Bad {
            flag,
            reason: reason.to_string(),
        }
    }

    fn reported(self, format: Format, subject: String) -> Self {
        Self::Reported {
            error: Box::new(self),
            format,
            subject,
        }
    }

    /// The report of the refusal in the format asked for, when one was.
    pub fn report(&self) -> Option<String> {
        match self {
            Self::Reported {
                error,
                format,
                subject,
            } => Some(render_error("check", subject, &error.to_string(), *format)),
            _ => None,
        }
    }

    /// `--help`, `--version`: printed on stdout, and the exit status is 0.
    pub fn is_help(&self) -> bool {
        matches!(self, Self::Clap(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion))
    }

    /// Prints help or the version the way clap does (coloured on a terminal).
    pub fn print_help(&self) {
        if let Self::Clap(e) = self {
            let _ = e.print();
        }
    }
}

/// Parses a whole command line, program name first; variables come from the environment.
pub fn parse<I, T>(args: I) -> Result<Invocation, CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    parse_with(command(), args)
}

/// Parses with a given command, so tests can take the environment out of it.
fn parse_with<I, T>(command: clap::Command, args: I) -> Result<Invocation, CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = command.try_get_matches_from(args)?;
    let cli = Cli::from_arg_matches(&matches)?;
    // The subcommand's own matches tell where each value came from.
    let sub = matches.subcommand().map_or(&matches, |(_, m)| m);
    Ok(match cli.command {
        Command::Serve(args) => Invocation::Serve(Box::new(args.into_options(sub)?)),
        Command::Check(args) => {
            let (format, subject) = args.report_to();
            let options = args
                .into_options(sub)
                .map_err(|e| e.reported(format, subject))?;
            Invocation::Check(Box::new(options))
        }
        Command::Validate(args) => Invocation::Validate(args.into_options()),
        Command::Record(args) => Invocation::Record(Box::new(args.into_run()?)),
        Command::Openapi(args) => Invocation::Openapi(args.ocp_version.unwrap_or_default()),
        Command::Version => Invocation::Version,
    })
}

/// The command line's definition, with two rules of the old hand-written parser kept: a flag
/// given twice takes its last value, and a variable set to the empty string is taken as unset,
/// as shells and CI templates leave them.
fn command() -> clap::Command {
    Cli::command().mut_subcommands(|sub| sub.args_override_self(true).mut_args(unset_if_empty))
}

/// Drops the variable of an argument while it is set to the empty string.
fn unset_if_empty(arg: Arg) -> Arg {
    let empty = arg
        .get_env()
        .and_then(std::env::var_os)
        .is_some_and(|v| v.is_empty());
    if empty { arg.env(None) } else { arg }
}

/// Whether the argument `id` of a subcommand took its value from its variable.
fn from_env(matches: &ArgMatches, id: &str) -> bool {
    matches!(matches.value_source(id), Some(ValueSource::EnvVariable))
}

/// A flag that was given replaces the default.
fn set<T>(field: &mut T, given: Option<T>) {
    if let Some(value) = given {
        *field = value;
    }
}

/// One line for a clap error, in the words `ocp-mock` has always used, with clap's suggestion.
/// A refused value is never quoted: it may be a secret.
fn describe(error: &clap::Error) -> String {
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(s)) => s.first().cloned(),
        _ => None,
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    // `--addr <HOST:PORT>` names the flag `--addr`.
    let flag = arg.split_whitespace().next().unwrap_or_default();
    let mut line = match error.kind() {
        ErrorKind::UnknownArgument if arg.starts_with('-') => format!("unknown option {arg:?}"),
        ErrorKind::UnknownArgument => format!("unexpected argument {arg:?}"),
        ErrorKind::InvalidSubcommand => {
            let name = text(ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("unknown command {name:?}")
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "no command given".to_owned()
        }
        ErrorKind::InvalidValue
            if text(ContextKind::InvalidValue).is_some_and(|v| v.is_empty()) =>
        {
            format!("{flag} needs a value")
        }
        ErrorKind::ValueValidation => match std::error::Error::source(error) {
            Some(why) => format!("{flag}: {why}"),
            None => format!("{flag}: invalid value"),
        },
        ErrorKind::MissingRequiredArgument => format!("missing {arg}"),
        _ => first_line(error),
    };
    let suggestion = text(ContextKind::SuggestedArg).or(text(ContextKind::SuggestedSubcommand));
    if let Some(suggestion) = suggestion {
        line.push_str(&format!("; a similar one exists: {suggestion}"));
    }
    if let Some(command) = command_of(error) {
        line.push_str(&format!(" (try: {command} --help)"));
    }
    line
}

/// `ocp-mock serve` when the error is about `serve`'s arguments, from the usage line clap
/// attaches to the errors a look at `--help` would solve.
fn command_of(error: &clap::Error) -> Option<String> {
    let usage = match error.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(usage)) => usage.to_string(),
        _ => return None,
    };
    let words = usage.split_whitespace().skip_while(|w| *w != "ocp-mock");
    let named: Vec<&str> = words
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect();
    (!named.is_empty()).then(|| named.join(" "))
}

/// clap's own message, without its `error: ` prefix, styling, usage and tips.
fn first_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_owned()
}

/// Whether a listening address is every interface: `0.0.0.0`, `::`, or `::ffff:0.0.0.0` (the
/// IPv4 wildcard written as an IPv4-mapped IPv6 address).
pub fn all_interfaces(ip: std::net::IpAddr) -> bool {
    ip.to_canonical().is_unspecified()
}
