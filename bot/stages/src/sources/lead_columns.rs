//! The columns `quarterdeck analyze lead-scoring` needs from a leads file — a 0/1 target
//! and some numeric columns — read straight into `f64`s and `bool`s, so a 1M-row export
//! is never held as strings.
//!
//! Two readers, one meaning (as for paths files, see `paths.rs`). The fast one splits
//! plain lines itself (no quotes anywhere, every row as wide as the header, cells that
//! Rust's `f64` parser accepts as finite numbers, targets `0`/`1`/`true`/`false`) and
//! reads line-aligned parts of a large file on all cores, joined in file order. The
//! moment it meets anything else — a quote, a blank line inside the file, a currency
//! sign, a thousands separator, a bad cell — it gives up and the general CSV reader reads
//! the whole file again: it accepts every form the contract allows and names the row and
//! column of the first problem. So values and errors are the general reader's.

use super::{CsvStream, InputError};

/// Feature values row-major (`columns.len()` per row) and the targets.
pub type LeadColumns = (Vec<f64>, Vec<bool>);

/// What was read, and how many rows were left out because one of the asked columns was
/// blank (empty, `NA`, `-`, …; see [`super::is_blank`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LeadColumnsRead {
    pub values: Vec<f64>,
    pub targets: Vec<bool>,
    pub skipped_blank: usize,
}

/// Reads `columns` and the yes/no `target` of every row (`file` names it in errors).
/// Headers match ignoring case, spaces and punctuation; targets are `1`/`0`,
/// `true`/`false` or `yes`/`no`; a row with a blank asked cell is skipped and counted.
pub fn read_lead_columns(
    file: &str,
    bytes: &[u8],
    target: &str,
    columns: &[String],
) -> Result<LeadColumnsRead, InputError> {
    let columns: Vec<String> = columns.iter().map(|c| c.trim().to_owned()).collect();
    let target = target.trim();
    let ((values, targets), skipped_blank) = match fast::read(bytes, target, &columns) {
        Some(read) => (read, 0),
        None => read_general(CsvStream::new(file, bytes)?, target, &columns)?,
    };
    Ok(LeadColumnsRead {
        values,
        targets,
        skipped_blank,
    })
}

/// The general reader: any CSV the contract allows, with located errors.
fn read_general(
    mut t: CsvStream<'_>,
    target: &str,
    columns: &[String],
) -> Result<(LeadColumns, usize), InputError> {
    let tc = t.require(target, &[])?;
    let cols = columns
        .iter()
        .map(|c| t.require(c, &[]))
        .collect::<Result<Vec<_>, _>>()?;
    let file = t.file.clone();
    let (mut values, mut y, mut skipped) = (Vec::new(), Vec::new(), 0);
    while let Some(r) = t.next_row()? {
        if r.str(tc).is_empty() || cols.iter().any(|c| r.str(*c).is_empty()) {
            skipped += 1;
            continue;
        }
        for c in &cols {
            values.push(r.number(*c)?);
        }
        y.push(match super::parse_flag(r.str(tc)) {
            Some(flag) => flag,
            None => {
                return Err(InputError::Cell {
                    file: file.clone(),
                    row: r.number,
                    column: target.to_owned(),
                    expected: "0 or 1 (or yes/no, true/false)".into(),
                    found: r.str(tc).to_owned(),
                });
            }
        });
    }
    Ok(((values, y), skipped))
}

mod fast {
    //! The plain-file reader; `None` means "read it the general way".

    use super::LeadColumns;

    struct Layout {
        delimiter: u8,
        width: usize,
        target: usize,
        /// Field position of each requested column, in request order.
        columns: Vec<usize>,
    }

    pub fn read(bytes: &[u8], target: &str, columns: &[String]) -> Option<LeadColumns> {
        let read = super::super::plain::read_parallel(
            bytes,
            |header| layout(header, target, columns),
            rows,
        )?;
        let (mut values, mut y) = (Vec::new(), Vec::new());
        for (v, t) in read {
            values.extend_from_slice(&v);
            y.extend_from_slice(&t);
        }
        Some((values, y))
    }

    fn layout(header: &[u8], target: &str, columns: &[String]) -> Option<Layout> {
        let header = std::str::from_utf8(header).ok()?.trim_end_matches('\r');
        // The general reader's rule: `;` when the header has more of them than commas.
        let delimiter = if header.matches(';').count() > header.matches(',').count() {
            b';'
        } else {
            b','
        };
        let names: Vec<String> = header
            .split(char::from(delimiter))
            .map(super::super::aliases::key)
            .collect();
        let find = |name: &str| {
            let name = super::super::aliases::key(name);
            names.iter().position(|n| *n == name)
        };
        Some(Layout {
            delimiter,
            width: names.len(),
            target: find(target)?,
            columns: columns.iter().map(|c| find(c)).collect::<Option<_>>()?,
        })
    }

    /// The rows of one piece (which ends after a line break, or at the end of the file).
    fn rows(piece: &[u8], layout: &Layout) -> Option<LeadColumns> {
        let estimate = piece.len() / (layout.width * 8).max(1);
        let mut values = Vec::with_capacity(estimate * layout.columns.len());
        let mut y = Vec::with_capacity(estimate);
        // Requested fields sorted by position, so one left-to-right split finds them all.
        let mut wanted: Vec<(usize, Option<usize>)> = layout
            .columns
            .iter()
            .enumerate()
            .map(|(slot, field)| (*field, Some(slot)))
            .chain(std::iter::once((layout.target, None)))
            .collect();
        wanted.sort_unstable();
        let mut row = vec![0.0; layout.columns.len()];
        let mut lines = piece.split(|b| *b == b'\n').peekable();
        while let Some(line) = lines.next() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                if lines.peek().is_none() {
                    break;
                }
                return None;
            }
            let mut target = None;
            let mut fields = 0;
            let mut next = wanted.iter().peekable();
            for (i, cell) in line.split(|b| *b == layout.delimiter).enumerate() {
                fields += 1;
                while let Some((field, slot)) = next.peek() {
                    if *field != i {
                        break;
                    }
                    match slot {
                        Some(s) => row[*s] = number(cell)?,
                        None => target = Some(flag(cell)?),
                    }
                    next.next();
                }
            }
            if fields != layout.width {
                return None;
            }
            values.extend_from_slice(&row);
            y.push(target?);
        }
        Some((values, y))
    }

    fn number(cell: &[u8]) -> Option<f64> {
        let x: f64 = std::str::from_utf8(cell.trim_ascii()).ok()?.parse().ok()?;
        x.is_finite().then_some(x)
    }

    fn flag(cell: &[u8]) -> Option<bool> {
        super::super::parse_flag(std::str::from_utf8(cell.trim_ascii()).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(text: &str, target: &str, columns: &[&str]) -> Result<LeadColumns, InputError> {
        let columns: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        read_general(CsvStream::new("l.csv", text.as_bytes())?, target, &columns).map(|r| r.0)
    }

    fn read(text: &str, target: &str, columns: &[&str]) -> Result<LeadColumns, InputError> {
        let columns: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        read_lead_columns("l.csv", text.as_bytes(), target, &columns).map(|r| (r.values, r.targets))
    }

    #[test]
    fn blank_cells_skip_their_rows_and_yes_no_targets_are_read() {
        // X Education's shape: `Converted` yes/no-like, an empty `TotalVisits`.
        let text = "Prospect ID,TotalVisits,Page Views Per Visit,Converted
                    p1,5,2.5,Yes
p2,,1.0,No
p3,NA,2,no
p4,3,-,YES
p5,1,1,No
";
        let columns = ["totalvisits".to_owned(), " page views per visit".to_owned()];

        let read = read_lead_columns("x.csv", text.as_bytes(), "converted", &columns).unwrap();

        assert_eq!(read.values, [5.0, 2.5, 1.0, 1.0]);
        assert_eq!(read.targets, [true, false]);
        assert_eq!(read.skipped_blank, 3);
    }

    #[test]
    fn only_the_asked_columns_are_read_in_the_asked_order() {
        let text = "id,b,sql,a,note\nL1,2.5,1,-1,x\nL2, 4 ,FALSE,3e2,y\n";

        let (x, y) = read(text, "SQL", &["a", "b"]).unwrap();

        assert_eq!(x, [-1.0, 2.5, 300.0, 4.0]);
        assert_eq!(y, [true, false]);
        assert_eq!(general(text, "SQL", &["a", "b"]).unwrap(), (x, y));
    }

    #[test]
    fn a_large_file_read_in_parallel_matches_the_general_reader_and_locates_errors() {
        let mut text = String::from("lead_id,f1,f2,score,sql\n");
        for i in 0..60_000 {
            text.push_str(&format!(
                "L{i},{}.{},{},{},{}\n",
                i % 17,
                i % 10,
                -(i as f64) / 7.0,
                i % 100,
                i % 3 == 0
            ));
        }
        let columns = ["f2", "score", "f1"];

        let owned: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();

        let fast = fast::read(text.as_bytes(), "sql", &owned).expect("a plain file");

        assert!(text.len() > 1 << 20);
        assert_eq!(fast, general(&text, "sql", &columns).unwrap());
        assert_eq!(fast.1.len(), 60_000);
        // A bad cell near the end is reported with its row in the whole file.
        let bad = text.replacen("L59990,", "L59990,n/a", 1);
        let err = read(&bad, "sql", &columns).unwrap_err().to_string();
        // Header is row 1, lead L0 row 2, so L59990 is row 59,992.
        assert!(
            err.contains("row 59992,") && err.contains("`f1`") && err.contains("n/a"),
            "{err}"
        );
    }

    #[test]
    fn unusual_files_take_the_general_reader_to_the_same_values_and_errors() {
        let plain = "id,amount,sql\nL1,1200,1\nL2,300,0\n";
        let quoted = "id,amount,sql\n\"L1\",\"$1,200\",1\nL2,300,0\n";
        let semicolons = "id;amount;sql\r\nL1;1200;1\r\nL2;300;0\r\n";
        let bad_target = "id,amount,sql\nL1,1200,maybe\n";

        let expected = read(plain, "sql", &["amount"]).unwrap();
        let amount = ["amount".to_owned()];
        let err = read(bad_target, "sql", &["amount"])
            .unwrap_err()
            .to_string();

        assert!(fast::read(quoted.as_bytes(), "sql", &amount).is_none());
        assert_eq!(read(quoted, "sql", &["amount"]).unwrap(), expected);
        assert_eq!(read(semicolons, "sql", &["amount"]).unwrap(), expected);
        assert_eq!(
            err,
            "l.csv, row 2, column `sql`: expected 0 or 1 (or yes/no, true/false), found \"maybe\""
        );
    }

    #[test]
    fn a_missing_column_and_a_short_row_are_reported() {
        let missing = read("id,a,sql\nL1,1,1\n", "sql", &["b"])
            .unwrap_err()
            .to_string();
        let short = read("id,a,sql\nL1,1,1\nL2,1\n", "sql", &["a"])
            .unwrap_err()
            .to_string();

        assert!(missing.contains("`b`"), "{missing}");
        assert!(short.contains("row 3"), "{short}");
    }
}
