//! The contract probes as tests. By default they run against an in-process mock; with
//! `OCP_CONTRACT_TARGET` set (see `check/target.rs`) the same tests run against that deployment
//! and compare its answers with the same snapshots, so drift between the mock and a real OCP
//! shows up in `cargo insta review`.
//!
//! Snapshots hold each probe's answer normalised (volatile fields masked, subtasks in DAG
//! order). The cluster list and detail are the deployment's own inventory, so for them only the
//! shape of `data` is kept: a field that appears, vanishes or changes type is drift, a cluster
//! name is not.

mod canned;
mod client;
mod command;
mod drifted;
mod endpoint;
mod first_run;
mod target;
#[cfg(feature = "tls")]
mod tls;
mod versions;
mod xml;

use ocp_mock::check::{Outcome, ProbeResult};
use serde_json::Value;

use target::{SuiteTarget, shape};

#[track_caller]
fn assert_passes(probe: &ProbeResult) {
    assert_eq!(
        probe.outcome,
        Outcome::Pass,
        "{} ({}) answered {:?}:\n{:#}",
        probe.name,
        probe.request,
        probe.status,
        probe.body.clone().unwrap_or(Value::Null)
    );
}

/// The normalised answer with `data` reduced to its shape.
fn with_data_shape(probe: &ProbeResult) -> Value {
    let mut answer = probe.normalized().expect("a JSON answer");
    if let Some(data) = answer.get_mut("data") {
        *data = shape(data);
    }
    answer
}

#[test]
fn an_unauthenticated_call_gets_the_401_error_envelope() {
    let probe = SuiteTarget::from_env()
        .checker()
        .unauthenticated_call()
        .unwrap();
    assert_passes(&probe);
    assert_eq!(probe.status, Some(401));
    insta::assert_json_snapshot!("unauthenticated_call", probe.normalized());
}

#[test]
fn wrong_credentials_get_the_401_error_envelope() {
    let probe = SuiteTarget::from_env()
        .checker()
        .wrong_credentials()
        .unwrap();
    assert_passes(&probe);
    insta::assert_json_snapshot!("wrong_credentials", probe.normalized());
}

#[test]
fn the_cluster_list_is_a_page_of_clusters() {
    let probe = SuiteTarget::from_env().checker().cluster_list().unwrap();
    assert_passes(&probe);
    insta::assert_json_snapshot!("cluster_list_shape", with_data_shape(&probe));
}

#[test]
fn the_first_cluster_s_detail_lists_its_obproxy_servers() {
    let target = SuiteTarget::from_env();
    let checker = target.checker();
    let list = checker.cluster_list().unwrap();
    let probe = checker.cluster_detail(&list).unwrap();
    if let Outcome::Skip(why) = &probe.outcome {
        assert!(!target.is_mock, "the mock has clusters, yet: {why}");
        eprintln!("skipped: {why}");
        return;
    }
    assert_passes(&probe);
    insta::assert_json_snapshot!("cluster_detail_shape", with_data_shape(&probe));
}

#[test]
fn an_unknown_cluster_is_a_404_error_envelope() {
    let probe = SuiteTarget::from_env().checker().unknown_cluster().unwrap();
    assert_passes(&probe);
    insta::assert_json_snapshot!("unknown_cluster", probe.normalized());
}

#[test]
fn a_malformed_cluster_id_is_a_400_error_envelope() {
    let probe = SuiteTarget::from_env()
        .checker()
        .malformed_cluster_id()
        .unwrap();
    assert_passes(&probe);
    insta::assert_json_snapshot!("malformed_cluster_id", probe.normalized());
}

#[test]
fn an_unknown_task_is_a_404_error_envelope() {
    let probe = SuiteTarget::from_env().checker().unknown_task().unwrap();
    assert_passes(&probe);
    insta::assert_json_snapshot!("unknown_task", probe.normalized());
}

#[test]
fn deleting_a_server_creates_a_task_that_only_moves_forward_to_its_end() {
    let target = SuiteTarget::from_env();
    let Some(delete_target) = target.options.delete.clone() else {
        eprintln!(
            "skipped: set OCP_CONTRACT_ALLOW_DELETE=CLUSTER_ID:SERVER_IDS to delete for real"
        );
        return;
    };
    let checker = target.checker();
    let delete = checker.delete_obproxies(&delete_target).unwrap();
    assert_passes(&delete);
    insta::assert_json_snapshot!("delete_obproxies", delete.normalized());
    let progress = checker.task_progress(&delete).unwrap();
    assert_passes(&progress);
    insta::assert_json_snapshot!("task_at_its_end", progress.normalized());
    if target.is_mock {
        assert_eq!(
            delete.diff(false),
            "",
            "the mock answers the documented example"
        );
        assert_eq!(
            progress
                .body
                .as_ref()
                .and_then(|b| b.pointer("/data/status")),
            Some(&Value::from("SUCCESSFUL"))
        );
    }
}

#[test]
fn the_whole_check_passes_against_the_target() {
    let target = SuiteTarget::from_env();
    let mut options = target.options.clone();
    if !target.is_mock {
        // A deployment's servers are deleted once, by the test above.
        options.delete = None;
    }
    let report = ocp_mock::check::check(&options).expect("the target answers");
    assert_eq!(
        report.exit_code(),
        0,
        "{}",
        report.render(Default::default(), false)
    );
    if target.is_mock {
        assert_eq!((report.passed(), report.skipped()), (9, 0));
    }
}

#[test]
fn the_readme_quotes_the_contract_workflow_as_it_is() {
    let root = env!("CARGO_MANIFEST_DIR");
    let workflow = std::fs::read_to_string(format!("{root}/.github/workflows/contract.yml"))
        .expect("the example workflow");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("the README");
    let quoted = &workflow[workflow
        .find("name: contract")
        .expect("the workflow's name")..];
    assert!(
        readme.contains(&format!("```yaml\n{quoted}```")),
        "README.md's \"In CI\" must quote .github/workflows/contract.yml from `name:` on"
    );
}
