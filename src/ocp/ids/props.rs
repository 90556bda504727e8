//! Properties, over generated input: path ids read as Java reads a `Long`, checked against
//! arithmetic on the digits (an oracle independent of the parser).

use proptest::prelude::*;
use proptest::test_runner::Config;

use super::{IdError, parse_long, parse_long_list};

/// Cases per property; failures are shown, not written to a regressions file.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The ids in first-seen order, repeats dropped: what a list of ids means.
fn fold(ids: &[i64]) -> Vec<i64> {
    let mut folded = Vec::new();
    for id in ids {
        if !folded.contains(id) {
            folded.push(*id);
        }
    }
    folded
}

/// What `parse_long` must answer, by arithmetic on the digits rather than by any parser: an
/// optional `+` or `-`, at least one ASCII digit, a value in [-2^63, 2^63 - 1]. This is Java's
/// `Long.parseLong` restricted to ASCII digits (the mock refuses other Unicode digits by decision;
/// the table of the JDK's own answers is in `src/ocp/ids.rs`).
fn long_by_arithmetic(s: &str) -> Result<i64, IdError> {
    let (negative, digits) = match s.as_bytes().first() {
        None => return Err(IdError::Empty),
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        Some(_) => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotANumber);
    }
    let past_any_long: i128 = 1 << 63;
    let mut magnitude: i128 = 0;
    for digit in digits.bytes().map(|b| i128::from(b - b'0')) {
        magnitude = magnitude * 10 + digit;
        if magnitude > past_any_long {
            return Err(IdError::OutOfRange);
        }
    }
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).map_err(|_| IdError::OutOfRange)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn a_canonical_decimal_long_reads_as_itself(n in any::<i64>(), zeros in 0usize..30) {
        prop_assert_eq!(parse_long(&n.to_string()), Ok(n));
        let sign = if n < 0 { "-" } else { "+" };
        let padded = format!("{sign}{}{}", "0".repeat(zeros), n.unsigned_abs());
        prop_assert_eq!(parse_long(&padded), Ok(n), "{}", padded);
    }

    #[test]
    fn a_decimal_past_64_bits_is_out_of_range(n in any::<u64>(), extra in 1u32..20) {
        let big = u128::from(n) * 10u128.pow(extra) + u128::from(i64::MAX as u64) + 1;
        prop_assert_eq!(parse_long(&big.to_string()), Err(IdError::OutOfRange));
        prop_assert_eq!(parse_long(&format!("-{}", big + 1)), Err(IdError::OutOfRange));
    }

    #[test]
    fn any_string_reads_as_the_arithmetic_on_its_digits_says(s in any::<String>()) {
        prop_assert_eq!(parse_long(&s), long_by_arithmetic(&s), "{:?}", s);
    }

    #[test]
    fn any_sign_and_digits_string_reads_as_the_arithmetic_on_its_digits_says(
        s in "[+-]{0,2}[0-9]{0,25}",
    ) {
        prop_assert_eq!(parse_long(&s), long_by_arithmetic(&s), "{:?}", s);
    }

    #[test]
    fn a_long_written_near_the_64_bit_edge_reads_as_the_arithmetic_says(
        offset in -1000i128..1000,
        negative in any::<bool>(),
        zeros in 0usize..5,
    ) {
        let edge: i128 = if negative { -(1 << 63) } else { (1 << 63) - 1 };
        let n = edge + offset;
        let sign = if n < 0 { "-" } else { "" };
        let s = format!("{sign}{}{}", "0".repeat(zeros), n.unsigned_abs());
        prop_assert_eq!(parse_long(&s), long_by_arithmetic(&s), "{:?}", s);
        prop_assert_eq!(parse_long(&s).ok(), i64::try_from(n).ok(), "{:?}", s);
    }

    #[test]
    fn one_character_that_is_not_a_digit_makes_it_not_a_number(
        before in "[0-9]{0,10}",
        odd in any::<char>().prop_filter("not an ASCII digit", |c| !c.is_ascii_digit()),
        after in "[0-9]{1,10}",
    ) {
        // A leading sign is the one place a non-digit belongs.
        prop_assume!(!(before.is_empty() && (odd == '+' || odd == '-')));
        let s = format!("{before}{odd}{after}");
        prop_assert_eq!(parse_long(&s), Err(IdError::NotANumber), "{:?}", s);
    }

    #[test]
    fn a_list_folds_repeats_keeping_the_first_place(
        ids in prop::collection::vec(-5i64..20, 1..40),
    ) {
        let text: Vec<String> = ids.iter().map(i64::to_string).collect();
        prop_assert_eq!(parse_long_list(&text.join(",")), Ok(fold(&ids)));
    }

    #[test]
    fn a_list_reads_item_by_item(
        s in prop_oneof![Just(String::new()), "[0-9,+x -]{0,30}", any::<String>()],
    ) {
        let items: Result<Vec<i64>, IdError> = s.split(',').map(long_by_arithmetic).collect();
        match (parse_long_list(&s), items) {
            (Ok(ids), Ok(items)) => prop_assert_eq!(ids, fold(&items)),
            (Err(bad), Err(first)) => {
                prop_assert_eq!(bad.error, first);
                let first_refused = s.split(',').find(|item| long_by_arithmetic(item).is_err());
                prop_assert_eq!(Some(bad.item.as_str()), first_refused);
            }
            (got, items) => prop_assert!(false, "{:?}: list {:?}, items {:?}", s, got, items),
        }
    }
}
