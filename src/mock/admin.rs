//! The mock's own API under `/__mock/`, outside OCP's `/api/` so never confused with it.
//!
//! `GET /__mock/health`, `GET /__mock/requests` (the journal; `?method=` and `?path=` glob
//! filters), `POST /__mock/reset`, `GET|PUT /__mock/scenarios`. Answers use OCP's envelope too,
//! with an empty `traceId`; they neither advance the clock nor consume a trace id, so they never
//! change what the OCP routes answer.

use hyper::http::Method;
use serde_json::{Value, json};

use crate::mock::app::{App, Data, Outcome};
use crate::mock::request::{MockRequest, MockResponse};
use crate::mock::router::{match_path, query_param};
use crate::mock::scenario::{self, RouteFilter, Scenario};
use crate::mock::state::Stamp;
use crate::ocp::error::{INVALID_PARAMETER, Language, OcpError};

type AdminHandler = fn(&App, &MockRequest) -> Outcome;

const ADMIN_ROUTES: &[(&str, &[(Method, AdminHandler)])] = &[
    ("/__mock/health", &[(Method::GET, health)]),
    ("/__mock/requests", &[(Method::GET, requests)]),
    ("/__mock/reset", &[(Method::POST, reset)]),
    (
        "/__mock/scenarios",
        &[(Method::GET, get_scenarios), (Method::PUT, put_scenarios)],
    ),
];

pub fn is_admin_path(path: &str) -> bool {
    path == "/__mock" || path.starts_with("/__mock/")
}

/// Answers an admin request.
pub fn handle(app: &App, req: &MockRequest) -> MockResponse {
    let outcome = match ADMIN_ROUTES
        .iter()
        .find(|(pattern, _)| match_path(pattern, &req.path).is_some())
    {
        None => Err(OcpError::no_such_route(req.method.as_str(), &req.path)),
        Some((_, methods)) => match methods.iter().find(|(m, _)| *m == req.method) {
            Some((_, handler)) => handler(app, req),
            None => {
                let allow: Vec<&str> = methods.iter().map(|(m, _)| m.as_str()).collect();
                Err(OcpError::method_not_supported(
                    req.method.as_str(),
                    &allow.join(", "),
                ))
            }
        },
    };
    let stamp = Stamp {
        arrival_ms: app.store.lock().now_ms(),
        trace_id: String::new(),
    };
    let lang = Language::from_accept_language(req.header("accept-language"));
    app.render(stamp, lang, outcome)
}

fn health(app: &App, _req: &MockRequest) -> Outcome {
    let state = app.store.lock();
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

fn requests(app: &App, req: &MockRequest) -> Outcome {
    let method = query_param(req, "method").map(|m| m.to_ascii_uppercase());
    let path = query_param(req, "path");
    let filter = match &path {
        Some(p) => Some(
            p.parse::<RouteFilter>()
                .map_err(|e| bad("path", p, &e.to_string()))?,
        ),
        None => None,
    };
    let state = app.store.lock();
    let list: Vec<Value> = state
        .journal
        .entries()
        .filter(|r| method.as_deref().is_none_or(|m| m == r.method))
        .filter(|r| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches(&r.method, &r.path))
        })
        .map(|r| r.to_json())
        .collect();
    Ok((
        200,
        Some(Data::Json(json!({
            "capacity": state.journal.capacity(),
            "total": state.journal.total(),
            "requests": list,
        }))),
    ))
}

fn reset(app: &App, _req: &MockRequest) -> Outcome {
    app.store.reset();
    Ok((200, Some(Data::Json(json!({"reset": true})))))
}

fn scenarios_json(list: &[Scenario]) -> Value {
    json!(list.iter().map(ToString::to_string).collect::<Vec<_>>())
}

fn get_scenarios(app: &App, _req: &MockRequest) -> Outcome {
    let list = app.store.lock().scenarios();
    Ok((200, Some(Data::Json(scenarios_json(&list)))))
}

fn bad(name: &str, value: &str, why: &str) -> OcpError {
    OcpError::new(&INVALID_PARAMETER, vec![format!("{name}={value}")])
        .with_target(name)
        .with_debug(why.to_owned())
}

/// Replaces the active scenarios with a JSON list of scenario strings.
fn put_scenarios(app: &App, req: &MockRequest) -> Outcome {
    let body = String::from_utf8_lossy(&req.body);
    let specs: Vec<String> = serde_json::from_slice(&req.body).map_err(|e| {
        bad(
            "body",
            &body,
            &format!("expected a JSON list of scenario strings: {e}"),
        )
    })?;
    let list =
        scenario::parse_list(&specs.join(";")).map_err(|e| bad("body", &body, &e.to_string()))?;
    if list.len() != specs.iter().filter(|s| !s.trim().is_empty()).count() {
        return Err(bad("body", &body, "a scenario string may not contain ';'"));
    }
    app.check_scenarios(&list)
        .map_err(|e| bad("body", &body, &e.to_string()))?;
    app.store.lock().set_scenarios(list.clone());
    Ok((200, Some(Data::Json(scenarios_json(&list)))))
}
