//! Documents for people: a small structured document model rendered to markdown and to
//! one self-contained HTML file. The plan document (stage 10) is built on it.

pub mod diff;
mod document;

pub use document::{Block, Document, Figure, Section};

pub use crate::domain::display::{
    DisplayNames, cents, change_or_dash, count, label, money, percent, percent_or_dash, plural,
    whole,
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
        // Exported metric names: acronyms and unit suffixes read as people write them.
        assert_eq!(label("median_cpc_usd"), "Median CPC (USD)");
        assert_eq!(label("click_rate_pct"), "Click Rate (%)");
        assert_eq!(label("ai search answers"), "AI Search Answers");
        assert_eq!(plural(1, "funded test", "funded tests"), "1 funded test");
        assert_eq!(plural(7, "conflict", "conflicts"), "7 conflicts");
        assert_eq!(plural(12_000, "lead", "leads"), "12,000 leads");
    }
}
