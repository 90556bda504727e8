//! The language of an error's `message`: OCP writes English or Chinese, as `Accept-Language`
//! asks.

/// The language of `error.message`, from `Accept-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    /// English (`en-US`), the default.
    En,
    /// Chinese (`zh-CN`).
    Zh,
}

impl Language {
    /// The first `en*` or `zh*` range of an `Accept-Language` header wins; English otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::En;
        };
        for range in header.split(',') {
            let tag = range.split(';').next().unwrap_or("").trim();
            let primary = tag.split(['-', '_']).next().unwrap_or("");
            if primary.eq_ignore_ascii_case("zh") {
                return Self::Zh;
            }
            if primary.eq_ignore_ascii_case("en") {
                return Self::En;
            }
        }
        Self::En
    }
}
