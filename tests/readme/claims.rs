//! What a command's comment claims, in the README's small vocabulary, and how each is judged.
//!
//! - a leading HTTP status (`404`); a `curl` whose comment names none must answer 200;
//! - an error id (`ODP21001`): `error.code`;
//! - `task N`, `host N`: the answer is that item (`data.id`) or lists it (`data.contents`);
//! - a task status (`RUNNING`, `FAILED`, ...): `data.status`;
//! - `server N: STATUS / OPERATE_STATUS`, `server N is gone`: the cluster's `obproxies`;
//! - `no data`: the envelope has no `data`;
//! - `as JSON: FILE`: the body equals FILE's JSON, value for value;
//! - `prints WORD`, or a JSON text (`{...}`, possibly on the comment line under the command):
//!   the command's output, byte for byte;
//! - `Header-Name: value` (with `curl -i`): that header;
//! - `in Chinese`: `error.message` is written in Chinese.

use serde_json::Value;

/// One claim, as the test judges it.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    Status(u16),
    Code(String),
    Item(i64),
    TaskStatus(String),
    Server(i64, String, String),
    ServerGone(i64),
    NoData,
    SameJson(String),
    Output(String),
    Header(String, String),
    Chinese,
}

const TASK_STATES: [&str; 5] = ["RUNNING", "SUCCESSFUL", "FAILED", "READY", "PENDING"];

/// The claims of a comment; `curl` says whether the command calls the mock with curl.
pub fn parse(comment: &str, curl: bool) -> Vec<Claim> {
    let mut out = Vec::new();
    let (mut text, output) = match comment.find('{') {
        Some(at) => (comment[..at].to_owned(), Some(comment[at..].to_owned())),
        None => (comment.to_owned(), None),
    };
    if let Some(word) = text.split_once("prints ").map(|(_, w)| w) {
        let word = word.split_whitespace().next().unwrap_or_default();
        out.push(Claim::Output(word.to_owned()));
    }
    out.extend(output.map(Claim::Output));
    if let Some(file) = text.split_once("as JSON: ").map(|(_, f)| f) {
        let file = file.split_whitespace().next().unwrap_or_default();
        out.push(Claim::SameJson(
            file.trim_end_matches(['.', ',']).to_owned(),
        ));
    }
    match text.get(..3).and_then(|s| s.parse().ok()) {
        Some(status) if text.len() == 3 || !text.as_bytes()[3].is_ascii_digit() => {
            out.push(Claim::Status(status))
        }
        _ if curl => out.push(Claim::Status(200)),
        _ => {}
    }
    servers(&mut text, &mut out);
    words(&text, &mut out);
    out
}

/// `server N: A / B` and `server N is gone`, taken out of `text` so their statuses are not read
/// as the task's.
fn servers(text: &mut String, out: &mut Vec<Claim>) {
    while let Some(at) = text.find("server ") {
        let rest = &text[at + "server ".len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[digits.len()..];
        let Ok(id) = digits.parse() else {
            text.replace_range(at..at + "server ".len(), "");
            continue;
        };
        let mut end = at + "server ".len() + digits.len();
        if let Some(states) = after.strip_prefix(": ") {
            let words: Vec<&str> = states.split_whitespace().take(3).collect();
            if let [status, "/", operate] = words[..] {
                let operate = operate.trim_end_matches([',', ';', '.']);
                out.push(Claim::Server(id, status.to_owned(), operate.to_owned()));
                end += states.find(operate).expect("found above") + operate.len() + 2;
            }
        } else if after.starts_with(" is gone") {
            out.push(Claim::ServerGone(id));
            end += " is gone".len();
        }
        text.replace_range(at..end, "");
    }
}

/// Error ids, `task N`, `host N`, the first task status, headers and `in Chinese`.
fn words(text: &str, out: &mut Vec<Claim>) {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",;.()".contains(c)))
        .collect();
    let mut state = None;
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or_default();
        if is_error_id(word.trim_end_matches(':')) {
            out.push(Claim::Code(word.trim_end_matches(':').to_owned()));
        } else if matches!(*word, "task" | "host") {
            if let Ok(id) = next.parse() {
                out.push(Claim::Item(id));
            }
        } else if TASK_STATES.contains(word) && state.is_none() {
            state = Some(Claim::TaskStatus((*word).to_owned()));
        } else if let Some(name) = word.strip_suffix(':').filter(|n| is_header_name(n)) {
            out.push(Claim::Header(name.to_owned(), next.to_owned()));
        }
    }
    out.extend(state);
    if text.contains("no data") {
        out.push(Claim::NoData);
    }
    if text.contains("in Chinese") {
        out.push(Claim::Chinese);
    }
}

fn is_error_id(word: &str) -> bool {
    word.len() == 8
        && word[..3].bytes().all(|b| b.is_ascii_uppercase())
        && word[3..].bytes().all(|b| b.is_ascii_digit())
}

/// `Allow`, `Content-Type`: a capital, then letters and hyphens.
fn is_header_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_uppercase())
        && word.len() > 1
        && word.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        && word.chars().skip(1).any(|c| c.is_ascii_lowercase())
}

/// What a command gave: its output, and with curl the last status and (with `-i`) head.
pub struct Outcome<'a> {
    pub output: &'a str,
    pub status: Option<u16>,
    pub head: &'a str,
    pub body: &'a str,
}

/// Judges one claim; `Err` says what was found instead.
pub fn judge(claim: &Claim, got: &Outcome<'_>, root: &std::path::Path) -> Result<(), String> {
    if let Claim::Status(want) = claim {
        return match got.status {
            Some(status) if status == *want => Ok(()),
            other => Err(format!("status {other:?}")),
        };
    }
    if let Claim::Output(want) = claim {
        return expect(got.output.trim_end_matches('\n') == want, || {
            got.output.to_owned()
        });
    }
    if let Claim::Header(name, value) = claim {
        let found = got.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        });
        return expect(found.as_deref() == Some(value.as_str()), || {
            format!("{found:?}")
        });
    }
    let body: Value = serde_json::from_str(got.body).map_err(|e| format!("not JSON ({e})"))?;
    judge_json(claim, &body, root)
}

fn judge_json(claim: &Claim, body: &Value, root: &std::path::Path) -> Result<(), String> {
    let data = &body["data"];
    let server = |id: i64| {
        data["obproxies"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["id"] == id))
    };
    let ok = match claim {
        Claim::Code(id) => body["error"]["code"] == id.as_str(),
        Claim::Item(id) => {
            data["id"] == *id
                || data["contents"]
                    .as_array()
                    .is_some_and(|all| all.iter().any(|item| item["id"] == *id))
        }
        Claim::TaskStatus(status) => data["status"] == status.as_str(),
        Claim::Server(id, status, operate) => server(*id).is_some_and(|s| {
            s["status"] == status.as_str() && s["operateStatus"] == operate.as_str()
        }),
        Claim::ServerGone(id) => data["obproxies"].is_array() && server(*id).is_none(),
        Claim::NoData => body.get("data").is_none(),
        Claim::SameJson(file) => {
            let text =
                std::fs::read_to_string(root.join(file)).map_err(|e| format!("{file}: {e}"))?;
            let want: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
            *body == want
        }
        Claim::Chinese => body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
        Claim::Status(_) | Claim::Output(_) | Claim::Header(..) => unreachable!("judged above"),
    };
    expect(ok, || shorten(&body.to_string()))
}

fn expect(ok: bool, found: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(shorten(&found())) }
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(600) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

#[test]
fn a_comment_reads_as_its_claims() {
    use Claim::*;
    assert_eq!(
        parse("404 ODP21002", true),
        [Status(404), Code("ODP21002".into())]
    );
    assert_eq!(
        parse("409 ODP21016: busy", true),
        [Status(409), Code("ODP21016".into())]
    );
    assert_eq!(
        parse("task 33149, RUNNING", true),
        [Status(200), Item(33149), TaskStatus("RUNNING".into())]
    );
    assert_eq!(
        parse("server 2: DELETING / OPERATING", true),
        [
            Status(200),
            Server(2, "DELETING".into(), "OPERATING".into())
        ]
    );
    assert_eq!(
        parse("server 2 is gone", true),
        [Status(200), ServerGone(2)]
    );
    assert_eq!(
        parse("405, Allow: DELETE", true),
        [Status(405), Header("Allow".into(), "DELETE".into())]
    );
    assert_eq!(
        parse("prints 0001-x.json", false),
        [Output("0001-x.json".into())]
    );
    assert_eq!(
        parse("{\"a\": 1}", true),
        [Output("{\"a\": 1}".into()), Status(200)]
    );
    assert_eq!(
        parse("polls: SUCCESSFUL at the 4th", true),
        [Status(200), TaskStatus("SUCCESSFUL".into())]
    );
    assert_eq!(
        parse("200, no data: the host is gone", true),
        [Status(200), NoData]
    );
    assert_eq!(parse("just prose", false), []);
}
