//! Memory and start-up: the time from process start to the first 200, RSS at idle, and RSS over
//! a long run of mixed requests.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::servers::{MOCK, Server, http};
use crate::wrk::{DOCUMENTED_PATH, wrk};

/// Process start to the first 200 of the documented call, and the RSS once it has answered
/// and sat idle for 200 ms: medians of `runs` starts.
pub fn start_and_idle(runs: usize) -> (f64, u64) {
    let mut times = Vec::with_capacity(runs);
    let mut rss = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let server = {
            let mut c = Command::new(MOCK);
            c.args(["serve", "--addr", "127.0.0.1:0", "--quiet"]);
            Server::start_announced(c, true)
        };
        loop {
            let reply = http(&server.addr, "DELETE", DOCUMENTED_PATH).unwrap_or_default();
            if reply.starts_with("HTTP/1.1 200") {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no 200 within 10 s"
            );
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(200));
        rss.push(rss_kb(server.pid(), "VmRSS:"));
    }
    times.sort_by(f64::total_cmp);
    rss.sort_unstable();
    (times[runs / 2], rss[runs / 2])
}

pub fn rss_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[derive(Debug, Default)]
pub struct Soak {
    pub rss_start: u64,
    pub rss_100k: u64,
    pub rss_end: u64,
    pub peak: u64,
    pub total: u64,
    pub non_2xx: u64,
    pub fds_before: usize,
    pub fds_after: usize,
    pub tasks: u64,
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// Drives one mock to `target` requests in bounded chunks (at most 60 of 3 s): RSS at start, at
/// 100k and at the end, the peak, open files before and after, and the tasks it keeps.
pub fn soak(inventory: &Path, script: &Path, target: u64) -> Soak {
    let mock = Server::start_mock(inventory, &[]);
    std::thread::sleep(Duration::from_millis(200));
    let mut soak = Soak {
        fds_before: open_files(mock.pid()),
        rss_start: rss_kb(mock.pid(), "VmRSS:"),
        ..Soak::default()
    };
    for _ in 0..60 {
        let load = wrk(&mock.addr, script, 50, 3);
        soak.non_2xx += load.non_2xx;
        let total = mock.health("requests");
        if soak.rss_100k == 0 && total >= 100_000 {
            soak.rss_100k = rss_kb(mock.pid(), "VmRSS:");
        }
        if total >= target {
            break;
        }
    }
    // wrk has closed its connections; give the mock up to 3 s to notice each close.
    for _ in 0..30 {
        if open_files(mock.pid()) <= soak.fds_before {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    soak.total = mock.health("requests");
    soak.rss_end = rss_kb(mock.pid(), "VmRSS:");
    soak.peak = rss_kb(mock.pid(), "VmHWM:");
    soak.fds_after = open_files(mock.pid());
    soak.tasks = mock.health("tasks");
    soak
}
