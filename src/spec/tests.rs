//! The embedded schemas against the pages' samples, and against answers they must refuse.

use http::Method;
use serde_json::json;

use super::*;

#[test]
fn every_version_has_a_schema_per_documented_endpoint() {
    for version in OcpVersion::ALL {
        let schemas = EndpointSchemas::of(version);
        let catalogue = Catalogue::of(version);
        assert_eq!(
            schemas.iter().count(),
            catalogue.endpoints.len(),
            "{version}"
        );
        for (schema, endpoint) in schemas.iter().zip(&catalogue.endpoints) {
            assert_eq!(
                (&schema.method, &schema.path),
                (&endpoint.method, &endpoint.pattern)
            );
        }
    }
}

#[test]
fn a_concrete_path_finds_its_pattern() {
    let schemas = EndpointSchemas::of(OcpVersion::V4_3_4);
    let found = schemas
        .find(&Method::GET, "/api/v2/obproxy/clusters/12?x=1")
        .unwrap();
    assert_eq!(found.path, "/api/v2/obproxy/clusters/{id}");
    assert!(schemas.find(&Method::GET, "/api/v2/nowhere").is_none());
    assert!(schemas.get(&Method::GET, "/api/v2/time").unwrap().is_text());
    let _ = json!(null);
}
