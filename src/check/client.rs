//! The checker's HTTP client: hyper's HTTP/1.1 client connection on a current-thread tokio
//! runtime of its own, behind a blocking `send` (the probes run one after another, so the async
//! code stays in this file). It expects a broken or hostile target: one deadline per exchange
//! (connect, TLS handshake, send and the whole answer), size limits on head and body, and
//! [`CheckError::Protocol`] rather than a panic for what is not HTTP. One connection per request
//! (`Connection: close`) keeps the state trivial.

use std::borrow::Cow;
use std::error::Error as _;
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONNECTION, HOST, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use http::uri::Scheme;
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Body;
use hyper::client::conn::http1::{Builder, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::runtime::{Handle, Runtime};
use tokio::time::Instant;

use super::CheckError;

/// The largest answer head (status line and headers) read.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The largest answer body read; OCP's largest documented answers are a few KiB.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Where the checker sends its requests: `http://` or `https://`, a host, a port and an optional
/// path prefix (a gateway that serves OCP under `/ocp`, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `https://`: the exchange runs over TLS.
    pub secure: bool,
    /// The host as written, without brackets for IPv6.
    pub host: String,
    /// The port given, or the scheme's default.
    pub port: u16,
    /// `""` or a prefix starting with `/` and without a trailing `/`.
    pub prefix: String,
}

impl Target {
    /// Parses `http[s]://HOST[:PORT][/PREFIX]`. A query, a fragment or credentials in the URL are
    /// refused: credentials have their own flags, so they never end up in a log line.
    pub fn parse(url: &str) -> Result<Self, CheckError> {
        let bad = |why: &str| CheckError::BadTarget {
            url: url.to_owned(),
            why: why.to_owned(),
        };
        let has_scheme = |scheme: &str| {
            url.get(..scheme.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
        };
        if !has_scheme("http://") && !has_scheme("https://") {
            return Err(bad("is not an http:// or https:// URL"));
        }
        if url.contains(['?', '#']) {
            return Err(bad("has a query or a fragment: a target URL has neither"));
        }
        let uri: Uri = url
            .parse()
            .map_err(|e| bad(&format!("is not a URL: {e}")))?;
        let secure = uri.scheme() == Some(&Scheme::HTTPS);
        let authority = uri.authority().ok_or_else(|| bad("names no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("holds credentials: put them in --user or --access-key"));
        }
        let host = authority.host();
        let default_port = if secure { 443 } else { 80 };
        let port = match authority.as_str()[host.len()..].strip_prefix(':') {
            None => default_port,
            Some(port) => port
                .parse::<u16>()
                .ok()
                .filter(|&port| port != 0)
                .ok_or_else(|| bad("has a port that is not 1 to 65535"))?,
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        if !valid_host {
            return Err(bad("has no valid host after the scheme"));
        }
        if !uri.path().chars().all(|c| c.is_ascii_graphic()) {
            return Err(bad(
                "has a path that is not visible ASCII (percent-encode the rest)",
            ));
        }
        Ok(Self {
            secure,
            host: host.to_owned(),
            port,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// `host:port`, IPv6 in brackets: what error messages name.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The `Host` header: the port only when it is not the scheme's default, as browsers and
    /// curl send it (an AK/SK signature covers this exact text).
    pub fn host_header(&self) -> String {
        let default = if self.secure { 443 } else { 80 };
        match (self.host.contains(':'), self.port == default) {
            (true, true) => format!("[{}]", self.host),
            (true, false) => format!("[{}]:{}", self.host, self.port),
            (false, true) => self.host.clone(),
            (false, false) => format!("{}:{}", self.host, self.port),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.secure { "https" } else { "http" };
        write!(f, "{scheme}://{}{}", self.host_header(), self.prefix)
    }
}

/// An answer, read whole.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    /// 100 to 599; anything else is refused as not HTTP.
    pub status: u16,
    /// As received; values may hold bytes that are not UTF-8.
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The first header of that name, lossily decoded: a hostile value is shown, not refused.
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        let value = self.headers.get(name)?;
        Some(String::from_utf8_lossy(value.as_bytes()))
    }
}

/// Sends requests to one [`Target`].
pub(crate) struct Client {
    target: Target,
    timeout: Duration,
    #[cfg(feature = "tls")]
    tls: Option<tokio_rustls::TlsConnector>,
    /// Always `Some` until the client drops, when it is shut down without blocking.
    runtime: Option<Runtime>,
}

impl Client {
    /// A client for `target`; every exchange must finish within `timeout`. An https target
    /// gets its TLS configuration here, so a bad `--ca-cert` stops the check before any request.
    pub fn new(
        target: Target,
        timeout: Duration,
        ca_cert: Option<&Path>,
        insecure: bool,
    ) -> Result<Self, CheckError> {
        #[cfg(feature = "tls")]
        let tls = match target.secure {
            true => Some(super::tls::connector(ca_cert, insecure)?),
            false => None,
        };
        #[cfg(not(feature = "tls"))]
        {
            let _ = (ca_cert, insecure);
            if target.secure {
                return Err(CheckError::TlsUnavailable {
                    target: target.to_string(),
                });
            }
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(CheckError::Runtime)?;
        Ok(Self {
            target,
            timeout,
            #[cfg(feature = "tls")]
            tls,
            runtime: Some(runtime),
        })
    }

    /// The target: the report's subject, and the `Host` and path prefix a signature covers.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Sends `method` on `path_and_query` (which starts with `/`, below the target's prefix)
    /// with the given extra headers and no body, and reads the whole answer.
    pub fn send(
        &self,
        method: Method,
        path_and_query: &str,
        headers: Vec<(HeaderName, String)>,
    ) -> Result<Answer, CheckError> {
        let request = self.request(method, path_and_query, headers, Bytes::new())?;
        self.block_on(self.exchange(request))
    }

    /// Runs `work` on the client's runtime. Inside another runtime (a `#[tokio::test]`, say)
    /// `block_on` on this thread would panic, so the work runs on a scoped thread instead.
    fn block_on<F>(&self, work: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let runtime = self
            .runtime
            .as_ref()
            .expect("the runtime is only taken when the client drops");
        if Handle::try_current().is_err() {
            return runtime.block_on(work);
        }
        std::thread::scope(
            |scope| match scope.spawn(|| runtime.block_on(work)).join() {
                Ok(output) => output,
                Err(panic) => std::panic::resume_unwind(panic),
            },
        )
    }

    /// The request below the target's prefix, for `send` or `exchange` on any runtime.
    pub(crate) fn request(
        &self,
        method: Method,
        path_and_query: &str,
        headers: Vec<(HeaderName, String)>,
        body: Bytes,
    ) -> Result<Request<Full<Bytes>>, CheckError> {
        let target = format!("{}{path_and_query}", self.target.prefix);
        let uri: Uri = target.parse().map_err(|e| CheckError::BadTarget {
            url: target.clone(),
            why: format!("is not a request target: {e}"),
        })?;
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        let version = concat!("ocp-mock-check/", env!("CARGO_PKG_VERSION"));
        let fixed = [
            (HOST, self.target.host_header()),
            (USER_AGENT, version.to_owned()),
            (CONNECTION, "close".to_owned()),
        ];
        for (name, value) in fixed.into_iter().chain(headers) {
            let value =
                HeaderValue::from_bytes(value.as_bytes()).map_err(|_| CheckError::BadHeader {
                    name: name.to_string(),
                })?;
            request.headers_mut().append(name, value);
        }
        Ok(request)
    }

    pub(crate) async fn exchange(&self, req: Request<Full<Bytes>>) -> Result<Answer, CheckError> {
        let deadline = Instant::now().checked_add(self.timeout);
        let authority = self.target.authority();
        let waiting = format!("connection to {authority}");
        let tcp = self.within(deadline, waiting, self.connect()).await?;
        if !self.target.secure {
            return self.http1(tcp, req, deadline).await;
        }
        #[cfg(feature = "tls")]
        if let Some(tls) = &self.tls {
            let waiting = format!("tls handshake with {authority}");
            let handshake = super::tls::handshake(tls, &self.target.host, &authority, tcp);
            let stream = self.within(deadline, waiting, handshake).await?;
            return self.http1(stream, req, deadline).await;
        }
        Err(CheckError::TlsUnavailable {
            target: self.target.to_string(),
        })
    }

    /// `work`, or [`CheckError::Timeout`] naming what did not come once the deadline passes.
    async fn within<T>(
        &self,
        deadline: Option<Instant>,
        waiting_for: String,
        work: impl Future<Output = Result<T, CheckError>>,
    ) -> Result<T, CheckError> {
        let Some(deadline) = deadline else {
            return work.await;
        };
        tokio::time::timeout_at(deadline, work)
            .await
            .map_err(|_| CheckError::Timeout {
                waiting_for,
                after: self.timeout,
            })?
    }

    async fn connect(&self) -> Result<TcpStream, CheckError> {
        let authority = self.target.authority();
        let addresses = tokio::net::lookup_host((self.target.host.as_str(), self.target.port))
            .await
            .map_err(|error| CheckError::Resolve {
                authority: authority.clone(),
                error,
            })?;
        let mut last = None;
        for address in addresses {
            match TcpStream::connect(address).await {
                Ok(tcp) => {
                    let _ = tcp.set_nodelay(true);
                    return Ok(tcp);
                }
                Err(error) => last = Some(error),
            }
        }
        let error = last.unwrap_or_else(|| std::io::Error::other("no address"));
        Err(CheckError::Connect { authority, error })
    }

    /// One HTTP/1.1 exchange over `io`; the connection's task ends with the exchange.
    async fn http1<S>(
        &self,
        io: S,
        request: Request<Full<Bytes>>,
        deadline: Option<Instant>,
    ) -> Result<Answer, CheckError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let handshake = async {
            Builder::new()
                .max_header_size(MAX_HEAD_BYTES)
                .title_case_headers(true)
                .handshake(TokioIo::new(io))
                .await
                .map_err(|e| self.hyper_error(&e))
        };
        let waiting = "complete answer".to_owned();
        let (mut sender, connection) = self.within(deadline, waiting.clone(), handshake).await?;
        let driver = tokio::spawn(connection);
        let answer = self
            .within(deadline, waiting, self.answer(&mut sender, request))
            .await;
        driver.abort();
        answer
    }

    async fn answer(
        &self,
        sender: &mut SendRequest<Full<Bytes>>,
        request: Request<Full<Bytes>>,
    ) -> Result<Answer, CheckError> {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| self.hyper_error(&e))?;
        let (head, body) = response.into_parts();
        let status = head.status.as_u16();
        if status > 599 {
            return Err(CheckError::Protocol(format!(
                "status {status} is not an HTTP status"
            )));
        }
        let announced = body.size_hint().lower();
        if announced > MAX_BODY_BYTES as u64 {
            return Err(too_large(announced));
        }
        let body = Limited::new(body, MAX_BODY_BYTES)
            .collect()
            .await
            .map_err(|e| self.body_error(e))?
            .to_bytes();
        Ok(Answer {
            status,
            headers: head.headers,
            body,
        })
    }

    /// An I/O failure under hyper is the connection's (the check stops); anything else is an
    /// answer the client cannot read (a violation of the probe).
    fn hyper_error(&self, error: &hyper::Error) -> CheckError {
        let mut why = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>()
                && io.kind() != std::io::ErrorKind::UnexpectedEof
            {
                return CheckError::Broken {
                    authority: self.target.authority(),
                    reason: io.to_string(),
                };
            }
            why = format!("{why}: {cause}");
            source = cause.source();
        }
        CheckError::Protocol(why)
    }

    fn body_error(&self, error: Box<dyn std::error::Error + Send + Sync>) -> CheckError {
        if error.is::<LengthLimitError>() {
            return too_large(MAX_BODY_BYTES as u64 + 1);
        }
        match error.downcast::<hyper::Error>() {
            Ok(error) => self.hyper_error(&error),
            Err(other) => CheckError::Protocol(other.to_string()),
        }
    }
}

impl Drop for Client {
    /// Dropping a runtime blocks, which panics inside another runtime: shut it down in the
    /// background instead (the only task left is an aborted connection).
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn too_large(length: u64) -> CheckError {
    CheckError::TooLarge {
        length,
        limit: MAX_BODY_BYTES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_keep_host_port_and_prefix() {
        let url = Target::parse("HTTPS://ocp.example.com/gateway/").unwrap();
        assert_eq!(
            (url.secure, url.host.as_str(), url.port, url.prefix.as_str()),
            (true, "ocp.example.com", 443, "/gateway")
        );
        assert_eq!(url.host_header(), "ocp.example.com");
        let url = Target::parse("http://[::1]:8080").unwrap();
        assert_eq!((url.host.as_str(), url.port), ("::1", 8080));
        assert_eq!(url.host_header(), "[::1]:8080");
        assert_eq!(url.authority(), "[::1]:8080");
        assert_eq!(url.to_string(), "http://[::1]:8080");
        let url = Target::parse("http://127.0.0.1:80").unwrap();
        assert_eq!(
            (url.to_string(), url.prefix.as_str()),
            ("http://127.0.0.1".into(), "")
        );
    }

    #[test]
    fn targets_refuse_what_they_cannot_mean() {
        for bad in [
            "ftp://x",
            "127.0.0.1:8080",
            "http://",
            "http:///path",
            "http://host:0",
            "http://host:99999",
            "http://host:x",
            "http://user:pw@host",
            "http://host/?q=1",
            "http://host/#top",
            "http://ho st",
            "http://ho!st",
            "http://host/a b",
            "http://host/é",
            "http://host/a\r\nX: y",
        ] {
            let error = Target::parse(bad).expect_err(bad);
            assert!(
                matches!(error, CheckError::BadTarget { .. }),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn a_header_that_would_forge_another_is_refused() {
        let target = Target::parse("http://127.0.0.1:9").unwrap();
        let client = Client::new(target, Duration::from_secs(1), None, false).unwrap();
        let headers = vec![(http::header::AUTHORIZATION, "a\r\nX-Forged: 1".to_owned())];
        let error = client.send(Method::GET, "/", headers).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the authorization header would hold a control character"
        );
    }
}
