//! Our funnel rates against published benchmarks (rule 5 of the market rules): matching
//! a rate to the benchmark rows for the same metric and channel, and the gap test.

use super::{Benchmark, Comparison, GAP_WITHOUT_COUNTS, OurRate, normalise_channel};
use crate::funnel::{Z95, wilson};

/// The channel a benchmark segment names (`b2b_saas;channel=seo` → `seo`).
fn segment_channel(segment: &str) -> Option<String> {
    segment
        .split(';')
        .find_map(|part| part.trim().strip_prefix("channel="))
        .map(normalise_channel)
}

/// A source without its parenthesised details (`Pub (50 clients; 2025)` → `Pub`).
fn short(source: &str) -> &str {
    source.split(" (").next().unwrap_or(source).trim()
}

/// Our rates against the benchmark for the same metric: the segment naming the same
/// channel, or, for overall rates, the median over every segment of the metric.
pub(super) fn compare(ours: &[OurRate], benchmarks: &[Benchmark]) -> Vec<Comparison> {
    ours.iter()
        .filter_map(|o| {
            let candidates: Vec<&Benchmark> = benchmarks
                .iter()
                .filter(|b| b.metric == o.metric && b.unit == "percent")
                .filter(|b| match &o.channel {
                    Some(c) => segment_channel(&b.segment).as_deref() == Some(c.as_str()),
                    None => true,
                })
                .collect();
            let (benchmark, segment, source) = match candidates.as_slice() {
                [] => return None,
                [one] => (
                    one.value,
                    one.segment.clone(),
                    short(&one.source).to_owned(),
                ),
                many => {
                    let mut v: Vec<f64> = many.iter().map(|b| b.value).collect();
                    v.sort_by(f64::total_cmp);
                    let n = v.len();
                    let median = if n % 2 == 1 {
                        v[n / 2]
                    } else {
                        (v[n / 2 - 1] + v[n / 2]) / 2.0
                    };
                    let mut sources: Vec<&str> = many.iter().map(|b| short(&b.source)).collect();
                    sources.sort_unstable();
                    sources.dedup();
                    let named = if sources.len() > 3 {
                        format!(
                            "{}; and {} more",
                            sources[..3].join("; "),
                            sources.len() - 3
                        )
                    } else {
                        sources.join("; ")
                    };
                    (median, format!("median of {n} published figures"), named)
                }
            };
            let high = o.counts.and_then(|(n, k)| wilson(k, n, Z95)).map(|w| w.1);
            let below = match high {
                Some(h) => h < benchmark,
                None => o.rate < benchmark * (1.0 - GAP_WITHOUT_COUNTS),
            };
            Some(Comparison {
                metric: o.metric.clone(),
                channel: o.channel.clone(),
                ours: o.rate,
                ours_high: high,
                benchmark,
                segment,
                source,
                below,
                extra_at_benchmark: o
                    .counts
                    .map(|(n, _)| (n as f64 * (benchmark - o.rate)).max(0.0)),
            })
        })
        .collect()
}
