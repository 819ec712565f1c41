//! `spend.csv` (`date, channel, campaign, spend[, revenue, impressions, clicks,
//! conversions]`; ad-platform exports' `Day`, `Cost`, `Campaign name`, `Conversion value`,
//! `Impr.`, `Link clicks`, `Results` are accepted as aliases) and
//! `campaigns.csv` (`campaign, channel, start, end, planned_budget, owner`), split into
//! the quarter under review and the one before it.

use chrono::NaiveDate;
use quarterdeck_analyses::roi::{CampaignPlan, Delivery, Period, SpendLine};

use super::{CsvTable, InputError};

/// The two quarters compared: `current` = [start, end], `previous` the same length before.
/// When the data runs only `through` a day inside the current quarter (read before it
/// closed), the previous quarter is cut to the same days: its first `through − start + 1`
/// days, so the two are compared like for like.
#[derive(Debug, Clone, Copy)]
pub struct Quarters {
    pub current_start: NaiveDate,
    pub current_end: NaiveDate,
    /// The last day the data covers, when before `current_end`.
    pub through: Option<NaiveDate>,
}

impl Quarters {
    pub fn period(&self, d: NaiveDate) -> Option<Period> {
        let len = self.current_end - self.current_start;
        let previous_start = self.current_start - len - chrono::Duration::days(1);
        let previous_end = match self.through {
            Some(t) if t < self.current_end => previous_start + (t - self.current_start),
            _ => self.current_start - chrono::Duration::days(1),
        };
        if d >= self.current_start && d <= self.current_end {
            Some(Period::Current)
        } else if d >= previous_start && d <= previous_end {
            Some(Period::Previous)
        } else {
            None
        }
    }
}

pub fn read_spend(t: &CsvTable, q: &Quarters) -> Result<Vec<SpendLine>, InputError> {
    let (date, channel, campaign, spend) = (
        t.require("date", &["day"])?,
        t.require("channel", &["source"])?,
        t.require("campaign", &["campaign name", "campaign_name"])?,
        t.require("spend", &["cost", "amount spent"])?,
    );
    let revenue = t.find("revenue", &["conversion value", "conversion_value"]);
    let impressions = t.find("impressions", &["impr.", "impr"]);
    let clicks = t.find("clicks", &["link clicks"]);
    let conversions = t.find("conversions", &["results", "platform_conversions"]);
    let mut out = Vec::new();
    for r in t.rows() {
        let Some(period) = q.period(r.date(date)?) else {
            continue;
        };
        let optional = |col: Option<crate::sources::Col>| -> Result<Option<f64>, InputError> {
            Ok(col.map(|c| r.opt_number(c)).transpose()?.flatten())
        };
        out.push(SpendLine {
            period,
            channel: r.channel(channel)?,
            campaign: r.str(campaign).to_owned(),
            spend: r.amount(spend)?,
            platform_revenue: revenue.map(|c| r.opt_number(c)).transpose()?.flatten(),
            delivery: Delivery {
                impressions: optional(impressions)?,
                clicks: optional(clicks)?,
                conversions: optional(conversions)?,
            },
        });
    }
    Ok(out)
}

/// Campaigns that ran within one of the two quarters (start and end inside it). Read
/// before the quarter under review closed (`q.through`), a current campaign's planned
/// budget is its plan to that day (pro rata by its days, as pacing counts it), so spend to
/// date is set against the plan to the same date.
pub fn read_plans(t: &CsvTable, q: &Quarters) -> Result<Vec<CampaignPlan>, InputError> {
    let (campaign, channel, start, end, planned, owner) = (
        t.require("campaign", &["campaign_name", "name"])?,
        t.require("channel", &[])?,
        t.require("start", &["start_date"])?,
        t.require("end", &["end_date"])?,
        t.require("planned_budget", &["budget", "planned"])?,
        t.require("owner", &[])?,
    );
    let mut out = Vec::new();
    for r in t.rows() {
        let (s, e) = (r.date(start)?, r.date(end)?);
        let planned_budget = r.amount(planned)?;
        match (q.period(s), q.period(e)) {
            (Some(a), Some(b)) if a == b => out.push(CampaignPlan {
                period: a,
                campaign: r.text(campaign)?.to_owned(),
                channel: r.channel(channel)?,
                owner: r.str(owner).to_owned(),
                planned_budget: match q.through {
                    Some(t) if a == Period::Current && t < e => {
                        crate::domain::pacing::pro_rata_to(planned_budget, s, e, t)
                    }
                    _ => planned_budget,
                },
            }),
            _ => {}
        }
    }
    Ok(out)
}
