//! OCP's routes the mock answers, and their handlers.
//!
//! A route is a path pattern with `{name}` segments and the methods it takes. An unknown path is
//! a 404 envelope; a known path with another method is a 405 envelope with `Allow`. Handlers run
//! under the state lock and only touch plain data.

use std::borrow::Cow;

use hyper::http::Method;
use percent_encoding::percent_decode_str;

use crate::mock::app::{App, Data, Outcome};
use crate::mock::auth::Identity;
use crate::mock::request::MockRequest;
use crate::mock::state::{Stamp, State};
use crate::ocp::error::OcpError;
use crate::ocp::ids::{parse_long, parse_long_list};

/// One request on its way through a handler: what was asked, when, by whom, with which faults.
pub struct Call<'a> {
    pub req: &'a MockRequest,
    pub stamp: &'a Stamp,
    pub identity: &'a Identity,
    /// The subtask a task created by this call fails at (the `fail-at` scenario).
    pub fail_at: Option<String>,
}

type Handler = fn(&App, &mut State, &Params, &Call<'_>) -> Outcome;

pub(crate) struct Route {
    pub(crate) pattern: &'static str,
    pub(crate) methods: &'static [(Method, Handler)],
}

const ROUTES: &[Route] = &[
    Route {
        pattern: "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}",
        methods: &[(Method::DELETE, delete_obproxies)],
    },
    Route {
        pattern: "/api/v2/obproxy/clusters",
        methods: &[(Method::GET, list_clusters)],
    },
    Route {
        pattern: "/api/v2/obproxy/clusters/{id}",
        methods: &[(Method::GET, get_cluster)],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}",
        methods: &[(Method::GET, get_task)],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}/retry",
        methods: &[(Method::POST, retry_task)],
    },
];

/// Path parameters, percent-decoded (copied only when they had an escape), by name.
pub(crate) struct Params<'a>(Vec<(&'static str, Cow<'a, str>)>);

impl Params<'_> {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_ref())
    }

    fn long(&self, name: &str) -> Result<i64, OcpError> {
        let value = self.get(name);
        parse_long(value)
            .map_err(|e| OcpError::invalid_parameter(name, value, &format!("{value:?}: {e}")))
    }

    fn longs(&self, name: &str) -> Result<Vec<i64>, OcpError> {
        let value = self.get(name);
        parse_long_list(value).map_err(|e| OcpError::invalid_parameter(name, value, &e.to_string()))
    }
}

/// Matches `path` against `pattern`, capturing `{name}` segments.
pub(crate) fn match_path<'a>(pattern: &'static str, path: &'a str) -> Option<Params<'a>> {
    let mut params = Vec::new();
    let mut segments = path.split('/');
    for part in pattern.split('/') {
        let segment = segments.next()?;
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            params.push((name, percent_decode_str(segment).decode_utf8_lossy()));
        } else if part != segment {
            return None;
        }
    }
    segments.next().is_none().then_some(Params(params))
}

/// The methods a path answers, for `Allow`; `None` when no route has the path.
pub(crate) fn allowed<'r, 'p>(
    routes: &'r [Route],
    path: &'p str,
) -> Option<(&'r Route, Params<'p>)> {
    routes
        .iter()
        .find_map(|r| match_path(r.pattern, path).map(|p| (r, p)))
}

/// 405 with the methods the route does take.
pub(crate) fn method_not_supported(route: &Route, method: &Method) -> OcpError {
    let allow: Vec<&str> = route.methods.iter().map(|(m, _)| m.as_str()).collect();
    OcpError::method_not_supported(method.as_str(), &allow.join(", "))
}

/// Finds the route, checks the caller may use it, and runs its handler.
pub fn dispatch(app: &App, state: &mut State, call: &Call<'_>) -> Outcome {
    let req = call.req;
    let Some((route, params)) = allowed(ROUTES, &req.path) else {
        return Err(OcpError::no_such_route(req.method.as_str(), &req.path));
    };
    match route.methods.iter().find(|(m, _)| *m == req.method) {
        Some((_, handler)) => {
            call.identity.authorize(&req.method)?;
            handler(app, state, &params, call)
        }
        None => Err(method_not_supported(route, &req.method)),
    }
}

/// The query's parameters, decoded (`+` as a space, as a servlet container reads them).
pub(crate) fn query_param(req: &MockRequest, name: &str) -> Option<String> {
    let query = req.query.as_deref()?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        (decode(k) == name).then(|| decode(v))
    })
}

/// A paging parameter: a Long of at least 1, or its default when absent.
fn page_param(req: &MockRequest, name: &str, default: i64, max: i64) -> Result<i64, OcpError> {
    let Some(value) = query_param(req, name) else {
        return Ok(default);
    };
    match parse_long(&value) {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(_) => Err(OcpError::invalid_parameter(
            name,
            &value,
            &format!("must be between 1 and {max}"),
        )),
        Err(e) => Err(OcpError::invalid_parameter(
            name,
            &value,
            &format!("{value:?}: {e}"),
        )),
    }
}

/// `DELETE /api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}`: a new "Offline obproxy" task.
fn delete_obproxies(app: &App, state: &mut State, params: &Params, call: &Call<'_>) -> Outcome {
    let cluster_id = params.long("id")?;
    let max = app.settings.limits.max_ids;
    let listed = params.get("obproxyIds").split(',').count();
    if listed > max {
        return Err(OcpError::invalid_parameter(
            "obproxyIds",
            params.get("obproxyIds"),
            &format!("{listed} ids, more than the limit of {max}"),
        ));
    }
    let server_ids = params.longs("obproxyIds")?;
    let task = state.delete_obproxies(
        &app.template,
        cluster_id,
        &server_ids,
        call.identity,
        call.stamp.arrival_ms,
        call.fail_at.clone(),
    )?;
    Ok((200, Some(Data::NewTask(task))))
}

/// `GET /api/v2/obproxy/clusters?page=1&size=10`: OBProxy clusters, paged.
fn list_clusters(_app: &App, state: &mut State, _params: &Params, call: &Call<'_>) -> Outcome {
    let page = page_param(call.req, "page", 1, i64::from(i32::MAX))?;
    let size = page_param(call.req, "size", 10, 2000)?;
    Ok((200, Some(Data::Json(state.clusters_page(page, size)))))
}

/// `GET /api/v2/obproxy/clusters/{id}`: one OBProxy cluster with its servers.
fn get_cluster(_app: &App, state: &mut State, params: &Params, _call: &Call<'_>) -> Outcome {
    let id = params.long("id")?;
    Ok((200, Some(Data::Json(state.cluster(id)?))))
}

/// `GET /api/v2/tasks/instances/{taskInstanceId}`: the task, advanced per the task pace.
fn get_task(app: &App, state: &mut State, params: &Params, call: &Call<'_>) -> Outcome {
    let id = params.long("taskInstanceId")?;
    let task = state.query_task(
        &app.template,
        &app.settings.executor,
        id,
        app.settings.task_pace,
        call.stamp.arrival_ms,
    )?;
    Ok((200, Some(Data::Json(task))))
}

/// `POST /api/v2/tasks/instances/{taskInstanceId}/retry`: resume a FAILED task.
fn retry_task(app: &App, state: &mut State, params: &Params, call: &Call<'_>) -> Outcome {
    let id = params.long("taskInstanceId")?;
    let task = state.retry_task(
        &app.template,
        &app.settings.executor,
        id,
        call.stamp.arrival_ms,
    )?;
    Ok((200, Some(Data::Json(task))))
}
