//! `objectives.toml`: the team's targets and budget envelope for the quarter being
//! planned, and its roster with weekly capacity. Every key is optional except that a
//! budget must be stated one way or another when the budget stage runs; what is present
//! is checked here, once, so every stage reads the same figures.
//!
//! ```toml
//! revenue_target = 4190000      # currency
//! pipeline_target = 12150000
//! mql_target = 1100             # MQLs in the quarter
//! brand = "share of search 22%" # free text, quoted in the plan
//! total_budget = 1350000        # a fixed figure, or:
//! growth_factor = 1.08          #   last quarter's spend × growth_factor,
//! finance_cap = 1485000         #   capped by finance
//! reserve_share = 0.12          # test reserve, 0.10-0.15 unless overridden
//! allow_reserve_outside_range = false
//!
//! [budget]                     # bounds per channel for the budget stage
//! min_vs_last_quarter = 0.5     #   floor: half of last quarter's spend
//! max_vs_last_quarter = 2.0     #   ceiling: double it
//! [budget.channels.events]      #   absolute bounds for one channel
//! max = 150000
//!
//! [[roster]]
//! name = "Avery Chen"
//! role = "demand gen"
//! capacity_hours_per_week = 32
//! ```

use quarterdeck_analyses::quarter_plan::spec::BudgetRules;
use serde::{Deserialize, Serialize};

use super::{DataSet, InputError};

pub const FILE: &str = "objectives.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objectives {
    pub revenue_target: Option<f64>,
    pub pipeline_target: Option<f64>,
    pub mql_target: Option<f64>,
    pub brand: Option<String>,
    pub total_budget: Option<f64>,
    pub growth_factor: Option<f64>,
    pub finance_cap: Option<f64>,
    #[serde(default = "default_reserve")]
    pub reserve_share: f64,
    #[serde(default)]
    pub allow_reserve_outside_range: bool,
    #[serde(default)]
    pub roster: Vec<Member>,
    /// Per-channel bounds for the budget stage (`[budget]`); see [`BudgetRules`].
    #[serde(default, rename = "budget")]
    pub budget_rules: BudgetRules,
    /// `[scoring]`: how stage 4 refits the lead score.
    #[serde(default)]
    pub scoring: ScoringSettings,
}

/// The `[scoring]` table: the features of the refitted lead score and its MQL target.
///
/// ```toml
/// [scoring]
/// features = ["pages_viewed", "demo_requested"]  # default: every numeric column
/// target_mql_per_month = 360   # or target_mql_to_sql = 0.45; default mql_target / 3
/// points_to_double_odds = 20   # scorecard scale (default 20)
/// score_column = "score"       # the current score (default `score`)
/// l2 = 1.0                     # ridge strength C (default: none, unless separable)
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringSettings {
    pub features: Option<Vec<String>>,
    pub target_mql_per_month: Option<f64>,
    pub target_mql_to_sql: Option<f64>,
    pub points_to_double_odds: Option<f64>,
    pub score_column: Option<String>,
    pub l2: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub name: String,
    pub role: String,
    pub capacity_hours_per_week: f64,
}

fn default_reserve() -> f64 {
    0.12
}

fn check_scoring(s: &ScoringSettings) -> Result<(), String> {
    if s.target_mql_per_month.is_some() && s.target_mql_to_sql.is_some() {
        return Err(
            "[scoring]: set either `target_mql_per_month` or `target_mql_to_sql`, not both".into(),
        );
    }
    if let Some(v) = s.target_mql_per_month
        && !(v.is_finite() && v > 0.0)
    {
        return Err(format!(
            "[scoring] `target_mql_per_month`: expected a number above 0, found {v}"
        ));
    }
    if let Some(v) = s.target_mql_to_sql
        && !(v > 0.0 && v < 1.0)
    {
        return Err(format!(
            "[scoring] `target_mql_to_sql`: expected a fraction in (0, 1) such as 0.45, found {v}"
        ));
    }
    if let Some(v) = s.points_to_double_odds
        && !(v.is_finite() && v > 0.0)
    {
        return Err(format!(
            "[scoring] `points_to_double_odds`: expected a number above 0, found {v}"
        ));
    }
    if let Some(v) = s.l2
        && !(v.is_finite() && v >= 0.0)
    {
        return Err(format!(
            "[scoring] `l2`: expected a number of at least 0, found {v}"
        ));
    }
    if s.features.as_ref().is_some_and(Vec::is_empty) {
        return Err("[scoring] `features`: expected at least one column name".into());
    }
    Ok(())
}

impl Objectives {
    /// The team's objectives, when the data holds `objectives.toml`.
    pub fn read(data: &DataSet) -> Result<Option<Self>, InputError> {
        let Some(text) = data.text(FILE)? else {
            return Ok(None);
        };
        Self::parse(data.origin(FILE).unwrap_or(FILE), text).map(Some)
    }

    /// Parses and checks one file's text; errors name `file` and the key.
    pub fn parse(file: &str, text: &str) -> Result<Self, InputError> {
        let bad = |message: String| InputError::File {
            file: file.to_owned(),
            message,
        };
        let o: Self = toml::from_str(text).map_err(|e| bad(e.to_string().trim().to_owned()))?;
        let non_negative = [
            ("revenue_target", o.revenue_target),
            ("pipeline_target", o.pipeline_target),
            ("mql_target", o.mql_target),
            ("total_budget", o.total_budget),
            ("finance_cap", o.finance_cap),
        ];
        for (key, value) in non_negative {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(bad(format!(
                    "`{key}`: expected a number of at least 0, found {v}"
                )));
            }
        }
        if let Some(g) = o.growth_factor
            && !(g.is_finite() && g > 0.0)
        {
            return Err(bad(format!(
                "`growth_factor`: expected a number above 0, found {g}"
            )));
        }
        if !(0.0..1.0).contains(&o.reserve_share) {
            return Err(bad(format!(
                "`reserve_share`: expected a fraction in [0, 1) such as 0.12, found {}",
                o.reserve_share
            )));
        }
        o.budget_rules.check().map_err(bad)?;
        check_scoring(&o.scoring).map_err(bad)?;
        for (i, m) in o.roster.iter().enumerate() {
            if m.name.trim().is_empty()
                || !(m.capacity_hours_per_week.is_finite() && m.capacity_hours_per_week >= 0.0)
            {
                return Err(bad(format!(
                    "roster entry {}: expected a name and capacity_hours_per_week >= 0, found {:?} and {}",
                    i + 1,
                    m.name,
                    m.capacity_hours_per_week
                )));
            }
        }
        Ok(o)
    }

    /// The quarter's total budget: `total_budget` when stated, else last quarter's
    /// spend × `growth_factor` capped at `finance_cap`; with how it was set.
    pub fn budget(&self, last_quarter_spend: Option<f64>) -> Option<(f64, String)> {
        if let Some(t) = self.total_budget {
            return Some((t, format!("fixed in {FILE}")));
        }
        let (g, spend) = (self.growth_factor?, last_quarter_spend?);
        let grown = spend * g;
        Some(match self.finance_cap {
            Some(cap) if cap < grown => (
                cap,
                format!("last quarter's spend × {g} = {grown:.0}, capped by finance at {cap:.0}"),
            ),
            _ => (grown, format!("last quarter's spend × {g}")),
        })
    }

    /// Roster members whose role mentions `word` (case-insensitive).
    pub fn members_with_role<'a>(&'a self, word: &'a str) -> impl Iterator<Item = &'a Member> {
        let word = word.to_lowercase();
        self.roster
            .iter()
            .filter(move |m| m.role.to_lowercase().contains(&word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses_and_states_its_budget() {
        let o = Objectives::parse(
            "objectives.toml",
            "revenue_target = 100\ntotal_budget = 50\n[[roster]]\nname = \"A\"\nrole = \"content\"\ncapacity_hours_per_week = 30\n",
        )
        .unwrap();
        assert_eq!(o.reserve_share, 0.12);
        assert_eq!(o.budget(Some(1e9)).unwrap().0, 50.0);
        assert_eq!(o.members_with_role("Content").count(), 1);
    }

    #[test]
    fn growth_is_capped_by_finance() {
        let o = Objectives::parse("o.toml", "growth_factor = 1.25\nfinance_cap = 1100\n").unwrap();
        assert_eq!(o.budget(Some(800.0)).unwrap().0, 1000.0);
        let (capped, why) = o.budget(Some(1000.0)).unwrap();
        assert_eq!(capped, 1100.0);
        assert!(why.contains("capped"), "{why}");
        assert_eq!(o.budget(None), None);
    }

    #[test]
    fn bad_values_name_the_file_and_key() {
        for (text, key) in [
            ("reserve_share = 1.5", "reserve_share"),
            ("total_budget = -1", "total_budget"),
            ("growth_factor = 0", "growth_factor"),
            ("total_budjet = 5", "total_budjet"),
            (
                "[[roster]]\nname = \"\"\nrole = \"x\"\ncapacity_hours_per_week = 1",
                "roster entry 1",
            ),
            (
                "[budget]\nmin_vs_last_quarter = -1",
                "budget.min_vs_last_quarter",
            ),
            (
                "[budget]\nmax_vs_last_quarter = 0.2",
                "budget.max_vs_last_quarter",
            ),
            ("[budget]\nmax_share = 2", "max_share"),
            (
                "[budget.channels.email]\nmin = 9\nmax = 3",
                "budget.channels.email",
            ),
            (
                "[budget.channels.email]\nmax = -3",
                "budget.channels.email.max",
            ),
        ] {
            let e = Objectives::parse("team/objectives.toml", text)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("team/objectives.toml: "), "{e}");
            assert!(e.contains(key), "{text}: {e}");
        }
    }

    #[test]
    fn the_scoring_table_is_read_and_checked() {
        let ok = Objectives::parse(
            "objectives.toml",
            "mql_target = 900\n[scoring]\nfeatures = [\"pages_viewed\"]\ntarget_mql_to_sql = 0.4\n",
        )
        .unwrap();

        assert_eq!(ok.scoring.features, Some(vec!["pages_viewed".to_owned()]));
        assert_eq!(ok.scoring.target_mql_to_sql, Some(0.4));
        for (text, key) in [
            ("[scoring]\ntarget_mql_to_sql = 40", "target_mql_to_sql"),
            (
                "[scoring]\ntarget_mql_per_month = 300\ntarget_mql_to_sql = 0.4",
                "not both",
            ),
            ("[scoring]\nfeatures = []", "features"),
            (
                "[scoring]\npoints_to_double_odds = 0",
                "points_to_double_odds",
            ),
            ("[scoring]\nthreshold = 50", "threshold"),
        ] {
            let e = Objectives::parse("objectives.toml", text)
                .unwrap_err()
                .to_string();
            assert!(e.contains(key), "{text}: {e}");
        }
    }
}
