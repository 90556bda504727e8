//! A small blocking HTTP/1.1 client, just enough to probe an OCP.
//!
//! The probes run one after another, so a blocking socket is all they need, and writing the
//! client here keeps the mock's dependency graph free of a second HTTP stack. It is written for a
//! target that may be broken or hostile: every exchange has one deadline (connect, send and
//! answer together), the head and the body have size limits, and anything that is not HTTP comes
//! back as [`Failure::Malformed`] rather than a panic. One connection per request
//! (`Connection: close`) keeps the state machine trivial.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

pub use super::url::BaseUrl;

/// The largest answer head (status line and headers) read.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The largest answer body read; OCP's largest documented answers are a few KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// An answer as read off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Names lowercased, in the order received; values lossily decoded.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The first header of that (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why an exchange gave no readable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing to judge: no connection, no TLS session, a timeout or a reset. The check cannot
    /// run (exit 2).
    Transport(String),
    /// The target answered, but not with HTTP this client can read (garbage, a truncated or
    /// oversized answer): that is the target's fault and is reported as a violation.
    Malformed(String),
}

/// Sends requests to one [`BaseUrl`].
pub struct Client {
    base: BaseUrl,
    timeout: Duration,
    #[cfg(feature = "tls")]
    tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

impl Client {
    /// A client for `base`; every exchange must finish within `timeout`.
    #[cfg(feature = "tls")]
    pub fn new(
        base: BaseUrl,
        timeout: Duration,
        tls: Option<std::sync::Arc<rustls::ClientConfig>>,
    ) -> Result<Self, String> {
        if base.secure && tls.is_none() {
            return Err("an https:// target needs a TLS configuration".into());
        }
        Ok(Self { base, timeout, tls })
    }

    /// A client for `base`; every exchange must finish within `timeout`.
    #[cfg(not(feature = "tls"))]
    pub fn new(base: BaseUrl, timeout: Duration) -> Result<Self, String> {
        if base.secure {
            return Err(format!(
                "{base}: this ocp-mock was built without the `tls` feature, so it cannot check an https:// target"
            ));
        }
        Ok(Self { base, timeout })
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// Sends `method` on `path_and_query` (which starts with `/`, below the base URL's prefix)
    /// with the given extra headers and no body, and reads the whole answer.
    pub fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
    ) -> Result<Answer, Failure> {
        // Timeouts are bounded by the argument parser, so this never overflows in practice.
        let deadline = Instant::now()
            .checked_add(self.timeout)
            .unwrap_or_else(Instant::now);
        let mut stream = self.connect(deadline)?;
        let mut request = format!(
            "{method} {}{path_and_query} HTTP/1.1\r\nHost: {}\r\nUser-Agent: ocp-mock-check/{}\r\nConnection: close\r\n",
            self.base.prefix,
            self.base.host_header(),
            env!("CARGO_PKG_VERSION"),
        );
        for (name, value) in headers {
            // A line break in a value (an access key id, say) would forge headers of its own.
            if value.contains(['\r', '\n']) {
                return Err(Failure::Transport(format!(
                    "the {name} header would hold a line break"
                )));
            }
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.set_deadline(deadline, true)?;
        stream
            .write_all(request.as_bytes())
            .and_then(|()| stream.flush())
            .map_err(|e| self.transport("cannot send the request to", &e))?;
        let mut reader = Reader {
            stream,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            deadline,
            timeout: self.timeout,
        };
        read_answer(&mut reader, method == "HEAD")
    }

    fn transport(&self, what: &str, e: &io::Error) -> Failure {
        Failure::Transport(format!("{what} {}: {e}", self.base.authority()))
    }

    fn connect(&self, deadline: Instant) -> Result<Stream, Failure> {
        let target = self.base.authority();
        let addresses = (self.base.host.as_str(), self.base.port)
            .to_socket_addrs()
            .map_err(|e| Failure::Transport(format!("cannot resolve {target}: {e}")))?;
        let mut last = None;
        let mut tcp = None;
        for address in addresses {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match TcpStream::connect_timeout(&address, left) {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let Some(tcp) = tcp else {
            let why = last.map_or_else(|| "no address".to_owned(), |e| e.to_string());
            return Err(Failure::Transport(format!(
                "cannot connect to {target}: {why}"
            )));
        };
        let _ = tcp.set_nodelay(true);
        if !self.base.secure {
            return Ok(Stream::Plain(tcp));
        }
        #[cfg(feature = "tls")]
        {
            let config = self.tls.clone().ok_or_else(|| {
                Failure::Transport("an https:// target needs a TLS configuration".into())
            })?;
            super::tls::handshake(config, &self.base.host, tcp, deadline)
                .map(|tls| Stream::Tls(Box::new(tls)))
                .map_err(|e| Failure::Transport(format!("tls with {target}: {e}")))
        }
        #[cfg(not(feature = "tls"))]
        Err(Failure::Transport(format!(
            "{target}: built without the `tls` feature"
        )))
    }
}

enum Stream {
    Plain(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(tcp) => tcp,
            #[cfg(feature = "tls")]
            Self::Tls(tls) => &tls.sock,
        }
    }

    /// Arms the socket so the next read or write gives up at `deadline`.
    fn set_deadline(&self, deadline: Instant, write: bool) -> Result<(), Failure> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Transport("no answer before the timeout".into()));
        }
        let set = if write {
            self.tcp().set_write_timeout(Some(left))
        } else {
            self.tcp().set_read_timeout(Some(left))
        };
        set.map_err(|e| Failure::Transport(format!("cannot arm the socket's timeout: {e}")))
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(tcp) => tcp.read(buf),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(tcp) => tcp.write(buf),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(tcp) => tcp.flush(),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.flush(),
        }
    }
}

/// Buffered reads under one deadline.
struct Reader {
    stream: Stream,
    buf: Vec<u8>,
    /// Bytes before `pos` have been consumed.
    pos: usize,
    eof: bool,
    deadline: Instant,
    timeout: Duration,
}

impl Reader {
    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Reads more bytes; false at the end of the stream.
    fn fill(&mut self) -> Result<bool, Failure> {
        if self.eof {
            return Ok(false);
        }
        // Drop what was consumed, so that a long stream of small lines cannot grow the buffer.
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.stream.set_deadline(self.deadline, false)?;
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A TLS peer that closes without close_notify: the answer ends there, as it
                // does for every client that reads to the end of the connection.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    self.eof = true;
                    return Ok(false);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(Failure::Transport(format!(
                        "no complete answer within {} ms",
                        self.timeout.as_millis()
                    )));
                }
                Err(e) => return Err(Failure::Transport(format!("reading the answer: {e}"))),
            }
        }
    }

    /// Consumes up to and including the next CRLF (or LF); None if the stream ends first.
    fn line(&mut self, limit: usize, what: &str) -> Result<Option<Vec<u8>>, Failure> {
        loop {
            if let Some(end) = self.available().iter().position(|&b| b == b'\n') {
                let mut line = self.available()[..end].to_vec();
                self.pos += end + 1;
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            if self.available().len() > limit {
                return Err(Failure::Malformed(format!(
                    "{what} longer than {limit} bytes"
                )));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Consumes exactly `n` bytes, or fails if the stream ends first.
    fn exact(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), Failure> {
        while self.available().len() < n {
            if !self.fill()? {
                return Err(Failure::Malformed(format!(
                    "the connection closed {} bytes into a {n}-byte body",
                    self.available().len()
                )));
            }
        }
        out.extend_from_slice(&self.available()[..n]);
        self.pos += n;
        Ok(())
    }
}

fn read_answer(reader: &mut Reader, head_only: bool) -> Result<Answer, Failure> {
    // Interim 1xx answers (100 Continue) come before the real one; a few at most.
    for _ in 0..8 {
        let (status, headers) = read_head(reader)?;
        if (100..200).contains(&status) {
            continue;
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let mut body = Vec::new();
        if head_only || status == 204 || status == 304 {
            // no body by definition
        } else if header("transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"))
        {
            read_chunked(reader, &mut body)?;
        } else if let Some(length) = header("content-length") {
            let length: usize = length.trim().parse().map_err(|_| {
                Failure::Malformed(format!("content-length {length:?} is not a number"))
            })?;
            if length > MAX_BODY_BYTES {
                return Err(too_big(length));
            }
            reader.exact(length, &mut body)?;
        } else {
            while reader.fill()? {
                if reader.available().len() > MAX_BODY_BYTES {
                    return Err(too_big(reader.available().len()));
                }
            }
            body.extend_from_slice(reader.available());
        }
        return Ok(Answer {
            status,
            headers,
            body,
        });
    }
    Err(Failure::Malformed(
        "more than 8 interim (1xx) answers".into(),
    ))
}

fn too_big(length: usize) -> Failure {
    Failure::Malformed(format!(
        "a body of {length} bytes or more, over the {MAX_BODY_BYTES}-byte limit"
    ))
}

type Head = (u16, Vec<(String, String)>);

fn read_head(reader: &mut Reader) -> Result<Head, Failure> {
    let Some(status_line) = reader.line(MAX_HEAD_BYTES, "the status line")? else {
        return Err(Failure::Malformed(if reader.buf.is_empty() {
            "the connection closed without an answer".into()
        } else {
            "the connection closed in the status line".into()
        }));
    };
    let status_line = String::from_utf8_lossy(&status_line).into_owned();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        let shown: String = status_line.chars().take(60).collect();
        return Err(Failure::Malformed(format!(
            "not an HTTP/1.x status line: {shown:?}"
        )));
    }
    let status = code
        .parse::<u16>()
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| Failure::Malformed(format!("status {code:?} is not an HTTP status")))?;
    let mut headers = Vec::new();
    let mut used = status_line.len() + 2;
    loop {
        let Some(line) = reader.line(MAX_HEAD_BYTES.saturating_sub(used), "the head")? else {
            return Err(Failure::Malformed(
                "the connection closed in the headers".into(),
            ));
        };
        used += line.len() + 2;
        if used > MAX_HEAD_BYTES {
            return Err(Failure::Malformed(format!(
                "a head longer than {MAX_HEAD_BYTES} bytes"
            )));
        }
        if line.is_empty() {
            return Ok((status, headers));
        }
        let line = String::from_utf8_lossy(&line);
        let Some((name, value)) = line.split_once(':') else {
            let shown: String = line.chars().take(60).collect();
            return Err(Failure::Malformed(format!(
                "a header line without a colon: {shown:?}"
            )));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
}

fn read_chunked(reader: &mut Reader, body: &mut Vec<u8>) -> Result<(), Failure> {
    loop {
        let Some(line) = reader.line(1024, "a chunk size line")? else {
            return Err(Failure::Malformed(
                "the connection closed in a chunked body".into(),
            ));
        };
        let line = String::from_utf8_lossy(&line);
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| {
            Failure::Malformed(format!("chunk size {size_text:?} is not hexadecimal"))
        })?;
        if size == 0 {
            // Trailers, if any, end with an empty line; a close right away is tolerated.
            let mut trailers = 0;
            while let Some(trailer) = reader.line(MAX_HEAD_BYTES, "a trailer")? {
                if trailer.is_empty() {
                    break;
                }
                trailers += trailer.len() + 2;
                if trailers > MAX_HEAD_BYTES {
                    return Err(Failure::Malformed(format!(
                        "trailers longer than {MAX_HEAD_BYTES} bytes"
                    )));
                }
            }
            return Ok(());
        }
        if body.len().saturating_add(size) > MAX_BODY_BYTES {
            return Err(too_big(body.len().saturating_add(size)));
        }
        reader.exact(size, body)?;
        match reader.line(2, "the end of a chunk")? {
            Some(end) if end.is_empty() => {}
            _ => return Err(Failure::Malformed("a chunk not followed by CRLF".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// Sends one GET to a listener that answers `raw` and closes.
    fn answer_to(raw: &'static [u8]) -> Result<Answer, Failure> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
                head.push(byte[0]);
            }
            let _ = stream.write_all(raw);
        });
        let base = BaseUrl::parse(&format!("http://{address}")).unwrap();
        #[cfg(feature = "tls")]
        let client = Client::new(base, Duration::from_secs(5), None).unwrap();
        #[cfg(not(feature = "tls"))]
        let client = Client::new(base, Duration::from_secs(5)).unwrap();
        let answer = client.send("GET", "/", &[]);
        server.join().unwrap();
        answer
    }

    #[test]
    fn chunked_bodies_are_joined_and_trailers_skipped() {
        let answer = answer_to(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nT: v\r\n\r\n",
        )
        .unwrap();
        assert_eq!(answer.body, br#"{"a":1}"#);
    }

    #[test]
    fn interim_answers_are_skipped_and_a_body_may_run_to_the_close() {
        let answer =
            answer_to(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 404 Not Found\r\nX-A: b\r\n\r\n{}")
                .unwrap();
        assert_eq!((answer.status, answer.header("x-a")), (404, Some("b")));
        assert_eq!(answer.body, b"{}");
    }

    #[test]
    fn what_is_not_http_is_malformed_not_a_panic() {
        let cases: [(&'static [u8], &str); 6] = [
            (b"", "closed without an answer"),
            (b"SSH-2.0-OpenSSH\r\n", "not an HTTP/1.x status line"),
            (b"HTTP/1.1 999 Odd\r\n\r\n", "is not an HTTP status"),
            (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "without a colon"),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "not hexadecimal",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
                "closed 2 bytes into a 10-byte body",
            ),
        ];
        for (raw, words) in cases {
            match answer_to(raw) {
                Err(Failure::Malformed(why)) => assert!(why.contains(words), "{why}"),
                other => panic!("{words}: {other:?}"),
            }
        }
    }
}
