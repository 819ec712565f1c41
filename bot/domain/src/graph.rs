//! The stage dependency graph of the planning process: which earlier stages' outputs
//! each stage reads. Stage numbers are 1-based, as users see them.

pub const STAGE_COUNT: u8 = 12;

/// Direct inputs of stage `n`.
pub fn dependencies(n: u8) -> &'static [u8] {
    match n {
        // Week 1: the retrospective reads the team's data only, except where noted.
        4 => &[2],    // lead scoring uses the measured funnel
        5 => &[1, 2], // market: journey shifts and our rates against benchmarks
        // Week 2: planning.
        6 => &[1],       // budget from ROI and attribution
        7 => &[2, 4, 6], // goals from funnel rates, scoring and the allocation
        8 => &[6, 7],    // calendar funds campaigns from the allocation and goals
        9 => &[3, 8],    // content plan from the SEO review and the calendar
        10 => &[1, 2, 3, 4, 5, 6, 7, 8, 9],
        11 => &[10],
        12 => &[11],
        _ => &[],
    }
}

/// Every stage that depends on `n`, directly or not, in ascending order.
pub fn dependents_closure(n: u8) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    for m in (n + 1)..=STAGE_COUNT {
        if dependencies(m).iter().any(|d| *d == n || out.contains(d)) {
            out.push(m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dependency_points_to_an_earlier_stage() {
        for n in 1..=STAGE_COUNT {
            assert!(dependencies(n).iter().all(|d| *d < n), "stage {n}");
        }
    }

    #[test]
    fn rerunning_the_funnel_stales_scoring_market_goals_and_everything_after_them() {
        assert_eq!(dependents_closure(2), vec![4, 5, 7, 8, 9, 10, 11, 12]);
        assert_eq!(dependents_closure(3), vec![9, 10, 11, 12]);
        assert_eq!(dependents_closure(12), Vec::<u8>::new());
    }
}
