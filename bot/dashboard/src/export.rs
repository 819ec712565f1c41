//! The page's exports. The plan files are the stored plan version's own bytes, the
//! calendar is the `.ics` file stage 8 attached to its post; check-ins, pacing and the
//! audit trail are CSV with spreadsheet formulas neutralised (see [`cell`]).

use quarterdeck_domain::QuarterRun;
use quarterdeck_domain::pacing::WeekPace;
use quarterdeck_store::AuditRow;

/// A cell as a spreadsheet will not evaluate it: text starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return is prefixed with `'` (OWASP's CSV-injection advice).
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn csv_of(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| cell(c)));
    }
    w.into_inner().unwrap_or_default()
}

pub fn checkins_csv(run: &QuarterRun) -> Vec<u8> {
    csv_of(
        &[
            "week",
            "due_at",
            "campaign",
            "owner",
            "status",
            "answered_at",
            "late",
            "note",
        ],
        run.checkins.iter().flat_map(|w| {
            w.entries.iter().map(move |e| {
                vec![
                    w.week.to_string(),
                    w.due_at.to_rfc3339(),
                    e.campaign.clone(),
                    e.owner.clone(),
                    e.status.as_str().to_owned(),
                    e.answered_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    e.late.to_string(),
                    e.note.clone().unwrap_or_default(),
                ]
            })
        }),
    )
}

/// Each check-in week's quarter to date against the approved plan (see
/// `Snapshot::pacing`).
pub fn pacing_csv(weeks: &[WeekPace]) -> Vec<u8> {
    csv_of(
        &[
            "week",
            "date",
            "spend_to_date",
            "planned_spend_to_date",
            "mqls_to_date",
            "mql_milestone_to_date",
            "pipeline_to_date",
            "pipeline_milestone_to_date",
        ],
        weeks.iter().map(|w| {
            vec![
                w.week.to_string(),
                w.date.to_string(),
                format!("{:.2}", w.spend_to_date),
                format!("{:.2}", w.planned_spend_to_date),
                format!("{:.2}", w.mqls_to_date),
                format!("{:.2}", w.mql_milestone_to_date),
                format!("{:.2}", w.pipeline_to_date),
                format!("{:.2}", w.pipeline_milestone_to_date),
            ]
        }),
    )
}

pub fn audit_csv(rows: &[AuditRow]) -> Vec<u8> {
    csv_of(
        &[
            "seq",
            "at",
            "actor_id",
            "actor_name",
            "roles",
            "action",
            "outcome",
            "detail",
            "plan_version",
            "plan_hash",
            "message_link",
        ],
        rows.iter().map(|r| {
            let e = &r.entry;
            vec![
                r.seq.to_string(),
                r.at.to_rfc3339(),
                e.actor_id.clone(),
                e.actor_name.clone(),
                e.roles.clone(),
                e.action.clone(),
                e.outcome.clone(),
                e.detail.clone(),
                e.plan_version.map(|v| v.to_string()).unwrap_or_default(),
                e.plan_hash.clone().unwrap_or_default(),
                e.message_link.clone().unwrap_or_default(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_triggers_are_prefixed_and_other_text_is_kept() {
        for bad in [
            "=1+1",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(cell(bad), format!("'{bad}"));
        }
        for ok in ["growth", "1.5", "", " =x", "a=b", "'quoted"] {
            assert_eq!(cell(ok), ok);
        }
    }

    #[test]
    fn the_audit_csv_neutralises_every_column() {
        use chrono::TimeZone;
        let row = AuditRow {
            seq: 1,
            at: chrono::Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
            entry: quarterdeck_store::NewAudit {
                actor_id: "u1".into(),
                actor_name: "=cmd|' /C calc'!A0".into(),
                roles: "@lead".into(),
                action: "approve".into(),
                outcome: "accepted".into(),
                detail: "+1 looks good".into(),
                plan_version: Some(2),
                plan_hash: Some("abc".into()),
                message_link: None,
            },
        };
        let text = String::from_utf8(audit_csv(&[row])).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[3], "'=cmd|' /C calc'!A0");
        assert_eq!(&rec[4], "'@lead");
        assert_eq!(&rec[7], "'+1 looks good");
        assert_eq!(&rec[8], "2");
    }
}
