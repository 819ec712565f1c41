//! The testing roadmap funded by the reserve, ranked by the value of what each test
//! decides over the next quarter per dollar of reserve it needs:
//!
//! - **Geo lift test** (stage 6's proposal for its least identified channel, quoted as
//!   stage 6 sized it: weeks, half-width reached, cost): value of the
//!   sample information for the decision to move the channel's money against the
//!   channels' median marginal ROI `r`, priced over the channel's bootstrap refits
//!   (`analyses::quarter_plan::information`: the chance the truth lies on the other side
//!   of `r`, weighted by how far, resolved by a test whose ROAS standard error is the
//!   half-width it reaches ÷ z), times `Δ`, the channel's planned spend (what the result
//!   can move next quarter, within the half-to-double bounds). A point fit of 0 with
//!   refits reaching past `r` is worth testing; the point estimate does not enter. A
//!   handoff without refits falls back to the normal read of the interval,
//!   `EVSI = Δ·σ̃·L(|μ − r| ÷ σ̃)` (Raiffa & Schlaifer's two-action linear loss),
//!   `σ̃² = σ² − σ_after²`, `L(z) = φ(z) − z·(1 − Φ(z))`.
//! - **Lead-score challenger** (stage 4): half the MQLs routed by the refitted score,
//!   half by the current one; two-proportion test on MQL → SQL (current rate against the
//!   refit's out-of-time rate); value = [`WIN_RATE`] × rate gain × a quarter's MQLs ×
//!   a SQL's value (stage 2: SQL → opportunity × opportunity → won × average deal). It
//!   needs no media money.
//! - **Landing-page tests**, one per channel with measured traffic, sized by
//!   `analyses::quarter_plan::roadmap`; value = [`WIN_RATE`] × MDE × the channel's
//!   expected revenue (stage 6).
//! - **Pilots** for emerging channels (stage 5) that get no budget yet: [`PILOT_SHARE`] of
//!   the reserve each; nothing measured prices them, so they rank last.
//!
//! Funding: by value per dollar (free tests first, unpriced ones last) while the reserve
//! lasts; a test that cannot finish in the quarter is shown, not funded.
//!
//! Landing-page baseline per channel: the platform's conversions ÷ clicks in `spend.csv`
//! over the quarter under review, deflated to what attribution credits: × stage 1's
//! attributed ÷ platform-reported revenue (at most 1; platforms over-claim). The
//! platform's rate as it is only without stage 1. Expected weekly clicks next quarter: last quarter's clicks per week × next spend ÷
//! last spend (clicks scale with money at last quarter's cost per click). MDE: +10%
//! relative. Tests start two weeks after launch (build time).

use chrono::{Duration, NaiveDate};
use quarterdeck_analyses::quarter_plan::information;
use quarterdeck_analyses::quarter_plan::roadmap::{Candidate, TestPlan, plan_tests};
use quarterdeck_analyses::roi::Period;

use super::campaigns::{Span, channel_title};
use crate::sources::{CsvTable, InputError, Quarters, read_spend};
use crate::stages::StageError;
use crate::stages::handoff::{
    BudgetHandoff, FunnelHandoff, HoldoutProposal, PerformanceHandoff, ScoringHandoff,
};

/// Relative minimum detectable effect of every landing-page test.
pub const MDE: f64 = 0.10;
/// Prior chance a challenger beats the control: about one idea in three improves the
/// metric it targets (Kohavi, Tang & Xu, *Trustworthy Online Controlled Experiments*,
/// 2020, ch. 1, on Microsoft's experiments).
pub const WIN_RATE: f64 = 1.0 / 3.0;
/// Share of the reserve a pilot in a new channel gets.
pub const PILOT_SHARE: f64 = 0.10;
const Z90: f64 = 1.644_853_626_951_472_2;
/// Days from the quarter's start to a test's start.
const BUILD_DAYS: i64 = 14;

#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub kind: Kind,
    /// Expected value of the decision the test informs (see the module header).
    pub value: Option<f64>,
    /// What the test measures, in a phrase.
    pub metric: String,
    pub plan: TestPlan,
    pub name: String,
    pub hypothesis: String,
    pub first_day: NaiveDate,
    /// When the sample is complete; may fall after the quarter.
    pub last_day: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    GeoLift,
    LeadScore,
    LandingPage,
    Pilot,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::GeoLift => "geo lift",
            Kind::LeadScore => "lead score challenger",
            Kind::LandingPage => "landing page",
            Kind::Pilot => "pilot",
        }
    }
}

/// Candidates from `spend.csv`'s quarter under review; baselines on stage 1's
/// attributed conversions when it measured them.
pub fn candidates(
    spend: &CsvTable,
    review: Span,
    budget: &BudgetHandoff,
    performance: Option<&PerformanceHandoff>,
) -> Result<Vec<Candidate>, InputError> {
    let q = Quarters {
        current_start: review.first,
        current_end: review.last,
        through: None,
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
        // The platform over-claims: scale its conversions by attributed ÷ platform
        // revenue (stage 1), never up.
        if let Some(r) = performance
            .and_then(|p| p.channels.iter().find(|c| c.channel == ch.channel))
            .and_then(|c| Some(c.attributed_revenue / c.platform_revenue?))
        {
            conversions *= r.clamp(0.0, 1.0);
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
    budget: &BudgetHandoff,
    next: Span,
    label: &str,
) -> Result<Vec<Test>, StageError> {
    let reserve = budget.reserve;
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
            let revenue = budget
                .channels
                .iter()
                .find(|c| c.channel == p.channel)
                .map_or(0.0, |c| c.expected_revenue);
            Test {
                kind: Kind::LandingPage,
                value: Some(WIN_RATE * MDE * revenue),
                metric: "click → conversion rate (attributed)".into(),
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

/// The first day a test can start and the whole weeks left in the quarter from it.
pub fn window(next: Span) -> (NaiveDate, u64) {
    let first_day = next.first + Duration::days(BUILD_DAYS);
    (
        first_day,
        ((next.last - first_day).num_days() + 1).max(0) as u64 / 7,
    )
}

fn ends(first_day: NaiveDate, weeks: u64) -> NaiveDate {
    let days = i64::try_from(weeks.saturating_mul(7)).unwrap_or(i64::MAX / 2);
    first_day
        .checked_add_signed(Duration::days(days.clamp(1, 3650) - 1))
        .unwrap_or(first_day)
}

/// Standard normal loss `L(z) = φ(z) − z·(1 − Φ(z))`: the expected shortfall below the
/// better action, in standard deviations.
fn normal_loss(z: f64) -> f64 {
    let phi = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    phi - z * (1.0 - quarterdeck_analyses::sample_size::pnorm(z))
}

/// Stage 6's geo lift test as stage 6 sized it (the weeks it runs, the half-width it
/// reaches, its cost: computed once there, quoted here), scheduled from the first
/// testing day and priced by the value of the information it brings (module header).
/// A handoff written before stage 6 sized the run (`run_weeks` 0) gets no test.
pub fn geo_lift(
    h: &HoldoutProposal,
    budget: &BudgetHandoff,
    next: Span,
    label: &str,
) -> Option<Test> {
    let ch = budget.channels.iter().find(|c| c.channel == h.channel)?;
    let (first_day, _) = window(next);
    let weeks = u64::from(h.run_weeks);
    if weeks == 0 || ch.spend <= 0.0 {
        return None;
    }
    let after = h.half_width_reached / Z90;
    let value = if h.refit_roas.is_empty() {
        // A handoff without the refits: the normal read of the interval.
        let sigma = (h.roas_high - h.roas_low) / (2.0 * Z90);
        let resolved = (sigma * sigma - after * after).max(0.0).sqrt();
        if resolved > 0.0 {
            ch.spend * resolved * normal_loss((h.roas - h.marginal_return).abs() / resolved)
        } else {
            0.0
        }
    } else {
        ch.spend * information::value_per_dollar(&h.refit_roas, h.marginal_return, after)
    };
    let title = channel_title(&h.channel);
    Some(Test {
        kind: Kind::GeoLift,
        value: Some(value),
        metric: "incremental ROAS (test regions against the rest)".into(),
        name: format!("{label} {title} geo lift test"),
        hypothesis: geo_hypothesis(h, &title),
        first_day,
        last_day: ends(first_day, weeks),
        plan: TestPlan {
            channel: h.channel.clone(),
            baseline: h.roas,
            mde_absolute: h.half_width_reached,
            per_arm: 0,
            weeks,
            budget: h.test_spend,
            funded: false,
            fits_quarter: true,
            detectable_in_time: None,
        },
    })
}

/// Where a channel's return lies against the margin, by what the test is valued on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lean {
    Below,
    Straddles,
    Above,
}

/// At least this share of the refits on one side of the margin: the evidence leans there.
pub const LEAN_SHARE: f64 = 2.0 / 3.0;

/// The lean and the evidence for it, in a phrase ending in the margin ("it"): the
/// refits on each side, or, in a handoff without refits, the interval against it. The
/// point estimate does not enter (a point fit of 0 can have refits reaching far above).
fn lean(h: &HoldoutProposal) -> (Lean, String) {
    let r = h.marginal_return;
    let draws: Vec<f64> = h
        .refit_roas
        .iter()
        .copied()
        .filter(|d| d.is_finite())
        .collect();
    if draws.is_empty() {
        return if h.roas_high < r {
            (Lean::Below, "its whole ROAS interval lies below it".into())
        } else if h.roas_low > r {
            (Lean::Above, "its whole ROAS interval lies above it".into())
        } else {
            (Lean::Straddles, "its ROAS interval spans it".into())
        };
    }
    let n = draws.len();
    let above = draws.iter().filter(|d| **d > r).count();
    let share = above as f64 / n as f64;
    if share >= LEAN_SHARE {
        (
            Lean::Above,
            format!("{above} of {n} refits of its curve put its ROAS above it"),
        )
    } else if 1.0 - share >= LEAN_SHARE {
        (
            Lean::Below,
            format!(
                "{} of {n} refits of its curve put its ROAS below it",
                n - above
            ),
        )
    } else {
        (
            Lean::Straddles,
            format!(
                "{above} of {n} refits of its curve put its ROAS above it, {} below",
                n - above
            ),
        )
    }
}

/// The geo lift test's hypothesis: which side of the channels' median marginal ROI the
/// evidence puts the channel on, and what the test stage 6 sized measures.
pub fn geo_hypothesis(h: &HoldoutProposal, title: &str) -> String {
    let margin = format!(
        "the channels' median marginal ROI of {:.2}",
        h.marginal_return
    );
    let (lean, evidence) = lean(h);
    let claim = match lean {
        Lean::Below => format!("{title} most likely returns less per dollar than {margin}"),
        Lean::Above => format!("{title} most likely returns more per dollar than {margin}"),
        Lean::Straddles => format!(
            "The history cannot say whether {title} returns more or less per dollar than \
             {margin}"
        ),
    };
    format!(
        "{claim} ({evidence}): doubling its spend in {:.0}% of regions for {} weeks \
         measures its ROAS to ±{:.2} on its own, against the history's interval of \
         {:.2}–{:.2}",
        h.share_held_out * 100.0,
        h.run_weeks,
        h.half_width_reached,
        h.roas_low,
        h.roas_high,
    )
}

/// Stage 4's refitted score against the current one on MQL → SQL.
pub fn lead_score(
    s: &ScoringHandoff,
    funnel: Option<&FunnelHandoff>,
    next: Span,
    label: &str,
) -> Option<Test> {
    let (p1, p2) = (s.current_mql_to_sql, s.expected_mql_to_sql);
    if !(p1 > 0.0 && p1 < 1.0 && p2 > p1 && p2 < 1.0) {
        return None;
    }
    use quarterdeck_analyses::sample_size::{Metric, Params, sample_size};
    let n = sample_size(
        &Metric::Proportion { baseline: p1 },
        &Params::new(p2 / p1 - 1.0),
    )
    .ok()?
    .per_arm;
    let weekly = s.expected_mqls_per_month * 12.0 / 52.0;
    if weekly <= 0.0 {
        return None;
    }
    let (first_day, available) = window(next);
    let weeks = (2.0 * n as f64 / weekly).ceil() as u64;
    let sql_value = funnel.and_then(|f| {
        let rate = |from: &str, to: &str| {
            f.steps
                .iter()
                .find(|x| x.from == from && x.to == to)
                .map(|x| x.rate)
        };
        Some(rate("sql", "opportunity")? * rate("opportunity", "won")? * f.average_deal?)
    });
    let mqls = 3.0 * s.expected_mqls_per_month;
    Some(Test {
        kind: Kind::LeadScore,
        value: sql_value.map(|v| WIN_RATE * (p2 - p1) * mqls * v),
        metric: "MQL → SQL rate".into(),
        name: format!("{label} lead score challenger"),
        hypothesis: format!(
            "MQLs chosen by the refitted score at {:.0} points convert to SQL at {:.1}% or \
             more, against {:.1}% for the current score (half the MQLs routed by each)",
            s.threshold,
            p2 * 100.0,
            p1 * 100.0
        ),
        first_day,
        last_day: ends(first_day, weeks),
        plan: TestPlan {
            channel: "lead scoring".into(),
            baseline: p1,
            mde_absolute: p2 - p1,
            per_arm: n,
            weeks,
            budget: 0.0,
            funded: false,
            fits_quarter: weeks <= available,
            detectable_in_time: None,
        },
    })
}

/// A pilot per emerging channel that stage 6 gives no money and that can be bought.
pub fn pilots(emerging: &[String], budget: &BudgetHandoff, next: Span, label: &str) -> Vec<Test> {
    let norm = quarterdeck_analyses::market::normalise_channel;
    let paid: Vec<String> = budget.channels.iter().map(|c| norm(&c.channel)).collect();
    let (first_day, weeks) = window(next);
    let cost = (PILOT_SHARE * budget.reserve * 100.0).round() / 100.0;
    emerging
        .iter()
        .filter(|c| {
            let n = norm(c);
            // Organic sources are earned, not bought.
            !paid.contains(&n)
                && !["seo", "organic", "direct", "referral"]
                    .iter()
                    .any(|o| n.contains(o))
        })
        .filter(|_| weeks > 0)
        .map(|c| {
            let title = channel_title(c);
            Test {
                kind: Kind::Pilot,
                value: None,
                metric: "leads, cost per lead and MQL rate against the paid channels".into(),
                name: format!("{label} {title} pilot"),
                hypothesis: format!(
                    "{title}, where competitors moved or our journeys grew (stage 5), brings \
                     leads at a cost per lead no worse than the paid channels' average"
                ),
                first_day,
                last_day: ends(first_day, weeks),
                plan: TestPlan {
                    channel: c.clone(),
                    baseline: 0.0,
                    mde_absolute: 0.0,
                    per_arm: 0,
                    weeks,
                    budget: cost,
                    funded: false,
                    fits_quarter: true,
                    detectable_in_time: None,
                },
            }
        })
        .collect()
}

/// Ranks by value per dollar (free first, unpriced last; ties by name) and funds in
/// that order while the reserve lasts; tests that cannot finish are never funded.
pub fn rank_and_fund(tests: &mut [Test], reserve: f64) {
    let key = |t: &Test| match t.value {
        Some(v) if t.plan.budget <= 0.0 => (0, -v),
        Some(v) => (1, -v / t.plan.budget),
        None => (2, 0.0),
    };
    tests.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(a.name.cmp(&b.name))
    });
    let mut left = (reserve * 100.0).round();
    for t in tests.iter_mut() {
        let cents = (t.plan.budget * 100.0).round();
        t.plan.funded = t.plan.fits_quarter && cents <= left;
        if t.plan.funded {
            left -= cents;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::handoff::ChannelBudget;

    #[test]
    fn a_geo_test_of_a_channel_fitted_at_zero_is_valued_by_its_refits_not_its_point() {
        // Email's point fit found no return (ROAS 0), but half its refits put it at 6,
        // against a margin of 2. A test precise enough to tell (half-width 0) is worth
        // the expected regret of the decision without it, per dollar: funding (refit
        // mean 3 > 2) loses 2 in the half of refits at 0, so ½·2 = 1; × $52,000.
        let budget = BudgetHandoff {
            channels: vec![ChannelBudget {
                channel: "email".into(),
                spend: 52_000.0,
                ..Default::default()
            }],
            ..Default::default()
        };
        let proposal = HoldoutProposal {
            channel: "email".into(),
            share_held_out: 0.5,
            weeks: 8,
            fits_in_quarter: true,
            target_half_width: 2.0,
            run_weeks: 8,
            half_width_reached: 0.0,
            test_spend: 16_000.0,
            expected_return: 0.0,
            roas: 0.0,
            roas_low: 0.0,
            roas_high: 6.0,
            marginal_return: 2.0,
            refit_roas: vec![0.0, 0.0, 6.0, 6.0],
        };
        let q1 = Span {
            first: "2027-01-01".parse().unwrap(),
            last: "2027-03-31".parse().unwrap(),
        };

        let test = geo_lift(&proposal, &budget, q1, "2027-Q1").unwrap();

        let value = test.value.unwrap();
        assert!((value - 52_000.0).abs() < 1e-6, "{value}");
        // 8 weeks from Jan 15 at stage 6's cost (half the spend doubled in half the
        // regions: 0.5·4,000·8), ending Mar 11.
        assert_eq!(test.plan.budget, 16_000.0);
        assert_eq!((test.plan.weeks, test.plan.mde_absolute), (8, 0.0));
        assert_eq!(test.last_day, "2027-03-11".parse::<NaiveDate>().unwrap());
    }

    fn email_test(refits: Vec<f64>, low: f64, high: f64) -> HoldoutProposal {
        HoldoutProposal {
            channel: "email".into(),
            share_held_out: 0.5,
            weeks: 988,
            fits_in_quarter: false,
            target_half_width: 0.47,
            run_weeks: 8,
            half_width_reached: 5.19,
            test_spend: 14_066.0,
            expected_return: 0.0,
            // A point fit below the margin throughout: the wording must not follow it.
            roas: 1.0,
            roas_low: low,
            roas_high: high,
            marginal_return: 1.95,
            refit_roas: refits,
        }
    }

    #[test]
    fn the_geo_hypothesis_leans_the_way_the_refits_do_not_the_point_fit() {
        let tail = ": doubling its spend in 50% of regions for 8 weeks measures its ROAS to \
                    ±5.19 on its own, against the history's interval of 0.50–9.70";
        // 3 of 4 refits below 1.95 (¾ ≥ ⅔): leans below.
        let below = geo_hypothesis(&email_test(vec![0.5, 1.0, 1.5, 6.0], 0.5, 9.7), "Email");
        assert_eq!(
            below,
            format!(
                "Email most likely returns less per dollar than the channels' median \
                 marginal ROI of 1.95 (3 of 4 refits of its curve put its ROAS below it){tail}"
            )
        );
        // 3 of 4 above although the point fit (1.0) is below: leans above.
        let above = geo_hypothesis(&email_test(vec![0.5, 2.0, 4.0, 6.0], 0.5, 9.7), "Email");
        assert!(
            above.starts_with(
                "Email most likely returns more per dollar than the channels' median \
                 marginal ROI of 1.95 (3 of 4 refits of its curve put its ROAS above it)"
            ),
            "{above}"
        );
        // 2 of 4 either side (½ < ⅔): it cannot say.
        let straddles = geo_hypothesis(&email_test(vec![0.5, 1.0, 4.0, 6.0], 0.5, 9.7), "Email");
        assert!(
            straddles.starts_with(
                "The history cannot say whether Email returns more or less per dollar than \
                 the channels' median marginal ROI of 1.95 (2 of 4 refits of its curve put \
                 its ROAS above it, 2 below)"
            ),
            "{straddles}"
        );
        // Without refits, the interval decides: 2.0–9.7 lies above 1.95.
        let no_refits = geo_hypothesis(&email_test(Vec::new(), 2.0, 9.7), "Email");
        assert!(
            no_refits.starts_with("Email most likely returns more per dollar")
                && no_refits.contains("(its whole ROAS interval lies above it)"),
            "{no_refits}"
        );
    }
}
