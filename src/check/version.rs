//! Which OCP a target looks like, and what that version's error answers look like.
//!
//! The check reads `GET /api/v2/info` first: a real OCP (and the mock) names its release in
//! `buildVersion` (`4.3.4-20241220...`, the mock's `4.3.4`). Once the version is known, the
//! error probes are judged by it as well: OCP 3.1.1 writes `error.code` as an integer
//! (`21001`), 4.2.2 and later as a prefixed string id (`"ODP21001"`). A client written for one
//! version cannot decode the other's, so a target whose codes contradict the version it reports
//! is a finding, not a detail.

use serde_json::Value;

use super::judge::shown;
use crate::contract::Violation;
use crate::ocp::info::{INFO_FIELDS, version_of_build, versions_answering};
use crate::ocp::version::OcpVersion;

/// What an answer to `GET /api/v2/info` says of the target's OCP version, in one line. The
/// documented example is the same in every version's pages, so a target answering it cannot be
/// placed; a real OCP names its release in `buildVersion` (`4.3.4-20241220...`).
pub fn describe_info(status: u16, body: &[u8]) -> String {
    read_info(status, body).0
}

/// The line of [`describe_info`] and the version the answer places the target at, if any.
pub fn read_info(status: u16, body: &[u8]) -> (String, Option<OcpVersion>) {
    const UNKNOWN: &str = "the target's OCP version is unknown";
    let unknown = |why: String| (format!("{why}; {UNKNOWN}"), None);
    if status != 200 {
        return unknown(format!("answered {status}, not OCP's build information"));
    }
    let info = match serde_json::from_slice::<Value>(body) {
        Ok(info) if info.is_object() => info,
        _ => return unknown("answered no JSON object, not as documented".into()),
    };
    let missing: Vec<&str> = INFO_FIELDS
        .into_iter()
        .filter(|f| info.get(f).is_none())
        .collect();
    if !missing.is_empty() {
        return unknown(format!("lacks {}, not as documented", missing.join(", ")));
    }
    let build = match info["buildVersion"].as_str() {
        Some(build) => build.chars().take(64).collect::<String>(),
        None => return unknown("buildVersion is not a string".into()),
    };
    let documented = versions_answering(&info);
    if !documented.is_empty() {
        let names: Vec<&str> = documented.iter().map(|v| v.as_str()).collect();
        let note = format!(
            "the documented example of OCP {} (buildVersion {build:?}): the version cannot be told from it",
            names.join(", ")
        );
        return (note, None);
    }
    match version_of_build(&build) {
        Some(version) => (
            format!("target reports OCP {version} (buildVersion {build:?})"),
            Some(version),
        ),
        None => {
            let known: Vec<&str> = OcpVersion::ALL.iter().map(|v| v.as_str()).collect();
            let note = format!(
                "buildVersion {build:?} names no OCP version the mock knows ({})",
                known.join(", ")
            );
            (note, None)
        }
    }
}

/// Whether `code` is written as OCP 4.2.2 and later name errors: capital letters, then digits
/// (`ODP21001`, `COM10001`, `IAM10000`).
fn is_error_id(code: &str) -> bool {
    let digits = code.trim_start_matches(|c: char| c.is_ascii_uppercase());
    digits.len() < code.len() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Judges the form of an error answer's `error.code` by the version the target reports.
pub(crate) fn error_code_form(body: &Value, version: OcpVersion, out: &mut Vec<Violation>) {
    let Some(code) = body.pointer("/error/code") else {
        return;
    };
    let (fits, expected) = match version {
        OcpVersion::V3_1_1 => (code.is_i64() || code.is_u64(), "an integer (21001)"),
        _ => (
            code.as_str().is_some_and(is_error_id),
            "a string id (\"ODP21001\")",
        ),
    };
    if !fits {
        out.push(Violation::new(
            "/error/code",
            format!(
                "expected {expected}, as OCP {version} writes error codes, got {}",
                shown(&code.to_string())
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn info_answers_are_described_by_what_they_say_of_the_version() {
        let example = crate::ocp::info::documented_info(OcpVersion::V4_3_4);
        let with_build = |build: &str| {
            let mut info = example.clone();
            info.insert("buildVersion".into(), build.into());
            serde_json::Value::Object(info).to_string()
        };
        let known = [
            (
                200,
                with_build("4.3.4-20241220"),
                "target reports OCP 4.3.4 (buildVersion \"4.3.4-20241220\")",
            ),
            (
                200,
                with_build("4.4.0"),
                "buildVersion \"4.4.0\" names no OCP version the mock knows (3.1.1, 4.2.2, 4.3.4, 4.3.5)",
            ),
            (
                200,
                serde_json::Value::Object(example.clone()).to_string(),
                "the documented example of OCP 3.1.1, 4.2.2, 4.3.4 (buildVersion \"2.5.0-SNAPSHOT\"): the version cannot be told from it",
            ),
            (
                404,
                String::new(),
                "answered 404, not OCP's build information; the target's OCP version is unknown",
            ),
            (
                200,
                "[1]".into(),
                "answered no JSON object, not as documented; the target's OCP version is unknown",
            ),
            (
                200,
                r#"{"name":"ocp-server"}"#.into(),
                "lacks group, artifact, buildTime, buildVersion, buildJavaVersion, springBootVersion, not as documented; the target's OCP version is unknown",
            ),
            (
                200,
                with_build("4.3.4").replace("\"4.3.4\"", "434"),
                "buildVersion is not a string; the target's OCP version is unknown",
            ),
        ];
        for (status, body, note) in known {
            assert_eq!(describe_info(status, body.as_bytes()), note, "{body}");
            let placed = read_info(status, body.as_bytes()).1;
            let expected = note
                .starts_with("target reports")
                .then_some(OcpVersion::V4_3_4);
            assert_eq!(placed, expected, "{body}");
        }
    }

    #[test]
    fn error_codes_are_judged_by_the_version_the_target_reports() {
        let known = [
            (OcpVersion::V3_1_1, json!(21001), None),
            (OcpVersion::V4_2_2, json!("ODP21001"), None),
            (OcpVersion::V4_3_5, json!("COM10001"), None),
            (
                OcpVersion::V3_1_1,
                json!("ODP21001"),
                Some(
                    "/error/code: expected an integer (21001), as OCP 3.1.1 writes error codes, got \"ODP21001\"",
                ),
            ),
            (
                OcpVersion::V4_3_4,
                json!(21001),
                Some(
                    "/error/code: expected a string id (\"ODP21001\"), as OCP 4.3.4 writes error codes, got 21001",
                ),
            ),
            (
                OcpVersion::V4_2_2,
                json!("21001"),
                Some(
                    "/error/code: expected a string id (\"ODP21001\"), as OCP 4.2.2 writes error codes, got \"21001\"",
                ),
            ),
            (
                OcpVersion::V4_2_2,
                json!("ODP"),
                Some(
                    "/error/code: expected a string id (\"ODP21001\"), as OCP 4.2.2 writes error codes, got \"ODP\"",
                ),
            ),
        ];
        for (version, code, expected) in known {
            let mut out = Vec::new();
            error_code_form(&json!({"error": {"code": code}}), version, &mut out);
            let found: Vec<String> = out.iter().map(ToString::to_string).collect();
            assert_eq!(
                found,
                expected.into_iter().collect::<Vec<_>>(),
                "{version} {code}"
            );
        }
        let mut out = Vec::new();
        error_code_form(&json!({"data": {}}), OcpVersion::V3_1_1, &mut out);
        assert!(out.is_empty(), "no error, nothing to judge");
    }
}
