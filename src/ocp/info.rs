//! `GET /api/v2/info`: what an OCP says about its own build, as each version documents it.
//!
//! Deployment tools read this bare JSON object (no envelope) to learn which OCP they talk to, so
//! the mock answers the documented example of the version it follows, and the checker compares
//! a target's answer with the same examples. The examples are data, in `fixtures/ocp-info.json`.
//!
//! Every documented page (3.1.1, 4.2.2, 4.3.4) shows the same sample (`buildVersion`
//! `2.5.0-SNAPSHOT`, a development build that names no release); no 4.3.5 page documents the
//! call, so 4.3.5 repeats 4.3.4's. The mock answers that sample with `buildVersion` set to the
//! release it follows ([`mock_info`]), as a real OCP names its own: a client, or `check`, can
//! then tell the profiles apart.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::version::OcpVersion;

/// The documented `/info` examples, one per version, with the page each comes from.
pub const DOCUMENTED_INFO: &str = include_str!("../../fixtures/ocp-info.json");

/// The fields OCP's pages document for `/info`, in the tables' order.
pub const INFO_FIELDS: [&str; 7] = [
    "name",
    "group",
    "artifact",
    "buildTime",
    "buildVersion",
    "buildJavaVersion",
    "springBootVersion",
];

/// What `GET /api/v2/info` answers on an OCP of `version`, as its documentation shows it.
pub fn documented_info(version: OcpVersion) -> Map<String, Value> {
    match entry(version).and_then(|e| e.get("example")) {
        Some(Value::Object(example)) => example.clone(),
        _ => Map::new(),
    }
}

/// What the mock answers to `GET /api/v2/info` under `version`: the documented example, its
/// `buildVersion` the release (`4.3.4`), every other field as documented.
pub fn mock_info(version: OcpVersion) -> Map<String, Value> {
    let mut info = documented_info(version);
    info.insert("buildVersion".into(), Value::from(version.as_str()));
    info
}

/// Whether `version`'s example comes from its own page (not derived from another version's).
pub fn is_documented(version: OcpVersion) -> bool {
    entry(version).is_some_and(|e| e.get("page").is_some())
}

/// The versions whose documented example is exactly `answer`, oldest first.
pub fn versions_answering(answer: &Value) -> Vec<OcpVersion> {
    OcpVersion::ALL
        .into_iter()
        .filter(|&v| is_documented(v) && answer.as_object() == Some(&documented_info(v)))
        .collect()
}

/// The OCP release a `buildVersion` names: its leading `MAJOR.MINOR.PATCH` (`4.3.4-20241220`
/// names 4.3.4), when it is one the mock has a profile of.
pub fn version_of_build(build_version: &str) -> Option<OcpVersion> {
    let release = build_version
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()?;
    release.parse().ok()
}

/// The fixture, parsed once per process: `/api/v2/info` is answered from it on every call.
static ENTRIES: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(DOCUMENTED_INFO).unwrap_or(Value::Null));

fn entry(version: OcpVersion) -> Option<&'static Value> {
    ENTRIES.get(version.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_an_example_with_exactly_the_documented_fields() {
        for v in OcpVersion::ALL {
            let info = documented_info(v);
            let mut keys: Vec<&str> = info.keys().map(String::as_str).collect();
            let mut fields = INFO_FIELDS.to_vec();
            keys.sort_unstable();
            fields.sort_unstable();
            assert_eq!(keys, fields, "{v}");
            assert!(info.values().all(Value::is_string), "{v}: {info:?}");
        }
    }

    #[test]
    fn only_4_3_5_is_derived_and_the_documented_pages_agree() {
        let documented: Vec<OcpVersion> = OcpVersion::ALL
            .into_iter()
            .filter(|&v| is_documented(v))
            .collect();
        assert_eq!(
            documented,
            [OcpVersion::V3_1_1, OcpVersion::V4_2_2, OcpVersion::V4_3_4]
        );
        let example = Value::Object(documented_info(OcpVersion::V4_3_4));
        assert_eq!(versions_answering(&example), documented);
        assert_eq!(
            documented_info(OcpVersion::V4_3_5),
            documented_info(OcpVersion::V4_3_4)
        );
    }

    #[test]
    fn the_mock_s_info_names_its_release_and_is_otherwise_the_example() {
        for v in OcpVersion::ALL {
            let mut info = mock_info(v);
            let build = info.remove("buildVersion");
            assert_eq!(
                build
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(version_of_build),
                Some(v)
            );
            let mut example = documented_info(v);
            example.remove("buildVersion");
            assert_eq!(info, example, "{v}");
        }
    }

    #[test]
    fn a_build_version_names_its_release() {
        let known = [
            ("4.3.4", Some(OcpVersion::V4_3_4)),
            ("4.2.2-20240108111813", Some(OcpVersion::V4_2_2)),
            ("3.1.1_ce", Some(OcpVersion::V3_1_1)),
            ("2.5.0-SNAPSHOT", None),
            ("4.3.6", None),
            ("", None),
            ("-4.3.4", None),
        ];
        for (build, version) in known {
            assert_eq!(version_of_build(build), version, "{build}");
        }
    }
}
