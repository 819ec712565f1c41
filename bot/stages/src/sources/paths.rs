//! Aggregated journeys in ChannelAttribution's interchange format
//! (`path,total_conversions,total_conversion_value,total_null`, channels joined by `>`),
//! read straight into a [`PathSet`] — a 1M-row export is never held as strings.
//!
//! Two readers, one meaning. The fast one splits plain lines itself (no quotes in the
//! file, every row as wide as the header, plain decimal numbers) and reads line-aligned
//! parts of a large file on all cores, merging them in file order. The moment it meets
//! anything else — a quoted field, a currency sign, a bad cell — it gives up and the whole
//! file is read again by the general CSV reader, which accepts every form the contract
//! allows and names the row and column of the first problem. So the result, and any
//! error, are those of the general reader, whatever the number of cores.

use quarterdeck_analyses::attribution::PathSet;

use super::{CsvStream, InputError};

/// Reads a paths file (`file` names it in errors).
pub fn read_paths(file: &str, bytes: &[u8]) -> Result<PathSet, InputError> {
    match fast::read(bytes) {
        Some(set) => Ok(set),
        None => read_general(CsvStream::new(file, bytes)?),
    }
}

/// The general reader: any CSV the contract allows, with located errors.
fn read_general(mut t: CsvStream<'_>) -> Result<PathSet, InputError> {
    let (path, conv, value, null) = (
        t.require("path", &[])?,
        t.require("total_conversions", &["conversions"])?,
        t.require("total_conversion_value", &["conversion_value", "value"])?,
        t.require("total_null", &["null", "nulls"])?,
    );
    let mut set = PathSet::default();
    while let Some(r) = t.next_row()? {
        let channels = r.text(path)?;
        if channels.split('>').any(|c| c.trim().is_empty()) {
            return Err(r.invalid(path, "channel names separated by >"));
        }
        let (c, v, n) = (r.amount(conv)?, r.amount(value)?, r.amount(null)?);
        set.add(channels.split('>'), c, v, n)
            .map_err(|e| r.invalid(path, &e.to_string()))?;
    }
    Ok(set)
}

mod fast {
    //! The plain-file reader; `None` means "read it the general way".

    use quarterdeck_analyses::attribution::PathSet;

    struct Layout {
        delimiter: u8,
        width: usize,
        /// Field positions of path, conversions, value, nulls.
        fields: [usize; 4],
    }

    pub fn read(bytes: &[u8]) -> Option<PathSet> {
        let mut sets = super::super::plain::read_parallel(bytes, layout, rows)?.into_iter();
        let mut all = sets.next()?;
        for set in sets {
            all.merge(set).ok()?;
        }
        Some(all)
    }

    fn layout(header: &[u8]) -> Option<Layout> {
        let header = std::str::from_utf8(header).ok()?.trim_end_matches('\r');
        let delimiter = if header.matches(';').count() > header.matches(',').count() {
            b';'
        } else {
            b','
        };
        let names: Vec<String> = header
            .split(char::from(delimiter))
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let find = |options: &[&str]| {
            options
                .iter()
                .find_map(|o| names.iter().position(|n| n == o))
        };
        Some(Layout {
            delimiter,
            width: names.len(),
            fields: [
                find(&["path"])?,
                find(&["total_conversions", "conversions"])?,
                find(&["total_conversion_value", "conversion_value", "value"])?,
                find(&["total_null", "null", "nulls"])?,
            ],
        })
    }

    fn rows(piece: &[u8], layout: &Layout) -> Option<PathSet> {
        // A typical row is 40-100 bytes; a little spare capacity beats rehashing.
        let mut set = PathSet::with_capacity(piece.len() / 64);
        // Channel ids by name bytes; a dozen names, so a short list beats hashing.
        let mut known: Vec<(&[u8], u16)> = Vec::new();
        let mut seq: Vec<u16> = Vec::new();
        let mut cells: Vec<&[u8]> = Vec::with_capacity(layout.width);
        let mut lines = piece.split(|b| *b == b'\n').peekable();
        while let Some(line) = lines.next() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                if lines.peek().is_none() {
                    break;
                }
                return None;
            }
            cells.clear();
            cells.extend(line.split(|b| *b == layout.delimiter));
            if cells.len() != layout.width {
                return None;
            }
            let [p, c, v, n] = layout.fields;
            seq.clear();
            for name in cells[p].split(|b| *b == b'>') {
                let name = name.trim_ascii();
                if name.is_empty() {
                    return None;
                }
                let id = match known.iter().find(|(k, _)| *k == name) {
                    Some((_, id)) => *id,
                    None => {
                        let id = set.channel(std::str::from_utf8(name).ok()?).ok()?;
                        known.push((name, id));
                        id
                    }
                };
                seq.push(id);
            }
            let number = |cell: &[u8]| -> Option<f64> {
                let x: f64 = std::str::from_utf8(cell.trim_ascii()).ok()?.parse().ok()?;
                (x.is_finite() && x >= 0.0).then_some(x)
            };
            set.add_ids(
                &seq,
                number(cells[c])?,
                number(cells[v])?,
                number(cells[n])?,
            )
            .ok()?;
        }
        Some(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(text: &str) -> Result<PathSet, InputError> {
        read_general(CsvStream::new("p.csv", text.as_bytes()).unwrap())
    }

    #[test]
    fn paths_are_split_on_arrows_and_bad_cells_are_located() {
        let header = "path,total_conversions,total_conversion_value,total_null\n";
        let read = |body: &str| {
            let text = format!("{header}{body}");
            read_paths("p.csv", text.as_bytes())
        };

        let p = read("seo > email ,2,300,5\nseo>email,1,100,0\n").unwrap();
        let err = read("seo>>email,2,300,5\n").unwrap_err().to_string();

        assert_eq!((p.rows(), p.distinct()), (2, 1));
        assert!(err.contains("row 2") && err.contains("`path`"), "{err}");
    }

    #[test]
    fn a_large_file_read_in_parallel_matches_a_serial_read_and_locates_errors() {
        let mut text = String::from("path,total_conversions,total_conversion_value,total_null\n");
        for i in 0..100_000 {
            let path = ["seo", "email", "seo > email", "ads > seo > email"][i % 4];
            text.push_str(&format!("{path},{},{},{}\n", i % 3, i % 7, i % 5));
        }
        let serial = general(&text).unwrap();

        let parallel = read_paths("p.csv", text.as_bytes()).unwrap();
        let params = quarterdeck_analyses::attribution::Params::default();
        let a = quarterdeck_analyses::attribution::attribute_path_set(serial, &params).unwrap();
        let b = quarterdeck_analyses::attribution::attribute_path_set(parallel, &params).unwrap();

        assert!(text.len() > 1 << 20);
        assert_eq!(a, b);
        // A bad cell near the end is reported with its row in the whole file.
        let at = text.rfind("ads > seo > email,2,3,4").unwrap();
        let bad = format!("{}ads > seo > email,2,x,4{}", &text[..at], &text[at + 23..]);
        let last = bad.lines().position(|l| l.contains(",x,")).unwrap() + 1;
        let err = read_paths("p.csv", bad.as_bytes()).unwrap_err().to_string();
        assert!(err.contains(&format!("row {last},")), "{err}");
    }

    #[test]
    fn quoted_fields_and_currency_signs_take_the_general_reader_to_the_same_result() {
        let header = "path,total_conversions,total_conversion_value,total_null\n";
        let plain = format!("{header}seo > email,2,1200,5\nads,1,300,0\n");
        let fancy = format!("{header}\"seo > email\",2,\"$1,200\",5\nads;x,1,300,0\n")
            .replace("ads;x", "ads");
        let params = quarterdeck_analyses::attribution::Params::default();
        let attribute = |text: &str| {
            quarterdeck_analyses::attribution::attribute_path_set(
                read_paths("p.csv", text.as_bytes()).unwrap(),
                &params,
            )
            .unwrap()
        };

        assert_eq!(attribute(&plain), attribute(&fancy));
    }
}
