//! The request log: one line per answered request on stderr. Lines go through a bounded queue to
//! a thread of their own, so a stderr that nobody reads (a full pipe) never stalls serving: a
//! line that does not fit is dropped and counted, and the count is reported once lines flow
//! again. On shutdown the queue is flushed, for a bounded time.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Sender, SyncSender, channel, sync_channel};
use std::time::Duration;

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

/// Queues one line for stderr without waiting; drops it when the queue is full.
pub fn line(text: String) {
    let log = log();
    let Some(queue) = &log.queue else {
        log.dropped.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let dropped = log.dropped.load(Ordering::Relaxed);
    if dropped > 0 {
        let note = format!("ocp-mock: {dropped} request log lines dropped: stderr was not read");
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
