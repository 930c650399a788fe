//! Times as the rules and the protocol write them, on chrono: a rule file's local time
//! (`2026-11-11 00:00`) in its timezone, offsets (`+08:00`), and RFC 3339 in answers.
//! Times inside youhui are Unix seconds (`i64`).

use chrono::{DateTime, FixedOffset, NaiveDate};

fn at_offset(t: i64, offset: i32) -> Option<DateTime<FixedOffset>> {
    let tz = FixedOffset::east_opt(offset)?;
    DateTime::from_timestamp(t, 0).map(|d| d.with_timezone(&tz))
}

/// `2026-11-11T00:59:59+08:00`.
pub(crate) fn rfc3339(t: i64, offset: i32) -> String {
    at_offset(t, offset).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    )
}

/// `2026-11-11 00:59:59`, local time as written in rule text.
pub(crate) fn local_text(t: i64, offset: i32) -> String {
    at_offset(t, offset).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

/// `+08:00` for 28800.
pub(crate) fn format_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

/// `+08:00`, `-05:30`, `Z`, `UTC` as seconds east of UTC (hours at most 14).
pub(crate) fn parse_offset(text: &str) -> Option<i32> {
    if text == "Z" || text == "UTC" {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = text.get(1..)?.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    let offset = sign * (h * 3600 + m * 60);
    // The offsets clocks use run from -12:00 to +14:00; anything else is a typo.
    (m < 60 && (-12 * 3600..=14 * 3600).contains(&offset)).then_some(offset)
}

/// A rule file's local time, `YYYY-MM-DD HH:MM[:SS]` (any run of spaces, tabs or one `T`
/// between date and time; exactly these digit counts), at `offset`: Unix seconds, or
/// `None` when it is not such a text or not a real date and time (chrono decides: no
/// 2026-02-29, no 24:00).
pub(crate) fn local_time(text: &str, offset: i32) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = b.get(r)?;
        s.iter()
            .all(u8::is_ascii_digit)
            .then(|| s.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let mut i = 10;
    while matches!(b.get(i), Some(b' ' | b'\t' | b'T')) {
        i += 1;
    }
    if b.get(i + 2) != Some(&b':') {
        return None;
    }
    let (h, mi) = (num(i..i + 2)?, num(i + 3..i + 5)?);
    let sec = match b.get(i + 5) {
        None => 0,
        Some(b':') if b.len() == i + 8 => num(i + 6..i + 8)?,
        _ => return None,
    };
    let local = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, mo, d)?.and_hms_opt(h, mi, sec)?;
    Some(local.and_utc().timestamp() - i64::from(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_round_trip_and_bad_dates_are_refused() {
        for text in [
            "2026-11-11 00:59:59",
            "2000-02-29 12:00:00",
            "1969-12-31 23:59:59",
            "2400-03-01 00:00:00",
            "0001-01-01 00:00:00",
        ] {
            let t = local_time(text, 8 * 3600).unwrap();
            assert_eq!(local_text(t, 8 * 3600), text);
        }
        assert_eq!(
            local_time("2026-11-11 00:00", 8 * 3600),
            Some(1_794_326_400)
        );
        assert_eq!(local_time("2026-02-29 00:00", 0), None);
        assert_eq!(local_time("2026-11-11 24:00", 0), None);
        assert_eq!(local_time("2026-11-11 10:60", 0), None);
        assert_eq!(local_time("2026-1-11 10:00", 0), None);
        assert_eq!(
            local_time("2026-11-11T10:00:05", 0),
            local_time("2026-11-11  10:00:05", 0)
        );
        assert_eq!(
            rfc3339(1_794_326_400, 8 * 3600),
            "2026-11-11T00:00:00+08:00"
        );
        assert_eq!(format_offset(-5 * 3600 - 1800), "-05:30");
        assert_eq!(parse_offset("+14:00"), Some(14 * 3600));
        assert_eq!(parse_offset("+15:00"), None);
        assert_eq!(parse_offset("+14:30"), None);
        assert_eq!(parse_offset("-12:00"), Some(-12 * 3600));
        assert_eq!(parse_offset("-12:30"), None);
        assert_eq!(parse_offset("+05:45"), Some(5 * 3600 + 45 * 60));
        assert_eq!(parse_offset("UTC"), Some(0));
    }
}
