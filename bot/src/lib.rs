//! Quarterdeck: runs a marketing team's quarterly planning as a persisted state machine.
//!
//! Layers, top to bottom (imports only point down): `cli` → `simulate` → `engine` →
//! `chat`, `store`, `stages`, `report` → `domain`, `timeline`, the analyses crate.

pub mod charts;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod engine;
pub mod ics;
pub mod report;
pub mod sample;
pub mod simulate;
pub mod sources;
pub mod stages;
pub mod store;
pub mod timeline;
