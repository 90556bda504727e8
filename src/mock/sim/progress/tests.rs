//! Progress against known answers: the documented chain, failure and retry, both paces, and the
//! times and fields of OCP's documented task query (example 01 of the shared examples).

use super::*;
use crate::ocp::time::parse_time;

fn documented_run(fail_at: Option<&str>) -> TaskRun {
    let template = TaskTemplate::documented();
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
        skip_host_servers: Vec::new(),
        effect: Effect::RemoveServers,
    };
    TaskRun::new(&template, std::sync::Arc::new(origin), fail_at)
}

fn data(run: &TaskRun) -> Value {
    run.render(&TaskTemplate::documented(), "xxx.xxx.xxx.xxx")
}

fn status_of(run: &TaskRun, name: &str) -> String {
    let data = data(run);
    let subtasks = data["subtasks"].as_array().unwrap();
    let s = subtasks.iter().find(|s| s["name"] == name).unwrap();
    s["status"].as_str().unwrap().to_owned()
}

fn subtask(run: &TaskRun, name: &str) -> Value {
    let data = data(run);
    let subtasks = data["subtasks"].as_array().unwrap();
    subtasks.iter().find(|s| s["name"] == name).unwrap().clone()
}

fn statuses(run: &TaskRun) -> Vec<String> {
    data(run)["subtasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn create_time_is_the_whole_second_before_the_start() {
    // Known answers: 1_630_657_918_151 is 2021-09-03T16:31:58.151+08:00.
    assert_eq!(create_time(1_630_657_918_151), "2021-09-03T16:31:58+08:00");
    assert_eq!(create_time(1_630_657_918_001), "2021-09-03T16:31:58+08:00");
    assert_eq!(create_time(1_630_657_918_000), "2021-09-03T16:31:57+08:00");
    assert_eq!(create_time(0), "1970-01-01T07:59:59+08:00");
}

#[test]
fn a_query_answers_the_fields_of_the_documented_task_query() {
    let mut run = documented_run(None);
    let created = data(&run);
    assert_eq!(created["prohibitRollback"], json!(false));
    assert_eq!(created["createTime"], "1970-01-01T07:59:59+08:00");
    assert!(
        created["subtasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| { s["createTime"] == created["createTime"] && s.get("executor").is_none() })
    );
    run.poll(5, 1000);
    for s in data(&run)["subtasks"].as_array().unwrap() {
        let started = s.get("startTime").is_some();
        assert_eq!(s.get("executor").is_some(), started, "{}", s["name"]);
        if started {
            assert_eq!(s["executor"], "xxx.xxx.xxx.xxx");
        }
    }
}

#[test]
fn subtasks_take_time_and_the_task_ends_after_them() {
    let mut run = documented_run(None);
    // Polled at 1 s intervals, then with no time passing at all: steps still move the clock on.
    for now in [1000, 2000, 2000, 2000] {
        run.poll(5, now);
    }
    assert_eq!(run.state, TaskStatus::Successful);
    let data = data(&run);
    let mut last_finish = i64::MIN;
    for s in data["subtasks"].as_array().unwrap() {
        let start = parse_time(s["startTime"].as_str().unwrap()).unwrap();
        let finish = parse_time(s["finishTime"].as_str().unwrap()).unwrap();
        assert!(start < finish, "{}: {start} !< {finish}", s["name"]);
        assert!(start > 0, "{} starts after the task", s["name"]);
        last_finish = last_finish.max(finish);
    }
    let task_finish = parse_time(data["finishTime"].as_str().unwrap()).unwrap();
    assert!(task_finish > last_finish, "{task_finish} !> {last_finish}");
    // The first query spread its five steps over the second since creation.
    assert_eq!(
        subtask(&run, "Start node")["startTime"],
        json!(format_time(200))
    );
    assert_eq!(
        subtask(&run, "Start node")["finishTime"],
        json!(format_time(400))
    );
}

#[test]
fn the_default_pace_shows_every_status_and_ends_at_the_fourth_poll() {
    let TaskPace::Polls(steps) = TaskPace::default() else {
        panic!("the default pace counts polls");
    };
    let mut run = documented_run(None);
    let mut seen: Vec<String> = statuses(&run);
    let mut polls = 0;
    while run.state == TaskStatus::Running {
        polls += 1;
        run.poll(steps, polls * 1000);
        seen.extend(statuses(&run));
    }
    assert_eq!(run.state, TaskStatus::Successful);
    assert_eq!(polls, 4);
    for status in ["PENDING", "READY", "RUNNING", "SUCCESSFUL"] {
        assert!(seen.iter().any(|s| s == status), "{status} never seen");
    }
}

#[test]
fn a_zero_time_pace_still_gives_each_subtask_a_millisecond() {
    let mut run = documented_run(None);
    run.advance_to(1000, 0);
    assert_eq!(run.state, TaskStatus::Successful);
    let start = subtask(&run, "Start node");
    assert_eq!(start["startTime"], json!(format_time(0)));
    assert_eq!(start["finishTime"], json!(format_time(1)));
    assert_eq!(data(&run)["finishTime"], json!(format_time(9)));
}

#[test]
fn a_chain_of_eight_succeeds_in_sixteen_steps() {
    let mut run = documented_run(None);
    for step in 1..16 {
        run.step(step);
        assert_eq!(run.state, TaskStatus::Running, "step {step}");
    }
    run.step(16);
    assert_eq!(run.state, TaskStatus::Successful);
    assert_eq!(
        subtask(&run, "Finish node")["finishTime"],
        json!(format_time(16))
    );
    // The task closes after its last subtask, as in the documented task query.
    assert_eq!(data(&run)["finishTime"], json!(format_time(17)));
    assert_eq!(data(&run)["creator"], json!({"id": 100, "name": "admin"}));
}

#[test]
fn a_failure_stops_the_task_and_a_retry_finishes_it() {
    let mut run = documented_run(Some("Wait node"));
    for t in 1..=6 {
        run.step(t);
    }
    assert_eq!(run.state, TaskStatus::Failed);
    assert_eq!(status_of(&run, "Wait node"), "FAILED");
    assert_eq!(status_of(&run, "Stop and uninstall obproxy"), "PENDING");
    run.step(7);
    assert_eq!(run.state, TaskStatus::Failed, "a failed task stays put");
    assert!(run.retry(8).is_ok());
    assert_eq!(run.retry(8), Err(TaskStatus::Running));
    for t in 9..40 {
        run.step(t);
    }
    assert_eq!(run.state, TaskStatus::Successful);
    let data = data(&run);
    let wait = data["subtasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Wait node")
        .unwrap();
    assert_eq!(wait["runTime"], 2);
    assert_eq!(wait["operation"], "RETRY");
}

#[test]
fn the_time_pace_runs_each_subtask_for_its_duration() {
    let mut run = documented_run(None);
    run.advance_to(999, 1000);
    assert_eq!(status_of(&run, "Start node"), "RUNNING");
    run.advance_to(1000, 1000);
    assert_eq!(status_of(&run, "Start node"), "SUCCESSFUL");
    assert_eq!(status_of(&run, "Prepare offline obproxy"), "RUNNING");
    run.advance_to(7999, 1000);
    assert_eq!(run.state, TaskStatus::Running);
    run.advance_to(8000, 1000);
    assert_eq!(run.state, TaskStatus::Successful);
}

#[test]
fn paces_parse_from_their_settings() {
    assert_eq!("polls:3".parse(), Ok(TaskPace::Polls(3)));
    assert_eq!("time:250".parse(), Ok(TaskPace::Time(250)));
    assert!("polls:0".parse::<TaskPace>().is_err());
    assert!("polls:4294967295".parse::<TaskPace>().is_err());
    assert!("time:9223372036854775807".parse::<TaskPace>().is_err());
    assert!("fast".parse::<TaskPace>().is_err());
}
