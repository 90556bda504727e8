//! `check` against mocks of different profiles: it reports the version each names in
//! `/api/v2/info` and judges the error probes' `error.code` by it (integers in 3.1.1, string
//! ids from 4.2.2), so a target whose codes contradict its version fails those probes.

use ocp_mock::check::{CheckOptions, Checker, Credentials, Report, check};
use ocp_mock::{ErrorCodeStyle, MockServer, OcpVersion};

/// The probes that answer an error, the ones whose `error.code` is judged.
const ERROR_PROBES: [&str; 5] = [
    "unauthenticated call",
    "wrong credentials",
    "unknown cluster",
    "malformed cluster id",
    "unknown task",
];

fn check_mock(version: OcpVersion, style: Option<ErrorCodeStyle>) -> Report {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut builder = MockServer::builder().ocp_version(version);
    if let Some(style) = style {
        builder = builder.error_code(style);
    }
    let mock = runtime.block_on(builder.start());
    let options = CheckOptions::new(mock.uri(), Credentials::basic("admin", "aaAA11__"));
    check(&options).expect("the mock answers")
}

#[test]
fn the_check_reports_each_profile_s_version_and_passes_its_error_codes() {
    for version in [OcpVersion::V3_1_1, OcpVersion::V4_3_5] {
        let report = check_mock(version, None);
        assert_eq!(
            report.notes,
            [format!(
                "GET /api/v2/info: target reports OCP {version} (buildVersion \"{version}\")"
            )]
        );
        assert_eq!(report.failed(), 0, "OCP {version}: {}", report.summary());
        assert_eq!(report.exit_code(), 0);
    }
}

#[test]
fn error_codes_of_the_other_form_than_the_version_reported_are_findings() {
    let cases = [
        (
            OcpVersion::V4_3_4,
            ErrorCodeStyle::Number,
            "expected a string id (\"ODP21001\"), as OCP 4.3.4 writes error codes, got 3000",
        ),
        (
            OcpVersion::V3_1_1,
            ErrorCodeStyle::String,
            "expected an integer (21001), as OCP 3.1.1 writes error codes, got \"IAM10000\"",
        ),
    ];
    for (version, style, first) in cases {
        let report = check_mock(version, Some(style));
        assert_eq!(report.exit_code(), 1, "OCP {version} with {style:?} codes");
        for name in ERROR_PROBES {
            let probe = report.probe(name).expect("the probe ran");
            let found: Vec<String> = probe.violations().iter().map(|v| v.to_string()).collect();
            assert_eq!(found.len(), 1, "{name}: {found:?}");
            assert!(
                found[0].starts_with("/error/code: expected "),
                "{name}: {found:?}"
            );
        }
        let unauthenticated = report.probe("unauthenticated call").unwrap();
        assert_eq!(
            unauthenticated.violations()[0].to_string(),
            format!("/error/code: {first}")
        );
        // The reads still pass: only the error codes contradict the version.
        assert!(report.probe("cluster list").unwrap().passed());
    }
}

#[test]
fn a_target_that_names_no_version_is_judged_by_shape_only() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(
        MockServer::builder()
            .ocp_version(OcpVersion::V4_3_4)
            .error_code(ErrorCodeStyle::Number)
            .start(),
    );
    // Credentials the target refuses: /info answers 401 and places no version.
    let options = CheckOptions::new(mock.uri(), Credentials::basic("admin", "wrong"));
    let checker = Checker::new(&options).unwrap();
    assert!(checker.ocp_version_note().contains("answered 401"));
    assert_eq!(checker.target_version(), None);
    let probe = checker.unauthenticated_call().unwrap();
    assert!(probe.passed(), "{:?}", probe.violations());
}
