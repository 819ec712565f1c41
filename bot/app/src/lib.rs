//! Quarterdeck: runs a marketing team's quarterly planning as a persisted state machine.
//!
//! The application crate: configuration, the wiring of adapters to the engine's ports,
//! the command line, the simulated quarter and the transcript adapter, over the
//! workspace's lower crates. Layers, top to bottom (imports only point down, and Cargo
//! enforces it between crates): `cli` → `simulate`, `serve` → `engine` (wiring) →
//! `quarterdeck-store`, `quarterdeck-stages` → `quarterdeck-engine` (decide, present,
//! ports) → `quarterdeck-domain`, `quarterdeck-analyses`.

pub mod actuals;
pub mod cli;
pub mod config;
pub mod engine;
pub mod runtime;
pub mod serve;
pub mod simulate;
pub mod transcript;

// The lower crates under the names the code and the tests use.
pub use quarterdeck_domain as domain;
pub use quarterdeck_domain::{chat, clock, timeline};
pub use quarterdeck_stages::{charts, data_check, ics, report, sample, sources, stages};
pub use quarterdeck_store as store;
