//! Every documented single-task sample is a template: the shared examples whose `data` has
//! `subtasks`, and every enveloped task sample of the catalogue's pages, in every version and
//! language. Each is read, written as it stands at creation, and its text with holes gives the
//! bytes of the task built as JSON.

use std::path::Path;

use serde_json::Value;

use super::*;

/// `(where, envelope text)` of every documented sample whose `data` is a task.
fn documented_samples() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut samples = Vec::new();
    let mut examples: Vec<_> = std::fs::read_dir(root.join("ocp-examples"))
        .expect("the examples folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    examples.sort();
    for path in examples {
        let text = std::fs::read_to_string(&path).expect("readable");
        let value: Value = serde_json::from_str(&text).expect("json");
        if value["data"].get("subtasks").is_some() {
            samples.push((path.display().to_string(), text));
        }
    }
    let mut catalogues: Vec<_> = std::fs::read_dir(root.join("ocp-catalogue"))
        .expect("the catalogue folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('V'))
        })
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    catalogues.sort();
    for path in catalogues {
        let catalogue: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("json");
        for page in catalogue["pages"].as_array().expect("pages") {
            for block in page["code_blocks"].as_array().into_iter().flatten() {
                let sample = &block["json"];
                if sample["data"].get("subtasks").is_some() {
                    let at = format!("{} {}", path.display(), page["file"]);
                    samples.push((at, sample.to_string()));
                }
            }
        }
    }
    samples
}

fn call_of(template: &TaskTemplate) -> NewTask<'_> {
    NewTask {
        task_id: 7,
        first_subtask_id: 1000,
        start_ms: template.start_ms,
        creator: "admin",
        executor: "127.0.0.1",
        servers: &[(3, 4), (5, 4)],
        service_name: "svc",
    }
}

#[test]
fn every_documented_task_sample_is_a_template() {
    let samples = documented_samples();
    // 19 shared examples and 161 catalogue samples at the time of writing.
    assert!(samples.len() >= 180, "only {} samples", samples.len());
    for (at, text) in &samples {
        let template = TaskTemplate::parse(text).unwrap_or_else(|e| panic!("{at}: {e}"));
        let task = template.build(&call_of(&template));
        assert_eq!(task["status"], "RUNNING", "{at}");
        assert_eq!(task["id"], 7, "{at}");
        let subtasks = task["subtasks"].as_array().expect("subtasks");
        let ready = subtasks.iter().filter(|s| s["status"] == "READY").count();
        assert!(ready >= 1, "{at}: no subtask READY at creation");
        for s in subtasks {
            let status = s["status"].as_str().unwrap_or_default();
            assert!(["READY", "PENDING"].contains(&status), "{at}: {s}");
            assert!(s.get("finishTime").is_none(), "{at}: {s}");
        }
        let mut bytes = Vec::new();
        template.write(&call_of(&template), &mut bytes);
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            task.to_string(),
            "{at}"
        );
    }
}

#[test]
fn a_task_query_sample_is_turned_back_into_the_task_at_creation() {
    let text = include_str!("../../../fixtures/ocp-examples/01-task-instance-get.json");
    let template = TaskTemplate::parse(text).expect("a template");
    assert_eq!(
        template.creator, "admin",
        "the name of creator {{id, name}}"
    );
    let task = template.build(&call_of(&template));
    assert!(task.get("finishTime").is_none() && task.get("createTime").is_none());
    let entry: Vec<&str> = task["subtasks"]
        .as_array()
        .expect("subtasks")
        .iter()
        .filter(|s| s["upstreams"].as_array().is_some_and(Vec::is_empty))
        .map(|s| s["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(entry, ["READY"]);
}

#[test]
fn a_context_without_servers_is_left_as_documented() {
    let template = TaskTemplate::parse(registry::CLUSTER_CREATE_EXAMPLE).expect("a template");
    let task = template.build(&call_of(&template));
    assert_eq!(task["context"]["listMap"], serde_json::json!({}));
    assert!(task["context"]["stringMap"].get("service_name").is_none());
    let offline = TaskTemplate::documented().build(&call_of(&template));
    assert_eq!(
        offline["context"]["listMap"]["obproxy_server_ids"],
        serde_json::json!(["3", "5"])
    );
    assert_eq!(
        offline["context"]["listMap"]["host_ids"],
        serde_json::json!(["4"])
    );
}

#[test]
fn a_page_of_tasks_is_read_from_its_first_task() {
    let template = TaskTemplate::parse(registry::BATCH_ADD_EXAMPLE).expect("a template");
    assert_eq!(template.task_id, 33001);
    assert_eq!(template.layout().slots.len(), 12);
}

#[test]
fn documented_calls_name_their_kind_and_new_samples_get_new_kinds() {
    let mut templates = TaskTemplates::for_version(crate::ocp::version::OcpVersion::V4_3_4);
    let delete = "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}";
    assert_eq!(
        templates.documented("delete", delete),
        Some(TaskKind::OFFLINE_OBPROXY)
    );
    let create = templates
        .documented("POST", "/api/v2/obproxy/clusters")
        .expect("registered");
    assert_eq!(templates.of(create).subtask_names().count(), 2);
    let zone = include_str!("../../../fixtures/ocp-examples/05-ob-zone-stop.json");
    let path = "/api/v2/ob/clusters/{id}/zones/{zoneName}/stop";
    assert_eq!(templates.documented("POST", path), None);
    let kind = templates
        .add_documented("POST", path, zone)
        .expect("a task");
    assert_eq!(templates.documented("POST", path), Some(kind));
    assert_ne!(kind, create);
    assert_eq!(templates.of(kind).subtask_names().count(), 10);
    // The DELETE keeps the seed's template, whatever sample is offered for it.
    assert_eq!(
        templates
            .add_documented("DELETE", delete, zone)
            .expect("a task"),
        TaskKind::OFFLINE_OBPROXY
    );
    assert_eq!(
        templates
            .of(TaskKind::OFFLINE_OBPROXY)
            .subtask_names()
            .count(),
        8
    );
    assert!(
        templates
            .add_documented("POST", path, "{\"data\": {}}")
            .is_err()
    );
}
