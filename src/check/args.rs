//! The flags of `ocp-mock check` and `ocp-mock validate`. As for `serve`, every flag can also
//! come from an `OCP_MOCK_*` environment variable (the flag wins), so a CI job can keep the
//! target and its credentials in secrets rather than on a command line.

use std::path::PathBuf;

use super::report::Format;
use super::validate::ValidateOptions;
use super::{CheckOptions, Credentials, DeleteTarget};
use crate::cli::scan::{Env, Scanned, bad, millis, scan};
use crate::cli::{CliError, Command};
use crate::contract::Expect;

/// Flags of `check` that take a value, with their environment twins.
const CHECK_VALUES: &[(&str, &str)] = &[
    ("--target", "OCP_MOCK_TARGET"),
    ("--user", "OCP_MOCK_CHECK_USER"),
    ("--access-key", "OCP_MOCK_CHECK_ACCESS_KEY"),
    ("--missing-cluster-id", "OCP_MOCK_MISSING_CLUSTER_ID"),
    ("--delete", "OCP_MOCK_DELETE"),
    ("--poll-interval", "OCP_MOCK_POLL_INTERVAL"),
    ("--poll-timeout", "OCP_MOCK_POLL_TIMEOUT"),
    ("--timeout", "OCP_MOCK_TIMEOUT"),
    ("--format", "OCP_MOCK_FORMAT"),
    ("--ca-cert", "OCP_MOCK_CA_CERT"),
];

/// Switches of `check`, with their environment twins.
const CHECK_SWITCHES: &[(&str, &str)] = &[
    ("--allow-delete", "OCP_MOCK_ALLOW_DELETE"),
    ("--insecure", "OCP_MOCK_INSECURE"),
];

const VALIDATE_VALUES: &[(&str, &str)] = &[
    ("--status", "OCP_MOCK_STATUS"),
    ("--expect", "OCP_MOCK_EXPECT"),
    ("--format", "OCP_MOCK_FORMAT"),
];

/// `NAME:PASSWORD` or `ID:SECRET`: split at the first colon, so a password may hold colons.
fn pair(flag: &str, spec: &str, form: &str) -> Result<(String, String), CliError> {
    match spec.split_once(':') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_owned(), b.to_owned())),
        _ => Err(bad(
            flag,
            format!("expected {form}, with neither part empty"),
        )),
    }
}

/// Credentials from the flags if any was given, else from the variables: a flag never mixes
/// with the other kind's variable.
fn credentials(scanned: &Scanned<'_>) -> Result<Credentials, CliError> {
    let from_flags = scanned.given("--user") || scanned.given("--access-key");
    let pick = |flag: &str| {
        if from_flags && !scanned.given(flag) {
            None
        } else {
            scanned.get(flag)
        }
    };
    match (pick("--user"), pick("--access-key")) {
        (Some(_), Some(_)) => Err(CliError(
            "give --user or --access-key, not both (or their variables OCP_MOCK_CHECK_USER, OCP_MOCK_CHECK_ACCESS_KEY)"
                .into(),
        )),
        (Some(user), None) => {
            let (name, password) = pair("--user", &user, "NAME:PASSWORD")?;
            Ok(Credentials::Basic {
                user: name,
                password,
            })
        }
        (None, Some(key)) => {
            let (id, secret) = pair("--access-key", &key, "ID:SECRET")?;
            Ok(Credentials::AccessKey { id, secret })
        }
        (None, None) => Err(CliError(
            "check needs --user NAME:PASSWORD or --access-key ID:SECRET: the probes past authentication need an identity"
                .into(),
        )),
    }
}

fn format(scanned: &Scanned<'_>) -> Result<Format, CliError> {
    scanned.get("--format").map_or(Ok(Format::Human), |f| {
        f.parse().map_err(|e| bad("--format", e))
    })
}

/// Parses the arguments after `check`.
pub fn parse_check(args: &[String], env: Env<'_>) -> Result<Command, CliError> {
    let Some(scanned) = scan(args, CHECK_VALUES, CHECK_SWITCHES, env)? else {
        return Ok(Command::Help);
    };
    if let Some(operand) = scanned.operands.first() {
        return Err(CliError(format!(
            "check takes no operand, got {operand:?} (the target goes in --target)"
        )));
    }
    let target = scanned.get("--target").ok_or_else(|| {
        CliError("check needs --target URL (or OCP_MOCK_TARGET), e.g. http://127.0.0.1:8080".into())
    })?;
    let mut options = CheckOptions::new(target, credentials(&scanned)?);
    if let Some(id) = scanned.get("--missing-cluster-id") {
        options.missing_cluster_id = id
            .trim()
            .parse()
            .map_err(|_| bad("--missing-cluster-id", format!("{id:?} is not a Long")))?;
    }
    if let Some(spec) = scanned.get("--delete") {
        if !scanned.switch("--allow-delete") {
            return Err(CliError(
                "--delete deletes OBProxy servers for real: add --allow-delete to confirm".into(),
            ));
        }
        options.delete = Some(DeleteTarget::parse(&spec).map_err(|e| bad("--delete", e))?);
    }
    options.poll_interval = millis(&scanned, "--poll-interval", options.poll_interval)?;
    options.poll_timeout = millis(&scanned, "--poll-timeout", options.poll_timeout)?;
    options.timeout = millis(&scanned, "--timeout", options.timeout)?;
    if options.timeout.is_zero() {
        return Err(bad("--timeout", "must be more than 0 ms"));
    }
    options.format = format(&scanned)?;
    options.ca_cert = scanned.get("--ca-cert").map(PathBuf::from);
    options.insecure = scanned.switch("--insecure");
    if cfg!(not(feature = "tls")) && (options.ca_cert.is_some() || options.insecure) {
        return Err(CliError(
            "--ca-cert and --insecure need the `tls` feature, which this build lacks".into(),
        ));
    }
    Ok(Command::Check(Box::new(options)))
}

/// Parses the arguments after `validate`.
pub fn parse_validate(args: &[String], env: Env<'_>) -> Result<Command, CliError> {
    let Some(scanned) = scan(args, VALIDATE_VALUES, &[], env)? else {
        return Ok(Command::Help);
    };
    if scanned.operands.is_empty() {
        return Err(CliError(
            "validate needs at least one FILE (a saved JSON answer; - for stdin)".into(),
        ));
    }
    let status = match scanned.get("--status") {
        None => None,
        Some(s) => Some(
            s.trim()
                .parse::<u16>()
                .ok()
                .filter(|s| (100..=599).contains(s))
                .ok_or_else(|| bad("--status", format!("{s:?} is not an HTTP status")))?,
        ),
    };
    let expect = match scanned.get("--expect").as_deref() {
        None | Some("any") => Expect::Any,
        Some("new-task") => Expect::NewTask,
        Some(other) => {
            return Err(bad("--expect", format!("{other:?} is not any or new-task")));
        }
    };
    let format = format(&scanned)?;
    Ok(Command::Validate(ValidateOptions {
        files: scanned.operands,
        status,
        expect,
        format,
    }))
}
