//! "Was called with": a [`RequestMatcher`] describes the requests a test expects its client to
//! have sent (method, path, headers, JSON body), in the manner of wiremock's
//! `Mock::given(method("DELETE")).and(path(...))`, and [`crate::MockServer::received`] lists
//! the journal's entries that match it.

use serde_json::Value;

use super::RecordedRequest;
use crate::mock::scenario::RouteFilter;

/// What a request must have been to match. Every condition given must hold; a matcher with
/// none matches every request.
///
/// ```
/// use ocp_mock::RequestMatcher;
/// use serde_json::json;
///
/// let expected = RequestMatcher::new()
///     .method("post")
///     .path("/api/v2/tasks/instances/*/retry")
///     .header("Content-Type", "application/json")
///     .json_body_contains(json!({"reason": "retry"}));
/// # let _ = expected;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMatcher {
    method: Option<String>,
    path: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<BodyMatch>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum BodyMatch {
    Equals(Value),
    Contains(Value),
}

impl RequestMatcher {
    /// Matches every request.
    pub fn new() -> Self {
        Self::default()
    }

    /// The method, in any case.
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// The path as received (still percent-encoded, without the query); `*` matches anything,
    /// `/` included.
    pub fn path(mut self, glob: &str) -> Self {
        self.path = Some(glob.to_owned());
        self
    }

    /// A header with this value, exactly (the name in any case). Credentials are matched as the
    /// journal keeps them: `Basic admin:[redacted]`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// A JSON body equal to `body`.
    pub fn json_body(mut self, body: Value) -> Self {
        self.body = Some(BodyMatch::Equals(body));
        self
    }

    /// A JSON body that contains `body`: every field of an object with a value that contains
    /// the expected one, every item of an array contained in some item, a scalar equal.
    pub fn json_body_contains(mut self, body: Value) -> Self {
        self.body = Some(BodyMatch::Contains(body));
        self
    }

    /// Whether `request` is one this matcher describes.
    pub fn matches(&self, request: &RecordedRequest) -> bool {
        let route = RouteFilter {
            method: self.method.clone(),
            path: self.path.clone().unwrap_or_else(|| "*".to_owned()),
        };
        route.matches(&request.method, &request.path)
            && self
                .headers
                .iter()
                .all(|(name, value)| request.headers.iter().any(|(n, v)| n == name && v == value))
            && match (&self.body, &request.body) {
                (None, _) => true,
                (Some(BodyMatch::Equals(want)), Some(got)) => want == got,
                (Some(BodyMatch::Contains(want)), Some(got)) => contains(got, want),
                (Some(_), None) => false,
            }
    }
}

/// Whether `actual` holds everything `expected` says.
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(got), Value::Object(want)) => want
            .iter()
            .all(|(key, w)| got.get(key).is_some_and(|g| contains(g, w))),
        (Value::Array(got), Value::Array(want)) => {
            want.iter().all(|w| got.iter().any(|g| contains(g, w)))
        }
        _ => actual == expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sent(body: Option<Value>) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/api/v2/x/1".into(),
            query: None,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
            body_bytes: 0,
            status: 200,
            trace_id: String::new(),
            at_ms: 0,
        }
    }

    #[test]
    fn every_condition_given_must_hold() {
        let request = sent(Some(json!({"a": 1, "b": [1, {"c": 2, "d": 3}]})));
        let yes = [
            RequestMatcher::new(),
            RequestMatcher::new().method("post").path("/api/v2/x/*"),
            RequestMatcher::new().header("Content-Type", "application/json"),
            RequestMatcher::new().json_body(json!({"a": 1, "b": [1, {"c": 2, "d": 3}]})),
            RequestMatcher::new().json_body_contains(json!({"b": [{"c": 2}]})),
        ];
        for m in &yes {
            assert!(m.matches(&request), "{m:?}");
        }
        let no = [
            RequestMatcher::new().method("GET"),
            RequestMatcher::new().path("/api/v2/y/*"),
            RequestMatcher::new().header("content-type", "text/plain"),
            RequestMatcher::new().json_body(json!({"a": 1})),
            RequestMatcher::new().json_body_contains(json!({"b": [{"c": 3}]})),
            RequestMatcher::new().json_body_contains(json!({"e": null})),
        ];
        for m in &no {
            assert!(!m.matches(&request), "{m:?}");
        }
        assert!(
            !RequestMatcher::new()
                .json_body(json!({}))
                .matches(&sent(None))
        );
    }
}
