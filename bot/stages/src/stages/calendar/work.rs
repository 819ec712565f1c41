//! Who does the work, and how many hours it takes.
//!
//! Hours per item (a planning rule of thumb, stated so the team can argue with it):
//!
//! | item              | manage (owner)          | creative & content | ops (tracking, reporting) |
//! |-------------------|-------------------------|--------------------|---------------------------|
//! | always-on campaign | 6 h setup + 2 h/week    | 12 h (one refresh) | 4 h + 1 h/week            |
//! | flight            | 10 h setup + 3 h/week   | 20 h (new set)     | 4 h + 1 h/week            |
//! | A/B test          | 8 h design + 2 h/week   | 12 h (the variant) | 6 h (split, QA, readout)  |
//!
//! Weeks are the item's weeks inside the quarter. Who may take what (role words matched
//! case-insensitively inside the roster's `role`):
//!
//! | work                                   | roles                          |
//! |----------------------------------------|--------------------------------|
//! | manage paid_search, paid_social, display, linkedin | paid media, demand gen |
//! | manage email                           | lifecycle, email, demand gen   |
//! | manage webinars                        | events, content, demand gen    |
//! | manage events                          | events, field                  |
//! | manage any other channel               | demand gen, paid media         |
//! | creative & content                     | content, creative, design      |
//! | ops                                    | ops, operations                |
//!
//! When nobody on the roster fits, anyone may take it. Owners are then balanced by load
//! ([`quarterdeck_analyses::quarter_plan::load`]).

use quarterdeck_analyses::quarter_plan::load::{self, Person, Task};

use crate::sources::Member;

/// A function of the team's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Manage,
    Creative,
    Ops,
}

impl Function {
    pub const ALL: [Function; 3] = [Function::Manage, Function::Creative, Function::Ops];

    pub fn label(self) -> &'static str {
        match self {
            Function::Manage => "campaign management",
            Function::Creative => "creative & content",
            Function::Ops => "marketing ops",
        }
    }

    fn roles(self, channel: &str) -> &'static [&'static str] {
        match self {
            Function::Manage => manager_roles(channel),
            Function::Creative => &["content", "creative", "design"],
            Function::Ops => &["ops", "operations"],
        }
    }
}

pub fn manager_roles(channel: &str) -> &'static [&'static str] {
    match channel {
        "paid_search" | "paid_social" | "display" | "linkedin" => &["paid media", "demand gen"],
        "email" => &["lifecycle", "email", "demand gen"],
        "webinars" => &["events", "content", "demand gen"],
        "events" => &["events", "field"],
        _ => &["demand gen", "paid media"],
    }
}

/// What a campaign or a test asks of the team.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub channel: String,
    /// Hours per function, in [`Function::ALL`] order.
    pub hours: [f64; 3],
}

pub fn campaign_hours(always_on: bool, weeks: f64) -> [f64; 3] {
    if always_on {
        [6.0 + 2.0 * weeks, 12.0, 4.0 + weeks]
    } else {
        [10.0 + 3.0 * weeks, 20.0, 4.0 + weeks]
    }
}

pub fn test_hours(weeks: f64) -> [f64; 3] {
    [8.0 + 2.0 * weeks, 12.0, 6.0]
}

/// Owners per item and function, and hours per person.
#[derive(Debug, Clone, PartialEq)]
pub struct Staffing {
    /// Per item, per function: the roster index of who does it.
    pub owners: Vec<[usize; 3]>,
    pub hours: Vec<f64>,
}

/// Balances the items' work over the roster; `None` with an empty roster.
pub fn staff(roster: &[Member], items: &[Item]) -> Option<Staffing> {
    let people: Vec<Person> = roster
        .iter()
        .map(|m| Person {
            name: m.name.clone(),
            capacity_hours: m.capacity_hours_per_week,
        })
        .collect();
    let mut tasks = Vec::new();
    for item in items {
        for (f, hours) in Function::ALL.iter().zip(item.hours) {
            let words = f.roles(&item.channel);
            let eligible = roster
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    let role = m.role.to_lowercase();
                    words.iter().any(|w| role.contains(w))
                })
                .map(|(i, _)| i)
                .collect();
            tasks.push(Task { hours, eligible });
        }
    }
    let a = load::assign(&people, &tasks)?;
    Some(Staffing {
        owners: a.owner.chunks(3).map(|c| [c[0], c[1], c[2]]).collect(),
        hours: a.load,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, role: &str) -> Member {
        Member {
            name: name.into(),
            role: role.into(),
            capacity_hours_per_week: 30.0,
        }
    }

    #[test]
    fn paid_channels_go_to_paid_media_and_creative_to_content() {
        let roster = [
            member("P", "Paid Media"),
            member("C", "content"),
            member("O", "ops"),
        ];
        let items = [Item {
            channel: "linkedin".into(),
            hours: campaign_hours(false, 6.0),
        }];

        let s = staff(&roster, &items).unwrap();

        // Flight of 6 weeks: manage 10 + 18 = 28 h, creative 20 h, ops 4 + 6 = 10 h.
        assert_eq!(s.owners, [[0, 1, 2]]);
        assert_eq!(s.hours, [28.0, 20.0, 10.0]);
    }
}
