//! `ocp-mock record`: a proxy in front of a real OCP that writes each exchange as a fixture
//! `ocp-mock serve --replay` answers again.
//!
//! Each call is forwarded to the target with the headers that shape OCP's answer; an AK/SK call
//! is signed again with the proxy's own key (the client's signature covers the proxy's `Host`,
//! not OCP's), a Basic one passes unchanged. The client gets OCP's status, the headers it reads
//! and the body; the exchange is written to the output directory as
//! `NNNN-METHOD-path-slug.json` (see `mock::replay::fixture`), credentials redacted.
//!
//! Bounded: request bodies past `max_body_bytes` are refused (413), answers past it are passed
//! on but not recorded, and past `max_exchanges` nothing more is recorded. A target that cannot
//! be reached is a 502 OCP error envelope, logged on stderr.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use ::http::header::{AUTHORIZATION, DATE, HeaderMap, HeaderName};
use bytes::Bytes;
use tokio::net::TcpListener;

use crate::check::CheckError;
use crate::check::client::{Client, Target};
use crate::mock::http::{self, Service};
use crate::mock::journal::redact_path;
use crate::mock::replay::fixture::{Fixture, RESPONSE_HEADERS};
use crate::mock::request::{MockRequest, MockResponse};
use crate::mock::settings::Limits;
use crate::ocp::envelope::{self, EnvelopeMeta};
use crate::ocp::error::{INJECTED_SERVER_ERROR, Language, OcpError};
use crate::ocp::signature::{self, SCHEME, SignedParts, Variant};
use crate::ocp::version::OcpVersion;

/// What `ocp-mock record` runs with.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// The real OCP, `http[s]://HOST[:PORT][/PREFIX]`.
    pub target: String,
    /// Where fixtures are written (created if missing).
    pub out: PathBuf,
    /// The proxy's own AK/SK pair, `(id, secret)`, for signing AK/SK calls again.
    pub access_key: Option<(String, String)>,
    /// The largest request body accepted and answer body recorded.
    pub max_body_bytes: usize,
    /// Exchanges recorded at most; later ones are forwarded but not written.
    pub max_exchanges: usize,
    /// Each exchange with the target must finish within this.
    pub timeout: Duration,
    /// Extra PEM certificates to trust for an https target.
    pub ca_cert: Option<PathBuf>,
    /// Skip the certificate check of an https target.
    pub insecure: bool,
    /// One line per exchange on stderr.
    pub log: bool,
}

impl RecordOptions {
    /// Defaults for recording `target` into `out`: 1 MiB bodies, 10000 exchanges, 30 s each.
    pub fn new(target: impl Into<String>, out: impl Into<PathBuf>) -> Self {
        Self {
            target: target.into(),
            out: out.into(),
            access_key: None,
            max_body_bytes: 1 << 20,
            max_exchanges: 10_000,
            timeout: Duration::from_secs(30),
            ca_cert: None,
            insecure: false,
            log: true,
        }
    }
}

/// Why the proxy cannot start.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The target URL or its TLS settings.
    #[error("--target: {0}")]
    Target(#[from] CheckError),
    /// The output directory cannot be created or read.
    #[error("--out: cannot use {dir}: {error}")]
    Out {
        /// The directory given.
        dir: String,
        /// Why.
        error: std::io::Error,
    },
    /// The listener failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Forwards calls and writes fixtures; shared by every connection.
pub(crate) struct Recorder {
    client: Client,
    options: RecordOptions,
    /// The next fixture's sequence number.
    next: AtomicUsize,
    /// This session's first sequence number.
    first: usize,
    /// Whether the exchange limit was already reported.
    full: AtomicBool,
}

/// A proxy ready to run: target parsed, TLS set up, output directory created.
pub struct Proxy(Arc<Recorder>);

impl Proxy {
    /// Checks the options before anything is bound: a bad target or an output directory that
    /// cannot be created is refused here.
    pub fn new(options: RecordOptions) -> Result<Self, RecordError> {
        Ok(Self(Arc::new(Recorder::new(options)?)))
    }

    /// Runs the proxy on a listener the caller bound until `shutdown` completes, then lets
    /// exchanges in flight finish (up to 10 s).
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        http::run(listener, self.0, shutdown).await
    }
}

/// Runs a proxy with `options` on a listener the caller bound until `shutdown` completes.
pub async fn record(
    listener: TcpListener,
    options: RecordOptions,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), RecordError> {
    Proxy::new(options)?.run(listener, shutdown).await?;
    Ok(())
}

impl Recorder {
    /// Checks the target and prepares the output directory; numbering continues after the
    /// fixtures already there, so a second session adds to the first.
    fn new(options: RecordOptions) -> Result<Self, RecordError> {
        let target = Target::parse(&options.target)?;
        let client = Client::new(
            target,
            options.timeout,
            options.ca_cert.as_deref(),
            options.insecure,
        )?;
        let out = |error| RecordError::Out {
            dir: options.out.display().to_string(),
            error,
        };
        std::fs::create_dir_all(&options.out).map_err(out)?;
        let mut next = 1;
        for entry in std::fs::read_dir(&options.out).map_err(out)? {
            let name = entry.map_err(out)?.file_name();
            let number = name
                .to_string_lossy()
                .split('-')
                .next()
                .map(str::parse::<usize>);
            if let Some(Ok(n)) = number {
                next = next.max(n.saturating_add(1));
            }
        }
        Ok(Self {
            client,
            options,
            next: AtomicUsize::new(next),
            first: next,
            full: AtomicBool::new(false),
        })
    }

    /// Forwards `req` and answers with the target's answer, recording the exchange.
    pub(crate) async fn forward(&self, req: &MockRequest) -> MockResponse {
        let path_and_query = match &req.query {
            Some(query) => format!("{}?{query}", req.path),
            None => req.path.clone(),
        };
        let headers = self.headers_for_target(req);
        let method = req.method.clone();
        let sent = match self
            .client
            .request(method, &path_and_query, headers, req.body.clone())
        {
            Ok(request) => self.client.exchange(request).await,
            Err(e) => Err(e),
        };
        let answer = match sent {
            Ok(answer) => answer,
            Err(e) => {
                let why = format!("the target {} cannot answer: {e}", self.client.target());
                self.log(req, &format!("502 ({why})"));
                return self.refuse(req, bad_gateway(why));
            }
        };
        let note = self.write(req, answer.status, &answer.headers, &answer.body);
        self.log(req, &format!("{} {note}", answer.status));
        let headers = RESPONSE_HEADERS
            .iter()
            .filter_map(|name| {
                let value = answer.headers.get(*name)?.to_str().ok()?;
                Some((*name, value.to_owned()))
            })
            .collect();
        MockResponse {
            status: answer.status,
            headers,
            body: answer.body,
            trace_id: String::new(),
            delay: None,
            drop_connection: false,
        }
    }

    /// The headers the target gets: those that shape an answer, and the credentials (signed
    /// again for an AK/SK call when the proxy has a key of its own).
    fn headers_for_target(&self, req: &MockRequest) -> Vec<(HeaderName, String)> {
        let mut out = Vec::new();
        for (name, value) in &req.headers {
            let n = name.as_str();
            let kept = matches!(n, "content-type" | "accept" | "accept-language" | "date")
                || n.starts_with("x-ocp-")
                || n == "authorization";
            if kept && let Ok(value) = value.to_str() {
                out.push((name.clone(), value.to_owned()));
            }
        }
        let signed = req
            .header("authorization")
            .is_some_and(|v| v.trim_start().starts_with(SCHEME));
        if let (true, Some((id, secret))) = (signed, &self.options.access_key) {
            out.retain(|(n, _)| *n != AUTHORIZATION && *n != DATE);
            out.extend(self.sign(req, id, secret));
        }
        out
    }

    /// `Date` and `Authorization` for `req` as the target will receive it.
    fn sign(&self, req: &MockRequest, id: &str, secret: &str) -> [(HeaderName, String); 2] {
        let date = httpdate::fmt_http_date(SystemTime::now());
        let target = self.client.target();
        let path = format!("{}{}", target.prefix, req.path);
        let host = target.host_header();
        let ocp_headers = req
            .headers
            .iter()
            .filter(|(n, _)| n.as_str().starts_with("x-ocp-"))
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?)))
            .collect();
        let parts = SignedParts {
            method: req.method.as_str(),
            body: &req.body,
            content_type: req.header("content-type").unwrap_or_default(),
            date: &date,
            host: &host,
            ocp_headers,
            path: &path,
            query: req.query.as_deref(),
        };
        let signature = signature::sign(secret, &signature::string_to_sign(&parts, Variant::PLAIN));
        [
            (DATE, date),
            (AUTHORIZATION, format!("{SCHEME} {id}:{signature}")),
        ]
    }

    /// Writes the exchange as the next fixture; says what became of it, for the log.
    fn write(&self, req: &MockRequest, status: u16, headers: &HeaderMap, body: &Bytes) -> String {
        let limit = self.options.max_body_bytes;
        if body.len() > limit {
            return format!("not recorded: the answer is over {limit} bytes");
        }
        let sequence = self.next.fetch_add(1, Ordering::Relaxed);
        if sequence - self.first >= self.options.max_exchanges {
            if !self.full.swap(true, Ordering::Relaxed) {
                return format!(
                    "not recorded: {} exchanges were (--max-exchanges); later ones are not either",
                    self.options.max_exchanges
                );
            }
            return "not recorded".to_owned();
        }
        let fixture = Fixture::of(req, status, headers, body);
        let name = fixture.file_name(sequence);
        let path = self.options.out.join(&name);
        let partial = self.options.out.join(format!(".{name}.partial"));
        match std::fs::write(&partial, fixture.to_json())
            .and_then(|()| std::fs::rename(&partial, &path))
        {
            Ok(()) => format!("recorded as {name}"),
            Err(e) => format!("not recorded: cannot write {}: {e}", path.display()),
        }
    }

    /// An answer of the proxy itself: an OCP error envelope, in the caller's language.
    pub(crate) fn refuse(&self, req: &MockRequest, err: OcpError) -> MockResponse {
        let lang = Language::from_accept_language(req.header("accept-language"));
        let meta = EnvelopeMeta {
            timestamp_ms: crate::mock::sim::clock::system_now_ms(),
            duration_ms: 0,
            trace_id: "",
            server: "ocp-mock-record",
        };
        let body = envelope::error(&err, lang, OcpVersion::default(), None, meta);
        MockResponse {
            status: err.status(),
            headers: vec![("content-type", "application/json".to_owned())],
            body: Bytes::from(body.to_string()),
            trace_id: String::new(),
            delay: None,
            drop_connection: false,
        }
    }

    fn log(&self, req: &MockRequest, what: &str) {
        if self.options.log {
            let path = redact_path(&req.path);
            eprintln!("ocp-mock record: {} {path} {what}", req.method);
        }
    }
}

/// The proxy is served by the mock's HTTP adapter: its bounds, with the proxy's body limit and
/// the time an exchange may take, since its answers wait on the network.
impl Service for Recorder {
    fn limits(&self) -> Limits {
        Limits {
            max_body_bytes: self.options.max_body_bytes,
            header_read_timeout: EXCHANGE_TIMEOUT,
            idle_timeout: EXCHANGE_TIMEOUT,
            shutdown_timeout: DRAIN_TIMEOUT,
            ..Limits::default()
        }
    }

    fn reject(&self, request: &MockRequest, error: OcpError) -> MockResponse {
        self.refuse(request, error)
    }

    fn answer(
        self: &Arc<Self>,
        request: &MockRequest,
    ) -> impl std::future::Future<Output = MockResponse> + Send {
        self.forward(request)
    }
}

/// Time to send a request head, or its body, and for a connection to wait for its next one.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// After shutdown, time left to exchanges in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// A target that cannot be reached or answers no HTTP: 502, in OCP's envelope.
fn bad_gateway(why: String) -> OcpError {
    OcpError {
        status_override: Some(502),
        ..OcpError::new(&INJECTED_SERVER_ERROR, vec![why, "HTTP 502".to_owned()])
    }
}
