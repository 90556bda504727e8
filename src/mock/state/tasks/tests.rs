//! Refusals no documented template can reach over HTTP: a task or a subtask whose template
//! forbids a rollback or a skip.

use super::*;
use crate::mock::settings::Settings;
use crate::mock::sim::effect::Effect;
use crate::ocp::task::DOCUMENTED_EXAMPLE;

const FAILING: &str = "Stop and uninstall obproxy";

/// The documented template with `edit` applied to its text.
fn edited(edit: impl Fn(&str) -> String) -> TaskTemplates {
    let offline = TaskTemplate::parse(&edit(DOCUMENTED_EXAMPLE)).expect("an edited example");
    TaskTemplates::only(offline)
}

/// A state holding one task of `templates`, run until it failed at [`FAILING`].
fn failed_task(templates: &TaskTemplates) -> (Store, i64) {
    let template = templates.of(TaskKind::OFFLINE_OBPROXY);
    let store = Store::new(&Settings::default(), template);
    let origin = TaskOrigin {
        task_id: template.task_id,
        first_subtask_id: template.first_subtask_id(),
        created_ms: 0,
        creator_id: 100,
        creator: "admin".into(),
        cluster_id: 1,
        service_name: "test".into(),
        servers: vec![(2, 2)],
        kind: TaskKind::OFFLINE_OBPROXY,
        effect: Effect::RemoveServers,
        skip_host_servers: Vec::new(),
    };
    let mut run = TaskRun::new(template, std::sync::Arc::new(origin), Some(FAILING));
    run.poll(100, 1_000);
    assert_eq!(run.state, TaskStatus::Failed);
    store.lock().tasks.insert(template.task_id, Box::new(run));
    (store, template.task_id)
}

fn failed_subtask_id(state: &State, templates: &TaskTemplates, id: i64) -> i64 {
    let data = state.tasks[&id].render(templates.of(TaskKind::OFFLINE_OBPROXY), "x");
    let subtasks = data["subtasks"].as_array().expect("subtasks");
    let failed = subtasks.iter().find(|s| s["name"] == FAILING);
    failed
        .and_then(|s| s["id"].as_i64())
        .expect("the failed subtask")
}

#[test]
fn a_task_whose_prohibit_rollback_is_true_is_not_rolled_back() {
    let templates = edited(|t| {
        t.replace(
            "\"prohibit_rollback\": \"false\"",
            "\"prohibit_rollback\": \"true\"",
        )
    });
    assert!(templates.of(TaskKind::OFFLINE_OBPROXY).prohibit_rollback());
    let (store, id) = failed_task(&templates);
    let mut state = store.lock();
    let err = state.rollback_task(&templates, "x", id, 2_000).unwrap_err();
    assert_eq!(err.code.id, "TSK10009");
    assert_eq!(
        state.tasks[&id].state,
        TaskStatus::Failed,
        "nothing changed"
    );
}

#[test]
fn a_subtask_whose_prohibit_skip_is_true_is_not_skipped() {
    let templates = edited(|t| {
        t.replace(
            "\"prohibitRollback\"",
            "\"prohibitSkip\": true, \"prohibitRollback\"",
        )
    });
    let (store, id) = failed_task(&templates);
    let mut state = store.lock();
    let subtask = failed_subtask_id(&state, &templates, id);
    let err = state
        .subtask_call(&templates, "x", (id, subtask), SubtaskCall::Skip, 2_000)
        .unwrap_err();
    assert_eq!(err.code.id, "TSK10010");
    assert_eq!(
        state.tasks[&id].state,
        TaskStatus::Failed,
        "nothing changed"
    );
    // The same subtask of the documented template may be skipped.
    let plain = edited(str::to_owned);
    let (store, id) = failed_task(&plain);
    let mut state = store.lock();
    let subtask = failed_subtask_id(&state, &plain, id);
    let call = state.subtask_call(&plain, "x", (id, subtask), SubtaskCall::Skip, 2_000);
    assert_eq!(call.expect("a skip")["operation"], "SKIP");
}

/// The list's form of a task, picked from the whole task: the oracle of [`TaskRun::basic`].
fn picked(task: &Value) -> Value {
    let pick = |from: &Value, keys: &[&str]| {
        let picked: serde_json::Map<String, Value> = keys
            .iter()
            .filter_map(|&k| from.get(k).map(|v| (k.to_owned(), v.clone())))
            .collect();
        Value::Object(picked)
    };
    let keys = ["creator", "finishTime", "id", "name", "startTime", "status"];
    let mut out = pick(task, &keys);
    let subtasks = task["subtasks"].as_array().expect("subtasks");
    let keys = ["description", "id", "name", "operation", "status"];
    out["subtasks"] = subtasks.iter().map(|s| pick(s, &keys)).collect();
    out
}

#[test]
fn a_listed_task_is_the_whole_task_s_fields_at_every_turn() {
    let plain = edited(str::to_owned);
    let (store, id) = failed_task(&plain);
    let mut state = store.lock();
    let subtask = failed_subtask_id(&state, &plain, id);
    let check = |state: &State, what: &str| {
        let run = &state.tasks[&id];
        let skeleton = BasicSkeleton::of(run, plain.of(TaskKind::OFFLINE_OBPROXY), "x");
        let whole = picked(&run.render(plain.of(TaskKind::OFFLINE_OBPROXY), "x"));
        assert_eq!(run.basic(&skeleton), whole, "{what}");
    };
    check(&state, "failed");
    state
        .subtask_call(&plain, "x", (id, subtask), SubtaskCall::Retry, 2_000)
        .unwrap();
    check(&state, "retried");
    state.tasks.get_mut(&id).unwrap().poll(1, 2_100);
    state
        .subtask_call(&plain, "x", (id, subtask), SubtaskCall::Cancel, 2_200)
        .unwrap();
    check(&state, "canceled");
    state.rollback_task(&plain, "x", id, 2_300).unwrap();
    check(&state, "rolling back");
    state.tasks.get_mut(&id).unwrap().poll(100, 3_000);
    assert_eq!(state.tasks[&id].state, TaskStatus::Successful);
    check(&state, "rolled back");
}
