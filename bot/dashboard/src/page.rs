//! The dashboard page: server-rendered, semantic HTML that reads without JavaScript; a
//! small script only swaps `<main>` when the run changes (see `live`). Each section is
//! one function over the [`Snapshot`]; a section whose data the store does not hold yet
//! says "not yet" and why. Money and counts are written with the plan document's own
//! formatters, from the stage handoffs the plan quotes.

use std::fmt::Write;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use quarterdeck_domain::{CheckinStatus, StageId, Verdict};
use quarterdeck_stages::report::{money, whole};

use super::html::esc;
use super::snapshot::Snapshot;
use super::svg::{Bar, BarChart};

/// Where the page's own requests go (each carries the link's token).
#[derive(Debug, Clone)]
pub struct Links {
    /// `/d/TEAM/QUARTER`, no trailing slash.
    pub base: String,
    /// `token=…`, URL-safe.
    pub query: String,
}

impl Links {
    pub fn to(&self, path: &str) -> String {
        format!("{}/{path}?{}", self.base, self.query)
    }
}

/// Hex characters of a plan hash shown on the page.
pub const HASH_CHARS: usize = 12;

pub fn short_hash(hash: &str) -> &str {
    hash.get(..HASH_CHARS).unwrap_or(hash)
}

/// The whole page.
pub fn render(s: &Snapshot, links: &Links) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("{} {} · Quarterdeck", s.run.team, s.run.quarter);
    let _ = write!(
        out,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>{}</title><style>{STYLE}</style></head><body>"#,
        esc(&title)
    );
    let _ = write!(
        out,
        r#"<header><h1>{} <span class="quarter">{}</span></h1><p class="live" id="live" role="status" aria-live="polite">Live updates need JavaScript; reload to refresh.</p></header>"#,
        esc(&s.run.team),
        esc(&s.run.quarter),
    );
    let _ = write!(
        out,
        r#"<main id="main" data-version="{}" data-events="{}" data-fragment="{}">"#,
        s.mark.version,
        esc(&links.to("events")),
        esc(&links.to("fragment")),
    );
    main_into(&mut out, s, links);
    out.push_str("</main>");
    let _ = write!(out, "<script>{SCRIPT}</script></body></html>");
    out
}

/// The inside of `<main>`: what a live update replaces.
pub fn main_fragment(s: &Snapshot, links: &Links) -> String {
    let mut out = String::with_capacity(64 * 1024);
    main_into(&mut out, s, links);
    out
}

fn main_into(out: &mut String, s: &Snapshot, links: &Links) {
    overview(out, s);
    success_criteria(out, s);
    timeline(out, s);
    plan_versions(out, s);
    budget(out, s);
    goals(out, s);
    calendar(out, s);
    checkins(out, s);
    risks(out, s);
    exports(out, links);
    let _ = write!(
        out,
        r#"<footer><p>Run version {} · updated <time datetime="{}">{}</time></p></footer>"#,
        s.mark.version,
        s.mark.updated_at.to_rfc3339(),
        stamp(s.mark.updated_at)
    );
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%a %Y-%m-%d").to_string()
}

fn not_yet(out: &mut String, what: &str) {
    let _ = write!(out, r#"<p class="not-yet">Not yet: {}</p>"#, esc(what));
}

fn section_start(out: &mut String, id: &str, title: &str) {
    let _ = write!(
        out,
        r#"<section id="{id}" aria-labelledby="{id}-h"><h2 id="{id}-h">{}</h2>"#,
        esc(title)
    );
}

fn overview(out: &mut String, s: &Snapshot) {
    section_start(out, "overview", "Overview");
    let run = &s.run;
    out.push_str("<dl class=\"facts\">");
    let _ = write!(
        out,
        r#"<div><dt>Status</dt><dd class="status status-{}">{}</dd></div>"#,
        run.status.as_str(),
        run.status.words()
    );
    let approved = run
        .approved_version
        .and_then(|v| run.plan_versions.iter().find(|p| p.version == v));
    match approved {
        Some(p) => {
            let _ = write!(
                out,
                r#"<div><dt>Approved plan</dt><dd>v{} · <code class="hash" title="SHA-256 of the plan's markdown">{}</code></dd></div>"#,
                p.version,
                esc(short_hash(&p.hash))
            );
        }
        None => match run.latest_plan() {
            Some(p) => {
                let _ = write!(
                    out,
                    r#"<div><dt>Latest plan (not approved)</dt><dd>v{} · <code class="hash">{}</code></dd></div>"#,
                    p.version,
                    esc(short_hash(&p.hash))
                );
            }
            None => out.push_str("<div><dt>Plan</dt><dd>not yet drafted</dd></div>"),
        },
    }
    if let Some(b) = s.budget() {
        let _ = write!(
            out,
            r#"<div><dt>Total budget</dt><dd class="money" id="total-budget">{}</dd></div><div><dt>Test reserve</dt><dd class="money">{}</dd></div>"#,
            money(b.total),
            money(b.reserve)
        );
    }
    let done = run
        .stages
        .iter()
        .filter(|st| st.status == quarterdeck_domain::StageStatus::Done)
        .count();
    let _ = write!(
        out,
        "<div><dt>Stages done</dt><dd>{done} of {}</dd></div></dl></section>",
        run.stages.len()
    );
}

fn success_criteria(out: &mut String, s: &Snapshot) {
    section_start(out, "success", "Success criteria");
    out.push_str("<ul class=\"criteria\">");
    // Plan approved by the deadline: the run's plan deadline (as the success criteria
    // judge it); runs opened before it was stored fall back to stage 11's slot.
    let deadline = s
        .run
        .plan_deadline
        .or_else(|| s.run.stage(StageId::Approval.number()).map(|st| st.due_at));
    match (s.run.approved_at(), deadline) {
        (Some(done), Some(deadline)) => {
            let met = done <= deadline;
            let _ = write!(
                out,
                r#"<li class="{}">Plan approved by the deadline: <strong>{}</strong> (approved {}, deadline {})</li>"#,
                if met { "met" } else { "missed" },
                if met { "yes" } else { "no" },
                stamp(done),
                stamp(deadline)
            );
        }
        (None, Some(deadline)) => {
            let _ = write!(
                out,
                r#"<li>Plan approved by the deadline: pending (deadline {})</li>"#,
                stamp(deadline)
            );
        }
        (_, None) => out.push_str("<li>Plan approved by the deadline: no approval stage</li>"),
    }
    let acks = &s.run.kickoff.acknowledged;
    if s.run.kickoff.at.is_some() {
        let names: Vec<String> = acks.iter().map(|a| esc(&a.name).to_string()).collect();
        let _ = write!(
            out,
            "<li>Aligned share: <strong>{:.0}%</strong> of campaign owners; kickoff acknowledged by {}{}</li>",
            s.run.aligned_share() * 100.0,
            acks.len(),
            if names.is_empty() {
                String::new()
            } else {
                format!(": {}", names.join(", "))
            }
        );
    } else {
        out.push_str("<li class=\"not-yet\">Kickoff acknowledgements: not yet (no kickoff)</li>");
    }
    match quarter_start(s) {
        Some(first) if s.run.approved_version.is_some() => {
            let m1 = s.run.month1_launches(first, s.run.tz());
            let _ = write!(
                out,
                "<li>Month-1 launches on schedule: <strong>{} of {}</strong>{}</li>",
                m1.on_schedule,
                m1.planned,
                if s.run.kickoff.at.is_none() {
                    " (launches are confirmed after kickoff)"
                } else {
                    ""
                }
            );
        }
        _ => {
            out.push_str("<li class=\"not-yet\">Month-1 launches: not yet (no approved plan)</li>")
        }
    }
    out.push_str("</ul></section>");
}

/// The quarter's first day as the run stored it; for runs opened before it was
/// stored, the first day of the goals' first milestone month.
fn quarter_start(s: &Snapshot) -> Option<NaiveDate> {
    if let Some(d) = s.run.quarter_start {
        return Some(d);
    }
    let g = s.goals()?;
    let m = g.milestones.first()?;
    NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d").ok()
}

fn timeline(out: &mut String, s: &Snapshot) {
    section_start(out, "timeline", "The twelve stages");
    out.push_str(
        r#"<div class="scroll"><table><caption>Four planning weeks: each stage's week, due time and status</caption><thead><tr><th scope="col">Week</th><th scope="col">#</th><th scope="col">Stage</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Done</th></tr></thead><tbody>"#,
    );
    for st in &s.run.stages {
        let id = StageId::from_number(st.number);
        let week = id.map_or(0, |i| i.spec().week);
        let name = id.map_or("?", StageId::name);
        let (class, status) = if st.stale {
            ("stale", "stale: its inputs changed")
        } else {
            (st.status.as_str(), st.status.words())
        };
        let _ = write!(
            out,
            r#"<tr><td>{week}</td><td>{}</td><th scope="row">{}</th><td><time datetime="{}">{}</time></td><td class="status status-{class}">{status}</td><td>{}</td></tr>"#,
            st.number,
            esc(name),
            st.due_at.to_rfc3339(),
            day(st.due_at),
            st.completed_at.map(day).unwrap_or_default()
        );
    }
    out.push_str("</tbody></table></div></section>");
}

fn plan_versions(out: &mut String, s: &Snapshot) {
    section_start(out, "plan", "Plan versions and approvals");
    let run = &s.run;
    if run.plan_versions.is_empty() {
        not_yet(out, "no plan version has been drafted (stage 10)");
        out.push_str("</section>");
        return;
    }
    out.push_str(
        r#"<div class="scroll"><table><caption>Every version of the plan, with why it exists</caption><thead><tr><th scope="col">Version</th><th scope="col">Hash</th><th scope="col">Made</th><th scope="col">Reason and amendments</th><th scope="col">Approvals</th></tr></thead><tbody>"#,
    );
    for p in &run.plan_versions {
        let approves = run
            .approvals
            .iter()
            .filter(|a| a.version == p.version && a.verdict == Verdict::Approve)
            .count();
        let approved = run.approved_version == Some(p.version);
        let _ = write!(
            out,
            r#"<tr{}><th scope="row">v{}{}</th><td><code class="hash">{}</code></td><td>{}</td><td>{}</td><td>{approves}</td></tr>"#,
            if approved { r#" class="approved""# } else { "" },
            p.version,
            if approved { " (approved)" } else { "" },
            esc(short_hash(&p.hash)),
            stamp(p.created_at),
            esc(&p.reason),
        );
    }
    out.push_str("</tbody></table></div>");
    if !run.pending_changes.is_empty() {
        out.push_str("<h3>Change requests not yet in a version</h3><ul>");
        for c in &run.pending_changes {
            let _ = write!(out, "<li>{}</li>", esc(c));
        }
        out.push_str("</ul>");
    }
    out.push_str("<h3>Approval tally</h3>");
    if run.approvals.is_empty() {
        not_yet(out, "no stakeholder has decided on a version");
    } else {
        out.push_str(
            r#"<div class="scroll"><table><caption>Who decided what, on which version, when</caption><thead><tr><th scope="col">Version</th><th scope="col">Group</th><th scope="col">Who</th><th scope="col">Decision</th><th scope="col">When</th></tr></thead><tbody>"#,
        );
        for a in &run.approvals {
            let _ = write!(
                out,
                r#"<tr><td>v{}</td><td>{}</td><td>{}</td><td class="verdict verdict-{v}">{v}</td><td>{}</td></tr>"#,
                a.version,
                esc(&a.group),
                esc(&a.actor.name),
                stamp(a.at),
                v = a.verdict.as_str(),
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>");
}

fn budget(out: &mut String, s: &Snapshot) {
    section_start(out, "budget", "Budget by channel");
    let Some(b) = s.budget() else {
        not_yet(out, "the budget allocation (stage 6) has no findings");
        out.push_str("</section>");
        return;
    };
    let mut bars: Vec<Bar> = b
        .channels
        .iter()
        .map(|c| Bar {
            label: c.channel.clone(),
            value: c.spend,
            text: money(c.spend),
            class: "plan",
        })
        .collect();
    bars.push(Bar {
        label: "test reserve".into(),
        value: b.reserve,
        text: money(b.reserve),
        class: "reserve",
    });
    let chart = BarChart {
        id: "budget-chart",
        title: &format!("Budget by channel, {} in total", money(b.total)),
        axis: "Quarter's budget (USD)",
        bars,
        tick: money,
    };
    let _ = write!(out, "<figure>{}</figure>", chart.render());
    out.push_str(
        r#"<div class="scroll"><table><caption>The allocation the plan states</caption><thead><tr><th scope="col">Channel</th><th scope="col" class="num">Budget</th><th scope="col" class="num">Last quarter</th><th scope="col" class="num">Expected revenue</th></tr></thead><tbody>"#,
    );
    for c in &b.channels {
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            esc(&c.channel),
            money(c.spend),
            money(c.last_quarter_spend),
            money(c.expected_revenue)
        );
    }
    let _ = write!(
        out,
        r#"<tr><th scope="row">test reserve</th><td class="num">{}</td><td></td><td></td></tr></tbody><tfoot><tr><th scope="row">total</th><td class="num">{}</td><td></td><td class="num">{}</td></tr></tfoot></table></div><p class="basis">{}</p></section>"#,
        money(b.reserve),
        money(b.total),
        money(b.expected_revenue),
        esc(&b.total_basis)
    );
}

fn goals(out: &mut String, s: &Snapshot) {
    section_start(out, "goals", "Goals, milestones and pacing");
    let Some(g) = s.goals() else {
        not_yet(out, "the goals (stage 7) have no findings");
        out.push_str("</section>");
        return;
    };
    out.push_str(
        r#"<div class="scroll"><table><caption>The quarter's targets</caption><thead><tr><th scope="col">Metric</th><th scope="col" class="num">Target</th><th scope="col" class="num">Last quarter</th><th scope="col">Basis</th></tr></thead><tbody>"#,
    );
    for t in &g.targets {
        let fmt = if is_money(&t.metric) { money } else { whole };
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            esc(&t.metric),
            fmt(t.value),
            t.last_quarter.map(fmt).unwrap_or_default(),
            esc(&t.basis)
        );
    }
    out.push_str("</tbody></table></div>");
    let chart = BarChart {
        id: "mql-chart",
        title: "MQL milestones by month (plan)",
        axis: "MQLs per month (count)",
        bars: g
            .milestones
            .iter()
            .map(|m| Bar {
                label: m.month.clone(),
                value: m.mqls,
                text: whole(m.mqls),
                class: "plan",
            })
            .collect(),
        tick: whole,
    };
    let _ = write!(out, "<figure>{}</figure>", chart.render());
    out.push_str(
        r#"<div class="scroll"><table><caption>Monthly milestones</caption><thead><tr><th scope="col">Month</th><th scope="col" class="num">Revenue</th><th scope="col" class="num">Pipeline</th><th scope="col" class="num">SQLs</th><th scope="col" class="num">MQLs</th></tr></thead><tbody>"#,
    );
    for m in &g.milestones {
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            esc(&m.month),
            money(m.revenue),
            money(m.pipeline),
            whole(m.sqls),
            whole(m.mqls)
        );
    }
    out.push_str("</tbody></table></div>");
    pacing(out, s);
    out.push_str("</section>");
}

fn pacing(out: &mut String, s: &Snapshot) {
    out.push_str("<h3>Pacing against the approved plan</h3>");
    if s.locked_figures().is_none() {
        not_yet(
            out,
            "the approved plan version states no figures to pace against",
        );
        return;
    }
    let weeks = s.pacing();
    let Some(last) = weeks.last() else {
        not_yet(out, "no check-in week has started");
        return;
    };
    let chart = BarChart {
        id: "pacing-chart",
        title: &format!("Spend to date against the plan, week {}", last.week),
        axis: "Spend to date (USD)",
        bars: vec![
            Bar {
                label: "reported".into(),
                value: last.spend_to_date,
                text: money(last.spend_to_date),
                class: "actual",
            },
            Bar {
                label: "plan".into(),
                value: last.planned_spend_to_date,
                text: money(last.planned_spend_to_date),
                class: "plan",
            },
        ],
        tick: money,
    };
    let _ = write!(out, "<figure>{}</figure>", chart.render());
    out.push_str(
        r#"<div class="scroll"><table><caption>Quarter to date at each check-in: reported against the plan's line</caption><thead><tr><th scope="col">Week</th><th scope="col">To</th><th scope="col" class="num">Spend</th><th scope="col" class="num">Planned spend</th><th scope="col" class="num">MQLs</th><th scope="col" class="num">MQL milestone</th><th scope="col" class="num">Pipeline</th><th scope="col" class="num">Pipeline milestone</th></tr></thead><tbody>"#,
    );
    for w in &weeks {
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            w.week,
            w.date,
            money(w.spend_to_date),
            money(w.planned_spend_to_date),
            whole(w.mqls_to_date),
            whole(w.mql_milestone_to_date),
            money(w.pipeline_to_date),
            money(w.pipeline_milestone_to_date)
        );
    }
    out.push_str("</tbody></table></div>");
}

fn is_money(metric: &str) -> bool {
    matches!(metric, "revenue" | "pipeline")
}

fn calendar(out: &mut String, s: &Snapshot) {
    section_start(out, "calendar", "Campaign calendar");
    let Some(c) = s.calendar() else {
        not_yet(out, "the campaign calendar (stage 8) has no findings");
        out.push_str("</section>");
        return;
    };
    // Launches per ISO week of the quarter.
    let mut weeks: std::collections::BTreeMap<(i32, u32), usize> = Default::default();
    for k in c.campaigns.iter().filter(|k| k.kind != "booked") {
        let w = k.start.iso_week();
        *weeks.entry((w.year(), w.week())).or_default() += 1;
    }
    if !weeks.is_empty() {
        let chart = BarChart {
            id: "launch-chart",
            title: "Campaign launches per week",
            axis: "Launches (count)",
            bars: weeks
                .iter()
                .map(|((y, w), n)| Bar {
                    label: format!("{y}-W{w:02}"),
                    value: *n as f64,
                    text: n.to_string(),
                    class: "plan",
                })
                .collect(),
            tick: whole,
        };
        let _ = write!(out, "<figure>{}</figure>", chart.render());
    }
    let _ = write!(
        out,
        r#"<div class="scroll"><table><caption>{} campaigns and {} tests</caption><thead><tr><th scope="col">Campaign</th><th scope="col">Channel</th><th scope="col">Launch</th><th scope="col">End</th><th scope="col" class="num">Budget</th><th scope="col">Owner</th><th scope="col">Kind</th></tr></thead><tbody>"#,
        c.campaigns.len(),
        c.tests.len()
    );
    for k in &c.campaigns {
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"#,
            esc(&k.name),
            esc(&k.channel),
            k.start,
            k.end,
            money(k.budget),
            esc(&k.owner),
            esc(&k.kind)
        );
    }
    out.push_str("</tbody></table></div>");
    if !c.tests.is_empty() {
        out.push_str(
            r#"<div class="scroll"><table><caption>Testing roadmap</caption><thead><tr><th scope="col">Test</th><th scope="col">Channel</th><th scope="col">Start</th><th scope="col">End</th><th scope="col" class="num">Cost</th><th scope="col">Funded</th></tr></thead><tbody>"#,
        );
        for t in &c.tests {
            let _ = write!(
                out,
                r#"<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td></tr>"#,
                esc(&t.name),
                esc(&t.channel),
                t.start,
                t.end,
                money(t.budget),
                if t.funded { "yes" } else { "no" }
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>");
}

fn checkins(out: &mut String, s: &Snapshot) {
    section_start(out, "checkins", "Weekly check-ins");
    let weeks = &s.run.checkins;
    if weeks.is_empty() {
        not_yet(out, "check-ins start after the kickoff");
        out.push_str("</section>");
        return;
    }
    out.push_str(
        r#"<div class="scroll"><table><caption>Answers per week</caption><thead><tr><th scope="col">Week</th><th scope="col">Due</th><th scope="col" class="num">Answered</th><th scope="col" class="num">Late</th><th scope="col" class="num">Missed</th><th scope="col" class="num">At risk or off track</th></tr></thead><tbody>"#,
    );
    for w in weeks {
        let answered = w.entries.iter().filter(|e| e.answered_at.is_some()).count();
        let late = w.entries.iter().filter(|e| e.late).count();
        let missed = w
            .entries
            .iter()
            .filter(|e| e.status == CheckinStatus::Missed)
            .count();
        let risky = w
            .entries
            .iter()
            .filter(|e| matches!(e.status, CheckinStatus::AtRisk | CheckinStatus::OffTrack))
            .count();
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td>{}</td><td class="num">{answered} of {}</td><td class="num">{late}</td><td class="num">{missed}</td><td class="num">{risky}</td></tr>"#,
            w.week,
            day(w.due_at),
            w.entries.len()
        );
    }
    out.push_str("</tbody></table></div><h3>Open blockers</h3>");
    // The latest week with answers: its at-risk and off-track entries are open.
    let open: Vec<_> = weeks
        .iter()
        .rev()
        .find(|w| w.entries.iter().any(|e| e.answered_at.is_some()))
        .map(|w| {
            w.entries
                .iter()
                .filter(|e| {
                    matches!(e.status, CheckinStatus::AtRisk | CheckinStatus::OffTrack)
                        || e.numbers.as_ref().is_some_and(|n| !n.blockers.is_empty())
                })
                .map(|e| (w.week, e))
                .collect()
        })
        .unwrap_or_default();
    if open.is_empty() {
        out.push_str("<p>None in the latest answered week.</p>");
    } else {
        out.push_str("<ul class=\"blockers\">");
        for (week, e) in &open {
            for b in e.numbers.iter().flat_map(|n| n.blockers.iter()) {
                let _ = write!(
                    out,
                    "<li><strong>{}</strong> ({}, week {week}): {}</li>",
                    esc(&e.campaign),
                    esc(&e.owner),
                    esc(b)
                );
            }
        }
        for (week, e) in open
            .iter()
            .filter(|(_, e)| e.numbers.as_ref().is_none_or(|n| n.blockers.is_empty()))
        {
            let _ = write!(
                out,
                "<li><strong>{}</strong> ({}, week {week}, {}){}</li>",
                esc(&e.campaign),
                esc(&e.owner),
                e.status.words(),
                e.note
                    .as_deref()
                    .map(|n| format!(": {}", esc(n)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn risks(out: &mut String, s: &Snapshot) {
    section_start(out, "risks", "Risks");
    let risks = s.risks();
    if risks.is_empty() {
        if s.findings.contains_key(&10) {
            out.push_str("<p>The plan names no risks.</p>");
        } else {
            not_yet(out, "the plan (stage 10) has not assessed risks");
        }
    } else {
        out.push_str("<ul class=\"risks\">");
        for r in &risks {
            let _ = write!(
                out,
                r#"<li class="risk risk-{sev}"><strong>{}</strong> <span class="severity">({sev})</span><br>{}<br><em>Mitigation:</em> {}</li>"#,
                esc(&r.title),
                esc(&r.evidence),
                esc(&r.mitigation),
                sev = esc(&r.severity),
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn exports(out: &mut String, links: &Links) {
    section_start(out, "exports", "Exports");
    out.push_str("<ul class=\"exports\">");
    for (file, label) in [
        ("plan.html", "The plan (HTML)"),
        ("plan.md", "The plan (Markdown)"),
        ("calendar.ics", "Campaign calendar (ICS)"),
        ("checkins.csv", "Check-ins (CSV)"),
        ("pacing.csv", "Pacing (CSV)"),
        ("audit.csv", "Audit trail (CSV)"),
    ] {
        let _ = write!(
            out,
            r#"<li><a href="{}" download>{label}</a></li>"#,
            esc(&links.to(&format!("export/{file}")))
        );
    }
    out.push_str("</ul></section>");
}

const STYLE: &str = r#"
:root{--fg:#1b1f24;--muted:#4a5563;--line:#d0d7de;--plan:#1f5fa8;--reserve:#7a4bb0;--actual:#1a7f37;--bg:#fff;--warn:#8a4b00;--bad:#b3261e}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1100px;margin:0 auto;padding:0 16px}header{padding-top:12px}
h1{font-size:1.6rem;margin:.4em 0}h1 .quarter{color:var(--muted);font-weight:400}h2{font-size:1.25rem;border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:1.6em}h3{font-size:1.05rem}
.live{color:var(--muted);font-size:.9rem;margin:0}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:8px;margin:0}.facts div{border:1px solid var(--line);border-radius:6px;padding:8px}.facts dt{color:var(--muted);font-size:.85rem}.facts dd{margin:0;font-size:1.15rem;font-weight:600}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}table{border-collapse:collapse;width:100%;margin:.5em 0 1em;font-size:.92rem}caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}thead th{background:#f3f5f7}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.approved{background:#eef6ee}
code.hash{font-size:.95em;background:#f3f5f7;padding:1px 4px;border-radius:3px}
.status-done,.met,.verdict-approve{color:var(--actual)}.status-failed,.missed,.verdict-reject{color:var(--bad)}.status-stale,.verdict-request_changes{color:var(--warn)}
.not-yet{color:var(--muted);font-style:italic}
figure{margin:.5em 0}svg.chart{width:100%;max-width:760px;height:auto;font-size:12px}svg .bar.plan{fill:var(--plan)}svg .bar.reserve{fill:var(--reserve)}svg .bar.actual{fill:var(--actual)}svg .grid{stroke:var(--line)}svg text{fill:var(--fg)}svg .axis{font-weight:600}
.risks li,.blockers li{margin-bottom:.6em}.risk-high .severity{color:var(--bad)}
footer{color:var(--muted);font-size:.85rem;margin:2em 0}
@media (max-width:600px){body{font-size:15px}th,td{padding:4px 5px}h1{font-size:1.3rem}}
"#;

/// Live updates: an `EventSource` on the page's events URL; whenever the run's version
/// differs from the one shown, `<main>` is fetched again and swapped. The browser
/// reconnects by itself after the server restarts (the stream sets `retry`).
const SCRIPT: &str = r#"
(function(){var m=document.getElementById('main'),live=document.getElementById('live');if(!window.EventSource||!m)return;
function say(t){live.textContent=t;}
var want=m.dataset.version,busy=false;
function refresh(){if(busy)return;busy=true;var ok=false;
fetch(m.dataset.fragment,{cache:'no-store'}).then(function(r){if(!r.ok)throw new Error(r.status);var v=r.headers.get('X-Run-Version');
return r.text().then(function(t){m.innerHTML=t;m.dataset.version=v;ok=true;say('Live: updated '+new Date().toLocaleTimeString());});})
.catch(function(){say('Live: update failed, retrying');})
.finally(function(){busy=false;if(m.dataset.version!==want)setTimeout(refresh,ok?0:2000);});}
var es=new EventSource(m.dataset.events);
es.addEventListener('version',function(e){want=e.data;if(want!==m.dataset.version)refresh();else say('Live');});
es.onerror=function(){say('Live: reconnecting…');};
})();
"#;
