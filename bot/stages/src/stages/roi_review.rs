//! Stage 1's ROI half: spend and plans from `spend.csv` and `campaigns.csv`, outcomes by
//! channel from `leads.csv` (source = channel; MQLs, SQLs, opportunities' pipeline and
//! customers won, each counted in the quarter of its own date) and revenue from the Markov value credits of
//! each quarter's attribution, put through the ROI rules of `analyses::roi`. Its tables
//! and verdicts are written in `performance::post`.

use std::collections::BTreeMap;

use quarterdeck_analyses::attribution::Attribution;
use quarterdeck_analyses::roi::{self, Outcomes, Period, Roi, RoiParams};

use super::StageError;
use crate::sources::{self, DataSet, Quarters};

/// The ROI rules' thresholds (the analyses' defaults).
pub const PARAMS: RoiParams = RoiParams::DEFAULT;

/// ROI of the quarter under review, or why there is none: spend or campaign data is
/// missing, or the journeys and `spend.csv` share no channel (every ROAS would be 0).
pub fn compute(
    data: &DataSet,
    q: &Quarters,
    current: &Attribution,
    previous: Option<&Attribution>,
) -> Result<Result<Roi, String>, StageError> {
    let (Some(spend), Some(plans)) = (data.table("spend.csv")?, data.table("campaigns.csv")?)
    else {
        return Ok(Err(
            "spend.csv or campaigns.csv is not in the data folder".into()
        ));
    };
    let spend = sources::read_spend(&spend, q)?;
    let plans = sources::read_plans(&plans, q)?;
    if let Some(reason) = no_shared_channel(&spend, current) {
        return Ok(Err(reason));
    }
    let mut outcomes: BTreeMap<(Period, String), Outcomes> = BTreeMap::new();
    if let Some((_, t, _)) = sources::read_leads_and_deals(data)? {
        let idx = |name: &str| t.stages.iter().position(|s| s == name);
        let (mql, sql, opp, won) = (idx("mql"), idx("sql"), idx("opportunity"), idx("won"));
        // Each stage is counted in the quarter its own date falls in (MQLs generated, deals
        // won in the quarter), which keeps late-quarter leads from deflating the numbers.
        let when = |l: &quarterdeck_analyses::funnel::Lead, s: Option<usize>| {
            let t = l.stages[s?]?;
            q.period(chrono::DateTime::from_timestamp(t, 0)?.date_naive())
        };
        for (lead, amount) in t.leads.iter().zip(&t.amounts) {
            let source = lead.groups.get("source").cloned().unwrap_or_default();
            let amount = amount.unwrap_or(0.0);
            let mut add = |stage: Option<usize>, f: &dyn Fn(&mut Outcomes)| {
                if let Some(period) = when(lead, stage) {
                    f(outcomes.entry((period, source.clone())).or_default());
                }
            };
            add(mql, &|o| o.mqls += 1.0);
            add(sql, &|o| o.sqls += 1.0);
            add(opp, &|o| o.pipeline += amount);
            add(won, &|o| {
                o.won += 1.0;
                o.won_revenue += amount;
            });
        }
    }
    for (period, a) in [
        (Period::Current, Some(current)),
        (Period::Previous, previous),
    ] {
        for c in a.map(|a| a.models.markov.as_slice()).unwrap_or_default() {
            outcomes
                .entry((period, c.channel.clone()))
                .or_default()
                .attributed_revenue = Some(c.value);
        }
    }
    Ok(Ok(roi::analyze(&spend, &plans, &outcomes, &PARAMS)))
}

/// Why ROAS cannot be computed when the attributed channels and the paid ones have no
/// name in common (paths `alpha…zeta`, spend `tv…search`): revenue would join no spend.
fn no_shared_channel(spend: &[roi::SpendLine], current: &Attribution) -> Option<String> {
    use std::collections::BTreeSet;
    let paid: BTreeSet<&str> = spend.iter().map(|s| s.channel.as_str()).collect();
    let attributed: BTreeSet<&str> = current
        .models
        .markov
        .iter()
        .map(|c| c.channel.as_str())
        .collect();
    if paid.is_empty() || attributed.is_empty() || !paid.is_disjoint(&attributed) {
        return None;
    }
    let list = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join(", ");
    Some(format!(
        "the journeys' channels ({}) and spend.csv's ({}) share no name, so no channel's \
         attributed revenue can be set against its spend and no ROAS is posted; map the \
         export names to the team's with `channel_aliases` in the team's config",
        list(&attributed),
        list(&paid)
    ))
}
