//! Section 6: the campaign calendar and the testing roadmap.

use crate::chat::Table;
use crate::report::Section;
use crate::stages::handoff::PlannedTest;
use crate::stages::plan::{Sources, money, pct, whole};

pub(super) fn calendar(s: &Sources) -> Section {
    let mut sec = Section::new("Campaign calendar and testing roadmap");
    let Some(c) = &s.calendar else {
        return sec.para(s.missing(8));
    };
    let mut t = Table::new(
        "Campaigns",
        &[
            "Campaign",
            "Channel",
            "Dates",
            "Budget",
            "Owner",
            "Objective",
        ],
    );
    for p in &c.campaigns {
        t = t.row(vec![
            p.name.clone(),
            s.inputs.names.name(&p.channel),
            format!("{} – {}", p.start.format("%b %-d"), p.end.format("%b %-d")),
            money(p.budget),
            p.owner.clone(),
            p.objective.clone(),
        ]);
    }
    sec = sec
        .para(format!(
            "{} campaigns with {} of media; the calendar is attached to stage 8's post as `campaign-calendar.ics`.",
            c.campaigns.len(),
            money(c.campaigns.iter().map(|p| p.budget).sum())
        ))
        .table(t)
        .heading("Testing roadmap");
    let (funded, unfunded): (Vec<_>, Vec<_>) = c.tests.iter().partition(|x| x.funded);
    if funded.is_empty() {
        sec = sec.para("No test is funded this quarter.");
    } else {
        let mut t = Table::new(
            "Tests funded by the reserve",
            &[
                "Test",
                "Hypothesis",
                "Baseline",
                "Detects",
                "Sample / arm",
                "Dates",
                "Budget",
            ],
        );
        for x in &funded {
            t = t.row(vec![
                x.name.clone(),
                x.hypothesis.clone(),
                measured(x).0,
                measured(x).1,
                sample(x),
                format!("{} – {}", x.start.format("%b %-d"), x.end.format("%b %-d")),
                money(x.budget),
            ]);
        }
        sec = sec.table(t);
    }
    if let Some(b) = &s.budget {
        let used: f64 = funded.iter().map(|x| x.budget).sum();
        sec = sec.para(format!(
            "Tests use {} of the {} reserve; {} stays uncommitted for opportunities found during the quarter.",
            money(used),
            money(b.reserve),
            money((b.reserve - used).max(0.0))
        ));
    }
    sec.bullets(
        unfunded
            .iter()
            .map(|x| {
                format!(
                    "Not funded: **{}** needs {} per arm, about {} weeks at last quarter's traffic (would end {}){}.",
                    x.name,
                    whole(x.sample_size_per_arm as f64),
                    x.weeks,
                    x.end,
                    x.detectable_in_quarter.map_or_else(String::new, |l| format!(
                        "; within the quarter it could only detect a lift of +{:.0}% or more",
                        l * 100.0
                    ))
                )
            })
            .collect(),
    )
}

/// A test's baseline and the smallest effect it detects, in the quantity its kind
/// measures: a geo test a channel's ROAS, a page test a conversion rate; a pilot is
/// judged on its cost per lead and has neither.
pub(in crate::stages::plan) fn measured(x: &PlannedTest) -> (String, String) {
    match x.kind.as_str() {
        "geo lift" => (
            format!("ROAS {:.2}", x.baseline),
            format!("±{:.2} ROAS", x.minimum_detectable_effect),
        ),
        "pilot" => ("—".into(), "cost per lead".into()),
        _ => (pct(x.baseline), pct(x.minimum_detectable_effect)),
    }
}

/// Sample size per arm, or a dash for tests that do not split an audience.
pub(in crate::stages::plan) fn sample(x: &PlannedTest) -> String {
    if x.sample_size_per_arm > 0 {
        whole(x.sample_size_per_arm as f64)
    } else {
        "—".into()
    }
}
