//! Bench binary (`cargo bench -p quarterdeck-stages --bench data_check`): the data check
//! of a 1,000,000-row touchpoints (journeys) file and of a 1,000,000-row leads file,
//! each alone in a folder. Target: under 2 s each. Prints figures; asserts nothing.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use quarterdeck_stages::data_check;
use quarterdeck_stages::sources::DataSet;

const ROWS: usize = 1_000_000;

fn main() {
    let start = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    let channels = [
        "paid_search",
        "paid_social",
        "email",
        "seo",
        "display",
        "events",
    ];
    let mut touch = String::from("journey_id,timestamp,channel,campaign\n");
    for i in 0..ROWS {
        let d = start + Duration::days((i % 180) as i64);
        touch.push_str(&format!(
            "j{},{d}T{:02}:{:02}:00Z,{},c{}\n",
            i / 4,
            i % 24,
            i % 60,
            channels[i % 6],
            i % 40
        ));
    }
    let mut leads = String::from(
        "lead_id,created_at,source,segment,region,mql_at,sql_at,opportunity_at,won_at,amount,score\n",
    );
    for i in 0..ROWS {
        let d = start + Duration::days((i % 180) as i64);
        let mql = if i % 3 == 0 {
            (d + Duration::days(3)).to_string()
        } else {
            String::new()
        };
        let won = if i % 50 == 0 {
            (d + Duration::days(40)).to_string()
        } else {
            String::new()
        };
        leads.push_str(&format!(
            "L{i},{d}T10:00:00Z,{},smb,emea,{mql},,,{won},{},{}\n",
            channels[i % 6],
            if won.is_empty() {
                String::new()
            } else {
                "1200".into()
            },
            i % 100
        ));
    }
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    for (name, text) in [("touchpoints.csv", touch), ("leads.csv", leads)] {
        let mut data = DataSet::default();
        data.insert(name, name.into(), text.into_bytes());
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let report = data_check::check(&data, as_of);
            best = best.min(t.elapsed().as_secs_f64());
            assert_eq!(report.files[0].rows, ROWS);
        }
        println!("data check {name}: {ROWS} rows, best of 3: {best:.3} s (target < 2 s)");
    }
}
