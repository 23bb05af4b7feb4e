//! RFC 3339 timestamps passed in by callers, and UTC calendar dates.
//!
//! The model never reads a clock: a caller says when an edit happens. The same value is
//! written to a position's `updatedAt` and, as unix seconds, used as the automerge change
//! time (see [`crate::commit_edit`]), so the document history and the data agree.
//!
//! [`Date`] is a UTC day `YYYY-MM-DD` (report dates, "as of" and "since" in
//! docs/reports-history-changes.md); it is the one way to parse such dates.

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

/// A UTC calendar day, `YYYY-MM-DD` (years 0000–9999). Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    year: i64,
    month: i64,
    day: i64,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD`; anything else is [`ModelError::InvalidDate`].
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        parse_date(text).ok_or_else(|| ModelError::InvalidDate(text.to_owned()))
    }

    /// The day that contains the unix time `unix_seconds` (UTC).
    pub fn from_unix(unix_seconds: i64) -> Self {
        let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
        Self { year, month, day }
    }

    /// `00:00:00Z` of this day, in unix seconds.
    pub fn start_unix(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
    }

    /// The start of the next day: "as of this date" is every change before this time.
    pub fn end_unix(&self) -> i64 {
        self.start_unix() + 86_400
    }

    /// This date moved by `days` (negative: earlier).
    pub fn add_days(&self, days: i64) -> Self {
        Self::from_unix(self.start_unix() + days * 86_400)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = ModelError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for Date {
    type Error = ModelError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Date> for String {
    fn from(date: Date) -> Self {
        date.to_string()
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn format_unix_utc(unix_seconds: i64) -> String {
    let date = Date::from_unix(unix_seconds);
    let second_of_day = unix_seconds.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
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
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(Date { year, month, day })
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

/// The proleptic Gregorian date of a day count since 1970-01-01 (inverse of
/// [`days_from_civil`], same source).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
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

    #[test]
    fn dates_parse_strictly_and_bound_their_day() {
        let date = Date::parse("2026-11-09").unwrap();
        assert_eq!(date.start_unix(), 1_794_182_400);
        assert_eq!(date.end_unix(), date.start_unix() + 86_400);
        assert_eq!(date.to_string(), "2026-11-09");
        assert_eq!(date.add_days(-9).to_string(), "2026-10-31");
        assert_eq!(
            Date::parse("2024-02-28").unwrap().add_days(1).to_string(),
            "2024-02-29"
        );
        assert_eq!(
            Date::parse("2026-12-31").unwrap().add_days(1).to_string(),
            "2027-01-01"
        );
        assert_eq!(Date::from_unix(date.end_unix() - 1), date);
        assert!(Date::parse("2026-11-08").unwrap() < date);
        assert_eq!(format_unix_utc(1_794_218_400 + 61), "2026-11-09T10:01:01Z");
        for bad in [
            "",
            "2026-11-9",
            "2026-11-09T",
            "2025-02-29",
            "2026-00-10",
            "２０２６-11-09",
            "+026-11-09",
        ] {
            assert!(
                matches!(Date::parse(bad), Err(ModelError::InvalidDate(_))),
                "{bad}"
            );
        }
    }
}
