//! Where the probe suite runs: an in-process mock by default, or the deployment named by
//! `OCP_CONTRACT_TARGET` with `OCP_CONTRACT_USER=NAME:PASSWORD` or
//! `OCP_CONTRACT_ACCESS_KEY=ID:SECRET` (and `OCP_CONTRACT_CA_CERT=FILE`, `OCP_CONTRACT_INSECURE=1`
//! for TLS). The destructive probe runs against a deployment only with
//! `OCP_CONTRACT_ALLOW_DELETE=CLUSTER_ID:SERVER_IDS`; against the mock, which is disposable, it
//! always runs, on `1:2`.

use std::time::Duration;

use ocp_mock::MockServer;
use ocp_mock::check::{CheckOptions, Checker, Credentials, DeleteTarget};
use serde_json::{Map, Value};

pub struct SuiteTarget {
    pub options: CheckOptions,
    /// Whether this is the in-process mock (some facts hold only there).
    pub is_mock: bool,
    // Declared before the runtime: the mock stops before the runtime that serves it goes.
    _mock: Option<MockServer>,
    _runtime: Option<tokio::runtime::Runtime>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn pair(name: &str, value: &str) -> (String, String) {
    let (a, b) = value
        .split_once(':')
        .unwrap_or_else(|| panic!("{name} must be of the form A:B"));
    (a.to_owned(), b.to_owned())
}

impl SuiteTarget {
    pub fn from_env() -> Self {
        match var("OCP_CONTRACT_TARGET") {
            Some(url) => Self::deployment(url),
            None => Self::mock(),
        }
    }

    fn deployment(url: String) -> Self {
        let credentials = match (var("OCP_CONTRACT_USER"), var("OCP_CONTRACT_ACCESS_KEY")) {
            (Some(user), _) => {
                let (name, password) = pair("OCP_CONTRACT_USER", &user);
                Credentials::basic(&name, &password)
            }
            (None, Some(key)) => {
                let (id, secret) = pair("OCP_CONTRACT_ACCESS_KEY", &key);
                Credentials::access_key(&id, &secret)
            }
            (None, None) => panic!(
                "OCP_CONTRACT_TARGET needs OCP_CONTRACT_USER=NAME:PASSWORD or OCP_CONTRACT_ACCESS_KEY=ID:SECRET"
            ),
        };
        let mut options = CheckOptions::new(url, credentials);
        options.delete = var("OCP_CONTRACT_ALLOW_DELETE").map(|spec| {
            DeleteTarget::parse(&spec).unwrap_or_else(|e| panic!("OCP_CONTRACT_ALLOW_DELETE: {e}"))
        });
        options.ca_cert = var("OCP_CONTRACT_CA_CERT").map(Into::into);
        options.insecure = var("OCP_CONTRACT_INSECURE").is_some_and(|v| v != "0");
        Self {
            options,
            is_mock: false,
            _mock: None,
            _runtime: None,
        }
    }

    /// A mock on a runtime of its own, so that the blocking checker can run on the test thread.
    pub fn mock() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let mock = runtime.block_on(MockServer::start());
        let mut options = CheckOptions::new(mock.uri(), Credentials::basic("admin", "aaAA11__"));
        options.delete = Some(DeleteTarget {
            cluster_id: 1,
            server_ids: vec![2],
        });
        options.poll_interval = Duration::from_millis(1);
        options.poll_timeout = Duration::from_secs(10);
        Self {
            options,
            is_mock: true,
            _mock: Some(mock),
            _runtime: Some(runtime),
        }
    }

    pub fn checker(&self) -> Checker {
        Checker::new(&self.options).expect("the target URL and TLS settings are valid")
    }
}

/// The shape of a value: each scalar replaced by its JSON type, an array by the shape of its
/// first item. A deployment's own clusters then compare equal to the mock's, and only a field
/// that appears, vanishes or changes type shows up as drift.
pub fn shape(value: &Value) -> Value {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "boolean".into(),
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => Value::Array(items.first().map(shape).into_iter().collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), shape(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}
