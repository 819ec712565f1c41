//! Which pieces the quarter needs: campaign pieces dated back from launch, SEO pieces
//! while they fit the writers' SEO hours.

use chrono::NaiveDate;

use super::{requests, to_date, to_day, type_for_channel};
use crate::stages::handoff::{
    CalendarHandoff, ContentConflict, ContentHandoff, ContentOpportunity, PlannedCampaign,
};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn campaign(name: &str, channel: &str, start: NaiveDate) -> PlannedCampaign {
    PlannedCampaign {
        name: name.into(),
        channel: channel.into(),
        start,
        end: start + chrono::Duration::days(30),
        budget: 1000.0,
        owner: "Avery".into(),
        objective: "pipeline".into(),
        success_metrics: vec![],
        kind: "flight".into(),
        expected_revenue: 0.0,
    }
}

fn opportunity(keyword: &str, url: Option<&str>, kind: &str) -> ContentOpportunity {
    ContentOpportunity {
        kind: if url.is_some() {
            "striking_distance"
        } else {
            "content_gap"
        }
        .into(),
        title: format!("Work on {keyword}"),
        content_type: kind.into(),
        keyword: Some(keyword.into()),
        url: url.map(Into::into),
        search_volume: 1000.0,
        current_position: None,
        target_position: 3.0,
        extra_clicks_per_month: 50.0,
        extra_conversions_per_quarter: 1.0,
    }
}

fn inputs() -> (ContentHandoff, CalendarHandoff) {
    let strategy = ContentHandoff {
        opportunities: vec![
            opportunity("a", Some("/a"), "blog"),
            opportunity("b", None, "guide"),
            opportunity("c", Some("/c"), "blog"),
        ],
        ctr_curve: "test".into(),
    };
    let calendar = CalendarHandoff {
        campaigns: vec![
            campaign("Spring webinar", "webinars", day(2027, 1, 18)),
            campaign("Last year's promo", "paid_search", day(2026, 12, 1)),
            // Booked in December and already live: its dates are clipped to the quarter.
            PlannedCampaign {
                kind: "booked".into(),
                ..campaign("Email programme", "email", day(2027, 1, 1))
            },
        ],
        tests: vec![],
        workload: vec![],
        over_committed: Vec::new(),
    };
    (strategy, calendar)
}

const QUARTER: (NaiveDate, NaiveDate) = (
    NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
    NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
);

#[test]
fn a_campaign_piece_is_due_five_working_days_before_launch_and_past_campaigns_are_skipped() {
    let (strategy, calendar) = inputs();

    let r = requests(Some(&strategy), Some(&calendar), QUARTER, QUARTER.0, 1000.0);

    // Launch Monday 18 January; five working days earlier is Monday 11 January.
    assert_eq!(r[0].serves, "Spring webinar");
    assert_eq!(r[0].content_type, "webinar_page");
    assert_eq!(to_date(r[0].publish_by), day(2027, 1, 11));
    assert!(r.iter().all(|p| p.serves != "Last year's promo"));
    assert!(r.iter().all(|p| p.serves != "Email programme"));
    assert_eq!(r.len(), 4);
}

#[test]
fn seo_pieces_stop_when_the_next_one_no_longer_fits_the_seo_hours() {
    let (strategy, calendar) = inputs();

    // 20 h of quarterly capacity × 0.6 = 12 h, less the webinar page's 6 h = 6 h:
    // the first improvement (a refresh's 6 h) fits, the 24-hour guide does not.
    let r = requests(Some(&strategy), Some(&calendar), QUARTER, QUARTER.0, 20.0);

    assert_eq!(r.len(), 2);
    assert_eq!(r[1].hours, Some(6.0));
    assert!(r[1].serves.starts_with("SEO: a"));
}

#[test]
fn without_writers_or_a_calendar_the_top_seo_pieces_are_still_listed() {
    let (strategy, _) = inputs();

    let r = requests(Some(&strategy), None, QUARTER, QUARTER.0, 0.0);

    assert_eq!(r.len(), 3);
    // The gap is a new guide: a guide's 24 hours, not a refresh's.
    assert_eq!(r[1].hours, Some(24.0));
    // The first SEO piece publishes on the first day its brief fits in the quarter.
    assert!(r[0].publish_by > to_day(QUARTER.0));
}

#[test]
fn a_campaigns_channel_decides_the_piece_it_needs() {
    assert_eq!(type_for_channel("webinars"), "webinar_page");
    assert_eq!(type_for_channel("Email"), "email");
    assert_eq!(type_for_channel("seo"), "guide");
    assert_eq!(type_for_channel("paid_social"), "landing_page");
}

fn stage_inputs(
    calendar: &CalendarHandoff,
    strategy: &ContentHandoff,
    roster: &str,
) -> crate::stages::StageInputs {
    let mut data = crate::sources::DataSet::default();
    data.insert(
        "objectives.toml",
        "objectives.toml".into(),
        roster.as_bytes().to_vec(),
    );
    let findings = |h: serde_json::Value| serde_json::json!({ "handoff": h });
    crate::stages::StageInputs {
        run: crate::domain::QuarterRun::new("growth", "2027-Q1", &[]),
        tz: chrono_tz::UTC,
        quarter_start: QUARTER.0,
        review_start: day(2026, 10, 1),
        checkins: vec![],
        data,
        outputs: [
            (3, findings(serde_json::to_value(strategy).unwrap())),
            (8, findings(serde_json::to_value(calendar).unwrap())),
        ]
        .into(),
        names: Default::default(),
    }
}

fn over_capacity(person: &str, week: NaiveDate, hours: f64, capacity: f64) -> ContentConflict {
    ContentConflict::OverCapacity {
        person: person.into(),
        week,
        hours,
        capacity,
    }
}

#[test]
fn a_launch_on_the_first_day_and_an_overloaded_writer_are_named_as_conflicts() {
    let (strategy, mut calendar) = inputs();
    calendar
        .campaigns
        .push(campaign("New year push", "paid_social", QUARTER.0));
    let roster = "[[roster]]\nname = \"Ann\"\nrole = \"Content lead\"\ncapacity_hours_per_week = 2\n\n[[roster]]\nname = \"Bo\"\nrole = \"ops\"\ncapacity_hours_per_week = 40\n";

    let out = super::compute(&stage_inputs(&calendar, &strategy, roster)).unwrap();

    let plan: crate::stages::handoff::ContentPlanHandoff =
        serde_json::from_value(out.findings["handoff"].clone()).unwrap();
    assert!(out.result.available);
    // Ann is the only content person; Bo (ops) writes nothing.
    assert!(plan.pieces.iter().all(|p| p.owner == "Ann"));
    // Launch Fri 1 Jan → live by Fri 25 Dec → brief 13 working days earlier, 8 Dec: too
    // early (the stage runs no earlier than the quarter here), so it is briefed Fri 1 Jan
    // and worked forward: draft Fri 8, review Fri 15, live Wed 20 Jan.
    let push = plan
        .pieces
        .iter()
        .find(|p| p.serves == "New year push")
        .unwrap();
    assert_eq!(
        (push.publish, push.brief),
        (day(2027, 1, 20), day(2027, 1, 1))
    );
    // The webinar (launch Mon 18 Jan, live by Mon 11 Jan) is too early as well: both
    // pieces run Fri 1 to Tue 19 Jan, 13 working days, so Ann carries (6 h + 10 h) / 13 a
    // day: 1 day in the week of 28 Dec (1.2 h, within her 2 h), 5 days in the weeks of 4
    // and 11 Jan (80/13 = 6.2 h each) and 2 days in the week of 18 Jan (32/13 = 2.5 h).
    let over = |week: NaiveDate, hours: f64| over_capacity("Ann", week, hours, 2.0);
    let late = |title: &str, publish_by: NaiveDate| ContentConflict::PublishesLate {
        title: title.into(),
        publish: day(2027, 1, 20),
        publish_by,
    };
    // Hours are sums of thirteenths: compared after rounding to a millionth of an hour.
    let rounded = |c: &ContentConflict| match c {
        ContentConflict::OverCapacity {
            person,
            week,
            hours,
            capacity,
        } => over_capacity(person, *week, (hours * 1e6).round() / 1e6, *capacity),
        other => other.clone(),
    };
    let expected = [
        over(day(2027, 1, 4), 80.0 / 13.0),
        over(day(2027, 1, 11), 80.0 / 13.0),
        over(day(2027, 1, 18), 32.0 / 13.0),
        late("landing page: New year push", day(2026, 12, 25)),
        late("webinar page: Spring webinar", day(2027, 1, 11)),
    ];
    assert_eq!(
        plan.conflicts.iter().map(rounded).collect::<Vec<_>>(),
        expected.iter().map(rounded).collect::<Vec<_>>()
    );
    // 2 h × 12.9 weeks × 0.6 = 15.4 h for SEO, less 16 h of campaign pieces: no SEO piece.
    assert!(plan.pieces.iter().all(|p| !p.serves.starts_with("SEO: ")));
    assert_eq!(out.files.len(), 1);
}

#[test]
fn without_a_content_person_every_piece_is_unassigned_and_the_post_says_why() {
    let (strategy, calendar) = inputs();

    let out = super::compute(&stage_inputs(&calendar, &strategy, "")).unwrap();

    let plan: crate::stages::handoff::ContentPlanHandoff =
        serde_json::from_value(out.findings["handoff"].clone()).unwrap();
    assert!(plan.pieces.iter().all(|p| p.owner == "unassigned"));
    // Four pieces: the webinar's page and the three SEO pieces (no writer, no SEO budget
    // limit: the top SEO_PIECES_WITHOUT_WRITERS are listed).
    assert_eq!(plan.pieces.len(), 4);
    assert_eq!(
        plan.conflicts.last(),
        Some(&ContentConflict::NoWriters { pieces: 4 }),
        "{:?}",
        plan.conflicts
    );
    // The one rendering test of stage 9's post: the conflict through the formatter.
    let body = &out.result.message.body;
    assert!(
        body.contains("\n- no one on the roster has a content role: 4 pieces have no writer (add a roster entry with role \"content\" to objectives.toml)."),
        "{body}"
    );
}
