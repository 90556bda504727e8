//! The HTTP adapter: the only place that knows hyper.
//!
//! [`run`] accepts connections on a listener the caller binds, collects each request once into a
//! [`MockRequest`], hands it to a [`Service`] (the mock's [`App`], or the recording proxy of
//! `record`) and writes its answer back. It enforces the
//! [`Limits`]: target, header and body sizes (414, 431, 413 envelopes), the time to send a
//! request head (which also bounds an idle keep-alive connection), and connections at once (503). When the caller's
//! shutdown future completes it stops accepting (new connections are refused), lets in-flight
//! requests finish for up to `shutdown_timeout`, and returns.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::http::{HeaderName, HeaderValue, Response, StatusCode, header};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::mock::app::{App, Handled};
use crate::mock::request::{MockRequest, MockResponse, RATE_LIMIT_HEADERS};
use crate::mock::settings::Limits;
use crate::mock::{journal, log};
use crate::ocp::error::{INVALID_REQUEST, OcpError};

/// What the adapter serves: the mock's [`App`], or the recording proxy.
pub(crate) trait Service: Send + Sync + 'static {
    /// The bounds the adapter holds every connection and request to.
    fn limits(&self) -> Limits;

    /// The adapter's own answer: a limit passed, a head or body that cannot be read.
    fn reject(&self, request: &MockRequest, error: OcpError) -> MockResponse;

    /// The answer to a request read whole.
    fn answer(self: &Arc<Self>, request: &MockRequest)
    -> impl Future<Output = MockResponse> + Send;

    /// After each answer, before it is written (the request log): nothing by default.
    fn answered(&self, _request: &MockRequest, _response: &MockResponse, _started: Instant) {}

    /// Once the server has drained: nothing by default.
    fn stopped(self: &Arc<Self>) -> impl Future<Output = ()> + Send {
        async {}
    }
}

impl Service for App {
    fn limits(&self) -> Limits {
        self.settings.limits
    }

    fn reject(&self, request: &MockRequest, error: OcpError) -> MockResponse {
        App::reject(self, request, error)
    }

    fn answer(
        self: &Arc<Self>,
        request: &MockRequest,
    ) -> impl Future<Output = MockResponse> + Send {
        handle(self, request)
    }

    fn answered(&self, request: &MockRequest, response: &MockResponse, started: Instant) {
        if self.settings.log_requests {
            log::request(
                self.settings.log_format,
                request.method.as_str(),
                &journal::redact_path(&request.path),
                response.status,
                started.elapsed().as_secs_f64() * 1000.0,
                &response.trace_id,
            );
        }
    }

    async fn stopped(self: &Arc<Self>) {
        if self.settings.log_requests {
            // Off the runtime's threads: the wait is bounded, but it is a blocking one.
            let _ = tokio::task::spawn_blocking(|| log::flush(LOG_FLUSH_TIMEOUT)).await;
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains open connections.
pub(crate) async fn run<S: Service>(
    listener: TcpListener,
    app: Arc<S>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = app.limits();
    let (stop_tx, stop_rx) = watch::channel(false);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                // Out of file descriptors or a reset before accept: keep serving the others,
                // pausing so that a persistent error does not spin the accept loop.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            connections.spawn(refuse_busy(app, stream));
            continue;
        };
        let stop_rx = stop_rx.clone();
        connections.spawn(async move {
            serve_connection(app, stream, stop_rx).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_timeout, drained)
        .await
        .is_err()
    {
        connections.abort_all();
    }
    app.stopped().await;
    Ok(())
}

/// How long a shutdown waits for the request log to reach stderr.
const LOG_FLUSH_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// One connection past `max_connections`: a 503 envelope, then close.
async fn refuse_busy<S: Service>(app: Arc<S>, mut stream: TcpStream) {
    let limit = app.limits().max_connections;
    let req = MockRequest::new(http::Method::GET, "/");
    let response = app.reject(&req, OcpError::too_many_connections(limit));
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        response.body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&response.body).await;
    let _ = stream.shutdown().await;
}

/// Serves one connection until the client closes it, a timeout closes it, or the server stops.
///
/// hyper's head timer runs from the connection's start and from the end of each answer, so it
/// also closes a keep-alive connection that waits too long for its next request: the idle
/// timeout is that timer when it is the shorter of the two.
///
/// When the server stops, a request already in the service is answered with
/// `Connection: close` (so a client that pipelined more sees that they were not read), and a
/// connection between requests closes at once. One whose first head is still arriving gets a
/// short grace to finish it: hyper would wait for the rest until the head timeout.
async fn serve_connection<S: Service>(
    app: Arc<S>,
    stream: TcpStream,
    mut stop_rx: watch::Receiver<bool>,
) {
    let limits = app.limits();
    let head_timeout = limits.header_read_timeout.min(limits.idle_timeout);
    let started = Arc::new(AtomicUsize::new(0));
    let counter = started.clone();
    let service = service_fn(move |req| {
        counter.fetch_add(1, Ordering::Relaxed);
        serve(app.clone(), req)
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(head_timeout)
        .max_header_size(head_buffer(&limits))
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = async { let _ = stop_rx.wait_for(|stop| *stop).await; } => {
            conn.as_mut().graceful_shutdown();
            // A head that completes within the grace is served; one still arriving is not.
            let grace = HALF_HEAD_GRACE.min(limits.shutdown_timeout);
            let grace = tokio::time::timeout(grace, conn.as_mut()).await;
            if grace.is_err() && started.load(Ordering::Relaxed) > 0 {
                let _ = conn.await;
            }
        }
    }
}

/// How long a stopping server waits for a connection's first head to complete (at most its
/// shutdown timeout): a client in the middle of sending is answered, a head that never ends
/// holds the exit no longer.
const HALF_HEAD_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// The most bytes one connection may buffer for a request head, finished or not: enough for a
/// head at the target and header limits (which then gets the mock's 414 or 431 envelope), and at
/// least 72 KiB (a target past 64 KiB cannot be parsed anyway, and still gets its 414); past it
/// the HTTP layer answers a bare 431 and closes, so a thousand half-sent heads hold megabytes,
/// not gigabytes.
fn head_buffer(limits: &Limits) -> usize {
    const LINE_AND_FRAMING: usize = 1024;
    (limits.max_uri_bytes)
        .saturating_add(limits.max_header_bytes)
        .saturating_add(LINE_AND_FRAMING)
        .max(72 * 1024)
}

/// Answers costly to write (large pages) being written: one at a time.
static LARGE_ANSWERS: Semaphore = Semaphore::const_new(1);

/// The `drop` scenario: the service fails, so hyper closes the connection without an answer.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a scenario")]
struct Dropped;

/// The size checks that need only the request head.
fn check_head(parts: &hyper::http::request::Parts, limits: &Limits) -> Result<(), OcpError> {
    let target = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > limits.max_uri_bytes {
        return Err(OcpError::uri_too_long(limits.max_uri_bytes));
    }
    let header_bytes: usize = parts
        .headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len())
        .sum();
    if header_bytes > limits.max_header_bytes {
        return Err(OcpError::headers_too_large(limits.max_header_bytes));
    }
    // A body announced past the limit is refused before a byte of it is read.
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return Err(OcpError::payload_too_large(limits.max_body_bytes));
    }
    Ok(())
}

/// RFC 9112 §3.2: an HTTP/1.1 request carries exactly one `Host`; without one, or with two, it
/// is a 400. HTTP/1.0 predates the rule and may leave it out.
fn check_host(parts: &hyper::http::request::Parts) -> Result<(), OcpError> {
    if parts.version < hyper::Version::HTTP_11 {
        return Ok(());
    }
    let why = match parts.headers.get_all(header::HOST).iter().count() {
        1 => return Ok(()),
        0 => "an HTTP/1.1 request must carry a Host header",
        _ => "an HTTP/1.1 request must carry one Host header, not several",
    };
    Err(OcpError::new(&INVALID_REQUEST, vec![why.to_owned()]))
}

async fn serve<S: Service>(
    app: Arc<S>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let started = Instant::now();
    let limits = app.limits();
    let (parts, body) = req.into_parts();
    let head_check = check_head(&parts, &limits).and_then(|()| check_host(&parts));
    let mut request = MockRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body: Bytes::new(),
    };
    let response = match head_check {
        Err(e) => app.reject(&request, e),
        // Most calls have no body: no need to wait for one.
        Ok(()) if body.is_end_stream() => app.answer(&request).await,
        Ok(()) => {
            let collect = Limited::new(body, limits.max_body_bytes).collect();
            match tokio::time::timeout(limits.header_read_timeout, collect).await {
                Ok(Ok(collected)) => {
                    request.body = collected.to_bytes();
                    app.answer(&request).await
                }
                Ok(Err(e)) if e.is::<LengthLimitError>() => {
                    app.reject(&request, OcpError::payload_too_large(limits.max_body_bytes))
                }
                // A body that ends early or breaks its chunked framing.
                Ok(Err(e)) => app.reject(&request, OcpError::unreadable_body(&e.to_string())),
                Err(_) => app.reject(&request, OcpError::body_timeout(limits.header_read_timeout)),
            }
        }
    };
    app.answered(&request, &response, started);
    if let Some(delay) = response.delay {
        // A latency scenario never holds a connection slot past the idle timeout that frees
        // slots: a longer latency is cut to it (raise --idle-timeout-ms for longer ones).
        tokio::time::sleep(delay.min(limits.idle_timeout)).await;
    }
    if response.drop_connection {
        return Err(Dropped);
    }
    Ok(into_hyper(response))
}

/// The app's answer. A large page is written on a blocking thread, so the threads that serve
/// connections stay free for other requests (a 404 is not queued behind ten large pages), and
/// one at a time, so that a burst of them leaves the other cores to everything else.
async fn handle(app: &Arc<App>, request: &MockRequest) -> MockResponse {
    match app.handle_until_written(request) {
        Handled::Answered(response) => response,
        Handled::ToWrite(pending) => {
            let writer = app.clone();
            let _turn = LARGE_ANSWERS.acquire().await;
            match tokio::task::spawn_blocking(move || writer.write(pending)).await {
                Ok(response) => response,
                // Only a panic, which no request can reach, fails the write.
                Err(_) => app.reject(request, OcpError::injected(500)),
            }
        }
    }
}

/// The names of the headers the mock adds to its answers, parsed once: `ratelimit-*` are not
/// among http's standard names, and a name parsed per answer is copied into a buffer of its own.
static ADDED_HEADERS: [HeaderName; 5] = [
    HeaderName::from_static(RATE_LIMIT_HEADERS[0]),
    HeaderName::from_static(RATE_LIMIT_HEADERS[1]),
    HeaderName::from_static(RATE_LIMIT_HEADERS[2]),
    header::ALLOW,
    header::CONTENT_TYPE,
];

fn into_hyper(response: MockResponse) -> Response<Full<Bytes>> {
    let mut out = Response::new(Full::new(response.body));
    *out.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in response.headers {
        let name = match ADDED_HEADERS.iter().find(|known| known.as_str() == name) {
            Some(known) => known.clone(),
            None => match HeaderName::from_bytes(name.as_bytes()) {
                Ok(parsed) => parsed,
                Err(_) => continue,
            },
        };
        // The value's own buffer, checked as `from_str` checks it, not copied.
        if let Ok(value) = HeaderValue::from_maybe_shared(Bytes::from(value)) {
            headers.insert(name, value);
        }
    }
    out
}
