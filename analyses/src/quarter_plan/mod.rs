//! The pure pieces of next quarter's plan that sit between the budget optimiser and the
//! campaign calendar: the budget spec built from fitted response curves and last
//! quarter's spend ([`spec`]), money split to the cent by largest remainder
//! ([`rounding`]), and owners assigned to work by load ([`load`]). No I/O, no dates
//! beyond what callers pass.

pub mod information;
pub mod load;
pub mod roadmap;
pub mod rounding;
pub mod spec;
