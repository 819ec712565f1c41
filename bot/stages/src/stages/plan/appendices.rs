//! Supporting materials: one plan per channel, the content calendar, the testing roadmap
//! in full, and the method and sources behind the figures.

use super::{Sources, money, pct, risks};
use crate::chat::Table;
use crate::report::Section;
use crate::stages::{analysis_name, inputs_of, stage_title};

/// Appendices in every version (a missing input is stated inside its appendix).
pub const COUNT: usize = 4;

pub fn all(s: &Sources) -> Vec<Section> {
    vec![
        channel_plans(s),
        content_calendar(s),
        testing_roadmap(s),
        method(s),
    ]
}

fn channel_plans(s: &Sources) -> Section {
    let mut sec = Section::new("Channel plans");
    let Some(b) = &s.budget else {
        return sec.para(s.missing(6));
    };
    let mut channels = b.channels.clone();
    channels.sort_by(|x, y| y.spend.total_cmp(&x.spend));
    for c in &channels {
        sec = sec.heading(s.inputs.names.name(&c.channel)).para(format!(
            "Budget {} (last quarter {}), expected revenue {}; {}.",
            money(c.spend),
            money(c.last_quarter_spend),
            money(c.expected_revenue),
            c.rationale
        ));
        let target = s
            .goals
            .iter()
            .flat_map(|g| &g.channel_targets)
            .find(|t| t.channel == c.channel);
        let mut lines: Vec<String> = target
            .map(|t| {
                format!(
                    "Target: {} revenue and {:.0} MQLs.",
                    money(t.revenue),
                    t.mqls
                )
            })
            .into_iter()
            .collect();
        if let Some(cal) = &s.calendar {
            lines.extend(
                cal.campaigns
                    .iter()
                    .filter(|p| p.channel == c.channel)
                    .map(|p| {
                        format!(
                            "Campaign **{}**: {} to {}, {}, owner {}; success: {}.",
                            p.name,
                            p.start,
                            p.end,
                            money(p.budget),
                            p.owner,
                            if p.success_metrics.is_empty() {
                                "—".to_owned()
                            } else {
                                p.success_metrics.join(", ")
                            }
                        )
                    }),
            );
            lines.extend(
                cal.tests
                    .iter()
                    .filter(|t| t.channel == c.channel)
                    .map(|t| format!("Test **{}**: {}", t.name, t.hypothesis)),
            );
        }
        sec = sec.bullets(lines);
    }
    sec
}

fn content_calendar(s: &Sources) -> Section {
    let mut sec = Section::new("Content calendar");
    let Some(p) = &s.content_plan else {
        return sec.para(s.missing(9));
    };
    let mut t = Table::new(
        "Pieces by publish date",
        &[
            "Piece", "Type", "Serves", "Owner", "Brief", "Draft", "Review", "Publish",
        ],
    );
    let mut pieces = p.pieces.clone();
    pieces.sort_by_key(|x| x.publish);
    for x in &pieces {
        t = t.row(vec![
            x.title.clone(),
            x.content_type.replace('_', " "),
            x.serves.clone(),
            x.owner.clone(),
            x.brief.format("%b %-d").to_string(),
            x.draft.format("%b %-d").to_string(),
            x.review.format("%b %-d").to_string(),
            x.publish.format("%b %-d").to_string(),
        ]);
    }
    sec = sec.table(t);
    if !p.conflicts.is_empty() {
        sec = sec.heading("Conflicts").bullets(
            p.conflicts
                .iter()
                .map(crate::stages::content_plan::conflict_text)
                .collect(),
        );
    }
    sec
}

fn testing_roadmap(s: &Sources) -> Section {
    let sec = Section::new("Testing roadmap");
    let Some(c) = &s.calendar else {
        return sec.para(s.missing(8));
    };
    if c.tests.is_empty() {
        return sec.para("No tests are planned.");
    }
    let mut t = Table::new(
        "Tests in detail",
        &[
            "Test",
            "Channel",
            "Metric",
            "Baseline",
            "Detects",
            "Sample / arm",
            "Start",
            "End",
            "Value",
            "Budget",
            "Owner",
            "Funded",
        ],
    );
    for x in &c.tests {
        t = t.row(vec![
            x.name.clone(),
            s.inputs.names.name(&x.channel),
            x.metric.clone(),
            super::sections::calendar::measured(x).0,
            super::sections::calendar::measured(x).1,
            super::sections::calendar::sample(x),
            x.start.to_string(),
            x.end.to_string(),
            x.value.map_or_else(|| "not priced".into(), money),
            money(x.budget),
            x.owner.clone(),
            if x.funded { "yes" } else { "no" }.to_owned(),
        ]);
    }
    sec.table(t)
        .para(
            "Sample sizes are per arm for a two-sided test at 5% significance and 80% power; a \
             test is decided only when both arms reach them.",
        )
        .para(crate::stages::calendar::VALUE_AND_BUDGET)
}

fn method(s: &Sources) -> Section {
    let mut t = Table::new(
        "Where each stage's figures come from",
        &["Stage", "Analysis", "Inputs", "Status"],
    );
    for n in 1..=9u8 {
        t = t.row(vec![
            stage_title(n),
            analysis_name(n).to_owned(),
            inputs_of(n).join(", "),
            if s.available(n) {
                "findings".to_owned()
            } else {
                "no findings".to_owned()
            },
        ]);
    }
    let mut notes = vec![
        format!(
            "Risk rules: a channel above {} of the allocatable budget; a channel whose ROAS fell more than {} \
             and keeps its budget; a funnel step below benchmark; anyone planned above capacity; bookings \
             above a channel's allocation; a required volume more than {} above last quarter's; a funded \
             test ending after the quarter; a stage without findings.",
            pct(risks::CONCENTRATION),
            pct(risks::ROAS_DROP),
            pct(risks::STRETCH)
        ),
        "Money is in the currency of the team's exports; rates are shares of the earlier stage."
            .to_owned(),
    ];
    if let Some(c) = &s.content {
        notes.push(format!(
            "Organic click-through by position: {}.",
            c.ctr_curve
        ));
    }
    if let Some(b) = &s.budget {
        notes.push(format!("Total budget: {}.", b.total_basis));
    }
    let mut sec = Section::new("Method and sources").table(t).bullets(notes);
    // Stage 6's budget method in plain words (its handoff's `method` paragraphs).
    if let Some(b) = s.budget.as_ref().filter(|b| !b.method.is_empty()) {
        sec = sec.para("How the budget split was decided:");
        // Stage 6 writes these with channel identifiers; the plan shows display names.
        let ids: Vec<&str> = b.channels.iter().map(|c| c.channel.as_str()).collect();
        for p in &b.method {
            sec = sec.para(s.inputs.names.in_text(p, ids.iter().copied()));
        }
    }
    sec
}
