//! Reading one CSV export into memory, all or nothing: header row required, `,` or `;`
//! detected from the header, UTF-8 with an optional BOM, RFC 4180 quoting, extra columns
//! ignored. Cells are parsed through typed accessors whose errors name the file, the row
//! (1-based, header = row 1), the column, what was expected and what was found.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

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

/// A parsed CSV file: header and rows of trimmed cells.
#[derive(Debug, Clone)]
pub struct CsvTable {
    pub file: String,
    pub header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Configured header names by canonical column name (lower case): a configured
    /// name replaces the built-in aliases for that column.
    columns: BTreeMap<String, String>,
}

/// A column found in the header (errors name it as the file's header spells it).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    index: usize,
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
        let CsvStream { file, header, .. } = stream;
        Ok(Self {
            file,
            header,
            rows,
            columns: BTreeMap::new(),
        })
    }

    /// Uses the team's configured header names (`canonical -> header as exported`).
    pub fn with_columns(mut self, columns: &BTreeMap<String, String>) -> Self {
        self.columns = normalise(columns);
        self
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The column for canonical `name`: the configured header name if the team set
    /// one, else the first of `name` and its built-in `aliases` present in the header.
    pub fn find(&self, name: &str, aliases: &[&str]) -> Option<Col> {
        find(&self.header, &self.columns, name, aliases)
    }

    /// Like [`find`](Self::find), but a missing column is an error.
    pub fn require(&self, name: &str, aliases: &[&str]) -> Result<Col, InputError> {
        require(&self.file, &self.header, &self.columns, name, aliases)
    }

    /// Rows with their 1-based file row number (the header is row 1).
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().enumerate().map(move |(i, cells)| Row {
            file: &self.file,
            header: &self.header,
            number: i + 2,
            cells: Cells::Owned(cells),
        })
    }
}

fn find(
    header: &[String],
    columns: &BTreeMap<String, String>,
    name: &str,
    aliases: &[&str],
) -> Option<Col> {
    let position = |n: &str| header.iter().position(|h| *h == n.to_ascii_lowercase());
    match columns.get(name) {
        Some(configured) => position(configured),
        None => std::iter::once(name)
            .chain(aliases.iter().copied())
            .find_map(position),
    }
    .map(|index| Col { index })
}

fn require(
    file: &str,
    header: &[String],
    columns: &BTreeMap<String, String>,
    name: &str,
    aliases: &[&str],
) -> Result<Col, InputError> {
    find(header, columns, name, aliases).ok_or_else(|| {
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
    })
}

/// A CSV file read one row at a time into one reused record: the same rules and located
/// errors as [`CsvTable`], for files too large to hold as strings (1M-row path exports).
pub struct CsvStream<'a> {
    pub file: String,
    pub header: Vec<String>,
    columns: BTreeMap<String, String>,
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
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| InputError::File {
                file: file.to_owned(),
                message: format!("cannot read the header row: {e}"),
            })?
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(InputError::File {
                file: file.to_owned(),
                message: "expected a header row, found an empty file".into(),
            });
        }
        Ok(Self {
            file: file.to_owned(),
            header,
            columns: BTreeMap::new(),
            reader,
            record: csv::StringRecord::new(),
            number: 1,
        })
    }

    /// Uses the team's configured header names (see [`CsvTable::with_columns`]).
    pub fn with_columns(mut self, columns: &BTreeMap<String, String>) -> Self {
        self.columns = normalise(columns);
        self
    }

    pub fn require(&self, name: &str, aliases: &[&str]) -> Result<Col, InputError> {
        require(&self.file, &self.header, &self.columns, name, aliases)
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

/// One data row.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    file: &'a str,
    header: &'a [String],
    pub number: usize,
    cells: Cells<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Cells<'a> {
    Owned(&'a [String]),
    Record(&'a csv::StringRecord),
}

impl<'a> Row<'a> {
    fn width(&self) -> usize {
        match self.cells {
            Cells::Owned(c) => c.len(),
            Cells::Record(r) => r.len(),
        }
    }

    fn cell(&self, i: usize) -> &'a str {
        match self.cells {
            Cells::Owned(c) => c.get(i).map_or("", String::as_str),
            Cells::Record(r) => r.get(i).unwrap_or(""),
        }
    }

    pub fn str(&self, col: Col) -> &'a str {
        self.cell(col.index)
    }

    /// An error about this row's `col`: what was expected, and the cell as found.
    pub fn invalid(&self, col: Col, expected: &str) -> InputError {
        InputError::Cell {
            file: self.file.to_owned(),
            row: self.number,
            column: self.header.get(col.index).cloned().unwrap_or_default(),
            expected: expected.to_owned(),
            found: self.str(col).to_owned(),
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

    /// A date or timestamp (`YYYY-MM-DD`, RFC 3339, or `YYYY-MM-DD HH:MM:SS` as UTC).
    pub fn time(&self, col: Col) -> Result<DateTime<Utc>, InputError> {
        self.opt_time(col)?
            .ok_or_else(|| self.invalid(col, "a date YYYY-MM-DD or an RFC 3339 timestamp"))
    }

    pub fn opt_time(&self, col: Col) -> Result<Option<DateTime<Utc>>, InputError> {
        let s = self.str(col);
        if s.is_empty() {
            return Ok(None);
        }
        parse_time(s)
            .map(Some)
            .ok_or_else(|| self.invalid(col, "a date YYYY-MM-DD or an RFC 3339 timestamp"))
    }

    pub fn date(&self, col: Col) -> Result<NaiveDate, InputError> {
        self.time(col).map(|t| t.date_naive())
    }
}

pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
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
