//! Paged lists, as OCP answers them: `{contents, page: {number, size, totalElements,
//! totalPages}}`, with `page` and `size` read as Spring Data's one-indexed pageable resolver
//! reads them. Every list route of the mock pages this way.

use serde_json::{Value, json};

use crate::mock::request::MockRequest;
use crate::ocp::error::OcpError;

/// The page size when none is asked for: the documented samples' `size`.
pub const DEFAULT_PAGE_SIZE: i64 = 10;

/// The largest page: Spring Data's default `maxPageSize` (the documented maximum of `size`);
/// a larger `size` is cut to it.
pub const MAX_PAGE_SIZE: i64 = 2000;

/// Which page of a list a call asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// The page's number, from 1.
    pub number: i64,
    /// Items per page, 1 to [`MAX_PAGE_SIZE`].
    pub size: i64,
}

impl Page {
    /// The page a request's `page` and `size` ask for, refusing nothing: absent, empty or not
    /// 32-bit numbers take their defaults (page 1, size 10); a page under 1 is page 1; a size
    /// under 1 is 10 and one over 2000 is 2000.
    pub fn of(req: &MockRequest) -> Self {
        let number =
            spring_int(req.query_param("page").as_deref()).map_or(1, |p| i64::from(p).max(1));
        let size = match spring_int(req.query_param("size").as_deref()) {
            Some(s) if s >= 1 => i64::from(s).min(MAX_PAGE_SIZE),
            _ => DEFAULT_PAGE_SIZE,
        };
        Self { number, size }
    }

    /// This page of `items` (all of them, already filtered and sorted), rendered and wrapped
    /// as OCP writes a page. Only the page's items are rendered.
    pub fn answer<T>(&self, items: Vec<T>, render: impl Fn(T) -> Value) -> Value {
        let total = items.len() as i64;
        let start =
            usize::try_from((self.number - 1).saturating_mul(self.size)).unwrap_or(usize::MAX);
        let contents: Vec<Value> = items
            .into_iter()
            .skip(start)
            .take(usize::try_from(self.size).unwrap_or(0))
            .map(render)
            .collect();
        json!({
            "contents": contents,
            "page": {
                "number": self.number,
                "size": self.size,
                "totalElements": total,
                "totalPages": (total + self.size - 1) / self.size,
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
    let Some(sort) = text_param(req, "sort") else {
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
    use super::*;

    fn page(query: &str) -> Page {
        Page::of(&MockRequest::new(
            http::Method::GET,
            &format!("/api/v2/compute/hosts?{query}"),
        ))
    }

    #[test]
    fn paging_takes_springs_defaults_and_bounds() {
        assert_eq!(
            page(""),
            Page {
                number: 1,
                size: 10
            }
        );
        assert_eq!(
            page("page=0&size=0"),
            Page {
                number: 1,
                size: 10
            }
        );
        assert_eq!(
            page("page=x&size=5000"),
            Page {
                number: 1,
                size: 2000
            }
        );
        assert_eq!(page("page=3&size=2"), Page { number: 3, size: 2 });
    }

    #[test]
    fn a_page_past_the_end_is_empty_and_counts_every_item() {
        let answer = page("page=3&size=2").answer(vec![1, 2, 3, 4, 5], |n| json!(n));
        assert_eq!(answer["contents"], json!([5]));
        assert_eq!(answer["page"]["totalPages"], 3);
        let answer = page("page=4&size=2").answer(vec![1, 2, 3, 4, 5], |n| json!(n));
        assert_eq!(answer["contents"], json!([]));
        assert_eq!(answer["page"]["totalElements"], 5);
    }
}
