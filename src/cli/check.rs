//! `ocp-mock check` and `ocp-mock validate`: their flags, and how they become the checker's
//! options. As for `serve`, every flag has an `OCP_MOCK_*` twin, so a CI job can keep the
//! target and its credentials in secrets rather than on a command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::FalseyValueParser;
use clap::{ArgMatches, Args};
use ocp_mock::check::{CheckOptions, Credentials, DeleteTarget, Format, ValidateOptions};
use ocp_mock::spec::EndpointRef;
use ocp_mock::{Expect, OcpVersion};

use super::values;
use super::{CliError, from_env, set};

/// The flags of `check`.
#[derive(Debug, Args)]
#[command(after_help = EXIT_STATUS)]
pub struct CheckArgs {
    /// http[s]://HOST[:PORT][/PREFIX] of the OCP (or mock) to probe; required
    #[arg(long, env = "OCP_MOCK_TARGET", value_name = "URL")]
    target: Option<String>,
    /// Call as this Basic user
    #[arg(
        long,
        env = "OCP_MOCK_CHECK_USER",
        value_name = "NAME:PASSWORD",
        hide_env_values = true
    )]
    user: Option<String>,
    /// Or sign with this AK/SK pair
    #[arg(
        long,
        env = "OCP_MOCK_CHECK_ACCESS_KEY",
        value_name = "ID:SECRET",
        hide_env_values = true
    )]
    access_key: Option<String>,
    /// A cluster id the target lacks, for the 404 probe (default 9223372036854775807)
    #[arg(long, env = "OCP_MOCK_MISSING_CLUSTER_ID", value_name = "N", value_parser = values::long)]
    missing_cluster_id: Option<i64>,
    /// Also delete these OBProxy servers for real and follow the task (needs --allow-delete),
    /// e.g. 1:2 or 1:2,3
    #[arg(long, env = "OCP_MOCK_DELETE", value_name = "CLUSTER_ID:SERVER_IDS", value_parser = values::delete_target)]
    delete: Option<DeleteTarget>,
    /// Confirm --delete
    #[arg(long, env = "OCP_MOCK_ALLOW_DELETE", value_parser = FalseyValueParser::new())]
    allow_delete: bool,
    /// Also send every documented GET of the target's OCP version and judge each answer with
    /// that endpoint's response schema (reads only: no write is ever sent)
    #[arg(long, env = "OCP_MOCK_ALL_READS", value_parser = FalseyValueParser::new())]
    all_reads: bool,
    /// With --all-reads: send at most N reads, skip the rest (default 200)
    #[arg(long, env = "OCP_MOCK_MAX_CALLS", value_name = "N", value_parser = values::max_calls)]
    max_calls: Option<usize>,
    /// With --all-reads: the reads of this OCP release, 3.1.1, 4.2.2, 4.3.4 or 4.3.5 (default:
    /// the one GET /api/v2/info reports)
    #[arg(long, env = "OCP_MOCK_CHECK_OCP_VERSION", value_name = "VERSION")]
    ocp_version: Option<OcpVersion>,
    /// Between task polls (default 2000)
    #[arg(long, env = "OCP_MOCK_POLL_INTERVAL", value_name = "MS", value_parser = values::millis)]
    poll_interval: Option<Duration>,
    /// Give up on the task after (default 600000)
    #[arg(long, env = "OCP_MOCK_POLL_TIMEOUT", value_name = "MS", value_parser = values::millis)]
    poll_timeout: Option<Duration>,
    /// Per request: connect, send, answer (default 10000)
    #[arg(long, env = "OCP_MOCK_TIMEOUT", value_name = "MS", value_parser = values::millis)]
    timeout: Option<Duration>,
    /// The report on stdout (default human)
    #[arg(long, env = "OCP_MOCK_FORMAT", value_name = "human|json|junit")]
    format: Option<Format>,
    /// Also trust these PEM certificates (https)
    #[arg(long, env = "OCP_MOCK_CA_CERT", value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Accept any certificate (https)
    #[arg(long, env = "OCP_MOCK_INSECURE", value_parser = FalseyValueParser::new())]
    insecure: bool,
}

/// The flags of `validate`.
#[derive(Debug, Args)]
#[command(after_help = EXIT_STATUS)]
pub struct ValidateArgs {
    /// The HTTP status the answers came with (default: each body's own status field)
    #[arg(long, env = "OCP_MOCK_STATUS", value_name = "N", value_parser = values::http_status)]
    status: Option<u16>,
    /// new-task: the answer of an asynchronous write, a task just created (default any)
    #[arg(long, env = "OCP_MOCK_EXPECT", value_name = "any|new-task", value_parser = values::expect)]
    expect: Option<Expect>,
    /// The report on stdout (default human)
    #[arg(long, env = "OCP_MOCK_FORMAT", value_name = "human|json|junit")]
    format: Option<Format>,
    /// Judge with this endpoint's response schema (schemas/endpoints/) instead of the contract:
    /// 'METHOD PATH', a concrete path or a pattern, e.g. 'GET /api/v2/obproxy/clusters/12'
    #[arg(
        long,
        env = "OCP_MOCK_ENDPOINT",
        value_name = "METHOD PATH",
        conflicts_with_all = ["status", "expect"]
    )]
    endpoint: Option<EndpointRef>,
    /// The OCP release whose schemas --endpoint uses: 3.1.1, 4.2.2, 4.3.4 or 4.3.5 (default 4.3.4)
    #[arg(long, env = "OCP_MOCK_CHECK_OCP_VERSION", value_name = "VERSION")]
    ocp_version: Option<OcpVersion>,
    /// Saved answers: JSON bodies (plain text for a text endpoint), - for stdin
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
}

const EXIT_STATUS: &str = "Exit status: 0 every probe passed, 1 a contract violation, 2 the \
check could not run (bad arguments, no connection, TLS failure, unreadable file).";

impl CheckArgs {
    /// The format and subject of a report of a refusal, read before the refusal.
    pub fn report_to(&self) -> (Format, String) {
        let subject = self.target.clone().unwrap_or_else(|| "(no target)".into());
        (self.format.unwrap_or_default(), subject)
    }

    /// The checker's options. `matches` tells which credentials came from a variable: a flag
    /// never mixes with the other kind's variable.
    pub fn into_options(self, matches: &ArgMatches) -> Result<CheckOptions, CliError> {
        let target = self.target.clone().ok_or(CliError::Rule(
            "check needs --target URL (or OCP_MOCK_TARGET), e.g. http://127.0.0.1:8080",
        ))?;
        let mut options = CheckOptions::new(target, self.credentials(matches)?);
        if let Some(delete) = self.delete {
            if !self.allow_delete {
                return Err(CliError::Rule(
                    "--delete deletes OBProxy servers for real: add --allow-delete to confirm",
                ));
            }
            options.delete = Some(delete);
        }
        set(&mut options.missing_cluster_id, self.missing_cluster_id);
        set(&mut options.poll_interval, self.poll_interval);
        set(&mut options.poll_timeout, self.poll_timeout);
        set(&mut options.timeout, self.timeout);
        options.all_reads = self.all_reads;
        set(&mut options.max_calls, self.max_calls);
        options.ocp_version = self.ocp_version;
        if options.timeout.is_zero() {
            return Err(CliError::bad("--timeout", "must be more than 0 ms"));
        }
        set(&mut options.format, self.format);
        options.ca_cert = self.ca_cert;
        options.insecure = self.insecure;
        if cfg!(not(feature = "tls")) && (options.ca_cert.is_some() || options.insecure) {
            return Err(CliError::Rule(
                "--ca-cert and --insecure need the `tls` feature, which this build lacks",
            ));
        }
        Ok(options)
    }

    fn credentials(&self, matches: &ArgMatches) -> Result<Credentials, CliError> {
        let from_flags = [("user", &self.user), ("access_key", &self.access_key)]
            .iter()
            .any(|(id, v)| v.is_some() && !from_env(matches, id));
        let pick = |id: &str, value: &Option<String>| {
            let skip = from_flags && from_env(matches, id);
            value.clone().filter(|_| !skip)
        };
        match (
            pick("user", &self.user),
            pick("access_key", &self.access_key),
        ) {
            (Some(_), Some(_)) => Err(CliError::Rule(
                "give --user or --access-key, not both (or their variables OCP_MOCK_CHECK_USER, OCP_MOCK_CHECK_ACCESS_KEY)",
            )),
            (Some(user), None) => {
                let (user, password) = pair("--user", &user, "NAME:PASSWORD")?;
                Ok(Credentials::Basic { user, password })
            }
            (None, Some(key)) => {
                let (id, secret) = pair("--access-key", &key, "ID:SECRET")?;
                Ok(Credentials::AccessKey { id, secret })
            }
            (None, None) => Err(CliError::Rule(
                "check needs --user NAME:PASSWORD or --access-key ID:SECRET: the probes past authentication need an identity",
            )),
        }
    }
}

impl ValidateArgs {
    /// The options of a validation run.
    pub fn into_options(self) -> ValidateOptions {
        ValidateOptions {
            files: self.files,
            status: self.status,
            expect: self.expect.unwrap_or_default(),
            format: self.format.unwrap_or_default(),
            endpoint: self.endpoint,
            ocp_version: self.ocp_version.unwrap_or_default(),
        }
    }
}

/// `NAME:PASSWORD` or `ID:SECRET`: split at the first colon, so a password may hold colons.
/// The message never quotes the value, which holds a secret.
fn pair(flag: &'static str, spec: &str, form: &str) -> Result<(String, String), CliError> {
    match spec.split_once(':') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_owned(), b.to_owned())),
        _ => Err(CliError::bad(
            flag,
            format!("expected {form}, with neither part empty"),
        )),
    }
}
