//! The corpus's data format (`tests/data/hostile/*.json`, described in the README there) and
//! the verdict on what came back.

use std::path::PathBuf;

use ocp_mock::contract::{Contract, Expect};
use serde::Deserialize;
use serde_json::Value;

use super::wire::{Answer, CASE_TIMEOUT, End, Exchange, is_envelope};
use crate::support::ADMIN_BASIC;

/// One entry of a data file: a single request, or a family (`cases`) whose `send` holds `{v}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    send: String,
    expect: Option<Value>,
    code: Option<String>,
    target: Option<String>,
    #[serde(default)]
    stateful: bool,
    #[serde(default)]
    eof: bool,
    cases: Option<Vec<Variant>>,
}

/// One expansion of a family: the value put in place of `{v}` and what it must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Variant {
    v: String,
    expect: Value,
    name: Option<String>,
    code: Option<String>,
    target: Option<String>,
    stateful: Option<bool>,
}

/// What the mock must do with one answer slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// An OCP error (or success) envelope with exactly this status.
    Envelope(u16),
    /// Any 4xx envelope.
    ClientError,
    /// No envelope: the connection closes, at most after the HTTP layer's bare 4xx status.
    Closed,
    ClientErrorOrClosed,
    EnvelopeOrClosed(u16),
}

impl Want {
    fn may_close(self) -> bool {
        matches!(
            self,
            Want::Closed | Want::ClientErrorOrClosed | Want::EnvelopeOrClosed(_)
        )
    }
}

#[derive(Debug)]
pub struct Case {
    pub name: String,
    pub bytes: Vec<u8>,
    pub wants: Vec<Want>,
    pub code: Option<String>,
    pub target: Option<String>,
    /// Reset the mock before and after: the request changes state when it succeeds.
    pub stateful: bool,
    /// Close the sending side after the request, so an incomplete request meets end of input.
    pub eof: bool,
}

impl Case {
    /// A case written in code: a name and what its one answer must be.
    pub fn expecting(name: &str, want: Want) -> Self {
        Self {
            name: name.to_owned(),
            bytes: Vec::new(),
            wants: vec![want],
            code: None,
            target: None,
            stateful: false,
            eof: false,
        }
    }
}

fn parse_want(text: &str) -> Result<Vec<Want>, String> {
    let (one, times) = match text.split_once('*') {
        Some((one, times)) => (one, times.parse().map_err(|_| format!("bad count {text}"))?),
        None => (text, 1),
    };
    let want = match one {
        "4xx" => Want::ClientError,
        "closed" => Want::Closed,
        "4xx-or-closed" => Want::ClientErrorOrClosed,
        other => match other.strip_suffix("-or-closed") {
            Some(status) => Want::EnvelopeOrClosed(status.parse().map_err(|_| text.to_owned())?),
            None => Want::Envelope(other.parse().map_err(|_| format!("bad expect {text}"))?),
        },
    };
    Ok(vec![want; times])
}

fn parse_wants(expect: &Value) -> Result<Vec<Want>, String> {
    let one = |v: &Value| match v {
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .map(|n| vec![Want::Envelope(n)])
            .ok_or_else(|| format!("bad status {n}")),
        Value::String(s) => parse_want(s),
        other => Err(format!("bad expect {other}")),
    };
    let wants = match expect {
        Value::Array(items) => items.iter().map(one).collect::<Result<Vec<_>, _>>()?,
        single => vec![one(single)?],
    };
    let wants: Vec<Want> = wants.into_iter().flatten().collect();
    let closes_early = wants[..wants.len().saturating_sub(1)].contains(&Want::Closed);
    if wants.is_empty() || closes_early {
        return Err(format!("{expect}: `closed` may only come last"));
    }
    Ok(wants)
}

/// Expands `${std}`, `${anon}`, `${auth}`, `${date}`, `${x:HEX}`, `${rep:N:TEXT}` and
/// `${seq:FROM:TO:SEP}` into the bytes to send.
fn expand(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let after = &rest[at + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed ${{ in {text:?}"))?;
        let token = &after[..end];
        rest = &after[end + 1..];
        let (kind, arg) = token.split_once(':').unwrap_or((token, ""));
        match kind {
            "std" => {
                out.extend_from_slice(b"Host: mock\r\nConnection: close\r\n");
                out.extend_from_slice(format!("Authorization: {ADMIN_BASIC}\r\n").as_bytes());
            }
            "anon" => out.extend_from_slice(b"Host: mock\r\nConnection: close\r\n"),
            "auth" => out.extend_from_slice(format!("Authorization: {ADMIN_BASIC}\r\n").as_bytes()),
            "date" => out.extend_from_slice(
                httpdate::fmt_http_date(std::time::SystemTime::now()).as_bytes(),
            ),
            "x" => {
                let hex = arg.as_bytes();
                if hex.len() % 2 != 0 {
                    return Err(format!("odd hex {arg:?}"));
                }
                for pair in hex.chunks(2) {
                    let pair = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
                    out.push(u8::from_str_radix(pair, 16).map_err(|e| format!("{pair}: {e}"))?);
                }
            }
            "rep" => {
                let (n, what) = arg.split_once(':').ok_or("rep:N:TEXT")?;
                let n: usize = n.parse().map_err(|_| format!("rep count {n:?}"))?;
                out.extend_from_slice(what.repeat(n).as_bytes());
            }
            "seq" => {
                let mut parts = arg.splitn(3, ':');
                let mut bound = || -> Result<u64, String> {
                    let s = parts.next().unwrap_or_default();
                    s.parse().map_err(|_| format!("seq bound {s:?}"))
                };
                let (from, to) = (bound()?, bound()?);
                let sep = parts.next().unwrap_or_default();
                let items: Vec<String> = (from..=to).map(|n| n.to_string()).collect();
                out.extend_from_slice(items.join(sep).as_bytes());
            }
            other => return Err(format!("unknown placeholder ${{{other}}}")),
        }
    }
    out.extend_from_slice(rest.as_bytes());
    Ok(out)
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile")
}

/// Every case of every data file, in file order (files sorted by name).
pub fn load_corpus() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data/hostile exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut corpus = Vec::new();
    for file in files {
        let shown = file.file_name().unwrap_or_default().to_string_lossy();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let entries: Vec<Entry> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{shown}: {e}"));
        for entry in entries {
            let bad = |e: String| -> ! { panic!("{shown}: {}: {e}", entry.name) };
            match &entry.cases {
                None => corpus.push(Case {
                    name: format!("{shown}: {}", entry.name),
                    bytes: expand(&entry.send).unwrap_or_else(|e| bad(e)),
                    wants: parse_wants(entry.expect.as_ref().unwrap_or(&Value::Null))
                        .unwrap_or_else(|e| bad(e)),
                    code: entry.code.clone(),
                    target: entry.target.clone(),
                    stateful: entry.stateful,
                    eof: entry.eof,
                }),
                Some(variants) => {
                    if !entry.send.contains("{v}") || entry.expect.is_some() {
                        bad("a family's `send` holds {v}; each case has its own `expect`".into());
                    }
                    for variant in variants {
                        let label = variant.name.as_deref().unwrap_or(&variant.v);
                        corpus.push(Case {
                            name: format!("{shown}: {} {label:?}", entry.name),
                            bytes: expand(&entry.send.replace("{v}", &variant.v))
                                .unwrap_or_else(|e| bad(e)),
                            wants: parse_wants(&variant.expect).unwrap_or_else(|e| bad(e)),
                            code: variant.code.clone().or_else(|| entry.code.clone()),
                            target: variant.target.clone().or_else(|| entry.target.clone()),
                            stateful: variant.stateful.unwrap_or(entry.stateful),
                            eof: entry.eof,
                        });
                    }
                }
            }
        }
    }
    corpus
}

pub fn show(answer: &Answer) -> String {
    let body = String::from_utf8_lossy(&answer.body);
    let clipped: String = body.chars().take(300).collect();
    format!(
        "{} ({}) {clipped}",
        answer.status,
        answer.content_type.as_deref().unwrap_or("no content-type")
    )
}

/// Checks one envelope answer: status, JSON, the contract, and the case's code and target.
fn check_envelope(
    case: &Case,
    answer: &Answer,
    status_ok: &dyn Fn(u16) -> bool,
) -> Result<(), String> {
    if !status_ok(answer.status) || answer.status >= 500 {
        return Err(format!("wrong status: {}", show(answer)));
    }
    if !is_envelope(answer) {
        return Err(format!("not a JSON envelope: {}", show(answer)));
    }
    if case.bytes.starts_with(b"HEAD ") {
        return Ok(());
    }
    let body: Value = serde_json::from_slice(&answer.body)
        .map_err(|e| format!("body is not JSON ({e}): {}", show(answer)))?;
    let violations = Contract::global().check_response(answer.status, &body, Expect::Any);
    if !violations.is_empty() {
        return Err(format!(
            "contract violations {violations:?}: {}",
            show(answer)
        ));
    }
    if let Some(code) = &case.code
        && body["error"]["code"] != code.as_str()
    {
        return Err(format!("error.code is not {code}: {}", show(answer)));
    }
    if let Some(target) = &case.target
        && body["error"]["target"] != target.as_str()
    {
        return Err(format!("error.target is not {target:?}: {}", show(answer)));
    }
    Ok(())
}

/// The connection closed without an envelope: nothing, or one bare 4xx of the HTTP layer.
fn check_closed(rest: &[Answer], end: End) -> Result<(), String> {
    if let Some(extra) = rest
        .iter()
        .find(|a| is_envelope(a) || !(400..500).contains(&a.status))
    {
        return Err(format!("expected a closed connection, got {}", show(extra)));
    }
    if rest.len() > 1 {
        return Err(format!("{} bare answers before the close", rest.len()));
    }
    match end {
        End::Eof | End::Reset => Ok(()),
        End::TimedOut => Err(format!("the connection stayed open for {CASE_TIMEOUT:?}")),
        End::Answered => Err("the connection was not closed".into()),
    }
}

pub fn judge(case: &Case, ex: &Exchange) -> Result<(), String> {
    for (i, want) in case.wants.iter().enumerate() {
        let answer = ex.answers.get(i);
        let envelope = answer.filter(|a| is_envelope(a));
        let rest = ex.answers.get(i..).unwrap_or_default();
        let verdict = match (want, envelope) {
            (Want::Envelope(s) | Want::EnvelopeOrClosed(s), Some(a)) => {
                check_envelope(case, a, &|got| got == *s)
            }
            (Want::ClientError | Want::ClientErrorOrClosed, Some(a)) => {
                check_envelope(case, a, &|got| (400..500).contains(&got))
            }
            (Want::Closed, _) => check_closed(rest, ex.end),
            (w, None) if w.may_close() => check_closed(rest, ex.end),
            (_, None) => Err(match answer {
                Some(a) => format!("not a JSON envelope: {}", show(a)),
                None => format!("no answer (connection {:?})", ex.end),
            }),
        };
        verdict.map_err(|e| format!("answer {}: {e}", i + 1))?;
        if envelope.is_none() {
            return Ok(());
        }
    }
    match ex.answers.get(case.wants.len()) {
        Some(extra) => Err(format!("an answer too many: {}", show(extra))),
        None => Ok(()),
    }
}
