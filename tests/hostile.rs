//! Hostile input: a corpus of malformed and adversarial requests, sent over raw TCP to one live
//! mock. Each must get a 4xx OCP error envelope, or, when the request is not HTTP a server can
//! answer, a closed connection; never a 5xx, never a hang. The corpus is data, in
//! `tests/data/hostile/*.json` (its format is in the README beside it).
//!
//! `corpus` reads the data files and judges answers, `wire` is the raw client, `slow` holds the
//! slow-client tests (a mock with a short head timeout).

mod corpus;
mod slow;
mod wire;

use ocp_mock::MockServer;
use ocp_mock::contract::Expect;
use serde_json::Value;

use crate::support::{DOCUMENTED_PATH, assert_json_eq, delete, documented_example};
use corpus::{Case, Want, judge, load_corpus, show};
use wire::exchange;

async fn run_case(mock: &MockServer, case: &Case) -> Result<(), String> {
    if case.stateful {
        mock.reset();
    }
    let last = *case
        .wants
        .last()
        .expect("parse_wants refuses an empty list");
    let to_eof = last == Want::Closed;
    let ex = exchange(
        mock.address(),
        case.bytes.clone(),
        case.eof,
        case.wants.len(),
        to_eof,
    )
    .await;
    if case.stateful {
        mock.reset();
    }
    judge(case, &ex)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_request_gets_a_4xx_envelope_or_a_closed_connection() {
    let corpus = load_corpus();
    assert!(
        corpus.len() >= 300,
        "the corpus has {} requests",
        corpus.len()
    );
    let mock = MockServer::start().await;
    let mut failures = Vec::new();
    for case in &corpus {
        if let Err(why) = run_case(&mock, case).await {
            failures.push(format!("{}: {why}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests were mishandled:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );

    let health = exchange(
        mock.address(),
        b"GET /__mock/health HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n".to_vec(),
        false,
        1,
        false,
    )
    .await;
    let up = health
        .answers
        .first()
        .map(|a| serde_json::from_slice::<Value>(&a.body));
    assert!(
        matches!(&up, Some(Ok(body)) if body["data"]["status"] == "UP"),
        "health after the corpus: {:?}",
        health.answers.first().map(show)
    );
    mock.reset();
    let reply = delete(mock.address(), DOCUMENTED_PATH).await;
    assert_eq!(reply.status, 200, "the documented call after the corpus");
    assert_json_eq!(
        reply.checked(Expect::NewTask),
        documented_example(),
        "the documented call after the corpus"
    );
}
