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
