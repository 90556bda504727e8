//! Reading the JSON bodies of OBProxy calls: each field checked against the type OCP's request
//! tables give it, a refusal naming the field (400 `COM10001`, `target` the field).

use serde_json::{Map, Value};

use crate::mock::request::MockRequest;
use crate::ocp::error::OcpError;
use crate::ocp::ids::json_long;
use crate::ocp::inventory::ObLink;

/// A request body that must be a JSON object.
pub struct Body(Map<String, Value>);

/// The invalid-parameter error for `field`, showing the value given.
fn bad(field: &str, value: &Value, why: &str) -> OcpError {
    OcpError::invalid_parameter(field, &value.to_string(), why)
}

/// The text of a body that is not what the call wants, as a refusal quotes it.
fn quoted(req: &MockRequest) -> String {
    String::from_utf8_lossy(&req.body).into_owned()
}

impl Body {
    /// The request's body as a JSON object, or a 400 naming `body`.
    pub fn object(req: &MockRequest) -> Result<Self, OcpError> {
        match Self::value(req)? {
            Value::Object(map) => Ok(Self(map)),
            _ => Err(OcpError::invalid_parameter(
                "body",
                &quoted(req),
                "not a JSON object",
            )),
        }
    }

    /// The request's body as any JSON value, or a 400 naming `body`.
    pub fn value(req: &MockRequest) -> Result<Value, OcpError> {
        serde_json::from_slice(&req.body)
            .map_err(|e| OcpError::invalid_parameter("body", &quoted(req), &e.to_string()))
    }

    /// Wraps an object already read (an item of a list).
    pub fn of(map: Map<String, Value>) -> Self {
        Self(map)
    }

    /// Field `key`, absent when missing or null.
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// Whether field `key` is given (present and not null).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A required field, or a 400 saying it must not be null.
    fn need(&self, key: &str) -> Result<&Value, OcpError> {
        self.get(key)
            .ok_or_else(|| bad(key, &Value::Null, "must not be null"))
    }

    /// An optional string.
    pub fn opt_text(&self, key: &str) -> Result<Option<String>, OcpError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(bad(key, v, "not a string")),
        }
    }

    /// A required string, not blank.
    pub fn text(&self, key: &str) -> Result<String, OcpError> {
        let value = self.need(key)?;
        match value.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(s.to_owned()),
            Some(_) => Err(bad(key, value, "must not be blank")),
            None => Err(bad(key, value, "not a string")),
        }
    }

    /// An optional port: an integer from 1 to 65535.
    pub fn opt_port(&self, key: &str) -> Result<Option<u16>, OcpError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match json_long(v).and_then(|p| u16::try_from(p).ok()) {
                Some(p) if p > 0 => Ok(Some(p)),
                _ => Err(bad(key, v, "not a port from 1 to 65535")),
            },
        }
    }

    /// A required port.
    pub fn port(&self, key: &str) -> Result<u16, OcpError> {
        self.need(key)?;
        self.opt_port(key)
            .map(|p| p.expect("present, as just checked"))
    }

    /// A required `Long`.
    pub fn long(&self, key: &str) -> Result<i64, OcpError> {
        let value = self.need(key)?;
        json_long(value).ok_or_else(|| bad(key, value, "not a Long"))
    }

    /// A required list of `Long`s, not empty, at most `max` long.
    pub fn longs(&self, key: &str, max: usize) -> Result<Vec<i64>, OcpError> {
        let value = self.need(key)?;
        let ids: Vec<i64> = value
            .as_array()
            .and_then(|a| a.iter().map(json_long).collect())
            .ok_or_else(|| bad(key, value, "not a list of Longs"))?;
        if ids.is_empty() {
            return Err(bad(key, value, "must not be empty"));
        }
        if ids.len() > max {
            let why = format!("{} ids, more than the limit of {max}", ids.len());
            return Err(bad(key, value, &why));
        }
        Ok(ids)
    }

    /// A required list of objects, not empty, at most `max` long.
    pub fn objects(&self, key: &str, max: usize) -> Result<Vec<Body>, OcpError> {
        let value = self.need(key)?;
        let items = value
            .as_array()
            .ok_or_else(|| bad(key, value, "not a list"))?;
        if items.is_empty() || items.len() > max {
            let why = format!("must hold from 1 to {max} items");
            return Err(bad(key, value, &why));
        }
        items
            .iter()
            .map(|item| match item {
                Value::Object(map) => Ok(Body(map.clone())),
                other => Err(bad(key, other, "an item is not an object")),
            })
            .collect()
    }

    /// An optional object.
    pub fn opt_object(&self, key: &str) -> Result<Option<Body>, OcpError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Body(map.clone()))),
            Some(v) => Err(bad(key, v, "not an object")),
        }
    }
}

/// OCP's ObLink as a request gives it: `clusterName`, `obClusterId` and `username` required;
/// `clusterId` (OCP's id of the OceanBase cluster) defaults to `obClusterId`. A new link is to a
/// RUNNING PRIMARY cluster, the documented sample's values.
pub fn ob_link(item: &Body) -> Result<ObLink, OcpError> {
    let ob_cluster_id = item.long("obClusterId")?;
    let cluster_id = match item.get("clusterId") {
        None => ob_cluster_id,
        Some(_) => item.long("clusterId")?,
    };
    Ok(ObLink {
        cluster_id,
        cluster_name: item.text("clusterName")?,
        username: item.text("username")?,
        status: "RUNNING".into(),
        ob_cluster_id,
        cluster_type: "PRIMARY".into(),
    })
}

/// A list of ObLinks: every item checked before any is used. Two links to a cluster of the
/// same name are one, the later winning, as a link to a cluster the OBProxy cluster already
/// links to replaces the old one.
pub fn ob_links(items: &[Body]) -> Result<Vec<ObLink>, OcpError> {
    let links: Vec<ObLink> = items.iter().map(ob_link).collect::<Result<_, _>>()?;
    let mut out: Vec<ObLink> = Vec::with_capacity(links.len());
    for link in links {
        match out.iter_mut().find(|l| l.cluster_name == link.cluster_name) {
            Some(earlier) => *earlier = link,
            None => out.push(link),
        }
    }
    Ok(out)
}
