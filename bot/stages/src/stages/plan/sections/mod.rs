//! The nine sections of the plan, each built from the handoffs it names.

mod budget;
pub(super) mod calendar;
mod goals;
mod resources;
mod review;
mod strategy;
mod summary;

use super::Sources;
use super::risks::Risk;
use crate::report::Section;

pub fn all(s: &Sources, risks: &[Risk]) -> Vec<Section> {
    vec![
        summary::executive_summary(s, risks),
        review::prior_quarter(s),
        review::market(s),
        strategy::strategy(s),
        budget::budget(s),
        calendar::calendar(s),
        goals::goals(s),
        resources::resources(s),
        resources::risk_section(risks),
    ]
}

pub(in crate::stages::plan) fn metric_name(metric: &str) -> &str {
    match metric {
        "sqls" => "SQLs",
        "mqls" => "MQLs",
        "won" => "won deals",
        other => other,
    }
}
