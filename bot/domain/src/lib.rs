//! The planning domain: a quarter run and its parts, as plain data. No I/O, no adapters;
//! the engine changes these values, the store persists them as JSON.

pub mod chat;
pub mod clock;
pub mod pacing;
pub mod timeline;

mod actor;
mod actuals;
pub mod display;
mod launches;
mod people;
mod run;
mod secret;
mod stage;
mod stage_result;

pub use actor::Actor;
pub use actuals::ReportedActual;
pub use display::label;
pub use launches::Month1Launches;
pub use people::{
    AMENDABLE_TARGETS, Absence, Acknowledgement, Amendment, AmendmentKind, CampaignFigures,
    CheckinNumbers, Kickoff, Launch, MonthMilestone, PlanFigures,
};
pub use run::{
    Approval, CheckinEntry, CheckinStatus, CheckinWeek, JobFailure, PersonZone, PlanVersion,
    QuarterRun, RosterEntry, RunStatus, Stage, StageStatus, Verdict,
};
pub use secret::Secret;
pub use stage::{StageId, StageKind, StageSpec, UnknownStage};
pub use stage_result::{StageOutputKind, StageResult};
