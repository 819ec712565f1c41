//! Data sources: the team's exports read into typed rows, all or nothing. Each reader
//! names the file, row and column of the first problem; nothing is half-ingested.

mod journeys;
mod leads;
mod spend;
mod table;

pub use journeys::{read_journeys, read_paths};
pub use leads::{LeadTable, STAGE_COLUMNS, read_leads};
pub use spend::{Quarters, read_plans, read_spend};
pub use table::{Col, CsvTable, InputError, Row, parse_time};
