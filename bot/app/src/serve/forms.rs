//! The forms behind buttons: a campaign's check-in (status from the button, numbers and
//! blockers in the form) and a change request on a plan version (the section, what
//! should change, and optionally one structured amendment). Building a form and reading
//! its answers are pure; a bad answer names its field. Forms are stateless: the form's
//! id names what it acts on (run, week and campaign, or run and version), so a form
//! opened before a restart still submits.

use quarterdeck_discord::port::{Modal, TextInput};

use crate::domain::{AmendmentKind, CheckinNumbers};

/// Prefix of a change request form's id: `changes:{run}:{version}`.
pub const CHANGES: &str = "changes";

/// The check-in form of one campaign; `custom_id` is the clicked button's.
pub fn checkin_form(custom_id: &str, week: u32, campaign: &str, status: &str) -> Modal {
    Modal {
        custom_id: custom_id.to_owned(),
        title: format!("Week {week} · {campaign}"),
        inputs: vec![
            TextInput::short("spend_to_date", "Spend to date", false)
                .placeholder(&format!("The campaign's quarter to date; status: {status}")),
            TextInput::short("leads", "Leads to date", false),
            TextInput::short("mqls", "MQLs to date", false),
            TextInput::short("pipeline", "Pipeline to date", false),
            TextInput::paragraph("blockers", "Blockers, one per line", false),
        ],
    }
}

/// The numbers of a submitted check-in form: `None` when every field is empty (the
/// status alone); otherwise all four numbers are needed.
pub fn checkin_numbers(values: &[(String, String)]) -> Result<Option<CheckinNumbers>, String> {
    let get = |id: &str| {
        values
            .iter()
            .find(|(k, _)| k == id)
            .map_or("", |(_, v)| v.trim())
    };
    let blockers: Vec<String> = get("blockers")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let fields = [
        ("spend_to_date", "spend to date"),
        ("leads", "leads"),
        ("mqls", "MQLs"),
        ("pipeline", "pipeline"),
    ];
    if fields.iter().all(|(id, _)| get(id).is_empty()) && blockers.is_empty() {
        return Ok(None);
    }
    let mut n = [0.0; 4];
    for (slot, (id, label)) in n.iter_mut().zip(fields) {
        let text = get(id);
        if text.is_empty() {
            return Err(format!(
                "{label}: needed with the other numbers (0 if none so far)"
            ));
        }
        *slot = amount(label, text)?;
    }
    Ok(Some(CheckinNumbers {
        spend_to_date: n[0],
        leads: n[1],
        mqls: n[2],
        pipeline: n[3],
        blockers,
    }))
}

/// The change request form on plan `version` of `run`.
pub fn changes_form(run: &str, version: u32) -> Modal {
    Modal {
        custom_id: format!("{CHANGES}:{run}:{version}"),
        title: format!("Request changes to plan v{version}"),
        inputs: vec![
            TextInput::short("section", "Section (e.g. Budget)", false),
            TextInput::paragraph("what", "What should change, and why", true),
            TextInput::short("kind", "Structured change (optional)", false)
                .placeholder("hold_back, move_money, set_channel, reserve_share, total, target"),
            TextInput::short("channel", "Channel (move_money: from > to)", false)
                .placeholder("paid_social; target: revenue, pipeline or mqls"),
            TextInput::short("value", "Share in % or amount", false)
                .placeholder("hold_back / reserve_share: 5; others: 25000"),
        ],
    }
}

/// A submitted change request: words for the plan's owners, or a structured change.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeRequest {
    Words {
        note: String,
    },
    Amend {
        amendment: AmendmentKind,
        note: String,
    },
}

/// Reads a change request form; an unknown kind or a bad field is named.
pub fn change_request(values: &[(String, String)]) -> Result<ChangeRequest, String> {
    let get = |id: &str| {
        values
            .iter()
            .find(|(k, _)| k == id)
            .map_or("", |(_, v)| v.trim())
    };
    let what = get("what");
    if what.is_empty() {
        return Err("what: say what should change".into());
    }
    let note = match get("section") {
        "" => what.to_owned(),
        s => format!("{s}: {what}"),
    };
    let kind = get("kind").to_ascii_lowercase().replace(['-', ' '], "_");
    if kind.is_empty() {
        return Ok(ChangeRequest::Words { note });
    }
    let channel = || match get("channel") {
        "" => Err(format!("channel: {kind} needs a channel")),
        c => Ok(c.to_owned()),
    };
    let value = get("value");
    let amendment = match kind.as_str() {
        "hold_back" => AmendmentKind::HoldBack {
            channel: channel()?,
            share: percent("share", value, false)?,
        },
        "reserve_share" => AmendmentKind::ReserveShare {
            share: percent("share", value, true)?,
        },
        "move_money" => {
            let c = channel()?;
            let (from, to) = c
                .split_once('>')
                .map(|(f, t)| (f.trim().to_owned(), t.trim().to_owned()))
                .filter(|(f, t)| !f.is_empty() && !t.is_empty())
                .ok_or_else(|| {
                    format!(
                        "channel: move_money needs `from > to` (e.g. search > social), found `{c}`"
                    )
                })?;
            AmendmentKind::MoveMoney {
                from,
                to,
                amount: required_amount(value)?,
            }
        }
        "set_channel" => AmendmentKind::SetChannel {
            channel: channel()?,
            amount: required_amount(value)?,
        },
        "total" => AmendmentKind::Total {
            amount: required_amount(value)?,
        },
        "target" => {
            let metric = channel()?.to_ascii_lowercase();
            if !["revenue", "pipeline", "mqls"].contains(&metric.as_str()) {
                return Err(format!(
                    "channel: a target is revenue, pipeline or mqls, found `{metric}`"
                ));
            }
            AmendmentKind::Target {
                metric,
                value: required_amount(value)?,
            }
        }
        other => {
            return Err(format!(
                "kind: expected hold_back, move_money, set_channel, reserve_share, total or \
                 target (campaign changes: /amend), found `{other}`"
            ));
        }
    };
    Ok(ChangeRequest::Amend { amendment, note })
}

fn required_amount(text: &str) -> Result<f64, String> {
    if text.is_empty() {
        return Err("amount: needed for this change".into());
    }
    amount("amount", text)
}

/// A number as people type it: thousands separators and a currency sign allowed.
fn amount(label: &str, text: &str) -> Result<f64, String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '$' | '€' | '£' | '_'))
        .collect();
    match cleaned.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!(
            "{label}: expected a number of 0 or more (e.g. 12,500), found `{text}`"
        )),
    }
}

/// A percentage (`5` or `5%`) as a share: above 0 and at most 100 (below 100 when
/// `below_all`, as a reserve share must be).
fn percent(label: &str, text: &str, below_all: bool) -> Result<f64, String> {
    let bad =
        || format!("{label}: expected a percent above 0 and up to 100 (e.g. 5), found `{text}`");
    if text.is_empty() {
        return Err(format!(
            "{label}: needed for this change (a percent, e.g. 5)"
        ));
    }
    let p: f64 = text
        .trim_end_matches('%')
        .trim()
        .parse()
        .map_err(|_| bad())?;
    let ok = p.is_finite() && p > 0.0 && (p < 100.0 || (!below_all && p == 100.0));
    if ok { Ok(p / 100.0) } else { Err(bad()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_empty_check_in_form_is_the_status_alone() {
        assert_eq!(
            checkin_numbers(&values(&[("spend_to_date", " ")])),
            Ok(None)
        );
    }

    #[test]
    fn check_in_numbers_read_as_people_type_them() {
        let v = values(&[
            ("spend_to_date", "$12,500.50"),
            ("leads", "300"),
            ("mqls", "96"),
            ("pipeline", "48 000"),
            ("blockers", "Legal review\n\n  Creative late "),
        ]);

        let n = checkin_numbers(&v).unwrap().unwrap();

        assert_eq!(n.spend_to_date, 12_500.5);
        assert_eq!((n.leads, n.mqls, n.pipeline), (300.0, 96.0, 48_000.0));
        assert_eq!(n.blockers, ["Legal review", "Creative late"]);
    }

    #[test]
    fn a_missing_or_bad_check_in_number_is_named() {
        let missing = values(&[("spend_to_date", "100"), ("leads", "3"), ("mqls", "1")]);
        assert_eq!(
            checkin_numbers(&missing).unwrap_err(),
            "pipeline: needed with the other numbers (0 if none so far)"
        );
        let bad = values(&[
            ("spend_to_date", "lots"),
            ("leads", "3"),
            ("mqls", "1"),
            ("pipeline", "0"),
        ]);
        assert!(
            checkin_numbers(&bad)
                .unwrap_err()
                .starts_with("spend to date: expected a number")
        );
    }

    #[test]
    fn a_hold_back_in_the_form_is_the_structured_amendment() {
        let v = values(&[
            ("section", "Budget"),
            ("what", "Keep some paid social back"),
            ("kind", "hold-back"),
            ("channel", "paid_social"),
            ("value", "5%"),
        ]);

        let r = change_request(&v).unwrap();

        assert_eq!(
            r,
            ChangeRequest::Amend {
                amendment: AmendmentKind::HoldBack {
                    channel: "paid_social".into(),
                    share: 0.05
                },
                note: "Budget: Keep some paid social back".into()
            }
        );
    }

    #[test]
    fn a_bad_share_or_kind_is_refused_naming_the_field() {
        let share = values(&[
            ("what", "x"),
            ("kind", "hold_back"),
            ("channel", "search"),
            ("value", "150"),
        ]);
        assert_eq!(
            change_request(&share).unwrap_err(),
            "share: expected a percent above 0 and up to 100 (e.g. 5), found `150`"
        );
        let kind = values(&[("what", "x"), ("kind", "halve_it")]);
        assert!(
            change_request(&kind)
                .unwrap_err()
                .starts_with("kind: expected")
        );
        let words = values(&[("what", "Explain the reserve")]);
        assert_eq!(
            change_request(&words).unwrap(),
            ChangeRequest::Words {
                note: "Explain the reserve".into()
            }
        );
    }

    #[test]
    fn move_money_names_both_channels() {
        let v = values(&[
            ("what", "x"),
            ("kind", "move_money"),
            ("channel", "search > paid_social"),
            ("value", "25,000"),
        ]);
        assert_eq!(
            change_request(&v).unwrap(),
            ChangeRequest::Amend {
                amendment: AmendmentKind::MoveMoney {
                    from: "search".into(),
                    to: "paid_social".into(),
                    amount: 25_000.0
                },
                note: "x".into()
            }
        );
    }
}
