//! The mock behind the socket: settings, template and state, and the one entry point
//! [`App::handle`] that turns a [`MockRequest`] into an enveloped [`MockResponse`].

use bytes::Bytes;
use serde_json::Value;

use crate::auth::{Identity, Role};
use crate::ocp::clock::{ClockMode, system_now_ms};
use crate::ocp::envelope::{self, EnvelopeMeta};
use crate::ocp::error::{Language, OcpError};
use crate::ocp::task::TaskTemplate;
use crate::request::{MockRequest, MockResponse};
use crate::routes::{self, Call};
use crate::settings::Settings;
use crate::store::{Stamp, Store};

/// What a handler answers: a status and optional `data`, or an OCP error.
pub type Outcome = Result<(u16, Option<Value>), OcpError>;

/// The whole mock, shared by every connection.
#[derive(Debug)]
pub struct App {
    pub settings: Settings,
    pub template: TaskTemplate,
    pub store: Store,
}

impl App {
    pub fn new(settings: Settings) -> Self {
        let template = TaskTemplate::documented();
        let store = Store::new(&settings, &template);
        Self {
            settings,
            template,
            store,
        }
    }

    /// Answers one request. Never panics on any input; every answer is an OCP envelope.
    pub fn handle(&self, req: &MockRequest) -> MockResponse {
        let stamp = self.store.stamp();
        let lang = Language::from_accept_language(req.header("accept-language"));
        let outcome = self.authenticate(req).and_then(|identity| {
            let call = Call {
                req,
                stamp: &stamp,
                identity: &identity,
            };
            routes::dispatch(self, &call)
        });
        self.render(stamp, lang, outcome)
    }

    /// OCP's API (`/api/...`) needs credentials; the rest of the mock's paths do not.
    fn authenticate(&self, req: &MockRequest) -> Result<Identity, OcpError> {
        if req.path.starts_with("/api/") {
            self.settings.auth.authenticate(req, system_now_ms())
        } else {
            Ok(Identity {
                name: "admin".into(),
                role: Role::Admin,
            })
        }
    }

    /// Answers a request refused before routing (e.g. a body past the limit) with `err`.
    pub fn reject(&self, req: &MockRequest, err: OcpError) -> MockResponse {
        let stamp = self.store.stamp();
        let lang = Language::from_accept_language(req.header("accept-language"));
        self.render(stamp, lang, Err(err))
    }

    /// The envelope's `timestamp` and `duration` for a request stamped `stamp`.
    fn meta(&self, stamp: Stamp) -> EnvelopeMeta {
        let (timestamp_ms, duration_ms) = match self.settings.clock {
            ClockMode::Fixed => (
                stamp.arrival_ms + self.template.respond_after_ms,
                self.template.duration_ms,
            ),
            ClockMode::System => {
                let now = system_now_ms();
                (now, (now - stamp.arrival_ms).max(0))
            }
        };
        EnvelopeMeta {
            timestamp_ms,
            duration_ms,
            trace_id: stamp.trace_id,
            server: self.settings.server_name.clone(),
        }
    }

    fn render(&self, stamp: Stamp, lang: Language, outcome: Outcome) -> MockResponse {
        let trace_id = stamp.trace_id.clone();
        let meta = self.meta(stamp);
        let (status, headers, body) = match outcome {
            Ok((status, data)) => (status, Vec::new(), envelope::success(status, data, meta)),
            Err(err) => {
                let body = envelope::error(&err, lang, self.settings.error_code, meta);
                (err.status(), err.headers, body)
            }
        };
        MockResponse {
            status,
            headers,
            body: Bytes::from(body.to_string()),
            trace_id,
        }
    }
}
