use super::*;
use crate::mock::settings::Settings;

fn state_of_a_fresh_mock() -> Store {
    Store::new(&Settings::default(), &TaskTemplate::documented())
}

#[test]
fn stacked_latencies_are_capped_as_one_latency_is() {
    let store = state_of_a_fresh_mock();
    let mut state = store.lock();
    let long: Vec<Scenario> = vec![
        "latency:200000".parse().unwrap(),
        "latency:200000".parse().unwrap(),
    ];
    let faults = state.faults("GET", "/api/v2/obproxy/clusters", &long, 0);
    assert_eq!(faults.latency_ms, MAX_LATENCY_MS);
    let short: Vec<Scenario> = vec![
        "latency:250".parse().unwrap(),
        "latency:250".parse().unwrap(),
    ];
    assert_eq!(state.faults("GET", "/api/v2/x", &short, 0).latency_ms, 500);
}

#[test]
fn a_time_paced_request_looks_only_at_the_tasks_due_by_its_instant() {
    let store = state_of_a_fresh_mock();
    let mut state = store.lock();
    state.wake_at(1, 100);
    state.wake_at(2, 200);
    state.wake_at(3, 300);
    state.advance_all(TaskPace::Time(10), 150);
    let left: Vec<(i64, i64)> = state.wake.iter().copied().collect();
    assert_eq!(
        left,
        [(200, 2), (300, 3)],
        "only the task due by 150 was looked at"
    );
    // Under a polls pace nothing is ever due: the schedule is dropped.
    state.advance_all(TaskPace::Polls(5), 150);
    assert!(state.wake.is_empty());
}
