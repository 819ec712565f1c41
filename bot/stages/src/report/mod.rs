//! Documents for people: a small structured document model rendered to markdown and to
//! one self-contained HTML file. The plan document (stage 10) is built on it.

pub mod diff;
mod document;

pub use document::{Block, Document, Figure, Section};

use std::collections::BTreeMap;

/// How people see the team's identifiers (channels, statuses, page types, features):
/// the team's own names (`[teams.display_names]`, keyed by identifier) and [`label`]
/// for the rest. Every post, plan section and chart names things through it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct DisplayNames(BTreeMap<String, String>);

impl DisplayNames {
    pub fn new(overrides: BTreeMap<String, String>) -> Self {
        Self(overrides)
    }

    /// The name people read for `id`: the team's override, else [`label`].
    pub fn name(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| label(id))
    }
}

/// An identifier as people read it: `paid_search` → `Paid Search`, `linkedin` →
/// `LinkedIn`, `seo` → `SEO`, `is_target_industry` → `Target Industry`. Title case by
/// default; brand names and acronyms keep their spelling.
pub fn label(id: &str) -> String {
    const SPELLED: [(&str, &str); 10] = [
        ("linkedin", "LinkedIn"),
        ("seo", "SEO"),
        ("sem", "SEM"),
        ("mql", "MQL"),
        ("mqls", "MQLs"),
        ("sql", "SQL"),
        ("sqls", "SQLs"),
        ("roas", "ROAS"),
        ("smb", "SMB"),
        ("ctr", "CTR"),
    ];
    let words: Vec<&str> = id
        .split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let skip = usize::from(words.len() > 1 && words[0].eq_ignore_ascii_case("is"));
    words[skip..]
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            match SPELLED.iter().find(|(k, _)| *k == lower) {
                Some((_, v)) => (*v).to_owned(),
                None => {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1 funded test`, `2 funded tests`: the count with thousands separators and the noun
/// in the number it needs (`plural` is the plural form).
pub fn plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{} {}", count(n), if n == 1 { singular } else { plural })
}

/// Money in whole currency units with thousands separators: `$1,234,567`.
pub fn money(amount: f64) -> String {
    let sign = if amount < 0.0 { "-" } else { "" };
    format!("{sign}${}", grouped(amount.abs().round() as u64))
}

/// A fraction as a percentage with one decimal: `0.381` → `38.1%`.
pub fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// [`percent`], or `—` when there is no value.
pub fn percent_or_dash(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), percent)
}

/// A number rounded to a whole count with thousands separators: `1,616`.
pub fn whole(x: f64) -> String {
    let sign = if x <= -0.5 { "-" } else { "" };
    format!("{sign}{}", count(x.abs().round() as usize))
}

/// A count with thousands separators: `20,000`.
pub fn count(n: usize) -> String {
    grouped(n as u64)
}

fn grouped(whole: u64) -> String {
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn a_team_name_replaces_the_title_case_default_for_its_identifier_only() {
        let names = super::DisplayNames::new(
            [("paid_social".to_owned(), "Meta & LinkedIn ads".to_owned())].into(),
        );

        assert_eq!(names.name("paid_social"), "Meta & LinkedIn ads");
        assert_eq!(names.name("paid_search"), "Paid Search");
    }

    #[test]
    fn money_groups_thousands_and_rounds_to_whole_units() {
        assert_eq!(money(1_234_567.4), "$1,234,567");
        assert_eq!(money(999.5), "$1,000");
        assert_eq!(money(-12_000.0), "-$12,000");
        assert_eq!(money(0.0), "$0");
        assert_eq!(super::count(20_000), "20,000");
    }

    #[test]
    fn identifiers_read_as_names_and_counts_agree_with_their_nouns() {
        use super::{label, plural};
        assert_eq!(label("paid_search"), "Paid Search");
        assert_eq!(label("linkedin"), "LinkedIn");
        assert_eq!(label("seo"), "SEO");
        assert_eq!(label("is_target_industry"), "Target Industry");
        assert_eq!(label("on_track"), "On Track");
        assert_eq!(label("landing_page"), "Landing Page");
        assert_eq!(plural(1, "funded test", "funded tests"), "1 funded test");
        assert_eq!(plural(7, "conflict", "conflicts"), "7 conflicts");
        assert_eq!(plural(12_000, "lead", "leads"), "12,000 leads");
    }
}
