//! Pure, deterministic marketing analyses: typed inputs in, typed findings out. No I/O, no clock, no async.
pub mod attribution;
pub mod budget;
pub mod curves;
pub mod feedback;
pub mod funnel;
mod hash;
pub mod logistic;
pub mod mmm;
pub mod roi;
pub mod sample_size;
pub mod scorecard;
pub mod scoring;
