//! RFC 3339 timestamps passed in by callers.
//!
//! The model never reads a clock: a caller says when an edit happens. The same value is
//! written to a position's `updatedAt` and, as unix seconds, used as the automerge change
//! time (see [`crate::commit_edit`]), so the document history and the data agree.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// A validated RFC 3339 date-time such as `2026-11-09T10:00:00Z` or `2026-11-09T13:00:00+03:00`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp {
    text: String,
    unix_seconds: i64,
}

impl Timestamp {
    /// Checks `text` and computes its unix time. Fractional seconds are kept in the text and
    /// dropped from the unix time.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let unix_seconds =
            parse_rfc3339(text).ok_or_else(|| ModelError::InvalidTimestamp(text.to_owned()))?;
        Ok(Self {
            text: text.to_owned(),
            unix_seconds,
        })
    }

    /// The text exactly as given, which is what `updatedAt` stores.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Seconds since 1970-01-01T00:00:00Z, used as the automerge change time.
    pub fn unix_seconds(&self) -> i64 {
        self.unix_seconds
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = ModelError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Timestamp {
    type Error = ModelError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Timestamp> for String {
    fn from(timestamp: Timestamp) -> Self {
        timestamp.text
    }
}

/// `YYYY-MM-DD(T|t| )HH:MM:SS(.frac)?(Z|z|±HH:MM)` → unix seconds.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !text.is_ascii() {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let separators_ok = bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't' | b' ')
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !separators_ok {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (offset_hours, offset_minutes) = (
                rest[1..3].parse::<i64>().ok()?,
                rest[4..6].parse::<i64>().ok()?,
            );
            if offset_hours > 23 || offset_minutes > 59 {
                return None;
            }
            sign * (offset_hours * 3600 + offset_minutes * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds)
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn parses_utc_offsets_and_fractions() {
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:00Z")
                .unwrap()
                .unix_seconds(),
            0
        );
        assert_eq!(
            Timestamp::parse("2026-11-09T10:00:00Z")
                .unwrap()
                .unix_seconds(),
            1_794_218_400
        );
        assert_eq!(
            Timestamp::parse("2026-11-09T13:00:00+03:00")
                .unwrap()
                .unix_seconds(),
            1_794_218_400
        );
        assert_eq!(
            Timestamp::parse("2024-02-29T23:59:59.123456z")
                .unwrap()
                .unix_seconds(),
            1_709_251_199
        );
        assert_eq!(
            Timestamp::parse("2026-11-09T10:00:00.5Z").unwrap().as_str(),
            "2026-11-09T10:00:00.5Z"
        );
    }

    #[test]
    fn rejects_what_is_not_rfc_3339() {
        for bad in [
            "",
            "2026-11-09",
            "2026-11-09T10:00:00",
            "2026-13-09T10:00:00Z",
            "2025-02-29T10:00:00Z",
            "2026-11-09T24:00:00Z",
            "2026-11-09T10:00:00+0300",
            "2026-11-09T10:00:00.Z",
            "2026-11-09T10:00:00Zjunk",
            "2026-11-09T10:00:00é",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
