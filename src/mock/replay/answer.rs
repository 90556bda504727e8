//! The hook of the request pipeline: [`App::replayed`], called by
//! `App::handle_until_written` before the mock's own routing.

use crate::mock::app::App;
use crate::mock::request::{MockRequest, MockResponse};
use crate::mock::sim::clock::system_now_ms;

impl App {
    /// The recorded answer to `req`, when the mock replays one: journaled (with no trace id,
    /// and without moving the clock), then sent as recorded.
    pub(crate) fn replayed(&self, req: &MockRequest) -> Option<MockResponse> {
        let sequence = self.settings.replay.as_ref()?.sequence(req)?;
        if sequence.call.credentials
            && self
                .settings
                .auth
                .authenticate(req, system_now_ms())
                .is_err()
        {
            return None;
        }
        let answer = sequence.next();
        let mut state = self.store.lock();
        let at_ms = state.now_ms();
        state.journal.record_request(req, answer.status, "", at_ms);
        drop(state);
        Some(MockResponse {
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
            trace_id: String::new(),
            delay: None,
            drop_connection: false,
        })
    }
}
