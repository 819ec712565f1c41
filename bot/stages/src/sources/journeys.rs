//! Touch-level journeys for attribution: `touchpoints.csv` (`journey_id,timestamp,channel[,campaign]`)
//! with `conversions.csv` (`journey_id,timestamp,value`). A journey's earliest
//! conversion counts; a conversion without touchpoints has no channel to credit.

use chrono::{DateTime, Utc};
use quarterdeck_analyses::attribution::{Conversion, Journey, Touch};
use std::collections::BTreeMap;

use super::{CsvTable, InputError};

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
            channel: r.channel(ch)?,
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
