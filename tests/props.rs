//! Properties, over generated input: the AK/SK string to sign keeps its shape whatever goes into
//! it, and the mock's answer lists the servers a delete names, in request order, repeats folded.
//! (Path ids read as Java reads a `Long`: `src/ocp/ids/props.rs`.)

use std::collections::BTreeSet;

use ocp_mock::MockServer;
use ocp_mock::contract::{Expect, normalize};
use ocp_mock::signature::{SignedParts, Variant, canonical_resource, sign, string_to_sign};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};

use crate::support::{assert_json_eq, delete, fold};

/// Cases per property; failures are shown, not written to a regressions file.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A part of the string to sign: anything but a newline.
fn line() -> impl Strategy<Value = String> {
    "[^\n]{0,40}"
}

/// A query: `key=value` pairs from a small alphabet, so keys repeat and need encoding.
fn query_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-c%+ /é~.,]{0,4}", "[a-c0-9%+ /é~.,=]{0,6}"), 0..8)
}

fn join_query(pairs: &[(String, String)]) -> String {
    let items: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    items.join("&")
}

/// A query key as a servlet container reads it (`+` is a space): two raw keys that read the
/// same are one key, whose values keep the order they were sent in.
fn read_key(raw: &str) -> String {
    percent_encoding::percent_decode_str(&raw.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// The same pairs in another order, keeping the order of each key's values.
fn reorder(pairs: &[(String, String)], order: &[usize]) -> Vec<(String, String)> {
    let mut moved: Vec<(String, String)> = order.iter().map(|&i| pairs[i].clone()).collect();
    let keys: BTreeSet<String> = pairs.iter().map(|(k, _)| read_key(k)).collect();
    for key in keys {
        let sent: Vec<&(String, String)> =
            pairs.iter().filter(|(k, _)| read_key(k) == key).collect();
        let slots = moved.iter_mut().filter(|(k, _)| read_key(k) == key);
        for (slot, pair) in slots.zip(sent) {
            *slot = pair.clone();
        }
    }
    moved
}

/// Whether `s` holds only RFC 3986 unreserved characters and `%XX` with uppercase hex.
fn only_unreserved_and_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => i += 1,
            b'%' if b.len() > i + 2
                && b[i + 1..i + 3]
                    .iter()
                    .all(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F')) =>
            {
                i += 3
            }
            _ => return false,
        }
    }
    true
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_string_to_sign_has_seven_lines_and_one_more_per_extra_ocp_header(
        method in "[A-Za-z]{1,10}",
        body in prop::collection::vec(any::<u8>(), 0..64),
        content_type in line(),
        date in line(),
        host in line(),
        headers in prop::collection::vec(("x-ocp-[a-c]{1,2}", line()), 0..4),
        path in "/[^\n?#]{0,30}",
        query in prop::option::of("[^\n#]{0,30}"),
        encoded in any::<bool>(),
    ) {
        let parts = SignedParts {
            method: &method,
            body: &body,
            content_type: &content_type,
            date: &date,
            host: &host,
            ocp_headers: headers.iter().map(|(n, v)| (n.clone(), v.as_str())).collect(),
            path: &path,
            query: query.as_deref(),
        };
        let variant = if encoded { Variant::ENCODED_COMMA } else { Variant::PLAIN };
        let m = string_to_sign(&parts, variant);
        let names: BTreeSet<&String> = headers.iter().map(|(n, _)| n).collect();
        let lines: Vec<&str> = m.split('\n').collect();
        prop_assert_eq!(lines.len(), 6 + names.len().max(1), "{:?}", m);
        prop_assert_eq!(lines[0], method.to_ascii_uppercase());
        prop_assert_eq!(lines[1].len(), if body.is_empty() { 0 } else { 32 });
        prop_assert_eq!(lines[2], content_type.as_str());
        prop_assert_eq!(lines[3], date.as_str());
        prop_assert_eq!(lines[4], host.as_str());
        let resource = *lines.last().expect("seven lines at least");
        prop_assert!(resource.starts_with(path.as_str()), "{:?}", m);
    }

    #[test]
    fn the_order_of_query_pairs_does_not_change_the_resource(
        (pairs, order) in query_pairs().prop_flat_map(|pairs| {
            let order: Vec<usize> = (0..pairs.len()).collect();
            (Just(pairs), Just(order).prop_shuffle())
        }),
        encoded in any::<bool>(),
    ) {
        let variant = if encoded { Variant::ENCODED_COMMA } else { Variant::PLAIN };
        let moved = reorder(&pairs, &order);
        let (a, b) = (join_query(&pairs), join_query(&moved));
        prop_assert_eq!(
            canonical_resource("/p", Some(&a), variant),
            canonical_resource("/p", Some(&b), variant),
            "{:?} vs {:?}", a, b
        );
    }

    #[test]
    fn the_query_is_left_with_unreserved_characters_and_uppercase_escapes(
        query in "[^#]{1,40}",
        encoded in any::<bool>(),
    ) {
        prop_assume!(query.split('&').any(|item| !item.is_empty()));
        let variant = if encoded { Variant::ENCODED_COMMA } else { Variant::PLAIN };
        let resource = canonical_resource("/p", Some(&query), variant);
        let sorted = resource.strip_prefix("/p?");
        prop_assert!(sorted.is_some(), "{:?} -> {:?}", query, resource);
        let sorted = sorted.unwrap_or_default();
        for pair in sorted.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, "!"));
            prop_assert!(only_unreserved_and_escapes(key), "{:?} -> {:?}", query, resource);
            let values: Vec<&str> = if encoded { vec![value] } else { value.split(',').collect() };
            for v in values {
                prop_assert!(only_unreserved_and_escapes(v), "{:?} -> {:?}", query, resource);
            }
        }
    }

    #[test]
    fn a_signature_is_28_characters_of_padded_base64(
        secret in any::<String>(),
        message in any::<String>(),
    ) {
        let signature = sign(&secret, &message);
        prop_assert_eq!(signature.len(), 28, "{}", signature);
        prop_assert!(signature.ends_with('='), "{}", signature);
        prop_assert!(
            signature[..27].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/'),
            "{}", signature
        );
        prop_assert_eq!(sign(&secret, &message), signature);
    }
}

/// A subtask id or a list entry as junk may write it: an integer (few, so they repeat and
/// name each other), a position label as normalisation writes it, or something else.
fn id_like() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0i64..6).prop_map(Value::from),
        1 => (1i64..6).prop_map(|n| Value::from(format!("#{n}"))),
        1 => Just(json!("x")),
    ]
}

/// A task of up to eight subtasks whose edges go anywhere: mirrored or not, cycles, repeats.
fn any_task() -> impl Strategy<Value = Value> {
    let subtask = (
        prop::option::of(id_like()),
        prop::sample::select(vec!["a", "b", "c"]),
        -1i64..2,
        prop::collection::vec(id_like(), 0..3),
        prop::collection::vec(id_like(), 0..3),
    )
        .prop_map(|(id, name, lane, upstreams, downstreams)| {
            let mut subtask = json!({"name": name, "parallelIdx": lane,
                "upstreams": upstreams, "downstreams": downstreams});
            if let Some(id) = id {
                subtask["id"] = id;
            }
            subtask
        });
    prop::collection::vec(subtask, 0..8)
        .prop_map(|subtasks| json!({"successful": true, "data": {"id": 7, "subtasks": subtasks}}))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn normalizing_twice_changes_nothing_more(task in any_task()) {
        let once = normalize(&task);
        assert_json_eq!(normalize(&once), once, "{}", task);
    }
}

/// One way of writing a server id in a path: as is, signed, zero-padded or percent-encoded.
fn written(id: i64, form: u8) -> String {
    match form % 4 {
        0 => id.to_string(),
        1 => format!("+{id}"),
        2 => format!("00{id}"),
        _ => id
            .to_string()
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect(),
    }
}

#[test]
fn a_delete_lists_its_servers_in_request_order_with_repeats_folded() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the mock");
    let mock = runtime.block_on(MockServer::start());
    let mut runner = proptest::test_runner::TestRunner::new(config(32));
    let ids = prop::collection::vec((1i64..=4, any::<u8>()), 1..12);
    runner
        .run(&ids, |ids| {
            mock.reset();
            let list: Vec<String> = ids.iter().map(|&(id, form)| written(id, form)).collect();
            let path = format!("/api/v2/obproxy/clusters/1/obproxies/{}", list.join(","));
            let reply = runtime.block_on(delete(mock.address(), &path));
            prop_assert_eq!(reply.status, 200, "DELETE {}", path);
            let body = reply.checked(Expect::NewTask);
            let folded: Vec<Value> = fold(&ids.iter().map(|&(id, _)| id).collect::<Vec<_>>())
                .iter()
                .map(|id| Value::String(id.to_string()))
                .collect();
            let list_map = &body["data"]["context"]["listMap"];
            prop_assert_eq!(
                &list_map["obproxy_server_ids"],
                &Value::Array(folded.clone()),
                "DELETE {}",
                path
            );
            // In the default inventory server N sits on host N.
            prop_assert_eq!(
                &list_map["host_ids"],
                &Value::Array(folded),
                "DELETE {}",
                path
            );
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_query_of_separators_only_is_signed_like_no_query() {
    // scripts/ocp_sign.py, the documented reference signer, reads `?&&` as no pairs at all and
    // signs the bare path; the mock must compute the same string or refuse a right signature.
    for query in ["&", "&&", "&&&"] {
        assert_eq!(
            canonical_resource("/api/v2/obproxy/clusters", Some(query), Variant::PLAIN),
            "/api/v2/obproxy/clusters",
            "query {query:?}"
        );
    }
}
