//! Paging as OCP's list routes do it (Spring Data's one-indexed pageable resolver): which page a
//! query asks for, and the `{contents, page}` object a list answers with.
//!
//! Every list route reads its page the same way and writes the same page object, so a client's
//! paging loop behaves alike on all of them.

use serde_json::{Value, json};

use crate::mock::request::MockRequest;
use crate::ocp::error::OcpError;

/// The page size when none is asked for: the documented samples' `size`.
pub const DEFAULT_PAGE_SIZE: i64 = 10;

/// The largest page: Spring Data's default `maxPageSize`, and the documented maximum of the
/// task list's `size`; a larger `size` is cut to it.
pub const MAX_PAGE_SIZE: i64 = 2000;

/// The page a query asks for, already bounded: `page` from 1, `size` from 1 to
/// [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// The page number, counted from 1.
    pub page: i64,
    /// Entries per page.
    pub size: i64,
}

impl PageRequest {
    /// Reads `page` and `size` as Spring does and refuses nothing: values that are absent,
    /// empty or not 32-bit numbers take their defaults (page 1, size 10); a page under 1 is page
    /// 1; a size under 1 is 10 and one over 2000 is 2000.
    pub fn from_query(req: &MockRequest) -> Self {
        let page =
            spring_int(req.query_param("page").as_deref()).map_or(1, |p| i64::from(p).max(1));
        let size = match spring_int(req.query_param("size").as_deref()) {
            Some(s) if s >= 1 => i64::from(s).min(MAX_PAGE_SIZE),
            _ => DEFAULT_PAGE_SIZE,
        };
        Self { page, size }
    }

    /// How many entries come before this page.
    pub fn offset(&self) -> usize {
        usize::try_from((self.page - 1).saturating_mul(self.size)).unwrap_or(usize::MAX)
    }

    /// Entries on a full page.
    pub fn limit(&self) -> usize {
        usize::try_from(self.size).unwrap_or(0)
    }

    /// Whether the entry at `index` (counted from 0 over every match) is on this page.
    pub fn holds(&self, index: usize) -> bool {
        index >= self.offset() && index - self.offset() < self.limit()
    }

    /// This page of `items` (all of them, already filtered and sorted), each rendered by
    /// `render`: only the page's items are rendered.
    pub fn of_items<T>(&self, items: Vec<T>, render: impl Fn(T) -> Value) -> Value {
        let total = items.len();
        let contents = items
            .into_iter()
            .skip(self.offset())
            .take(self.limit())
            .map(render)
            .collect();
        self.answer(contents, total)
    }

    /// The page object: this page's `contents` out of `total` entries.
    pub fn answer(&self, contents: Vec<Value>, total: usize) -> Value {
        let total = i64::try_from(total).unwrap_or(i64::MAX);
        json!({
            "contents": contents,
            "page": {
                "number": self.page,
                "size": self.size,
                "totalElements": total,
                "totalPages": total.saturating_add(self.size - 1) / self.size,
            }
        })
    }
}

/// A paging parameter as Spring reads it: absent or empty is unset; text that is not a 32-bit
/// integer (Java's `Integer.parseInt` refuses it) counts as 0, which the caller then bounds.
fn spring_int(value: Option<&str>) -> Option<i32> {
    let text = value.filter(|v| !v.is_empty())?;
    Some(text.parse().unwrap_or(0))
}

/// A list parameter (`status=ONLINE,NEW`): its comma-separated items, empty ones dropped;
/// `None` when absent or empty (no filter).
pub fn list_param(req: &MockRequest, name: &str) -> Option<Vec<String>> {
    let value = req.query_param(name)?;
    let items: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (!items.is_empty()).then_some(items)
}

/// A list parameter whose items must be among `allowed` (a Java enum): any other item is
/// refused (400 `COM10001`), as Spring refuses a value it cannot convert.
pub fn enum_list_param(
    req: &MockRequest,
    name: &str,
    allowed: &[&str],
) -> Result<Option<Vec<String>>, OcpError> {
    let Some(items) = list_param(req, name) else {
        return Ok(None);
    };
    if let Some(bad) = items.iter().find(|i| !allowed.contains(&i.as_str())) {
        return Err(OcpError::invalid_parameter(
            name,
            bad,
            &format!("expected one of {}", allowed.join(", ")),
        ));
    }
    Ok(Some(items))
}

/// A text parameter, `None` when absent or empty (no filter).
pub fn text_param(req: &MockRequest, name: &str) -> Option<String> {
    req.query_param(name).filter(|v| !v.is_empty())
}

/// Sorts rendered items as `sort` asks (`id,asc`, `name,desc`; the documented samples write
/// the two parts in either order), by the value of that key; items keep their order (by id)
/// when `sort` is absent or names a key they do not have.
pub fn sort_items(req: &MockRequest, items: &mut [Value]) {
    sort_by(text_param(req, "sort").as_deref(), items);
}

/// [`sort_items`] with the `sort` value already read (`None`: absent or empty), for a page
/// sorted after the state lock is released.
pub fn sort_by(sort: Option<&str>, items: &mut [Value]) {
    let Some(sort) = sort else {
        return;
    };
    let parts: Vec<&str> = sort.split(',').map(str::trim).collect();
    let is_dir = |p: &&str| p.eq_ignore_ascii_case("asc") || p.eq_ignore_ascii_case("desc");
    let Some(key) = parts.iter().find(|p| !is_dir(p) && !p.is_empty()) else {
        return;
    };
    let descending = parts.iter().any(|p| p.eq_ignore_ascii_case("desc"));
    if !items
        .iter()
        .all(|v| v.get(key).is_some_and(|k| k.is_string() || k.is_number()))
    {
        return;
    }
    items.sort_by(|a, b| {
        let order = match (&a[key], &b[key]) {
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (x, y) => x
                .as_f64()
                .partial_cmp(&y.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal),
        };
        if descending { order.reverse() } else { order }
    });
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    fn asked(query: &str) -> PageRequest {
        PageRequest::from_query(&MockRequest::new(Method::GET, &format!("/x?{query}")))
    }

    #[test]
    fn paging_parameters_are_bounded_as_spring_bounds_them() {
        // Known answers of Spring Data's one-indexed resolver with maxPageSize 2000.
        let cases = [
            ("", 1, 10),
            ("page=3&size=7", 3, 7),
            ("page=0&size=0", 1, 10),
            ("page=-4&size=-1", 1, 10),
            ("page=abc&size=9999", 1, 2000),
            ("page=2147483648&size=2000", 1, 2000),
            ("page=&size=", 1, 10),
        ];
        for (query, page, size) in cases {
            assert_eq!(asked(query), PageRequest { page, size }, "{query}");
        }
    }

    #[test]
    fn a_page_holds_its_own_slice_and_counts_the_pages() {
        let p = asked("page=2&size=3");
        let on: Vec<usize> = (0..10).filter(|&i| p.holds(i)).collect();
        assert_eq!(on, vec![3, 4, 5]);
        let answer = p.answer(vec![json!(1)], 7);
        assert_eq!(
            answer["page"],
            json!({"number": 2, "size": 3, "totalElements": 7, "totalPages": 3})
        );
    }

    #[test]
    fn a_page_past_the_end_is_empty_and_counts_every_item() {
        let answer = asked("page=3&size=2").of_items(vec![1, 2, 3, 4, 5], |n| json!(n));
        assert_eq!(answer["contents"], json!([5]));
        assert_eq!(answer["page"]["totalPages"], 3);
        let answer = asked("page=4&size=2").of_items(vec![1, 2, 3, 4, 5], |n| json!(n));
        assert_eq!(answer["contents"], json!([]));
        assert_eq!(answer["page"]["totalElements"], 5);
    }
}
