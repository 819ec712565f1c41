//! What a stage hands to later stages, typed. A stage stores its handoff inside its
//! findings JSON under the key `handoff`; a later stage reads it back with
//! [`StageInputs::handoff`](super::StageInputs::handoff). Findings hold much more (tables,
//! intervals, diagnostics) for posts and the plan document; only what another stage
//! computes with lives here, so the coupling between stages is this one file.
//!
//! Money is in the team's currency, rates are fractions (0.23, not 23), dates are
//! `YYYY-MM-DD`, months `YYYY-MM`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The key under which a stage's findings hold its handoff.
pub const KEY: &str = "handoff";

/// Stage 1 → 6, 10: last quarter per paid channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceHandoff {
    pub channels: Vec<ChannelResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelResult {
    pub channel: String,
    pub spend: f64,
    /// Revenue credited to the channel (Markov value credit, as in the ROI review).
    pub attributed_revenue: f64,
    /// `attributed_revenue / spend`; `None` without spend.
    pub roas: Option<f64>,
    /// The same for the quarter before, when its journeys are in the data.
    #[serde(default)]
    pub previous_roas: Option<f64>,
    /// Revenue the ad platform reports for the channel; attributed ÷ platform revenue
    /// deflates the platform's conversions to what attribution credits (the
    /// landing-page tests' baselines).
    #[serde(default)]
    pub platform_revenue: Option<f64>,
}

/// Stage 2 → 7, 10: the measured funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelHandoff {
    /// Stage names in order (`lead`, `mql`, `sql`, `opportunity`, `won`).
    pub stages: Vec<String>,
    pub steps: Vec<FunnelStep>,
    /// Mean amount of a won deal in the quarter under review.
    pub average_deal: Option<f64>,
    /// Leads created per month in the quarter under review (by month).
    pub leads_by_month: Vec<(String, u64)>,
    /// Steps whose whole interval is below the benchmark median (stage 2's post and the
    /// plan word them).
    pub bottlenecks: Vec<Bottleneck>,
}

/// A step below its benchmark: mature rate, the top of its 95% interval, the leads it
/// is measured over and their lag, against the benchmark median.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bottleneck {
    pub from: String,
    pub to: String,
    pub mature_rate: Option<f64>,
    pub interval_high: f64,
    pub leads: u64,
    pub lag_days: f64,
    pub benchmark: f64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    pub from: String,
    pub to: String,
    /// Mature conversion rate of the step.
    pub rate: f64,
    /// Leads of the quarter under review that entered `from`, and reached `to` so far.
    #[serde(default)]
    pub entered: u64,
    #[serde(default)]
    pub converted: u64,
    /// Median days from entering `from` to entering `to`.
    pub median_lag_days: Option<f64>,
}

/// Stage 3 → 9, 10: ranked content and SEO opportunities for the next quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentHandoff {
    /// Best first.
    pub opportunities: Vec<ContentOpportunity>,
    /// The CTR-by-position curve the uplift estimates use, named with its source.
    pub ctr_curve: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentOpportunity {
    /// `striking_distance`, `content_gap`, `refresh` or `double_down`.
    pub kind: String,
    /// What to write or improve, in a phrase ("Guide: pipeline benchmarks").
    pub title: String,
    /// The content type to produce (`blog`, `guide`, `landing_page`, ...).
    pub content_type: String,
    pub keyword: Option<String>,
    /// The existing page, when improving one.
    pub url: Option<String>,
    pub search_volume: f64,
    pub current_position: Option<f64>,
    pub target_position: f64,
    /// Estimated extra organic clicks per month at the target position.
    pub extra_clicks_per_month: f64,
    /// Estimated extra conversions per quarter (clicks × the type's conversion rate).
    pub extra_conversions_per_quarter: f64,
}

/// Stage 4 → 7, 10: the lead score proposed for the next quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringHandoff {
    /// Points per feature of the proposed score.
    pub weights: Vec<PointWeight>,
    /// Proposed MQL threshold in points.
    pub threshold: f64,
    /// Expected MQLs per month at the threshold, at last quarter's lead volume.
    pub expected_mqls_per_month: f64,
    /// Expected MQL → SQL rate at the threshold (out-of-time validation).
    pub expected_mql_to_sql: f64,
    /// Last quarter's MQL → SQL rate with the current score.
    pub current_mql_to_sql: f64,
    /// Out-of-time AUC of the refitted model (trained on earlier months).
    pub out_of_time_auc: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointWeight {
    pub feature: String,
    pub points: f64,
}

/// Stage 5 → 10: the market picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketHandoff {
    pub opportunities: Vec<String>,
    pub threats: Vec<String>,
    pub benchmark_gaps: Vec<BenchmarkGap>,
    /// Channels competitors moved into or that grew in our journeys.
    pub emerging_channels: Vec<String>,
    /// Every channel identifier the sentences above may name (organic ones included),
    /// for the plan to show the team's names for them.
    #[serde(default)]
    pub channels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkGap {
    pub metric: String,
    pub ours: f64,
    pub benchmark: f64,
    pub source: String,
}

/// Stage 6 → 7, 8, 10: the next quarter's budget.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetHandoff {
    pub total: f64,
    /// Held back for the testing roadmap.
    pub reserve: f64,
    /// `total − reserve`, split over `channels`.
    pub allocatable: f64,
    pub channels: Vec<ChannelBudget>,
    /// Expected revenue from the allocation over the quarter (response curves).
    pub expected_revenue: f64,
    /// How the total was set (`fixed in objectives.toml`, `last quarter × 1.08, capped`).
    pub total_basis: String,
    /// What the curves' uncertainty says about the split against last quarter's mix.
    #[serde(default)]
    pub uncertainty: Option<BudgetUncertainty>,
    /// The method in plain words, for the plan's appendix: what was assumed, what the
    /// data could not tell, and how much the split depends on it (paragraphs).
    #[serde(default)]
    pub method: Vec<String>,
    /// A geo lift test for the least identified channel, sized to settle its ROAS.
    #[serde(default)]
    pub holdout: Option<HoldoutProposal>,
    /// What the split does to revenue against last quarter's actual spend: the figure
    /// stage 7's forecast against the targets rests on.
    #[serde(default)]
    pub outlook: Option<MediaOutlook>,
    /// Money change requests held back from a channel into the reserve, one entry per
    /// hold-back that moved money; stage 10 lists each as a risk.
    #[serde(default)]
    pub held_back: Vec<HeldBack>,
}

/// A hold-back amendment as applied: who asked, how much of which channel now sits in
/// the reserve, and what releasing it to the channel would bring at its curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldBack {
    pub channel: String,
    /// The share asked for (0–1].
    pub share: f64,
    /// The money held back, to the cent (less than asked when bookings stop it).
    pub amount: f64,
    /// Expected revenue the money would add back to the channel at its final spend
    /// (stage 6's curve; 0 for a channel fitted flat).
    pub revenue_if_released: f64,
    pub by: String,
    pub group: String,
}

/// The planned split's media-driven revenue against last quarter's spend, on the weekly
/// revenue series the curves were fitted to. Stage 7 turns it into a growth factor on
/// last quarter's actuals: `1 + change ÷ last_quarter_revenue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaOutlook {
    /// `weekly_revenue.csv` summed over last quarter's weeks (the reference weeks).
    pub last_quarter_revenue: f64,
    /// Media-driven revenue of last quarter's actual spend and of the planned split
    /// (calibrated point curves, a quarter at steady carry-over).
    pub media_last_quarter: f64,
    pub media_planned: f64,
    /// `media_planned − media_last_quarter` on the point curves, and its interval over
    /// the refits.
    pub change: f64,
    pub change_low: f64,
    pub change_high: f64,
    pub level: f64,
}

/// A geo lift test proposed by stage 6 for the roadmap (stage 8 ranks and funds tests):
/// the channel's spend doubles in `share_held_out` of the regions for `weeks`, paid from
/// the test reserve; the revenue difference between the regions ÷ the extra spend
/// measures the channel's return where the plan puts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutProposal {
    pub channel: String,
    /// Share of regions in the test arm.
    pub share_held_out: f64,
    /// Weeks needed to bring the ROAS 90% half-width to `target_half_width`.
    pub weeks: u32,
    pub fits_in_quarter: bool,
    pub target_half_width: f64,
    /// The weeks the test actually runs: `weeks`, at most the whole weeks the quarter
    /// leaves after kickoff and set-up (`stages::calendar::test_window`). Stage 8's
    /// roadmap and the plan's appendix quote this test; 0 in handoffs written before it
    /// (stage 8 then schedules no geo test).
    #[serde(default)]
    pub run_weeks: u32,
    /// The ROAS 90% half-width the test reaches on its own over `run_weeks`.
    #[serde(default)]
    pub half_width_reached: f64,
    /// The extra money spent in the test regions over `run_weeks`, to the cent: the
    /// test's cost to the reserve.
    #[serde(alias = "spend_paused")]
    pub test_spend: f64,
    /// Revenue the extra spend is expected to bring back: test spend × the channel's ROAS.
    #[serde(alias = "revenue_at_risk")]
    pub expected_return: f64,
    /// The channel's ROAS interval, and the margin the test's result is compared with:
    /// the median of the channels' marginal ROI under the proposed split (stage 6's
    /// "Marginal ROI" column; the split moves only part of the way to the optimum, so
    /// the channels' next dollars do not return one common figure).
    #[serde(default)]
    pub roas: f64,
    #[serde(default)]
    pub roas_low: f64,
    #[serde(default)]
    pub roas_high: f64,
    #[serde(default)]
    pub marginal_return: f64,
    /// The channel's ROAS in each bootstrap refit of its (calibrated) curve: what the
    /// test's value of information is priced over (empty in handoffs written before it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refit_roas: Vec<f64>,
}

/// The proposed split against last quarter's mix (scaled to the same allocatable amount,
/// inside the same bounds), priced by every bootstrap refit of the calibrated curves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetUncertainty {
    /// Refits the figures are taken over, and the coverage of the intervals.
    pub draws: usize,
    pub level: f64,
    /// How far the split moved from last quarter's mix towards the curves' optimum (0–1).
    pub share_of_move: f64,
    /// Share of refits in which the split earns more than last quarter's mix.
    pub probability_beats_last_mix: f64,
    /// Mean gain over last quarter's mix across refits, and its interval.
    pub expected_gain: f64,
    pub gain_low: f64,
    pub gain_high: f64,
    /// Interval of the split's media-driven revenue across refits.
    pub revenue_low: f64,
    pub revenue_high: f64,
    /// Mean gain and its probability had the split moved all the way to the optimum.
    pub full_move_expected_gain: f64,
    pub full_move_probability: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelBudget {
    pub channel: String,
    pub spend: f64,
    pub last_quarter_spend: f64,
    pub expected_revenue: f64,
    /// Revenue per extra dollar at the allocated spend.
    pub marginal_roi: f64,
    pub rationale: String,
    /// Money already booked into the quarter (campaigns that started last quarter): the
    /// channel's floor.
    #[serde(default)]
    pub booked: f64,
    /// Calibrated ROAS of the channel's curve and its interval.
    #[serde(default)]
    pub roas: f64,
    #[serde(default)]
    pub roas_low: f64,
    #[serde(default)]
    pub roas_high: f64,
    /// `well identified`, `partly identified` or `poorly identified`.
    #[serde(default)]
    pub identification: String,
}

/// Stage 7 → 8, 10: targets for the next quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalsHandoff {
    pub targets: Vec<Target>,
    pub milestones: Vec<Milestone>,
    pub channel_targets: Vec<ChannelTarget>,
    pub kpis: Vec<Kpi>,
    /// What the planned budget is expected to deliver against the targets; stage 10's
    /// risk and finance decision quote it.
    #[serde(default)]
    pub forecast: Option<Forecast>,
    /// The steps whose rate the targets use is below last quarter's own ratio, so the
    /// volumes before them grow faster than revenue (MQL → SQL left out when stage 4's
    /// threshold changes what an MQL is); stage 10's stretch risk quotes them.
    #[serde(default)]
    pub rate_gaps: Vec<quarterdeck_analyses::goals::RateGap>,
}

/// Stage 7's forecast of the quarter at the planned budget: last quarter's actuals moved
/// by the change stage 6's curves expect from the planned split (see
/// `stages::goals::forecast` for the arithmetic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Expected next quarter ÷ last quarter (stage 6's outlook), with its interval.
    pub growth: f64,
    pub growth_low: f64,
    pub growth_high: f64,
    pub level: f64,
    /// `revenue`, `pipeline`, `mqls`, in that order.
    pub lines: Vec<ForecastLine>,
    /// Last quarter's paid spend ÷ the leads paid sources brought, and ÷ the
    /// opportunities those leads make at stage 2's rates.
    pub cost_per_lead: Option<f64>,
    pub cost_per_opportunity: Option<f64>,
    /// The assumptions, in a sentence.
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastLine {
    pub metric: String,
    /// Stage 7's target for the metric.
    pub target: f64,
    pub last_quarter: f64,
    pub expected: f64,
    pub low: f64,
    pub high: f64,
    /// `target − expected` when positive, else 0.
    pub shortfall: f64,
    /// The target lies above the interval's upper end.
    pub out_of_reach: bool,
    /// What closing the shortfall takes at last quarter's costs: extra leads and
    /// opportunities, and their cost (`None` without a cost per lead).
    pub extra_leads: f64,
    pub extra_opportunities: f64,
    pub cost_to_close: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// `revenue`, `pipeline`, `won` (deals), `opportunities`, `sqls`, `mqls`, `leads`, `brand`.
    pub metric: String,
    pub value: f64,
    /// How the figure was derived, in a sentence.
    pub basis: String,
    /// Last quarter's actual, when measured.
    #[serde(default)]
    pub last_quarter: Option<f64>,
    /// More than 20% above last quarter's actual.
    #[serde(default)]
    pub stretch: bool,
    /// Above the best quarter on record (stage 10's risk list reads this).
    #[serde(default)]
    pub above_history: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// One month's share of each target: money to the cent and counts in whole units, split
/// by largest remainder so each metric's months add up to its target exactly (the
/// target rounded the same way).
pub struct Milestone {
    pub month: String,
    pub revenue: f64,
    pub pipeline: f64,
    #[serde(default)]
    pub won: f64,
    #[serde(default)]
    pub opportunities: f64,
    pub sqls: f64,
    pub mqls: f64,
    #[serde(default)]
    pub leads: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A source of volume's share of the targets. Paid channels carry stage 6's spend and
/// expected media revenue; sources without spend (organic search, referrals) carry 0
/// there. Leads and MQLs are whole numbers, split over every source by its share of last
/// quarter's leads and MQLs, so each sums to its target exactly.
pub struct ChannelTarget {
    pub channel: String,
    pub spend: f64,
    pub revenue: f64,
    pub mqls: f64,
    #[serde(default)]
    pub leads: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpi {
    pub name: String,
    pub definition: String,
    pub source: String,
    /// `weekly`, `monthly`.
    pub cadence: String,
    pub owner: Option<String>,
}

/// Stage 8 → 9, 10, 12: campaigns, tests and workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarHandoff {
    /// New campaigns and those booked last quarter that run into this one (`kind`
    /// `booked`, their in-quarter share of budget).
    pub campaigns: Vec<PlannedCampaign>,
    pub tests: Vec<PlannedTest>,
    pub workload: Vec<Workload>,
    /// Channels whose bookings from last quarter exceed their allocation.
    #[serde(default)]
    pub over_committed: Vec<OverCommitment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverCommitment {
    pub channel: String,
    /// Booked money falling in the quarter.
    pub booked: f64,
    pub allocation: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedCampaign {
    pub name: String,
    pub channel: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub budget: f64,
    pub owner: String,
    pub objective: String,
    pub success_metrics: Vec<String>,
    /// `always-on`, `flight` or `booked` (booked last quarter, running into this one).
    #[serde(default)]
    pub kind: String,
    /// The campaign's share of its channel's expected revenue (stage 6 curves).
    #[serde(default)]
    pub expected_revenue: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedTest {
    /// `geo lift`, `lead score challenger`, `pilot` or `landing page`.
    #[serde(default)]
    pub kind: String,
    /// Expected value of what the test decides over the next quarter (see
    /// `stages::calendar::roadmap`); `None` when nothing measured prices it (pilots).
    #[serde(default)]
    pub value: Option<f64>,
    pub name: String,
    pub channel: String,
    pub hypothesis: String,
    /// The metric the test decides on (`conversion rate`).
    pub metric: String,
    pub baseline: f64,
    /// Minimum detectable effect, absolute on `metric`.
    pub minimum_detectable_effect: f64,
    pub sample_size_per_arm: u64,
    pub start: NaiveDate,
    /// When the sample is complete; after the quarter's end when `fits_quarter` is false.
    pub end: NaiveDate,
    pub budget: f64,
    pub owner: String,
    #[serde(default)]
    pub weeks: u64,
    /// False when the reserve left could not pay for it (then it does not run).
    #[serde(default)]
    pub funded: bool,
    #[serde(default)]
    pub fits_quarter: bool,
    /// When it cannot finish: the smallest relative lift (0.27 = +27%) the channel's
    /// traffic could detect within the quarter, if any.
    #[serde(default)]
    pub detectable_in_quarter: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    pub person: String,
    pub role: String,
    pub hours: f64,
    pub capacity_hours: f64,
    /// The part of `hours` that is campaigns' creative and content work, an estimate
    /// stage 9's scheduled pieces replace in the plan's hours.
    #[serde(default)]
    pub creative_hours: f64,
}

/// Stage 9 → 10: the content production schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentPlanHandoff {
    pub pieces: Vec<ContentPiece>,
    /// Over-capacity weeks, missed deadlines and pieces without a writer (stage 9's
    /// post renders them as sentences).
    pub conflicts: Vec<ContentConflict>,
}

/// A problem in the production schedule, with the figures that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContentConflict {
    /// A writer's planned hours in the week starting on the Monday `week` exceed their
    /// weekly capacity.
    OverCapacity {
        person: String,
        week: NaiveDate,
        hours: f64,
        capacity: f64,
    },
    /// Briefed on the earliest day allowed, the piece still publishes after it was
    /// needed by.
    PublishesLate {
        title: String,
        publish: NaiveDate,
        publish_by: NaiveDate,
    },
    /// No one on the roster has a content role: `pieces` pieces have no writer.
    NoWriters { pieces: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentPiece {
    pub title: String,
    pub content_type: String,
    /// The campaign or opportunity it serves.
    pub serves: String,
    pub owner: String,
    pub brief: NaiveDate,
    pub draft: NaiveDate,
    pub review: NaiveDate,
    pub publish: NaiveDate,
    pub hours: f64,
}
