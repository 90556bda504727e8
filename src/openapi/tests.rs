use serde_json::Value;

use super::*;

#[test]
fn placeholder_compiles() {
    let doc = document(OcpVersion::V4_3_4);
    assert_eq!(doc["openapi"], Value::from(OPENAPI_VERSION));
}
