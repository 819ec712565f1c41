//! Bench binary (`cargo bench --bench plan`): rendering the quarterly plan (stage 10:
//! nine sections, appendices, risks, three charts, markdown + self-contained HTML, the
//! diff against the previous version) from the findings of stages 1-9 computed on the
//! sample data. Target: under 200 ms. Prints figures; asserts nothing.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use quarterdeck::domain::QuarterRun;
use quarterdeck::sample::{SampleSpec, generate};
use quarterdeck::sources::DataSet;
use quarterdeck::stages::{StageInputs, compute, inputs_of};

const RUNS: usize = 30;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let spec = SampleSpec {
        seed: 42,
        prior_start: d("2026-10-01"),
        prior_end: d("2026-12-31"),
        next_start: d("2027-01-01"),
        next_end: d("2027-03-31"),
    };
    generate(&spec).write_to(dir.path()).unwrap();
    let due = vec![Utc.with_ymd_and_hms(2026, 12, 24, 14, 0, 0).unwrap(); 12];
    let mut inputs = StageInputs {
        run: QuarterRun::new("growth", "2027-Q1", &due),
        tz: chrono_tz::UTC,
        quarter_start: spec.next_start,
        review_start: spec.prior_start,
        checkins: Vec::new(),
        data: DataSet::default(),
        outputs: BTreeMap::new(),
        names: Default::default(),
    };
    let started = Instant::now();
    for n in 1..=9 {
        inputs.data = DataSet::from_dir(dir.path(), inputs_of(n)).unwrap();
        let out = compute(n, &inputs).unwrap();
        inputs.outputs.insert(n, out.findings);
    }
    println!(
        "stages 1-9 on the sample data: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    inputs.data = DataSet::from_dir(dir.path(), inputs_of(10)).unwrap();
    // A first version, so each timed run also diffs against it.
    let first = compute(10, &inputs).unwrap();
    inputs.outputs.insert(10, first.findings);
    let mut times = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = compute(10, &inputs).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        let plan = out.plan.unwrap();
        bytes = plan.html.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "plan render (stage 10), {RUNS} runs: median {:.1} ms, worst {:.1} ms (target < 200 ms); HTML {} kB",
        times[RUNS / 2],
        times[RUNS - 1],
        bytes / 1024
    );
}
