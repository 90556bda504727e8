//! Path ids as OCP reads them: each a Java `Long`, lists comma-separated.

/// Why a path id is not a Long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    Empty,
    NotANumber,
    OutOfRange,
}

impl std::fmt::Display for IdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty item",
            Self::NotANumber => "not a Long (expected an optional sign and ASCII digits)",
            Self::OutOfRange => "out of the range of a signed 64-bit Long",
        })
    }
}

impl std::error::Error for IdError {}

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadItem {
    pub item: String,
    pub error: IdError,
}

impl std::fmt::Display for BadItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "item {:?}: {}", self.item, self.error)
    }
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
