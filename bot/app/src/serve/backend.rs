//! The app behind the Discord adapter: each command or button becomes a read of the
//! store or an engine event, decided and audited by the engine like any other. The
//! engine checks roles on every event; requests that are not engine events (a data
//! upload) are checked here against the same configuration, and their refusals are
//! written to the audit trail too.

use std::path::{Path, PathBuf};

use chrono::Utc;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use quarterdeck_discord::port::{Backend, Caller, Command, Reply, Suggestion};

use super::capabilities::{Capability, capabilities};
use super::people::Ask;
use crate::chat::{BoxFuture, ButtonStyle, File, Message, Table};
use crate::config::{Settings, TeamSettings};
use crate::domain::{Actor, QuarterRun, RunStatus, StageId, Verdict};
use crate::engine::{Engine, Event, Outcome};
use crate::sources::{CsvTable, DataSet, INPUT_FILES};
use crate::store::NewAudit;

/// Uploads waiting for Confirm live here, under the team's data folder, so a Confirm
/// button still works after a restart.
const STAGING: &str = ".uploads";

pub struct AppBackend {
    engine: Engine,
    settings: Settings,
    /// Where the dashboard listens once bound (the configured port may be 0).
    dashboard_addr: Arc<OnceLock<SocketAddr>>,
}

impl AppBackend {
    pub fn new(
        engine: Engine,
        settings: Settings,
        dashboard_addr: Arc<OnceLock<SocketAddr>>,
    ) -> Self {
        Self {
            engine,
            settings,
            dashboard_addr,
        }
    }

    pub(super) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(super) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The dashboard's bound address, or the configured one before it is bound.
    pub(super) fn dashboard_addr(&self) -> SocketAddr {
        self.dashboard_addr
            .get()
            .copied()
            .unwrap_or(self.settings.dashboard.listen)
    }

    /// The team a button or form names by its run (`verb:{team}/{quarter}:…`, e.g. one
    /// clicked in a direct message), else the team whose channel the caller is in, else
    /// the first team.
    pub(super) fn team(&self, caller: &Caller, command: &Command) -> &TeamSettings {
        let named = match command {
            Command::Button { custom_id } | Command::ModalSubmit { custom_id, .. } => custom_id
                .split(':')
                .nth(1)
                .and_then(|run| run.split_once('/'))
                .map(|(team, _)| team),
            _ => None,
        };
        let c = &caller.channel_id;
        self.settings
            .teams
            .iter()
            .find(|t| Some(t.name.as_str()) == named)
            .or_else(|| {
                self.settings.teams.iter().find(|t| {
                    &t.channels.default == c
                        || &t.channels.approvals == c
                        || &t.channels.checkins == c
                        || t.channels.stages.values().any(|s| s == c)
                })
            })
            .unwrap_or(&self.settings.teams[0])
    }

    /// The team's current run: the earliest open run that is not completed, else the
    /// latest.
    async fn run(&self, team: &TeamSettings) -> Option<QuarterRun> {
        let prefix = format!("{}/", team.name);
        let ids: Vec<String> = self
            .engine
            .run_ids()
            .into_iter()
            .filter(|id| id.starts_with(&prefix))
            .collect();
        let mut last = None;
        for id in ids {
            if let Ok(Some(stored)) = self.engine.store().load_run(&id).await {
                if stored.run.status != RunStatus::Completed {
                    return Some(stored.run);
                }
                last = Some(stored.run);
            }
        }
        last
    }

    async fn audit_refusal(&self, run_id: &str, caller: &Caller, action: &str, detail: &str) {
        let row = NewAudit {
            actor_id: caller.user_id.clone(),
            actor_name: caller.name.clone(),
            roles: caller.role_ids.join(","),
            action: action.to_owned(),
            outcome: "rejected".into(),
            detail: detail.to_owned(),
            plan_version: None,
            plan_hash: None,
            message_link: None,
        };
        if let Err(e) = self
            .engine
            .store()
            .append_audit(run_id, self.engine.clock().now(), &[row])
            .await
        {
            tracing::error!(error = %e, "cannot write the audit row of a refusal");
        }
    }

    async fn dispatch(&self, caller: &Caller, command: Command) -> Reply {
        let team = self.team(caller, &command);
        let Some(run) = self.run(team).await else {
            return Reply::error(
                &caller.reference,
                format!("Team {} has no planning run open yet.", team.name),
            );
        };
        let actor = super::people::actor(caller);
        match command {
            Command::PlanStatus => Reply::private(status(&run)),
            Command::PlanTimeline => Reply::private(timeline(&run)),
            Command::PlanDocument => self.document(caller, &run).await,
            Command::StageShow { stage } => self.show(caller, &run, stage).await,
            Command::StageRun { stage } => {
                let event = Event::RunStage { actor, stage };
                self.event(caller, team, &run, event, stage).await
            }
            Command::StageRerun { stage, reason } => {
                let event = Event::Rerun {
                    actor,
                    stage,
                    reason,
                };
                self.event(caller, team, &run, event, stage).await
            }
            Command::DataSources => Reply::private(sources(team)),
            Command::DataCheck => super::data::data_check(caller, team),
            Command::DataUpload { file_name, bytes } => {
                self.upload(caller, team, &run, &file_name, &bytes).await
            }
            Command::Help => Reply::private(help(team, &caller.role_ids)),
            Command::WhoAmI => {
                let (zone, own) = self.zone_of(caller, team).await;
                let now = self.engine.clock().now();
                let line = super::timezone::zone_line(zone, own, now);
                Reply::private(whoami(team, caller).field("Time zone", line))
            }
            Command::Timezone { zone } => self.set_timezone(caller, team, &zone).await,
            Command::Button { custom_id } => {
                self.button(caller, team, &run, actor, &custom_id).await
            }
            Command::PlanDashboard => self.dashboard_link(caller, &run).await,
            Command::Approve { comment } => {
                let ask = Ask::latest(Verdict::Approve, comment);
                self.verdict(caller, team, &run, actor, ask).await
            }
            Command::Reject { reason } => {
                let ask = Ask::latest(Verdict::Reject, Some(reason));
                self.verdict(caller, team, &run, actor, ask).await
            }
            Command::RequestChanges { section, what } => {
                let note = match section {
                    Some(s) => format!("{s}: {what}"),
                    None => what,
                };
                let ask = Ask::latest(Verdict::RequestChanges, Some(note));
                self.verdict(caller, team, &run, actor, ask).await
            }
            Command::Amend { amendment, note } => {
                self.amend(caller, team, &run, actor, amendment, note).await
            }
            Command::Away {
                from,
                until,
                delegate,
            } => {
                self.away(caller, &run, actor, &from, &until, delegate)
                    .await
            }
            Command::Delegate { user, until } => {
                let today = self.engine.clock().now().date_naive().to_string();
                self.away(caller, &run, actor, &today, &until, Some(user))
                    .await
            }
            Command::CampaignLaunched { campaign } => {
                let event = Event::CampaignLaunched {
                    actor,
                    campaign: campaign.clone(),
                };
                let done = format!("{campaign}: the launch is recorded.");
                self.people_event(caller, &run.id, event, &done).await
            }
            Command::Audit { page } => self.audit(caller, &run, page).await,
            Command::Reaction { message_id, emoji } => {
                self.reaction(caller, team, &run, actor, &message_id, &emoji)
                    .await
            }
            Command::ModalSubmit { custom_id, values } => {
                self.form(caller, team, &run, actor, &custom_id, &values)
                    .await
            }
            Command::RequestChangesForm => match run.latest_plan() {
                Some(p) => super::forms::changes_form(&run.id, p.version).reply(),
                None => Reply::error(
                    &caller.reference,
                    "There is no plan to decide on yet: stage 10 writes it in week 3.",
                ),
            },
        }
    }

    /// Applies a stage event; the engine refuses (and audits) what the roles do not allow.
    async fn event(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        event: Event,
        stage: u8,
    ) -> Reply {
        let name = StageId::from_number(stage).map_or("?", StageId::name);
        match self.engine.handle(&run.id, event).await {
            Ok(Outcome::Applied { .. }) => Reply::private(Message::new(
                format!("Stage {stage} · {name} is running"),
                format!(
                    "Its findings will be posted in <#{}> when the computation finishes.",
                    team.channels.for_stage(stage)
                ),
            )),
            Ok(Outcome::Refused(why)) => {
                tracing::info!(reference = %caller.reference, user = %caller.user_id, %why, "refused");
                Reply::error(&caller.reference, why.to_string())
            }
            Err(e) => {
                tracing::error!(reference = %caller.reference, error = %e, "engine error");
                Reply::error(
                    &caller.reference,
                    "The engine could not record this; try again in a minute.",
                )
            }
        }
    }

    async fn show(&self, caller: &Caller, run: &QuarterRun, stage: u8) -> Reply {
        let prefix = format!("{}/s{stage:02}/result/", run.id);
        let posts = match self.engine.store().posts(&run.id).await {
            Ok(p) => p,
            Err(e) => {
                return Reply::error(&caller.reference, format!("Cannot read the posts: {e}"));
            }
        };
        match posts.iter().rev().find(|p| p.key.starts_with(&prefix)) {
            Some(p) => match serde_json::from_str::<Message>(&p.message) {
                Ok(mut m) => {
                    m.buttons.clear();
                    Reply::private(m)
                }
                Err(e) => Reply::error(
                    &caller.reference,
                    format!("The stored findings are unreadable: {e}"),
                ),
            },
            None => Reply::error(
                &caller.reference,
                format!("Stage {stage} has posted no findings yet."),
            ),
        }
    }

    async fn document(&self, caller: &Caller, run: &QuarterRun) -> Reply {
        let Some(latest) = run.plan_versions.last() else {
            return Reply::error(
                &caller.reference,
                "No plan version has been written yet (stage 10).",
            );
        };
        match self
            .engine
            .store()
            .plan_doc(&run.id, i64::from(latest.version))
            .await
        {
            Ok(Some(doc)) => Reply {
                ephemeral: true,
                message: Message::new(
                    format!("Plan v{}", latest.version),
                    format!(
                        "Hash `{}`; {}.",
                        &latest.hash[..latest.hash.len().min(12)],
                        latest.reason
                    ),
                ),
                files: vec![File {
                    name: format!("plan-v{}.md", latest.version),
                    content_type: "text/markdown".into(),
                    bytes: doc.markdown.into_bytes(),
                }],
                is_error: false,
                modal: None,
            },
            Ok(None) => Reply::error(&caller.reference, "The plan document is not stored."),
            Err(e) => Reply::error(&caller.reference, format!("Cannot read the plan: {e}")),
        }
    }

    async fn button(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        actor: Actor,
        custom_id: &str,
    ) -> Reply {
        let parts: Vec<&str> = custom_id.split(':').collect();
        match parts.as_slice() {
            [
                verb @ ("approve" | "reject" | "request_changes"),
                run_id,
                version,
            ] => {
                let Ok(version) = version.parse::<u32>() else {
                    return Reply::error(&caller.reference, "This button is malformed.");
                };
                let verdict = match *verb {
                    "approve" => Verdict::Approve,
                    "reject" => Verdict::Reject,
                    _ => Verdict::RequestChanges,
                };
                if *run_id != run.id {
                    return Reply::error(
                        &caller.reference,
                        format!(
                            "This button is for {run_id}; the team's current run is {}.",
                            run.id
                        ),
                    );
                }
                if verdict == Verdict::RequestChanges {
                    // The form asks for the words and an optional structured change.
                    return super::forms::changes_form(run_id, version).reply();
                }
                let ask = Ask {
                    verdict,
                    version: Some(version),
                    note: None,
                };
                self.verdict(caller, team, run, actor, ask).await
            }
            ["ack", run_id, _version] => {
                let event = Event::KickoffAcknowledged { actor };
                self.people_event(
                    caller,
                    run_id,
                    event,
                    "Thanks: your acknowledgement is recorded.",
                )
                .await
            }
            ["launched", run_id, campaign] => {
                let event = Event::CampaignLaunched {
                    actor,
                    campaign: (*campaign).to_owned(),
                };
                self.people_event(caller, run_id, event, "The launch is recorded.")
                    .await
            }
            ["checkin", ..] => self.checkin_click(caller, run, actor, custom_id).await,
            ["data", action @ ("confirm" | "cancel"), id] => {
                self.upload_decision(caller, team, run, *action == "confirm", id)
                    .await
            }
            _ => Reply::error(
                &caller.reference,
                "This button is no longer handled here (it may belong to an older version).",
            ),
        }
    }

    /// Hands a people event (kickoff, launch, check-in) to the engine and says what
    /// happened.
    pub(super) async fn people_event(
        &self,
        caller: &Caller,
        run_id: &str,
        event: Event,
        done: &str,
    ) -> Reply {
        match self.engine.handle(run_id, event).await {
            Ok(Outcome::Applied { .. }) => Reply::private(Message::new("Recorded", done)),
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

    async fn upload(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        file_name: &str,
        bytes: &[u8],
    ) -> Reply {
        let may = capabilities(team, &caller.role_ids).contains(&Capability::UploadData);
        if !may {
            let why = format!(
                "{} may not upload data: it needs one of the roles {}",
                caller.name,
                upload_roles(team).join(", ")
            );
            self.audit_refusal(&run.id, caller, "data_upload", &why)
                .await;
            return Reply::error(&caller.reference, why);
        }
        if !INPUT_FILES.contains(&file_name) || !file_name.ends_with(".csv") {
            let csvs: Vec<&str> = INPUT_FILES
                .iter()
                .copied()
                .filter(|f| f.ends_with(".csv"))
                .collect();
            return Reply::error(
                &caller.reference,
                format!(
                    "{file_name}: not an input Quarterdeck reads; name the file one of {}",
                    csvs.join(", ")
                ),
            );
        }
        match validate_upload(team, file_name, bytes, run) {
            Err(e) => Reply::error(
                &caller.reference,
                format!("{file_name} was not stored: {e}"),
            ),
            Ok(table) => {
                let staged = staging_path(team, &caller.reference, file_name);
                if let Err(e) = write_atomically(&staged, bytes) {
                    return Reply::error(
                        &caller.reference,
                        format!("Cannot stage the upload: {e}"),
                    );
                }
                let mut preview = Table::new("First rows", &[]);
                preview.columns = table.header.clone();
                let rows = rows_preview(bytes, 5);
                preview.rows = rows;
                let id = &caller.reference;
                // The same data check `/data check` runs, on the file as uploaded.
                let problems = super::data::upload_problems(team, file_name, bytes);
                let checked = if problems.is_empty() {
                    "The data check finds no problems in it.".to_owned()
                } else {
                    format!(
                        "The data check finds (the stages say so in their posts):\n{}",
                        problems.join("\n")
                    )
                };
                Reply::private(
                    Message::new(
                        format!("Upload {file_name}?"),
                        format!(
                            "{} rows, {} columns detected: {}.\n\n{checked}\n\nConfirm to replace the team's {file_name}; the stages that read it run again.",
                            table.len(),
                            table.header.len(),
                            table.header.join(", ")
                        ),
                    )
                    .table(preview)
                    .button(format!("data:confirm:{id}"), "Confirm", ButtonStyle::Success)
                    .button(format!("data:cancel:{id}"), "Cancel", ButtonStyle::Secondary),
                )
            }
        }
    }

    async fn upload_decision(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        confirm: bool,
        id: &str,
    ) -> Reply {
        let dir = team.data_dir.join(STAGING);
        let staged = std::fs::read_dir(&dir).ok().and_then(|entries| {
            entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{id}-")))
            })
        });
        let Some(staged) = staged else {
            return Reply::error(
                &caller.reference,
                "This upload was already confirmed or cancelled.",
            );
        };
        let file_name = staged
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(&format!("{id}-")))
            .unwrap_or_default()
            .to_owned();
        if !confirm {
            let _ = std::fs::remove_file(&staged);
            return Reply::private(Message::new(
                "Cancelled",
                format!("{file_name} was not changed."),
            ));
        }
        if !capabilities(team, &caller.role_ids).contains(&Capability::UploadData) {
            let why = format!("{} may not upload data", caller.name);
            self.audit_refusal(&run.id, caller, "data_upload", &why)
                .await;
            return Reply::error(&caller.reference, why);
        }
        // Atomic: a rename within the data folder.
        let target = team.data_dir.join(&file_name);
        if let Err(e) = std::fs::rename(&staged, &target) {
            return Reply::error(&caller.reference, format!("Cannot store {file_name}: {e}"));
        }
        let actor = Actor {
            id: caller.user_id.clone(),
            name: caller.name.clone(),
            roles: caller.role_ids.clone(),
        };
        let event = Event::DataArrived {
            actor,
            file: file_name.clone(),
        };
        let rerun = match self.engine.handle(&run.id, event).await {
            Ok(Outcome::Applied { .. }) => "The stages that read it are running again.".to_owned(),
            Ok(Outcome::Refused(why)) => format!("No stage re-runs: {why}."),
            Err(e) => format!("The re-run could not be recorded: {e}."),
        };
        Reply::private(Message::new(
            "Stored",
            format!("{file_name} is stored. {rerun}"),
        ))
    }
}

impl Backend for AppBackend {
    fn handle<'a>(&'a self, caller: &'a Caller, command: Command) -> BoxFuture<'a, Reply> {
        Box::pin(self.dispatch(caller, command))
    }

    fn suggest<'a>(
        &'a self,
        caller: &'a Caller,
        what: Suggestion,
        partial: &'a str,
    ) -> BoxFuture<'a, Vec<(String, String)>> {
        Box::pin(async move {
            if what == Suggestion::Timezone {
                return super::timezone::suggestions(partial, self.engine.clock().now());
            }
            let team = self.team(caller, &Command::Help);
            match self.run(team).await {
                Some(run) => {
                    let names =
                        crate::domain::display::DisplayNames::new(team.display_names.clone());
                    Self::suggestions(&run, &names, what, partial)
                }
                None => Vec::new(),
            }
        })
    }
}

fn upload_roles(team: &TeamSettings) -> Vec<String> {
    let mut r = team.roles.upload_data.clone();
    r.extend(team.roles.run_stages.iter().cloned());
    r
}

fn staging_path(team: &TeamSettings, reference: &str, file: &str) -> PathBuf {
    team.data_dir
        .join(STAGING)
        .join(format!("{reference}-{file}"))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Reads the upload the way the stages will: its structure, then every input of the
/// team with this file in its place, checked as a run checks its data.
fn validate_upload(
    team: &TeamSettings,
    file_name: &str,
    bytes: &[u8],
    run: &QuarterRun,
) -> Result<CsvTable, String> {
    let table = CsvTable::parse(file_name, bytes).map_err(|e| e.to_string())?;
    if table.is_empty() {
        return Err("the file has a header but no rows".into());
    }
    let dir = tempfile_dir(team, run)?;
    let staged = dir.join(file_name);
    std::fs::write(&staged, bytes).map_err(|e| e.to_string())?;
    let mut paths: Vec<(String, PathBuf)> = Vec::new();
    for f in INPUT_FILES {
        let p = if f == file_name {
            staged.clone()
        } else {
            team.data_dir.join(f)
        };
        if p.is_file() {
            paths.push((f.to_owned(), p));
        }
    }
    let data = DataSet::from_paths(paths.iter().map(|(n, p)| (n.as_str(), p.as_path())))
        .map_err(|e| e.to_string());
    let result = data.and_then(|data| {
        let quarter_start = run
            .stages
            .first()
            .map_or_else(|| Utc::now().date_naive(), |s| s.due_at.date_naive());
        crate::stages::check_data(&data, quarter_start).map_err(|e| e.to_string())
    });
    let _ = std::fs::remove_dir_all(&dir);
    result.map(|()| table)
}

fn tempfile_dir(team: &TeamSettings, run: &QuarterRun) -> Result<PathBuf, String> {
    let dir =
        team.data_dir
            .join(STAGING)
            .join(format!("check-{}-{}", run.quarter, std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot stage the upload: {e}"))?;
    Ok(dir)
}

fn rows_preview(bytes: &[u8], n: usize) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    reader
        .records()
        .filter_map(Result::ok)
        .take(n)
        .map(|r| r.iter().map(|c| c.chars().take(24).collect()).collect())
        .collect()
}

fn ts(t: chrono::DateTime<Utc>) -> String {
    format!("<t:{}:f> (<t:{}:R>)", t.timestamp(), t.timestamp())
}

/// `/plan status`: every stage's state, the plan version and its approvals, what is next.
pub fn status(run: &QuarterRun) -> Message {
    let mut lines = vec![format!("**{}** is {}.", run.id, run.status.as_str())];
    for s in &run.stages {
        let name = StageId::from_number(s.number).map_or("?", StageId::name);
        let stale = if s.stale { ", stale" } else { "" };
        lines.push(format!(
            "{:>2}. {name}: {}{stale}",
            s.number,
            s.status.as_str()
        ));
    }
    let mut m = Message::new(format!("{} · status", run.quarter), lines.join("\n"));
    if let Some(p) = run.plan_versions.last() {
        let approvals = run
            .approvals
            .iter()
            .filter(|a| a.version == p.version)
            .count();
        m = m.field(
            "Plan",
            format!("v{} `{}`", p.version, &p.hash[..p.hash.len().min(12)]),
        );
        m = m.field("Decisions on it", approvals.to_string());
    }
    if let Some(v) = run.approved_version {
        m = m.field("Approved", format!("v{v}"));
    }
    let next = run
        .stages
        .iter()
        .filter(|s| s.completed_at.is_none())
        .min_by_key(|s| s.due_at);
    if let Some(s) = next {
        m = m.field("Next due", format!("Stage {} {}", s.number, ts(s.due_at)));
    }
    if !run.failures.is_empty() {
        // Jobs that failed on their last attempt stay visible here until the run ends.
        let lines: Vec<String> = run
            .failures
            .iter()
            .map(|f| {
                let why = f.error.lines().next().unwrap_or_default();
                format!(
                    "{} failed {} after {} attempts: {why}",
                    f.job.replace('_', " "),
                    ts(f.at),
                    f.attempts
                )
            })
            .collect();
        m = m.field("Failed", lines.join("\n"));
    }
    m
}

/// `/plan timeline`: each stage's slot as a Discord timestamp (the reader's own zone).
pub fn timeline(run: &QuarterRun) -> Message {
    let lines: Vec<String> = run
        .stages
        .iter()
        .map(|s| {
            let name = StageId::from_number(s.number).map_or("?", StageId::name);
            format!("{:>2}. {name}: {}", s.number, ts(s.due_at))
        })
        .collect();
    Message::new(format!("{} · timeline", run.quarter), lines.join("\n"))
}

fn sources(team: &TeamSettings) -> Message {
    let lines: Vec<String> = INPUT_FILES
        .iter()
        .map(|f| {
            let origin = match team.sources.get(*f).map(|s| &s.origin) {
                Some(crate::sources::Origin::Url { url, .. }) => format!("from {url}"),
                Some(crate::sources::Origin::Path(p)) => format!("from {}", p.display()),
                _ => "in the data folder".to_owned(),
            };
            let path = team.data_dir.join(f);
            let state = match std::fs::metadata(&path) {
                Ok(m) => {
                    let when = m
                        .modified()
                        .ok()
                        .map(chrono::DateTime::<Utc>::from)
                        .map_or_else(String::new, |t| {
                            format!(", changed <t:{}:R>", t.timestamp())
                        });
                    format!("{} KB{when}", m.len().div_ceil(1024))
                }
                Err(_) => "missing".to_owned(),
            };
            format!("`{f}`: {state} ({origin})")
        })
        .collect();
    Message::new(format!("Data of team {}", team.name), lines.join("\n"))
}

fn help(team: &TeamSettings, roles: &[String]) -> Message {
    let caps = capabilities(team, roles);
    let mut lines = vec![
        "`/plan status` · where the quarter stands".to_owned(),
        "`/plan timeline` · when each stage is due".to_owned(),
        "`/plan document` · the latest plan".to_owned(),
        "`/stage show stage:N` · a stage's findings".to_owned(),
        "`/data sources` · the data files the stages read".to_owned(),
        "`/whoami` · your roles and what they allow".to_owned(),
    ];
    if caps.contains(&Capability::RunStages) {
        lines.push("`/stage run stage:N` · compute a stage now".into());
        lines.push("`/stage rerun stage:N reason:…` · compute a stage again".into());
    }
    if caps.contains(&Capability::UploadData) {
        lines.push("`/data upload file:…` · replace a data file (preview first)".into());
    }
    if caps.iter().any(|c| matches!(c, Capability::Approve { .. })) {
        lines.push("Approve, reject or request changes with the buttons on a plan".into());
    }
    Message::new("What you can do here", lines.join("\n"))
}

fn whoami(team: &TeamSettings, caller: &Caller) -> Message {
    let caps = capabilities(team, &caller.role_ids);
    let body = if caps.is_empty() {
        "Your roles give you read access: status, timeline, findings and the plan.".to_owned()
    } else {
        caps.iter()
            .map(|c| format!("- {}", c.describe()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let roles: Vec<String> = caller.role_ids.iter().map(|r| format!("<@&{r}>")).collect();
    let roles = if roles.is_empty() {
        "none".to_owned()
    } else {
        roles.join(" ")
    };
    Message::new(format!("{} in team {}", caller.name, team.name), body).field("Roles", roles)
}
