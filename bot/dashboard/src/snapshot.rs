//! Everything the page shows, read from the store in one pass: the run's state, the
//! latest findings of each stage (their typed handoffs are the figures the plan document
//! quotes), and the audit trail. Nothing here computes a figure.

use std::collections::BTreeMap;

use quarterdeck_domain::QuarterRun;
use quarterdeck_stages::stages::handoff::{
    self, BudgetHandoff, CalendarHandoff, ContentPlanHandoff, GoalsHandoff,
};
use quarterdeck_store::{AuditRow, RunMark, Store, StoreError};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One team quarter as stored.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub run: QuarterRun,
    pub mark: RunMark,
    /// Latest findings of each stage, by stage number.
    pub findings: BTreeMap<u8, Value>,
    pub audit: Vec<AuditRow>,
}

impl Snapshot {
    pub async fn load(store: &Store, run_id: &str) -> Result<Option<Self>, StoreError> {
        let Some(stored) = store.load_run(run_id).await? else {
            return Ok(None);
        };
        let Some(mark) = store.run_mark(run_id).await? else {
            return Ok(None);
        };
        let findings = store
            .latest_outputs(run_id)
            .await?
            .into_iter()
            .filter_map(|o| {
                let stage = u8::try_from(o.stage).ok()?;
                let value = serde_json::from_str(&o.findings).ok()?;
                Some((stage, value))
            })
            .collect();
        let audit = store.audit_trail(run_id).await?;
        Ok(Some(Self {
            run: stored.run,
            mark,
            findings,
            audit,
        }))
    }

    /// A stage's typed handoff, when the stage produced one.
    pub fn handoff<T: DeserializeOwned>(&self, stage: u8) -> Option<T> {
        let v = self.findings.get(&stage)?.get(handoff::KEY)?;
        serde_json::from_value(v.clone()).ok()
    }

    pub fn budget(&self) -> Option<BudgetHandoff> {
        self.handoff(6)
    }

    pub fn goals(&self) -> Option<GoalsHandoff> {
        self.handoff(7)
    }

    pub fn calendar(&self) -> Option<CalendarHandoff> {
        self.handoff(8)
    }

    pub fn content_plan(&self) -> Option<ContentPlanHandoff> {
        self.handoff(9)
    }

    /// The figures the approved version states (the locked plan pacing is measured
    /// against), when approved and reported by the plan stage.
    pub fn locked_figures(&self) -> Option<&quarterdeck_domain::PlanFigures> {
        let v = self.run.approved_version?;
        self.run
            .plan_versions
            .iter()
            .find(|p| p.version == v)?
            .figures
            .as_ref()
    }

    /// Each check-in week's pace against the locked plan (the domain's pacing arithmetic,
    /// the one the weekly digest and `summary.json` use), measured to the check-in's
    /// date in UTC.
    pub fn pacing(&self) -> Vec<quarterdeck_domain::pacing::WeekPace> {
        let Some(plan) = self.locked_figures() else {
            return Vec::new();
        };
        self.run
            .checkins
            .iter()
            .filter(|w| !w.entries.is_empty())
            .map(|w| {
                quarterdeck_domain::pacing::week_pace(
                    plan,
                    &self.run.checkins,
                    w.week,
                    self.run.local_date(w.due_at),
                )
            })
            .collect()
    }

    /// The plan document's risk list (stage 10's findings).
    pub fn risks(&self) -> Vec<Risk> {
        self.findings
            .get(&10)
            .and_then(|f| f.get("risks"))
            .and_then(|r| serde_json::from_value(r.clone()).ok())
            .unwrap_or_default()
    }
}

/// A risk as stage 10 stores it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Risk {
    pub severity: String,
    pub title: String,
    pub evidence: String,
    pub mitigation: String,
}
