//! Search performance: ranking moves between the two latest periods, striking-distance
//! keywords and content gaps, each valued in organic clicks with the CTR curve of
//! [`super::ctr`].
//!
//! Definitions:
//! - impression share: impressions ÷ (search volume × 3), the share of a quarter's
//!   searches (volume is monthly) that showed one of our pages, capped at 1 (volume is an
//!   estimate; more impressions than searches must not inflate an uplift). Where a keyword
//!   has no impressions (we do not rank) the median share of the keywords we rank for is
//!   used;
//! - clicks per month at position p: `volume × share × CTR(p)`;
//! - a ranking move is a change of at least [`MIN_MOVE`] positions (gain = moved up);
//! - striking distance: latest position [`STRIKING_FROM`]-[`STRIKING_TO`] (after rounding)
//!   and monthly volume ≥ [`MIN_VOLUME`]; target position [`TARGET_PAGE_ONE`] from page
//!   one, [`TARGET_PAGE_TWO`] from page two;
//! - content gap: no position of ours in the latest period while a competitor ranks in
//!   the top [`GAP_COMPETITOR_TOP`], volume ≥ [`MIN_VOLUME`]; a new page is valued at
//!   position [`GAP_TARGET`] (page one's last slot: a conservative first quarter);
//! - extra clicks per month = `volume × share × (CTR(target) − CTR(current))`.

use serde::{Deserialize, Serialize};

use super::ContentError;
use super::ctr::ctr;
use super::pages::median;

pub const MIN_MOVE: f64 = 3.0;
pub const STRIKING_FROM: f64 = 4.0;
pub const STRIKING_TO: f64 = 20.0;
pub const MIN_VOLUME: f64 = 100.0;
/// A page-one result (4-10) worked on for a quarter is aimed at the top three.
pub const TARGET_PAGE_ONE: f64 = 3.0;
/// A page-two result (11-20) is aimed at the upper half of page one.
pub const TARGET_PAGE_TWO: f64 = 5.0;
pub const GAP_COMPETITOR_TOP: f64 = 20.0;
pub const GAP_TARGET: f64 = 10.0;
/// Months in a period: impressions and clicks in the file cover a quarter.
pub const MONTHS_PER_PERIOD: f64 = 3.0;

/// One row of `keywords.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeywordRow {
    pub keyword: String,
    /// Our ranking page, when we rank.
    pub url: Option<String>,
    /// First day of the period (`YYYY-MM-DD`).
    pub period: String,
    /// Our average position; `None` when we do not rank.
    pub position: Option<f64>,
    pub clicks: f64,
    pub impressions: f64,
    /// Monthly searches.
    pub search_volume: f64,
    /// Competitors' positions (`None` where one does not rank).
    pub competitor_positions: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingMove {
    pub keyword: String,
    pub url: Option<String>,
    pub from: f64,
    pub to: f64,
    /// Positive when we moved up.
    pub positions_gained: f64,
    pub clicks_before: f64,
    pub clicks_now: f64,
    pub search_volume: f64,
    /// Clicks per month the move is worth on the CTR curve:
    /// `volume × share × |CTR(from) − CTR(to)|`.
    pub clicks_per_month_at_stake: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrikingKeyword {
    pub keyword: String,
    pub url: Option<String>,
    pub position: f64,
    pub target_position: f64,
    pub search_volume: f64,
    pub extra_clicks_per_month: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentGap {
    pub keyword: String,
    pub search_volume: f64,
    pub best_competitor_position: f64,
    pub extra_clicks_per_month: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeoFindings {
    pub period: String,
    pub previous_period: Option<String>,
    pub keywords: usize,
    /// Keywords we rank for in the latest period.
    pub ranking: usize,
    pub clicks: f64,
    pub previous_clicks: Option<f64>,
    pub impression_share: f64,
    /// Largest gain first.
    pub gains: Vec<RankingMove>,
    /// Largest loss first.
    pub losses: Vec<RankingMove>,
    /// Most extra clicks first.
    pub striking_distance: Vec<StrikingKeyword>,
    /// Most extra clicks first.
    pub gaps: Vec<ContentGap>,
    /// Keywords with no position of ours ÷ keywords.
    pub gap_share: f64,
}

pub fn analyze(rows: &[KeywordRow]) -> Result<SeoFindings, ContentError> {
    let Some(period) = rows.iter().map(|r| r.period.clone()).max() else {
        return Err(ContentError::Empty("keyword rows"));
    };
    for r in rows {
        let bad = [
            ("clicks", r.clicks),
            ("impressions", r.impressions),
            ("search_volume", r.search_volume),
        ]
        .into_iter()
        .find(|(_, v)| !(v.is_finite() && *v >= 0.0));
        if let Some((name, _)) = bad {
            return Err(ContentError::Invalid(format!(
                "{} in {}: {name} must be a number >= 0",
                r.keyword, r.period
            )));
        }
        if r.position.is_some_and(|p| !(p.is_finite() && p >= 1.0)) {
            return Err(ContentError::Invalid(format!(
                "{} in {}: position must be 1 or more",
                r.keyword, r.period
            )));
        }
    }
    let super::Periods {
        latest,
        previous: before,
        previous_period,
    } = super::split_periods(rows, &period, |r| &r.period, |r| &r.keyword);
    let shares: Vec<f64> = latest
        .iter()
        .filter(|r| r.position.is_some() && r.search_volume > 0.0 && r.impressions > 0.0)
        .map(|r| (r.impressions / (r.search_volume * MONTHS_PER_PERIOD)).min(1.0))
        .collect();
    let typical_share = if shares.is_empty() {
        1.0
    } else {
        median(shares)
    };
    let share = |r: &KeywordRow| {
        if r.position.is_some() && r.search_volume > 0.0 && r.impressions > 0.0 {
            (r.impressions / (r.search_volume * MONTHS_PER_PERIOD)).min(1.0)
        } else {
            typical_share
        }
    };
    let mut moves = Vec::new();
    let mut striking = Vec::new();
    let mut gaps = Vec::new();
    for r in &latest {
        let before_position = before
            .get(r.keyword.as_str())
            .and_then(|b| b.position.map(|p| (b, p)));
        if let (Some(to), Some((b, from))) = (r.position, before_position)
            && (from - to).abs() >= MIN_MOVE
        {
            moves.push(RankingMove {
                keyword: r.keyword.clone(),
                url: r.url.clone(),
                from,
                to,
                positions_gained: from - to,
                clicks_before: b.clicks,
                clicks_now: r.clicks,
                search_volume: r.search_volume,
                clicks_per_month_at_stake: r.search_volume * share(r) * (ctr(from) - ctr(to)).abs(),
            });
        }
        match r.position {
            Some(p) => {
                let rank = p.round();
                if (STRIKING_FROM..=STRIKING_TO).contains(&rank) && r.search_volume >= MIN_VOLUME {
                    let target = if rank <= 10.0 {
                        TARGET_PAGE_ONE
                    } else {
                        TARGET_PAGE_TWO
                    };
                    striking.push(StrikingKeyword {
                        keyword: r.keyword.clone(),
                        url: r.url.clone(),
                        position: p,
                        target_position: target,
                        search_volume: r.search_volume,
                        extra_clicks_per_month: r.search_volume * share(r) * (ctr(target) - ctr(p)),
                    });
                }
            }
            None => {
                let best = r
                    .competitor_positions
                    .iter()
                    .flatten()
                    .copied()
                    .min_by(f64::total_cmp);
                if let Some(best) = best.filter(|b| *b <= GAP_COMPETITOR_TOP)
                    && r.search_volume >= MIN_VOLUME
                {
                    gaps.push(ContentGap {
                        keyword: r.keyword.clone(),
                        search_volume: r.search_volume,
                        best_competitor_position: best,
                        extra_clicks_per_month: r.search_volume * share(r) * ctr(GAP_TARGET),
                    });
                }
            }
        }
    }
    let by_clicks = |a: f64, b: f64| b.total_cmp(&a);
    striking.sort_by(|a, b| {
        by_clicks(a.extra_clicks_per_month, b.extra_clicks_per_month)
            .then_with(|| a.keyword.cmp(&b.keyword))
    });
    gaps.sort_by(|a, b| {
        by_clicks(a.extra_clicks_per_month, b.extra_clicks_per_month)
            .then_with(|| a.keyword.cmp(&b.keyword))
    });
    let (mut gains, mut losses): (Vec<_>, Vec<_>) =
        moves.into_iter().partition(|m| m.positions_gained > 0.0);
    gains.sort_by(|a, b| {
        b.positions_gained
            .total_cmp(&a.positions_gained)
            .then_with(|| a.keyword.cmp(&b.keyword))
    });
    losses.sort_by(|a, b| {
        a.positions_gained
            .total_cmp(&b.positions_gained)
            .then_with(|| a.keyword.cmp(&b.keyword))
    });
    let ranking = latest.iter().filter(|r| r.position.is_some()).count();
    let previous: Vec<&&KeywordRow> = before.values().collect();
    Ok(SeoFindings {
        keywords: latest.len(),
        ranking,
        clicks: latest.iter().map(|r| r.clicks).sum(),
        previous_clicks: (!previous.is_empty()).then(|| previous.iter().map(|r| r.clicks).sum()),
        impression_share: typical_share,
        gap_share: if latest.is_empty() {
            0.0
        } else {
            (latest.len() - ranking) as f64 / latest.len() as f64
        },
        period,
        previous_period,
        gains,
        losses,
        striking_distance: striking,
        gaps,
    })
}
