//! The target's base URL: scheme, host, port and an optional path prefix, checked before any
//! request is built from it.

/// Where the checker sends its requests: `http://` or `https://`, a host, a port and an optional
/// path prefix (a gateway that serves OCP under `/ocp`, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub secure: bool,
    /// The host as written, without brackets for IPv6.
    pub host: String,
    pub port: u16,
    /// `""` or a prefix starting with `/` and without a trailing `/`.
    pub prefix: String,
}

impl BaseUrl {
    /// Parses `http[s]://HOST[:PORT][/PREFIX]`. A query, a fragment or credentials in the URL are
    /// refused: credentials have their own flags, so they never end up in a log line.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (secure, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            (false, rest)
        } else {
            return Err(format!("{url:?} is not an http:// or https:// URL"));
        };
        let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if url.contains(['?', '#']) {
            return Err(format!("{url:?}: a target URL has no query or fragment"));
        }
        if authority.contains('@') {
            return Err(format!(
                "{url:?}: put credentials in --user or --access-key, not in the URL"
            ));
        }
        let (host, port) = split_authority(authority).ok_or_else(|| {
            format!("{url:?}: expected HOST or HOST:PORT after the scheme, got {authority:?}")
        })?;
        if !prefix.chars().all(|c| c.is_ascii_graphic()) {
            return Err(format!(
                "{url:?}: the path may hold only visible ASCII (percent-encode the rest)"
            ));
        }
        let port = port.unwrap_or(if secure { 443 } else { 80 });
        Ok(Self {
            secure,
            host,
            port,
            prefix: prefix.trim_end_matches('/').to_owned(),
        })
    }

    /// `host:port`, IPv6 in brackets: what error messages name.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The `Host` header: the port only when it is not the scheme's default, as browsers and
    /// curl send it (an AK/SK signature covers this exact text).
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = if self.secure { 443 } else { 80 };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.secure { "https" } else { "http" };
        write!(f, "{scheme}://{}{}", self.host_header(), self.prefix)
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let valid_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    if !valid_host {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|&p| p != 0)?),
        None => None,
    };
    Some((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_keep_host_port_and_prefix() {
        let url = BaseUrl::parse("https://ocp.example.com/gateway/").unwrap();
        assert_eq!(
            (url.secure, url.host.as_str(), url.port, url.prefix.as_str()),
            (true, "ocp.example.com", 443, "/gateway")
        );
        assert_eq!(url.host_header(), "ocp.example.com");
        let url = BaseUrl::parse("http://[::1]:8080").unwrap();
        assert_eq!((url.host.as_str(), url.port), ("::1", 8080));
        assert_eq!(url.host_header(), "[::1]:8080");
        assert_eq!(url.to_string(), "http://[::1]:8080");
    }

    #[test]
    fn base_urls_refuse_what_they_cannot_mean() {
        for bad in [
            "ftp://x",
            "127.0.0.1:8080",
            "http://",
            "http://host:0",
            "http://host:99999",
            "http://user:pw@host",
            "http://host/?q=1",
            "http://ho st",
            "http://host/a b",
            "http://host/a\r\nX: y",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
