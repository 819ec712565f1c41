//! Section 7: goals, milestones, channel targets and KPIs.

use super::metric_name;
use crate::chat::Table;
use crate::report::Section;
use crate::stages::plan::{Sources, figures, money, whole};

pub(super) fn goals(s: &Sources) -> Section {
    let mut sec = Section::new("Goals and metrics");
    let Some(g) = &s.goals else {
        if let Some(o) = &s.objectives {
            let stated: Vec<String> = [
                ("Revenue", o.revenue_target.map(money)),
                ("Pipeline", o.pipeline_target.map(money)),
                ("MQLs", o.mql_target.map(|m| format!("{m:.0}"))),
                ("Brand", o.brand.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some(format!("{k}: {}", v?)))
            .collect();
            sec = sec.bullets(stated);
        }
        return sec.para(s.missing(7));
    };
    let mut t = Table::new("Targets", &["Metric", "Target", "How it was set"]);
    for x in &g.targets {
        let value = match x.metric.as_str() {
            "revenue" | "pipeline" => money(x.value),
            "brand" => s
                .objectives
                .as_ref()
                .and_then(|o| o.brand.clone())
                .unwrap_or_else(|| "as stated".into()),
            _ => whole(x.value),
        };
        t = t.row(vec![
            sentence_case(metric_name(&x.metric)),
            value,
            x.basis.clone(),
        ]);
    }
    sec = sec.table(t);
    if let Some(f) = &g.forecast {
        sec = sec.table(crate::stages::goals::forecast::table(f));
    }
    if !g.milestones.is_empty() {
        let mut m = Table::new(
            "Monthly milestones",
            &["Month", "Revenue", "Pipeline", "SQLs", "MQLs"],
        );
        for x in &g.milestones {
            m = m.row(vec![
                x.month.clone(),
                money(x.revenue),
                money(x.pipeline),
                whole(x.sqls),
                whole(x.mqls),
            ]);
        }
        sec = sec.table(m);
        if let Some(f) = figures::milestones(g, &s.inputs.run.quarter) {
            sec = sec.figure(f);
        }
    }
    if !g.channel_targets.is_empty() {
        // Every source of volume, organic included, with its owner; the revenue column is
        // stage 6's modelled media revenue, not the closed-won revenue target.
        let owners = crate::stages::plan::ledger::gather(s).channel_targets;
        let mut c = Table::new(
            "Channel targets",
            &[
                "Channel",
                "Owner",
                "Spend",
                "Media revenue (modelled)",
                "Leads",
                "MQLs",
            ],
        );
        for x in &g.channel_targets {
            let owner = owners
                .iter()
                .find(|o| o.channel == x.channel)
                .map_or_else(|| "—".to_owned(), |o| o.owner.clone());
            c = c.row(vec![
                s.inputs.names.name(&x.channel),
                owner,
                money(x.spend),
                money(x.revenue),
                whole(x.leads),
                whole(x.mqls),
            ]);
        }
        sec = sec.table(c).para(
            "Leads and MQLs are split over every source by its share of last quarter's, so the channels add up to the targets; media revenue is stage 6's response-curve estimate for the paid channels, a different measure from the closed-won revenue target.",
        );
    }
    if !g.kpis.is_empty() {
        let mut k = Table::new(
            "KPIs, tracking and reporting",
            &["KPI", "Definition", "Source", "Cadence", "Owner"],
        );
        for x in &g.kpis {
            k = k.row(vec![
                x.name.clone(),
                x.definition.clone(),
                x.source.clone(),
                x.cadence.clone(),
                x.owner.clone().unwrap_or_else(|| "—".into()),
            ]);
        }
        sec = sec.table(k);
    }
    sec
}

/// A table cell's first letter in capitals (`won deals` → `Won deals`; `MQLs` stays).
fn sentence_case(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
