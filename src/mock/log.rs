//! The request log: one line per answered request on stderr. Lines go through a bounded queue to
//! a thread of their own, so a stderr that nobody reads (a full pipe) never stalls serving: a
//! line that does not fit is dropped and counted, and the count is reported once lines flow
//! again. On shutdown the queue is flushed, for a bounded time.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Sender, SyncSender, channel, sync_channel};
use std::time::Duration;

use serde_json::json;

use crate::mock::settings::LogFormat;

/// Lines waiting for stderr before new ones are dropped.
const QUEUE_LINES: usize = 4096;

/// What the writer thread is handed.
enum Entry {
    /// A line to write.
    Line(String),
    /// Answered once every entry before it is written.
    Flush(Sender<()>),
}

/// The writer shared by every server in the process (stderr is one per process too).
struct RequestLog {
    queue: Option<SyncSender<Entry>>,
    dropped: AtomicU64,
}

static LOG: OnceLock<RequestLog> = OnceLock::new();

fn log() -> &'static RequestLog {
    LOG.get_or_init(|| {
        let (queue, entries) = sync_channel::<Entry>(QUEUE_LINES);
        let started = std::thread::Builder::new()
            .name("ocp-mock-log".into())
            .spawn(move || {
                let mut stderr = std::io::stderr();
                for entry in entries {
                    match entry {
                        Entry::Line(line) => {
                            let _ = writeln!(stderr, "{line}");
                        }
                        Entry::Flush(done) => {
                            let _ = stderr.flush();
                            let _ = done.send(());
                        }
                    }
                }
            });
        RequestLog {
            // Without a thread there is no one to write: every line counts as dropped.
            queue: started.ok().map(|_| queue),
            dropped: AtomicU64::new(0),
        }
    })
}

/// One answered request, in `format`: method, path (credentials redacted by the caller),
/// status, milliseconds and traceId.
pub fn request(format: LogFormat, method: &str, path: &str, status: u16, ms: f64, trace_id: &str) {
    line(format, render(format, method, path, status, ms, trace_id));
}

/// The line [`request`] writes.
fn render(
    format: LogFormat,
    method: &str,
    path: &str,
    status: u16,
    ms: f64,
    trace_id: &str,
) -> String {
    match format {
        LogFormat::Text => format!("{method} {path} {status} {ms:.3}ms traceId={trace_id}"),
        LogFormat::Json => {
            let ms = (ms * 1000.0).round() / 1000.0;
            json!({"method": method, "path": path, "status": status, "ms": ms, "traceId": trace_id})
                .to_string()
        }
    }
}

/// Queues one line for stderr without waiting; drops it when the queue is full. The note of
/// lines dropped earlier is written in `format` too.
fn line(format: LogFormat, text: String) {
    let log = log();
    let Some(queue) = &log.queue else {
        log.dropped.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let dropped = log.dropped.load(Ordering::Relaxed);
    if dropped > 0 {
        let note = match format {
            LogFormat::Text => {
                format!("ocp-mock: {dropped} request log lines dropped: stderr was not read")
            }
            LogFormat::Json => json!({"dropped": dropped}).to_string(),
        };
        if queue.try_send(Entry::Line(note)).is_ok() {
            log.dropped.fetch_sub(dropped, Ordering::Relaxed);
        }
    }
    if queue.try_send(Entry::Line(text)).is_err() {
        log.dropped.fetch_add(1, Ordering::Relaxed);
    }
}

/// Waits, at most `within`, until the lines queued so far are written: a shutdown keeps the log
/// of the requests it answered, unless stderr is not being read.
pub fn flush(within: Duration) {
    let Some(queue) = LOG.get().and_then(|log| log.queue.as_ref()) else {
        return;
    };
    let deadline = std::time::Instant::now() + within;
    let (done, written) = channel();
    let mut flush = Entry::Flush(done);
    // A full queue may drain meanwhile: keep offering the flush until the deadline.
    loop {
        match queue.try_send(flush) {
            Ok(()) => break,
            Err(std::sync::mpsc::TrySendError::Full(back)) => flush = back,
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return,
        }
        if std::time::Instant::now() >= deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = written.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_carry_the_same_fields() {
        let args = ("DELETE", "/api/v2/x", 200, 0.41249, "0fda4c74b7a84932");
        let (m, p, s, ms, t) = args;
        assert_eq!(
            render(LogFormat::Text, m, p, s, ms, t),
            "DELETE /api/v2/x 200 0.412ms traceId=0fda4c74b7a84932"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(LogFormat::Json, m, p, s, ms, t)).unwrap();
        assert_eq!(
            json,
            json!({"method": m, "path": p, "status": 200, "ms": 0.412, "traceId": t})
        );
    }
}
