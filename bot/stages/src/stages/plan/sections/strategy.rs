//! Section 4: the strategy for channels, content and lead generation.

use crate::chat::Table;
use crate::report::Section;
use crate::stages::plan::{Sources, change, money, pct, whole};

pub(super) fn strategy(s: &Sources) -> Section {
    let mut sec = Section::new("Strategy for the quarter: channels, content, lead generation")
        .heading("Channel strategy");
    match &s.budget {
        Some(b) => {
            let mut moves: Vec<_> = b.channels.iter().collect();
            moves.sort_by(|x, y| {
                (y.spend - y.last_quarter_spend).total_cmp(&(x.spend - x.last_quarter_spend))
            });
            sec = sec.bullets(
                moves
                    .iter()
                    .map(|c| {
                        let verb = if c.spend > c.last_quarter_spend * 1.005 {
                            "Grow"
                        } else if c.spend < c.last_quarter_spend * 0.995 {
                            "Trim"
                        } else {
                            "Hold"
                        };
                        format!(
                            "**{verb} {}** to {} ({}): {}",
                            s.inputs.names.name(&c.channel),
                            money(c.spend),
                            change(c.last_quarter_spend, c.spend),
                            c.rationale
                        )
                    })
                    .collect(),
            );
        }
        None => sec = sec.para(s.missing(6)),
    }
    sec = sec.heading("Content strategy");
    match &s.content {
        Some(c) if !c.opportunities.is_empty() => {
            let mut t = Table::new(
                "Top content opportunities",
                &[
                    "Opportunity",
                    "Kind",
                    "Search volume",
                    "Position now → target",
                    "Extra clicks / month",
                ],
            );
            for o in c.opportunities.iter().take(8) {
                t = t.row(vec![
                    o.title.clone(),
                    o.kind.replace('_', " "),
                    whole(o.search_volume),
                    format!(
                        "{} → {:.0}",
                        o.current_position.map_or("—".into(), |p| format!("{p:.0}")),
                        o.target_position
                    ),
                    whole(o.extra_clicks_per_month),
                ]);
            }
            sec = sec
                .table(t)
                .para(format!("Uplift estimates use {}.", c.ctr_curve));
        }
        Some(_) => sec = sec.para("Stage 3 found no content opportunity above its thresholds."),
        None => sec = sec.para(s.missing(3)),
    }
    sec = sec.heading("Lead generation");
    match &s.scoring {
        Some(sc) => {
            let mut t = Table::new("Proposed lead score", &["Feature", "Points"]);
            for w in &sc.weights {
                t = t.row(vec![
                    s.inputs.names.name(&w.feature),
                    format!("{:+.0}", w.points),
                ]);
            }
            sec = sec.para(format!(
                "MQL at **{:.0} points**: ≈{:.0} MQLs a month at last quarter's lead volume, MQL → SQL expected {} \
                 out of time (today {}){}.",
                sc.threshold,
                sc.expected_mqls_per_month,
                pct(sc.expected_mql_to_sql),
                pct(sc.current_mql_to_sql),
                sc.out_of_time_auc
                    .map_or(String::new(), |a| format!("; out-of-time AUC {a:.3}"))
            ))
            .table(t);
        }
        None => sec = sec.para(s.missing(4)),
    }
    sec
}
