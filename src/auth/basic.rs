//! HTTP Basic credentials (RFC 7617), as every OCP version accepts them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Why a Basic `Authorization` value could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasicError {
    InvalidBase64,
    NotUtf8,
    NoColon,
}

impl std::fmt::Display for BasicError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::InvalidBase64 => "malformed Basic credentials: invalid base64",
            Self::NotUtf8 => "malformed Basic credentials: not UTF-8",
            Self::NoColon => "malformed Basic credentials: no ':' between user and password",
        })
    }
}

/// Reads the token after `Basic `: base64 of `user:password`, split at the first colon.
pub fn parse_basic(token: &str) -> Result<(String, String), BasicError> {
    let bytes = STANDARD
        .decode(token.trim())
        .map_err(|_| BasicError::InvalidBase64)?;
    let text = String::from_utf8(bytes).map_err(|_| BasicError::NotUtf8)?;
    let (user, password) = text.split_once(':').ok_or(BasicError::NoColon)?;
    Ok((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_password_split_at_the_first_colon() {
        assert_eq!(
            parse_basic("YWRtaW46YWFBQTExX18="),
            Ok(("admin".into(), "aaAA11__".into()))
        );
        let token = STANDARD.encode("u:p:q");
        assert_eq!(parse_basic(&token), Ok(("u".into(), "p:q".into())));
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
