//! Clicks and forms that answer the people's posts: a campaign's check-in (the status
//! button records the status and opens the numbers form; the form records status and
//! numbers for that campaign only) and a change request form (words for the plan's
//! owners, or a structured amendment). The engine decides: owners by chat id, a
//! redelivered click or form counts once, a stale plan version is refused.

use quarterdeck_discord::port::{Caller, Reply};

use super::backend::AppBackend;
use super::forms::{self, ChangeRequest};
use super::people::Ask;
use crate::chat::Message;
use crate::config::TeamSettings;
use crate::domain::{Actor, CheckinStatus, QuarterRun, Verdict};
use crate::engine::notice::{Action, CHECKIN_STATUSES};
use crate::engine::{Event, Outcome, Rejection};

/// A check-in button or form id, resolved against the run's roster.
struct CheckinId {
    run: String,
    week: u32,
    campaign: String,
    status: CheckinStatus,
    status_id: &'static str,
}

/// `checkin:{run}:w{week}:{campaign-slug}:{status}`: the campaign is the roster entry
/// whose button has exactly this id (so a slug cut to fit 100 characters still matches).
fn checkin_id(run: &QuarterRun, custom_id: &str) -> Option<CheckinId> {
    let parts: Vec<&str> = custom_id.split(':').collect();
    let ["checkin", run_id, week, _slug, status] = parts.as_slice() else {
        return None;
    };
    let week: u32 = week.strip_prefix('w')?.parse().ok()?;
    let status_id = CHECKIN_STATUSES.into_iter().find(|s| s == status)?;
    let status = match status_id {
        "on_track" => CheckinStatus::OnTrack,
        "at_risk" => CheckinStatus::AtRisk,
        _ => CheckinStatus::OffTrack,
    };
    let campaign = run.roster.iter().find_map(|r| {
        let action = Action::Checkin {
            run: (*run_id).to_owned(),
            week,
            campaign: crate::engine::slug(&r.campaign),
            status: status_id,
        };
        (action.custom_id() == custom_id).then(|| r.campaign.clone())
    })?;
    Some(CheckinId {
        run: (*run_id).to_owned(),
        week,
        campaign,
        status,
        status_id,
    })
}

impl AppBackend {
    /// A status button: records the status for that campaign, then opens the form for
    /// its numbers (also when the status was already recorded, so the form stays one
    /// click away). A refusal (not the owner, the week closed) is the answer instead.
    pub(super) async fn checkin_click(
        &self,
        caller: &Caller,
        run: &QuarterRun,
        actor: Actor,
        custom_id: &str,
    ) -> Reply {
        let Some(id) = checkin_id(run, custom_id) else {
            return Reply::error(
                &caller.reference,
                "This check-in button names no campaign on the current roster.",
            );
        };
        let event = Event::CheckinAnswered {
            actor,
            week: id.week,
            campaign: id.campaign.clone(),
            status: id.status,
            note: None,
            numbers: None,
        };
        match self.engine().handle(&id.run, event).await {
            Ok(Outcome::Applied { .. } | Outcome::Refused(Rejection::Duplicate(_))) => {
                forms::checkin_form(custom_id, id.week, &id.campaign, id.status.words()).reply()
            }
            Ok(Outcome::Refused(why)) => Reply::error(&caller.reference, why.to_string()),
            Err(e) => {
                tracing::error!(reference = %caller.reference, error = %e, "engine error");
                Reply::error(
                    &caller.reference,
                    "The engine could not record this; try again.",
                )
            }
        }
    }

    /// A submitted form: a check-in's numbers or a change request.
    pub(super) async fn form(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        actor: Actor,
        custom_id: &str,
        values: &[(String, String)],
    ) -> Reply {
        if custom_id.starts_with("checkin:") {
            return self
                .checkin_form(caller, run, actor, custom_id, values)
                .await;
        }
        let parts: Vec<&str> = custom_id.split(':').collect();
        let [forms::CHANGES, run_id, version] = parts.as_slice() else {
            return Reply::error(&caller.reference, "This form is no longer handled here.");
        };
        let Ok(version) = version.parse::<u32>() else {
            return Reply::error(&caller.reference, "This form is malformed.");
        };
        if *run_id != run.id {
            return Reply::error(
                &caller.reference,
                format!(
                    "This form is for {run_id}; the team's current run is {}.",
                    run.id
                ),
            );
        }
        match forms::change_request(values) {
            Err(why) => Reply::error(&caller.reference, why),
            Ok(ChangeRequest::Words { note }) => {
                let ask = Ask {
                    verdict: Verdict::RequestChanges,
                    version: Some(version),
                    note: Some(note),
                };
                self.verdict(caller, team, run, actor, ask).await
            }
            Ok(ChangeRequest::Amend { amendment, note }) => {
                self.amend_version(
                    caller,
                    team,
                    run,
                    actor,
                    Some(version),
                    amendment,
                    Some(note),
                )
                .await
            }
        }
    }

    async fn checkin_form(
        &self,
        caller: &Caller,
        run: &QuarterRun,
        actor: Actor,
        custom_id: &str,
        values: &[(String, String)],
    ) -> Reply {
        let Some(id) = checkin_id(run, custom_id) else {
            return Reply::error(
                &caller.reference,
                "This check-in form names no campaign on the current roster.",
            );
        };
        let numbers = match forms::checkin_numbers(values) {
            Ok(n) => n,
            Err(why) => return Reply::error(&caller.reference, why),
        };
        let with_numbers = numbers.is_some();
        let event = Event::CheckinAnswered {
            actor,
            week: id.week,
            campaign: id.campaign.clone(),
            status: id.status,
            note: None,
            numbers,
        };
        let done = format!(
            "Week {}, {}: {}{} recorded.",
            id.week,
            id.campaign,
            id.status.words(),
            if with_numbers {
                " and your numbers"
            } else {
                ""
            }
        );
        match self.engine().handle(&id.run, event).await {
            Ok(Outcome::Applied { .. }) => Reply::private(Message::new("Recorded", done)),
            // The same form delivered twice: already recorded, said plainly.
            Ok(Outcome::Refused(Rejection::Duplicate(_))) => {
                Reply::private(Message::new("Already recorded", done))
            }
            Ok(Outcome::Refused(why)) => Reply::error(&caller.reference, why.to_string()),
            Err(e) => {
                tracing::error!(reference = %caller.reference, error = %e, status = id.status_id, "engine error");
                Reply::error(
                    &caller.reference,
                    "The engine could not record this; try again.",
                )
            }
        }
    }
}
