//! OCP's system routes: the server's time, which OCP answers without authentication (deployment
//! tools call it to see whether OCP is up), and the build information of `GET /api/v2/info`.
//! Both answer without OCP's envelope, as documented.

use http::Method;

use serde_json::Value;

use crate::mock::api::{Call, Ctx, Data, Handler, Outcome};
use crate::mock::router::{Params, Route};
use crate::mock::state::State;
use crate::ocp::info::mock_info;
use crate::ocp::time::format_time;

/// The one path OCP serves without credentials ("You can call this API without
/// authentication"); the pipeline lets every method through to routing, so a wrong method is
/// a 405 rather than a 401.
pub const TIME_PATH: &str = "/api/v2/time";

/// `GET /api/v2/time`: the mock's clock in OCP's time format, as plain text
/// (`2020-11-11T15:46:27.316+08:00`).
pub fn time(_ctx: Ctx<'_>, _state: &mut State, _params: &Params, call: &Call) -> Outcome {
    Ok((200, Some(Data::Text(format_time(call.stamp.arrival_ms)))))
}

/// `GET /api/v2/info`: the documented example of the OCP version the mock follows, as a bare
/// JSON object, `buildVersion` naming that version.
pub fn info(ctx: Ctx<'_>, _state: &mut State, _params: &Params, _call: &Call) -> Outcome {
    let info = mock_info(ctx.settings.ocp_version);
    Ok((200, Some(Data::Bare(Value::Object(info)))))
}

/// The system family's routes.
pub const ROUTES: &[Route<Handler>] = &[
    Route {
        pattern: TIME_PATH,
        methods: &[(Method::GET, Handler::Ocp(time))],
    },
    Route {
        pattern: "/api/v2/info",
        methods: &[(Method::GET, Handler::Ocp(info))],
    },
];
