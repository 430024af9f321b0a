//! Typed form fields and URL segments shared by every backend slice: whole
//! numbers in a range, UTC times, `name=value` header lines, and one path
//! segment for names that may hold any character.

use crate::error::AppError;

/// A count for people to read: digits grouped by thousands ("12,345").
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A whole number in `min..=max` typed into `field`.
pub fn parse_count(field: &str, text: &str, min: i64, max: i64) -> Result<i64, AppError> {
    let t = text.trim();
    let n: i64 = t.parse().map_err(|_| {
        AppError::invalid(
            field,
            format!("\"{t}\" is not a whole number ({min} to {max})"),
        )
    })?;
    if n < min || n > max {
        return Err(AppError::invalid(
            field,
            format!("{n} is out of range: {min} to {max}"),
        ));
    }
    Ok(n)
}

/// `key=value` lines, trimmed, blank lines and `#` comments skipped; a line
/// without `=` or a key given twice is refused on `field` with its line number.
pub fn key_value_lines(field: &str, text: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(AppError::invalid(
                field,
                format!("line {}: \"{line}\" is not key=value", i + 1),
            ));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() {
            return Err(AppError::invalid(
                field,
                format!("line {}: \"{line}\" has no key before '='", i + 1),
            ));
        }
        if out.iter().any(|(x, _)| x == k) {
            return Err(AppError::invalid(
                field,
                format!("line {}: {k} is given twice", i + 1),
            ));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// `name=value` header lines; a value may be empty, a name may not.
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        if k.trim().is_empty() {
            return Err(AppError::invalid(
                "headers",
                format!("line {}: a header needs a name before '='", i + 1),
            ));
        }
        out.push((k.trim().to_string(), v.to_string()));
    }
    Ok(out)
}

/// Longest pattern or filter text zkmq accepts (characters): a regex is
/// parsed whole before the regex crate's size limit applies, and a filter
/// runs against every message.
pub const PATTERN_MAX_CHARS: usize = 1_000;

/// Refuses a pattern or filter text longer than [`PATTERN_MAX_CHARS`],
/// before it is parsed.
pub fn check_pattern_len(field: &str, pattern: &str) -> Result<(), AppError> {
    let n = pattern.chars().count();
    if n > PATTERN_MAX_CHARS {
        return Err(AppError::invalid(
            field,
            format!(
                "is {} characters long; patterns and filters may have up to {} characters",
                grouped(n as u64),
                grouped(PATTERN_MAX_CHARS as u64)
            ),
        ));
    }
    Ok(())
}

const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.');

/// One URL path segment: everything but letters, digits, '-', '_' and '.'
/// percent-encoded (so "/" in a vhost or group name stays one segment).
pub fn url_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// The captured segments of `path` when it has the shape of `pattern`
/// (`Some(literal)` must match, `None` captures the segment, percent-decoded).
///
/// Pages read their names from the URL this way rather than from the route
/// parameters because the router decodes a clicked link twice (a group
/// called "a%b" would arrive as garbage), and they check the shape because
/// while a page unmounts the location already holds the next page's URL.
pub fn route_captures(path: &str, pattern: &[Option<&str>]) -> Option<Vec<String>> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    if segs.len() != pattern.len() {
        return None;
    }
    let mut out = Vec::new();
    for (seg, want) in segs.iter().zip(pattern) {
        match want {
            Some(lit) if seg != lit => return None,
            Some(_) => {}
            None => out.push(
                percent_encoding::percent_decode_str(seg)
                    .decode_utf8_lossy()
                    .into_owned(),
            ),
        }
    }
    Some(out)
}

/// "2026-11-25T12:00:00Z", "2026-11-25 12:00" or milliseconds since the
/// epoch → milliseconds since the epoch (UTC; no zones, so no guessing).
pub fn parse_time(field: &str, text: &str) -> Result<i64, AppError> {
    let t = text.trim();
    if let Ok(ms) = t.parse::<i64>() {
        return Ok(ms);
    }
    let bad = || {
        AppError::invalid(
            field,
            format!(
                "\"{t}\" is not a time: use UTC like 2026-11-25T12:00:00Z, or milliseconds since 1970"
            ),
        )
    };
    let t = t.trim_end_matches('Z').trim_end_matches(" UTC");
    let (date, clock) = t.split_once(['T', ' ']).unwrap_or((t, "00:00:00"));
    let d: Vec<i64> = date
        .split('-')
        .map(|x| x.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let c: Vec<f64> = clock
        .split(':')
        .map(|x| x.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    if d.len() != 3
        || c.is_empty()
        || c.len() > 3
        || !(1..=12).contains(&d[1])
        || !(1..=31).contains(&d[2])
    {
        return Err(bad());
    }
    let (y, m, day) = (d[0] - i64::from(d[1] <= 2), d[1], d[2]);
    // Days from civil (H. Hinnant's algorithm).
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = c[0] * 3600.0 + c.get(1).unwrap_or(&0.0) * 60.0 + c.get(2).unwrap_or(&0.0);
    Ok(days * 86_400_000 + (secs * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(
            [0, 999, 1_000, 12_345, 1_234_567].map(super::grouped),
            ["0", "999", "1,000", "12,345", "1,234,567"]
        );
    }

    use super::*;

    #[test]
    fn counts_times_headers_segments() {
        assert_eq!(parse_count("n", " 3 ", 1, 10).unwrap(), 3);
        assert!(
            parse_count("n", "0", 1, 10)
                .unwrap_err()
                .to_string()
                .contains("out of range: 1 to 10")
        );
        assert_eq!(parse_time("t", "1970-01-01T00:00:01Z").unwrap(), 1_000);
        assert!(parse_time("t", "soon").is_err());
        assert_eq!(
            parse_headers("a=1\nb=").unwrap(),
            vec![("a".into(), "1".into()), ("b".into(), "".into())]
        );
        assert_eq!(url_segment("a b/c.d-e_f"), "a%20b%2Fc.d-e_f");
        let queue = [Some("rabbitmq"), None, Some("queues"), None, None];
        assert_eq!(
            route_captures("/rabbitmq/local/queues/%2F/a%20b%2Fc", &queue),
            Some(vec!["local".into(), "/".into(), "a b/c".into()])
        );
        // The next page's URL while this one unmounts: not this page's shape.
        assert_eq!(route_captures("/rabbitmq/local/exchanges", &queue), None);
        assert_eq!(route_captures("/rabbitmq/local/queues/v", &queue), None);
    }
}
