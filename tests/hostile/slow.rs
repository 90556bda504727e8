//! Slow clients, against a mock that gives a request head 300 ms: cut off, never waited for.

use std::time::{Duration, Instant};

use ocp_mock::Limits;
use ocp_mock::MockServer;

use super::corpus::{Case, Want, judge};
use super::wire::{CASE_TIMEOUT, End, Trickle, exchange, trickle};
use crate::support::{ADMIN_BASIC, DOCUMENTED_PATH, delete};

const HEAD_TIMEOUT: Duration = Duration::from_millis(300);

async fn impatient_mock() -> MockServer {
    MockServer::builder()
        .limits(Limits {
            header_read_timeout: HEAD_TIMEOUT,
            idle_timeout: Duration::from_millis(600),
            ..Limits::default()
        })
        .start()
        .await
}

/// The connection was closed by the mock without an answer (not left to the client's own
/// deadline), and not before the head timeout.
fn assert_cut_by_the_head_timeout(what: &str, t: &Trickle) {
    assert!(
        matches!(t.end, End::Eof | End::Reset) && t.answers.is_empty(),
        "{what}: expected a close without an answer, got {t:?}"
    );
    assert!(
        t.after >= HEAD_TIMEOUT - Duration::from_millis(50),
        "{what}: closed after {:?}, before the head timeout {HEAD_TIMEOUT:?}: {t:?}",
        t.after
    );
}

#[tokio::test]
async fn a_client_that_sends_nothing_is_closed_after_the_head_timeout() {
    let mock = impatient_mock().await;
    let t = trickle(mock.address(), b"", Duration::ZERO).await;
    assert_cut_by_the_head_timeout("a silent client", &t);
}

#[tokio::test]
async fn a_client_sending_a_byte_every_100_ms_is_closed_after_the_head_timeout() {
    let mock = impatient_mock().await;
    let request = format!(
        "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mock\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
    );
    let t = trickle(
        mock.address(),
        request.as_bytes(),
        Duration::from_millis(100),
    )
    .await;
    assert_cut_by_the_head_timeout("a byte every 100 ms", &t);
    assert!(
        t.sent < request.len(),
        "the whole request went through: {t:?}"
    );
}

#[tokio::test]
async fn a_client_sending_a_byte_a_second_is_closed_after_the_head_timeout() {
    let mock = impatient_mock().await;
    let t = trickle(
        mock.address(),
        b"DELETE /api/v2/obproxy/clusters/1/obproxies/2 HTTP/1.1\r\n",
        Duration::from_secs(1),
    )
    .await;
    assert_cut_by_the_head_timeout("a byte a second", &t);
    assert!(t.sent <= 1, "{t:?}");
}

#[tokio::test]
async fn a_slow_client_that_finishes_its_head_in_time_is_answered() {
    let mock = impatient_mock().await;
    let request = b"GET /__mock/health HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n";
    let t = trickle(mock.address(), request, Duration::from_millis(1)).await;
    assert_eq!(t.answers, vec![200], "a whole head in about 100 ms: {t:?}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_head_timeout() {
    let mock = impatient_mock().await;
    let request = format!(
        "GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mock\r\nAuthorization: {ADMIN_BASIC}\r\n\r\n"
    );
    let started = Instant::now();
    let ex = exchange(mock.address(), request.into_bytes(), false, 1, true).await;
    let statuses: Vec<u16> = ex.answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![200], "one answer, then a close: {ex:?}");
    assert_eq!(
        ex.end,
        End::Eof,
        "the idle connection was not closed: {ex:?}"
    );
    assert!(
        started.elapsed() >= HEAD_TIMEOUT - Duration::from_millis(50),
        "closed after {:?}, before the head timeout",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_client_that_stalls_in_its_body_is_not_kept_forever() {
    let mock = impatient_mock().await;
    let request = format!(
        "DELETE /api/v2/obproxy/clusters/1/obproxies/42 HTTP/1.1\r\nHost: mock\r\nAuthorization: {ADMIN_BASIC}\r\nContent-Length: 10\r\n\r\n01"
    );
    let started = Instant::now();
    let ex = exchange(mock.address(), request.into_bytes(), false, 1, true).await;
    assert!(
        matches!(ex.end, End::Eof | End::Reset),
        "a body stalled for {CASE_TIMEOUT:?} (head timeout 300 ms, idle 600 ms) still holds its connection: {ex:?}"
    );
    assert!(
        started.elapsed() >= HEAD_TIMEOUT - Duration::from_millis(50),
        "closed after {:?}, before any timeout",
        started.elapsed()
    );
    let case = Case::expecting("a stalled body", Want::EnvelopeOrClosed(408));
    if let Err(why) = judge(&case, &ex) {
        panic!("a stalled body: {why}");
    }
}

#[tokio::test]
async fn slow_clients_do_not_delay_the_others() {
    // Here the slow clients may hold their connections for 2 s: an answer while every one of
    // them is still connected shows they do not block the accept loop or the state (blocked,
    // the answer would come only once they are cut off).
    let patience = Duration::from_secs(2);
    let mock = MockServer::builder()
        .limits(Limits {
            header_read_timeout: patience,
            ..Limits::default()
        })
        .start()
        .await;
    let addr = mock.address();
    let slow: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(async move {
                let head = b"GET /__mock/health HTTP/1.1\r\nHost: mock\r\n";
                trickle(addr, head, Duration::from_millis(50)).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reply = delete(addr, DOCUMENTED_PATH).await;
    assert_eq!(reply.status, 200, "the documented call among slow clients");
    let cut_off = slow.iter().filter(|s| s.is_finished()).count();
    assert_eq!(
        cut_off, 0,
        "answered only after {cut_off} slow clients were cut off"
    );
    for s in slow {
        let t = s.await.expect("the slow client ran");
        assert!(
            matches!(t.end, End::Eof | End::Reset) && t.answers.is_empty(),
            "a slow client was not cut off: {t:?}"
        );
        assert!(t.after >= patience - Duration::from_millis(100), "{t:?}");
    }
}

/// Sends `bytes` of one header value, never ending the head, then reads what comes back: the
/// bytes the mock let in before it stopped reading, and whether it closed (within `within`).
async fn endless_head(
    address: std::net::SocketAddr,
    bytes: usize,
    within: Duration,
) -> (usize, Option<Vec<u8>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut sent = 0;
    let head = b"GET /api/v2/obproxy/clusters/1 HTTP/1.1\r\nHost: mock\r\nX-Big: ";
    if stream.write_all(head).await.is_ok() {
        sent = head.len();
        let chunk = [b'a'; 8192];
        while sent < bytes {
            // A write fails once the mock has closed: that is the bound at work.
            match tokio::time::timeout(within, stream.write_all(&chunk)).await {
                Ok(Ok(())) => sent += chunk.len(),
                _ => break,
            }
        }
    }
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(within, stream.read_to_end(&mut answer)).await;
    (
        sent,
        matches!(closed, Ok(Ok(_)) | Ok(Err(_))).then_some(answer),
    )
}

#[tokio::test]
async fn an_unfinished_head_past_the_head_buffer_is_cut_off_without_waiting_for_the_timeout() {
    // The head timeout is long: only the size can close these connections within the test.
    let mock = MockServer::builder()
        .limits(Limits {
            header_read_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(60),
            ..Limits::default()
        })
        .start()
        .await;
    // 200 KB: under the HTTP layer's default 400 KB buffer, so only the mock's own bound stops it.
    let (sent, answer) = endless_head(mock.address(), 200 * 1024, Duration::from_secs(10)).await;
    let answer = answer.expect("the mock closed the connection before its 60 s head timeout");
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 431"),
        "a bare 431 at most: {}",
        String::from_utf8_lossy(&answer)
    );
    assert!(sent > 72 * 1024, "only {sent} bytes sent");
    // Under the bound the same unfinished head is waited for, as any slow client's is.
    let (_, under) = endless_head(mock.address(), 60 * 1024, Duration::from_secs(1)).await;
    assert_eq!(under, None, "a 60 KB head was cut off");
    // The mock serves on.
    assert_eq!(delete(mock.address(), DOCUMENTED_PATH).await.status, 200);
}
