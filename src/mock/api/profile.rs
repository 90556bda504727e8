//! The routes of a profile: every endpoint its OCP version documents, each run by its family's
//! handler when a family table has one for that method and pattern, else by the replay of its
//! documented sample. Built once per mock.
//!
//! A family route whose method and path no version documents at all (OCP serves it, its pages
//! do not say so: `GET /api/v2/ob/clusters/{id}`) answers in every profile; a route only some
//! versions document answers only in those.

use http::Method;

use crate::mock::api::{AdminHandler, Handler, OcpHandler, ROUTES, replay};
use crate::mock::router::{Router, Seg, segments};
use crate::ocp::catalogue::{Catalogue, Endpoint};
use crate::ocp::task::TaskTemplates;
use crate::ocp::version::OcpVersion;

/// What an OCP route runs: a handler, and the endpoint its page documents.
#[derive(Clone, Copy)]
pub struct Target {
    /// The family's handler, or [`replay::replay`].
    pub handler: OcpHandler,
    /// The documented endpoint; none for a family route no version documents.
    pub endpoint: Option<&'static Endpoint>,
}

/// The OCP routes of a profile: its documented endpoints, nothing else.
pub fn ocp_router(version: OcpVersion) -> Router<Target> {
    let mut router = Router::default();
    for endpoint in &Catalogue::of(version).endpoints {
        let handler = family_handler(&endpoint.method, &endpoint.pattern).unwrap_or(replay::replay);
        router.insert(
            endpoint.method.clone(),
            endpoint.router_segments(),
            Target {
                handler,
                endpoint: Some(endpoint),
            },
        );
    }
    for route in ROUTES.iter().flat_map(|t| t.iter()) {
        for (method, handler) in route.methods {
            if let Handler::Ocp(handler) = handler
                && UNDOCUMENTED_ROUTES.contains(&(method.as_str(), route.pattern))
            {
                let target = Target {
                    handler: *handler,
                    endpoint: None,
                };
                router.insert(method.clone(), segments(route.pattern), target);
            }
        }
    }
    router
}

/// The family routes no version's pages document, served in every profile (a model fact, kept
/// with the catalogue).
pub use crate::ocp::catalogue::UNDOCUMENTED_ROUTES;

/// Registers the documented task of every endpoint of the profile that replays and whose
/// sample answers a task (or a page of tasks): a call of it then creates a real task of that
/// DAG, which progresses, fails under `fail-at` and retries like the DELETE's. A sample the
/// task engine cannot read (none today: a unit test parses them all) keeps replaying as text.
pub fn register_documented_tasks(version: OcpVersion, templates: &mut TaskTemplates) {
    for endpoint in &Catalogue::of(version).endpoints {
        if family_handler(&endpoint.method, &endpoint.pattern).is_some() {
            continue;
        }
        if let Some(text) = endpoint.task_sample() {
            let _ = templates.add_documented(endpoint.method.as_str(), &endpoint.pattern, text);
        }
    }
}

/// The mock's own API under `/__mock/`.
pub fn admin_router() -> Router<AdminHandler> {
    let mut router = Router::default();
    for route in ROUTES.iter().flat_map(|t| t.iter()) {
        for (method, handler) in route.methods {
            if let Handler::Admin(handler) = handler {
                router.insert(method.clone(), segments(route.pattern), *handler);
            }
        }
    }
    router
}

/// The handler a family table has for `method` on `pattern` (captures written `{name}`; a
/// family's `{id:[\\d]+}` counts as `{id}`).
pub fn family_handler(method: &Method, pattern: &str) -> Option<OcpHandler> {
    ROUTES
        .iter()
        .flat_map(|t| t.iter())
        .filter(|r| same_path(r.pattern, pattern))
        .flat_map(|r| r.methods.iter())
        .find_map(|(m, h)| match h {
            Handler::Ocp(h) if m == method => Some(*h),
            _ => None,
        })
}

/// Whether two patterns name the same path, captures compared by name only (a family's
/// `{id:[\\d]+}` is `{id}`). Without allocating: the mock's start-up runs it for every pair
/// of a documented endpoint and a family route.
fn same_path(a: &str, b: &str) -> bool {
    fn literal(p: &str) -> &str {
        p.find('{').map_or(p, |at| &p[..at])
    }
    if literal(a) != literal(b) {
        return false;
    }
    let (mut a, mut b) = (segments(a), segments(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(Seg::Literal(x)), Some(Seg::Literal(y))) if x == y => {}
            (Some(Seg::Capture { name: x, .. }), Some(Seg::Capture { name: y, .. })) if x == y => {}
            _ => return false,
        }
    }
}

/// A pattern with its captures written `{name}`.
#[cfg(test)]
fn plain(pattern: &str) -> String {
    segments(pattern)
        .map(|s| match s {
            Seg::Literal(text) => format!("/{text}"),
            Seg::Capture { name, .. } => format!("/{{{name}}}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::api::{SERVERS_DELETE, ob, obproxy, servers};

    fn handler_of(version: OcpVersion, method: Method, path: &str) -> Result<OcpHandler, u16> {
        ocp_router(version)
            .resolve(&method, path)
            .map(|(t, _)| t.handler)
            .map_err(|e| e.status())
    }

    #[test]
    fn a_family_route_answers_only_in_the_profiles_that_document_it() {
        let path = "/api/v2/obproxy/clusters/1/servers/delete";
        let handler = handler_of(OcpVersion::V4_3_5, Method::POST, path).ok();
        assert!(
            handler.is_some_and(|h| std::ptr::fn_addr_eq(h, servers::delete_servers as OcpHandler))
        );
        for version in [OcpVersion::V3_1_1, OcpVersion::V4_2_2, OcpVersion::V4_3_4] {
            // Unknown to the profile: 404 for any method, as before 4.3.5.
            assert_eq!(handler_of(version, Method::POST, path).err(), Some(404));
            assert_eq!(handler_of(version, Method::GET, path).err(), Some(404));
        }
        assert!(family_handler(&Method::POST, SERVERS_DELETE).is_some());
    }

    #[test]
    fn every_family_route_is_documented_by_some_version_or_listed_as_undocumented() {
        for route in ROUTES.iter().flat_map(|t| t.iter()) {
            for (method, handler) in route.methods {
                if let Handler::Ocp(_) = handler {
                    let documented = OcpVersion::ALL.iter().any(|v| {
                        Catalogue::of(*v)
                            .get(method, &plain(route.pattern))
                            .is_some()
                    });
                    let listed = UNDOCUMENTED_ROUTES.contains(&(method.as_str(), route.pattern));
                    assert!(documented != listed, "{method} {}", route.pattern);
                }
            }
        }
    }

    #[test]
    fn patterns_are_the_same_path_when_segments_and_capture_names_agree() {
        assert!(same_path("/api/v2/x/{id:[\\d]+}", "/api/v2/x/{id}"));
        assert!(!same_path("/api/v2/x/{id}", "/api/v2/x/{clusterId}"));
        assert!(!same_path("/api/v2/x/{id}", "/api/v2/x/{id}/y"));
        assert!(!same_path("/api/v2/x", "/api/v2/{x}"));
    }

    #[test]
    fn an_undocumented_family_route_answers_in_every_profile() {
        for version in OcpVersion::ALL {
            let ob = handler_of(version, Method::GET, "/api/v2/ob/clusters/1");
            assert!(ob.is_ok_and(|h| std::ptr::fn_addr_eq(h, ob::get_cluster as OcpHandler)));
        }
    }

    #[test]
    fn a_documented_endpoint_without_a_family_handler_replays() {
        let delete = handler_of(
            OcpVersion::V4_3_4,
            Method::DELETE,
            "/api/v2/obproxy/clusters/1/obproxies/2",
        );
        assert!(
            delete.is_ok_and(|h| std::ptr::fn_addr_eq(h, obproxy::delete_obproxies as OcpHandler))
        );
        let types = handler_of(OcpVersion::V4_3_4, Method::GET, "/api/v2/compute/hostTypes");
        assert!(types.is_ok_and(|h| std::ptr::fn_addr_eq(h, replay::replay as OcpHandler)));
    }
}
