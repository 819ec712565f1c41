//! The generated sample dataset: a B2B company's quarter under review ("prior"), the
//! quarter before it ("before") and the inputs for planning the next one. Every file is
//! drawn from stated generating parameters, written beside the data as `truth.json`, so
//! the analyses can be checked against the truth. Deterministic: the same seed gives the
//! same bytes, and each file has its own random stream so adding one changes no other.
//!
//! Files (CSV with a header row, dates `YYYY-MM-DD`, timestamps RFC 3339 UTC):
//! `campaigns.csv`, `spend.csv` (daily, per campaign, platform-reported numbers that
//! over-claim), `weekly_media.csv` + `weekly_revenue.csv` + `controls.csv` (104 weeks of
//! media-mix history), `touchpoints.csv` + `conversions.csv` (journeys), `leads.csv`,
//! `content.csv`, `keywords.csv`, `sales_feedback.csv`, `competitors.csv`, `trends.csv`,
//! `benchmarks.csv` (sourced industry figures), `objectives.toml`, `truth.json`,
//! `README.md`. The generating model of each is documented in its module.

mod as_of;
mod content;
mod experiments;
mod journeys;
mod leads;
mod market;
mod media;
mod truth;
mod write;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

pub use truth::{Curve, FunnelRates, Truth};
pub use write::SampleError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSpec {
    pub seed: u64,
    /// The quarter under review (inclusive dates).
    pub prior_start: NaiveDate,
    pub prior_end: NaiveDate,
    /// The quarter being planned.
    pub next_start: NaiveDate,
    pub next_end: NaiveDate,
}

impl SampleSpec {
    /// The quarter before the prior one, of the same length.
    pub fn before(&self) -> (NaiveDate, NaiveDate) {
        let len = self.prior_end - self.prior_start;
        let end = self.prior_start.pred_opt().unwrap_or(self.prior_start);
        (end - len, end)
    }
}

/// The dataset in memory: file name → contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    pub files: Vec<(String, String)>,
}

/// The channels of the sample company. `seo` is organic: no spend.
pub const PAID: [&str; 7] = [
    "paid_search",
    "paid_social",
    "linkedin",
    "display",
    "email",
    "webinars",
    "events",
];
pub const OWNERS: [&str; 6] = [
    "Avery Chen",
    "Jordan Patel",
    "Riley Gomez",
    "Sasha Novak",
    "Taylor Brooks",
    "Quinn Adeyemi",
];

/// A random stream for one file.
pub(crate) fn stream(seed: u64, file: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ file.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Generates the whole dataset.
pub fn generate(spec: &SampleSpec) -> Dataset {
    let media = media::generate(spec);
    let journeys = journeys::generate(spec, &media.campaigns);
    let leads = leads::generate(spec);
    let content = content::generate(spec);
    let market = market::generate(spec, &leads.rows, &media);
    let experiments = experiments::generate(spec);
    let truth: Value = json!({
        "seed": spec.seed,
        "prior_quarter": { "start": spec.prior_start, "end": spec.prior_end },
        "before_quarter": { "start": spec.before().0, "end": spec.before().1 },
        "next_quarter": { "start": spec.next_start, "end": spec.next_end },
        "media": media.truth,
        "journeys": journeys.truth,
        "leads": leads.truth,
        "content": content.truth,
        "experiments": experiments.truth,
    });
    let mut files = vec![
        ("campaigns.csv".to_owned(), media.campaigns_csv),
        ("spend.csv".to_owned(), media.spend_csv),
        ("weekly_media.csv".to_owned(), media.weekly_media_csv),
        ("weekly_revenue.csv".to_owned(), media.weekly_revenue_csv),
        ("controls.csv".to_owned(), media.controls_csv),
        ("touchpoints.csv".to_owned(), journeys.touchpoints_csv),
        ("conversions.csv".to_owned(), journeys.conversions_csv),
        ("leads.csv".to_owned(), leads.csv),
        ("content.csv".to_owned(), content.content_csv),
        ("keywords.csv".to_owned(), content.keywords_csv),
        ("experiments.csv".to_owned(), experiments.csv),
    ];
    files.extend(market.files);
    files.push((
        "truth.json".to_owned(),
        format!(
            "{}\n",
            serde_json::to_string_pretty(&truth).unwrap_or_default()
        ),
    ));
    files.push(("README.md".to_owned(), readme(spec)));
    files.sort();
    Dataset { files }
}

impl Dataset {
    pub fn file(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_str())
    }

    /// Writes every file into `dir`, all or nothing (see [`write::write_all`]).
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>, SampleError> {
        write::write_all(&self.files, dir)
    }
}

fn readme(spec: &SampleSpec) -> String {
    format!(
        "# Quarterdeck sample data (seed {seed})\n\n\
Generated by `quarterdeck sample-data`. The quarter under review runs {ps} to {pe}; the one before it {bs} to {be}; \
the quarter being planned {ns} to {ne}. `truth.json` holds every generating parameter.\n\n\
- `campaigns.csv`: campaign, channel, start, end, planned_budget, owner, objective. Campaigns ending after {ns} continue into the planned quarter.\n\
- `spend.csv`: date, channel, campaign, spend, impressions, clicks, conversions, revenue. Daily actual spend; conversions and revenue as the ad platforms report them (they over-claim; see `truth.json`).\n\
- `weekly_media.csv` (date, channel, spend), `weekly_revenue.csv` (date, revenue), `controls.csv` (date, price_index, competitor_promo): 104 weeks of history for response curves; revenue = base + trend + seasonality + controls + saturating, adstocked media effects + noise.\n\
- `touchpoints.csv` (journey_id, timestamp, channel, campaign) and `conversions.csv` (journey_id, timestamp, value): customer journeys in both quarters; some touches come after the conversion and must be ignored.\n\
- `leads.csv`: lead_id, created_at, source, segment, region, mql_at, sql_at, opportunity_at, won_at, lost_at, amount, score, and numeric features. Empty stage dates mean the stage was not reached by the export date {pe}.\n\
- `content.csv` (url, title, type, published, period, sessions, engaged_sessions, engagement_time_s, conversions) and `keywords.csv` (keyword, url, period, position, clicks, impressions, search_volume, competitor_a_position, competitor_b_position); `period` is the quarter's first day.\n\
- `sales_feedback.csv`: lead_id, date, decision (accepted/rejected), reason, comment.\n\
- `competitors.csv`, `trends.csv`: market notes; `benchmarks.csv`: published funnel rates with their sources.\n\
- `objectives.toml`: the planned quarter's targets (last quarter's closed-won revenue, pipeline opened and MQLs, each × 1.08, the budget's growth), total budget and the team roster.\n\
- `experiments.csv` (channel, period, incremental_roas, roas_low, roas_high, level): lift tests finished in earlier quarters; their truth is in `truth.json` (`experiments`).\n",
        seed = spec.seed,
        ps = spec.prior_start,
        pe = spec.prior_end,
        bs = spec.before().0,
        be = spec.before().1,
        ns = spec.next_start,
        ne = spec.next_end,
    )
}

#[cfg(test)]
mod as_of_tests;
#[cfg(test)]
mod tests;
