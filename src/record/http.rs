//! The proxy's HTTP adapter, the one file of `record` that knows hyper: the accept loop,
//! reading each request once (its body bounded) into a [`MockRequest`], and graceful shutdown.
//! Forwarding goes through the checker's client (`check::client`), which is hyper's too.
//!
//! It is kept apart from the mock's adapter (`mock::http`) because the proxy's handler waits on
//! the network, while the mock's answers at once under its state lock.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::http::{HeaderValue, Response, StatusCode};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::Recorder;
use crate::mock::request::{MockRequest, MockResponse};
use crate::ocp::error::OcpError;

/// Time to send a request head, and its body.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// After shutdown, time left to exchanges in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `recorder` on `listener` until `shutdown` completes, then drains open connections.
pub(super) async fn run(
    listener: TcpListener,
    recorder: Arc<Recorder>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        connections.spawn(serve_connection(recorder.clone(), stream, stop_rx.clone()));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(DRAIN_TIMEOUT, drained).await.is_err() {
        connections.abort_all();
    }
    Ok(())
}

async fn serve_connection(
    recorder: Arc<Recorder>,
    stream: TcpStream,
    mut stop_rx: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| serve(recorder.clone(), req));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = async { let _ = stop_rx.wait_for(|stop| *stop).await; } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

async fn serve(
    recorder: Arc<Recorder>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let mut request = MockRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body: Bytes::new(),
    };
    let limit = recorder.max_body_bytes();
    let collect = Limited::new(body, limit).collect();
    let response = match tokio::time::timeout(READ_TIMEOUT, collect).await {
        Ok(Ok(collected)) => {
            request.body = collected.to_bytes();
            recorder.forward(&request).await
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            recorder.refuse(&request, OcpError::payload_too_large(limit))
        }
        Ok(Err(e)) => recorder.refuse(&request, OcpError::unreadable_body(&e.to_string())),
        Err(_) => recorder.refuse(&request, OcpError::body_timeout(READ_TIMEOUT)),
    };
    Ok(into_hyper(response))
}

fn into_hyper(response: MockResponse) -> Response<Full<Bytes>> {
    let mut out = Response::new(Full::new(response.body));
    *out.status_mut() = StatusCode::from_u16(response.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in response.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            out.headers_mut().insert(name, value);
        }
    }
    out
}
