//! The generated sample's exports as the team would receive them. Week 1 reviews a
//! quarter that has not ended, so the exports the first stages read are pulled on
//! stage 1's day and run to the day before (`OUT/data`, the folder the stages read).
//! The final exports, through the quarter's last day, are kept aside (`OUT/data-final`)
//! and land in `OUT/data` early in week 2, an hour before stage 6: each file that
//! changed is announced with the same `DataArrived` event a `/data upload` produces,
//! which re-runs the finished stages that read it and, after them, their dependents.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::SimulateError;
use crate::domain::{Actor, QuarterRun, StageId, StageStatus};
use crate::engine::{Event, Job, JobSpec, MissedPolicy, PlanContext};
use crate::sample::Dataset;

/// Where the exports are and when the final ones arrive.
#[derive(Debug, Clone)]
pub struct Exports {
    /// The folder the stages read.
    pub data: PathBuf,
    /// The final exports, until they arrive.
    pub final_dir: PathBuf,
    /// When the final exports land (`None`: the first exports were already final).
    pub arrival: Option<DateTime<Utc>>,
}

/// The day the first exports are pulled and the last whole day they cover.
pub fn first_read(stage_one_due: NaiveDate) -> NaiveDate {
    stage_one_due.pred_opt().unwrap_or(stage_one_due)
}

/// Writes the first exports (through `through`) to `OUT/data` and the final ones to
/// `OUT/data-final`, unless they are there already (a resumed run).
pub fn write(
    out: &Path,
    full: &Dataset,
    through: NaiveDate,
    quarter_end: NaiveDate,
) -> Result<(), SimulateError> {
    let data = out.join("data");
    let final_dir = out.join("data-final");
    let bad = |e: crate::sample::SampleError| SimulateError::Input(e.to_string());
    if !final_dir.join("truth.json").is_file() {
        full.write_to(&final_dir).map_err(bad)?;
    }
    if !data.join("truth.json").is_file() {
        full.as_of(through, quarter_end)
            .write_to(&data)
            .map_err(bad)?;
    }
    Ok(())
}

impl Exports {
    /// Whether the final exports are due at `now` and not yet in place.
    fn due(&self, now: DateTime<Utc>) -> bool {
        self.arrival.is_some_and(|a| now >= a) && !self.data.join(ARRIVED).is_file()
    }

    /// At the arrival time: copies the final files that differ into the data folder and
    /// returns the `DataArrived` jobs for those a finished stage read. Idempotent: the
    /// copy leaves a marker, and job ids are stable.
    pub fn deliver(
        &self,
        run: &QuarterRun,
        ctx: &PlanContext,
        now: DateTime<Utc>,
    ) -> Result<Vec<JobSpec>, SimulateError> {
        if !self.due(now) {
            return Ok(Vec::new());
        }
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| SimulateError::Io { path, source }
        };
        let mut changed = Vec::new();
        let mut names: Vec<_> = std::fs::read_dir(&self.final_dir)
            .map_err(io(&self.final_dir))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let from = self.final_dir.join(&name);
            let to = self.data.join(&name);
            let bytes = std::fs::read(&from).map_err(io(&from))?;
            if std::fs::read(&to).ok().as_deref() != Some(&bytes[..]) {
                std::fs::write(&to, &bytes).map_err(io(&to))?;
                changed.push(name);
            }
        }
        let marker = self.data.join(ARRIVED);
        std::fs::write(&marker, now.to_rfc3339()).map_err(io(&marker))?;
        let actor = Actor::new(
            "sim-marketing-ops",
            "Marketing ops",
            &ctx.roles
                .run_stages
                .iter()
                .take(1)
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        // One event per file would re-run a stage once for each of its files; the
        // events are chosen so each finished reader re-runs once (it reads every one of
        // its files again), and are due just before the re-runs they start.
        Ok(covering(run, &changed)
            .into_iter()
            .map(|file| JobSpec {
                id: format!("{}/sim/data-arrived/{file}", run.id),
                due_at: now - Duration::seconds(1),
                job: Job::Deliver {
                    event: Box::new(Event::DataArrived {
                        actor: actor.clone(),
                        file,
                    }),
                },
                policy: MissedPolicy::RunLate,
            })
            .collect())
    }
}

/// The fewest changed files whose finished readers cover every finished reader of any
/// changed file, each adding a reader the ones before it did not (greedy, most readers
/// first, ties by name).
fn covering(run: &QuarterRun, changed: &[String]) -> Vec<String> {
    let readers = |file: &str| -> std::collections::BTreeSet<u8> {
        StageId::ALL
            .iter()
            .filter(|id| id.inputs().contains(&file))
            .map(|id| id.number())
            .filter(|n| run.stage(*n).is_some_and(|s| s.status == StageStatus::Done))
            .collect()
    };
    let mut left: Vec<(String, std::collections::BTreeSet<u8>)> = changed
        .iter()
        .map(|f| (f.clone(), readers(f)))
        .filter(|(_, r)| !r.is_empty())
        .collect();
    let mut covered = std::collections::BTreeSet::new();
    let mut chosen = Vec::new();
    loop {
        left.sort_by(|a, b| {
            let new = |r: &std::collections::BTreeSet<u8>| r.difference(&covered).count();
            new(&b.1).cmp(&new(&a.1)).then_with(|| a.0.cmp(&b.0))
        });
        match left.first() {
            Some((file, r)) if r.difference(&covered).count() > 0 => {
                covered.extend(r.iter().copied());
                chosen.push(file.clone());
                left.remove(0);
            }
            _ => return chosen,
        }
    }
}

/// The marker the arrival leaves in the data folder.
const ARRIVED: &str = ".final-exports-arrived";

/// An hour before stage 6, when that is after the quarter under review ended.
pub fn arrival(
    stage_six_due: DateTime<Utc>,
    ctx_tz: chrono_tz::Tz,
    quarter_end: NaiveDate,
) -> Option<DateTime<Utc>> {
    let at = stage_six_due - Duration::hours(1);
    (at.with_timezone(&ctx_tz).date_naive() > quarter_end).then_some(at)
}
