//! Section 5: the budget allocation.

use crate::chat::Table;
use crate::report::Section;
use crate::stages::plan::{Sources, change, figures, money, pct};

pub(super) fn budget(s: &Sources) -> Section {
    let mut sec = Section::new("Budget allocation");
    let Some(b) = &s.budget else {
        if let Some(e) = s.envelope() {
            sec = sec.table(
                Table::new("Budget envelope (objectives.toml)", &["Item", "Amount"])
                    .row(vec![
                        format!("Total quarter budget ({})", e.basis),
                        money(e.total),
                    ])
                    .row(vec![
                        format!("Test reserve ({})", pct(e.reserve / e.total.max(1.0))),
                        money(e.reserve),
                    ])
                    .row(vec![
                        "Allocatable to channels, not yet allocated".into(),
                        money(e.total - e.reserve),
                    ]),
            );
        }
        return sec.para(s.missing(6));
    };
    sec = sec.table(
        Table::new("Envelope", &["Item", "Amount"])
            .row(vec![format!("Total ({})", b.total_basis), money(b.total)])
            .row(vec![
                format!("Test reserve ({})", pct(b.reserve / b.total.max(1.0))),
                money(b.reserve),
            ])
            .row(vec!["Allocated to channels".into(), money(b.allocatable)]),
    );
    let mut t = Table::new(
        "Allocation by channel",
        &[
            "Channel",
            "Last quarter",
            "Proposed",
            "Change",
            "Expected revenue",
            "Expected ROAS",
            "Marginal ROI",
        ],
    );
    let mut channels = b.channels.clone();
    channels.sort_by(|x, y| y.spend.total_cmp(&x.spend));
    for c in &channels {
        t = t.row(vec![
            s.inputs.names.name(&c.channel),
            money(c.last_quarter_spend),
            money(c.spend),
            change(c.last_quarter_spend, c.spend),
            money(c.expected_revenue),
            if c.spend > 0.0 {
                format!("{:.2}", c.expected_revenue / c.spend)
            } else {
                "—".into()
            },
            format!("{:.2}", c.marginal_roi),
        ]);
    }
    let spent: f64 = b.channels.iter().map(|c| c.spend).sum();
    t = t.row(vec![
        "**Total**".into(),
        money(b.channels.iter().map(|c| c.last_quarter_spend).sum()),
        money(spent),
        String::new(),
        money(b.expected_revenue),
        if spent > 0.0 {
            format!("{:.2}", b.expected_revenue / spent)
        } else {
            "—".into()
        },
        String::new(),
    ]);
    sec = sec.table(t).para(method_sentence(b));
    if let Some(p) = &s.performance {
        // Two measures of last quarter's spend: name both and bridge them.
        let weekly: f64 = b.channels.iter().map(|c| c.last_quarter_spend).sum();
        let daily: f64 = p.channels.iter().map(|c| c.spend).sum();
        if (weekly - daily).abs() >= 0.5 {
            sec = sec.para(format!(
                "\"Last quarter\" here is the weekly media history the curves are fitted on ({}); \
                 §2's paid media spend ({}) is the daily spend export over the calendar quarter; \
                 the two exports differ by {}.",
                money(weekly),
                money(daily),
                money((weekly - daily).abs())
            ));
        }
    }
    if let Some(f) = figures::budget(b, &s.inputs.run.quarter, &s.inputs.names) {
        sec = sec.figure(f);
    }
    sec.heading("Rationale by channel")
        .bullets(rationales(&channels, &s.inputs.names))
}

/// One line per distinct rationale: channels whose rationale differs only in its
/// amounts in parentheses share a line, with each channel's amount named.
fn rationales(
    channels: &[crate::stages::handoff::ChannelBudget],
    names: &crate::report::DisplayNames,
) -> Vec<String> {
    // (the rationale without its amount, [(channel's name, its amount)])
    type Group = (String, Vec<(String, Option<String>)>);
    let mut groups: Vec<Group> = Vec::new();
    for c in channels {
        let (shape, amount) = match (c.rationale.find(" ($"), c.rationale.find(')')) {
            (Some(open), Some(close)) if close > open => (
                format!("{}{}", &c.rationale[..open], &c.rationale[close + 1..]),
                Some(c.rationale[open + 2..close].to_owned()),
            ),
            _ => (c.rationale.clone(), None),
        };
        let who = (names.name(&c.channel), amount);
        match groups.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, members)) => members.push(who),
            None => groups.push((shape, vec![who])),
        }
    }
    groups
        .into_iter()
        .map(|(shape, members)| {
            if let [(name, _)] = members.as_slice() {
                let c = channels.iter().find(|c| names.name(&c.channel) == *name);
                return format!("**{name}**: {}", c.map_or(shape, |c| c.rationale.clone()));
            }
            let who: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
            let amounts: Vec<String> = members
                .iter()
                .filter_map(|(n, a)| Some(format!("{n} {}", a.as_ref()?)))
                .collect();
            if amounts.is_empty() {
                format!("**{}**: {shape}", who.join(", "))
            } else {
                format!(
                    "**{}**: {shape} (each: {})",
                    who.join(", "),
                    amounts.join(", ")
                )
            }
        })
        .collect()
}

/// How the split was set, true to the table above it: at the curves' optimum every
/// channel's next dollar returns the same; a split moved only part of the way there keeps
/// different marginal returns, and says so.
fn method_sentence(b: &crate::stages::handoff::BudgetHandoff) -> String {
    let fitted = "from response curves fitted on the weekly history";
    match &b.uncertainty {
        Some(u) if u.share_of_move < 1.0 => {
            let (lo, hi) = b
                .channels
                .iter()
                .filter(|c| c.spend > 0.0)
                .map(|c| c.marginal_roi)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| {
                    (lo.min(m), hi.max(m))
                });
            format!(
                "At the curves' optimum each channel's next dollar would return the same \
                 (marginal ROI equalised within the channels' bounds), {fitted}; the split moves \
                 {:.0}% of the way there from last quarter's mix, as far as the refits of \
                 both curve families agree it gains, so the next dollar still returns {lo:.2} to {hi:.2} across channels.",
                u.share_of_move * 100.0
            )
        }
        _ => format!(
            "Spend is set where each channel's next dollar returns the same (marginal ROI \
             equalised within the channels' bounds), {fitted}."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::handoff::{BudgetHandoff, BudgetUncertainty, ChannelBudget};

    fn channel(spend: f64, marginal_roi: f64) -> ChannelBudget {
        ChannelBudget {
            spend,
            marginal_roi,
            ..ChannelBudget::default()
        }
    }

    #[test]
    fn the_method_sentence_claims_equal_marginal_returns_only_at_the_optimum() {
        let uncertainty = |share_of_move| BudgetUncertainty {
            draws: 100,
            level: 0.9,
            share_of_move,
            probability_beats_last_mix: 0.9,
            expected_gain: 1.0,
            gain_low: 0.0,
            gain_high: 2.0,
            revenue_low: 0.0,
            revenue_high: 0.0,
            full_move_expected_gain: 1.0,
            full_move_probability: 0.8,
        };
        let mut b = BudgetHandoff {
            channels: vec![channel(100.0, 2.11), channel(50.0, 1.55), channel(0.0, 9.0)],
            uncertainty: Some(uncertainty(0.6)),
            ..BudgetHandoff::default()
        };

        let part_way = method_sentence(&b);
        b.uncertainty = Some(uncertainty(1.0));
        let all_the_way = method_sentence(&b);

        // A channel with no spend (9.0) is not quoted.
        assert!(
            part_way.contains("moves 60% of the way there")
                && part_way.ends_with("still returns 1.55 to 2.11 across channels."),
            "{part_way}"
        );
        assert!(
            all_the_way
                .starts_with("Spend is set where each channel's next dollar returns the same")
        );
    }
}
