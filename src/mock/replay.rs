//! Replay: answers recorded from a real OCP (by `ocp-mock record`) come before the mock's own.
//!
//! A call is matched on method, path, query, whether it carried credentials, and its body (JSON
//! by value). Identical calls recorded several times answer in the recorded order, then the
//! last answer again. A matched call that carried credentials must pass the mock's own
//! authentication, or the mock answers it as usual (its 401). Everything else goes through the
//! mock's pipeline.
//!
//! Loading checks every file: a malformed one is refused with its name and why; an answer that
//! differs from the contract's documented shape is accepted, and the difference listed in
//! [`Replay::differences`] (a real deployment's answer is the truth a replay stands for).

mod answer;
pub mod fixture;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use serde_json::Value;

use crate::contract::{Contract, Expect};
use crate::mock::request::MockRequest;

use fixture::{Call, Fixture, RESPONSE_HEADERS};

/// The most fixture files one replay reads.
pub const MAX_FIXTURES: usize = 10_000;
/// The largest fixture file read.
pub const MAX_FIXTURE_BYTES: u64 = 32 << 20;

/// Why a directory of fixtures cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The directory cannot be listed.
    #[error("cannot read {dir}: {error}")]
    Directory {
        /// The directory given.
        dir: String,
        /// Why.
        error: std::io::Error,
    },
    /// One file is not a fixture a replay can answer.
    #[error("{file}: {why}")]
    Malformed {
        /// The file's path.
        file: String,
        /// What is wrong with it.
        why: String,
    },
    /// More files than a replay reads.
    #[error("{dir} holds more than {MAX_FIXTURES} fixtures")]
    TooMany {
        /// The directory given.
        dir: String,
    },
}

/// Recorded answers, loaded and checked, ready to be served.
#[derive(Debug, Default)]
pub struct Replay {
    sequences: Vec<Sequence>,
    differences: Vec<String>,
    files: usize,
}

/// The answers recorded for one call, in order, and how many were served.
#[derive(Debug)]
struct Sequence {
    call: Call,
    answers: Vec<Recorded>,
    served: AtomicUsize,
}

/// One answer as it is sent again.
#[derive(Debug, Clone)]
struct Recorded {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
}

impl Replay {
    /// Reads every `*.json` file of `dir`, in file-name order (the recording's order).
    pub fn load(dir: &Path) -> Result<Self, ReplayError> {
        let shown = dir.display().to_string();
        let listing = |error| ReplayError::Directory {
            dir: shown.clone(),
            error,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(listing)? {
            let path = entry.map_err(listing)?.path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
            if files.len() > MAX_FIXTURES {
                return Err(ReplayError::TooMany { dir: shown });
            }
        }
        files.sort();
        let mut replay = Self::default();
        for path in files {
            let file = path.display().to_string();
            let malformed = |why: String| ReplayError::Malformed {
                file: file.clone(),
                why,
            };
            let text = read_bounded(&path).map_err(malformed)?;
            let fixture = Fixture::parse(&text).map_err(malformed)?;
            replay.add(&file, fixture);
        }
        Ok(replay)
    }

    /// Adds one fixture, noting how its answer differs from the documented shape.
    fn add(&mut self, file: &str, fixture: Fixture) {
        self.files += 1;
        let answer = &fixture.response;
        for difference in differences(&fixture) {
            self.differences.push(format!("{file}: {difference}"));
        }
        let mut headers = Vec::new();
        for (name, value) in &answer.headers {
            match RESPONSE_HEADERS.iter().find(|h| **h == name.as_str()) {
                Some(known) => headers.push((*known, value.clone())),
                None => self
                    .differences
                    .push(format!("{file}: header {name} is not replayed")),
            }
        }
        let recorded = Recorded {
            status: answer.status,
            headers,
            // Checked when parsed.
            body: Bytes::from(answer.body().bytes().unwrap_or_default()),
        };
        let call = fixture.call();
        match self.sequences.iter_mut().find(|s| s.call == call) {
            Some(sequence) => sequence.answers.push(recorded),
            None => self.sequences.push(Sequence {
                call,
                answers: vec![recorded],
                served: AtomicUsize::new(0),
            }),
        }
    }

    /// How recorded answers differ from the contract's documented shape, one line each,
    /// `FILE: /pointer: what`.
    pub fn differences(&self) -> &[String] {
        &self.differences
    }

    /// How many fixtures were loaded.
    pub fn len(&self) -> usize {
        self.files
    }

    /// Whether no fixture was loaded.
    pub fn is_empty(&self) -> bool {
        self.files == 0
    }

    /// The answers recorded for `req`'s call, if any were.
    fn sequence(&self, req: &MockRequest) -> Option<&Sequence> {
        let call = Call::of(req);
        self.sequences.iter().find(|s| s.call == call)
    }
}

impl Sequence {
    /// The next answer in the recorded order; once all were served, the last one again.
    fn next(&self) -> Recorded {
        let last = self.answers.len() - 1;
        let served = self
            .served
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some((n + 1).min(last))
            })
            .unwrap_or(last);
        self.answers[served.min(last)].clone()
    }
}

/// The fixture's bytes: a regular file of at most [`MAX_FIXTURE_BYTES`].
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".to_owned());
    }
    let mut text = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FIXTURE_BYTES + 1).read_to_end(&mut text))
        .map_err(|e| format!("cannot read it: {e}"))?;
    if text.len() as u64 > MAX_FIXTURE_BYTES {
        return Err(format!("over {} MiB", MAX_FIXTURE_BYTES >> 20));
    }
    Ok(text)
}

/// The contract's objections to an answer of OCP's enveloped API; the two routes OCP answers
/// without an envelope (`/api/v2/time`, `/api/v2/info`) and paths outside `/api/` are not
/// checked.
fn differences(fixture: &Fixture) -> Vec<String> {
    let path = fixture.request.path.as_str();
    if !path.starts_with("/api/") || path.ends_with("/time") || path.ends_with("/info") {
        return Vec::new();
    }
    let answer = &fixture.response;
    let Some(body) = answer.body().json() else {
        return vec!["the answer is not a JSON envelope".to_owned()];
    };
    let body: Value = body;
    Contract::global()
        .check_response(answer.status, &body, Expect::Any)
        .into_iter()
        .map(|v| v.to_string())
        .collect()
}
