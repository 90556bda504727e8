//! HTTP Basic credentials (RFC 7617), as every OCP version accepts them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Why a Basic `Authorization` value could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BasicError {
    /// The token is not standard base64.
    #[error("malformed Basic credentials: invalid base64")]
    InvalidBase64,
    /// The decoded bytes are not UTF-8.
    #[error("malformed Basic credentials: not UTF-8")]
    NotUtf8,
    /// No colon separates the user from the password.
    #[error("malformed Basic credentials: no ':' between user and password")]
    NoColon,
}

/// Decoded `user:password`, kept in one string.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    decoded: String,
    colon: usize,
}

impl BasicCredentials {
    /// The user name: before the first colon.
    pub fn user(&self) -> &str {
        &self.decoded[..self.colon]
    }

    /// The password: everything after the first colon.
    pub fn password(&self) -> &str {
        &self.decoded[self.colon + 1..]
    }
}

// Hand-written so a password never reaches a log through `{:?}`.
impl std::fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BasicCredentials({})", self.user())
    }
}

/// Reads the token after `Basic `: base64 of `user:password`, split at the first colon.
pub fn parse_basic(token: &str) -> Result<BasicCredentials, BasicError> {
    let bytes = STANDARD
        .decode(token.trim())
        .map_err(|_| BasicError::InvalidBase64)?;
    let decoded = String::from_utf8(bytes).map_err(|_| BasicError::NotUtf8)?;
    let colon = decoded.find(':').ok_or(BasicError::NoColon)?;
    Ok(BasicCredentials { decoded, colon })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(token: &str) -> Result<(String, String), BasicError> {
        parse_basic(token).map(|c| (c.user().to_owned(), c.password().to_owned()))
    }

    #[test]
    fn reads_user_and_password_split_at_the_first_colon() {
        assert_eq!(
            pair("YWRtaW46YWFBQTExX18="),
            Ok(("admin".into(), "aaAA11__".into()))
        );
        let token = STANDARD.encode("u:p:q");
        assert_eq!(pair(&token), Ok(("u".into(), "p:q".into())));
    }

    #[test]
    fn refuses_what_is_not_base64_of_user_colon_password() {
        assert_eq!(parse_basic("%%%"), Err(BasicError::InvalidBase64));
        assert_eq!(
            parse_basic(&STANDARD.encode("nocolon")),
            Err(BasicError::NoColon)
        );
        assert_eq!(
            parse_basic(&STANDARD.encode([0xff, b':'])),
            Err(BasicError::NotUtf8)
        );
    }
}
