//! The testing roadmap funded by the reserve: one landing-page A/B test per channel with
//! measured traffic, sized by `analyses::quarter_plan::roadmap`.
//!
//! Baseline per channel: platform-reported conversions ÷ clicks in `spend.csv` over the
//! quarter under review (the rate the platform's split test would read). Expected weekly
//! clicks next quarter: last quarter's clicks per week × next spend ÷ last spend (clicks
//! scale with money at last quarter's cost per click). MDE: +10% relative. Channels are
//! tested fastest first; tests start two weeks into the quarter (build time).

use chrono::{Duration, NaiveDate};
use quarterdeck_analyses::quarter_plan::roadmap::{Candidate, TestPlan, plan_tests};
use quarterdeck_analyses::roi::Period;

use super::campaigns::{Span, channel_title};
use crate::sources::{CsvTable, InputError, Quarters, read_spend};
use crate::stages::StageError;
use crate::stages::handoff::BudgetHandoff;

/// Relative minimum detectable effect of every test.
pub const MDE: f64 = 0.10;
/// Days from the quarter's start to a test's start.
const BUILD_DAYS: i64 = 14;

#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub plan: TestPlan,
    pub name: String,
    pub hypothesis: String,
    pub first_day: NaiveDate,
    /// When the sample is complete; may fall after the quarter.
    pub last_day: NaiveDate,
}

/// Candidates from `spend.csv`'s quarter under review.
pub fn candidates(
    spend: &CsvTable,
    review: Span,
    budget: &BudgetHandoff,
) -> Result<Vec<Candidate>, InputError> {
    let q = Quarters {
        current_start: review.first,
        current_end: review.last,
    };
    let weeks = review.days() as f64 / 7.0;
    let mut out = Vec::new();
    let lines: Vec<_> = read_spend(spend, &q)?
        .into_iter()
        .filter(|l| l.period == Period::Current)
        .collect();
    for ch in &budget.channels {
        let (mut clicks, mut conversions, mut money) = (0.0, 0.0, 0.0);
        for l in lines.iter().filter(|l| l.channel == ch.channel) {
            clicks += l.delivery.clicks.unwrap_or(0.0);
            conversions += l.delivery.conversions.unwrap_or(0.0);
            money += l.spend;
        }
        if clicks <= 0.0 || conversions <= 0.0 || conversions >= clicks || money <= 0.0 {
            continue;
        }
        out.push(Candidate {
            channel: ch.channel.clone(),
            baseline: conversions / clicks,
            weekly_clicks: clicks / weeks * ch.spend / money,
            cost_per_click: money / clicks,
        });
    }
    out.sort_by(|a, b| {
        b.weekly_clicks
            .total_cmp(&a.weekly_clicks)
            .then(a.channel.cmp(&b.channel))
    });
    Ok(out)
}

pub fn plan(
    candidates: &[Candidate],
    reserve: f64,
    next: Span,
    label: &str,
) -> Result<Vec<Test>, StageError> {
    let first_day = next.first + Duration::days(BUILD_DAYS);
    let weeks_available = ((next.last - first_day).num_days() + 1) as u64 / 7;
    let plans =
        plan_tests(candidates, MDE, reserve, weeks_available).map_err(|e| StageError::BadFile {
            file: "spend.csv".into(),
            message: format!("cannot size a test: {e}"),
        })?;
    Ok(plans
        .into_iter()
        .map(|p| {
            let title = channel_title(&p.channel);
            let days = i64::try_from(p.weeks.saturating_mul(7)).unwrap_or(i64::MAX / 2);
            Test {
                name: format!("{label} {title} landing-page test"),
                hypothesis: format!(
                    "A rebuilt landing page and offer for {title} traffic lifts click → \
                     conversion from {:.2}% to {:.2}% or more",
                    p.baseline * 100.0,
                    (p.baseline + p.mde_absolute) * 100.0
                ),
                first_day,
                last_day: first_day
                    .checked_add_signed(Duration::days(days.min(3650) - 1))
                    .unwrap_or(first_day),
                plan: p,
            }
        })
        .collect())
}
