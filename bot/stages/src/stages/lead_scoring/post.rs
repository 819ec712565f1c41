//! Stage 4's post: the headline, the before/after of the MQL rule, the proposed points,
//! the score's performance, MQLs by month and by source, and sales' feedback.

use std::collections::BTreeMap;

use quarterdeck_analyses::feedback::Synthesis;
use quarterdeck_analyses::funnel::{Funnel, wilson};
use quarterdeck_analyses::scoring::Evaluation;
use serde::Serialize;

use super::mqls::{Mql, Mqls};
use super::refit::{Refit, Volume};
use crate::chat::{Message, Table};
use crate::report::count;
use crate::report::percent_or_dash;
use crate::stages::stage_title;

fn num(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{x:.digits$}"))
}

fn interval(k: usize, n: usize) -> String {
    match wilson(k as u64, n as u64, 1.96) {
        Some((lo, hi)) => format!(
            "{} ({}–{})",
            percent_or_dash(Some(k as f64 / n as f64)),
            percent_or_dash(Some(lo)),
            percent_or_dash(Some(hi))
        ),
        None => "—".into(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthRow {
    pub month: String,
    pub mqls: usize,
    pub sqls: usize,
    /// MQLs old enough for their SQL rate to count.
    pub matured: usize,
    pub matured_sqls: usize,
}

/// MQLs and SQLs by MQL month, oldest first.
pub fn by_month(data: &Mqls) -> Vec<MonthRow> {
    let mut months = BTreeMap::<&str, MonthRow>::new();
    for m in &data.rows {
        let row = months.entry(&m.month).or_insert_with(|| MonthRow {
            month: m.month.clone(),
            mqls: 0,
            sqls: 0,
            matured: 0,
            matured_sqls: 0,
        });
        row.mqls += 1;
        row.sqls += usize::from(m.sql);
        row.matured += usize::from(m.mature);
        row.matured_sqls += usize::from(m.mature && m.sql);
    }
    months.into_values().collect()
}

pub fn headline(r: &Refit, data: &Mqls, feedback: Option<&Synthesis>, quarter: &str) -> String {
    let (b, a) = (&r.before, &r.after);
    let mut s = format!(
        "{quarter}: {:.0} MQLs a month, {} of them became SQL ({:.0} SQLs a month).",
        b.mqls_per_month,
        percent_or_dash(b.mql_to_sql),
        b.sqls_per_month.unwrap_or(0.0)
    );
    if let Some(c) = &r.current {
        s.push_str(&format!(
            " The current score ranks MQLs with AUC {}.",
            num(c.auc, 2)
        ));
    }
    match (&r.out_of_time, &r.no_out_of_time) {
        (Some(o), _) => s.push_str(&format!(
            " A refit on {} features reaches AUC {} out of time ({}, against {} for the current score).",
            data.features.len(),
            num(o.refit.auc, 2),
            o.validation_month,
            num(o.current.as_ref().and_then(|c| c.auc), 2)
        )),
        (None, _) => s.push_str(&format!(
            " A refit on {} features reaches AUC {} in sample (no out-of-time check possible).",
            data.features.len(),
            num(r.in_sample.auc, 2)
        )),
    }
    s.push_str(&format!(
        " Proposed: MQL at {:.0} points or more → {:.0} MQLs a month at {} MQL → SQL on the months it was fitted on ({:.0} SQLs a month)",
        r.proposal.threshold.threshold,
        a.mqls_per_month,
        percent_or_dash(a.mql_to_sql),
        a.sqls_per_month.unwrap_or(0.0)
    ));
    // The plan and stage 7 use the out-of-time rate (the handoff's expected MQL → SQL);
    // the in-sample one is named as such so the two are never read as one figure.
    match r
        .out_of_time
        .as_ref()
        .and_then(|o| o.mql_to_sql_at_threshold)
    {
        Some(oot) => s.push_str(&format!(
            "; {} out of time, the rate the plan uses.",
            percent_or_dash(Some(oot))
        )),
        None => s.push('.'),
    }
    if let Some(f) = feedback.filter(|f| f.decisions > 0) {
        s.push_str(&format!(
            " Sales accepted {} of {} MQLs",
            percent_or_dash(f.acceptance_rate),
            count(f.decisions)
        ));
        match f.reasons.iter().find(|x| !x.accepted) {
            Some(top) => s.push_str(&format!(
                "; the top rejection reason is {} ({} of rejections).",
                crate::report::label(&top.reason).to_lowercase(),
                percent_or_dash(Some(top.share))
            )),
            None => s.push('.'),
        }
    }
    s
}

fn volume_row(name: &str, v: &Volume) -> Vec<String> {
    vec![
        name.to_owned(),
        format!("{:.0}", v.mqls_per_month),
        percent_or_dash(v.mql_to_sql),
        num(v.sqls_per_month, 0),
    ]
}

fn evaluation_row(name: &str, e: Option<&Evaluation>) -> Vec<String> {
    let Some(e) = e else {
        return vec![
            name.to_owned(),
            "—".into(),
            "—".into(),
            "—".into(),
            "—".into(),
            "—".into(),
            "—".into(),
        ];
    };
    vec![
        name.to_owned(),
        count(e.n),
        num(e.auc, 3),
        e.deciles
            .first()
            .map_or_else(|| "—".into(), |d| format!("{:.2}×", d.lift)),
        num(Some(e.ece), 3),
        num(Some(e.brier), 3),
        num(Some(e.hosmer_lemeshow), 1),
    ]
}

pub fn message(
    headline: &str,
    r: &Refit,
    data: &Mqls,
    sources: &Funnel,
    feedback: Option<&Synthesis>,
    quarter: &[&Mql],
    names: &crate::report::DisplayNames,
) -> Message {
    let mut body = headline.to_owned();
    body.push_str(&format!(
        "\n\n**What to do:** score next quarter's leads with the points below and hand a lead to sales at {:.0} points or more (target: {}). Every {:.0} points double the odds of SQL. The proposed MQL → SQL assumes a lead sales never saw converts like an MQL with the same points.",
        r.proposal.threshold.threshold,
        r.target,
        r.points_to_double_odds
    ));
    if !r.proposal.threshold.met {
        body.push_str(
            " The target cannot be met by the score alone: the threshold shown comes closest.",
        );
    }
    match (&r.out_of_time, &r.no_out_of_time) {
        (Some(o), _) => body.push_str(&format!(
            "\n- Out of time: fitted on {}..{} ({} MQLs), the same rule picked {} of {} MQLs in {} and {} of them became SQL.",
            o.train_months.0,
            o.train_months.1,
            count(o.train_rows),
            count(o.selected),
            count(o.validation_rows),
            o.validation_month,
            percent_or_dash(o.mql_to_sql_at_threshold)
        )),
        (None, e) => body.push_str(&format!(
            "\n- No out-of-time check: {}.",
            e.as_deref().unwrap_or("not enough matured months")
        )),
    }
    for d in &sources.differences {
        body.push_str(&format!(
            "\n- **{}** MQLs become SQL at {} against {} for the other sources (Holm-adjusted p {:.4}).",
            names.name(&d.group),
            percent_or_dash(Some(d.rate)),
            percent_or_dash(Some(d.rest_rate)),
            d.p_adjusted
        ));
    }
    if let Some(f) = feedback
        && f.unmatched > 0
    {
        body.push_str(&format!(
            "\n- {} sales decisions name a lead that is not in leads.csv; they count in the totals but in no source.",
            count(f.unmatched)
        ));
    }
    if !data.dropped.is_empty() {
        body.push_str(&format!(
            "\n- Left out as constant over the matured MQLs: {}.",
            data.dropped.join(", ")
        ));
    }
    if let Some(c) = r.proposal.l2 {
        body.push_str(&format!(
            "\n- The features separate SQLs almost perfectly, so the refit is ridge-penalised (C = {c})."
        ));
    }
    body.push_str(&format!(
        "\n\nRates count only MQLs at least {:.0} days old at the end of the quarter (the 90th-percentile MQL → SQL lag); younger MQLs may still convert. The model is fitted on those matured MQLs.",
        data.maturity_days
    ));

    let rule = Table::new(
        "MQL rule at last quarter's volume",
        &["Rule", "MQLs / month", "MQL → SQL", "SQLs / month"],
    )
    .row(volume_row(
        "Present MQLs (current score and threshold)",
        &r.before,
    ))
    .row(volume_row(
        &format!(
            "Proposed: ≥ {:.0} points (months it was fitted on)",
            r.proposal.threshold.threshold
        ),
        &r.after,
    ));
    let mut points = Table::new(
        "Proposed points",
        &["Feature", "Log-odds per unit", "Points per unit"],
    );
    for (c, p) in r
        .proposal
        .coefficients
        .iter()
        .skip(1)
        .zip(&r.proposal.points)
    {
        points = points.row(vec![
            names.name(&c.feature),
            format!("{:+.3}", c.coef),
            format!("{p:+.0}"),
        ]);
    }
    let oot = r.out_of_time.as_ref();
    let performance = Table::new(
        "How well each score predicts SQL",
        &[
            "Score",
            "MQLs",
            "AUC",
            "Top-decile lift",
            "ECE",
            "Brier",
            "Hosmer–Lemeshow",
        ],
    )
    .row(evaluation_row(
        "Current, all matured MQLs",
        r.current.as_ref(),
    ))
    .row(evaluation_row("Refit, in sample", Some(&r.in_sample)))
    .row(evaluation_row(
        "Current, last matured month",
        oot.and_then(|o| o.current.as_ref()),
    ))
    .row(evaluation_row("Refit, out of time", oot.map(|o| &o.refit)));
    let mut months = Table::new(
        "MQLs by month",
        &["Month", "MQLs", "Matured", "MQL → SQL (95% interval)"],
    );
    for m in by_month(data) {
        months = months.row(vec![
            m.month.clone(),
            count(m.mqls),
            count(m.matured),
            if m.matured == 0 {
                "maturing".into()
            } else {
                interval(m.matured_sqls, m.matured)
            },
        ]);
    }
    let mut per_source = BTreeMap::<&str, usize>::new();
    for m in quarter {
        *per_source.entry(&m.source).or_default() += 1;
    }
    let mut by_source = Table::new(
        "MQL → SQL by source (quarter's matured MQLs)",
        &["Source", "MQLs", "Matured", "MQL → SQL (95% interval)"],
    );
    for (source, t) in &sources.by {
        let Some(t) = t.first() else { continue };
        by_source = by_source.row(vec![
            names.name(source),
            count(per_source.get(source.as_str()).copied().unwrap_or(0)),
            count(t.entered as usize),
            interval(t.converted as usize, t.entered as usize),
        ]);
    }
    let mut message = Message::new(
        format!("{} — lead quality and scoring", stage_title(4)),
        body,
    )
    .table(rule)
    .table(points)
    .table(performance)
    .table(months)
    .table(by_source);
    if let Some(f) = feedback.filter(|f| f.decisions > 0) {
        let mut reasons = Table::new(
            "Sales feedback on MQLs",
            &[
                "Reason",
                "Verdict",
                "Count",
                "Share of verdict",
                "Typical comment",
            ],
        );
        for x in &f.reasons {
            reasons = reasons.row(vec![
                names.name(&x.reason),
                if x.accepted { "accepted" } else { "rejected" }.into(),
                count(x.count),
                percent_or_dash(Some(x.share)),
                x.representative_comment.clone(),
            ]);
        }
        let mut acceptance = Table::new(
            "Sales acceptance",
            &["Source or month", "Decisions", "Accepted"],
        );
        let by_source = f.by_source.iter().map(|a| (names.name(&a.group), a));
        let by_month = f.by_month.iter().map(|a| (a.group.clone(), a));
        for (group, a) in by_source.chain(by_month) {
            acceptance = acceptance.row(vec![
                group,
                count(a.decisions),
                interval(a.accepted, a.decisions),
            ]);
        }
        message = message.table(reasons).table(acceptance);
    }
    message
}
