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
    // Linear in the list's length: a list may hold as many ids as `--max-ids` allows.
    let mut seen = std::collections::HashSet::new();
    for item in s.split(',') {
        let id = parse_long(item).map_err(|error| BadItem {
            item: item.to_owned(),
            error,
        })?;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// A JSON number as Jackson reads it into a `Long` field: an integer within 64 bits, or a
/// number with no fraction (`5.0`, which JSON Schema counts as an integer too). A number
/// written past 64 bits (`-9223372036854775809`) is refused, though the JSON reader keeps it
/// as the nearest float: only a float below 2^53 in magnitude is surely the number written.
pub fn json_long(value: &serde_json::Value) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let float = value.as_f64()?;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    (float.fract() == 0.0 && float.abs() < EXACT).then_some(float as i64)
}

#[cfg(test)]
mod props;

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

    /// `java.lang.Long.parseLong(s)` as OpenJDK 17.0.15 answered it (`Some(value)`, or `None`
    /// for a `NumberFormatException`), beside what the mock answers. Facts, not code: Java's
    /// column was printed by the JDK, never computed here.
    ///
    /// Java reads any Unicode decimal digit (`Character.digit`), so `"１"` is 1 there; the mock
    /// refuses every non-ASCII digit, a decision the README states ("Decisions where OCP is
    /// silent": full-width digits are a 400). Those rows are the only ones where the two differ.
    const JAVA_PARSE_LONG: &[(&str, Option<i64>, Result<i64, IdError>)] = &[
        ("0", Some(0), Ok(0)),
        ("2", Some(2), Ok(2)),
        ("+0", Some(0), Ok(0)),
        ("-0", Some(0), Ok(0)),
        ("+2", Some(2), Ok(2)),
        ("-2", Some(-2), Ok(-2)),
        ("007", Some(7), Ok(7)),
        ("-007", Some(-7), Ok(-7)),
        ("+007", Some(7), Ok(7)),
        ("9223372036854775807", Some(i64::MAX), Ok(i64::MAX)),
        ("+9223372036854775807", Some(i64::MAX), Ok(i64::MAX)),
        ("-9223372036854775807", Some(-i64::MAX), Ok(-i64::MAX)),
        ("-9223372036854775808", Some(i64::MIN), Ok(i64::MIN)),
        (
            "00000000000000000000000000000000000000009223372036854775807",
            Some(i64::MAX),
            Ok(i64::MAX),
        ),
        (
            "-00000000000000000000000000000000000000009223372036854775808",
            Some(i64::MIN),
            Ok(i64::MIN),
        ),
        ("9223372036854775808", None, Err(IdError::OutOfRange)),
        ("+9223372036854775808", None, Err(IdError::OutOfRange)),
        ("-9223372036854775809", None, Err(IdError::OutOfRange)),
        ("99999999999999999999", None, Err(IdError::OutOfRange)),
        ("18446744073709551616", None, Err(IdError::OutOfRange)),
        ("", None, Err(IdError::Empty)),
        ("+", None, Err(IdError::NotANumber)),
        ("-", None, Err(IdError::NotANumber)),
        ("++1", None, Err(IdError::NotANumber)),
        ("+-1", None, Err(IdError::NotANumber)),
        ("-+1", None, Err(IdError::NotANumber)),
        ("--1", None, Err(IdError::NotANumber)),
        (" 1", None, Err(IdError::NotANumber)),
        ("1 ", None, Err(IdError::NotANumber)),
        ("\t1", None, Err(IdError::NotANumber)),
        ("1\n", None, Err(IdError::NotANumber)),
        ("\0", None, Err(IdError::NotANumber)),
        ("0x10", None, Err(IdError::NotANumber)),
        ("0X10", None, Err(IdError::NotANumber)),
        ("1_000", None, Err(IdError::NotANumber)),
        ("1L", None, Err(IdError::NotANumber)),
        ("1l", None, Err(IdError::NotANumber)),
        ("1e3", None, Err(IdError::NotANumber)),
        ("1.0", None, Err(IdError::NotANumber)),
        ("1,2", None, Err(IdError::NotANumber)),
        ("abc", None, Err(IdError::NotANumber)),
        ("x7", None, Err(IdError::NotANumber)),
        // Not decimal digits to Java either: superscript two, Roman numeral eight, a
        // mathematical bold one (a surrogate pair, read as two non-digits), full-width signs,
        // the minus sign.
        ("\u{B2}", None, Err(IdError::NotANumber)),
        ("\u{2167}", None, Err(IdError::NotANumber)),
        ("\u{1D7CF}", None, Err(IdError::NotANumber)),
        ("\u{FF0B}1", None, Err(IdError::NotANumber)),
        ("\u{FF0D}1", None, Err(IdError::NotANumber)),
        ("\u{2212}1", None, Err(IdError::NotANumber)),
        // Unicode decimal digits: Java reads them, the mock refuses them by decision.
        ("\u{FF11}", Some(1), Err(IdError::NotANumber)),
        ("\u{FF12}", Some(2), Err(IdError::NotANumber)),
        ("-\u{FF11}", Some(-1), Err(IdError::NotANumber)),
        ("1\u{FF12}", Some(12), Err(IdError::NotANumber)),
        ("\u{663}", Some(3), Err(IdError::NotANumber)),
        ("\u{661}\u{662}", Some(12), Err(IdError::NotANumber)),
        ("\u{96B}", Some(5), Err(IdError::NotANumber)),
        (
            "\u{FF19}\u{FF12}\u{FF12}\u{FF13}\u{FF13}\u{FF17}\u{FF12}\u{FF10}\u{FF13}\u{FF16}\u{FF18}\u{FF15}\u{FF14}\u{FF17}\u{FF17}\u{FF15}\u{FF18}\u{FF10}\u{FF17}",
            Some(i64::MAX),
            Err(IdError::NotANumber),
        ),
    ];

    #[test]
    fn longs_are_read_as_the_jdk_reads_them_except_non_ascii_digits() {
        for &(input, java, mock) in JAVA_PARSE_LONG {
            assert_eq!(parse_long(input), mock, "parse_long({input:?})");
            let refused_by_decision = !input.is_ascii() && mock == Err(IdError::NotANumber);
            assert!(
                mock.ok() == java || (refused_by_decision && java.is_some()),
                "{input:?}: Java answers {java:?}, the table says the mock answers {mock:?}"
            );
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

    #[test]
    fn a_json_long_is_an_integer_or_an_integral_float_written_within_64_bits() {
        use serde_json::json;
        assert_eq!(json_long(&json!(7)), Some(7));
        assert_eq!(
            json_long(&json!(-9_223_372_036_854_775_808_i64)),
            Some(i64::MIN)
        );
        assert_eq!(json_long(&json!(5.0)), Some(5));
        assert_eq!(json_long(&json!(5.5)), None);
        assert_eq!(json_long(&json!("5")), None);
        let past: serde_json::Value = serde_json::from_str("-9223372036854775809").unwrap();
        assert_eq!(json_long(&past), None, "written past 64 bits");
        let huge: serde_json::Value = serde_json::from_str("1e300").unwrap();
        assert_eq!(json_long(&huge), None);
    }
}
