//! The qualitative inputs: sales feedback on handed-over MQLs (accepted when the lead
//! became an SQL, mostly; reasons and comments from templates), competitor activity,
//! market trends, published benchmarks (copied with their sources), and the planned
//! quarter's objectives with the team roster.

use std::fmt::Write as _;

use chrono::Duration;
use rand::Rng;

use super::leads::LeadRow;
use super::media::Media;
use super::{OWNERS, SampleSpec, stream};

pub struct Market {
    pub files: Vec<(String, String)>,
}

const BENCHMARKS: &str = include_str!("benchmarks.csv");
const COMPETITORS: [&str; 3] = ["Northwind Analytics", "Contoso Cloud", "Fabrikam Data"];
const MOVES: [(&str, &str, &str); 8] = [
    ("launch", "product", "launched an AI forecasting add-on"),
    ("pricing", "web", "cut entry-tier pricing by 15%"),
    (
        "campaign",
        "linkedin",
        "started a thought-leader ad series aimed at RevOps",
    ),
    ("event", "events", "sponsored the main RevOps conference"),
    (
        "campaign",
        "paid_search",
        "began bidding on our brand terms",
    ),
    (
        "content",
        "seo",
        "published a benchmark report that ranks for 'pipeline benchmarks'",
    ),
    (
        "partnership",
        "partners",
        "announced a CRM marketplace partnership",
    ),
    (
        "webinar",
        "webinars",
        "ran a monthly webinar series on attribution",
    ),
];
const TRENDS: [(&str, &str, f64); 5] = [
    (
        "ai search answers",
        "share_of_queries_with_ai_overview_pct",
        18.0,
    ),
    ("linkedin cpc", "median_cpc_usd", 5.6),
    ("webinar attendance", "attendance_rate_pct", 41.0),
    ("email click rate", "click_rate_pct", 2.1),
    ("buying committee size", "people", 7.0),
];
const REJECTIONS: [(&str, &str); 5] = [
    ("bad_fit", "Company too small for our minimum contract."),
    (
        "no_budget",
        "Interested, but no budget until next fiscal year.",
    ),
    ("wrong_contact", "Student / individual, not a buyer."),
    ("duplicate", "Already an open opportunity on this account."),
    ("timing", "Evaluating again in six months."),
];

pub fn generate(spec: &SampleSpec, leads: &[LeadRow], media: &Media) -> Market {
    let mut rng = stream(spec.seed, 5);
    let mut feedback = String::from("lead_id,date,decision,reason,comment\n");
    for l in leads.iter().filter(|l| l.mql_at.is_some()).take(1_500) {
        let at = l.mql_at.unwrap_or_default() + Duration::days(rng.gen_range(1..6));
        if at.date_naive() > spec.prior_end {
            continue;
        }
        let (decision, reason, comment) = if l.sql || rng.gen_bool(0.1) {
            (
                "accepted",
                "good_fit",
                "Qualified: budget and timeline confirmed.",
            )
        } else {
            let (r, c) = REJECTIONS[rng.gen_range(0..REJECTIONS.len())];
            ("rejected", r, c)
        };
        let _ = writeln!(
            feedback,
            "{},{},{decision},{reason},\"{comment}\"",
            l.id,
            at.date_naive()
        );
    }
    let (bs, _) = spec.before();
    let days = (spec.prior_end - bs).num_days();
    let mut comp: Vec<(chrono::NaiveDate, &str, String)> = (0..25)
        .map(|i| {
            let (kind, channel, what) = MOVES[i % MOVES.len()];
            let who = COMPETITORS[(i * 5) % COMPETITORS.len()];
            let date = bs + Duration::days(rng.gen_range(0..=days));
            (
                date,
                who,
                format!("{kind},{channel},\"{who} {what}\",analyst notes"),
            )
        })
        .collect();
    comp.sort();
    let mut competitors = String::from("date,competitor,kind,channel,summary,source\n");
    for (date, who, rest) in &comp {
        let _ = writeln!(competitors, "{date},{who},{rest}");
    }
    let mut trends = String::from("date,topic,metric,value,source\n");
    for i in 0..20 {
        let (topic, metric, base) = TRENDS[i % TRENDS.len()];
        let date = bs + Duration::days(i64::try_from(i).unwrap_or(0) * days / 20);
        let _ = writeln!(
            trends,
            "{date},{topic},{metric},{:.1},industry newsletter",
            base * rng.gen_range(0.9..1.2)
        );
    }
    let last_spend: f64 = media
        .campaigns
        .iter()
        .filter(|c| c.start >= spec.prior_start && c.share > 0.0)
        .map(|c| c.planned)
        .sum();
    let total_budget = (last_spend * GROWTH / 10_000.0).round() * 10_000.0;
    let last = LastQuarter::of(leads, spec);
    let mut objectives = format!(
        "# Objectives for the quarter starting {}: last quarter's closed-won revenue, pipeline \
         opened and MQLs, each grown as the budget is ({GROWTH})\nrevenue_target = {:.0}\npipeline_target = {:.0}\nmql_target = {:.0}\nbrand = \"share of search 22%\"\ntotal_budget = {total_budget:.0}\ngrowth_factor = {GROWTH}\nfinance_cap = {:.0}\nreserve_share = 0.12\n",
        spec.next_start,
        (last.won_revenue * GROWTH / 10_000.0).round() * 10_000.0,
        (last.pipeline * GROWTH / 10_000.0).round() * 10_000.0,
        (last.mqls * GROWTH / 10.0).round() * 10.0,
        total_budget * 1.1,
    );
    for (i, o) in OWNERS.iter().enumerate() {
        let role = [
            "demand gen",
            "content",
            "ops",
            "paid media",
            "events",
            "lifecycle",
        ][i];
        let _ = write!(
            objectives,
            "\n[[roster]]\nname = \"{o}\"\nrole = \"{role}\"\ncapacity_hours_per_week = {}\n",
            if i == 2 { 20 } else { 32 }
        );
    }
    Market {
        files: vec![
            ("sales_feedback.csv".to_owned(), feedback),
            ("competitors.csv".to_owned(), competitors),
            ("trends.csv".to_owned(), trends),
            ("benchmarks.csv".to_owned(), BENCHMARKS.to_owned()),
            ("objectives.toml".to_owned(), objectives),
        ],
    }
}

/// The budget's growth over last quarter's spend, and the targets' over last quarter's
/// results: a team planning on the same efficiency as the quarter before.
const GROWTH: f64 = 1.08;

/// Last quarter's results as the generated CRM records them (deals won, opportunities
/// opened and MQLs reached within the quarter under review).
struct LastQuarter {
    won_revenue: f64,
    pipeline: f64,
    mqls: f64,
}

impl LastQuarter {
    fn of(leads: &[LeadRow], spec: &SampleSpec) -> Self {
        let within = |t: &chrono::DateTime<chrono::Utc>| {
            (spec.prior_start..=spec.prior_end).contains(&t.date_naive())
        };
        let mut last = Self {
            won_revenue: 0.0,
            pipeline: 0.0,
            mqls: 0.0,
        };
        for l in leads {
            if let Some((opened, amount)) = l.opportunity {
                if within(&opened) {
                    last.pipeline += amount;
                }
                if l.won_at.as_ref().is_some_and(within) {
                    last.won_revenue += amount;
                }
            }
            if l.mql_at.as_ref().is_some_and(within) {
                last.mqls += 1.0;
            }
        }
        last
    }
}
