//! OCP's errors: the ids, statuses and messages of OCP's error table that the mock answers with.
//!
//! Messages are OCP's own (error table V4.3.4, English and Chinese), with `{0}`, `{1}` filled in
//! from the request, so a client that shows `error.message` to a person shows what OCP would.

/// One row of OCP's error table, with the HTTP status the mock answers it with.
#[derive(Debug, PartialEq, Eq)]
pub struct ErrorCode {
    /// The prefixed id, e.g. `ODP21001`; the numeric part is the integer `code`.
    pub id: &'static str,
    /// The HTTP status the mock answers it with.
    pub status: u16,
    /// The English message, `{0}`, `{1}` to fill in.
    pub en: &'static str,
    /// The Chinese message, `{0}`, `{1}` to fill in.
    pub zh: &'static str,
}

impl ErrorCode {
    /// The numeric part of the id (`ODP21001` -> 21001), the form OCP's `code` integer takes.
    pub fn number(&self) -> i64 {
        let digits = self.id.trim_start_matches(|c: char| !c.is_ascii_digit());
        digits.parse().unwrap_or(0)
    }
}

/// A parameter empty or invalid (a path id that is not a Long): 400.
pub const INVALID_PARAMETER: ErrorCode = ErrorCode {
    id: "COM10001",
    status: 400,
    en: "The input parameter {0} is empty or invalid. Please check and try again.",
    zh: "传入的参数为空或者不合法：{0}，请检查后重试",
};
/// A request the mock cannot read at all: 400.
pub const INVALID_REQUEST: ErrorCode = ErrorCode {
    id: "COM10003",
    status: 400,
    en: "Invalid request. Cause:{0}",
    zh: "错误的请求, 错误原因: {0}",
};
/// An unknown route: OCP's table has no row for it, so the mock uses "invalid request" with 404.
pub const NO_SUCH_ROUTE: ErrorCode = ErrorCode {
    status: 404,
    ..INVALID_REQUEST
};
/// A request target past the mock's limit.
pub const URI_TOO_LONG: ErrorCode = ErrorCode {
    status: 414,
    ..INVALID_REQUEST
};
/// Request headers past the mock's limit.
pub const HEADERS_TOO_LARGE: ErrorCode = ErrorCode {
    status: 431,
    ..INVALID_REQUEST
};
/// A connection past the mock's limit on connections at once.
pub const TOO_MANY_CONNECTIONS: ErrorCode = ErrorCode {
    status: 503,
    ..INVALID_REQUEST
};
/// A body that did not arrive in time.
pub const REQUEST_TIMEOUT: ErrorCode = ErrorCode {
    id: "COM10004",
    status: 408,
    en: "The request processing timed out. Please try again.",
    zh: "请求处理超时，请重试",
};
/// A body past the mock's limit: "invalid request" with 413.
pub const PAYLOAD_TOO_LARGE: ErrorCode = ErrorCode {
    status: 413,
    ..INVALID_REQUEST
};
/// A known route with the wrong method: 405.
pub const METHOD_NOT_SUPPORTED: ErrorCode = ErrorCode {
    id: "COM10008",
    status: 405,
    en: "The method is not supported.",
    zh: "不支持的方法",
};
/// No or wrong credentials: 401.
pub const NOT_LOGGED_IN: ErrorCode = ErrorCode {
    id: "IAM10000",
    status: 401,
    en: "The current user has not logged on or a logon error has occurred. Please log on and try again.",
    zh: "当前用户没有登录或登录出错了，请登陆后重试",
};
/// A role that may not do this (a viewer's write): 403.
pub const NOT_AUTHORIZED: ErrorCode = ErrorCode {
    id: "IAM11000",
    status: 403,
    en: "You are not authorized to perform the corresponding operation. Contact the administrator.",
    zh: "没有权限进行对应操作，请联系管理员",
};
/// No task of that id: 404.
pub const TASK_NOT_FOUND: ErrorCode = ErrorCode {
    id: "TSK10001",
    status: 404,
    en: "The {0} task does not exist.",
    zh: "任务 {0} 不存在",
};
/// No OBProxy cluster of that id: 404.
pub const CLUSTER_NOT_FOUND: ErrorCode = ErrorCode {
    id: "ODP21001",
    status: 404,
    en: "The OBProxy cluster with the ID of {0} is not found.",
    zh: "未找到obproxy cluster, id={0}",
};
/// No OBProxy server of that id: 404.
pub const SERVER_NOT_FOUND: ErrorCode = ErrorCode {
    id: "ODP21002",
    status: 404,
    en: "The OBProxy server with the ID of {0} is not found.",
    zh: "未找到obproxy server, id={0}",
};
/// A server being deleted or operated on: 409.
pub const SERVER_STATUS_CONFLICT: ErrorCode = ErrorCode {
    id: "ODP21016",
    status: 409,
    en: "The status of the OBProxy server [{0}] is invalid:[{1}], the operation is not allowed",
    zh: "OBProxy server[{0}]的状态不合法:[{1}], 不允许该操作",
};
/// A server of another cluster named in the path: 400.
pub const SERVER_NOT_IN_CLUSTER: ErrorCode = ErrorCode {
    id: "ODP21019",
    status: 400,
    en: "The OBProxy server {0} is not in OBProxy cluster {1}. The operation is not allowed.",
    zh: "OBProxy server {0} 不在OBProxy集群 {1} 中，不允许该操作",
};

/// An operation the task's status does not allow (a retry of a running task): 409.
pub const TASK_STATE_CONFLICT: ErrorCode = ErrorCode {
    id: "TSK10007",
    status: 409,
    en: "This operation is not supported for the {0} task in the {1} state.",
    zh: "任务{0}, 状态{1}, 不能进行此操作",
};
/// An error injected by the `error:STATUS` scenario, 5xx: OCP's "unknown operation error".
pub const INJECTED_SERVER_ERROR: ErrorCode = ErrorCode {
    id: "COM10015",
    status: 500,
    en: "Unknown operation error, error message: {0}",
    zh: "未知操作错误, 错误信息:{0}",
};
/// OCP's documented throttling answer: code 0, with `RateLimit-*` headers.
pub const THROTTLED: ErrorCode = ErrorCode {
    id: "0",
    status: 429,
    en: "Excessive number of requests. You have exceeded the request limit for the current throttling window.",
    zh: "请求次数过多，你已经超过当前流控窗口内的请求上限",
};

/// A rejected value as quoted in a message: at most `max` characters, so that a hostile 64 KB
/// id list does not come back in full.
fn clip(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &value[..at]),
        None => value.to_owned(),
    }
}

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

/// How `error.code` is written: OCP's JSON type for it is undocumented, so both are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorCodeStyle {
    /// The numeric part as an integer (`21001`), as in the documented 429.
    #[default]
    Number,
    /// The prefixed id as a string (`"ODP21001"`), as in OCP's error table.
    String,
}

/// A `--error-code` value that names no [`ErrorCodeStyle`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code style {0:?} (expected number or string)")]
pub struct UnknownCodeStyle(pub String);

impl std::str::FromStr for ErrorCodeStyle {
    type Err = UnknownCodeStyle;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "number" => Ok(Self::Number),
            "string" => Ok(Self::String),
            other => Err(UnknownCodeStyle(other.to_owned())),
        }
    }
}

/// An error answer before it is put in an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcpError {
    /// The row of OCP's error table.
    pub code: &'static ErrorCode,
    /// Values for `{0}`, `{1}`, ... in the message.
    pub args: Vec<String>,
    /// For a person debugging a client: what exactly was wrong.
    pub debug_message: Option<String>,
    /// An HTTP status other than the code's own (an injected error).
    pub status_override: Option<u16>,
    /// The parameter or resource the error is about.
    pub target: Option<String>,
    /// Extra response headers (`Allow` on a 405).
    pub headers: Vec<(&'static str, String)>,
}

/// The status, the id and the English message: `404 ODP21001: ...`, for logs and tests.
impl std::fmt::Display for OcpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status(),
            self.code.id,
            self.message(Language::En)
        )?;
        match &self.debug_message {
            Some(debug) => write!(f, " ({debug})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for OcpError {}

impl OcpError {
    /// An error of `code` with its message's placeholders filled by `args`.
    pub fn new(code: &'static ErrorCode, args: Vec<String>) -> Self {
        Self {
            code,
            args,
            debug_message: None,
            status_override: None,
            target: None,
            headers: Vec::new(),
        }
    }

    /// Adds `debugMessage`: what exactly was wrong.
    pub fn with_debug(mut self, debug: impl Into<String>) -> Self {
        self.debug_message = Some(debug.into());
        self
    }

    /// Adds `target`: the parameter or resource at fault.
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Adds a response header (`Allow`, `RateLimit-*`).
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status_override.unwrap_or(self.code.status)
    }

    /// The answer of the `error:STATUS` scenario.
    pub fn injected(status: u16) -> Self {
        let code = if status >= 500 {
            &INJECTED_SERVER_ERROR
        } else {
            &INVALID_REQUEST
        };
        let mut e = Self::new(code, vec![format!("error {status} injected by a scenario")]);
        e.status_override = Some(status);
        e
    }

    /// OCP's message in `lang`, placeholders filled.
    pub fn message(&self, lang: Language) -> String {
        let template = match lang {
            Language::En => self.code.en,
            Language::Zh => self.code.zh,
        };
        let mut out = template.to_owned();
        for (i, arg) in self.args.iter().enumerate() {
            out = out.replace(&format!("{{{i}}}"), arg);
        }
        out
    }

    /// A path id that is not a Long: 400 naming the parameter and the rejected value.
    pub fn invalid_parameter(name: &str, value: &str, why: &str) -> Self {
        Self::new(
            &INVALID_PARAMETER,
            vec![format!("{name}={}", clip(value, 64))],
        )
        .with_target(name)
        .with_debug(clip(&format!("parameter {name}: {why}"), 200))
    }

    /// A path OCP does not have: 404.
    pub fn no_such_route(method: &str, path: &str) -> Self {
        Self::new(
            &NO_SUCH_ROUTE,
            vec![format!("no handler for {method} {path}")],
        )
    }

    /// A body over the limit: 413.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            &PAYLOAD_TOO_LARGE,
            vec![format!("request body larger than {limit} bytes")],
        )
    }

    /// A body that could not be read off the connection: 400.
    pub fn unreadable_body(why: &str) -> Self {
        Self::new(
            &INVALID_REQUEST,
            vec![format!(
                "the request body could not be read: {}",
                clip(why, 120)
            )],
        )
    }

    /// A body that did not arrive in time: 408.
    pub fn body_timeout(limit: std::time::Duration) -> Self {
        Self::new(&REQUEST_TIMEOUT, Vec::new()).with_debug(format!(
            "the request body did not arrive within {} ms",
            limit.as_millis()
        ))
    }

    /// A request target over the limit: 414.
    pub fn uri_too_long(limit: usize) -> Self {
        Self::new(
            &URI_TOO_LONG,
            vec![format!("request target longer than {limit} bytes")],
        )
    }

    /// Headers over the limit: 431.
    pub fn headers_too_large(limit: usize) -> Self {
        Self::new(
            &HEADERS_TOO_LARGE,
            vec![format!("request headers larger than {limit} bytes")],
        )
    }

    /// Past the connection limit: 503.
    pub fn too_many_connections(limit: usize) -> Self {
        Self::new(
            &TOO_MANY_CONNECTIONS,
            vec![format!(
                "the mock serves at most {limit} connections at once"
            )],
        )
    }

    /// A known path with the wrong method: 405 `COM10008` with `Allow`.
    pub fn method_not_supported(method: &str, allow: &str) -> Self {
        Self::new(&METHOD_NOT_SUPPORTED, Vec::new())
            .with_debug(format!(
                "method {method} not supported here; allowed: {allow}"
            ))
            .with_header("allow", allow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_numeric_code_is_the_digits_of_the_id() {
        assert_eq!(CLUSTER_NOT_FOUND.number(), 21001);
        assert_eq!(INVALID_PARAMETER.number(), 10001);
    }

    #[test]
    fn accept_language_picks_the_first_known_language() {
        assert_eq!(Language::from_accept_language(Some("zh-CN")), Language::Zh);
        assert_eq!(
            Language::from_accept_language(Some("fr-FR, zh_CN;q=0.8, en;q=0.5")),
            Language::Zh
        );
        assert_eq!(
            Language::from_accept_language(Some("en-US,zh-CN")),
            Language::En
        );
        assert_eq!(Language::from_accept_language(None), Language::En);
    }

    #[test]
    fn messages_fill_their_placeholders() {
        let e = OcpError::new(&SERVER_NOT_IN_CLUSTER, vec!["5".into(), "1".into()]);
        assert_eq!(
            e.message(Language::En),
            "The OBProxy server 5 is not in OBProxy cluster 1. The operation is not allowed."
        );
        assert_eq!(
            e.message(Language::Zh),
            "OBProxy server 5 不在OBProxy集群 1 中，不允许该操作"
        );
    }
}
