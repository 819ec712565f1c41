//! End-to-end suites: the simulated quarter on SQLite and PostgreSQL, crash and resume,
//! the missed-run policy, job claiming across instances, the store, and the CLI's
//! handling of bad input. One binary; each test owns its folder and database.

mod cli;
mod config_layers;
mod content_cli;
mod crash;
mod dashboard;
mod data_as_of;
mod data_formats;
mod data_in_stages;
mod delivery;
mod discord;
mod edits;
mod exports;
mod helpers;
mod http_sources;
mod market_cli;
mod memory;
mod missed_runs;
mod plan_figures;
mod readable;
mod runtime;
mod scheduler;
mod simulate;
mod store;
