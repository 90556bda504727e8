//! Paging as OCP's list routes do it (Spring Data's one-indexed pageable resolver): which page a
//! query asks for, and the `{contents, page}` object a list answers with.
//!
//! Every list route reads its page the same way and writes the same page object, so a client's
//! paging loop behaves alike on all of them.

use serde_json::{Value, json};

use crate::mock::request::MockRequest;

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
}
