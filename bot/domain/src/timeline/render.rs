//! The timeline for people (a fixed-width table) and for programs (the JSON of
//! `quarterdeck timeline --format json`, keys fixed by the contract).

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::Timeline;

fn local(t: &DateTime<Tz>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn utc(t: &DateTime<Tz>) -> String {
    t.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Timeline {
    pub fn to_json(&self) -> Value {
        json!({
            "quarter": self.quarter.to_string(),
            "starts": self.starts.to_string(),
            "ends": self.ends.to_string(),
            "tz": self.tz.name(),
            "stages": self.stages.iter().map(|s| json!({
                "number": s.number, "name": s.name, "week": s.week,
                "due_local": local(&s.due), "due_utc": utc(&s.due),
            })).collect::<Vec<_>>(),
            "checkins": self.checkins.iter().map(|c| json!({
                "week": c.week, "at_local": local(&c.at), "at_utc": utc(&c.at),
            })).collect::<Vec<_>>(),
            "plan_deadline_local": local(&self.plan_deadline),
            "plan_deadline_utc": utc(&self.plan_deadline),
        })
    }

    pub fn render_table(&self) -> String {
        let mut out = format!(
            "{} ({} to {}), times in {}\n\n{:>5}  {:<36} {:>4}  {:<26} {}\n",
            self.quarter,
            self.starts,
            self.ends,
            self.tz.name(),
            "Stage",
            "Name",
            "Week",
            "Due (local)",
            "Due (UTC)"
        );
        for s in &self.stages {
            out.push_str(&format!(
                "{:>5}  {:<36} {:>4}  {:<26} {}\n",
                s.number,
                s.name,
                s.week,
                s.due.format("%a %Y-%m-%d %H:%M %Z").to_string(),
                utc(&s.due)
            ));
        }
        out.push_str(&format!(
            "\nPlan complete by {} ({})\n\nWeekly check-ins ({}):\n",
            self.plan_deadline.format("%a %Y-%m-%d %H:%M %Z"),
            utc(&self.plan_deadline),
            self.checkins.len()
        ));
        for c in &self.checkins {
            out.push_str(&format!(
                "{:>5}  {:<26} {}{}\n",
                c.week,
                c.at.format("%a %Y-%m-%d %H:%M %Z").to_string(),
                utc(&c.at),
                if c.holiday {
                    "  holiday: everyone excused"
                } else {
                    ""
                }
            ));
        }
        out
    }
}
