//! The quarter-end actuals a completed run stored (`<data_dir>/actuals/<quarter>/`, in
//! stage 1's shape) carried into the next quarter's data, without anyone copying files.
//! The team's exports win where both have data; the actuals fill what the exports lack:
//! - `spend.csv`: a channel the export has any row for within the quarter under review
//!   keeps the export's rows only; the actuals' rows of every other channel (what the
//!   owners reported at the check-ins, e.g. events paid by invoice) are added. Without an
//!   export the actuals are the file.
//! - `campaigns.csv`: a campaign (by name) the export lists keeps the export's row; the
//!   actuals add the campaigns it lacks. Without an export the actuals are the file.
//!
//! Added rows are written in the export's own columns (dates as YYYY-MM-DD, the columns
//! the actuals do not have left empty), so the stage reads one file as before. Pure: bytes
//! in, bytes out.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::{CsvTable, InputError};

/// A file with the actuals carried in, and what they added.
#[derive(Debug, Clone, PartialEq)]
pub struct Carried {
    pub bytes: Vec<u8>,
    /// Rows taken from the actuals.
    pub rows: usize,
    /// The channels (`spend.csv`) or campaigns (`campaigns.csv`) they were for, sorted.
    pub names: Vec<String>,
    /// The export was absent: the file is the actuals alone.
    pub whole_file: bool,
}

/// `spend.csv` with the actuals' rows of the channels the export has no row for in the
/// quarter under review (`review` = its first day and the next quarter's first day).
/// `None` when the actuals add nothing.
pub fn carry_spend(
    export: Option<(&[u8], &CsvTable)>,
    actuals: &CsvTable,
    review: (NaiveDate, NaiveDate),
) -> Result<Option<Carried>, InputError> {
    let a = SpendCols::of(actuals)?;
    let Some((bytes, export)) = export else {
        return Ok(whole(actuals, a.channel));
    };
    let e = SpendCols::of(export)?;
    let mut covered = BTreeSet::new();
    for r in export.rows() {
        // A row the stage will reject is its to report; here it only covers nothing.
        if let (Ok(date), Ok(channel)) = (r.date(e.date), r.channel(e.channel))
            && review.0 <= date
            && date < review.1
        {
            covered.insert(channel);
        }
    }
    let mut added = Vec::new();
    let mut names = BTreeSet::new();
    for r in actuals.rows() {
        let channel = r.channel(a.channel)?;
        if covered.contains(&channel) {
            continue;
        }
        let mut cells = vec![String::new(); export.header.len()];
        cells[e.date.index()] = r.date(a.date)?.to_string();
        cells[e.channel.index()] = channel.clone();
        cells[e.campaign.index()] = r.str(a.campaign).to_owned();
        cells[e.spend.index()] = r.str(a.spend).to_owned();
        added.push(cells);
        names.insert(channel);
    }
    appended(bytes, &added, names)
}

/// `campaigns.csv` with the actuals' campaigns the export does not list (by name).
pub fn carry_campaigns(
    export: Option<(&[u8], &CsvTable)>,
    actuals: &CsvTable,
) -> Result<Option<Carried>, InputError> {
    let a = PlanCols::of(actuals)?;
    let Some((bytes, export)) = export else {
        return Ok(whole(actuals, a.campaign));
    };
    let e = PlanCols::of(export)?;
    let listed: BTreeSet<&str> = export.rows().map(|r| r.str(e.campaign)).collect();
    let mut added = Vec::new();
    let mut names = BTreeSet::new();
    for r in actuals.rows() {
        let name = r.str(a.campaign);
        if listed.contains(name) {
            continue;
        }
        let mut cells = vec![String::new(); export.header.len()];
        for (to, from) in [
            (e.campaign, a.campaign),
            (e.channel, a.channel),
            (e.planned, a.planned),
            (e.owner, a.owner),
        ] {
            cells[to.index()] = r.str(from).to_owned();
        }
        cells[e.start.index()] = r.date(a.start)?.to_string();
        cells[e.end.index()] = r.date(a.end)?.to_string();
        added.push(cells);
        names.insert(name.to_owned());
    }
    appended(bytes, &added, names)
}

/// The actuals as the whole file.
fn whole(actuals: &CsvTable, key: super::Col) -> Option<Carried> {
    let names: BTreeSet<String> = actuals.rows().map(|r| r.str(key).to_owned()).collect();
    (!actuals.is_empty()).then(|| Carried {
        bytes: to_csv(&actuals.raw_header, actuals.rows().map(|r| row_cells(&r))),
        rows: actuals.len(),
        names: names.into_iter().collect(),
        whole_file: true,
    })
}

fn row_cells(r: &super::Row<'_>) -> Vec<String> {
    (0..r.width()).map(|i| r.cell_at(i).to_owned()).collect()
}

/// The export's bytes with `added` rows after them.
fn appended(
    export: &[u8],
    added: &[Vec<String>],
    names: BTreeSet<String>,
) -> Result<Option<Carried>, InputError> {
    if added.is_empty() {
        return Ok(None);
    }
    let mut bytes = export.to_vec();
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in added {
        w.write_record(row).map_err(|e| InputError::File {
            file: "actuals".into(),
            message: e.to_string(),
        })?;
    }
    bytes.extend(w.into_inner().unwrap_or_default());
    Ok(Some(Carried {
        bytes,
        rows: added.len(),
        names: names.into_iter().collect(),
        whole_file: false,
    }))
}

fn to_csv(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// The columns `read_spend` requires, found the way it finds them.
struct SpendCols {
    date: super::Col,
    channel: super::Col,
    campaign: super::Col,
    spend: super::Col,
}

impl SpendCols {
    fn of(t: &CsvTable) -> Result<Self, InputError> {
        Ok(Self {
            date: t.require("date", &["day"])?,
            channel: t.require("channel", &["source"])?,
            campaign: t.require("campaign", &["campaign name", "campaign_name"])?,
            spend: t.require("spend", &["cost", "amount spent"])?,
        })
    }
}

/// The columns `read_plans` requires, found the way it finds them.
struct PlanCols {
    campaign: super::Col,
    channel: super::Col,
    start: super::Col,
    end: super::Col,
    planned: super::Col,
    owner: super::Col,
}

impl PlanCols {
    fn of(t: &CsvTable) -> Result<Self, InputError> {
        Ok(Self {
            campaign: t.require("campaign", &["campaign_name", "name"])?,
            channel: t.require("channel", &[])?,
            start: t.require("start", &["start_date"])?,
            end: t.require("end", &["end_date"])?,
            planned: t.require("planned_budget", &["budget", "planned"])?,
            owner: t.require("owner", &[])?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, csv: &str) -> CsvTable {
        CsvTable::parse(name, csv.as_bytes()).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Q4 2026 under review; the actuals report events (no export rows) and paid_search
    /// (exported): only events is carried, in the export's column order and names.
    #[test]
    fn spend_keeps_the_exports_channels_and_adds_the_ones_only_owners_reported() {
        let export = "Day,Cost,Source,Campaign Name,Clicks\n\
                      2026-10-05,100.00,paid_search,Brand,40\n\
                      2026-09-28,900.00,events,Old fair,0\n";
        let actuals = table(
            "actuals/spend.csv",
            "date,channel,campaign,spend,leads,mqls,pipeline\n\
             2026-10-12,paid_search,Brand,250.00,10,3,900.00\n\
             2026-10-12,events,\"Fair, Berlin\",1200.50,30,9,5000.00\n\
             2026-10-19,events,\"Fair, Berlin\",300.00,5,1,800.00\n",
        );
        let t = table("spend.csv", export);

        let c = carry_spend(
            Some((export.as_bytes(), &t)),
            &actuals,
            (d("2026-10-01"), d("2027-01-01")),
        )
        .unwrap()
        .unwrap();

        // Events' September row is last quarter's: it does not cover Q4.
        assert_eq!(c.names, ["events"]);
        assert_eq!(c.rows, 2);
        assert!(!c.whole_file);
        assert_eq!(
            String::from_utf8(c.bytes).unwrap(),
            format!(
                "{export}2026-10-12,1200.50,events,\"Fair, Berlin\",\n\
                 2026-10-19,300.00,events,\"Fair, Berlin\",\n"
            )
        );
    }

    #[test]
    fn spend_the_exports_cover_entirely_takes_nothing_and_no_export_takes_the_actuals() {
        let export = "date,channel,campaign,spend\n2026-10-05,events,Fair,100.00\n";
        let actuals = table(
            "actuals/spend.csv",
            "date,channel,campaign,spend\n2026-10-12,events,Fair,250.00\n",
        );
        let review = (d("2026-10-01"), d("2027-01-01"));
        let t = table("spend.csv", export);

        assert_eq!(
            carry_spend(Some((export.as_bytes(), &t)), &actuals, review).unwrap(),
            None
        );
        let whole = carry_spend(None, &actuals, review).unwrap().unwrap();
        assert!(whole.whole_file);
        assert_eq!(
            String::from_utf8(whole.bytes).unwrap(),
            "date,channel,campaign,spend\n2026-10-12,events,Fair,250.00\n"
        );
    }

    #[test]
    fn campaigns_the_export_lists_keep_its_row_and_the_rest_are_added() {
        let export = "name,channel,start_date,end_date,budget,owner\n\
                      Brand,paid_search,2026-10-01,2026-12-31,9000,Ana\n";
        let actuals = table(
            "actuals/campaigns.csv",
            "campaign,channel,start,end,planned_budget,owner\n\
             Brand,paid_search,2026-10-01,2026-12-31,8000.00,Ana\n\
             Fair,events,2026-11-02,2026-11-30,4000.00,Bo\n",
        );
        let t = table("campaigns.csv", export);

        let c = carry_campaigns(Some((export.as_bytes(), &t)), &actuals)
            .unwrap()
            .unwrap();

        assert_eq!(c.names, ["Fair"]);
        assert_eq!(
            String::from_utf8(c.bytes).unwrap(),
            format!("{export}Fair,events,2026-11-02,2026-11-30,4000.00,Bo\n")
        );
    }
}
