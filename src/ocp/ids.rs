//! Path ids as OCP reads them: each a Java `Long`, lists comma-separated.

/// Why a path id is not a Long: OCP answers each with a 400 naming the parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing between two commas, or nothing at all.
    #[error("empty item")]
    Empty,
    /// Something other than an optional sign and ASCII digits.
    #[error("not a Long (expected an optional sign and ASCII digits)")]
    NotANumber,
    /// Digits that do not fit in 64 bits.
    #[error("out of the range of a signed 64-bit Long")]
    OutOfRange,
}

/// Parses one Long: an optional `+` or `-`, then ASCII digits, within 64 bits.
///
/// Spaces, hexadecimal, decimals and non-ASCII digits are refused rather than guessed at.
pub fn parse_long(s: &str) -> Result<i64, IdError> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotANumber);
    }
    s.parse().map_err(|_| IdError::OutOfRange)
}

/// One item of a list that is not a Long, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("item {item:?}: {error}")]
pub struct BadItem {
    /// The item as written.
    pub item: String,
    /// Why it is not a Long.
    pub error: IdError,
}

/// Parses a comma-separated list of Longs; a repeated id counts once, first place kept.
pub fn parse_long_list(s: &str) -> Result<Vec<i64>, BadItem> {
    let mut ids = Vec::new();
    for item in s.split(',') {
        let id = parse_long(item).map_err(|error| BadItem {
            item: item.to_owned(),
            error,
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longs_are_read_as_java_reads_them() {
        assert_eq!(parse_long("2"), Ok(2));
        assert_eq!(parse_long("+2"), Ok(2));
        assert_eq!(parse_long("-0"), Ok(0));
        assert_eq!(parse_long("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_long("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_long("9223372036854775808"), Err(IdError::OutOfRange));
        assert_eq!(parse_long(""), Err(IdError::Empty));
        for bad in ["-", "0x1f", " 2", "2 ", "1.0", "abc", "２", "1e3"] {
            assert_eq!(parse_long(bad), Err(IdError::NotANumber), "{bad:?}");
        }
    }

    #[test]
    fn lists_fold_repeats_and_refuse_empty_items() {
        assert_eq!(parse_long_list("3,1,3,2"), Ok(vec![3, 1, 2]));
        assert_eq!(parse_long_list("1,,2").unwrap_err().error, IdError::Empty);
        let bad = parse_long_list("1,x7").unwrap_err();
        assert_eq!(
            bad.to_string(),
            "item \"x7\": not a Long (expected an optional sign and ASCII digits)"
        );
    }
}
