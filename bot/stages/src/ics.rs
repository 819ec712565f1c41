//! iCalendar (RFC 5545) export of a plan's dated items as all-day events. Owns the
//! format only: escaping (§3.3.11), folding at 75 octets (§3.1), CRLF line ends; what goes
//! into the events is the caller's.
//!
//! Each event is `DTSTART;VALUE=DATE` on its first day and `DTEND;VALUE=DATE` on the day
//! after its last (DTEND is exclusive, §3.6.1). `UID` is the caller's stable id, so a
//! re-import updates events instead of duplicating them. `DTSTAMP` is a parameter, not the
//! clock, so the same plan gives the same bytes.

use std::fmt::Write;

use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub first_day: NaiveDate,
    /// Inclusive.
    pub last_day: NaiveDate,
    pub categories: Vec<String>,
}

/// The calendar as bytes ready to attach (`text/calendar`).
pub fn calendar(name: &str, stamp: DateTime<Utc>, events: &[Event]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Quarterdeck//Campaign calendar//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("X-WR-CALNAME:{}", escape(name)),
    ];
    for e in events {
        let end = e.last_day.succ_opt().unwrap_or(e.last_day);
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", e.uid),
            format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART;VALUE=DATE:{}", e.first_day.format("%Y%m%d")),
            format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")),
            format!("SUMMARY:{}", escape(&e.summary)),
            format!("DESCRIPTION:{}", escape(&e.description)),
        ]);
        if !e.categories.is_empty() {
            let cats: Vec<String> = e.categories.iter().map(|c| escape(c)).collect();
            lines.push(format!("CATEGORIES:{}", cats.join(",")));
        }
        lines.push("END:VEVENT".to_owned());
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for l in &lines {
        let _ = write!(out, "{}\r\n", fold(l));
    }
    out
}

/// TEXT escaping: backslash, semicolon, comma and newline.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Splits a content line into lines of at most 75 octets, never inside a UTF-8
/// character; each continuation starts with one space (which counts in its 75).
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out
}

/// Undoes [`fold`]: the content lines of an iCalendar text (for tests and checks).
pub fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split("\r\n") {
        match (raw.strip_prefix(' '), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ if raw.is_empty() => {}
            _ => lines.push(raw.to_owned()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_fold_at_75_octets() {
        // "SUMMARY:" (8) + 70 × "a" = 78 octets: 75 on the first line, then " " + 3.
        let line = format!("SUMMARY:{}", "a".repeat(70));
        assert_eq!(
            fold(&line),
            format!("SUMMARY:{}\r\n {}", "a".repeat(67), "aaa")
        );
        assert_eq!(
            escape("Q1; search, brand\\x\nnext"),
            "Q1\\; search\\, brand\\\\x\\nnext"
        );
    }

    #[test]
    fn a_multibyte_character_is_never_split_by_a_fold() {
        // 74 ASCII octets then "é" (2 octets) would make 76: the é moves to the next line.
        let line = format!("{}é", "b".repeat(74));
        assert_eq!(fold(&line), format!("{}\r\n é", "b".repeat(74)));
        assert!(fold(&line).split("\r\n").all(|l| l.len() <= 75));
    }

    #[test]
    fn an_event_is_all_day_with_an_exclusive_end_and_crlf_lines() {
        let stamp = DateTime::from_timestamp(1_798_761_600, 0).unwrap(); // 2027-01-01T00:00:00Z
        let e = Event {
            uid: "growth-2027-q1-search@quarterdeck".into(),
            summary: "Search, always-on".into(),
            description: "Budget $1,000".into(),
            first_day: "2027-01-01".parse().unwrap(),
            last_day: "2027-03-31".parse().unwrap(),
            categories: vec!["campaign".into()],
        };

        let text = calendar("Plan", stamp, &[e]);

        let expected = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Quarterdeck//Campaign calendar//EN\r\n\
            CALSCALE:GREGORIAN\r\nX-WR-CALNAME:Plan\r\nBEGIN:VEVENT\r\n\
            UID:growth-2027-q1-search@quarterdeck\r\nDTSTAMP:20270101T000000Z\r\n\
            DTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270401\r\n\
            SUMMARY:Search\\, always-on\r\nDESCRIPTION:Budget $1\\,000\r\n\
            CATEGORIES:campaign\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_eq!(text, expected);
        assert_eq!(unfold(&text).len(), 15);
    }
}
