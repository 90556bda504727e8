//! OCP's routes the mock answers, and their handlers.
//!
//! A route is a path pattern with `{name}` segments and the methods it takes. An unknown path is
//! a 404 envelope; a known path with another method is a 405 envelope with `Allow`.

use hyper::http::Method;
use percent_encoding::percent_decode_str;

use crate::app::{App, Outcome};
use crate::auth::Identity;
use crate::ocp::error::OcpError;
use crate::ocp::ids::{parse_long, parse_long_list};
use crate::request::MockRequest;
use crate::store::Stamp;

/// One request on its way through a handler: what was asked, when, and by whom.
pub struct Call<'a> {
    pub req: &'a MockRequest,
    pub stamp: &'a Stamp,
    pub identity: &'a Identity,
}

type Handler = fn(&App, &Params, &Call<'_>) -> Outcome;

struct Route {
    pattern: &'static str,
    methods: &'static [(Method, Handler)],
}

const ROUTES: &[Route] = &[Route {
    pattern: "/api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}",
    methods: &[(Method::DELETE, delete_obproxies)],
}];

/// Path parameters, percent-decoded, by name.
struct Params(Vec<(&'static str, String)>);

impl Params {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
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
fn match_path(pattern: &'static str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut segments = path.split('/');
    for part in pattern.split('/') {
        let segment = segments.next()?;
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            let decoded = percent_decode_str(segment).decode_utf8_lossy().into_owned();
            params.push((name, decoded));
        } else if part != segment {
            return None;
        }
    }
    segments.next().is_none().then_some(Params(params))
}

/// Finds the route, checks the caller may use it, and runs its handler.
pub fn dispatch(app: &App, call: &Call<'_>) -> Outcome {
    let req = call.req;
    for route in ROUTES {
        let Some(params) = match_path(route.pattern, &req.path) else {
            continue;
        };
        return match route.methods.iter().find(|(m, _)| *m == req.method) {
            Some((_, handler)) => {
                call.identity.authorize(&req.method)?;
                handler(app, &params, call)
            }
            None => {
                let allow: Vec<&str> = route.methods.iter().map(|(m, _)| m.as_str()).collect();
                Err(OcpError::method_not_supported(
                    req.method.as_str(),
                    &allow.join(", "),
                ))
            }
        };
    }
    Err(OcpError::no_such_route(req.method.as_str(), &req.path))
}

/// `DELETE /api/v2/obproxy/clusters/{id}/obproxies/{obproxyIds}`: a new "Offline obproxy" task.
fn delete_obproxies(app: &App, params: &Params, call: &Call<'_>) -> Outcome {
    let cluster_id = params.long("id")?;
    let server_ids = params.longs("obproxyIds")?;
    let task = app.store.delete_obproxies(
        &app.template,
        cluster_id,
        &server_ids,
        &call.identity.name,
        &app.settings.executor,
        call.stamp.arrival_ms,
    )?;
    Ok((200, Some(task)))
}
