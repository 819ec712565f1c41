//! The analyses' tests, one binary: each module checks one analysis against values
//! derived independently (by hand, brute force, a published example or a reference
//! library).

mod attribution;
mod budget;
mod content;
mod funnel;
mod logistic;
mod mmm;
mod production;
mod roi;
mod sample_size;
mod scoring;
