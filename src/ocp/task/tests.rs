//! The template against the documented example: one server rebuilds it, writing and building
//! agree byte for byte, several servers keep the documented single lane.

use serde_json::json;

use super::*;

fn documented_call(template: &TaskTemplate) -> NewTask<'_> {
    NewTask {
        task_id: template.task_id,
        first_subtask_id: template.first_id,
        start_ms: template.start_ms,
        creator: &template.creator,
        executor: &template.executor,
        servers: &[(2, 2)],
        service_name: "test",
    }
}

#[test]
fn one_server_rebuilds_the_documented_task() {
    let template = TaskTemplate::documented();
    let example: Value = serde_json::from_str(DOCUMENTED_EXAMPLE).unwrap();
    assert_eq!(template.build(&documented_call(&template)), example["data"]);
    assert_eq!(template.subtask_ids_needed(), 8);
    assert!(!template.prohibit_rollback());
    assert_eq!(template.respond_after_ms, 11);
    assert_eq!(template.duration_ms, 17);
}

#[test]
fn writing_gives_the_bytes_of_the_built_task() {
    let template = TaskTemplate::documented();
    let servers = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)];
    for n in 1..=servers.len() {
        let call = NewTask {
            servers: &servers[..n],
            first_subtask_id: 40_000,
            creator: "ops \"quoted\"",
            service_name: "名字",
            ..documented_call(&template)
        };
        let mut out = Vec::new();
        template.write(&call, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            template.build(&call).to_string()
        );
    }
}

#[test]
fn four_servers_keep_the_documented_single_lane() {
    let template = TaskTemplate::documented();
    let example: Value = serde_json::from_str(DOCUMENTED_EXAMPLE).unwrap();
    let servers = [(1, 1), (2, 2), (3, 3), (4, 4)];
    let call = NewTask {
        servers: &servers,
        first_subtask_id: 100,
        ..documented_call(&template)
    };
    let task = template.build(&call);
    let subtasks = task["subtasks"].as_array().unwrap();
    let documented = example["data"]["subtasks"].as_array().unwrap();
    assert_eq!(subtasks.len(), 8);
    assert_eq!(template.subtask_ids_needed(), 8);
    let mut ids: Vec<i64> = subtasks.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, (100..108).collect::<Vec<_>>());
    // Every subtask as documented but for the ids: names, lanes and series in the same places.
    for (ours, theirs) in subtasks.iter().zip(documented) {
        for key in ["name", "parallelIdx", "seriesId", "status"] {
            assert_eq!(ours[key], theirs[key], "{key} of {}", theirs["name"]);
        }
        let offset = |v: &Value| v.as_i64().unwrap() - 34963;
        assert_eq!(ours["id"].as_i64().unwrap() - 100, offset(&theirs["id"]));
    }
    let start = subtasks.iter().find(|s| s["name"] == "Start node").unwrap();
    assert_eq!(start["downstreams"], json!([104]));
    assert_eq!(
        task["context"]["listMap"]["obproxy_server_ids"],
        json!(["1", "2", "3", "4"])
    );
    assert_eq!(
        task["context"]["listMap"]["host_ids"],
        json!(["1", "2", "3", "4"])
    );
}

#[test]
fn the_4_3_5_post_example_is_rebuilt_for_its_three_servers() {
    let template = TaskTemplate::v4_3_5_servers_delete();
    let example: Value = serde_json::from_str(V4_3_5_SERVERS_DELETE_EXAMPLE).unwrap();
    let call = NewTask {
        servers: &[(1, 1), (2, 2), (3, 3)],
        ..documented_call(&template)
    };
    assert_eq!(template.build(&call), example["data"]);
    let mut bytes = Vec::new();
    template.write(&call, &mut bytes);
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap(),
        example["data"]
    );
    assert_eq!(template.subtask_ids_needed(), 20);
    assert_eq!(template.layout().slots.len(), 20);
    assert_eq!((template.respond_after_ms, template.duration_ms), (61, 85));
}

#[test]
fn a_4_3_5_task_names_its_own_id_on_every_subtask() {
    let template = TaskTemplate::v4_3_5_servers_delete();
    let call = NewTask {
        task_id: 7,
        servers: &[(9, 4)],
        ..documented_call(&template)
    };
    let built = template.build(&call);
    let subtasks = built["subtasks"].as_array().unwrap();
    assert!(subtasks.iter().all(|s| s["taskId"] == json!(7)));
    assert!(built.get("context").is_none());
    let mut bytes = Vec::new();
    template.write(&call, &mut bytes);
    assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), built);
}

#[test]
fn the_4_3_5_delete_example_is_the_seed_answered_by_another_server() {
    let template = TaskTemplate::v4_3_5_delete();
    let example: Value = serde_json::from_str(V4_3_5_DELETE_EXAMPLE).unwrap();
    assert_eq!(template.build(&documented_call(&template)), example["data"]);
    assert_eq!(template.server, "a83ad33525");
}
