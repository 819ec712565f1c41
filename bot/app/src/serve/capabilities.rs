//! What a member may do, from the Discord role ids they hold and the team's
//! configuration. The engine checks the same roles on every event it decides; this is
//! what `/help` and `/whoami` show and what the app checks before work that is not an
//! engine event (a data upload).

use crate::config::TeamSettings;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability {
    /// Run and re-run stages (`roles.run_stages`).
    RunStages,
    /// Upload data files (`roles.upload_data`, or a run-stages role).
    UploadData,
    /// Approve, reject or request changes for a stakeholder group.
    Approve { group: String, label: String },
    /// The team's owner (`roles.owner`): told about failures.
    Owner,
}

impl Capability {
    pub fn describe(&self) -> String {
        match self {
            Self::RunStages => "run and re-run stages (`/stage run`, `/stage rerun`)".into(),
            Self::UploadData => "upload data files (`/data upload`)".into(),
            Self::Approve { label, .. } => format!("approve plans for {label}"),
            Self::Owner => "owner of the team's planning (told about failures)".into(),
        }
    }
}

/// Everything `roles` allow in `team`.
pub fn capabilities(team: &TeamSettings, roles: &[String]) -> Vec<Capability> {
    let holds = |ids: &[String]| roles.iter().any(|r| ids.contains(r));
    let mut out = Vec::new();
    if holds(&team.roles.run_stages) {
        out.push(Capability::RunStages);
    }
    if holds(&team.roles.upload_data) || holds(&team.roles.run_stages) {
        out.push(Capability::UploadData);
    }
    for g in &team.stakeholders {
        if holds(&g.role_ids) {
            out.push(Capability::Approve {
                group: g.group.clone(),
                label: g.label.clone(),
            });
        }
    }
    if roles.contains(&team.roles.owner) {
        out.push(Capability::Owner);
    }
    out
}
