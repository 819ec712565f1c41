//! The stages crate: everything that turns a team's data into findings. `sources` reads
//! and validates the input files, `stages` holds the twelve stage computations and their
//! typed handoffs, `charts` draws PNGs, `report` and `ics` write documents, and `sample`
//! generates a known-truth dataset. Nothing here touches the store, the engine or a chat
//! service: the engine's worker hands inputs in and takes findings back.

pub mod charts;
pub mod data_check;
pub mod ics;
pub mod report;
pub mod sample;
pub mod sources;
pub mod stages;

// The domain's modules, so paths inside this crate read `crate::domain::…`, `crate::chat::…`.
use quarterdeck_domain as domain;
use quarterdeck_domain::{chat, timeline};
