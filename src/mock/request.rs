//! The mock's own request and response types: what the HTTP adapter hands to the handlers and
//! gets back. Plain data, so handlers can be called in tests without a socket.

use bytes::Bytes;
use http::header::AsHeaderName;
use http::{HeaderMap, Method};

/// A request as received, body collected.
#[derive(Debug, Clone)]
pub struct MockRequest {
    pub method: Method,
    /// The path exactly as received (still percent-encoded).
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl MockRequest {
    /// A request with no headers and no body, for tests and tools.
    pub fn new(method: Method, path_and_query: &str) -> Self {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (path_and_query.to_owned(), None),
        };
        Self {
            method,
            path,
            query,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// A header's value, when present and visible ASCII. `name` is a `&str` or, cheaper to
    /// look up, a `HeaderName` such as `http::header::CONTENT_TYPE`.
    pub fn header(&self, name: impl AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first query parameter of that name, decoded as a servlet container reads it
    /// (`+` is a space, `%XX` escapes, invalid UTF-8 replaced).
    pub fn query_param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }
}

/// The `RateLimit-*` headers the mock adds to an answer (limit, remaining, reset), as named in
/// [`MockResponse::headers`].
pub const RATE_LIMIT_HEADERS: [&str; 3] =
    ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"];

/// An answer: an OCP envelope in JSON, but for the few routes OCP answers without one.
#[derive(Debug, Clone)]
pub struct MockResponse {
    pub status: u16,
    /// Headers beyond the default `Content-Type: application/json` (e.g. `Allow`); a
    /// `content-type` here replaces it.
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
    /// The envelope's `traceId`, for the request log.
    pub trace_id: String,
    /// Send the answer this late (the `latency` scenario).
    pub delay: Option<std::time::Duration>,
    /// Close the connection without an answer (the `drop` scenario).
    pub drop_connection: bool,
}
