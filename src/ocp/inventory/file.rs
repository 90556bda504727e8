//! Reading an inventory document: its lists item by item, and the values a field takes when an
//! older file leaves it out.
//!
//! Inventory files written before the mock answered every documented field of ObproxyCluster
//! and ObproxyServer hold none of the newer fields. They keep loading: each missing field takes
//! the value of OCP's documented sample response (`GET /api/v2/obproxy/clusters/{id}`), the one
//! a reader of the docs expects to see.

use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

use super::{Host, InventoryError, ObCluster, ObproxyCluster, ObproxyServer, Tenant};
use crate::ocp::time::parse_time;

/// The documented sample's `parameterVersion`, of the cluster and of its OBProxy.
pub(super) fn parameter_version() -> i64 {
    3
}

/// OCP's built-in administrator, the documented sample's creator (`creatorId` 100).
pub(super) fn creator_id() -> i64 {
    100
}

/// The documented sample's `creatorName`.
pub(super) fn creator_name() -> String {
    "admin".into()
}

/// The documented sample's `createTime`, `2021-09-01T16:52:56+08:00`.
pub(super) fn create_time() -> i64 {
    1_630_486_376_000
}

/// The documented sample's `updateTime`, `2021-09-01T16:59:14+08:00`.
pub(super) fn update_time() -> i64 {
    1_630_486_754_000
}

/// The documented sample's `lastActiveTime`, `2021-09-01T16:59:06+08:00`.
pub(super) fn last_active_time() -> i64 {
    1_630_486_746_000
}

/// The documented sample's `idcName`.
pub(super) fn idc_name() -> String {
    "am171".into()
}

/// The documented sample's `architecture`.
pub(super) fn architecture() -> String {
    "x86_64".into()
}

/// A time field as OCP writes it (`2021-09-01T16:52:56+08:00`, 0 to 9 fractional digits),
/// read into epoch milliseconds.
pub(super) fn ocp_time<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let text = String::deserialize(d)?;
    parse_time(&text).ok_or_else(|| {
        D::Error::custom(format!(
            "{text:?} is not a time as OCP writes it (2021-09-01T16:52:56+08:00)"
        ))
    })
}

/// The lists of a file, before their ids are checked against each other.
pub(super) struct InventoryFile {
    pub(super) clusters: Vec<ObproxyCluster>,
    pub(super) hosts: Vec<Host>,
    pub(super) obproxies: Vec<ObproxyServer>,
    /// Optional: a file without them has no OceanBase clusters.
    pub(super) ob_clusters: Vec<ObCluster>,
    /// Optional: a file without them has no tenants.
    pub(super) tenants: Vec<Tenant>,
}

/// The lists a file must have.
const REQUIRED: [&str; 3] = ["clusters", "hosts", "obproxies"];
/// The lists a file may leave out.
const OPTIONAL: [&str; 2] = ["obClusters", "tenants"];

/// Reads the lists item by item, so a wrong field is reported with the pointer of its item
/// (and of the field itself when serde names it).
pub(super) fn read_file(value: Value) -> Result<InventoryFile, InventoryError> {
    let at = |pointer: String, reason: String| InventoryError { pointer, reason };
    let Value::Object(mut top) = value else {
        return Err(at(
            String::new(),
            "expected an object with clusters, hosts and obproxies (obClusters and tenants optional)".into(),
        ));
    };
    if let Some(extra) = top
        .keys()
        .find(|k| !REQUIRED.contains(&k.as_str()) && !OPTIONAL.contains(&k.as_str()))
    {
        return Err(at(format!("/{extra}"), "unknown field".into()));
    }
    fn list<T: serde::de::DeserializeOwned>(
        top: &mut serde_json::Map<String, Value>,
        key: &str,
    ) -> Result<Vec<T>, InventoryError> {
        let missing = OPTIONAL.contains(&key) && !top.contains_key(key);
        let Some(Value::Array(items)) = top
            .remove(key)
            .or(missing.then(|| Value::Array(Vec::new())))
        else {
            return Err(InventoryError {
                pointer: format!("/{key}"),
                reason: "missing, or not a list".into(),
            });
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                serde_json::from_value(item).map_err(|e| {
                    let message = e.to_string();
                    // serde names the field in `missing field `x`` and `unknown field `x``.
                    let field = message
                        .split('`')
                        .nth(1)
                        .filter(|_| message.contains("field"));
                    InventoryError {
                        pointer: match field {
                            Some(f) => format!("/{key}/{i}/{f}"),
                            None => format!("/{key}/{i}"),
                        },
                        reason: without_values(&message),
                    }
                })
            })
            .collect()
    }
    Ok(InventoryFile {
        clusters: list(&mut top, "clusters")?,
        hosts: list(&mut top, "hosts")?,
        obproxies: list(&mut top, "obproxies")?,
        ob_clusters: list(&mut top, "obClusters")?,
        tenants: list(&mut top, "tenants")?,
    })
}

/// serde's message without the value it quotes: an inventory's strings may hold secrets, and
/// the error is printed. The kind of value and what was expected are kept.
fn without_values(message: &str) -> String {
    let expected = |rest: &str| {
        rest.split_once(", expected ")
            .map_or(String::new(), |(_, e)| format!(", expected {e}"))
    };
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let kind = rest.split([' ', ',']).next().unwrap_or_default();
            return format!("{prefix}{kind}{}", expected(rest));
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return format!("unknown variant{}", expected(rest));
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::Inventory;

    #[test]
    fn a_wrong_value_is_described_never_quoted() {
        let wrong = serde_json::json!([{"id": "hunter2"}]);
        let err = serde_json::from_value::<Vec<super::ObproxyCluster>>(wrong).unwrap_err();
        assert!(
            err.to_string().contains("hunter2"),
            "serde quotes it: {err}"
        );
        let said = super::without_values(&err.to_string());
        assert_eq!(said, "invalid type: string, expected i64");
        assert_eq!(
            super::without_values("unknown variant `s3cret`, expected `A` or `B`"),
            "unknown variant, expected `A` or `B`"
        );
        assert_eq!(
            super::without_values("missing field `name`"),
            "missing field `name`"
        );
    }

    /// An inventory as files were written before the mock answered every documented field.
    const OLD: &str = r#"{
        "clusters": [{"id": 7, "name": "old one", "address": "192.0.2.9", "port": 2883, "workMode": "RS_LIST"}],
        "hosts": [{"id": 3, "ip": "192.0.2.9", "name": "h"}],
        "obproxies": [{"id": 4, "clusterId": 7, "hostId": 3, "sqlPort": 2883, "exporterPort": 2884,
                       "version": "4.2.1.0", "status": "RUNNING", "operateStatus": "NORMAL"}]
    }"#;

    #[test]
    fn an_old_inventory_loads_with_the_documented_samples_values() {
        let inv = Inventory::parse(OLD).unwrap();
        let cluster = inv.cluster(7).unwrap();
        let json = inv.cluster_json(cluster);
        assert_eq!(json["parameterVersion"], 3);
        assert_eq!(json["creatorId"], 100);
        assert_eq!(json["creatorName"], "admin");
        assert_eq!(json["createTime"], "2021-09-01T16:52:56+08:00");
        assert_eq!(json["updateTime"], "2021-09-01T16:59:14+08:00");
        assert_eq!(
            json["configUrl"],
            "http://127.0.0.1:8080/services?Action=GetObProxyConfig&User_ID=alibaba&UID=admin&ObproxyClusterName=old+one"
        );
        assert_eq!(json["obLinks"], serde_json::json!([]));
        let server = &json["obproxies"][0];
        assert_eq!(server["idcName"], "am171");
        assert_eq!(server["architecture"], "x86_64");
        assert_eq!(server["lastActiveTime"], "2021-09-01T16:59:06+08:00");
        assert_eq!(server["parameterVersion"], 3);
    }

    #[test]
    fn a_time_not_in_ocps_format_is_pointed_at() {
        let text = OLD.replacen(
            "\"workMode\": \"RS_LIST\"",
            "\"workMode\": \"RS_LIST\", \"createTime\": \"yesterday\"",
            1,
        );
        let err = Inventory::parse(&text).unwrap_err();
        assert_eq!(err.pointer, "/clusters/0");
        assert!(
            err.reason.starts_with("\"yesterday\" is not a time"),
            "{err}"
        );
    }

    #[test]
    fn a_link_with_an_undocumented_status_is_pointed_at() {
        let link = r#""obLinks": [{"clusterId": 1, "clusterName": "ob", "username": "proxyro",
            "status": "ASLEEP", "obClusterId": 1, "clusterType": "PRIMARY"}]"#;
        let text = OLD.replacen(
            "\"workMode\": \"RS_LIST\"",
            &format!("\"workMode\": \"RS_LIST\", {link}"),
            1,
        );
        let err = Inventory::parse(&text).unwrap_err();
        assert_eq!(err.pointer, "/clusters/0/obLinks/0/status");
        assert_eq!(err.reason, "unknown status \"ASLEEP\"");
    }
}
