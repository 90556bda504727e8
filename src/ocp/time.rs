//! OCP's time format: `2021-09-03T16:31:58.151+08:00`, written and read.
//!
//! The calendar is the `time` crate's; this file only pins OCP's shape of it: milliseconds,
//! the server's zone, and an offset written with a colon.

use std::cell::Cell;

use time::format_description::BorrowedFormatItem;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, UtcOffset};

/// OCP renders times in the server's zone; the documented examples use +08:00.
const OFFSET: UtcOffset = offset!(+8);

/// What OCP's documentation shows: 0 to 9 fractional digits, any offset with a colon.
const READ: &[BorrowedFormatItem<'_>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory]:[offset_minute]"
);

/// The earliest instant written as is: `0000-01-01T00:00:00.000+08:00`; earlier ones are
/// written as this one, as OCP's four-digit years cannot show them.
pub const MIN_MS: i64 = -62_167_248_000_000;

/// The latest instant written as is: `9999-12-31T23:59:59.999+08:00`.
pub const MAX_MS: i64 = 253_402_271_999_999;

/// Renders epoch milliseconds as OCP does: `2021-09-03T16:31:58.151+08:00`. OCP's Java writer
/// (ISO-8601, as Jackson writes an `OffsetDateTime`) drops the fraction's trailing zeros, so
/// `.780` is written `.78` (OCP 4.3.5's documented POST answer, `17:08:22.78+08:00`) and a whole
/// second has no fraction at all.
pub fn format_time(epoch_ms: i64) -> String {
    let mut out = Vec::with_capacity(29);
    write_digits(&mut out, epoch_ms);
    String::from_utf8(out).unwrap_or_default()
}

/// Renders the whole second `epoch_ms` falls in, as OCP writes the times it keeps to the second:
/// `2021-09-01T16:52:56+08:00`.
pub fn format_seconds(epoch_ms: i64) -> String {
    let second = epoch_ms.clamp(MIN_MS, MAX_MS).div_euclid(1000);
    let mut out = Vec::with_capacity(25);
    out.extend_from_slice(&second_text(second));
    out.extend_from_slice(OFFSET_TEXT);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the time as a JSON string, without allocating: this runs several times per answer.
pub fn write_time(out: &mut Vec<u8>, epoch_ms: i64) {
    out.push(b'"');
    write_digits(out, epoch_ms);
    out.push(b'"');
}

fn write_digits(out: &mut Vec<u8>, epoch_ms: i64) {
    let ms = epoch_ms.clamp(MIN_MS, MAX_MS);
    let (second, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    out.extend_from_slice(&second_text(second));
    if milli != 0 {
        // `.780` is `.78`: the fraction's trailing zeros are dropped.
        let digits = [milli / 100, milli / 10 % 10, milli % 10].map(|d| b'0' + d as u8);
        let len = digits.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
        out.push(b'.');
        out.extend_from_slice(&digits[..len]);
    }
    out.extend_from_slice(OFFSET_TEXT);
}

/// [`OFFSET`] as written.
const OFFSET_TEXT: &[u8] = b"+08:00";

/// `YYYY-MM-DD`, the part of a time that changes once a day.
const DAY: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

/// [`OFFSET`] in seconds.
const OFFSET_SECONDS: i64 = 8 * 3600;

thread_local! {
    /// The latest day written (days since the epoch, in OCP's zone) and its date: the fixed
    /// clock moves a second per request, so the calendar works out a date once a day, not once
    /// an answer.
    static LAST_DAY: Cell<(i64, [u8; 10])> = const { Cell::new((i64::MIN, [0; 10])) };
}

/// The text of a whole second since the epoch in OCP's zone, `YYYY-MM-DDTHH:MM:SS`, for a
/// second within the four-digit years (`MIN_MS` to `MAX_MS`), which always writes 19 bytes.
fn second_text(second: i64) -> [u8; 19] {
    let local = second + OFFSET_SECONDS;
    let (day, in_day) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let mut text = [b'0'; 19];
    text[..10].copy_from_slice(&day_text(day, second));
    text[10] = b'T';
    for (at, n) in [
        (11, in_day / 3600),
        (14, in_day / 60 % 60),
        (17, in_day % 60),
    ] {
        text[at] = b'0' + (n / 10) as u8;
        text[at + 1] = b'0' + (n % 10) as u8;
    }
    text[13] = b':';
    text[16] = b':';
    text
}

/// The date of `day` (days since the epoch in OCP's zone), `second` being a second of it.
fn day_text(day: i64, second: i64) -> [u8; 10] {
    let (cached, text) = LAST_DAY.get();
    if cached == day {
        return text;
    }
    let mut text = [b'0'; 10];
    if let Ok(at) = OffsetDateTime::from_unix_timestamp(second) {
        let mut written = Vec::with_capacity(10);
        if at.to_offset(OFFSET).format_into(&mut written, DAY).is_ok() && written.len() == 10 {
            text.copy_from_slice(&written);
        }
    }
    LAST_DAY.set((day, text));
    text
}

/// Parses the `YYYY-MM-DDTHH:MM:SS[.fff]±HH:MM` form the documented examples use (0 to 9
/// fractional digits, read to the millisecond).
pub fn parse_time(s: &str) -> Option<i64> {
    // The calendar also reads a signed year; OCP's has four bare digits.
    if !s.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    let at = OffsetDateTime::parse(s, READ).ok()?;
    i64::try_from(at.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers: instants in epoch milliseconds and how they read at +08:00, computed
    /// independently (GNU `date -d '<time>+08:00' +%s`), across leap days, century years and the
    /// ends of the four-digit range.
    const KNOWN: &[(i64, &str)] = &[
        (-62_167_248_000_000, "0000-01-01T00:00:00+08:00"),
        (-62_162_107_200_000, "0000-02-29T12:00:00+08:00"),
        (-62_135_625_600_001, "0000-12-31T23:59:59.999+08:00"),
        (-62_135_625_600_000, "0001-01-01T00:00:00+08:00"),
        (-11_670_940_801_000, "1600-02-29T23:59:59+08:00"),
        (-2_209_017_601_000, "1899-12-31T23:59:59+08:00"),
        (-2_203_920_000_000, "1900-03-01T00:00:00+08:00"),
        (-28_801_000, "1969-12-31T23:59:59+08:00"),
        (-1, "1970-01-01T07:59:59.999+08:00"),
        (0, "1970-01-01T08:00:00+08:00"),
        (946_655_999_999, "1999-12-31T23:59:59.999+08:00"),
        (946_656_000_000, "2000-01-01T00:00:00+08:00"),
        (951_753_600_000, "2000-02-29T00:00:00+08:00"),
        (951_840_000_000, "2000-03-01T00:00:00+08:00"),
        (1_630_657_918_151, "2021-09-03T16:31:58.151+08:00"),
        (1_709_222_399_007, "2024-02-29T23:59:59.007+08:00"),
        (1_737_018_502_780, "2025-01-16T17:08:22.78+08:00"),
        (1_737_018_502_010, "2025-01-16T17:08:22.01+08:00"),
        (4_107_513_599_000, "2100-02-28T23:59:59+08:00"),
        (4_107_513_600_000, "2100-03-01T00:00:00+08:00"),
        (13_574_563_200_000, "2400-02-29T08:00:00+08:00"),
        (253_402_271_999_999, "9999-12-31T23:59:59.999+08:00"),
    ];

    #[test]
    fn known_instants_are_written_as_ocp_writes_them() {
        for &(ms, text) in KNOWN {
            assert_eq!(format_time(ms), text, "{ms}");
            let mut out = Vec::new();
            write_time(&mut out, ms);
            assert_eq!(out, format!("\"{text}\"").into_bytes(), "{ms}");
            let whole = format!("{}{}", &text[..19], &text[text.len() - 6..]);
            assert_eq!(format_seconds(ms), whole, "{ms}");
        }
    }

    #[test]
    fn seconds_written_one_after_another_cross_midnight_into_the_next_date() {
        // 2021-12-31T23:59:58+08:00, then a second at a time, as the fixed clock moves.
        let start = 1_640_966_398_000;
        let written: Vec<String> = (0..3).map(|i| format_time(start + i * 1000)).collect();
        assert_eq!(
            written,
            [
                "2021-12-31T23:59:58+08:00",
                "2021-12-31T23:59:59+08:00",
                "2022-01-01T00:00:00+08:00"
            ]
        );
        assert_eq!(format_time(start - 86_400_000), "2021-12-30T23:59:58+08:00");
    }

    #[test]
    fn known_times_are_read_back_to_their_instants() {
        for &(ms, text) in KNOWN {
            assert_eq!(parse_time(text), Some(ms), "{text}");
        }
    }

    #[test]
    fn instants_outside_four_digit_years_are_written_at_the_nearest_end() {
        assert_eq!(format_time(i64::MIN), "0000-01-01T00:00:00+08:00");
        assert_eq!(format_time(MIN_MS - 1), "0000-01-01T00:00:00+08:00");
        assert_eq!(format_time(i64::MAX), "9999-12-31T23:59:59.999+08:00");
    }

    #[test]
    fn other_offsets_and_precisions_parse_to_the_same_instant() {
        let a = parse_time("2021-09-03T16:31:58.1+08:00").unwrap();
        let b = parse_time("2021-09-03T08:31:58.100+00:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_time("2021-09-03T16:31:58+08:00").unwrap() + 100, a);
        assert_eq!(
            parse_time("2021-09-03T16:31:58.123456789+08:00"),
            Some(a + 23)
        );
        assert_eq!(parse_time("2021-09-03T03:31:58.100-05:00"), Some(a));
    }

    #[test]
    fn malformed_times_are_refused() {
        for bad in [
            "2021-09-03T16:31:58.1+0800",
            "2021-09-03 16:31:58.100+08:00",
            "2021-09-03T16:31:58.100",
            "2021-09-03T16:31:58.100Z",
            "2021-13-03T16:31:58.100+08:00",
            "2021-02-29T16:31:58.100+08:00",
            "+2021-09-03T16:31:58.100+08:00",
            "",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
