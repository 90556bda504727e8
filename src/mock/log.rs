//! The request log: one line per answered request on stderr. Lines go through a bounded queue to
//! a thread of their own, so a stderr that nobody reads (a full pipe) never stalls serving: a
//! line that does not fit is dropped and counted, and the count is reported once lines flow
//! again.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

/// Lines waiting for stderr before new ones are dropped.
const QUEUE_LINES: usize = 4096;

/// The writer shared by every server in the process (stderr is one per process too).
struct RequestLog {
    queue: Option<SyncSender<String>>,
    dropped: AtomicU64,
}

static LOG: OnceLock<RequestLog> = OnceLock::new();

fn log() -> &'static RequestLog {
    LOG.get_or_init(|| {
        let (queue, lines) = sync_channel::<String>(QUEUE_LINES);
        let started = std::thread::Builder::new()
            .name("ocp-mock-log".into())
            .spawn(move || {
                let mut stderr = std::io::stderr();
                for line in lines {
                    let _ = writeln!(stderr, "{line}");
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
    if dropped > 0
        && queue
            .try_send(format!(
                "ocp-mock: {dropped} request log lines dropped: stderr was not read"
            ))
            .is_ok()
    {
        log.dropped.fetch_sub(dropped, Ordering::Relaxed);
    }
    if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = queue.try_send(text) {
        log.dropped.fetch_add(1, Ordering::Relaxed);
    }
}
