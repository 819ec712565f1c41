//! Sales feedback on handed-over MQLs, summarised: how many sales accepted, why the rest
//! were rejected (with the comment most often written for each reason), and acceptance
//! by lead source and by month. Pure counting; no I/O.
//!
//! - Acceptance rate = accepted / decisions, per group and overall.
//! - Reasons are ranked by count (then name); the representative comment of a reason is
//!   its most frequent comment (ties: the alphabetically first), so it is a sentence a
//!   salesperson actually wrote, not a paraphrase.
//! - A decision whose lead is not in leads.csv counts in the totals, by month and by
//!   reason, and under `unmatched` instead of a source.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One sales decision on an MQL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// `YYYY-MM` of the decision.
    pub month: String,
    pub accepted: bool,
    pub reason: String,
    pub comment: String,
    /// The lead's source; `None` when the lead is not in leads.csv.
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acceptance {
    pub group: String,
    pub decisions: usize,
    pub accepted: usize,
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub reason: String,
    /// Accepted or rejected decisions giving this reason.
    pub accepted: bool,
    pub count: usize,
    /// Share of the decisions with the same verdict.
    pub share: f64,
    pub representative_comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synthesis {
    pub decisions: usize,
    pub accepted: usize,
    pub acceptance_rate: Option<f64>,
    /// Decisions on leads that are not in leads.csv.
    pub unmatched: usize,
    /// Most frequent first.
    pub reasons: Vec<Reason>,
    /// Sorted by source name.
    pub by_source: Vec<Acceptance>,
    /// Oldest month first.
    pub by_month: Vec<Acceptance>,
}

fn acceptance<'a>(groups: impl Iterator<Item = (&'a str, bool)>) -> Vec<Acceptance> {
    let mut counts = BTreeMap::<&str, (usize, usize)>::new();
    for (g, ok) in groups {
        let c = counts.entry(g).or_default();
        c.0 += 1;
        c.1 += usize::from(ok);
    }
    counts
        .into_iter()
        .map(|(g, (n, k))| Acceptance {
            group: g.to_owned(),
            decisions: n,
            accepted: k,
            rate: k as f64 / n as f64,
        })
        .collect()
}

pub fn synthesise(decisions: &[Decision]) -> Synthesis {
    let accepted = decisions.iter().filter(|d| d.accepted).count();
    let mut reasons = BTreeMap::<(bool, &str), BTreeMap<&str, usize>>::new();
    for d in decisions {
        *reasons
            .entry((d.accepted, d.reason.as_str()))
            .or_default()
            .entry(d.comment.as_str())
            .or_default() += 1;
    }
    let mut reasons: Vec<Reason> = reasons
        .into_iter()
        .map(|((ok, reason), comments)| {
            let count = comments.values().sum::<usize>();
            let verdict_total = if ok {
                accepted
            } else {
                decisions.len() - accepted
            };
            // BTreeMap iterates alphabetically, and `max_by` keeps the last maximum:
            // reverse so the alphabetically first of equally frequent comments wins.
            let comment = comments
                .iter()
                .rev()
                .max_by_key(|(_, n)| **n)
                .map(|(c, _)| (*c).to_owned())
                .unwrap_or_default();
            Reason {
                reason: reason.to_owned(),
                accepted: ok,
                count,
                share: count as f64 / verdict_total as f64,
                representative_comment: comment,
            }
        })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    Synthesis {
        decisions: decisions.len(),
        accepted,
        acceptance_rate: (!decisions.is_empty()).then(|| accepted as f64 / decisions.len() as f64),
        unmatched: decisions.iter().filter(|d| d.source.is_none()).count(),
        reasons,
        by_source: acceptance(
            decisions
                .iter()
                .filter_map(|d| Some((d.source.as_deref()?, d.accepted))),
        ),
        by_month: acceptance(decisions.iter().map(|d| (d.month.as_str(), d.accepted))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(
        month: &str,
        accepted: bool,
        reason: &str,
        comment: &str,
        source: Option<&str>,
    ) -> Decision {
        Decision {
            month: month.into(),
            accepted,
            reason: reason.into(),
            comment: comment.into(),
            source: source.map(Into::into),
        }
    }

    #[test]
    fn counts_reasons_sources_and_months_by_hand() {
        let rows = [
            d(
                "2026-10",
                true,
                "good_fit",
                "Budget confirmed.",
                Some("seo"),
            ),
            d("2026-10", false, "no_budget", "Next year.", Some("seo")),
            d("2026-11", false, "no_budget", "Next year.", Some("display")),
            d("2026-11", false, "no_budget", "Frozen.", None),
            d("2026-11", false, "bad_fit", "Too small.", Some("display")),
        ];

        let s = synthesise(&rows);

        // 1 of 5 accepted; one lead unknown.
        assert_eq!((s.decisions, s.accepted, s.unmatched), (5, 1, 1));
        assert_eq!(s.acceptance_rate, Some(0.2));
        // no_budget: 3 of the 4 rejections, "Next year." written twice.
        assert_eq!(s.reasons[0].reason, "no_budget");
        assert_eq!((s.reasons[0].count, s.reasons[0].share), (3, 0.75));
        assert_eq!(s.reasons[0].representative_comment, "Next year.");
        // bad_fit and good_fit both once: sorted by name after the count.
        assert_eq!(s.reasons[1].reason, "bad_fit");
        assert_eq!(
            (s.reasons[2].reason.as_str(), s.reasons[2].share),
            ("good_fit", 1.0)
        );
        // display 0 of 2, seo 1 of 2; the unmatched lead is in no source.
        let by_source: Vec<_> = s
            .by_source
            .iter()
            .map(|a| (a.group.as_str(), a.decisions, a.accepted))
            .collect();
        assert_eq!(by_source, [("display", 2, 0), ("seo", 2, 1)]);
        // October 1 of 2, November 0 of 3.
        assert_eq!(s.by_month[0].rate, 0.5);
        assert_eq!(
            (s.by_month[1].group.as_str(), s.by_month[1].decisions),
            ("2026-11", 3)
        );
    }

    #[test]
    fn equally_frequent_comments_pick_the_alphabetically_first() {
        let rows = [
            d("2026-10", false, "timing", "Later.", Some("seo")),
            d(
                "2026-10",
                false,
                "timing",
                "Again in six months.",
                Some("seo"),
            ),
        ];

        let s = synthesise(&rows);

        assert_eq!(s.reasons[0].representative_comment, "Again in six months.");
    }

    #[test]
    fn no_feedback_has_no_rate() {
        let s = synthesise(&[]);

        assert_eq!((s.decisions, s.acceptance_rate), (0, None));
        assert!(s.reasons.is_empty() && s.by_month.is_empty());
    }
}
