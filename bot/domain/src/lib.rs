//! The planning domain: a quarter run and its parts, as plain data. No I/O, no adapters;
//! the engine changes these values, the store persists them as JSON.

pub mod chat;
pub mod clock;
pub mod timeline;

mod actor;
mod graph;
mod run;
mod secret;

pub use actor::Actor;
pub use graph::{STAGE_COUNT, dependencies, dependents_closure};
pub use run::{
    Approval, CheckinEntry, CheckinStatus, CheckinWeek, PlanVersion, QuarterRun, RosterEntry,
    RunStatus, Stage, StageStatus, Verdict,
};
pub use secret::Secret;
