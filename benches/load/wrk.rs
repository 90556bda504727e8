//! wrk: one load phase and what it reports, and the Lua scripts that shape the requests.

use std::path::Path;
use std::process::Command;

use crate::servers::ADMIN_BASIC;

/// The inventory's OBProxy servers the DELETE cycles through.
pub const SERVERS: usize = 1000;
/// The documented call.
pub const DOCUMENTED_PATH: &str = "/api/v2/obproxy/clusters/1/obproxies/2";

#[derive(Debug, Default, Clone)]
pub struct Load {
    pub rps: f64,
    /// Latency percentiles in milliseconds.
    pub p50: f64,
    pub p99: f64,
    pub non_2xx: u64,
}

/// One phase: wrk with one thread (the other core is the server's) and `connections`
/// keep-alive connections.
pub fn wrk(addr: &str, script: &Path, connections: u32, seconds: u32) -> Load {
    let out = Command::new("wrk")
        .args(["-t", "1", "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s"), "--latency", "-s"])
        .arg(script)
        .arg(format!("http://{addr}"))
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut load = Load::default();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => load.rps = v.parse().unwrap_or(0.0),
            ["50%", v] => load.p50 = millis(v),
            ["99%", v] => load.p99 = millis(v),
            ["Non-2xx", "or", "3xx", "responses:", v] => load.non_2xx = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    load
}

/// wrk's `1.23ms`, `456.00us`, `1.01s` in milliseconds.
fn millis(text: &str) -> f64 {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (n, unit) = text.split_at(split);
    let n: f64 = n.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => n,
    }
}

/// Gives each wrk thread its own starting point in the server ids (`counter`), so no two
/// requests in flight name the same server and every DELETE creates a task.
fn thread_offsets() -> String {
    format!(
        r#"local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end
function init(args)
  counter = tid * {half}
  auth = {{ ["Authorization"] = "{ADMIN_BASIC}" }}
end
"#,
        half = SERVERS / 2
    )
}

/// The documented DELETE over every server in turn, with Basic authentication.
pub fn delete_script() -> String {
    thread_offsets()
        + &format!(
            r#"request = function()
  counter = counter + 1
  local id = counter % {SERVERS} + 1
  return wrk.format("DELETE", "/api/v2/obproxy/clusters/1/obproxies/" .. id, auth)
end
"#
        )
}

/// One request, always the same, with Basic authentication.
pub fn fixed_script(method: &str, path: &str) -> String {
    thread_offsets()
        + &format!(
            r#"request = function()
  return wrk.format("{method}", "{path}", auth)
end
"#
        )
}

/// Deletes, task polls, errors (a malformed id, an unknown cluster) and admin calls.
pub fn mixed_script() -> String {
    thread_offsets()
        + &format!(
            r#"request = function()
  counter = counter + 1
  local k = counter % 10
  if k < 4 then
    return wrk.format("DELETE", "/api/v2/obproxy/clusters/1/obproxies/" .. (counter % {SERVERS} + 1), auth)
  elseif k < 7 then
    return wrk.format("GET", "/api/v2/tasks/instances/" .. (33149 + counter % 5000), auth)
  elseif k == 7 then
    return wrk.format("DELETE", "/api/v2/obproxy/clusters/1/obproxies/x" .. counter, auth)
  elseif k == 8 then
    return wrk.format("GET", "/api/v2/obproxy/clusters/77", auth)
  else
    return wrk.format("GET", "/__mock/health")
  end
end
"#
        )
}
