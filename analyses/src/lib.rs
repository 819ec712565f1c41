//! Pure, deterministic marketing analyses: typed inputs in, typed findings out. No I/O, no clock, no async.
pub mod attribution;
pub mod budget;
pub mod content;
pub mod curves;
pub mod feedback;
pub mod funnel;
pub mod goals;
mod hash;
pub mod journey_shift;
pub mod logistic;
pub mod market;
pub mod mmm;
pub mod production;
pub mod quarter_plan;
pub mod roi;
pub mod sample_size;
pub mod scorecard;
pub mod scoring;
