//! The plan against a table of known answers: where each id of a few paths is learned, what is
//! skipped and why, and that every source is sent before the reads that need it.

use http::Method;

use super::plan::{Action, Items, Step, plan, why};
use crate::ocp::catalogue::Catalogue;
use crate::ocp::version::OcpVersion;

fn step<'a>(steps: &'a [Step], pattern: &str) -> &'a Step {
    steps
        .iter()
        .find(|s| s.endpoint.pattern == pattern)
        .unwrap_or_else(|| panic!("no step for {pattern}"))
}

/// Each capture of `pattern`: its name, the pattern it is learned from, and where in that
/// answer.
fn sources(steps: &[Step], pattern: &str) -> Vec<(String, String, Items)> {
    match &step(steps, pattern).action {
        Action::Call(sources) => sources
            .iter()
            .map(|s| {
                let from = steps[s.step].endpoint.pattern.clone();
                (s.capture.clone(), from, s.items.clone())
            })
            .collect(),
        Action::Skip(why) => panic!("{pattern} is skipped: {why}"),
    }
}

fn skipped(steps: &[Step], pattern: &str) -> String {
    match &step(steps, pattern).action {
        Action::Skip(why) => why.clone(),
        Action::Call(_) => panic!("{pattern} is sent"),
    }
}

/// A capture, the pattern its value is learned from, and where in that answer.
type Learned<'a> = (&'a str, &'a str, Items);

fn owned(known: &[Learned]) -> Vec<(String, String, Items)> {
    known
        .iter()
        .map(|(c, f, i)| (c.to_string(), f.to_string(), i.clone()))
        .collect()
}

#[test]
fn ids_are_learned_from_the_list_that_shares_most_of_the_path() {
    let steps = plan(Catalogue::of(OcpVersion::V4_3_4));
    let known: [(&str, &[Learned]); 6] = [
        (
            "/api/v2/ob/clusters/{id}/tenants/{tenantId}/users",
            &[
                ("id", "/api/v2/ob/clusters", Items::List),
                (
                    "tenantId",
                    "/api/v2/ob/clusters/{clusterId}/tenants",
                    Items::List,
                ),
            ],
        ),
        (
            "/api/v2/ob/cluster/{clusterId}/tenants/{tenantId}",
            &[
                ("clusterId", "/api/v2/ob/clusters", Items::List),
                (
                    "tenantId",
                    "/api/v2/ob/clusters/{clusterId}/tenants",
                    Items::List,
                ),
            ],
        ),
        (
            // No `/ob` here: the OceanBase clusters are told from the OBProxy ones by the
            // zones documented below them.
            "/api/v2/clusters/{clusterId}/zones/{zoneName}/servers",
            &[
                ("clusterId", "/api/v2/ob/clusters", Items::List),
                ("zoneName", "/api/v2/ob/clusters/{id}/zones", Items::List),
            ],
        ),
        (
            "/api/v2/obproxy/clusters/{id}",
            &[("id", "/api/v2/obproxy/clusters", Items::List)],
        ),
        (
            "/api/v2/compute/hostTypes/{hostTypeId}",
            &[("hostTypeId", "/api/v2/compute/hostTypes", Items::List)],
        ),
        (
            "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/log",
            &[
                ("taskInstanceId", "/api/v2/tasks/instances", Items::List),
                (
                    "subtaskInstanceId",
                    "/api/v2/tasks/instances/{taskInstanceId}",
                    Items::Field("subtasks".into()),
                ),
            ],
        ),
    ];
    for (pattern, expected) in known {
        assert_eq!(sources(&steps, pattern), owned(expected), "{pattern}");
    }
}

#[test]
fn reads_that_need_what_a_run_cannot_know_are_skipped_with_the_reason() {
    let steps = plan(Catalogue::of(OcpVersion::V4_3_4));
    assert_eq!(
        skipped(
            &steps,
            "/api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/topSql"
        ),
        "needs query parameters startTime, endTime"
    );
    assert_eq!(
        skipped(&steps, "/api/v2/monitor/metricGroups"),
        "needs query parameters type, scope"
    );
    assert_eq!(
        skipped(&steps, "/api/v2/inspection/report/{id}"),
        "no documented read lists {id}"
    );
    // The SQL ids come only from reads that need a time range.
    assert_eq!(
        skipped(
            &steps,
            "/api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/sql/{sqlId}/text"
        ),
        "no documented read lists {sqlId}"
    );
}

#[test]
fn every_documented_get_is_planned_once_after_its_sources() {
    for version in OcpVersion::ALL {
        let catalogue = Catalogue::of(version);
        let steps = plan(catalogue);
        let gets = catalogue
            .endpoints
            .iter()
            .filter(|e| e.method == Method::GET)
            .count();
        assert_eq!(steps.len(), gets, "OCP {version}");
        for (at, step) in steps.iter().enumerate() {
            assert_eq!(step.endpoint.method, Method::GET);
            let twice = steps[..at]
                .iter()
                .any(|s| s.endpoint.pattern == step.endpoint.pattern);
            assert!(!twice, "OCP {version}: {} twice", step.endpoint.pattern);
            match &step.action {
                Action::Call(sources) => {
                    let captures = step.endpoint.pattern.matches('{').count();
                    assert_eq!(sources.len(), captures, "{}", step.endpoint.pattern);
                    for source in sources {
                        assert!(source.step < at, "{}", step.endpoint.pattern);
                    }
                }
                Action::Skip(reason) => {
                    assert!(
                        why::ALL.iter().any(|(w, _)| reason.starts_with(w)),
                        "{reason}"
                    )
                }
            }
        }
    }
}
