//! Journey inputs for attribution: aggregated paths in ChannelAttribution's interchange
//! format (`path,total_conversions,total_conversion_value,total_null`, channels joined by
//! `>`), or touch-level `touchpoints.csv` (`journey_id,timestamp,channel[,campaign]`)
//! with `conversions.csv` (`journey_id,timestamp,value`). A journey's earliest
//! conversion counts; a conversion without touchpoints has no channel to credit.

use chrono::{DateTime, Utc};
use quarterdeck_analyses::attribution::{Conversion, Journey, PathSet, Touch};
use std::collections::BTreeMap;

use super::{CsvStream, CsvTable, InputError};

/// Aggregated paths, streamed row by row into a [`PathSet`] (a 1M-row export is never
/// held as strings). A large file without quoted fields is split at line breaks and the
/// parts are read on all cores, then merged in file order: the result, and the first
/// error reported, do not depend on the number of cores.
pub fn read_paths(file: &str, bytes: &[u8]) -> Result<PathSet, InputError> {
    const PARALLEL_FROM: usize = 1 << 20;
    let parts = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8);
    let header_end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    let (header, body) = bytes.split_at(header_end);
    if parts < 2 || body.len() < PARALLEL_FROM || memchr_quote(body) {
        return read_path_rows(CsvStream::new(file, bytes)?, bytes.len() / 40);
    }
    // Cut the body into `parts` pieces at line breaks; each piece is read with the header
    // in front, numbering its rows after those of the pieces before it.
    let mut pieces = Vec::with_capacity(parts);
    let (mut start, mut rows_before) = (0, 0);
    for k in 1..=parts {
        let target = body.len() * k / parts;
        let end = if k == parts {
            body.len()
        } else {
            body[target..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(body.len(), |i| target + i + 1)
        };
        if end > start {
            let piece = &body[start..end];
            pieces.push((rows_before, piece));
            rows_before += piece.iter().filter(|b| **b == b'\n').count();
        }
        start = end;
    }
    let sets: Vec<Result<PathSet, InputError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|(rows_before, piece)| {
                scope.spawn(move || {
                    let mut text = Vec::with_capacity(header.len() + piece.len());
                    text.extend_from_slice(header);
                    text.extend_from_slice(piece);
                    let stream = CsvStream::new(file, &text)?.after_rows(*rows_before);
                    read_path_rows(stream, piece.len() / 40)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut sets = sets.into_iter();
    let mut all = sets.next().unwrap_or_else(|| Ok(PathSet::default()))?;
    for set in sets {
        all.merge(set?).map_err(|e| InputError::File {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
    }
    Ok(all)
}

fn memchr_quote(bytes: &[u8]) -> bool {
    bytes.contains(&b'"')
}

fn read_path_rows(mut t: CsvStream<'_>, size_hint: usize) -> Result<PathSet, InputError> {
    let (path, conv, value, null) = (
        t.require("path", &[])?,
        t.require("total_conversions", &["conversions"])?,
        t.require("total_conversion_value", &["conversion_value", "value"])?,
        t.require("total_null", &["null", "nulls"])?,
    );
    let mut set = PathSet::with_capacity(size_hint);
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

/// Touch-level journeys, optionally only those whose first touch falls in `window`.
pub fn read_journeys(
    tp: &CsvTable,
    cv: &CsvTable,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<Vec<Journey>, InputError> {
    let (jid, ts, ch) = (
        tp.require("journey_id", &["user_id", "id"])?,
        tp.require("timestamp", &["time", "date"])?,
        tp.require("channel", &[])?,
    );
    let mut journeys: BTreeMap<String, Journey> = BTreeMap::new();
    for r in tp.rows() {
        let id = r.text(jid)?;
        let touch = Touch {
            at_seconds: r.time(ts)?.timestamp(),
            channel: r.text(ch)?.to_owned(),
        };
        journeys
            .entry(id.to_owned())
            .or_insert_with(|| Journey {
                id: id.to_owned(),
                touches: Vec::new(),
                conversion: None,
            })
            .touches
            .push(touch);
    }
    let (cid, cts, cval) = (
        cv.require("journey_id", &["user_id", "id"])?,
        cv.require("timestamp", &["time", "date"])?,
        cv.require("value", &["revenue", "conversion_value"])?,
    );
    for r in cv.rows() {
        let conversion = Conversion {
            at_seconds: r.time(cts)?.timestamp(),
            value: r.amount(cval)?,
        };
        if let Some(j) = journeys.get_mut(r.text(cid)?)
            && j.conversion
                .is_none_or(|c| conversion.at_seconds < c.at_seconds)
        {
            j.conversion = Some(conversion);
        }
    }
    let mut out: Vec<Journey> = journeys.into_values().collect();
    if let Some((from, to)) = window {
        out.retain(|j| {
            j.touches
                .iter()
                .map(|t| t.at_seconds)
                .min()
                .is_some_and(|first| first >= from.timestamp() && first <= to.timestamp())
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, text: &str) -> CsvTable {
        CsvTable::parse(name, text.as_bytes()).unwrap()
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
        let serial = read_path_rows(CsvStream::new("p.csv", text.as_bytes()).unwrap(), 0).unwrap();

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
    fn the_earliest_conversion_of_a_journey_counts() {
        let t = table(
            "t.csv",
            "journey_id,timestamp,channel\nj1,2027-01-01T10:00:00Z,seo\nj1,2027-01-02,email\n",
        );
        let c = table(
            "c.csv",
            "journey_id,timestamp,value\nj1,2027-01-05,10\nj1,2027-01-03,20\nj9,2027-01-03,5\n",
        );

        let j = read_journeys(&t, &c, None).unwrap();

        assert_eq!(j.len(), 1);
        assert_eq!(j[0].conversion.unwrap().value, 20.0);
        assert_eq!(j[0].touches.len(), 2);
    }
}
