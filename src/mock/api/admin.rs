//! The mock's own API under `/__mock/`, outside OCP's `/api/` so never confused with it.
//!
//! `GET /__mock/` (this list), `GET /__mock/health`, `GET /__mock/requests` (the journal; `?method=` and `?path=` glob
//! filters), `GET /__mock/tasks` (what each task was asked for), `POST /__mock/reset`,
//! `GET|PUT /__mock/scenarios`, `GET /__mock/openapi.json` (the OpenAPI document of the
//! profile's version, the one answer without an envelope). Answers use OCP's envelope too,
//! with an empty `traceId`; they neither advance the clock nor consume a trace id, so they never
//! change what the OCP routes answer.

use http::Method;

use serde_json::{Value, json};

use crate::mock::api::{Ctx, Data, Handler, Outcome};
use crate::mock::request::MockRequest;
use crate::mock::router::Route;
use crate::mock::scenario::{self, RouteFilter, Scenario};
use crate::ocp::error::{INVALID_PARAMETER, OcpError};

/// `GET /__mock/`: every admin call with what it does, from [`ROUTES`] itself.
pub fn index(_ctx: Ctx<'_>, _req: &MockRequest) -> Outcome {
    let calls: Vec<Value> = ROUTES
        .iter()
        .flat_map(|route| {
            route.methods.iter().map(|(method, _)| {
                let what = describe(method.as_str(), route.pattern);
                json!({"method": method.as_str(), "path": route.pattern, "what": what})
            })
        })
        .collect();
    Ok((200, Some(Data::Json(json!({"calls": calls})))))
}

/// What each admin call does, as `GET /__mock/` says it.
const DESCRIPTIONS: &[(&str, &str, &str)] = &[
    ("GET", "/__mock/", "this list of the admin calls"),
    (
        "GET",
        "/__mock/health",
        "status UP, version, tasks and requests held",
    ),
    (
        "GET",
        "/__mock/requests",
        "the journal, newest kept, with headers and body (?method=, ?path= glob)",
    ),
    (
        "GET",
        "/__mock/tasks",
        "the tasks kept, with what each call asked for (servers, skipHostOperationServerIds)",
    ),
    (
        "POST",
        "/__mock/reset",
        "everything back to its start values",
    ),
    ("GET", "/__mock/scenarios", "the active scenarios"),
    (
        "PUT",
        "/__mock/scenarios",
        "replace the scenarios (a JSON list of strings)",
    ),
    (
        "GET",
        "/__mock/openapi.json",
        "the OpenAPI 3.1 document of the profile's OCP version (no envelope)",
    ),
];

fn describe(method: &str, pattern: &str) -> &'static str {
    DESCRIPTIONS
        .iter()
        .find(|(m, p, _)| *m == method && *p == pattern)
        .map_or("", |(_, _, what)| what)
}

/// `GET /__mock/health`: up, the mock's version, and how much it holds.
pub fn health(ctx: Ctx<'_>, _req: &MockRequest) -> Outcome {
    let state = ctx.store.lock();
    Ok((
        200,
        Some(Data::Json(json!({
            "status": "UP",
            "version": env!("CARGO_PKG_VERSION"),
            "tasks": state.task_count(),
            "requests": state.journal.total(),
        }))),
    ))
}

/// `GET /__mock/requests?method=&path=`: the journal, oldest first, filtered.
pub fn requests(ctx: Ctx<'_>, req: &MockRequest) -> Outcome {
    let method = req.query_param("method").map(|m| m.to_ascii_uppercase());
    let path = req.query_param("path");
    let filter = match &path {
        Some(p) => Some(p.parse::<RouteFilter>().map_err(|e| bad("path", p, &e))?),
        None => None,
    };
    let state = ctx.store.lock();
    let mut budget = REQUESTS_BUDGET_BYTES;
    let mut truncated = false;
    // Newest first while the budget lasts, then back to oldest first.
    let mut list: Vec<Value> = state
        .journal
        .entries()
        .rev()
        .filter(|r| method.as_deref().is_none_or(|m| m == r.method))
        .filter(|r| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches(&r.method, &r.path))
        })
        .take_while(|r| {
            // Twice the text: JSON escapes a quote or a backslash with one more byte.
            let text = r.text_len();
            let cost = ENTRY_BYTES + 2 * text;
            truncated = cost > budget;
            budget = budget.saturating_sub(cost);
            !truncated
        })
        .map(|r| r.to_json())
        .collect();
    list.reverse();
    Ok((
        200,
        Some(Data::Json(json!({
            "capacity": state.journal.capacity(),
            "total": state.journal.total(),
            "truncated": truncated,
            "requests": list,
        }))),
    ))
}

/// `GET /__mock/tasks`: every task kept, by id, with what the call that created it asked for:
/// its cluster, its servers in request order, and the servers whose hosts it leaves alone
/// (`skipHostOperationServerIds` of OCP 4.3.5's POST, which no documented answer shows).
pub fn tasks(ctx: Ctx<'_>, _req: &MockRequest) -> Outcome {
    let state = ctx.store.lock();
    let list: Vec<Value> = state
        .tasks()
        .map(|run| {
            let origin = &run.origin;
            let servers: Vec<i64> = origin.servers.iter().map(|&(server, _)| server).collect();
            json!({
                "id": origin.task_id,
                "name": ctx.templates.of(origin.kind).name(),
                "status": run.state.as_str(),
                "creator": origin.creator,
                "obproxyClusterId": origin.cluster_id,
                "obproxyServerIds": servers,
                "skipHostOperationServerIds": origin.skip_host_servers,
            })
        })
        .collect();
    Ok((200, Some(Data::Json(json!({"tasks": list})))))
}

/// `GET /__mock/openapi.json`: the OpenAPI document of the profile's version, as
/// `ocp-mock openapi --ocp-version V` prints it: the bare document a tool reads, not an
/// envelope around it.
pub fn openapi(ctx: Ctx<'_>, _req: &MockRequest) -> Outcome {
    let text = crate::openapi::text(ctx.settings.ocp_version);
    Ok((200, Some(Data::Static(text))))
}

/// The most one journal read writes (about): the newest entries that fit are listed, and
/// `truncated` says older ones were left out (narrow the read with `?method=` and `?path=`).
const REQUESTS_BUDGET_BYTES: usize = 1 << 20;

/// What an entry costs besides its path and query: method, status, traceId, time and keys.
const ENTRY_BYTES: usize = 128;

/// `POST /__mock/reset`: back to the state the mock started with.
pub fn reset(ctx: Ctx<'_>, _req: &MockRequest) -> Outcome {
    ctx.store.reset();
    Ok((200, Some(Data::Json(json!({"reset": true})))))
}

/// `GET /__mock/scenarios`: the active scenarios, as the strings that set them.
pub fn get_scenarios(ctx: Ctx<'_>, _req: &MockRequest) -> Outcome {
    let list = ctx.store.lock().scenarios();
    Ok((200, Some(Data::Json(scenarios_json(&list)))))
}

/// `PUT /__mock/scenarios`: replaces the active scenarios with a JSON list of scenario strings.
pub fn put_scenarios(ctx: Ctx<'_>, req: &MockRequest) -> Outcome {
    let body = String::from_utf8_lossy(&req.body);
    let specs: Vec<String> = serde_json::from_slice(&req.body).map_err(|e| {
        bad(
            "body",
            &body,
            format!("expected a JSON list of scenario strings: {e}"),
        )
    })?;
    let list = scenario::parse_list(&specs.join(";")).map_err(|e| bad("body", &body, &e))?;
    if list.len() != specs.iter().filter(|s| !s.trim().is_empty()).count() {
        return Err(bad("body", &body, "a scenario string may not contain ';'"));
    }
    ctx.check_scenarios(&list)
        .map_err(|e| bad("body", &body, e))?;
    ctx.store.lock().set_scenarios(list.clone());
    Ok((200, Some(Data::Json(scenarios_json(&list)))))
}

fn scenarios_json(list: &[Scenario]) -> Value {
    json!(list.iter().map(ToString::to_string).collect::<Vec<_>>())
}

/// OCP's invalid-parameter error for a bad admin input.
fn bad(name: &str, value: &str, why: impl std::fmt::Display) -> OcpError {
    OcpError::new(&INVALID_PARAMETER, vec![format!("{name}={value}")])
        .with_target(name)
        .with_debug(why.to_string())
}

/// The mock's own routes, under `/__mock/`.
pub const ROUTES: &[Route<Handler>] = &[
    Route {
        pattern: "/__mock/",
        methods: &[(Method::GET, Handler::Admin(index))],
    },
    Route {
        pattern: "/__mock/health",
        methods: &[(Method::GET, Handler::Admin(health))],
    },
    Route {
        pattern: "/__mock/requests",
        methods: &[(Method::GET, Handler::Admin(requests))],
    },
    Route {
        pattern: "/__mock/tasks",
        methods: &[(Method::GET, Handler::Admin(tasks))],
    },
    Route {
        pattern: "/__mock/reset",
        methods: &[(Method::POST, Handler::Admin(reset))],
    },
    Route {
        pattern: "/__mock/scenarios",
        methods: &[
            (Method::GET, Handler::Admin(get_scenarios)),
            (Method::PUT, Handler::Admin(put_scenarios)),
        ],
    },
    Route {
        pattern: "/__mock/openapi.json",
        methods: &[(Method::GET, Handler::Admin(openapi))],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admin_call_is_described() {
        for route in ROUTES {
            for (method, _) in route.methods {
                let what = describe(method.as_str(), route.pattern);
                assert!(!what.is_empty(), "{method} {}", route.pattern);
            }
        }
        let calls: usize = ROUTES.iter().map(|r| r.methods.len()).sum();
        assert_eq!(calls, DESCRIPTIONS.len(), "a description of no call");
    }

    #[test]
    fn the_openapi_document_knows_which_routes_the_mock_answers_from_its_state() {
        use std::collections::HashSet;
        let mock: HashSet<(&str, String)> = crate::mock::api::stateful_routes()
            .map(|(m, p)| (m, p.replace("{id:[\\d]+}", "{id}")))
            .collect();
        let listed: HashSet<(&str, String)> = crate::openapi::family::STATEFUL
            .iter()
            .map(|(m, p)| (*m, (*p).to_owned()))
            .collect();
        assert_eq!(listed, mock);
    }
}
