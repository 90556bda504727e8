//! The benchmark: ocp-mock against the limit of this machine, in one run.
//!
//! `cargo bench --bench load` (or `bash benches/run.sh`, which installs wrk and nginx first):
//!
//! 1. rows of load with wrk (one thread, 50 keep-alive connections), each server in turn within
//!    a round and the order rotated each round, for `OCP_MOCK_BENCH_ROUNDS` rounds (default 3)
//!    of `OCP_MOCK_BENCH_SECONDS` (default 4) each:
//!    - the documented DELETE with Basic authentication, every request creating a real task
//!      (1000 servers cycled; `--task-pace time:0` and `--respawn-deleted` so each deleted server
//!      comes back), against nginx (one worker, `return 200` with the mock's bytes) and a bare
//!      hyper server answering the same bytes from memory; the mock with its default worker
//!      threads (one on 2 cores) and with two;
//!    - a GET of the catalogue that replays its page's sample, against nginx and bare hyper
//!      with those bytes;
//!
//!    each with the median requests/s, p99, and the ratio to nginx and to bare hyper per round
//!    (median and spread, min to max);
//! 2. the router's lookup with one route, the whole catalogue, and 10,000 more routes;
//! 3. the time from process start to the first 200 and the RSS at idle (median of 11 starts);
//! 4. RSS over `OCP_MOCK_BENCH_SOAK` (default 1,000,000) mixed requests;
//! 5. contract checks and signature checks per second, on one core.
//!
//! The machine's load average is printed before and after: other work on it moves every figure,
//! the ratios (servers side by side in each round) least.

mod micro;
mod servers;
mod soak;
mod wrk;

use std::path::{Path, PathBuf};
use std::process::Command;

use servers::{Fixtures, Kind, Server, body, http};
use wrk::{DOCUMENTED_PATH, Load};

/// The catalogue endpoint the GET row calls: its page's sample, replayed.
const GET_PATH: &str = "/api/v2/compute/hostTypes";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("bare-server") {
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        servers::bare_server(Path::new(&arg(2)), Path::new(&arg(3)), arg(4));
        return;
    }
    for (program, flag) in [("wrk", "--version"), (servers::nginx_program(), "-v")] {
        if Command::new(program).arg(flag).output().is_err() {
            eprintln!(
                "{program} is not installed: run `bash benches/run.sh` (it installs wrk and nginx-light)"
            );
            std::process::exit(2);
        }
    }
    let rounds = env_number("OCP_MOCK_BENCH_ROUNDS", 3).max(1) as usize;
    let seconds = env_number("OCP_MOCK_BENCH_SECONDS", 4).max(1) as u32;
    let soak_target = env_number("OCP_MOCK_BENCH_SOAK", 1_000_000);
    let dir = std::env::temp_dir().join(format!("ocp-mock-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let file = |name: &str, text: &str| -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write a scratch file");
        path
    };
    let inventory = file("inventory.json", &big_inventory());
    let (delete_body, get_body) = mock_bodies(&inventory);
    let fixtures = Fixtures {
        dir: &dir,
        inventory: &inventory,
        delete_body: &file("delete.body", &delete_body),
        get_body: &file("get.body", &get_body),
        get_path: GET_PATH,
    };
    println!(
        "ocp-mock benchmark: wrk -t1 -c50, {rounds} rounds of {seconds} s, 127.0.0.1; load average {}",
        load_average()
    );
    println!(
        "bodies: DELETE {} bytes, GET {} bytes (nginx and bare hyper answer the mock's own)\n",
        delete_body.len(),
        get_body.len()
    );
    let rows = [
        Row {
            name: "documented DELETE, Basic auth, a real task per request",
            script: file("delete.lua", &wrk::delete_script()),
            nginx_script: file(
                "delete-fixed.lua",
                &wrk::fixed_script("DELETE", DOCUMENTED_PATH),
            ),
            servers: &[Kind::Nginx, Kind::Bare, Kind::Mock, Kind::MockTwoThreads],
        },
        Row {
            name: "GET /api/v2/compute/hostTypes (replayed sample)",
            script: file("get.lua", &wrk::fixed_script("GET", GET_PATH)),
            nginx_script: file("get-nginx.lua", &wrk::fixed_script("GET", GET_PATH)),
            servers: &[Kind::Nginx, Kind::Bare, Kind::Mock],
        },
    ];
    print_load_table(&rows, &fixtures, rounds, seconds);

    println!("\n| routes in the router | DELETE lookup | last catalogue endpoint's lookup |");
    println!("|---|---|---|");
    for (count, delete, last) in micro::router_lookups() {
        println!("| {count} | {delete:.0} ns | {last:.0} ns |");
    }

    let (start, idle) = soak::start_and_idle(11);
    println!("\nstart to first 200 (median of 11): {start:.1} ms; RSS idle after it: {idle} kB");
    let mixed = soak::soak(
        &inventory,
        &file("mixed.lua", &wrk::mixed_script()),
        soak_target,
    );
    println!(
        "soak, mixed (40% deletes, 30% polls, 20% errors, 10% admin), {} requests: RSS {} kB at start, {} kB at 100k, {} kB at the end (peak {} kB); open files {} before, {} after; tasks kept {}",
        mixed.total,
        mixed.rss_start,
        mixed.rss_100k,
        mixed.rss_end,
        mixed.peak,
        mixed.fds_before,
        mixed.fds_after,
        mixed.tasks
    );
    println!(
        "contract checks (schema + invariants, one core): {:.0}/s",
        micro::contract_checks_per_second()
    );
    println!(
        "AK/SK signature checks (string to sign, HMAC-SHA1, compare; one core): {:.0}/s",
        micro::signature_verifications_per_second()
    );
    println!("load average at the end: {}", load_average());
    let _ = std::fs::remove_dir_all(&dir);
}

/// One row of the load table: a request, and the servers answering it.
struct Row {
    name: &'static str,
    /// The mock's requests.
    script: PathBuf,
    /// The same request for nginx and bare hyper (one path: they answer one body).
    nginx_script: PathBuf,
    servers: &'static [Kind],
}

/// Runs every row's servers in turn, `rounds` times, the order rotated each round; prints the
/// medians and the ratios to nginx and to bare hyper (median and spread over the rounds).
fn print_load_table(rows: &[Row], fixtures: &Fixtures, rounds: usize, seconds: u32) {
    println!(
        "| request | server | requests/s | p50 | p99 | non-2xx | vs nginx (spread) | vs bare hyper (spread) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for row in rows {
        let mut loads: Vec<Vec<Load>> = vec![Vec::new(); row.servers.len()];
        for round in 0..rounds {
            for k in 0..row.servers.len() {
                let i = (k + round) % row.servers.len();
                let kind = row.servers[i];
                let server = Server::start(kind, fixtures);
                let script = if kind.is_mock() {
                    &row.script
                } else {
                    &row.nginx_script
                };
                loads[i].push(wrk::wrk(&server.addr, script, 50, seconds));
            }
        }
        let of = |kind: Kind| {
            row.servers
                .iter()
                .position(|k| *k == kind)
                .map(|i| &loads[i])
        };
        for (i, kind) in row.servers.iter().enumerate() {
            let l = &loads[i];
            let ratio = |base: Kind| match of(base) {
                Some(b)
                    if *kind != base && kind.is_mock()
                        || base == Kind::Nginx && *kind == Kind::Bare =>
                {
                    let r: Vec<f64> = l.iter().zip(b).map(|(m, b)| m.rps / b.rps).collect();
                    format!("{:.2} ({:.2}-{:.2})", median(&r), min(&r), max(&r))
                }
                _ => String::new(),
            };
            let (vs_nginx, vs_bare) = (ratio(Kind::Nginx), ratio(Kind::Bare));
            println!(
                "| {} | {} | {:.0} | {:.2} ms | {:.2} ms | {} | {vs_nginx} | {vs_bare} |",
                row.name,
                kind.name(),
                median(&l.iter().map(|x| x.rps).collect::<Vec<_>>()),
                median(&l.iter().map(|x| x.p50).collect::<Vec<_>>()),
                median(&l.iter().map(|x| x.p99).collect::<Vec<_>>()),
                l.iter().map(|x| x.non_2xx).sum::<u64>(),
            );
        }
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The mock's answers to the documented DELETE and to the GET, as its first client gets them.
fn mock_bodies(inventory: &Path) -> (String, String) {
    let mock = Server::start_mock(inventory, &[]);
    let answer = |method: &str, path: &str| {
        let reply = http(&mock.addr, method, path).expect("the mock answers");
        assert!(
            reply.starts_with("HTTP/1.1 200"),
            "{method} {path}: {reply}"
        );
        body(&reply).to_owned()
    };
    (answer("DELETE", DOCUMENTED_PATH), answer("GET", GET_PATH))
}

/// Cluster 1 with `SERVERS` OBProxy servers, one host each.
fn big_inventory() -> String {
    let n = wrk::SERVERS;
    let hosts: Vec<String> = (1..=n)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "ip": "192.0.2.{}", "name": "h{i}"}}"#,
                i % 250 + 1
            )
        })
        .collect();
    let servers: Vec<String> = (1..=n)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "clusterId": 1, "hostId": {i}, "sqlPort": 2883, "exporterPort": 2884, "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"clusters": [{{"id": 1, "name": "test", "address": "192.0.2.1", "port": 2883, "workMode": "RS_LIST"}}], "hosts": [{}], "obproxies": [{}]}}"#,
        hosts.join(","),
        servers.join(",")
    )
}
