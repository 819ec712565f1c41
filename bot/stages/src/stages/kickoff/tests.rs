use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use serde_json::json;

use super::{Kickoff, kickoff, post};
use crate::domain::{QuarterRun, RosterEntry};
use crate::sources::DataSet;
use crate::stages::StageInputs;
use crate::stages::handoff::{CalendarHandoff, PlannedCampaign};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn campaign(name: &str, owner: &str) -> PlannedCampaign {
    PlannedCampaign {
        name: name.into(),
        channel: "search".into(),
        start: d("2027-01-04"),
        end: d("2027-03-31"),
        budget: 1000.0,
        owner: owner.into(),
        objective: "leads".into(),
        success_metrics: Vec::new(),
        kind: "flight".into(),
        expected_revenue: 0.0,
    }
}

#[test]
fn the_roster_joins_booked_and_planned_campaigns_once_and_the_first_checkin_is_local() {
    let mut data = DataSet::default();
    data.insert(
        "campaigns.csv",
        "campaigns.csv".into(),
        b"campaign,channel,start,end,planned_budget,owner\n\
          Ended,search,2026-10-01,2026-12-31,1000,Ann\n\
          Booked,social,2027-02-01,2027-03-15,800,Cy\n"
            .to_vec(),
    );
    let mut run = QuarterRun::new("t", "2027-Q1", &[Utc::now(); 12]);
    run.approved_version = Some(2);
    let calendar = CalendarHandoff {
        // Stage 8 carries the booked campaign too: it is on the roster once.
        campaigns: vec![campaign("New flight", "Dee"), campaign("Booked", "Cy")],
        tests: Vec::new(),
        workload: Vec::new(),
        over_committed: Vec::new(),
    };
    let checkins = vec![
        Utc.with_ymd_and_hms(2027, 1, 25, 14, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 2, 1, 14, 0, 0).unwrap(),
    ];
    let inputs = StageInputs {
        run,
        tz: New_York,
        quarter_start: d("2027-01-01"),
        review_start: d("2026-10-01"),
        checkins: checkins.clone(),
        data,
        outputs: [(8, json!({"available": true, "handoff": calendar}))].into(),
        names: Default::default(),
    };

    let k = kickoff(&inputs).unwrap();

    assert_eq!(
        k,
        Kickoff {
            quarter: "2027-Q1".into(),
            approved_version: 2,
            roster: vec![
                RosterEntry::new("Booked", "Cy"),
                RosterEntry::new("New flight", "Dee"),
            ],
            checkins: 2,
            // 14:00 UTC on 25 Jan is 09:00 in New York (EST, UTC−5).
            first_checkin: Some(New_York.with_ymd_and_hms(2027, 1, 25, 9, 0, 0).unwrap()),
        }
    );
    assert_eq!(k.owners(), 2);
}

#[test]
fn the_post_names_the_version_the_counts_and_the_first_checkin() {
    let k = Kickoff {
        quarter: "2027-Q1".into(),
        approved_version: 3,
        roster: vec![
            RosterEntry::new("Always on", "Ann"),
            RosterEntry::new("Spring flight", "Ann"),
            RosterEntry::new("Webinar", "Bo"),
        ],
        checkins: 9,
        first_checkin: Some(New_York.with_ymd_and_hms(2027, 1, 25, 9, 0, 0).unwrap()),
    };

    let (message, headline) = post::message(&k);

    assert_eq!(headline, "3 campaigns, 2 owners");
    assert!(
        message.title.ends_with("— 2027-Q1 is live"),
        "{}",
        message.title
    );
    assert_eq!(
        message.body,
        "Plan v3 is approved and execution starts. 3 campaigns, 2 owners. Weekly check-ins: 9 \
         in all, the first on Mon 25 Jan 09:00 EST."
    );
    assert_eq!(message.tables[0].rows[2], ["Webinar", "Bo"]);

    let none_left = Kickoff {
        checkins: 0,
        first_checkin: None,
        ..k
    };
    assert!(
        post::message(&none_left)
            .0
            .body
            .ends_with("the first on — (none left this quarter).")
    );
}
