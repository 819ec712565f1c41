//! The stage registry: the one place that says what each of the twelve stages is — its
//! number, name, week, kind, the earlier stages it reads, the input files it reads, the
//! analysis it runs and the stakeholder group that owns its content. Everything else
//! (timeline, engine, stages, plan, CLI) reads these answers from here.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One stage of the quarterly planning process. Numbered 1–12 as users see them; stored
/// and serialised as that number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
#[repr(u8)]
pub enum StageId {
    PerformanceReview = 1,
    FunnelHealth = 2,
    ContentSeo = 3,
    LeadScoring = 4,
    Market = 5,
    Budget = 6,
    Goals = 7,
    Calendar = 8,
    ContentPlan = 9,
    PlanDocument = 10,
    Approval = 11,
    Kickoff = 12,
}

/// What a stage does when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageKind {
    /// Computes findings from the team's data and earlier findings, and posts them.
    Analysis,
    /// Assembles the plan document from every earlier stage's findings.
    Document,
    /// Collects the stakeholder groups' decisions on a plan version; computes nothing.
    Approval,
    /// Hands the approved plan to the campaign owners and starts the check-ins.
    Kickoff,
}

/// Everything the process knows about one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageSpec {
    pub id: StageId,
    pub name: &'static str,
    /// Planning week (1–4) the stage is due in.
    pub week: u8,
    pub kind: StageKind,
    /// The analysis it runs, as named in the planning process.
    pub analysis: &'static str,
    /// Earlier stages whose findings it reads.
    pub dependencies: &'static [StageId],
    /// Input files it reads from the team's sources.
    pub inputs: &'static [&'static str],
    /// The stakeholder group that owns the stage's content and answers change requests.
    pub owner_group: &'static str,
}

/// Input files, named once.
mod file {
    pub const SPEND: &str = "spend.csv";
    pub const CAMPAIGNS: &str = "campaigns.csv";
    pub const TOUCHPOINTS: &str = "touchpoints.csv";
    pub const CONVERSIONS: &str = "conversions.csv";
    pub const PATHS: &str = "paths.csv";
    pub const LEADS: &str = "leads.csv";
    /// Deals or opportunities exported apart from the leads, joined to them by lead id.
    pub const DEALS: &str = "deals.csv";
    pub const BENCHMARKS: &str = "benchmarks.csv";
    pub const CONTENT: &str = "content.csv";
    pub const KEYWORDS: &str = "keywords.csv";
    pub const FEEDBACK: &str = "sales_feedback.csv";
    pub const OBJECTIVES: &str = "objectives.toml";
    pub const COMPETITORS: &str = "competitors.csv";
    pub const TRENDS: &str = "trends.csv";
    pub const MEDIA: &str = "weekly_media.csv";
    pub const REVENUE: &str = "weekly_revenue.csv";
    pub const CONTROLS: &str = "controls.csv";
    pub const EXPERIMENTS: &str = "experiments.csv";
}

use StageId::*;

use file::*;

const REGISTRY: [StageSpec; 12] = [
    StageSpec {
        id: PerformanceReview,
        name: "Performance review",
        week: 1,
        kind: StageKind::Analysis,
        analysis: "campaign-roi-analyzer and attribution-analyst",
        dependencies: &[],
        inputs: &[
            SPEND,
            CAMPAIGNS,
            TOUCHPOINTS,
            CONVERSIONS,
            PATHS,
            LEADS,
            DEALS,
        ],
        owner_group: "marketing",
    },
    StageSpec {
        id: FunnelHealth,
        name: "Funnel health",
        week: 1,
        kind: StageKind::Analysis,
        analysis: "marketing-funnel-optimizer",
        dependencies: &[],
        inputs: &[LEADS, DEALS, BENCHMARKS],
        owner_group: "marketing",
    },
    StageSpec {
        id: ContentSeo,
        name: "Content & SEO",
        week: 1,
        kind: StageKind::Analysis,
        analysis: "content-performance-analyst",
        dependencies: &[],
        inputs: &[CONTENT, KEYWORDS],
        owner_group: "marketing",
    },
    StageSpec {
        id: LeadScoring,
        name: "Lead quality & scoring",
        week: 1,
        kind: StageKind::Analysis,
        analysis: "lead-scoring-engine",
        // Lead scoring uses the measured funnel.
        dependencies: &[FunnelHealth],
        inputs: &[LEADS, FEEDBACK, OBJECTIVES],
        owner_group: "sales",
    },
    StageSpec {
        id: Market,
        name: "Market & competitive landscape",
        week: 1,
        kind: StageKind::Analysis,
        analysis: "market & competitive analysis",
        // Journey shifts, and our rates against benchmarks.
        dependencies: &[PerformanceReview, FunnelHealth],
        inputs: &[
            COMPETITORS,
            TRENDS,
            BENCHMARKS,
            TOUCHPOINTS,
            CONVERSIONS,
            LEADS,
            DEALS,
        ],
        owner_group: "marketing",
    },
    StageSpec {
        id: Budget,
        name: "Budget allocation",
        week: 2,
        kind: StageKind::Analysis,
        analysis: "marketing-budget-optimizer",
        // The budget starts from ROI and attribution.
        dependencies: &[PerformanceReview],
        inputs: &[MEDIA, REVENUE, CONTROLS, OBJECTIVES, CAMPAIGNS, EXPERIMENTS],
        owner_group: "finance",
    },
    StageSpec {
        id: Goals,
        name: "Goals & KPIs",
        week: 2,
        kind: StageKind::Analysis,
        analysis: "goals & KPIs",
        // Goals from funnel rates, scoring and the allocation.
        dependencies: &[FunnelHealth, LeadScoring, Budget],
        inputs: &[OBJECTIVES, LEADS, DEALS, REVENUE],
        owner_group: "marketing",
    },
    StageSpec {
        id: Calendar,
        name: "Campaign calendar & testing roadmap",
        week: 2,
        kind: StageKind::Analysis,
        analysis: "campaign planning",
        // Campaigns are funded from the allocation and sized by the goals.
        dependencies: &[Budget, Goals],
        inputs: &[CAMPAIGNS, OBJECTIVES, SPEND],
        owner_group: "marketing",
    },
    StageSpec {
        id: ContentPlan,
        name: "Content production plan",
        week: 2,
        kind: StageKind::Analysis,
        analysis: "content production plan",
        // Content from the SEO review and the calendar.
        dependencies: &[ContentSeo, Calendar],
        inputs: &[CONTENT, KEYWORDS, OBJECTIVES],
        owner_group: "marketing",
    },
    StageSpec {
        id: PlanDocument,
        name: "Quarterly plan document",
        week: 3,
        kind: StageKind::Document,
        analysis: "plan synthesis",
        dependencies: &[
            PerformanceReview,
            FunnelHealth,
            ContentSeo,
            LeadScoring,
            Market,
            Budget,
            Goals,
            Calendar,
            ContentPlan,
        ],
        inputs: &[OBJECTIVES],
        owner_group: "marketing",
    },
    StageSpec {
        id: Approval,
        name: "Stakeholder approval",
        week: 3,
        kind: StageKind::Approval,
        analysis: "none",
        dependencies: &[PlanDocument],
        inputs: &[],
        owner_group: "marketing",
    },
    StageSpec {
        id: Kickoff,
        name: "Execution kickoff",
        week: 4,
        kind: StageKind::Kickoff,
        analysis: "execution kickoff",
        dependencies: &[StageId::Approval],
        inputs: &[CAMPAIGNS],
        owner_group: "marketing",
    },
];

impl StageId {
    /// Every stage, in process order.
    pub const ALL: [StageId; 12] = [
        PerformanceReview,
        FunnelHealth,
        ContentSeo,
        LeadScoring,
        Market,
        Budget,
        Goals,
        Calendar,
        ContentPlan,
        PlanDocument,
        StageId::Approval,
        StageId::Kickoff,
    ];

    /// Number of stages.
    pub const COUNT: u8 = 12;

    /// The stage numbered `n` (1–12), as users and stored rows name it.
    pub const fn from_number(n: u8) -> Option<StageId> {
        if n >= 1 && n <= Self::COUNT {
            Some(Self::ALL[(n - 1) as usize])
        } else {
            None
        }
    }

    pub const fn number(self) -> u8 {
        self as u8
    }

    pub const fn spec(self) -> &'static StageSpec {
        &REGISTRY[(self as u8 - 1) as usize]
    }

    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    pub const fn dependencies(self) -> &'static [StageId] {
        self.spec().dependencies
    }

    pub const fn inputs(self) -> &'static [&'static str] {
        self.spec().inputs
    }

    /// `Stage 6 · Budget allocation`.
    pub fn title(self) -> String {
        format!("Stage {} · {}", self.number(), self.name())
    }

    /// Every stage that reads this one's findings, directly or not, in process order.
    pub fn dependents_closure(self) -> Vec<StageId> {
        let mut out: Vec<StageId> = Vec::new();
        for m in Self::ALL.into_iter().filter(|m| *m > self) {
            if m.dependencies()
                .iter()
                .any(|d| *d == self || out.contains(d))
            {
                out.push(m);
            }
        }
        out
    }
}

impl From<StageId> for u8 {
    fn from(id: StageId) -> u8 {
        id.number()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("there is no stage {0}: stages are numbered 1 to 12")]
pub struct UnknownStage(pub u8);

impl TryFrom<u8> for StageId {
    type Error = UnknownStage;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::from_number(n).ok_or(UnknownStage(n))
    }
}

impl fmt::Display for StageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stage {}", self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_registry_row_sits_at_its_stages_number() {
        for (i, spec) in REGISTRY.iter().enumerate() {
            assert_eq!(usize::from(spec.id.number()), i + 1);
            assert_eq!(StageId::from_number(spec.id.number()), Some(spec.id));
        }
        assert_eq!(StageId::from_number(0), None);
        assert_eq!(StageId::from_number(13), None);
    }

    #[test]
    fn every_dependency_points_to_an_earlier_stage() {
        for id in StageId::ALL {
            assert!(id.dependencies().iter().all(|d| *d < id), "{id}");
        }
    }

    #[test]
    fn weeks_follow_the_four_week_timeline() {
        let weeks: Vec<u8> = StageId::ALL.iter().map(|id| id.spec().week).collect();
        assert_eq!(weeks, [1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4]);
    }

    #[test]
    fn rerunning_the_funnel_stales_scoring_market_goals_and_everything_after_them() {
        let numbers = |v: Vec<StageId>| v.into_iter().map(StageId::number).collect::<Vec<_>>();

        assert_eq!(
            numbers(FunnelHealth.dependents_closure()),
            vec![4, 5, 7, 8, 9, 10, 11, 12]
        );
        assert_eq!(
            numbers(ContentSeo.dependents_closure()),
            vec![9, 10, 11, 12]
        );
        assert!(StageId::Kickoff.dependents_closure().is_empty());
    }

    #[test]
    fn a_stage_is_stored_as_its_number_and_an_unknown_number_is_refused() {
        assert_eq!(serde_json::to_string(&Budget).unwrap(), "6");
        assert_eq!(
            serde_json::from_str::<StageId>("12").unwrap(),
            StageId::Kickoff
        );
        assert!(serde_json::from_str::<StageId>("13").is_err());
        assert_eq!(Budget.title(), "Stage 6 · Budget allocation");
    }
}
