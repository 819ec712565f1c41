//! Data as of the day a stage runs: the date a stage's data runs to, like-for-like
//! quarters, and what a re-run on the final exports records. Expected values by hand.

use chrono::NaiveDate;
use quarterdeck_analyses::roi::Period;
use serde_json::json;

use super::data_notes::{DataThrough, THROUGH_KEY};
use super::handoff::{self, ChannelResult, PerformanceHandoff};
use super::refresh::{self, Moved};
use crate::sources::Quarters;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn q4_through(through: &str) -> DataThrough {
    DataThrough {
        through: d(through),
        quarter_start: d("2026-10-01"),
        quarter_end: d("2026-12-31"),
    }
}

#[test]
fn data_read_on_22_december_covers_82_of_the_quarters_92_days() {
    let early = q4_through("2026-12-21");
    let last = q4_through("2026-12-31");

    // October 31 + November 30 + 21 December days = 82; the quarter 31 + 30 + 31 = 92.
    assert_eq!((early.days(), early.quarter_days()), (82, 92));
    assert!(!early.complete() && last.complete());
    assert!(early.line().starts_with(
        "**Data through** 21 Dec 2026: 82 of the quarter's 92 days (it ends 31 Dec 2026);"
    ));
    assert_eq!(
        last.line(),
        "**Data through** 31 Dec 2026: the whole quarter under review (92 days)."
    );
}

#[test]
fn a_quarter_read_early_is_compared_with_the_same_days_of_the_quarter_before() {
    let q = Quarters {
        current_start: d("2026-10-01"),
        current_end: d("2026-12-31"),
        through: Some(d("2026-12-21")),
    };
    let whole = Quarters { through: None, ..q };

    // Day 82 of Q3 is 20 Sep (July 31 + August 31 + 20): the quarter before ends there.
    assert_eq!(q.period(d("2026-07-01")), Some(Period::Previous));
    assert_eq!(q.period(d("2026-09-20")), Some(Period::Previous));
    assert_eq!(q.period(d("2026-09-21")), None);
    assert_eq!(q.period(d("2026-09-30")), None);
    assert_eq!(q.period(d("2026-10-01")), Some(Period::Current));
    // Read after the quarter closed, the whole quarter before counts.
    assert_eq!(whole.period(d("2026-09-30")), Some(Period::Previous));
    assert_eq!(whole.period(d("2026-06-30")), None);
}

fn stage_one(through: &str, spend: f64, revenue: f64) -> serde_json::Value {
    let handoff = PerformanceHandoff {
        channels: vec![ChannelResult {
            channel: "email".into(),
            spend,
            attributed_revenue: revenue,
            roas: Some(revenue / spend),
            previous_roas: None,
            platform_revenue: None,
        }],
    };
    json!({
        (handoff::KEY): handoff,
        (THROUGH_KEY): q4_through(through),
    })
}

#[test]
fn a_re_run_on_the_final_exports_names_the_figures_that_moved() {
    let before = stage_one("2026-12-21", 90_000.0, 270_000.0);
    let after = stage_one("2026-12-31", 100_000.0, 300_000.0);

    let r = refresh::compare(
        1,
        q4_through("2026-12-21"),
        q4_through("2026-12-31"),
        &before,
        &after,
    );

    // Spend and revenue move; ROAS is 3.00 both times, so it is not listed.
    assert_eq!((r.from, r.to), (d("2026-12-21"), d("2026-12-31")));
    assert_eq!(
        r.moved,
        [
            Moved {
                figure: "Paid media spend".into(),
                before: "$90,000".into(),
                after: "$100,000".into(),
            },
            Moved {
                figure: "Attributed revenue, paid channels".into(),
                before: "$270,000".into(),
                after: "$300,000".into(),
            },
        ]
    );
}
