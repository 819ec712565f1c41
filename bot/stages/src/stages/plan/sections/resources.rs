//! Sections 8 and 9: the resource plan, and the risks with their mitigations.

use crate::chat::Table;
use crate::report::Section;
use crate::stages::plan::risks::Risk;
use crate::stages::plan::{Sources, ledger, pct, whole};

pub(super) fn resources(s: &Sources) -> Section {
    let mut sec = Section::new("Resource plan").heading("Team");
    let weeks = 13.0;
    match (&s.calendar, &s.objectives) {
        (Some(c), _) if !c.workload.is_empty() => {
            // One source per figure: campaign and test hours from stage 8, content hours
            // from the pieces stage 9 assigns (the plan's figures, `ledger::hours`).
            let mut t = Table::new(
                "Planned hours this quarter",
                &[
                    "Person",
                    "Role",
                    "Campaigns",
                    "Content",
                    "Total",
                    "Capacity",
                    "Load",
                ],
            );
            for h in ledger::hours(s) {
                let role = c
                    .workload
                    .iter()
                    .find(|w| w.person == h.person)
                    .map_or_else(String::new, |w| w.role.clone());
                let total = h.campaign_hours + h.content_hours;
                t = t.row(vec![
                    h.person.clone(),
                    role,
                    whole(h.campaign_hours),
                    whole(h.content_hours),
                    whole(total),
                    whole(h.capacity),
                    if h.capacity > 0.0 {
                        pct(total / h.capacity)
                    } else {
                        "—".into()
                    },
                ]);
            }
            sec = sec.table(t);
        }
        (_, Some(o)) if !o.roster.is_empty() => {
            let mut t = Table::new(
                "Roster (objectives.toml)",
                &["Person", "Role", "Hours / week"],
            );
            for m in &o.roster {
                t = t.row(vec![
                    m.name.clone(),
                    m.role.clone(),
                    format!("{:.0}", m.capacity_hours_per_week),
                ]);
            }
            sec = sec.table(t).para(s.missing(8));
        }
        _ => sec = sec.para(s.missing(8)),
    }
    sec = sec.heading("Content production");
    match &s.content_plan {
        Some(p) => {
            let hours: f64 = p.pieces.iter().map(|x| x.hours).sum();
            sec = sec.para(format!(
                "{} pieces, {:.0} hours of writing and review ({:.0} a week); schedule in Appendix B.",
                p.pieces.len(),
                hours,
                hours / weeks
            ));
        }
        None => sec = sec.para(s.missing(9)),
    }
    let roles: std::collections::BTreeMap<String, String> = s
        .calendar
        .iter()
        .flat_map(|c| &c.workload)
        .map(|w| (w.person.clone(), w.role.clone()))
        .collect();
    let over: Vec<String> = ledger::hours(s)
        .iter()
        .filter(|h| h.campaign_hours + h.content_hours > h.capacity && h.capacity > 0.0)
        .map(|h| {
            format!(
                "Buy about {:.0} hours of freelance or agency support for {} work ({}'s overflow).",
                h.campaign_hours + h.content_hours - h.capacity,
                roles.get(&h.person).map_or("content", String::as_str),
                h.person
            )
        })
        .collect();
    sec = sec.heading("Agencies and freelancers");
    sec = match &s.calendar {
        None => sec.para(
            "Not assessed: without stage 8 there is no planned workload to compare with capacity.",
        ),
        // Quarter totals can fit while single weeks do not: §9 lists those weeks, and
        // this section must not say the opposite.
        Some(_) if over.is_empty() => match s.content_plan.as_ref().map(|p| p.conflicts.len()) {
            Some(n) if n > 0 => sec.para(format!(
                "Everyone's planned hours fit their capacity over the quarter, but the content \
                 schedule has {} (§9, Appendix B), such as a week with more hours than a \
                 person has: re-sequence those pieces first; outsource only the ones whose \
                 dates cannot move.",
                crate::report::plural(n, "conflict", "conflicts"),
            )),
            _ => sec.para(
                "No external support is needed: everyone's planned hours fit their capacity in \
                 every week.",
            ),
        },
        Some(_) => sec.bullets(over),
    };
    sec.heading("Tools").para(
        "Quarterdeck runs the planning stages, approvals and weekly check-ins in the team's channel; the \
         figures come from the exports listed in Appendix D.",
    )
}

pub(super) fn risk_section(risks: &[Risk]) -> Section {
    let sec = Section::new("Risks and mitigation");
    if risks.is_empty() {
        return sec.para("No rule fired: see Appendix D for the rules checked.");
    }
    let mut t = Table::new("Risks", &["Severity", "Risk", "Evidence", "Mitigation"]);
    for r in risks {
        t = t.row(vec![
            r.severity.as_str().to_owned(),
            r.title.clone(),
            r.evidence.clone(),
            r.mitigation.clone(),
        ]);
    }
    sec.table(t)
}
