//! `ocp-mock validate`: the contract applied offline to answers saved earlier, say captured with
//! curl from production, where running probes is not an option.
//!
//! A saved answer is its JSON body only; the HTTP status it came with is taken from the body's
//! own `status` field (which the contract requires to equal it), unless `--status` says
//! otherwise.
//!
//! With `--endpoint 'GET /api/v2/...'` the answer is judged with that endpoint's response schema
//! instead ([`crate::spec`], of the `--ocp-version` given): the whole body, `data` included. A
//! text endpoint's file (`GET /api/v2/time`) is its text, trailing whitespace aside.

use std::io::Read;

use serde_json::Value;

use super::report::{Format, ProbeResult, Report};
use super::{CheckError, judge};
use crate::contract::{Expect, Violation};
use crate::ocp::task::DOCUMENTED_EXAMPLE;
use crate::ocp::version::OcpVersion;
use crate::spec::{EndpointRef, EndpointSchema, EndpointSchemas};

/// The largest file read, the same bound as an answer over the network.
const MAX_FILE_BYTES: u64 = super::client::MAX_BODY_BYTES as u64;

/// Everything `ocp-mock validate` takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidateOptions {
    /// Paths of saved bodies; `-` is standard input.
    pub files: Vec<String>,
    /// The HTTP status the answers came with, instead of each body's `status`.
    pub status: Option<u16>,
    /// [`Expect::NewTask`] for the answer of an asynchronous write.
    pub expect: Expect,
    /// How the report is printed.
    pub format: Format,
    /// Judge with this endpoint's response schema rather than the contract.
    pub endpoint: Option<EndpointRef>,
    /// The OCP version whose schemas `endpoint` is looked up in.
    pub ocp_version: OcpVersion,
}

/// What a validation report names as its subject.
pub const SUBJECT: &str = "saved answers";

/// Judges every file; a file that cannot be read, or an endpoint the version does not
/// document, stops the run (exit 2).
pub fn validate(options: &ValidateOptions) -> Result<Report, CheckError> {
    let schema = match &options.endpoint {
        Some(endpoint) => Some(endpoint_schema(endpoint, options.ocp_version)?),
        None => None,
    };
    let mut probes = Vec::new();
    for file in &options.files {
        let bytes = read(file)?;
        probes.push(match schema {
            Some(schema) => validate_as(file, &bytes, schema, options.ocp_version),
            None => validate_one(file, &bytes, options),
        });
    }
    Ok(Report {
        command: "validate",
        subject: SUBJECT.into(),
        notes: Vec::new(),
        probes,
    })
}

fn read(file: &str) -> Result<Vec<u8>, CheckError> {
    let mut bytes = Vec::new();
    let result = if file == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
    };
    result.map_err(|error| CheckError::Read {
        file: file.to_owned(),
        error,
    })?;
    Ok(bytes)
}

/// The probe of a saved body named `name` (`-` is stdin) for `request`: failed already when the
/// body is past the size limit, which is then all there is to say of it.
fn saved(name: &str, request: String, bytes: &[u8]) -> ProbeResult {
    let name = if name == "-" { "stdin" } else { name };
    let mut probe = ProbeResult::new(name, request);
    if bytes.len() as u64 > MAX_FILE_BYTES {
        probe.judge(vec![Violation::new(
            "",
            format!("larger than the {MAX_FILE_BYTES}-byte limit"),
        )]);
    }
    probe
}

/// Judges one saved body; `name` is how the report calls it.
pub(crate) fn validate_one(name: &str, bytes: &[u8], options: &ValidateOptions) -> ProbeResult {
    let mut probe = saved(name, "saved answer".into(), bytes);
    if !probe.violations().is_empty() {
        return probe;
    }
    let parsed: Option<Value> = serde_json::from_slice(bytes).ok();
    let from_body = parsed
        .as_ref()
        .and_then(|b| b.get("status"))
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..=599).contains(s));
    let status = match (options.status, from_body) {
        (Some(status), _) => {
            probe.request = "saved answer, status from --status".into();
            status
        }
        (None, Some(status)) => {
            probe.request = "saved answer, status from the body".into();
            status
        }
        // Nothing says which status it came with: judge it as the envelope it claims to be, and
        // let the contract report the missing `status`.
        (None, None) => {
            let success = parsed
                .as_ref()
                .is_some_and(|b| b.get("successful") == Some(&Value::Bool(true)));
            let status = if success { 200 } else { 500 };
            probe.request = "saved answer without a status (give --status N)".into();
            probe.notes.push(format!(
                "no usable status in the body and no --status: judged as an answer with status {status}"
            ));
            status
        }
    };
    probe.status = Some(status);
    let mut found = Vec::new();
    probe.body = judge::body(status, bytes, options.expect, &mut found);
    probe.judge(found);
    if options.expect == Expect::NewTask {
        probe.documented = serde_json::from_str(DOCUMENTED_EXAMPLE).ok();
    }
    probe
}

/// The schema of the endpoint named, or why there is none.
fn endpoint_schema(
    endpoint: &EndpointRef,
    version: OcpVersion,
) -> Result<&'static EndpointSchema, CheckError> {
    let schemas = EndpointSchemas::of(version);
    schemas.resolve(endpoint).ok_or_else(|| {
        let methods: Vec<String> = schemas
            .methods_of(&endpoint.path)
            .iter()
            .map(ToString::to_string)
            .collect();
        let hint = if methods.is_empty() {
            String::new()
        } else {
            format!("; that path takes {}", methods.join(", "))
        };
        CheckError::UnknownEndpoint {
            endpoint: endpoint.to_string(),
            version,
            hint,
        }
    })
}

/// Judges one saved body with an endpoint's schema; `name` is how the report calls it.
fn validate_as(
    name: &str,
    bytes: &[u8],
    schema: &EndpointSchema,
    version: OcpVersion,
) -> ProbeResult {
    let request = format!(
        "saved answer, judged as {} {} (OCP {version})",
        schema.method, schema.path
    );
    let mut probe = saved(name, request, bytes);
    if !probe.violations().is_empty() {
        return probe;
    }
    match judge::decode(bytes, schema.is_text()) {
        Ok(body) => {
            probe.status = body
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok());
            probe.judge(schema.judge(&body));
            probe.body = Some(body);
        }
        Err(why) => probe.judge(vec![why]),
    }
    probe
}
