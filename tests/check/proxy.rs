//! A test double for drift: a proxy on 127.0.0.1 that forwards every call to a mock and
//! changes what a test asks of some answers (a field's type, a stall), so `check --all-reads`
//! meets a target that drifted in exactly one known way.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

use super::canned::{Listener, read_head};

/// What the proxy does to the answer of one path (without its query).
pub enum Change {
    /// Forward it unchanged.
    Keep,
    /// Edit its JSON body.
    Edit(fn(&mut Value)),
    /// Answer nothing for this long, then close.
    Stall(Duration),
}

/// The proxy, running on a thread; stops when dropped.
pub struct Proxy(Listener);

impl Proxy {
    /// Forwards to `upstream`, changing each answer as `change` says for its path.
    pub fn start(upstream: SocketAddr, change: fn(&str) -> Change) -> Self {
        // One thread per call: a stalled answer must not hold the others back.
        Self(Listener::spawn(move |client| {
            std::thread::spawn(move || serve(client, upstream, change));
        }))
    }

    pub fn uri(&self) -> String {
        format!("http://{}", self.0.address())
    }
}

/// One call: its head read (the checker sends GETs, with no body), sent on with
/// `Connection: close`, and the answer changed and sent back the same way.
fn serve(mut client: TcpStream, upstream: SocketAddr, change: fn(&str) -> Change) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(head) = read_head(&mut client).and_then(|h| String::from_utf8(h).ok()) else {
        return;
    };
    let path = head
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let edit = match change(&path) {
        Change::Stall(how_long) => {
            std::thread::sleep(how_long);
            return;
        }
        Change::Edit(edit) => Some(edit),
        Change::Keep => None,
    };
    let forwarded: String = head
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    let Ok(mut mock) = TcpStream::connect(upstream) else {
        return;
    };
    let _ = mock.write_all(format!("{forwarded}Connection: close\r\n\r\n").as_bytes());
    let mut answer = Vec::new();
    let _ = mock.read_to_end(&mut answer);
    let answer = match edit {
        Some(edit) => edited(&answer, edit),
        None => answer,
    };
    let _ = client.write_all(&answer);
}

/// The answer with its JSON body edited and its `Content-Length` set to match.
fn edited(answer: &[u8], edit: fn(&mut Value)) -> Vec<u8> {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("the mock answers with a head");
    let head = String::from_utf8_lossy(&answer[..split]);
    let mut body: Value = serde_json::from_slice(&answer[split + 4..]).expect("a JSON answer");
    edit(&mut body);
    let body = body.to_string();
    let mut out: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("content-length:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    out.into_bytes()
}
