//! Check-ins on each owner's own clock (`/timezone`): the team checks in at 09:00 New
//! York time on Mondays 8 and 15 March 2027; New York springs forward on 14 March,
//! Berlin only on 28 March. Avery chose Europe/Berlin; Jordan keeps the team's zone.
//! Instants by hand: 09:00 EST = 14:00 UTC, 09:00 EDT = 13:00 UTC, 09:00 CET = 08:00 UTC.

use super::*;
use crate::settings::{PeopleSettings, PersonRef};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn zctx() -> PlanContext {
    PlanContext {
        checkins: vec![utc("2027-03-08T14:00:00Z"), utc("2027-03-15T13:00:00Z")],
        people: PeopleSettings {
            members: vec![
                PersonRef {
                    id: "a".into(),
                    name: "Avery".into(),
                },
                PersonRef {
                    id: "j".into(),
                    name: "Jordan".into(),
                },
            ],
            ..PeopleSettings::default()
        },
        ..ctx()
    }
}

fn at(run: &QuarterRun, e: Event, now: &str) -> Decision {
    decide(run, &zctx(), &e, utc(now)).unwrap()
}

fn berlin() -> Option<String> {
    Some("Europe/Berlin".into())
}

fn zone_set(user: &str, zone: &str) -> Event {
    let name = if user == "a" { "Avery" } else { "Jordan" };
    Event::OwnerZone {
        actor: Actor::new(user, name, &[]),
        zone: zone.into(),
    }
}

/// Kickoff on 4 January with Avery on Berlin time; returns the kickoff decision.
fn kickoff() -> Decision {
    let run = apply(&approved(), Event::StageDue { stage: 12 }).run;
    let run = at(&run, zone_set("a", "Europe/Berlin"), "2027-01-02T10:00:00Z").run;
    let mut result = result(None);
    result.output = StageOutputKind::Kickoff {
        roster: vec![
            RosterEntry::new("Spring webinar", "Avery"),
            RosterEntry::new("Search always-on", "Jordan"),
        ],
    };
    at(
        &run,
        Event::StageComputed { stage: 12, result },
        "2027-01-04T14:00:00Z",
    )
}

fn due_jobs(d: &Decision) -> Vec<(String, String)> {
    d.jobs
        .iter()
        .filter(|j| j.id.contains("/checkin/"))
        .map(|j| (j.id.clone(), j.due_at.to_rfc3339()))
        .collect()
}

fn prompted(d: &Decision) -> Vec<(&str, String)> {
    d.posts
        .iter()
        .filter_map(|p| match &p.notice {
            Notice::CheckinPrompt { campaign, .. } => {
                Some((campaign.as_str(), shown(p).body.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn kickoff_schedules_each_week_at_nine_on_the_team_clock_and_on_each_owners_own() {
    let d = kickoff();

    assert_eq!(
        due_jobs(&d),
        [
            (
                "growth/2027-Q1/checkin/w01/due".into(),
                "2027-03-08T14:00:00+00:00".into()
            ),
            (
                "growth/2027-Q1/checkin/w01/due/europe-berlin".into(),
                "2027-03-08T08:00:00+00:00".into()
            ),
            // New York has sprung forward, Berlin not yet: 09:00 is 13:00 and 08:00 UTC.
            (
                "growth/2027-Q1/checkin/w02/due".into(),
                "2027-03-15T13:00:00+00:00".into()
            ),
            (
                "growth/2027-Q1/checkin/w02/due/europe-berlin".into(),
                "2027-03-15T08:00:00+00:00".into()
            ),
        ]
    );
}

#[test]
fn each_owner_is_prompted_reminded_and_closed_on_their_clock_and_the_digest_waits_for_the_last() {
    let run = kickoff().run;

    // 09:00 in Berlin: Avery alone, told the close in Berlin time (48 h later).
    let d = at(
        &run,
        Event::CheckinDue {
            week: 1,
            zone: berlin(),
        },
        "2027-03-08T08:00:00Z",
    );
    let p = prompted(&d);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].0, "Spring webinar");
    assert!(
        p[0].1.contains("Answer by Wed 10 Mar 2027 09:00 CET."),
        "{}",
        p[0].1
    );
    assert_eq!(
        due_jobs(&d),
        [
            (
                "growth/2027-Q1/checkin/w01/reminder/europe-berlin".into(),
                "2027-03-09T08:00:00+00:00".into()
            ),
            (
                "growth/2027-Q1/checkin/w01/close/europe-berlin".into(),
                "2027-03-10T08:00:00+00:00".into()
            ),
        ]
    );
    let berlin_due = Event::CheckinDue {
        week: 1,
        zone: berlin(),
    };
    assert!(matches!(
        decide(&d.run, &zctx(), &berlin_due, utc("2027-03-08T08:00:00Z")),
        Err(Rejection::Duplicate(_))
    ));

    // 09:00 in New York: Jordan, told the close in New York time.
    let d = at(
        &d.run,
        Event::CheckinDue {
            week: 1,
            zone: None,
        },
        "2027-03-08T14:00:00Z",
    );
    let p = prompted(&d);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].0, "Search always-on");
    assert!(
        p[0].1.contains("Answer by Wed 10 Mar 2027 09:00 EST."),
        "{}",
        p[0].1
    );

    // Berlin's reminder names Avery only; Berlin's close makes Avery missed, no digest yet.
    let d = at(
        &d.run,
        Event::CheckinReminder {
            week: 1,
            zone: berlin(),
        },
        "2027-03-09T08:00:00Z",
    );
    let Notice::CheckinReminder { pending, .. } = &d.posts[0].notice else {
        panic!("{:?}", d.posts);
    };
    assert_eq!(pending, &[("Avery".into(), "Spring webinar".into())]);
    let d = at(
        &d.run,
        Event::CheckinClose {
            week: 1,
            zone: berlin(),
        },
        "2027-03-10T08:00:00Z",
    );
    assert!(d.posts.is_empty(), "{:?}", d.posts);
    assert!(d.run.checkins[0].open, "Jordan's window is still open");
    assert_eq!(d.run.checkins[0].entries[0].status, CheckinStatus::Missed);

    // Avery answers after their own close: late, and counted in the digest to come.
    let d = at(
        &d.run,
        Event::CheckinAnswered {
            actor: Actor::new("a", "Avery", &[]),
            week: 1,
            campaign: "Spring webinar".into(),
            status: CheckinStatus::OnTrack,
            note: None,
            numbers: None,
        },
        "2027-03-10T10:00:00Z",
    );
    assert!(d.posts.is_empty(), "no digest to update yet");
    assert!(d.run.checkins[0].entries[0].late);

    // New York's close: Jordan missed, and the week's one digest.
    let d = at(
        &d.run,
        Event::CheckinClose {
            week: 1,
            zone: None,
        },
        "2027-03-10T14:00:00Z",
    );
    assert!(!d.run.checkins[0].open);
    let kinds: Vec<String> = d.posts.iter().map(Post::kind).collect();
    assert_eq!(kinds, ["checkin_summary"]);
    let Notice::CheckinSummary { digest, .. } = &d.posts[0].notice else {
        panic!();
    };
    assert_eq!((digest.on_track, digest.silent), (1, 1));
}

#[test]
fn a_zone_chosen_during_the_quarter_applies_from_the_next_week_not_yet_opened() {
    let run = kickoff().run;
    let run = at(
        &run,
        Event::CheckinDue {
            week: 1,
            zone: berlin(),
        },
        "2027-03-08T08:00:00Z",
    )
    .run;

    // Jordan moves to Tokyo (UTC+9, no DST): 09:00 there on 15 March is 00:00 UTC.
    let d = at(&run, zone_set("j", "Asia/Tokyo"), "2027-03-08T09:00:00Z");

    assert_eq!(
        due_jobs(&d),
        [(
            "growth/2027-Q1/checkin/w02/due/asia-tokyo".into(),
            "2027-03-15T00:00:00+00:00".into()
        )]
    );
    // Week 1 opened with Jordan on the team's clock: New York's 09:00 still prompts them.
    let d = at(
        &d.run,
        Event::CheckinDue {
            week: 1,
            zone: None,
        },
        "2027-03-08T14:00:00Z",
    );
    assert_eq!(prompted(&d)[0].0, "Search always-on");
    let jordan = d.run.zones.iter().find(|z| z.id == "j").unwrap();
    assert_eq!(jordan.zone, "Asia/Tokyo");
}

#[test]
fn a_zone_must_be_a_time_zone_name_and_the_teams_own_zone_is_no_change() {
    let run = kickoff().run;

    assert!(matches!(
        decide(
            &run,
            &zctx(),
            &zone_set("j", "Mars/Olympus"),
            utc("2027-03-01T00:00:00Z")
        ),
        Err(Rejection::Invalid(_))
    ));
    assert!(matches!(
        decide(
            &run,
            &zctx(),
            &zone_set("j", "America/New_York"),
            utc("2027-03-01T00:00:00Z")
        ),
        Err(Rejection::Duplicate(_))
    ));
    // Avery going back to the team's zone drops their own.
    let d = at(
        &run,
        zone_set("a", "America/New_York"),
        "2027-03-01T00:00:00Z",
    );
    assert!(d.run.zones.is_empty());
    assert!(d.jobs.is_empty());
}

#[test]
fn an_owner_without_a_chat_id_is_matched_to_their_zone_by_name() {
    // The default fixtures configure no chat ids: the roster names Avery and Jordan only.
    let run = apply(
        &executing(),
        Event::OwnerZone {
            actor: Actor::new("sim-owner-jordan", "Jordan", &[]),
            zone: "Europe/Berlin".into(),
        },
    );
    // Both of the fixture's weeks are still to open: each gets Berlin's 09:00 too.
    assert_eq!(run.jobs.len(), 2);
    assert!(run.jobs[0].id.ends_with("/checkin/w01/due/europe-berlin"));

    let d = apply(
        &run.run,
        Event::CheckinDue {
            week: 1,
            zone: berlin(),
        },
    );

    assert_eq!(prompted(&d).len(), 1);
    assert_eq!(prompted(&d)[0].0, "Search always-on");
    assert_eq!(d.run.checkins[0].entries[0].zone, None, "Avery: the team's");
}
