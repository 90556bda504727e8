//! The README runs as written. Every `sh` block runs, in order, with bash (`set -euo pipefail`)
//! against a mock of the built binary, and what each command's comment claims is judged
//! (`readme/claims.rs` gives the vocabulary). Blocks share one mock started fresh, as a reader
//! following the README has one running; a block with a `cargo run --release -- serve ARGS`
//! line gets a fresh mock of its own started with ARGS (that line is not run itself). The
//! README's addresses (`127.0.0.1:8080`, and `8081`, `8082` for further servers) are replaced
//! by free ports. A block preceded by `<!-- readme-test: skip: REASON -->` is not run; the test
//! prints how many were skipped and why. With `README_CLAIMS=1` it lists each command's claims.

mod blocks;
mod claims;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use blocks::{Block, Command};
use claims::{Claim, Outcome};

use crate::support::ChildGuard;

const BIN: &str = env!("CARGO_BIN_EXE_ocp-mock");
/// A block that has not finished by then is stopped and fails the test.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(60);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `ocp-mock serve ARGS` on a free port; the child and its port.
fn serve(args: &[String]) -> (ChildGuard, u16) {
    let mut child = binary()
        .args(["serve", "--addr", "127.0.0.1:0", "--quiet"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map(ChildGuard)
        .expect("start the binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the address on stdout");
    let port = line
        .trim_end()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address printed: {line:?}"));
    (child, port)
}

/// The binary with no `OCP_MOCK_*` variable of the developer's environment.
fn binary() -> Process {
    let mut command = Process::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OCP_MOCK_") {
            command.env_remove(name);
        }
    }
    command
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// The folder blocks run in: a fresh temporary one, with the repository's `scripts/` and
/// `fixtures/` linked in, so files a block writes (`recorded/`) land there.
fn workdir(name: &str) -> PathBuf {
    let id = std::process::id();
    let dir = std::env::temp_dir().join(format!("ocp-mock-readme-{name}-{id}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".claims")).expect("a temporary folder");
    for name in ["scripts", "fixtures"] {
        std::os::unix::fs::symlink(root().join(name), dir.join(name)).expect("a link");
    }
    dir
}

/// The script bash runs for a block: a `curl` that also notes its status (on a stream of its
/// own, so the output is the reader's), each command's output kept for the claims.
fn script(block: &Block, ports: &[(u16, u16)]) -> String {
    let mut out = String::from(
        "set -euo pipefail\n\
         curl() { command curl -w '%{stderr}%{http_code}' \"$@\" 2>.claims/status | tee .claims/body; }\n",
    );
    for (i, command) in block.commands.iter().enumerate() {
        let mut text = command.text.clone();
        for (from, to) in ports {
            text = text.replace(&format!("127.0.0.1:{from}"), &format!("127.0.0.1:{to}"));
        }
        if text.starts_with("cargo run --release -- serve") {
            out.push_str(": the test started this mock\n");
        } else if let Some(command) = text.strip_suffix('&') {
            // A server left running: what it prints is its claim (its address).
            out.push_str(&format!("{command} > .claims/{i}.out &\n"));
        } else {
            out.push_str(&format!(
                "rm -f .claims/status .claims/body\n{{ {text}\n}} > .claims/{i}.out\n\
                 if [ -f .claims/status ]; then mv .claims/status .claims/{i}.status; fi\n\
                 if [ -f .claims/body ]; then mv .claims/body .claims/{i}.body; fi\n"
            ));
        }
    }
    out
}

/// Runs a script with bash in its own process group, stopping whatever it left running.
fn run_bash(script: &str, dir: &Path) -> Result<(), String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let bin_dir = Path::new(BIN).parent().expect("the binary's folder");
    let mut paths = vec![bin_dir.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut child = Process::new("bash")
        .args(["-c", script])
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths).expect("a PATH"))
        .env_remove("OCP_AK")
        .env_remove("OCP_SK")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map(ChildGuard)
        .expect("bash runs");
    let group = format!("-{}", child.id());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > BLOCK_TIMEOUT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = Process::new("kill")
        .args(["-TERM", "--", &group])
        .stderr(Stdio::null())
        .status();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    match status {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(format!("bash exited with {status}: {stderr}")),
        None => Err(format!("still running after {BLOCK_TIMEOUT:?}: {stderr}")),
    }
}

/// Judges the claims of a block's commands; returns how many held, and every failure.
fn judge_block(
    block: &Block,
    ports: &[(u16, u16)],
    dir: &Path,
    failures: &mut Vec<String>,
) -> usize {
    let mut held = 0;
    for (i, command) in block.commands.iter().enumerate() {
        let curl = command.text.contains("curl ");
        // The README's addresses in a claim (what a server prints) are the test's ports.
        let claim = ports
            .iter()
            .fold(command.claim.clone(), |claim, (from, to)| {
                claim.replace(&format!("127.0.0.1:{from}"), &format!("127.0.0.1:{to}"))
            });
        let claims = claims::parse(&claim, curl);
        if std::env::var_os("README_CLAIMS").is_some() {
            eprintln!("README.md:{}: {:?}", command.line, claims);
        }
        if claims.is_empty() || command.text.starts_with("cargo run") {
            continue;
        }
        // A command the failed block never reached: the block's failure says so.
        let Ok(output) = std::fs::read_to_string(dir.join(format!(".claims/{i}.out"))) else {
            continue;
        };
        let status = std::fs::read_to_string(dir.join(format!(".claims/{i}.status")))
            .ok()
            .and_then(|s| s.trim().parse().ok());
        // The last curl's answer; the whole output when the command called no curl.
        let last = std::fs::read_to_string(dir.join(format!(".claims/{i}.body")))
            .unwrap_or_else(|_| output.clone());
        let (head, body) = match last.split_once("\r\n\r\n") {
            Some((head, body)) if last.starts_with("HTTP/") => (head, body),
            _ => ("", last.as_str()),
        };
        let got = Outcome {
            output: &output,
            status,
            head,
            body,
        };
        for claim in &claims {
            match claims::judge(claim, &got, root()) {
                Ok(()) => held += 1,
                Err(found) => failures.push(describe(command, claim, &found)),
            }
        }
    }
    held
}

fn describe(command: &Command, claim: &Claim, found: &str) -> String {
    format!(
        "README.md:{}: `{}`\n  claims {claim:?} (\"{}\")\n  got {found}",
        command.line, command.text, command.claim
    )
}

#[test]
fn every_shell_block_of_the_readme_runs_and_its_comments_hold() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let blocks = blocks::blocks(&readme);
    let dir = workdir("blocks");
    let (_session, port) = serve(&[]);
    let extra = [(8081, free_port()), (8082, free_port())];
    let (mut ran, mut held, mut skipped, mut failures) = (0, 0, Vec::new(), Vec::new());
    for block in &blocks {
        if let Some(reason) = &block.skip {
            skipped.push(format!("README.md:{}: {reason}", block.line));
            continue;
        }
        let claims = dir.join(".claims");
        std::fs::remove_dir_all(&claims).expect("the claims of the block before");
        std::fs::create_dir(&claims).expect("a fresh claims folder");
        let own = block.serve.as_ref().map(|args| serve(args));
        let mut ports = vec![(8080, own.as_ref().map_or(port, |(_, p)| *p))];
        ports.extend(extra);
        if let Err(why) = run_bash(&script(block, &ports), &dir) {
            failures.push(format!("README.md:{}: the block failed: {why}", block.line));
        }
        held += judge_block(block, &ports, &dir, &mut failures);
        ran += 1;
    }
    eprintln!(
        "README: {ran} shell blocks run, {held} claims held, {} skipped:",
        skipped.len()
    );
    for line in &skipped {
        eprintln!("  {line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} README claims failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        ran >= 10 && held >= 40,
        "too little of the README ran: {ran} blocks, {held} claims"
    );
}

/// A transcript (`$ ocp-mock check ...` and its report) prints what it shows, byte for byte,
/// against a fresh mock of its own.
#[test]
fn every_transcript_of_the_readme_prints_what_it_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let transcripts = blocks::transcripts(&readme);
    assert!(!transcripts.is_empty(), "the README shows a check's report");
    let dir = workdir("transcripts");
    for transcript in &transcripts {
        let (_mock, port) = serve(&[]);
        let to = format!("127.0.0.1:{port}");
        let command = transcript.command.replace("127.0.0.1:8080", &to);
        let script = format!("set -euo pipefail\n{command} > .claims/transcript.out");
        run_bash(&script, &dir)
            .unwrap_or_else(|why| panic!("README.md:{}: {why}", transcript.line));
        let printed = std::fs::read_to_string(dir.join(".claims/transcript.out")).expect("out");
        crate::support::assert_same_bytes(
            printed.as_bytes(),
            transcript.output.replace("127.0.0.1:8080", &to).as_bytes(),
            format_args!(
                "README.md:{}: what `{}` prints",
                transcript.line, transcript.command
            ),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
