use super::*;

fn router(patterns: &[(Method, &'static str, u32)]) -> Router<u32> {
    let mut r = Router::default();
    for (m, p, v) in patterns {
        r.insert(m.clone(), segments(p), *v);
    }
    r
}

fn value(
    r: &Router<u32>,
    method: Method,
    path: &str,
) -> Result<(u32, Vec<(String, String)>), OcpError> {
    r.resolve(&method, path).map(|(v, p)| {
        let params = p
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        (*v, params)
    })
}

#[test]
fn a_literal_segment_wins_over_a_capture_in_either_order() {
    let table = [
        (Method::POST, "/c/{id}/obproxies/{obproxyIds}", 1),
        (Method::POST, "/c/{id}/obproxies/batchAdd", 2),
    ];
    for patterns in [table.to_vec(), table.iter().rev().cloned().collect()] {
        let r = router(&patterns);
        assert_eq!(
            value(&r, Method::POST, "/c/1/obproxies/batchAdd")
                .unwrap()
                .0,
            2
        );
        let (v, params) = value(&r, Method::POST, "/c/1/obproxies/7,8").unwrap();
        assert_eq!(v, 1);
        assert_eq!(
            params,
            [
                ("id".into(), "1".into()),
                ("obproxyIds".into(), "7,8".into())
            ]
        );
    }
}

#[test]
fn a_dead_end_literal_falls_back_to_the_capture() {
    let r = router(&[(Method::GET, "/a/{x}/c", 1), (Method::GET, "/a/b/d", 2)]);
    let (v, params) = value(&r, Method::GET, "/a/b/c").unwrap();
    assert_eq!((v, params), (1, vec![("x".into(), "b".into())]));
}

#[test]
fn a_digits_capture_takes_digits_only_and_names_its_parameter() {
    let r = router(&[(Method::POST, "/clusters/{id:[\\\\d]+}/failover", 1)]);
    let (_, params) = value(&r, Method::POST, "/clusters/42/failover").unwrap();
    assert_eq!(params, [("id".into(), "42".into())]);
    let err = value(&r, Method::POST, "/clusters/x42/failover").unwrap_err();
    assert_eq!(err.status(), 404);
}

#[test]
fn captures_of_one_position_keep_each_routes_own_names() {
    let r = router(&[
        (Method::GET, "/clusters/{id}", 1),
        (Method::GET, "/clusters/{clusterId}/tenants", 2),
    ]);
    assert_eq!(value(&r, Method::GET, "/clusters/3").unwrap().1[0].0, "id");
    assert_eq!(
        value(&r, Method::GET, "/clusters/3/tenants").unwrap().1[0].0,
        "clusterId"
    );
}

#[test]
fn an_unknown_path_is_404_and_another_method_405_listing_the_path_s_methods() {
    let r = router(&[
        (Method::DELETE, "/clusters/{id}", 1),
        (Method::GET, "/clusters/{id}", 2),
        (Method::PATCH, "/clusters/{id}", 3),
    ]);
    assert_eq!(
        value(&r, Method::GET, "/nowhere").unwrap_err().status(),
        404
    );
    assert_eq!(
        value(&r, Method::GET, "/clusters/1/more")
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        value(&r, Method::GET, "no-slash").unwrap_err().status(),
        404
    );
    let err = value(&r, Method::PUT, "/clusters/1").unwrap_err();
    assert_eq!(err.status(), 405);
    let allow = err
        .headers
        .iter()
        .find(|(n, _)| *n == "allow")
        .map(|(_, v)| v.as_str());
    assert_eq!(allow, Some("GET, PATCH, DELETE"));
}

#[test]
fn captures_are_percent_decoded() {
    let r = router(&[(Method::GET, "/users/{username}", 1)]);
    let (_, params) = value(&r, Method::GET, "/users/a%20b").unwrap();
    assert_eq!(params, [("username".into(), "a b".into())]);
}

#[test]
fn a_path_deeper_than_any_route_can_be_is_404_and_the_deepest_allowed_matches() {
    let deepest: &'static str = format!("{}/{{id}}", "/a".repeat(MAX_DEPTH - 1)).leak();
    let r = router(&[(Method::GET, deepest, 2)]);
    let path = format!("{}/7", "/a".repeat(MAX_DEPTH - 1));
    assert_eq!(
        value(&r, Method::GET, &path).ok(),
        Some((2, vec![("id".to_owned(), "7".to_owned())]))
    );
    let too_deep = format!("{}/7", "/a".repeat(MAX_DEPTH));
    assert_eq!(value(&r, Method::GET, &too_deep).unwrap_err().status(), 404);
}
