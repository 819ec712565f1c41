//! Section 1: the executive summary: key figures and the decisions the plan asks for.

use super::metric_name;
use crate::chat::Table;
use crate::report::Section;
use crate::stages::plan::risks::{Risk, RiskFigures};
use crate::stages::plan::{Sources, change, money, pct, whole};

pub(super) fn executive_summary(s: &Sources, risks: &[Risk]) -> Section {
    let run = &s.inputs.run;
    let ready = match (1..=9).filter(|n| s.available(*n)).count() {
        9 => "All nine".to_owned(),
        n => format!("{n} of the nine"),
    };
    let mut sec = Section::new("Executive summary").para(format!(
        "This is plan v{} for team **{}**, quarter **{}**, built on the review of {}. {ready} \
         analysis stages produced findings; every figure below traces to the team's data files, to \
         `objectives.toml`, or to one of those stages.",
        s.version,
        run.team,
        run.quarter,
        s.inputs.review_label()
    ));
    let mut key = Table::new("Key figures", &["Item", "Figure", "Source"]);
    let o = s.objectives.as_ref();
    if let Some(b) = &s.budget {
        key = key
            .row(vec![
                "Total budget".into(),
                money(b.total),
                b.total_basis.clone(),
            ])
            .row(vec![
                "Test reserve".into(),
                format!(
                    "{} ({})",
                    money(b.reserve),
                    pct(b.reserve / b.total.max(1.0))
                ),
                "Stage 6".into(),
            ])
            .row(vec![
                "Expected revenue from media".into(),
                money(b.expected_revenue),
                "Stage 6 response curves".into(),
            ]);
    } else if let Some(e) = s.envelope() {
        key = key.row(vec!["Total budget".into(), money(e.total), e.basis]);
    }
    if let Some(r) = o.and_then(|o| o.revenue_target) {
        key = key.row(vec![
            "Revenue target".into(),
            money(r),
            "objectives.toml".into(),
        ]);
    }
    if let Some(g) = &s.goals {
        for metric in ["pipeline", "sqls", "mqls"] {
            if let Some(t) = g.targets.iter().find(|t| t.metric == metric) {
                let figure = if metric == "pipeline" {
                    money(t.value)
                } else {
                    whole(t.value)
                };
                key = key.row(vec![
                    format!("Required {}", metric_name(metric)),
                    figure,
                    "Stage 7".into(),
                ]);
            }
        }
    }
    if let Some(sc) = &s.scoring {
        key = key.row(vec![
            "Proposed MQL threshold".into(),
            format!("{:.0} points", sc.threshold),
            "Stage 4".into(),
        ]);
    }
    if let Some(c) = &s.calendar {
        let funded = c.tests.iter().filter(|t| t.funded).count();
        key = key.row(vec![
            "Campaigns / funded tests".into(),
            format!(
                "{} / {funded} (of {} sized)",
                c.campaigns.len(),
                c.tests.len()
            ),
            "Stage 8".into(),
        ]);
    }
    if let Some(p) = &s.content_plan {
        key = key.row(vec![
            "Content pieces".into(),
            p.pieces.len().to_string(),
            "Stage 9".into(),
        ]);
    }
    if !key.rows.is_empty() {
        sec = sec.table(key);
    }
    let mut decisions = Vec::new();
    // Asked of finance first: the plan cannot be approved on targets its budget does
    // not reach.
    let out_of_reach = |r: &&Risk| matches!(r.figures, RiskFigures::OutOfReach(_));
    if let Some(r) = risks.iter().find(out_of_reach) {
        decisions.push(format!("{} {}", r.evidence, r.mitigation));
    }
    if let Some(b) = &s.budget {
        let mut shifts: Vec<_> = b.channels.iter().collect();
        shifts.sort_by(|x, y| {
            (y.spend - y.last_quarter_spend)
                .abs()
                .total_cmp(&(x.spend - x.last_quarter_spend).abs())
        });
        for c in shifts.iter().take(2) {
            decisions.push(format!(
                "Move **{}** from {} to {} ({}): {}",
                s.inputs.names.name(&c.channel),
                money(c.last_quarter_spend),
                money(c.spend),
                change(c.last_quarter_spend, c.spend),
                c.rationale
            ));
        }
    }
    if let Some(sc) = &s.scoring {
        decisions.push(format!(
            "Adopt the refitted lead score with an MQL threshold of {:.0} points: MQL → SQL expected {} (out of time) against {} today.",
            sc.threshold,
            pct(sc.expected_mql_to_sql),
            pct(sc.current_mql_to_sql)
        ));
    }
    if let Some(top) = s.content.as_ref().and_then(|c| c.opportunities.first()) {
        decisions.push(format!(
            "Lead the content plan with “{}” (≈{:.0} extra organic clicks a month).",
            top.title, top.extra_clicks_per_month
        ));
    }
    if let Some(r) = risks.iter().find(|r| !out_of_reach(r)) {
        decisions.push(format!(
            "Accept the top risk's mitigation — {}: {}",
            r.title, r.mitigation
        ));
    }
    if !decisions.is_empty() {
        sec = sec
            .heading("Decisions this plan asks for")
            .bullets(decisions);
    }
    sec
}
