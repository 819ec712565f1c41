//! The people's commands behind the Discord adapter: approvals, change requests and
//! amendments, absences and delegation, launches, the audit trail and the dashboard
//! link. Each becomes an engine event (decided, refused and audited there) or a read.

use chrono::NaiveDate;
use quarterdeck_discord::port::{Caller, Command, Reply, Suggestion};

use super::backend::AppBackend;
use crate::chat::{File, Message, Table};
use crate::config::TeamSettings;
use crate::domain::display::DisplayNames;
use crate::domain::{Actor, AmendmentKind, QuarterRun, Verdict};
use crate::engine::Event;

/// A verdict as asked: by a button (naming its version) or a command (the latest).
pub struct Ask {
    pub verdict: Verdict,
    pub version: Option<u32>,
    pub note: Option<String>,
}

impl Ask {
    pub fn latest(verdict: Verdict, note: Option<String>) -> Self {
        Self {
            verdict,
            version: None,
            note,
        }
    }
}

/// Rows of the audit trail per `/audit` page (an embed's description stays readable).
pub const AUDIT_PAGE: usize = 15;

impl AppBackend {
    /// The stakeholder group the caller decides for: the first one their roles hold.
    pub(super) fn group_of(team: &TeamSettings, caller: &Caller) -> Option<String> {
        team.stakeholders
            .iter()
            .find(|g| caller.role_ids.iter().any(|r| g.role_ids.contains(r)))
            .map(|g| g.group.clone())
    }

    /// A verdict on a plan version (the latest when the command names none).
    pub(super) async fn verdict(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        actor: Actor,
        ask: Ask,
    ) -> Reply {
        let Ask {
            verdict,
            version,
            note,
        } = ask;
        let Some(version) = version.or_else(|| run.latest_plan().map(|p| p.version)) else {
            return Reply::error(
                &caller.reference,
                "There is no plan to decide on yet: stage 10 writes it in week 3.",
            );
        };
        // Without a group the engine refuses and audits the attempt.
        let group = Self::group_of(team, caller).unwrap_or_default();
        let event = Event::Verdict {
            actor,
            group,
            verdict,
            version,
            note,
        };
        let what = match verdict {
            Verdict::Approve => "approval of",
            Verdict::Reject => "rejection of",
            Verdict::RequestChanges => "request for changes to",
        };
        let done = format!("Your {what} plan v{version} is recorded.");
        self.people_event(caller, &run.id, event, &done).await
    }

    /// A structured amendment on the latest version. A stakeholder asks for it for their
    /// group; a section owner answers the latest change request's group.
    pub(super) async fn amend(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        actor: Actor,
        amendment: AmendmentKind,
        note: Option<String>,
    ) -> Reply {
        self.amend_version(caller, team, run, actor, None, amendment, note)
            .await
    }

    /// An amendment on `version` (a form names the version it was opened on; the engine
    /// refuses a stale one naming the current), or on the latest.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn amend_version(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        actor: Actor,
        version: Option<u32>,
        amendment: AmendmentKind,
        note: Option<String>,
    ) -> Reply {
        let Some(version) = version.or_else(|| run.latest_plan().map(|p| p.version)) else {
            return Reply::error(
                &caller.reference,
                "There is no plan to amend yet: stage 10 writes it in week 3.",
            );
        };
        let group = Self::group_of(team, caller)
            .or_else(|| {
                run.approvals
                    .iter()
                    .rev()
                    .find(|a| a.version == version && a.verdict == Verdict::RequestChanges)
                    .map(|a| a.group.clone())
            })
            .or_else(|| team.stakeholders.first().map(|g| g.group.clone()))
            .unwrap_or_default();
        let what = amendment.describe();
        let event = Event::Amend {
            actor,
            group,
            version,
            amendment,
            note,
        };
        let done = format!(
            "Amendment recorded: {what}. The affected stages re-run and post plan v{}.",
            version + 1
        );
        self.people_event(caller, &run.id, event, &done).await
    }

    /// Away from `from` to `until` (local dates), optionally handing over to a delegate.
    pub(super) async fn away(
        &self,
        caller: &Caller,
        run: &QuarterRun,
        actor: Actor,
        from: &str,
        until: &str,
        delegate: Option<String>,
    ) -> Reply {
        let (from, until) = match (date_option("from", from), date_option("until", until)) {
            (Ok(f), Ok(u)) => (f, u),
            (Err(e), _) | (_, Err(e)) => return Reply::error(&caller.reference, e),
        };
        if until < from {
            return Reply::error(
                &caller.reference,
                format!("until ({until}) is before from ({from})."),
            );
        }
        let handover = delegate.as_ref().map_or_else(String::new, |d| {
            format!(" <@{d}> answers for you meanwhile.")
        });
        let event = Event::Away {
            actor,
            from,
            until,
            delegate,
        };
        let (zone, _) = self
            .zone_of(caller, self.team(caller, &Command::Help))
            .await;
        let recorded = super::timezone::stated(self.engine().clock().now(), zone);
        let done = format!(
            "You are away {from} to {until}; your check-ins are excused.{handover}\nRecorded {recorded}."
        );
        self.people_event(caller, &run.id, event, &done).await
    }

    /// One page of the run's audit trail, newest first, with the whole trail as CSV.
    pub(super) async fn audit(&self, caller: &Caller, run: &QuarterRun, page: u32) -> Reply {
        let rows = match self.engine().store().audit_trail(&run.id).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(reference = %caller.reference, error = %e, "cannot read the audit trail");
                return Reply::error(&caller.reference, "The audit trail could not be read.");
            }
        };
        let pages = rows.len().div_ceil(AUDIT_PAGE).max(1);
        let page = (page as usize).clamp(1, pages);
        let shown: Vec<Vec<String>> = rows
            .iter()
            .rev()
            .skip((page - 1) * AUDIT_PAGE)
            .take(AUDIT_PAGE)
            .map(|r| {
                vec![
                    r.at.format("%Y-%m-%d %H:%M").to_string(),
                    r.entry.actor_name.clone(),
                    r.entry.action.replace('_', " "),
                    r.entry.outcome.clone(),
                    r.entry
                        .plan_version
                        .map_or_else(String::new, |v| format!("v{v}")),
                ]
            })
            .collect();
        let mut m = Message::new(
            format!("Audit trail · {}", run.id),
            format!(
                "{} decisions and refusals in all; page {page} of {pages}, newest first. \
                 The attached CSV has every row with roles, plan hash and message link.",
                rows.len()
            ),
        );
        m.tables.push(Table {
            title: "Decisions".into(),
            columns: ["When (UTC)", "Who", "Action", "Outcome", "Plan"]
                .map(String::from)
                .to_vec(),
            rows: shown,
        });
        let mut reply = Reply::private(m);
        reply.files.push(File {
            name: format!("{}-audit.csv", run.id.replace('/', "-")),
            bytes: quarterdeck_dashboard::export::audit_csv(&rows),
            content_type: "text/csv".into(),
        });
        reply
    }

    /// A signed dashboard link for the caller's team and quarter.
    pub(super) async fn dashboard_link(&self, caller: &Caller, run: &QuarterRun) -> Reply {
        let settings = self.settings();
        let key = match quarterdeck_dashboard::resolve_key(
            self.engine().store(),
            settings.dashboard.key.as_ref().map(|k| k.expose()),
        )
        .await
        {
            Ok(k) => k,
            Err(e) => {
                tracing::error!(reference = %caller.reference, error = %e, "no dashboard key");
                return Reply::error(&caller.reference, "The dashboard is not available.");
            }
        };
        let base = Some(settings.dashboard.public_url.clone())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| format!("http://{}", self.dashboard_addr()));
        let hours = settings.dashboard.link_hours;
        let expires = chrono::Utc::now() + chrono::Duration::hours(i64::from(hours));
        let url = quarterdeck_dashboard::link_url(&base, &key, &run.team, &run.quarter, expires);
        Reply::private(Message::new(
            format!("Dashboard · {} {}", run.team, run.quarter),
            format!(
                "{url}\n\nThis link is yours and works for {hours} hours; anyone holding it \
                 can read the plan, so do not paste it in a public channel."
            ),
        ))
    }

    /// Campaigns on the roster or channels in the plan that contain `partial`.
    pub(super) fn suggestions(
        run: &QuarterRun,
        names: &DisplayNames,
        what: Suggestion,
        partial: &str,
    ) -> Vec<(String, String)> {
        let needle = partial.trim().to_lowercase();
        // Campaigns are shown by their own names; channels by the team's display names.
        let choices: Vec<(String, String)> = match what {
            Suggestion::Campaign => run
                .roster
                .iter()
                .map(|r| (r.campaign.clone(), r.campaign.clone()))
                .collect(),
            Suggestion::Channel => run
                .latest_plan()
                .and_then(|p| p.figures.as_ref())
                .map(|f| {
                    f.budget_by_channel
                        .keys()
                        .map(|c| (names.name(c), c.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            Suggestion::Timezone => Vec::new(),
        };
        choices
            .into_iter()
            .filter(|(label, id)| {
                label.to_lowercase().contains(&needle) || id.to_lowercase().contains(&needle)
            })
            .collect()
    }
}

/// A `YYYY-MM-DD` option, or an error naming it.
fn date_option(name: &str, text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        format!("{name}: expected a date as YYYY-MM-DD (e.g. 2027-01-18), got `{text}`.")
    })
}

/// The caller as the engine's actor.
pub(super) fn actor(caller: &Caller) -> Actor {
    Actor {
        id: caller.user_id.clone(),
        name: caller.name.clone(),
        roles: caller.role_ids.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_option_names_itself_when_it_is_not_a_date() {
        assert_eq!(
            date_option("from", " 2027-01-18 "),
            Ok(NaiveDate::from_ymd_opt(2027, 1, 18).unwrap())
        );
        let e = date_option("until", "18/01/2027").unwrap_err();
        assert!(e.starts_with("until: expected a date as YYYY-MM-DD"), "{e}");
        assert!(e.contains("`18/01/2027`"), "{e}");
    }

    #[test]
    fn campaign_suggestions_match_what_was_typed_in_any_case() {
        let mut run = QuarterRun::new("growth", "2027-Q1", &[chrono::Utc::now(); 12]);
        run.roster = vec![
            crate::domain::RosterEntry::new("Spring webinar", "Jordan"),
            crate::domain::RosterEntry::new("Paid search always-on", "Avery"),
        ];
        let names = DisplayNames::new([("paid_social".to_owned(), "Meta ads".to_owned())].into());
        let campaigns = AppBackend::suggestions(&run, &names, Suggestion::Campaign, "WEB");
        assert_eq!(
            campaigns,
            [("Spring webinar".to_owned(), "Spring webinar".to_owned())]
        );
        // Without a plan there are no channels to offer yet.
        assert!(AppBackend::suggestions(&run, &names, Suggestion::Channel, "").is_empty());
    }
}
