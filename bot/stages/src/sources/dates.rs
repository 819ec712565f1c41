//! Dates as exports write them: ISO (`2027-01-04`, RFC 3339, `YYYY-MM-DD HH:MM:SS`)
//! always; `DD-MM-YYYY`, `DD/MM/YYYY`, `MM/DD/YYYY` (any of `-`, `/`, `.`) when the column
//! settles which number is the day — some cell has a first number above 12 (day first)
//! or a second one above 12 (month first). A column where neither happens is ambiguous
//! and is refused until the source's `date_format` says; it is never guessed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// How one column writes its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// ISO only (or no date-like cells at all).
    Iso,
    /// Day first, with this separator.
    DayFirst(u8),
    /// Month first, with this separator.
    MonthFirst(u8),
    /// Numeric dates whose order the column does not settle (or contradicts itself).
    Ambiguous,
    /// The source's configured `date_format`.
    Configured,
}

impl DateOrder {
    /// The strftime format, for reports (`%d-%m-%Y`); `None` when it is not known.
    pub fn format(self, configured: Option<&str>) -> Option<String> {
        let sep = |s: u8| char::from(s);
        match self {
            Self::Iso => Some("%Y-%m-%d".into()),
            Self::DayFirst(s) => Some(format!("%d{0}%m{0}%Y", sep(s))),
            Self::MonthFirst(s) => Some(format!("%m{0}%d{0}%Y", sep(s))),
            Self::Configured => configured.map(str::to_owned),
            Self::Ambiguous => None,
        }
    }
}

/// `a<sep>b<sep>yyyy` at the start of `s` (a time may follow after a space or `T`).
fn numeric_parts(s: &str) -> Option<(u32, u32, i32, u8, &str)> {
    let (date, rest) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let sep = *date
        .as_bytes()
        .iter()
        .find(|b| matches!(b, b'-' | b'/' | b'.'))?;
    let mut parts = date.split(char::from(sep));
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !(1..=2).contains(&a.len())
        || !(1..=2).contains(&b.len())
        || y.len() != 4
    {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?, y.parse().ok()?, sep, rest))
}

/// The order a column's cells settle (blank cells are skipped).
pub fn detect<'a>(cells: impl IntoIterator<Item = &'a str>) -> DateOrder {
    let mut d = Detector::default();
    for s in cells {
        d.feed(s);
    }
    d.order()
}

/// [`detect`] one cell at a time (for files read as a stream).
#[derive(Debug, Clone, Copy, Default)]
pub struct Detector {
    numeric: Option<u8>,
    day_first: bool,
    month_first: bool,
}

impl Detector {
    pub fn feed(&mut self, s: &str) {
        if s.is_empty() || parse_iso(s).is_some() {
            return;
        }
        if let Some((a, b, _, sep, _)) = numeric_parts(s) {
            self.numeric.get_or_insert(sep);
            self.day_first |= a > 12;
            self.month_first |= b > 12;
        }
    }

    pub fn order(&self) -> DateOrder {
        match (self.numeric, self.day_first, self.month_first) {
            (None, _, _) => DateOrder::Iso,
            (Some(sep), true, false) => DateOrder::DayFirst(sep),
            (Some(sep), false, true) => DateOrder::MonthFirst(sep),
            _ => DateOrder::Ambiguous,
        }
    }
}

/// Whether a cell looks like a numeric day-month date (worth detecting the column).
pub fn looks_numeric(s: &str) -> bool {
    numeric_parts(s).is_some()
}

/// ISO dates and timestamps (UTC when no offset is given).
pub fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 10 || !b[0].is_ascii_digit() || b[4] != b'-' {
        return None;
    }
    // The two shapes large exports use, without chrono's general parser:
    // `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SSZ`.
    if b.len() == 10 || (b.len() == 20 && b[10] == b'T' && b[19] == b'Z') {
        let n = |i: usize, len: usize| -> Option<u32> {
            b[i..i + len].iter().try_fold(0u32, |acc, d| {
                d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
            })
        };
        if b[7] != b'-' {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(n(0, 4)? as i32, n(5, 2)?, n(8, 2)?)?;
        if b.len() == 10 {
            return Some(date.and_time(NaiveTime::MIN).and_utc());
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let time = NaiveTime::from_hms_opt(n(11, 2)?, n(14, 2)?, n(17, 2)?)?;
        return Some(date.and_time(time).and_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
        return Some(t.and_utc());
    }
    // HubSpot's exports write minutes without seconds.
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
}

/// A cell in the column's order (ISO is always accepted).
pub fn parse(s: &str, order: DateOrder, configured: Option<&str>) -> Option<DateTime<Utc>> {
    if let Some(t) = parse_iso(s) {
        return Some(t);
    }
    match order {
        DateOrder::Iso | DateOrder::Ambiguous => None,
        DateOrder::Configured => parse_configured(s, configured?),
        DateOrder::DayFirst(_) | DateOrder::MonthFirst(_) => {
            let (a, b, y, _, rest) = numeric_parts(s)?;
            let (d, m) = match order {
                DateOrder::DayFirst(_) => (a, b),
                _ => (b, a),
            };
            let date = NaiveDate::from_ymd_opt(y, m, d)?;
            let time = match rest {
                "" => NaiveTime::MIN,
                t => NaiveTime::parse_from_str(t, "%H:%M:%S")
                    .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
                    .ok()?,
            };
            Some(date.and_time(time).and_utc())
        }
    }
}

fn parse_configured(s: &str, format: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
        return Some(t.and_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, format) {
        return Some(d.and_time(NaiveTime::MIN).and_utc());
    }
    // A date-only format on cells that carry a time too.
    let date = s.split([' ', 'T']).next()?;
    NaiveDate::parse_from_str(date, format)
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
}

/// What a date cell of a column in this order must look like, for error messages.
pub fn expected(order: DateOrder, configured: Option<&str>) -> String {
    match order {
        DateOrder::Ambiguous => "a date whose order is known: this column's dates could be \
             day-first or month-first (no day above 12 settles it), so set `date_format` \
             for this file, e.g. \"%d-%m-%Y\" or \"%m/%d/%Y\""
            .into(),
        DateOrder::Configured => format!(
            "a date in the configured date_format {:?} or YYYY-MM-DD",
            configured.unwrap_or_default()
        ),
        other => match other.format(None) {
            Some(f) if other != DateOrder::Iso => {
                format!("a date {f} like the rest of the column, or YYYY-MM-DD")
            }
            _ => "a date YYYY-MM-DD or an RFC 3339 timestamp".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str, order: DateOrder) -> Option<NaiveDate> {
        parse(s, order, None).map(|t| t.date_naive())
    }

    #[test]
    fn a_column_settles_its_order_only_when_a_number_exceeds_twelve() {
        assert_eq!(
            detect(["01-02-2018", "13-02-2018"]),
            DateOrder::DayFirst(b'-')
        );
        assert_eq!(
            detect(["02/01/2018", "02/13/2018"]),
            DateOrder::MonthFirst(b'/')
        );
        assert_eq!(
            detect(["01/02/2018", "", "03/04/2018"]),
            DateOrder::Ambiguous
        );
        assert_eq!(detect(["13/02/2018", "02/13/2018"]), DateOrder::Ambiguous);
        assert_eq!(detect(["2018-02-01", "seo"]), DateOrder::Iso);
    }

    #[test]
    fn cells_parse_in_the_detected_or_configured_order() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(day("01-02-2018", DateOrder::DayFirst(b'-')), d(2018, 2, 1));
        assert_eq!(
            day("01/02/2018 14:30", DateOrder::MonthFirst(b'/')),
            d(2018, 1, 2)
        );
        assert_eq!(day("2018-02-01", DateOrder::Ambiguous), d(2018, 2, 1));
        assert_eq!(day("01/02/2018", DateOrder::Ambiguous), None);
        assert_eq!(day("31-02-2018", DateOrder::DayFirst(b'-')), None);
        assert_eq!(
            parse(
                "01.02.2018 10:00:00",
                DateOrder::Configured,
                Some("%d.%m.%Y")
            )
            .map(|t| t.date_naive()),
            d(2018, 2, 1)
        );
    }
}
