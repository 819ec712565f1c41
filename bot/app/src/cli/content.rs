//! `quarterdeck analyze content` and `quarterdeck analyze seo`: stage 3's analyses on
//! files. Tables for people (the stage's own tables), JSON for machines; bad input exits
//! 2 naming the file, row and column.

use std::path::Path;

use quarterdeck_analyses::content::{self, ContentReview};

use super::{Failure, Format};
use crate::sources::{self, CsvTable};
use crate::stages::content_tables as tables;

fn input(e: sources::InputError) -> Failure {
    Failure::input(e.to_string())
}

fn read_pages(file: &Path) -> Result<Vec<content::PageRow>, Failure> {
    sources::read_content(&CsvTable::read(file).map_err(input)?).map_err(input)
}

fn analysis_error(file: &Path) -> impl Fn(content::ContentError) -> Failure + '_ {
    move |e| Failure::input(format!("{}: {e}", file.display()))
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    println!(
        "{}",
        serde_json::to_string(value).map_err(|e| Failure::internal(e.to_string()))?
    );
    Ok(())
}

/// Page performance of the latest period in `content.csv`.
pub fn content(file: &Path, format: Format) -> Result<(), Failure> {
    let pages = read_pages(file)?;
    let result = content::pages::analyze(&pages).map_err(analysis_error(file))?;
    match format {
        Format::Json => print_json(&result),
        Format::Table => {
            println!(
                "{}\n\n{}\n\n{}",
                tables::top_content(&result, &Default::default()).to_markdown(),
                tables::by_type(&result, &Default::default()).to_markdown(),
                tables::trend(&result).to_markdown()
            );
            Ok(())
        }
    }
}

/// Ranking moves, striking distance, gaps and the ranked opportunities from
/// `keywords.csv`, valued in conversions when `content.csv` is given.
pub fn seo(keywords: &Path, pages: Option<&Path>, format: Format) -> Result<(), Failure> {
    let rows = sources::read_keywords(&CsvTable::read(keywords).map_err(input)?).map_err(input)?;
    let pages = pages.map(read_pages).transpose()?;
    let review: ContentReview =
        content::review(pages.as_deref(), Some(&rows)).map_err(analysis_error(keywords))?;
    match format {
        Format::Json => print_json(&review),
        Format::Table => {
            let Some(s) = &review.seo else {
                return Err(Failure::internal("the SEO analysis produced no findings"));
            };
            println!(
                "{} of {} keywords ranked in the period starting {}; impression share {:.0}%.\nCTR curve: {}\n\n{}\n\n{}\n\n{}\n\n{}",
                s.ranking,
                s.keywords,
                s.period,
                s.impression_share * 100.0,
                review.ctr_curve,
                tables::strategy(&review.opportunities, &Default::default()).to_markdown(),
                tables::striking(s).to_markdown(),
                tables::gaps(s).to_markdown(),
                tables::moves(s).to_markdown()
            );
            Ok(())
        }
    }
}
