//! OCP's time format: `2021-09-03T16:31:58.151+08:00`, written and read.

/// OCP renders times in the server's zone; the documented examples use +08:00.
pub const OFFSET_MINUTES: i64 = 8 * 60;

/// Renders epoch milliseconds as OCP does: `2021-09-03T16:31:58.151+08:00`.
pub fn format_time(epoch_ms: i64) -> String {
    let mut out = Vec::with_capacity(31);
    write_digits(&mut out, epoch_ms);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the time as a JSON string, without allocating: this runs several times per answer.
pub fn write_time(out: &mut Vec<u8>, epoch_ms: i64) {
    out.push(b'"');
    write_digits(out, epoch_ms);
    out.push(b'"');
}

fn write_digits(out: &mut Vec<u8>, epoch_ms: i64) {
    let local = epoch_ms + OFFSET_MINUTES * 60_000;
    let days = local.div_euclid(86_400_000);
    let ms_of_day = local.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let off = OFFSET_MINUTES.abs();
    let fields: [(i64, u32, u8); 8] = [
        (y, 4, b'-'),
        (m, 2, b'-'),
        (d, 2, b'T'),
        (ms_of_day / 3_600_000, 2, b':'),
        (ms_of_day / 60_000 % 60, 2, b':'),
        (ms_of_day / 1000 % 60, 2, b'.'),
        (
            ms_of_day % 1000,
            3,
            if OFFSET_MINUTES < 0 { b'-' } else { b'+' },
        ),
        (off / 60, 2, b':'),
    ];
    for (n, width, after) in fields {
        push_padded(out, n, width);
        out.push(after);
    }
    push_padded(out, off % 60, 2);
}

/// `n` in decimal, zero-padded to `width` digits (at most 4).
fn push_padded(out: &mut Vec<u8>, n: i64, width: u32) {
    let n = n.unsigned_abs();
    let digits = [
        b'0' + (n / 1000 % 10) as u8,
        b'0' + (n / 100 % 10) as u8,
        b'0' + (n / 10 % 10) as u8,
        b'0' + (n % 10) as u8,
    ];
    let width = (width as usize).min(4);
    out.extend_from_slice(&digits[4 - width..]);
}

/// Parses the `YYYY-MM-DDTHH:MM:SS[.fff]±HH:MM` form the documented examples use.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 25 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut ms = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let frac = s.get(start..i)?;
        let digits: String = frac.chars().chain("000".chars()).take(3).collect();
        ms = digits.parse().ok()?;
    }
    let sign = match b.get(i)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    if b.len() != i + 6 || b[i + 3] != b':' {
        return None;
    }
    let offset = sign * (num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?);
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h) * 60 + mi - offset) * 60_000 + sec * 1000 + ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_instants_round_trip() {
        for s in [
            "2021-09-03T16:31:58.151+08:00",
            "2020-02-29T00:00:00.000+08:00",
            "1999-12-31T23:59:59.999+08:00",
        ] {
            assert_eq!(format_time(parse_time(s).unwrap()), s);
        }
    }

    #[test]
    fn other_offsets_and_precisions_parse_to_the_same_instant() {
        let a = parse_time("2021-09-03T16:31:58.1+08:00").unwrap();
        let b = parse_time("2021-09-03T08:31:58.100+00:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_time("2021-09-03T16:31:58+08:00").unwrap() + 100, a);
        assert_eq!(parse_time("2021-09-03T16:31:58.1+0800"), None);
    }
}
