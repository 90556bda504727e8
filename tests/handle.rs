//! The `MockServer` handle from any kind of test: a default (current-thread) `#[tokio::test]`
//! that then blocks, a plain `#[test]` with no runtime, and its shutdown.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use ocp_mock::ScenarioError;
use ocp_mock::{MockServer, Scenario};

use crate::support::{ADMIN_BASIC, DOCUMENTED_PATH};

/// The documented call over a blocking std socket; gives up after ten seconds instead of
/// hanging when no one answers.
fn blocking_delete(address: SocketAddr) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "DELETE {DOCUMENTED_PATH} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\
         Authorization: {ADMIN_BASIC}\r\n\r\n"
    )?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    Ok(text)
}

#[tokio::test]
async fn a_blocking_client_in_a_default_tokio_test_gets_its_answer() {
    let mock = MockServer::start().await;
    // This blocks the test's only runtime thread: the mock must not need it.
    let answer = blocking_delete(mock.address()).expect("the mock answers");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains(r#""name":"Offline obproxy""#), "{answer}");
    assert_eq!(mock.count_requests("DELETE", "/api/*"), 1);
}

#[test]
fn a_test_without_a_runtime_starts_the_mock_synchronously() {
    let mock = MockServer::start_blocking();
    let answer = blocking_delete(mock.address()).expect("the mock answers");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, DOCUMENTED_PATH);
}

#[tokio::test]
async fn after_shutdown_the_port_refuses_connections() {
    let mock = MockServer::start().await;
    let address = mock.address();
    blocking_delete(address).expect("the mock answers");
    mock.shutdown().await;
    let refused = TcpStream::connect_timeout(&address, Duration::from_secs(2));
    assert!(refused.is_err(), "still accepting after shutdown");
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let address = MockServer::start_blocking().address();
    // The drop signals the server thread; give it a bounded time to close the listener.
    let closed = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err()
    });
    assert!(closed, "the listener outlived its handle");
}

#[test]
fn a_scenario_naming_no_subtask_is_refused_and_the_active_ones_stay() {
    let mock = MockServer::start_blocking();
    let latency: Scenario = "latency:5@GET /api/*".parse().unwrap();
    mock.set_scenarios(vec![latency]).unwrap();
    let err = mock
        .set_scenarios(vec!["fail-at:Reboot the moon".parse().unwrap()])
        .unwrap_err();
    assert!(
        matches!(&err, ScenarioError::UnknownSubtask { name, known }
            if name == "Reboot the moon" && known.len() == 8),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("has no subtask \"Reboot the moon\""),
        "{err}"
    );
    let address = mock.address();
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /__mock/scenarios HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(
        text.contains(r#""data":["latency:5@GET /api/*"]"#),
        "{text}"
    );
}
