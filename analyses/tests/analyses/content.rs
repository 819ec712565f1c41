//! Content and SEO review against hand-worked fixtures: the CTR curve at its published
//! points, type-and-age normalised page rankings, ranking moves, striking distance, gaps
//! and the ranked opportunities, each value derived in a comment.

use quarterdeck_analyses::content::ctr::ctr;
use quarterdeck_analyses::content::{
    ContentError, KeywordRow, PageRow, pages, rank, review, seo, type_for_keyword,
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() < tol
}

#[test]
fn the_ctr_curve_passes_through_the_published_sistrix_points_and_interpolates_between() {
    // Published: 1 → 28.5%, 2 → 15.7%, 3 → 11.0%, 10 → 2.5%.
    assert_eq!(ctr(1.0), 0.285);
    assert_eq!(ctr(2.4), 0.157);
    assert_eq!(ctr(3.0), 0.110);
    assert!(close(ctr(10.0), 0.025, 1e-12));
    // 4: 0.11 × (0.025/0.11)^(1/7) = 0.11 × 0.80925 = 0.089018.
    assert!(close(ctr(4.0), 0.089_018, 1e-5));
    // 6: 0.11 × (0.025/0.11)^(3/7) = 0.11 × 0.52995 = 0.058295.
    assert!(close(ctr(6.0), 0.058_295, 1e-5));
    // Page two 1%, beyond it 0.2%, above the top reads as 1.
    assert_eq!(ctr(15.0), 0.01);
    assert_eq!(ctr(25.0), 0.002);
    assert_eq!(ctr(0.4), 0.285);
    let curve: Vec<f64> = (1..=25).map(|p| ctr(f64::from(p))).collect();
    assert!(curve.windows(2).all(|w| w[0] >= w[1]), "{curve:?}");
}

fn page(url: &str, kind: &str, period: &str, before: i64, s: f64, e: f64, c: f64) -> PageRow {
    PageRow {
        url: url.into(),
        title: format!("Title {url}"),
        content_type: kind.into(),
        period: period.into(),
        days_published_before_period: before,
        sessions: s,
        engaged_sessions: e,
        engagement_time_s: 60.0,
        conversions: c,
    }
}

const NOW: &str = "2026-10-01";
const BEFORE: &str = "2026-07-01";

fn pages_fixture() -> Vec<PageRow> {
    vec![
        page("/a", "blog", BEFORE, 108, 1000.0, 400.0, 5.0),
        page("/a", "blog", NOW, 200, 910.0, 455.0, 9.0),
        // Published 46 days into the period: 45 live days.
        page("/b", "blog", NOW, -46, 900.0, 720.0, 27.0),
        page("/c", "guide", BEFORE, 208, 300.0, 150.0, 4.0),
        page("/c", "guide", NOW, 300, 182.0, 91.0, 10.0),
        page("/d", "landing_page", NOW, 30, 50.0, 40.0, 5.0),
    ]
}

#[test]
fn pages_are_ranked_by_traffic_normalised_by_type_and_age() {
    let p = pages::analyze(&pages_fixture()).unwrap();

    // Per live day: /a 910/91 = 10, /b 900/45 = 20 → blog median 15 → /a 0.667, /b 1.333;
    // /c and /d are alone in their types → 1.0 each (ties by url).
    assert_eq!(p.period, NOW);
    assert_eq!(p.previous_period.as_deref(), Some(BEFORE));
    assert_eq!(p.top_by_traffic, ["/b", "/c", "/d", "/a"]);
    let a = p.pages.iter().find(|x| x.url == "/a").unwrap();
    assert!(close(a.traffic_index, 10.0 / 15.0, 1e-9));
    // /a: 910 vs 1000 sessions = −9%; 9 vs 5 conversions = +80%.
    assert!(close(a.sessions_change.unwrap(), -0.09, 1e-9));
    assert!(close(a.conversions_change.unwrap(), 0.8, 1e-9));
}

#[test]
fn rate_rankings_leave_out_pages_with_too_few_sessions() {
    let p = pages::analyze(&pages_fixture()).unwrap();

    // Conversions per 1k: /c 10/182 = 54.9, /b 27/900 = 30, /a 9/910 = 9.9; /d has 50 sessions (< 100).
    assert_eq!(p.top_by_conversions, ["/c", "/b", "/a"]);
    // Engagement: /b 0.8, /a 0.5, /c 0.5 (tie by url).
    assert_eq!(p.top_by_engagement, ["/b", "/a", "/c"]);
    // /c fell from 300 to 182 sessions: −39%, past the −20% line; /a's −9% is not.
    assert_eq!(p.declining, ["/c"]);
}

#[test]
fn type_summaries_and_the_trend_add_up_the_rows() {
    let p = pages::analyze(&pages_fixture()).unwrap();

    let blog = p.by_type.iter().find(|t| t.content_type == "blog").unwrap();
    // Blog now: 910 + 900 sessions, 9 + 27 conversions; before: /a only, 1000 sessions.
    assert_eq!(
        (blog.pages, blog.sessions, blog.conversions),
        (2, 1810.0, 36.0)
    );
    assert!(close(blog.conversion_rate.unwrap(), 36.0 / 1810.0, 1e-12));
    assert_eq!(blog.previous_sessions, 1000.0);
    assert_eq!(p.trend.len(), 2);
    // Before: 1000 + 300 sessions, 9 conversions → 6.92 per 1k.
    assert_eq!(p.trend[0].sessions, 1300.0);
    assert!(close(
        p.trend[0].conversions_per_1k.unwrap(),
        9000.0 / 1300.0,
        1e-9
    ));
    // Now: 910 + 900 + 182 + 50 = 2042 sessions.
    assert_eq!(p.trend[1].sessions, 2042.0);
}

#[test]
fn a_negative_session_count_is_refused_naming_the_page() {
    let mut rows = pages_fixture();
    rows[2].sessions = -1.0;

    let err = pages::analyze(&rows).unwrap_err();

    assert!(
        err.to_string().contains("/b") && err.to_string().contains("sessions"),
        "{err}"
    );
    assert_eq!(
        pages::analyze(&[]).unwrap_err(),
        ContentError::Empty("content rows")
    );
}

#[allow(clippy::too_many_arguments)]
fn kw(
    k: &str,
    url: Option<&str>,
    period: &str,
    pos: Option<f64>,
    imp: f64,
    vol: f64,
    comp: Vec<Option<f64>>,
) -> KeywordRow {
    KeywordRow {
        keyword: k.into(),
        url: url.map(Into::into),
        period: period.into(),
        position: pos,
        clicks: pos.map_or(0.0, |p| (imp * ctr(p)).round()),
        impressions: imp,
        search_volume: vol,
        competitor_positions: comp,
    }
}

fn keywords_fixture() -> Vec<KeywordRow> {
    let mut rows = Vec::new();
    for (period, a, b, d, e) in [(BEFORE, 10.0, 12.0, 9.0, 3.0), (NOW, 6.0, 14.6, 2.0, 9.0)] {
        // Impressions = volume × 3 × share: share 0.9 except beta's 0.6.
        rows.push(kw(
            "alpha guide",
            Some("/a"),
            period,
            Some(a),
            2700.0,
            1000.0,
            vec![Some(2.0)],
        ));
        rows.push(kw(
            "beta tool",
            Some("/c"),
            period,
            Some(b),
            900.0,
            500.0,
            vec![None],
        ));
        rows.push(kw(
            "gamma vs delta",
            None,
            period,
            None,
            0.0,
            2000.0,
            vec![Some(4.0), None],
        ));
        rows.push(kw(
            "delta",
            Some("/b"),
            period,
            Some(d),
            135.0,
            50.0,
            vec![None],
        ));
        rows.push(kw(
            "epsilon",
            Some("/b"),
            period,
            Some(e),
            1080.0,
            400.0,
            vec![None],
        ));
        rows.push(kw("zeta", None, period, None, 0.0, 800.0, vec![Some(25.0)]));
    }
    rows
}

#[test]
fn ranking_moves_of_three_positions_or_more_are_gains_and_losses() {
    let s = seo::analyze(&keywords_fixture()).unwrap();

    // delta 9 → 2 (+7), alpha 10 → 6 (+4); epsilon 3 → 9 (−6); beta 12 → 14.6 (−2.6) is too small.
    let gains: Vec<(&str, f64)> = s
        .gains
        .iter()
        .map(|m| (m.keyword.as_str(), m.positions_gained))
        .collect();
    assert_eq!(gains, [("delta", 7.0), ("alpha guide", 4.0)]);
    assert_eq!(s.losses.len(), 1);
    assert_eq!(s.losses[0].keyword, "epsilon");
    // epsilon's stake: 400 × 0.9 × (CTR 3 − CTR 9) = 360 × (0.11 − 0.030893) = 28.48.
    assert!(close(s.losses[0].clicks_per_month_at_stake, 28.48, 0.01));
}

#[test]
fn striking_distance_keywords_are_valued_on_the_ctr_curve_most_clicks_first() {
    let s = seo::analyze(&keywords_fixture()).unwrap();

    // alpha: rank 6 → 3: 1000 × 0.9 × (0.11 − 0.058295) = 46.53.
    // epsilon: rank 9 → 3: 28.48 (above). beta: 14.6 rounds to 15 → 5:
    //   500 × 0.6 × (CTR 5 = 0.11 × (0.025/0.11)^(2/7) = 0.072035 − 0.01) = 18.61.
    // delta ranks 2 (not striking) and has 50 searches (< 100) anyway.
    let got: Vec<(&str, f64, f64)> = s
        .striking_distance
        .iter()
        .map(|k| {
            (
                k.keyword.as_str(),
                k.target_position,
                k.extra_clicks_per_month,
            )
        })
        .collect();
    assert_eq!(got.len(), 3);
    assert_eq!((got[0].0, got[0].1), ("alpha guide", 3.0));
    assert!(close(got[0].2, 46.53, 0.01));
    assert_eq!((got[1].0, got[1].1), ("epsilon", 3.0));
    assert!(close(got[1].2, 28.48, 0.01));
    assert_eq!((got[2].0, got[2].1), ("beta tool", 5.0));
    assert!(close(got[2].2, 18.61, 0.01));
}

#[test]
fn a_gap_is_a_keyword_a_competitor_ranks_for_on_the_first_two_pages_and_we_do_not() {
    let s = seo::analyze(&keywords_fixture()).unwrap();

    // Shares of the ranked keywords 0.9, 0.6, 0.9, 0.9 → median 0.9.
    assert!(close(s.impression_share, 0.9, 1e-12));
    // gamma: competitor at 4, we are absent → 2000 × 0.9 × CTR 10 (0.025) = 45.
    // zeta: the only competitor is at 25, past page two → not a gap.
    assert_eq!(s.gaps.len(), 1);
    assert_eq!(s.gaps[0].keyword, "gamma vs delta");
    assert!(close(s.gaps[0].extra_clicks_per_month, 45.0, 1e-9));
    // 2 of 6 keywords have no position of ours.
    assert!(close(s.gap_share, 2.0 / 6.0, 1e-12));
    assert_eq!((s.keywords, s.ranking), (6, 4));
}

#[test]
fn opportunities_take_one_reading_per_keyword_ranked_by_extra_clicks() {
    let r = review(Some(&pages_fixture()), Some(&keywords_fixture())).unwrap();

    let got: Vec<(&str, &str)> = r
        .opportunities
        .iter()
        .map(|o| (o.keyword.as_str(), o.kind.as_str()))
        .collect();
    // alpha 46.53, gamma 45.0, epsilon 28.48 (striking and refresh tie: the first reading stays), beta 18.61.
    assert_eq!(
        got,
        [
            ("alpha guide", "striking_distance"),
            ("gamma vs delta", "content_gap"),
            ("epsilon", "striking_distance"),
            ("beta tool", "striking_distance"),
        ]
    );
    // alpha improves /a (a blog): 46.53 clicks/month × 3 × blog rate 36/1810 = 2.776.
    let alpha = &r.opportunities[0];
    assert_eq!(alpha.content_type, "blog");
    assert!(close(
        alpha.extra_conversions_per_quarter,
        46.53 * 3.0 * 36.0 / 1810.0,
        0.01
    ));
    // gamma: a comparison page; no comparison pages, so all content's rate:
    // 36 + 10 + 5 = 51 conversions over 2042 sessions.
    let gamma = &r.opportunities[1];
    assert_eq!(gamma.content_type, "comparison");
    assert!(close(
        gamma.extra_conversions_per_quarter,
        45.0 * 3.0 * 51.0 / 2042.0,
        1e-9
    ));
}

#[test]
fn without_content_opportunities_are_valued_in_clicks_only() {
    let r = review(None, Some(&keywords_fixture())).unwrap();

    assert_eq!(r.opportunities.len(), 4);
    assert!(
        r.opportunities
            .iter()
            .all(|o| o.extra_conversions_per_quarter == 0.0)
    );
    assert!(r.content.is_none());
}

#[test]
fn a_new_pages_type_follows_its_keywords_intent() {
    assert_eq!(type_for_keyword("attribution vs last click"), "comparison");
    assert_eq!(type_for_keyword("crm sync pricing"), "landing_page");
    assert_eq!(type_for_keyword("how to forecast pipeline"), "guide");
    assert_eq!(type_for_keyword("revenue ops metrics"), "blog");
}

#[test]
fn opportunities_rank_reads_the_same_without_pages() {
    let s = seo::analyze(&keywords_fixture()).unwrap();

    let ranked = rank(&s, None);

    // A page of ours that content.csv does not describe is improved as a blog.
    assert!(
        ranked
            .iter()
            .filter(|o| o.url.is_some())
            .all(|o| o.content_type == "blog")
    );
    assert!(
        ranked
            .windows(2)
            .all(|w| w[0].extra_clicks_per_month >= w[1].extra_clicks_per_month)
    );
}

#[test]
fn more_impressions_than_searches_do_not_inflate_an_uplift() {
    // 100 searches a month, 600 impressions a quarter: share 2.0, capped at 1.
    let rows = vec![kw(
        "theta",
        Some("/t"),
        NOW,
        Some(6.0),
        600.0,
        100.0,
        vec![None],
    )];

    let s = seo::analyze(&rows).unwrap();

    assert_eq!(s.impression_share, 1.0);
    // 100 × 1 × (0.11 − 0.058295) = 5.17.
    assert!(close(
        s.striking_distance[0].extra_clicks_per_month,
        5.17,
        0.01
    ));
}
