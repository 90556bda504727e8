//! In-process figures on one core: the router's lookup against its number of routes, contract
//! checks and signature checks.

use std::time::{Duration, Instant};

use http::Method;
use ocp_mock::OcpVersion;
use ocp_mock::catalogue::Catalogue;
use ocp_mock::router::{Router, segments};

use crate::wrk::DOCUMENTED_PATH;

const EXAMPLE: &str = include_str!("../../fixtures/delete-obproxy.json");

/// Repeats `f` for about `span`; nanoseconds per call.
fn nanos_per_call(span: Duration, mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < span {
        for _ in 0..1000 {
            f();
        }
        n += 1000;
    }
    started.elapsed().as_nanos() as f64 / n as f64
}

/// Nanoseconds per lookup of the documented DELETE and of the catalogue's last endpoint, in a
/// router of the one route, of the 4.3.5 catalogue, and of the catalogue with 10,000 more.
pub fn router_lookups() -> Vec<(usize, f64, f64)> {
    let catalogue = Catalogue::of(OcpVersion::V4_3_5);
    let last = catalogue.endpoints.last().expect("a documented endpoint");
    let last_path = last.sample_request.path.clone();
    let build = |all: bool, extra: usize| {
        let mut router: Router<usize> = Router::default();
        let mut count = 0;
        for (i, e) in catalogue.endpoints.iter().enumerate() {
            let wanted = e.method == Method::DELETE
                && e.pattern
                    .starts_with("/api/v2/obproxy/clusters/{id}/obproxies/");
            if all || wanted || std::ptr::eq(e, last) {
                router.insert(e.method.clone(), segments(&e.pattern), i);
                count += 1;
            }
        }
        for i in 0..extra {
            let pattern: &'static str =
                format!("/api/v2/family{i}/items/{{id}}/parts/{{partId}}").leak();
            router.insert(Method::GET, segments(pattern), i);
            count += 1;
        }
        (router, count)
    };
    let routers = [build(false, 0), build(true, 0), build(true, 10_000)];
    let time = |router: &Router<usize>, method: &Method, path: &str| {
        nanos_per_call(Duration::from_millis(100), || {
            let found = router.resolve(std::hint::black_box(method), std::hint::black_box(path));
            assert!(found.is_ok(), "{method} {path}");
        })
    };
    // The routers in turn, ten times over: the fastest of each, as other work on the machine
    // only ever slows a lookup down.
    let mut best = vec![(f64::INFINITY, f64::INFINITY); routers.len()];
    for _ in 0..10 {
        for ((router, _), best) in routers.iter().zip(&mut best) {
            best.0 = best.0.min(time(router, &Method::DELETE, DOCUMENTED_PATH));
            best.1 = best.1.min(time(router, &last.method, &last_path));
        }
    }
    routers
        .iter()
        .zip(best)
        .map(|((_, count), (delete, other))| (*count, delete, other))
        .collect()
}

pub fn contract_checks_per_second() -> f64 {
    use ocp_mock::contract::{Contract, Expect};
    let body: serde_json::Value = serde_json::from_str(EXAMPLE).expect("the example");
    let contract = Contract::global();
    1e9 / nanos_per_call(Duration::from_secs(1), || {
        let v = contract.check_response(200, std::hint::black_box(&body), Expect::NewTask);
        assert!(v.is_empty());
    })
}

/// What checking one signed request costs: the string to sign rebuilt from the request's parts,
/// its HMAC-SHA1 under the secret, and the constant-time compare with the signature sent.
pub fn signature_verifications_per_second() -> f64 {
    use ocp_mock::signature::{SignedParts, Variant, constant_time_eq, sign, string_to_sign};

    let secret = "2fc0c299cc94c6be266f2ceece765d4d";
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let parts = SignedParts {
        method: "DELETE",
        content_type: "application/json",
        date: &date,
        host: "127.0.0.1:8080",
        path: DOCUMENTED_PATH,
        ..SignedParts::default()
    };
    let sent = sign(secret, &string_to_sign(&parts, Variant::PLAIN));
    1e9 / nanos_per_call(Duration::from_secs(1), || {
        let parts = std::hint::black_box(&parts);
        let expected = sign(secret, &string_to_sign(parts, Variant::PLAIN));
        assert!(constant_time_eq(expected.as_bytes(), sent.as_bytes()));
    })
}
