//! Stage 1's post, written from its typed findings ([`Review`]) alone: the headline,
//! the ROI verdicts and key learnings, the return table (narrow in the post, whole as an
//! attached CSV) and the conversions each attribution model credits; and its charts.

use quarterdeck_analyses::attribution::Attribution;
use quarterdeck_analyses::roi::{Roi, Verdict};

use super::Review;
use crate::chat::{Message, Table};
use crate::report::{DisplayNames, change_or_dash, count, money, whole};
use crate::stages::{OutputFile, roi_review, stage_title};

/// The post and its headline.
pub fn message(f: &Review, names: &DisplayNames) -> (Message, String) {
    let a = &f.attribution;
    let headline = headline(f, names);
    let mut body = headline.clone();
    match &f.roi {
        Some(r) => {
            body.push_str(&findings_text(r, 3, names));
            let learnings = quarterdeck_analyses::roi::learnings(
                r,
                &roi_review::PARAMS,
                |c| names.name(c),
                money,
            );
            if !learnings.is_empty() {
                body.push_str("\n\n**Key learnings**");
                for l in &learnings {
                    body.push_str(&format!("\n- {l}"));
                }
            }
        }
        None => body.push_str(&format!(
            "\n\nNo ROI: {}.",
            f.no_roi.as_deref().unwrap_or("no spend data")
        )),
    }
    let mut message = Message::new(format!("{} — ROI and attribution", stage_title(1)), body);
    if let Some(r) = &f.roi {
        message = message.table(narrow_table(r, names));
    }
    (message.table(models_table(a, names)), headline)
}

/// The charts (ROAS by channel, the models compared) and the whole return table as CSV.
pub fn files(f: &Review, quarter: &str, names: &DisplayNames) -> Vec<OutputFile> {
    let full_table = f
        .roi
        .as_ref()
        .map(|r| OutputFile::new(FULL_TABLE_FILE, "text/csv", csv_bytes(&table(r, names))));
    f.roi
        .as_ref()
        .and_then(|r| {
            crate::stages::charts::roas_by_channel(
                r.channels.iter().map(|c| (c.channel.as_str(), c.roas)),
                quarter,
                names,
            )
        })
        .into_iter()
        .chain(crate::stages::charts::model_comparison(
            &f.attribution,
            quarter,
            names,
        ))
        .chain(full_table)
        .collect()
}

/// Conversions each model credits a channel, highest Markov value first.
fn models_table(a: &Attribution, names: &DisplayNames) -> Table {
    let mut table = Table::new(
        "Conversions credited by model",
        &[
            "Channel",
            "Last touch",
            "Linear",
            "Shapley",
            "Markov",
            "Markov value",
        ],
    );
    let mut order: Vec<usize> = (0..a.models.markov.len()).collect();
    order.sort_by(|x, y| {
        a.models.markov[*y]
            .value
            .total_cmp(&a.models.markov[*x].value)
    });
    for i in order {
        let m = &a.models;
        table = table.row(vec![
            names.name(&m.markov[i].channel),
            whole(m.last[i].conversions),
            whole(m.linear[i].conversions),
            whole(m.shapley[i].conversions),
            whole(m.markov[i].conversions),
            money(m.markov[i].value),
        ]);
    }
    table
}

fn headline(f: &Review, names: &DisplayNames) -> String {
    let a = &f.attribution;
    let mut s = format!(
        "{} journeys, {} conversions worth {} in the quarter under review.",
        count(f.journeys),
        whole(a.total_conversions),
        money(a.total_value)
    );
    let over = a
        .disagreement
        .iter()
        .filter(|d| d.last_touch_error > 0.0)
        .max_by(|x, y| x.last_touch_error.total_cmp(&y.last_touch_error));
    let under = a
        .disagreement
        .iter()
        .filter(|d| d.last_touch_error < 0.0)
        .min_by(|x, y| x.last_touch_error.total_cmp(&y.last_touch_error));
    if let (Some(r), Some(spend)) = (&f.roi, f.paid_spend) {
        s.push_str(&format!(
            " Paid media spend {} returned {:.2} in attributed revenue per dollar.",
            money(spend),
            r.portfolio_roas.unwrap_or(0.0)
        ));
    }
    if let (Some(o), Some(u)) = (over, under) {
        s.push_str(&format!(
            " Last-touch reporting over-credits **{}** by {:.0} conversions and under-credits **{}** by {:.0}, against the mean of the Shapley and Markov models.",
            names.name(&o.channel), o.last_touch_error, names.name(&u.channel), -u.last_touch_error
        ));
    }
    s
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{:.0}%", x * 100.0))
}

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| format!("{x:.2}"))
}

pub fn table(r: &Roi, names: &DisplayNames) -> Table {
    let mut t = Table::new(
        "Return by channel (revenue = Markov value credit)",
        &[
            "Channel",
            "Spend",
            "Budget used",
            "Revenue",
            "ROAS",
            "vs last quarter",
            "Platform ROAS",
            "CTR",
            "CPC",
            "Pipeline",
            "Cost per MQL",
            "Cost per SQL",
            "CAC",
        ],
    );
    for c in &r.channels {
        t = t.row(vec![
            names.name(&c.channel),
            money(c.spend),
            pct(c.utilisation),
            money(c.revenue),
            ratio(c.roas),
            change_or_dash(c.roas_change),
            ratio(c.platform_roas),
            c.ctr
                .map_or_else(|| "—".into(), |x| format!("{:.2}%", x * 100.0)),
            c.cpc.map_or_else(|| "—".into(), |x| format!("${x:.2}")),
            money(c.pipeline),
            c.cost_per_mql.map_or_else(|| "—".into(), money),
            c.cost_per_sql.map_or_else(|| "—".into(), money),
            c.cac.map_or_else(|| "—".into(), money),
        ]);
    }
    t
}

/// The attachment holding [`table`] whole.
pub const FULL_TABLE_FILE: &str = "return-by-channel.csv";

/// The key columns of [`table`], narrow enough for a chat post on a phone (spend,
/// attributed revenue, ROAS and its change); the whole table is attached as CSV.
pub fn narrow_table(r: &Roi, names: &DisplayNames) -> Table {
    let mut t = Table::new(
        format!("Return by channel (all 13 columns in {FULL_TABLE_FILE})"),
        &["Channel", "Spend", "Revenue", "ROAS", "Change"],
    );
    for c in &r.channels {
        t = t.row(vec![
            names.name(&c.channel),
            money(c.spend),
            money(c.revenue),
            ratio(c.roas),
            change_or_dash(c.roas_change),
        ]);
    }
    t
}

/// `table` as CSV (a header row, then one row per table row).
pub fn csv_bytes(table: &Table) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record(&table.columns);
    for row in &table.rows {
        let _ = w.write_record(row);
    }
    w.into_inner().unwrap_or_default()
}

/// "What worked / what didn't / watch" as bullet lines, top `per_verdict` of each.
/// A subject that is a channel reads by its display name; campaigns keep theirs.
pub fn findings_text(r: &Roi, per_verdict: usize, names: &DisplayNames) -> String {
    let subject = |s: &str| {
        if r.channels.iter().any(|c| c.channel == s) {
            names.name(s)
        } else {
            s.to_owned()
        }
    };
    let mut out = String::new();
    for (verdict, label) in [
        (Verdict::Worked, "Worked"),
        (Verdict::DidNotWork, "Didn't work"),
        (Verdict::Watch, "Watch"),
    ] {
        let lines: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.verdict == verdict)
            .take(per_verdict)
            .map(|f| format!("- **{}**: {}", subject(&f.subject), f.rule))
            .collect();
        if !lines.is_empty() {
            out.push_str(&format!("\n\n**{label}**\n{}", lines.join("\n")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Two channels, 8 conversions worth $1,600. Last touch gives search 6 and email 2;
    /// Shapley 3 and 5, Markov 5 and 3: against their mean (4 each) last touch
    /// over-credits search by 2 and under-credits email by 2.
    fn review() -> Review {
        let credits = |search: f64, email: f64| {
            json!([
                {"channel": "search", "conversions": search, "value": search * 200.0},
                {"channel": "email", "conversions": email, "value": email * 200.0},
            ])
        };
        let attribution: Attribution = serde_json::from_value(json!({
            "total_conversions": 8.0, "total_value": 1600.0,
            "models": {
                "first": credits(4.0, 4.0), "last": credits(6.0, 2.0),
                "linear": credits(5.0, 3.0), "time_decay": credits(5.0, 3.0),
                "position": credits(5.0, 3.0), "shapley": credits(3.0, 5.0),
                "markov": credits(5.0, 3.0),
            },
            "removal_effects": credits(0.6, 0.4),
            "disagreement": [
                {"channel": "search", "spread": 3.0, "last_touch_error": 2.0},
                {"channel": "email", "spread": 3.0, "last_touch_error": -2.0},
            ],
        }))
        .unwrap();
        Review {
            journeys: 12,
            attribution,
            roi: None,
            paid_spend: None,
            no_roi: Some("spend.csv or campaigns.csv is not in the data folder".into()),
        }
    }

    #[test]
    fn the_post_states_the_journeys_what_last_touch_misjudges_and_why_there_is_no_roi() {
        let (message, headline) = message(&review(), &DisplayNames::default());

        assert_eq!(
            headline,
            "12 journeys, 8 conversions worth $1,600 in the quarter under review. \
             Last-touch reporting over-credits **Search** by 2 conversions and under-credits \
             **Email** by 2, against the mean of the Shapley and Markov models."
        );
        assert_eq!(
            message.body,
            format!("{headline}\n\nNo ROI: spend.csv or campaigns.csv is not in the data folder.")
        );
        // No return table without ROI; the models' table, highest Markov value first.
        assert_eq!(message.tables.len(), 1);
        let t = &message.tables[0];
        assert_eq!(t.title, "Conversions credited by model");
        assert_eq!(t.rows[0], ["Search", "6", "5", "3", "5", "$1,000"]);
        assert_eq!(t.rows[1], ["Email", "2", "3", "5", "3", "$600"]);
    }
}
