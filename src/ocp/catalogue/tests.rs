//! The catalogue read from the embedded pages, checked against facts read off the pages by eye.

use serde_json::json;

use super::page::Page;
use super::*;

fn endpoint(version: OcpVersion, method: Method, pattern: &str) -> &'static Endpoint {
    Catalogue::of(version)
        .get(&method, pattern)
        .unwrap_or_else(|| panic!("{version} documents {method} {pattern}"))
}

fn param<'a>(e: &'a Endpoint, name: &str) -> &'a Param {
    e.params
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{} {} has {name}", e.method, e.pattern))
}

#[test]
fn each_version_documents_its_endpoints_once() {
    // The README of the fixtures counts the unique endpoints of each file.
    let counts = [
        (OcpVersion::V3_1_1, 144),
        (OcpVersion::V4_2_2, 165),
        (OcpVersion::V4_3_4, 202),
    ];
    for (version, count) in counts {
        let endpoints = &Catalogue::of(version).endpoints;
        assert_eq!(endpoints.len(), count, "{version}");
        for (i, e) in endpoints.iter().enumerate() {
            let twin = endpoints[..i]
                .iter()
                .any(|o| o.method == e.method && o.pattern == e.pattern);
            assert!(!twin, "{version}: {} {} twice", e.method, e.pattern);
        }
    }
}

#[test]
fn only_4_3_5_documents_the_post_delete_of_servers() {
    let pattern = "/api/v2/obproxy/clusters/{id}/servers/delete";
    for version in [OcpVersion::V3_1_1, OcpVersion::V4_2_2, OcpVersion::V4_3_4] {
        assert!(Catalogue::of(version).get(&Method::POST, pattern).is_none());
    }
    let post = endpoint(OcpVersion::V4_3_5, Method::POST, pattern);
    assert!(post.page.contains("V4.3.5") || post.page.contains("obproxy"));
    // 4.3.5 keeps 4.3.4's other endpoints.
    endpoint(OcpVersion::V4_3_5, Method::GET, "/api/v2/ob/clusters");
}

#[test]
fn the_duplicate_page_of_the_cluster_list_loses_to_the_one_with_a_sample() {
    let e = endpoint(OcpVersion::V4_3_4, Method::GET, "/api/v2/ob/clusters");
    assert!(e.page.ends_with("100.query-clusters.md"), "{}", e.page);
    assert_eq!(e.sample().origin, Origin::Documented);
}

#[test]
fn paths_written_without_api_v2_are_served_under_it() {
    let e = endpoint(
        OcpVersion::V4_3_4,
        Method::POST,
        "/api/v2/compute/hosts/batchStopAgents",
    );
    assert_eq!(
        e.sample_request.path,
        "/api/v2/compute/hosts/batchStopAgents"
    );
    endpoint(
        OcpVersion::V3_1_1,
        Method::GET,
        "/api/v2/compute/hosts/{hostId}/agent",
    );
    // Already under `/api`: kept.
    endpoint(OcpVersion::V4_3_4, Method::GET, "/api/status");
}

#[test]
fn a_regex_capture_is_a_digits_capture_named_id() {
    let e = endpoint(
        OcpVersion::V4_2_2,
        Method::POST,
        "/api/v2/ob/clusters/{id}/switchover",
    );
    assert_eq!(
        e.segments[4],
        Segment::Capture {
            name: "id".into(),
            digits: true
        }
    );
}

#[test]
fn parameter_tables_give_place_type_and_requirement() {
    let get = endpoint(
        OcpVersion::V4_3_4,
        Method::GET,
        "/api/v2/inspection/report/info/item/{itemId}",
    );
    let item = param(get, "itemId");
    assert_eq!(
        (item.location, item.kind, item.required),
        (Location::Path, Kind::Integer, true)
    );
    let tag = param(get, "tagId");
    assert_eq!(
        (tag.location, tag.kind, tag.required),
        (Location::Query, Kind::Integer, true)
    );
    let object = param(get, "objectId");
    assert_eq!((object.location, object.required), (Location::Query, false));

    let post = endpoint(OcpVersion::V4_3_4, Method::POST, "/api/v2/ob/unitSpecs");
    let name = param(post, "name");
    assert_eq!(
        (name.location, name.kind, name.required),
        (Location::Body, Kind::Text, true)
    );
    assert_eq!(param(post, "maxCpuCoreCount").kind, Kind::Number);
}

#[test]
fn documented_types_map_to_what_is_checked() {
    let table = [
        ("Long", Kind::Integer),
        ("Integer", Kind::Integer),
        ("`int`", Kind::Integer),
        ("Boolean", Kind::Boolean),
        ("String", Kind::Text),
        ("List<Long>", Kind::Array),
        ("String[]", Kind::Array),
        ("Array", Kind::Array),
        ("Double", Kind::Number),
        ("Datetime", Kind::Unchecked),
        ("OffsetDateTime", Kind::Unchecked),
        ("Object", Kind::Unchecked),
        ("ObBackupConfig", Kind::Unchecked),
    ];
    for (documented, kind) in table {
        assert_eq!(Kind::of(documented), kind, "{documented}");
    }
}

#[test]
fn loose_table_titles_are_read_and_response_tables_are_not() {
    let text = json!({
        "file": "x.md", "method": "POST", "path": "/api/v2/a/{id}/b",
        "tables": [
            {"title": "path:", "rows": [{"Parameter": "id", "Type": "Long", "Required": "Yes"}]},
            {"title": "Body:", "rows": [
                {"Parameter": "`name`", "Type": "String", "Required": "Yes"},
                {"Parameter": "zones.name", "Type": "String", "Required": "Yes"}
            ]},
            {"title": "Query parameters", "rows": [{"Parameter": "force", "Type": "Boolean", "Required": "No"}]},
            {"title": "Response parameters", "rows": [{"Parameter": "data", "Type": "Object"}]}
        ]
    })
    .to_string();
    let page: Page = serde_json::from_str(&text).unwrap();
    let params = params::read(&page, "POST", &["id"]);
    let read: Vec<(&str, Location)> = params
        .iter()
        .map(|p| (p.name.as_str(), p.location))
        .collect();
    assert_eq!(
        read,
        [
            ("id", Location::Path),
            ("name", Location::Body),
            ("force", Location::Query)
        ]
    );
}

#[test]
fn repaired_and_built_samples_are_the_known_ones() {
    let mut seen = Vec::new();
    for version in OcpVersion::ALL {
        for e in &Catalogue::of(version).endpoints {
            if matches!(e.sample().origin, Origin::Repaired | Origin::Built) {
                let line = format!("{:?} {} {}", e.sample().origin, e.method, e.pattern);
                if !seen.contains(&line) {
                    seen.push(line);
                }
            }
        }
    }
    seen.sort();
    // The list the README gives under "The documented API".
    let expected = [
        "Built GET /api/v2/info",
        "Built GET /api/v2/ob/clusters/{clusterId}/tenants/{tenantId}/sql/{sqlId}/topPlan",
        "Built GET /api/v2/ob/clusters/{id}/tenants/{tenantId}/parameters",
        "Built POST /api/v2/ob/clusters/{id}/moveOut",
        "Repaired DELETE /api/v2/ob/clusters/{id}/tenants/{tenantId}/backup/config/backupStrategy",
        "Repaired GET /api/v2/compute/hosts/{hostId}/agent",
        "Repaired GET /api/v2/ob/clusters/parameterInfo",
        "Repaired GET /api/v2/ob/clusters/{id}/tenants/{tenantId}/users",
        "Repaired GET /api/v2/ob/clusters/{id}/tenants/{tenantId}/users/{username}",
        "Repaired POST /api/v2/ob/clusters/{id}/failoverPreCheck",
        "Repaired POST /api/v2/ob/clusters/{id}/tenants/createStandbyTenant",
        "Repaired POST /api/v2/ob/clusters/{id}/tenants/{tenantId}/modifyPrimaryZone",
        "Repaired POST /api/v2/ob/clusters/{id}/tenants/{tenantId}/switchoverPreCheck",
        "Repaired POST /api/v2/tasks/instances/{taskInstanceId}/retry",
        "Repaired POST /api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/retry",
    ];
    assert_eq!(seen, expected);
}

#[test]
fn a_repaired_request_body_is_the_sample_request_s_body() {
    // The page's body has a trailing comma after `schemaName`.
    let e = endpoint(
        OcpVersion::V3_1_1,
        Method::POST,
        "/api/v2/ob/clusters/{id}/tenants/{tenantId}/users/{username}/grantObjectPrivilege",
    );
    let body = e.sample_request.body.as_ref().expect("a body");
    assert_eq!(body["objectPrivileges"][0]["object"]["schemaName"], "U1");
}

#[test]
fn only_samples_whose_data_is_a_task_are_task_samples() {
    let delete = endpoint(
        OcpVersion::V4_3_4,
        Method::DELETE,
        "/api/v2/obproxy/clusters/{id}",
    );
    let text = delete
        .task_sample()
        .expect("Delete an OBProxy cluster answers a task");
    assert!(text.contains("\"subtasks\""));
    let get = endpoint(
        OcpVersion::V4_3_4,
        Method::GET,
        "/api/v2/obproxy/clusters/{id}",
    );
    assert_eq!(get.task_sample(), None);
}

#[test]
fn the_sample_path_gives_each_capture_its_value() {
    let e = endpoint(
        OcpVersion::V4_3_4,
        Method::DELETE,
        "/api/v2/obproxy/clusters/{id}",
    );
    assert_eq!(e.sample_request.path, "/api/v2/obproxy/clusters/27");
    assert_eq!(e.sample_path_value("id"), Some("27"));
    assert_eq!(e.noun_before("id"), Some("clusters"));
}
