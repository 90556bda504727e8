//! A raw HTTP/1.1 client that survives what the corpus sends: it writes on its own task, reads
//! every answer of a pipelined exchange, and tells an answer from a close, a reset or a hang.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long one exchange may take before it counts as a hang.
pub const CASE_TIMEOUT: Duration = Duration::from_secs(2);

/// One answer read off the wire.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Whether an answer is the mock's (JSON) rather than the HTTP layer's bare status.
pub fn is_envelope(answer: &Answer) -> bool {
    answer.content_type.as_deref() == Some("application/json")
}

/// How the exchange ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// We had every answer we waited for; the connection may still be open.
    Answered,
    Eof,
    Reset,
    TimedOut,
}

#[derive(Debug)]
pub struct Exchange {
    pub answers: Vec<Answer>,
    pub end: End,
}

/// Parses one complete answer at the start of `buf`: the answer and its length in bytes.
pub fn parse_answer(buf: &[u8], bodiless: bool, at_eof: bool) -> Option<(Answer, usize)> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut length = None;
    let mut content_type = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse::<usize>().ok(),
            "content-type" => content_type = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    let body_len = match (bodiless, length) {
        (true, _) => 0,
        (false, Some(n)) => n,
        (false, None) if at_eof => buf.len() - head_end,
        (false, None) => return None,
    };
    let body = buf.get(head_end..head_end + body_len)?.to_vec();
    let answer = Answer {
        status,
        content_type,
        body,
    };
    Some((answer, head_end + body_len))
}

/// Sends `bytes` (on its own task, so a server that stops reading cannot block us), then reads
/// answers until `wanted` of them arrived (or, with `to_eof`, until the connection ends).
pub async fn exchange(
    addr: SocketAddr,
    bytes: Vec<u8>,
    eof: bool,
    wanted: usize,
    to_eof: bool,
) -> Exchange {
    let stream = TcpStream::connect(addr).await.expect("connect to the mock");
    let (mut reader, mut writer) = stream.into_split();
    let bodiless = bytes.starts_with(b"HEAD ");
    let sending = tokio::spawn(async move {
        let _ = writer.write_all(&bytes).await;
        if eof {
            let _ = writer.shutdown().await;
        }
        // Keep the sending side open until the exchange is over, unless told to close it.
        std::future::pending::<()>().await;
    });
    let deadline = tokio::time::Instant::now() + CASE_TIMEOUT;
    let mut buf = Vec::new();
    let mut answers = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let end = loop {
        while let Some((answer, used)) = parse_answer(&buf, bodiless, false) {
            // An interim answer (`100 Continue`) is not the answer.
            if answer.status >= 200 {
                answers.push(answer);
            }
            buf.drain(..used);
        }
        // A bare answer of the HTTP layer comes before a close: read on to see it.
        if !to_eof && answers.len() >= wanted && answers.last().is_some_and(is_envelope) {
            break End::Answered;
        }
        match tokio::time::timeout_at(deadline, reader.read(&mut chunk)).await {
            Err(_) => break End::TimedOut,
            Ok(Ok(0)) => break End::Eof,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(_)) => break End::Reset,
        }
    };
    if matches!(end, End::Eof | End::Reset)
        && let Some((answer, _)) = parse_answer(&buf, bodiless, true)
    {
        answers.push(answer);
    }
    sending.abort();
    Exchange { answers, end }
}

/// What a slow client saw: the answers, how the connection ended, when, and how much it sent.
#[derive(Debug)]
pub struct Trickle {
    pub answers: Vec<u16>,
    pub end: End,
    pub after: Duration,
    pub sent: usize,
}

/// Sends `bytes` one at a time, `every` apart, and reads until the connection ends (or 3 s).
pub async fn trickle(addr: SocketAddr, bytes: &[u8], every: Duration) -> Trickle {
    let stream = TcpStream::connect(addr).await.expect("connect to the mock");
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let (sent_tx, sent_rx) = tokio::sync::watch::channel(0usize);
    let bytes = bytes.to_vec();
    let sending = tokio::spawn(async move {
        for (i, byte) in bytes.iter().enumerate() {
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
            let _ = sent_tx.send(i + 1);
            tokio::time::sleep(every).await;
        }
        std::future::pending::<()>().await;
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let end = loop {
        match tokio::time::timeout_at(deadline, reader.read(&mut chunk)).await {
            Err(_) => break End::TimedOut,
            Ok(Ok(0)) => break End::Eof,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(_)) => break End::Reset,
        }
    };
    let after = started.elapsed();
    sending.abort();
    let mut answers = Vec::new();
    let mut rest = &buf[..];
    while let Some((answer, used)) = parse_answer(rest, false, true) {
        answers.push(answer.status);
        rest = &rest[used..];
    }
    let sent = *sent_rx.borrow();
    Trickle {
        answers,
        end,
        after,
        sent,
    }
}
