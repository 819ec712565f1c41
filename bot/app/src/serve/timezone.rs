//! `/timezone`: each person's own zone, by IANA name, stored by chat user id (SQLite and
//! PostgreSQL alike). Times the bot states to that person (`/whoami`, the `/away`
//! confirmation, a check-in prompt's close) are written in it; without one, in the
//! team's zone. An owner's weekly check-in goes at the team's time on their own clock.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use quarterdeck_discord::port::{Caller, Reply};

use super::backend::AppBackend;
use crate::chat::Message;
use crate::config::TeamSettings;

/// The zone names that contain `partial` (any case; `_` and spaces alike), each labelled
/// with its current time, the exact match first.
pub fn suggestions(partial: &str, now: DateTime<Utc>) -> Vec<(String, String)> {
    let needle = partial.trim().to_lowercase().replace(' ', "_");
    let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.to_lowercase().contains(&needle))
        .collect();
    names.sort_by_key(|n| (n.to_lowercase() != needle, !n.contains('/'), n.len(), *n));
    names
        .into_iter()
        .map(|n| {
            let tz: Tz = n.parse().unwrap_or(Tz::UTC);
            let time = now.with_timezone(&tz).format("%H:%M");
            (format!("{n} (now {time})"), n.to_owned())
        })
        .collect()
}

/// A time in `zone`, with the zone's name: `2027-01-04 09:30 (Europe/Berlin)`.
pub fn stated(at: DateTime<Utc>, zone: Tz) -> String {
    format!(
        "{} ({})",
        at.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        zone.name()
    )
}

impl AppBackend {
    /// The zone `caller` chose, else the team's; and whether it is their own.
    pub(super) async fn zone_of(&self, caller: &Caller, team: &TeamSettings) -> (Tz, bool) {
        match self.engine().store().user_timezone(&caller.user_id).await {
            Ok(Some(name)) => match name.parse::<Tz>() {
                Ok(tz) => return (tz, true),
                Err(_) => {
                    tracing::warn!(user = %caller.user_id, zone = %name, "stored zone unknown")
                }
            },
            Ok(None) => {}
            Err(e) => tracing::error!(user = %caller.user_id, error = %e, "cannot read the zone"),
        }
        (team_zone(team), false)
    }

    /// Sets the caller's zone, or says the name is not one; the team's open runs are
    /// told, so the caller's check-ins not yet opened follow it.
    pub(super) async fn set_timezone(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        zone: &str,
    ) -> Reply {
        let Ok(tz) = zone.trim().parse::<Tz>() else {
            return Reply::error(
                &caller.reference,
                format!(
                    "zone: `{}` is not a time zone name; pick one from the list, e.g. Europe/Berlin or America/New_York.",
                    zone.trim()
                ),
            );
        };
        let now = self.engine().clock().now();
        if let Err(e) = self
            .engine()
            .store()
            .set_user_timezone(&caller.user_id, tz.name(), now)
            .await
        {
            tracing::error!(reference = %caller.reference, error = %e, "cannot store the zone");
            return Reply::error(
                &caller.reference,
                "The zone could not be stored; try again.",
            );
        }
        let prefix = format!("{}/", team.name);
        for run_id in self.engine().run_ids() {
            if !run_id.starts_with(&prefix) {
                continue;
            }
            let event = crate::engine::Event::OwnerZone {
                actor: super::people::actor(caller),
                zone: tz.name().to_owned(),
            };
            if let Err(e) = self.engine().handle(&run_id, event).await {
                tracing::error!(run = %run_id, error = %e, "cannot record the zone on the run");
            }
        }
        Reply::private(Message::new(
            "Time zone set",
            format!(
                "Your time zone is {}: it is {} there now. Times the bot states to you are shown in it, and your weekly check-in comes at the team's check-in time on this clock.",
                tz.name(),
                now.with_timezone(&tz).format("%H:%M on %Y-%m-%d")
            ),
        ))
    }
}

/// The team's configured zone.
pub fn team_zone(team: &TeamSettings) -> Tz {
    team.timeline.tz
}

/// The `/whoami` line about the caller's zone and the time there.
pub fn zone_line(zone: Tz, own: bool, now: DateTime<Utc>) -> String {
    let whose = if own {
        "yours, set with /timezone"
    } else {
        "the team's; choose yours with /timezone"
    };
    format!("{} ({whose}): now {}", zone.name(), stated(now, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn suggestions_match_any_case_show_the_local_time_and_put_the_exact_name_first() {
        let now = at("2027-01-04T08:30:00Z");
        let s = suggestions("berlin", now);
        assert_eq!(
            s[0],
            ("Europe/Berlin (now 09:30)".into(), "Europe/Berlin".into())
        );
        let s = suggestions("new york", now);
        assert_eq!(s[0].1, "America/New_York");
        assert_eq!(s[0].0, "America/New_York (now 03:30)");
        // In July Berlin is two hours ahead of UTC (summer time).
        let s = suggestions("Europe/Berlin", at("2027-07-05T08:30:00Z"));
        assert_eq!(s[0].0, "Europe/Berlin (now 10:30)");
        assert!(suggestions("Mars/Olympus", now).is_empty());
    }

    #[test]
    fn a_time_is_stated_in_the_zone_with_its_name() {
        let t = at("2027-01-04T08:30:00Z");
        assert_eq!(
            stated(t, "Asia/Tokyo".parse().unwrap()),
            "2027-01-04 17:30 (Asia/Tokyo)"
        );
    }
}
