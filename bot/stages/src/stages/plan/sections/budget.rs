//! Section 5: the budget allocation.

use crate::chat::Table;
use crate::report::Section;
use crate::stages::plan::{Sources, change, figures, money, pct};

pub(super) fn budget(s: &Sources) -> Section {
    let mut sec = Section::new("Budget allocation");
    let Some(b) = &s.budget else {
        if let Some(o) = &s.objectives
            && let Some((total, basis)) = o.budget(None)
        {
            let reserve = total * o.reserve_share;
            sec = sec.table(
                Table::new("Budget envelope (objectives.toml)", &["Item", "Amount"])
                    .row(vec![
                        format!("Total quarter budget ({basis})"),
                        money(total),
                    ])
                    .row(vec![
                        format!("Test reserve ({})", pct(o.reserve_share)),
                        money(reserve),
                    ])
                    .row(vec![
                        "Allocatable to channels".into(),
                        money(total - reserve),
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
    sec = sec.table(t).para(
        "Spend is set where each channel's next dollar returns the same (marginal ROI equalised within the \
         channels' bounds), from response curves fitted on the weekly history.",
    );
    if let Some(f) = figures::budget(b, &s.inputs.run.quarter, &s.inputs.names) {
        sec = sec.figure(f);
    }
    sec.heading("Rationale by channel").bullets(
        channels
            .iter()
            .map(|c| format!("**{}**: {}", s.inputs.names.name(&c.channel), c.rationale))
            .collect(),
    )
}
