//! OCP's response envelope: `data, successful, timestamp, duration, status, traceId, server`
//! on success, `error` in place of `data` on failure. Keys come out sorted, as OCP writes them.

use serde_json::{Map, Value, json};

use super::error::{self as ocp_error, ErrorCodeStyle, Language, OcpError};
use super::holes::{write_int, write_str};
use super::time::{format_time, write_time};
use super::version::OcpVersion;

/// The fields every envelope carries besides `data` or `error`, borrowed: they are written
/// once per answer, never kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvelopeMeta<'a> {
    pub timestamp_ms: i64,
    pub duration_ms: i64,
    pub trace_id: &'a str,
    pub server: &'a str,
}

impl EnvelopeMeta<'_> {
    fn into_map(self, status: u16, successful: bool) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("duration".into(), json!(self.duration_ms));
        m.insert("server".into(), json!(self.server));
        m.insert("status".into(), json!(status));
        m.insert("successful".into(), json!(successful));
        m.insert("timestamp".into(), json!(format_time(self.timestamp_ms)));
        m.insert("traceId".into(), json!(self.trace_id));
        m
    }
}

/// Writes an envelope's `data` into the answer's buffer.
pub type WriteData<'a> = dyn FnMut(&mut Vec<u8>) + 'a;

/// A success envelope, serialised; `data` is omitted when there is none, as OCP omits nulls.
///
/// Written field by field in OCP's sorted key order (`data` first), so `write_data` writes the
/// data straight into the answer's one buffer; `size_hint` is the data's expected size.
pub fn success(
    status: u16,
    meta: EnvelopeMeta<'_>,
    write_data: Option<&mut WriteData<'_>>,
    size_hint: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(size_hint + 192);
    out.push(b'{');
    if let Some(write_data) = write_data {
        out.extend_from_slice(b"\"data\":");
        write_data(&mut out);
        out.push(b',');
    }
    out.extend_from_slice(b"\"duration\":");
    write_int(&mut out, meta.duration_ms);
    out.extend_from_slice(b",\"server\":");
    write_str(&mut out, meta.server);
    out.extend_from_slice(b",\"status\":");
    write_int(&mut out, i64::from(status));
    out.extend_from_slice(b",\"successful\":true,\"timestamp\":");
    write_time(&mut out, meta.timestamp_ms);
    out.extend_from_slice(b",\"traceId\":");
    write_str(&mut out, meta.trace_id);
    out.push(b'}');
    out
}

/// An error envelope: OCP's `error` object as `version` writes it (its code and wording), in
/// the caller's language; `style`, when set, forces the form of `code`.
pub fn error(
    err: &OcpError,
    lang: Language,
    version: OcpVersion,
    style: Option<ErrorCodeStyle>,
    meta: EnvelopeMeta<'_>,
) -> Value {
    let mut e = Map::new();
    e.insert("code".into(), ocp_error::code(err.code.id, version, style));
    e.insert("message".into(), json!(err.message(version, lang)));
    if let Some(debug) = &err.debug_message {
        e.insert("debugMessage".into(), json!(debug));
    }
    if let Some(target) = &err.target {
        e.insert("target".into(), json!(target));
    }
    let mut m = meta.into_map(err.status(), false);
    m.insert("error".into(), Value::Object(e));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocp::error::{CLUSTER_NOT_FOUND, TASK_NOT_FOUND};

    fn meta() -> EnvelopeMeta<'static> {
        EnvelopeMeta {
            timestamp_ms: 0,
            duration_ms: 3,
            trace_id: "0123456789abcdef",
            server: "mock",
        }
    }

    #[test]
    fn an_error_envelope_has_no_data_and_the_version_code() {
        let err = OcpError::new(&CLUSTER_NOT_FOUND, vec!["9".into()]);
        let v = error(&err, Language::En, OcpVersion::V4_3_4, None, meta());
        assert_eq!(v["status"], 404);
        assert_eq!(v["successful"], false);
        assert_eq!(v["error"]["code"], "ODP21001");
        assert!(v.get("data").is_none());
        let v = error(&err, Language::Zh, OcpVersion::V3_1_1, None, meta());
        assert_eq!(v["error"]["code"], 21001);
        assert_eq!(v["error"]["message"], "未找到obproxy cluster, id=9。");
    }

    #[test]
    fn a_forced_code_style_keeps_the_version_wording() {
        let err = OcpError::new(&TASK_NOT_FOUND, vec!["7".into()]);
        let number = Some(ErrorCodeStyle::Number);
        let v = error(&err, Language::En, OcpVersion::V4_3_4, number, meta());
        assert_eq!(v["error"]["code"], 4001);
        assert_eq!(v["error"]["message"], "The 7 task does not exist.");
        let string = Some(ErrorCodeStyle::String);
        let v = error(&err, Language::Zh, OcpVersion::V3_1_1, string, meta());
        assert_eq!(v["error"]["code"], "TSK10001");
        assert_eq!(v["error"]["message"], "任务 7 不存在。");
    }

    #[test]
    fn a_success_envelope_is_what_serialising_its_value_gives() {
        let data = json!({"b": [1, "x"], "a": {"\"": null}});
        let text = success(
            200,
            meta(),
            Some(&mut |out: &mut Vec<u8>| out.extend_from_slice(data.to_string().as_bytes())),
            0,
        );
        let mut expected = meta().into_map(200, true);
        expected.insert("data".into(), data.clone());
        assert_eq!(text, Value::Object(expected).to_string().into_bytes());
        let text = success(200, meta(), None, 0);
        let expected = Value::Object(meta().into_map(200, true));
        assert_eq!(text, expected.to_string().into_bytes());
    }

    #[test]
    fn keys_are_written_in_sorted_order() {
        let text = String::from_utf8(success(200, meta(), None, 0)).unwrap();
        let keys: Vec<&str> = ["duration", "server", "status", "successful", "timestamp"]
            .into_iter()
            .filter(|k| text.contains(k))
            .collect();
        let mut positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
        let sorted = {
            let mut p = positions.clone();
            p.sort_unstable();
            p
        };
        assert_eq!(positions, sorted);
        positions.dedup();
        assert_eq!(positions.len(), 5);
    }
}
