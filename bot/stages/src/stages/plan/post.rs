//! Stage 10's posts, from typed values alone: the announcement of a drafted version (key
//! figures, high risks, what changed, the files) and the error when the plan's figures
//! do not hold together. The document itself is rendered by `sections` and `appendices`.

use super::invariants::Violation;
use super::{Drafted, Risk, Severity, Summary, SummaryBudget, appendices};
use crate::chat::Message;
use crate::report::{money, plural};
use crate::stages::stage_title;

/// The announcement of a drafted version, and its headline.
pub fn drafted(d: &Drafted) -> (Message, String) {
    let version = d.version;
    let summary = summary_line(&d.summary);
    let mut body = format!(
        "The quarterly plan v{version} is written: nine sections and {} appendices, hash `{}`. {summary}",
        appendices::COUNT,
        &d.hash[..12],
    );
    if !d.missing_stages.is_empty() {
        body.push_str(&format!(
            "\n\nNo findings from stages {}: the sections relying on them say so.",
            d.missing_stages
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let high: Vec<&Risk> = d
        .risks
        .iter()
        .filter(|r| r.severity == Severity::High)
        .collect();
    if !high.is_empty() {
        body.push_str("\n\n**High risks**");
        for r in high.iter().take(3) {
            body.push_str(&format!(
                "\n- **{}**: {} {}",
                r.title, r.evidence, r.mitigation
            ));
        }
    }
    if let Some(c) = &d.change {
        body.push_str(&format!(
            "\n\n**Changed since v{}**: {} line(s) added, {} removed, in {}.",
            c.from_version,
            c.added,
            c.removed,
            if c.sections.is_empty() {
                "no section".to_owned()
            } else {
                c.sections.join("; ")
            }
        ));
    }
    body.push_str(&format!(
        "\n\nOpen `plan-v{version}.html` for the full document with charts."
    ));
    let mut m = Message::new(
        format!("{} — plan v{version} drafted", stage_title(10)),
        body,
    )
    .field("Version", format!("v{version}"))
    .field("Risks", format!("{} ({} high)", d.risks.len(), high.len()));
    if let Some(SummaryBudget::Allocated { total, .. }) = &d.summary.budget {
        m = m.field("Budget", money(*total));
    }
    (m, format!("plan v{version}: {summary}"))
}

/// The post when the plan's figures break an invariant, and the reason stored with the
/// findings: no version is drafted, so no approval is requested; the error names each
/// broken figure and the stage that owns it.
pub fn blocked(version: usize, violations: &[Violation]) -> (Message, String) {
    let lines: Vec<String> = violations.iter().map(|v| format!("- {v}")).collect();
    let reason = format!(
        "plan v{version} was not drafted: {} figure check{} failed",
        violations.len(),
        if violations.len() == 1 { "" } else { "s" }
    );
    let body = format!(
        "**Error:** the plan's figures do not hold together, so plan v{version} is not drafted and no approval is requested. Re-run the stage that owns each figure, then the plan.\n\n{}",
        lines.join("\n")
    );
    let message = Message::new(
        format!("{} — plan v{version} blocked", stage_title(10)),
        body,
    )
    .field("Failed checks", violations.len().to_string());
    (message, reason)
}

/// Budget, expected revenue and targets in one sentence.
fn summary_line(s: &Summary) -> String {
    let mut parts = Vec::new();
    match s.budget {
        Some(SummaryBudget::Allocated {
            total,
            reserve,
            expected_revenue,
        }) => {
            parts.push(format!(
                "budget {} ({} held for tests)",
                money(total),
                money(reserve)
            ));
            parts.push(format!(
                "media expected to return {}",
                money(expected_revenue)
            ));
        }
        Some(SummaryBudget::Stated { total }) => {
            parts.push(format!("budget {} (objectives.toml)", money(total)));
        }
        None => {}
    }
    if let Some(r) = s.revenue_target {
        parts.push(format!("revenue target {}", money(r)));
    }
    if let Some((campaigns, funded_tests)) = s.calendar {
        parts.push(format!(
            "{} and {}",
            plural(campaigns, "campaign", "campaigns"),
            plural(funded_tests, "funded test", "funded tests")
        ));
    }
    if parts.is_empty() {
        "no budget or targets stated".into()
    } else {
        let line = parts.join(", ");
        let mut chars = line.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".")
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::plan::Change;
    use crate::stages::plan::risks::RiskFigures;

    fn risk(n: u8, severity: Severity) -> Risk {
        Risk {
            severity,
            figures: RiskFigures::OverCommitted {
                channel: format!("channel {n}"),
                booked: 2.0,
                allocation: 1.0,
                excess: 1.0,
            },
            title: format!("Risk {n}"),
            evidence: format!("Evidence {n}."),
            mitigation: format!("Mitigation {n}."),
        }
    }

    fn field<'a>(m: &'a Message, name: &str) -> Option<&'a str> {
        m.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn a_drafted_version_is_announced_with_its_figures_high_risks_and_changes() {
        let d = Drafted {
            version: 2,
            hash: "0123456789abcdef0123".into(),
            summary: Summary {
                budget: Some(SummaryBudget::Allocated {
                    total: 1_000_000.0,
                    reserve: 120_000.0,
                    expected_revenue: 2_500_000.4,
                }),
                revenue_target: Some(4_000_000.0),
                calendar: Some((5, 1)),
            },
            missing_stages: vec![3, 5],
            // Four high risks (the post lists the first three) and one medium.
            risks: vec![
                risk(1, Severity::High),
                risk(2, Severity::Medium),
                risk(3, Severity::High),
                risk(4, Severity::High),
                risk(5, Severity::High),
            ],
            change: Some(Change {
                from_version: 1,
                added: 4,
                removed: 2,
                sections: vec!["5. Budget".into(), "6. Calendar".into()],
            }),
        };

        let (m, headline) = drafted(&d);

        let summary = "Budget $1,000,000 ($120,000 held for tests), media expected to return \
                       $2,500,000, revenue target $4,000,000, 5 campaigns and 1 funded test.";
        assert_eq!(headline, format!("plan v2: {summary}"));
        assert!(m.title.ends_with("— plan v2 drafted"), "{}", m.title);
        assert_eq!(
            m.body,
            format!(
                "The quarterly plan v2 is written: nine sections and 4 appendices, hash \
                 `0123456789ab`. {summary}\n\n\
                 No findings from stages 3, 5: the sections relying on them say so.\n\n\
                 **High risks**\n\
                 - **Risk 1**: Evidence 1. Mitigation 1.\n\
                 - **Risk 3**: Evidence 3. Mitigation 3.\n\
                 - **Risk 4**: Evidence 4. Mitigation 4.\n\n\
                 **Changed since v1**: 4 line(s) added, 2 removed, in 5. Budget; 6. Calendar.\n\n\
                 Open `plan-v2.html` for the full document with charts."
            )
        );
        assert_eq!(field(&m, "Version"), Some("v2"));
        assert_eq!(field(&m, "Risks"), Some("5 (4 high)"));
        assert_eq!(field(&m, "Budget"), Some("$1,000,000"));

        // Only objectives.toml's total: no budget field, and the line says where it is from.
        let stated = Drafted {
            summary: Summary {
                budget: Some(SummaryBudget::Stated { total: 900_000.0 }),
                revenue_target: None,
                calendar: None,
            },
            ..d
        };
        let (m, headline) = drafted(&stated);
        assert_eq!(headline, "plan v2: Budget $900,000 (objectives.toml).");
        assert_eq!(field(&m, "Budget"), None);
    }

    #[test]
    fn a_blocked_plan_names_each_broken_figure() {
        let violations = [Violation::CampaignsDoNotMatchChannel {
            channel: "display".into(),
            campaigns: 379_999.99,
            booked: 0.0,
            allocation: 380_000.0,
        }];

        let (m, reason) = blocked(1, &violations);

        assert_eq!(reason, "plan v1 was not drafted: 1 figure check failed");
        assert!(m.title.ends_with("plan v1 blocked"), "{}", m.title);
        assert!(
            m.body.ends_with(
                "\n\n- display: campaigns total $379,999.99 against the channel's budget of $380,000"
            ),
            "{}",
            m.body
        );
        assert_eq!(field(&m, "Failed checks"), Some("1"));
    }
}
