//! Reading one CSV export into memory, all or nothing: header row required, `,` or `;`
//! detected from the header, UTF-8 with an optional BOM, RFC 4180 quoting, extra columns
//! ignored. Cells are parsed through typed accessors whose errors name the file, the row
//! (1-based, header = row 1), the column, what was expected and what was found.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::aliases;
use super::dates::{self, DateOrder};

/// A bad input, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("{file}, row {row}, column `{column}`: expected {expected}, found {found:?}")]
    Cell {
        file: String,
        row: usize,
        column: String,
        expected: String,
        found: String,
    },
}

/// How one source's cells are read: the team's header names (canonical column ->
/// header as exported), the source's `date_format` (strftime, for dates the file does
/// not settle) and the team's `channel_aliases` (export name -> the team's channel).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    pub columns: BTreeMap<String, String>,
    pub date_format: Option<String>,
    pub channel_aliases: BTreeMap<String, String>,
    /// Weekly media with one spend column per channel (see [`super::weekly`]).
    pub wide: Option<super::WideMedia>,
}

impl ReadOptions {
    fn normalised(&self) -> Self {
        Self {
            columns: normalise(&self.columns),
            date_format: self.date_format.clone(),
            channel_aliases: self
                .channel_aliases
                .iter()
                .map(|(k, v)| (aliases::key(k), v.trim().to_owned()))
                .collect(),
            wide: self.wide.clone(),
        }
    }
}

/// A parsed CSV file: header and rows of trimmed cells.
#[derive(Debug, Clone)]
pub struct CsvTable {
    pub file: String,
    /// Header names in lower case (errors name columns this way).
    pub header: Vec<String>,
    /// Header names as the file spells them.
    pub raw_header: Vec<String>,
    keys: Vec<String>,
    rows: Vec<Vec<String>>,
    options: ReadOptions,
    /// How each column writes dates (see [`dates`]).
    orders: Vec<DateOrder>,
}

/// A column found in the header (errors name it as the file's header spells it).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    index: usize,
    dates: DateOrder,
}

impl Col {
    pub fn index(self) -> usize {
        self.index
    }

    /// How the column writes dates.
    pub fn date_order(self) -> DateOrder {
        self.dates
    }
}

impl CsvTable {
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| InputError::File {
            file: file.clone(),
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&file, &bytes)
    }

    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, InputError> {
        let mut stream = CsvStream::new(file, bytes)?;
        let mut rows = Vec::new();
        while let Some(row) = stream.next_row()? {
            rows.push((0..row.width()).map(|i| row.cell(i).to_owned()).collect());
        }
        let CsvStream {
            file,
            header,
            raw_header,
            keys,
            ..
        } = stream;
        let orders = (0..header.len())
            .map(|i| {
                let mut cells = rows.iter().map(|r: &Vec<String>| r[i].as_str());
                match cells.find(|c| !is_blank(c)) {
                    Some(first) if dates::looks_numeric(first) => {
                        dates::detect(rows.iter().map(|r| r[i].as_str()))
                    }
                    _ => DateOrder::Iso,
                }
            })
            .collect();
        Ok(Self {
            file,
            header,
            raw_header,
            keys,
            rows,
            options: ReadOptions::default(),
            orders,
        })
    }

    /// Uses the team's configured header names (`canonical -> header as exported`).
    pub fn with_columns(mut self, columns: &BTreeMap<String, String>) -> Self {
        self.options.columns = normalise(columns);
        self
    }

    /// Uses the source's settings (header names, date format, channel aliases).
    pub fn with_options(mut self, options: &ReadOptions) -> Self {
        self.options = options.normalised();
        self
    }

    pub fn options(&self) -> &ReadOptions {
        &self.options
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The column for canonical `name`: the configured header name if the team set
    /// one, else the first of `name`, the reader's `aliases` and the built-in export
    /// names ([`aliases::of`]) present in the header, compared ignoring case, spaces
    /// and punctuation.
    pub fn find(&self, name: &str, aliases: &[&str]) -> Option<Col> {
        let index = find(&self.keys, &self.options.columns, name, aliases)?;
        let dates = match (self.orders[index], &self.options.date_format) {
            (DateOrder::Iso | DateOrder::Ambiguous, Some(_)) => DateOrder::Configured,
            (order, _) => order,
        };
        Some(Col { index, dates })
    }

    /// The column with this header (compared ignoring case, spaces and punctuation),
    /// whatever canonical name it has: wide media's per-channel columns.
    pub fn find_header(&self, header: &str) -> Option<Col> {
        let k = aliases::key(header);
        let index = self.keys.iter().position(|h| *h == k)?;
        Some(Col {
            index,
            dates: self.orders[index],
        })
    }

    /// Like [`find`](Self::find), but a missing column is an error.
    pub fn require(&self, name: &str, aliases: &[&str]) -> Result<Col, InputError> {
        self.find(name, aliases)
            .ok_or_else(|| missing(&self.file, &self.header, &self.options.columns, name))
    }

    /// A required column whose every cell must hold a value: blank cells (empty, `NA`,
    /// `-`, …) are refused with their count and the first row.
    pub fn require_filled(&self, name: &str, aliases: &[&str]) -> Result<Col, InputError> {
        let col = self.require(name, aliases)?;
        let blank: Vec<usize> = self
            .rows()
            .filter(|r| r.str(col).is_empty())
            .map(|r| r.number)
            .collect();
        match blank.first() {
            None => Ok(col),
            Some(first) => Err(InputError::File {
                file: self.file.clone(),
                message: format!(
                    "column `{}` ({name}) is required, but {} row{} leave{} it blank \
                     (first at row {first}); fill or drop {} before loading",
                    self.header[col.index],
                    blank.len(),
                    if blank.len() == 1 { "" } else { "s" },
                    if blank.len() == 1 { "s" } else { "" },
                    if blank.len() == 1 { "it" } else { "them" },
                ),
            }),
        }
    }

    /// Rows with their 1-based file row number (the header is row 1).
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().enumerate().map(move |(i, cells)| Row {
            file: &self.file,
            header: &self.header,
            options: &self.options,
            number: i + 2,
            cells: Cells::Owned(cells),
        })
    }
}

fn find(
    keys: &[String],
    columns: &BTreeMap<String, String>,
    name: &str,
    aliases: &[&str],
) -> Option<usize> {
    let position = |n: &str| {
        let k = aliases::key(n);
        keys.iter().position(|h| *h == k)
    };
    match columns.get(name) {
        Some(configured) => position(configured),
        None => std::iter::once(name)
            .chain(aliases.iter().copied())
            .chain(aliases::of(name).iter().copied())
            .find_map(position),
    }
}

fn missing(
    file: &str,
    header: &[String],
    columns: &BTreeMap<String, String>,
    name: &str,
) -> InputError {
    let wanted = match columns.get(name) {
        Some(configured) => format!("`{configured}` (configured for `{name}`)"),
        None => format!("`{name}`"),
    };
    InputError::File {
        file: file.to_owned(),
        message: format!(
            "expected a column {wanted} in the header, found: {}",
            header.join(", ")
        ),
    }
}

/// A CSV file read one row at a time into one reused record: the same rules and located
/// errors as [`CsvTable`], for files too large to hold as strings (1M-row path exports).
/// Dates are ISO or the configured `date_format` (a stream cannot look ahead to detect).
pub struct CsvStream<'a> {
    pub file: String,
    pub header: Vec<String>,
    pub raw_header: Vec<String>,
    keys: Vec<String>,
    options: ReadOptions,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
    number: usize,
}

impl<'a> CsvStream<'a> {
    pub fn new(file: &str, bytes: &'a [u8]) -> Result<Self, InputError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| InputError::File {
            file: file.to_owned(),
            message: format!(
                "expected UTF-8 text, found invalid bytes at byte {}",
                e.valid_up_to()
            ),
        })?;
        let first_line = text.lines().next().unwrap_or_default();
        let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .trim(csv::Trim::Headers)
            .flexible(false)
            .from_reader(text.as_bytes());
        let raw_header: Vec<String> = reader
            .headers()
            .map_err(|e| InputError::File {
                file: file.to_owned(),
                message: format!("cannot read the header row: {e}"),
            })?
            .iter()
            .map(str::to_owned)
            .collect();
        if raw_header.iter().all(String::is_empty) {
            return Err(InputError::File {
                file: file.to_owned(),
                message: "expected a header row, found an empty file".into(),
            });
        }
        Ok(Self {
            file: file.to_owned(),
            header: raw_header.iter().map(|h| h.to_ascii_lowercase()).collect(),
            keys: raw_header.iter().map(|h| aliases::key(h)).collect(),
            raw_header,
            options: ReadOptions::default(),
            reader,
            record: csv::StringRecord::new(),
            number: 1,
        })
    }

    /// Uses the team's configured header names (see [`CsvTable::with_columns`]).
    pub fn with_columns(mut self, columns: &BTreeMap<String, String>) -> Self {
        self.options.columns = normalise(columns);
        self
    }

    /// Uses the source's settings (see [`CsvTable::with_options`]).
    pub fn with_options(mut self, options: &ReadOptions) -> Self {
        self.options = options.normalised();
        self
    }

    pub fn find(&self, name: &str, aliases: &[&str]) -> Option<Col> {
        let index = find(&self.keys, &self.options.columns, name, aliases)?;
        let dates = match self.options.date_format {
            Some(_) => DateOrder::Configured,
            None => DateOrder::Iso,
        };
        Some(Col { index, dates })
    }

    pub fn require(&self, name: &str, aliases: &[&str]) -> Result<Col, InputError> {
        self.find(name, aliases)
            .ok_or_else(|| missing(&self.file, &self.header, &self.options.columns, name))
    }

    /// The column with this header (see [`CsvTable::find_header`]).
    pub fn find_header(&self, header: &str) -> Option<Col> {
        let k = aliases::key(header);
        let index = self.keys.iter().position(|h| *h == k)?;
        Some(Col {
            index,
            dates: match self.options.date_format {
                Some(_) => DateOrder::Configured,
                None => DateOrder::Iso,
            },
        })
    }

    /// The next row, `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, InputError> {
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|e| InputError::File {
                file: self.file.clone(),
                message: format!(
                    "row {}: {}",
                    self.number + 1,
                    csv_problem(&e, self.header.len())
                ),
            })?;
        if !more {
            return Ok(None);
        }
        self.number += 1;
        Ok(Some(Row {
            file: &self.file,
            header: &self.header,
            options: &self.options,
            number: self.number,
            cells: Cells::Record(&self.record),
        }))
    }
}

fn normalise(columns: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    columns
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
        .collect()
}

fn csv_problem(e: &csv::Error, expected: usize) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { len, .. } => {
            format!("expected {expected} fields like the header, found {len}")
        }
        _ => e.to_string(),
    }
}

/// Whether a cell holds no value: empty, `-`, `--` (Google Ads), `NA`, `N/A`, `null`, `NaN` or `#N/A`
/// (any case). Readers see such cells as empty: a required column refuses them, an
/// optional one skips them, a category reads [`NOT_SET`].
pub fn is_blank(s: &str) -> bool {
    s.len() <= 4
        && (s.is_empty()
            || s == "-"
            || s == "--"
            || s.eq_ignore_ascii_case("na")
            || s.eq_ignore_ascii_case("n/a")
            || s.eq_ignore_ascii_case("#n/a")
            || s.eq_ignore_ascii_case("null")
            || s.eq_ignore_ascii_case("nan"))
}

/// How a blank category (a lead's source, region, …) reads in findings.
pub const NOT_SET: &str = "(not set)";

/// `Yes`/`No`, `True`/`False`, `Y`/`N`, `1`/`0` (any case); `None` for anything else.
pub fn parse_flag(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "t" => Some(true),
        "0" | "false" | "no" | "n" | "f" => Some(false),
        _ => None,
    }
}

/// One data row.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    file: &'a str,
    header: &'a [String],
    options: &'a ReadOptions,
    pub number: usize,
    cells: Cells<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Cells<'a> {
    Owned(&'a [String]),
    Record(&'a csv::StringRecord),
}

impl<'a> Row<'a> {
    /// The cell at field position `i`, as written.
    pub fn cell_at(&self, i: usize) -> &'a str {
        self.cell(i)
    }

    pub fn width(&self) -> usize {
        match self.cells {
            Cells::Owned(c) => c.len(),
            Cells::Record(r) => r.len(),
        }
    }

    fn cell(&self, i: usize) -> &'a str {
        match self.cells {
            Cells::Owned(c) => c.get(i).map_or("", String::as_str),
            // A stream trims here, where the cell is read: trimming every record as
            // it is parsed costs a copy of the record.
            Cells::Record(r) => r.get(i).unwrap_or("").trim(),
        }
    }

    /// The cell as written (trimmed), before the blank policy.
    pub fn raw(&self, col: Col) -> &'a str {
        self.cell(col.index)
    }

    /// The cell's text; a blank cell (see [`is_blank`]) is `""`.
    pub fn str(&self, col: Col) -> &'a str {
        let s = self.cell(col.index);
        if is_blank(s) { "" } else { s }
    }

    /// An error about this row's `col`: what was expected, and the cell as found.
    pub fn invalid(&self, col: Col, expected: &str) -> InputError {
        InputError::Cell {
            file: self.file.to_owned(),
            row: self.number,
            column: self.header.get(col.index).cloned().unwrap_or_default(),
            expected: expected.to_owned(),
            found: self.raw(col).to_owned(),
        }
    }

    /// A non-empty text cell.
    pub fn text(&self, col: Col) -> Result<&'a str, InputError> {
        let s = self.str(col);
        if s.is_empty() {
            Err(self.invalid(col, "a non-empty value"))
        } else {
            Ok(s)
        }
    }

    /// A category (a lead's source, segment, region): blank reads [`NOT_SET`].
    pub fn category(&self, col: Col) -> &'a str {
        match self.str(col) {
            "" => NOT_SET,
            s => s,
        }
    }

    /// A channel name, mapped through the team's `channel_aliases` (matched ignoring
    /// case, spaces and punctuation); a blank cell is an error.
    pub fn channel(&self, col: Col) -> Result<String, InputError> {
        let s = self.text(col)?;
        Ok(map_channel(&self.options.channel_aliases, s))
    }

    /// A yes/no cell (see [`parse_flag`]); a blank cell is `None`.
    pub fn flag(&self, col: Col) -> Result<Option<bool>, InputError> {
        match self.str(col) {
            "" => Ok(None),
            s => parse_flag(s)
                .map(Some)
                .ok_or_else(|| self.invalid(col, "yes/no, true/false or 1/0")),
        }
    }

    /// A finite number; thousands separators and a leading currency sign are accepted.
    pub fn number(&self, col: Col) -> Result<f64, InputError> {
        self.opt_number(col)?
            .ok_or_else(|| self.invalid(col, "a number"))
    }

    pub fn opt_number(&self, col: Col) -> Result<Option<f64>, InputError> {
        let s = self.str(col);
        if s.is_empty() {
            return Ok(None);
        }
        // Plain numbers (the common case in large files) parse without a copy.
        let parsed = match s.parse::<f64>() {
            Ok(v) => Ok(v),
            Err(_) => s
                .trim_start_matches(['$', '€', '£'])
                .chars()
                .filter(|c| *c != ',' && *c != '_')
                .collect::<String>()
                .parse::<f64>(),
        };
        match parsed {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(self.invalid(col, "a number")),
        }
    }

    /// A number that must not be negative.
    pub fn amount(&self, col: Col) -> Result<f64, InputError> {
        let v = self.number(col)?;
        if v < 0.0 {
            Err(self.invalid(col, "a number >= 0"))
        } else {
            Ok(v)
        }
    }

    /// A date or timestamp: ISO (`YYYY-MM-DD`, RFC 3339, `YYYY-MM-DD HH:MM:SS` as UTC),
    /// or the column's detected or configured day-month order (see [`dates`]).
    pub fn time(&self, col: Col) -> Result<DateTime<Utc>, InputError> {
        self.opt_time(col)?
            .ok_or_else(|| self.invalid(col, &self.date_expected(col)))
    }

    pub fn opt_time(&self, col: Col) -> Result<Option<DateTime<Utc>>, InputError> {
        let s = self.str(col);
        if s.is_empty() {
            return Ok(None);
        }
        dates::parse(s, col.dates, self.options.date_format.as_deref())
            .map(Some)
            .ok_or_else(|| self.invalid(col, &self.date_expected(col)))
    }

    fn date_expected(&self, col: Col) -> String {
        dates::expected(col.dates, self.options.date_format.as_deref())
    }

    pub fn date(&self, col: Col) -> Result<NaiveDate, InputError> {
        self.time(col).map(|t| t.date_naive())
    }
}

/// `name` mapped through `aliases` (keys as [`aliases::key`]); unmapped names unchanged.
pub fn map_channel(aliases: &BTreeMap<String, String>, name: &str) -> String {
    if aliases.is_empty() {
        return name.to_owned();
    }
    aliases
        .get(&aliases::key(name))
        .cloned()
        .unwrap_or_else(|| name.to_owned())
}

pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    dates::parse_iso(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_a_bom_and_quoted_fields_are_read() {
        let t = CsvTable::parse(
            "x.csv",
            "\u{feff}Day;Cost;Campaign\n2027-01-04;\"1,200.50\";\"Spring; EU\"\n".as_bytes(),
        )
        .unwrap();
        let (day, cost, camp) = (
            t.require("date", &["day"]).unwrap(),
            t.require("spend", &["cost"]).unwrap(),
            t.require("campaign", &[]).unwrap(),
        );

        let row = t.rows().next().unwrap();

        assert_eq!(
            row.date(day).unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
        );
        assert_eq!(row.number(cost).unwrap(), 1200.5);
        assert_eq!(row.text(camp).unwrap(), "Spring; EU");
    }

    #[test]
    fn a_bad_cell_names_file_row_column_expected_and_found() {
        let t =
            CsvTable::parse("spend.csv", b"date,spend\n2027-01-04,10\n2027-01-05,ten\n").unwrap();
        let spend = t.require("spend", &[]).unwrap();

        let err = t
            .rows()
            .map(|r| r.number(spend))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_err();

        assert_eq!(
            err.to_string(),
            "spend.csv, row 3, column `spend`: expected a number, found \"ten\""
        );
    }

    #[test]
    fn a_configured_column_name_replaces_the_built_in_aliases() {
        let columns = BTreeMap::from([("spend".to_owned(), "Amount Spent (USD)".to_owned())]);
        let t = CsvTable::parse("x.csv", b"Day,Cost,Amount Spent (USD)\n2027-01-04,1,2\n")
            .unwrap()
            .with_columns(&columns);
        let spend = t.require("spend", &["cost"]).unwrap();
        let missing = t
            .clone()
            .with_columns(&BTreeMap::from([("date".into(), "Reporting day".into())]))
            .require("date", &["day"])
            .unwrap_err()
            .to_string();

        assert_eq!(t.rows().next().unwrap().number(spend).unwrap(), 2.0);
        assert!(
            missing.contains("`reporting day` (configured for `date`)"),
            "{missing}"
        );
    }

    #[test]
    fn a_ragged_row_and_a_missing_column_are_reported() {
        let ragged = CsvTable::parse("a.csv", b"a,b\n1,2\n3\n")
            .unwrap_err()
            .to_string();
        let t = CsvTable::parse("a.csv", b"a,b\n1,2\n").unwrap();

        assert!(
            ragged.contains("row 3") && ragged.contains("expected 2 fields"),
            "{ragged}"
        );
        assert!(
            t.require("channel", &[])
                .unwrap_err()
                .to_string()
                .contains("expected a column `channel`")
        );
    }
}
