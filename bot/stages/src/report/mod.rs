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

    /// `text` with each whole-word occurrence of one of `ids` replaced by its name: for
    /// sentences an analysis wrote with identifiers in them ("moved into seo").
    pub fn in_text<'a>(&self, text: &str, ids: impl IntoIterator<Item = &'a str>) -> String {
        let ids: Vec<&str> = ids.into_iter().filter(|i| !i.is_empty()).collect();
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(word) {
            let (before, tail) = rest.split_at(start);
            out.push_str(before);
            let end = tail.find(|c: char| !word(c)).unwrap_or(tail.len());
            let token = &tail[..end];
            if ids.contains(&token) {
                out.push_str(&self.name(token));
            } else {
                out.push_str(token);
            }
            rest = &tail[end..];
        }
        out.push_str(rest);
        out
    }
}

pub use crate::domain::display::{
    cents, count, label, money, percent, percent_or_dash, plural, whole,
};

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
        assert_eq!(
            names.in_text(
                "moved into seo and paid_social, not seoul",
                ["seo", "paid_social"]
            ),
            "moved into SEO and Meta & LinkedIn ads, not seoul"
        );
    }

    #[test]
    fn money_groups_thousands_and_rounds_to_whole_units() {
        assert_eq!(money(1_234_567.4), "$1,234,567");
        assert_eq!(money(999.5), "$1,000");
        assert_eq!(money(-12_000.0), "-$12,000");
        assert_eq!(money(0.0), "$0");
        assert_eq!(super::count(20_000), "20,000");
        assert_eq!(super::cents(121_921.125_1), "$121,921.13");
        assert_eq!(super::cents(-0.004), "$0.00");
        assert_eq!(super::cents(-1_000.5), "-$1,000.50");
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
