use std::collections::HashSet;

use chrono::{TimeZone, Utc};
use quarterdeck_domain::chat::{ButtonStyle, File, Mention, Message, Outgoing, Table};

use super::limits;
use super::text::{headline, len, split};
use super::*;
use crate::spec::Spec;

fn png(name: &str) -> File {
    File {
        name: name.into(),
        content_type: "image/png".into(),
        bytes: vec![0x89, b'P', b'N', b'G'],
    }
}

fn post<'a>(key: &'a str, m: &'a Message, files: &'a [File]) -> Outgoing<'a> {
    Outgoing {
        key,
        channel: "growth-planning",
        kind: "stage_result",
        at: Utc.with_ymd_and_hms(2026, 12, 8, 14, 30, 0).unwrap(),
        message: m,
        files,
        thread: None,
    }
}

/// Every request is valid against Discord's schema for its route and within the limits.
fn assert_valid(requests: &[Request]) {
    for r in requests {
        if let Err(e) = Spec::bundled().check_request(r.method.as_str(), r.route, &r.body) {
            panic!("{} {}: {e:#?}\n{}", r.method.as_str(), r.route, r.body);
        }
        let names: Vec<String> = r.files.iter().map(|f| f.name.clone()).collect();
        let bad = limits::check(&r.body, &names);
        assert!(bad.is_empty(), "{bad:?} in {}", r.body);
    }
}

fn sentence(i: usize) -> String {
    format!("Finding number {i} says that the channel mix moved by {i} points this week. ")
}

#[test]
fn a_short_message_is_one_request_with_its_chart_as_an_attachment_image() {
    let m = Message::new(
        "Stage 1 · Channel ROI",
        "Paid search returns 2.4× its spend.",
    )
    .field("Best channel", "Paid search");
    let files = [png("roi-by-channel.png")];
    let requests = render(&post("growth/2027-Q1/s01/result/v1", &m, &files));
    assert_eq!(requests.len(), 1);
    let b = &requests[0].body;
    assert_eq!(requests[0].route, "/channels/{channel_id}/messages");
    assert_eq!(
        b["embeds"][0]["image"]["url"],
        "attachment://roi-by-channel.png"
    );
    assert_eq!(b["attachments"][0]["filename"], "roi-by-channel.png");
    assert_eq!(b["embeds"][0]["fields"][0]["value"], "Paid search");
    assert_eq!(b["enforce_nonce"], true);
    assert_valid(&requests);
}

#[test]
fn long_findings_go_to_a_thread_split_between_sentences_with_nothing_lost() {
    let paragraphs: Vec<String> = (0..12)
        .map(|p| {
            (0..8)
                .map(|s| sentence(p * 10 + s))
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .collect();
    let body = paragraphs.join("\n\n");
    let m = Message::new("Stage 8 · Content review", body.clone());
    let files = [png("a.png"), png("b.png"), png("c.png")];
    let requests = render(&post("growth/2027-Q1/s08/result/v1", &m, &files));
    assert_valid(&requests);
    assert_eq!(
        requests[1].route,
        "/channels/{channel_id}/messages/{message_id}/threads"
    );
    assert_eq!(requests[1].target, Target::ThreadFrom(0));
    let head = requests[0].body["embeds"][0]["description"]
        .as_str()
        .unwrap();
    assert!(
        len(head) <= HEADLINE_CHARS + 60,
        "the headline is short: {}",
        len(head)
    );
    assert_eq!(
        requests[0].files.len(),
        1,
        "the headline shows the first chart"
    );
    // The thread's text, rejoined, is the body after the headline: every sentence,
    // each chunk ending at a sentence's end.
    let chunks: Vec<&str> = requests
        .iter()
        .filter(|r| r.target == Target::Thread(1))
        .filter_map(|r| r.body["content"].as_str())
        .collect();
    assert!(chunks.len() >= 3);
    for c in &chunks {
        assert!(
            c.ends_with('.'),
            "a chunk ends mid-sentence: …{}",
            &c[c.len() - 20..]
        );
    }
    let head_text = head.trim_end_matches("\n\n*The detail is in the thread below.*");
    let rejoined = format!("{head_text}\n\n{}", chunks.join("\n\n"));
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(norm(&rejoined), norm(&body));
    // The other two charts follow in the thread, shown as embed images.
    let last = requests.last().unwrap();
    assert_eq!(last.files.len(), 2);
    assert_eq!(last.body["embeds"][1]["image"]["url"], "attachment://c.png");
}

#[test]
fn narrow_tables_are_aligned_monospace_within_a_phone_width_and_wide_ones_png_plus_csv() {
    let narrow = Table::new("Pieces by month", &["Month", "Pieces", "Hours"])
        .row(vec!["2027-01".into(), "9".into(), "70".into()])
        .row(vec!["2027-02".into(), "10".into(), "178".into()]);
    let wide = Table::new(
        "Schedule",
        &["Piece", "Type", "Serves", "Owner", "Brief", "Publish"],
    )
    .row(
        [
            "landing page: 2027-Q1 Display always-on",
            "landing_page",
            "2027-Q1 Display",
            "Jordan Patel",
            "2026-12-08",
            "2026-12-25",
        ]
        .map(String::from)
        .to_vec(),
    );
    let m = Message::new("Stage 9 · Production", "32 pieces.")
        .table(narrow)
        .table(wide);
    let requests = render(&post("k", &m, &[]));
    assert_valid(&requests);
    let all: String = requests.iter().map(|r| r.body.to_string()).collect();
    assert!(!all.contains("|---"), "no markdown pipe table is sent");
    let block = requests
        .iter()
        .find_map(|r| r.body["content"].as_str().filter(|c| c.contains("```")))
        .expect("the narrow table is a code block");
    let lines: Vec<&str> = block
        .lines()
        .filter(|l| !l.starts_with("```") && !l.starts_with("**"))
        .collect();
    assert_eq!(lines[0], "Month    Pieces  Hours");
    assert_eq!(lines[2], "2027-01       9     70", "numbers right-aligned");
    assert!(lines.iter().all(|l| len(l) <= PHONE_COLUMNS));
    let table_post = requests
        .iter()
        .find(|r| r.files.len() == 2)
        .expect("wide table files");
    assert!(table_post.files[0].name.ends_with(".png"));
    assert!(
        table_post.files[0]
            .bytes
            .starts_with(&[0x89, b'P', b'N', b'G'])
    );
    let csv = String::from_utf8(table_post.files[1].bytes.clone()).unwrap();
    assert_eq!(
        csv.lines().next(),
        Some("Piece,Type,Serves,Owner,Brief,Publish")
    );
    assert!(csv.contains("landing page: 2027-Q1 Display always-on,landing_page"));
}

#[test]
fn buttons_become_rows_of_at_most_five_and_only_named_ids_are_pinged() {
    let mut m = Message::new("Approve plan v2", "Plan v2 is ready.")
        .mention(Mention::Role("1170000000000000010".into()))
        .mention(Mention::Role("marketing-leadership".into()));
    for i in 0..7 {
        m = m.button(
            format!("approve:growth/2027-Q1:{i}"),
            format!("B{i}"),
            ButtonStyle::Success,
        );
    }
    let requests = render(&post("k2", &m, &[]));
    assert_valid(&requests);
    let b = &requests[0].body;
    assert_eq!(b["components"].as_array().unwrap().len(), 2);
    assert_eq!(
        b["components"][0]["components"].as_array().unwrap().len(),
        5
    );
    assert_eq!(
        b["components"][1]["components"][1]["custom_id"],
        "approve:growth/2027-Q1:6"
    );
    assert_eq!(b["components"][0]["components"][0]["style"], 3);
    assert_eq!(
        b["allowed_mentions"]["roles"],
        serde_json::json!(["1170000000000000010"])
    );
    assert_eq!(b["allowed_mentions"]["parse"], serde_json::json!([]));
}

#[test]
fn nonces_are_25_characters_stable_and_distinct_per_message_of_a_post() {
    let key = "growth/2027-Q1/s09/result/v1";
    assert_eq!(nonce(key, 0).len(), 25);
    assert_eq!(nonce(key, 0), nonce(key, 0));
    assert_ne!(nonce(key, 0), nonce(key, 1));
    assert_ne!(nonce(key, 0), nonce("growth/2027-Q1/s09/result/v2", 0));
    let body: String = (0..60).map(sentence).collect();
    let m = Message::new("T", body);
    let requests = render(&post(key, &m, &[]));
    let nonces: Vec<&str> = requests
        .iter()
        .filter_map(|r| r.body["nonce"].as_str())
        .collect();
    let mut unique = nonces.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), nonces.len());
    assert_eq!(
        nonces.len(),
        requests.iter().filter(|r| r.creates_message()).count()
    );
}

#[test]
fn splitting_keeps_every_character_and_prefers_paragraphs() {
    let text = "First paragraph. It has two sentences.\n\nSecond one.\n\nThird.";
    assert_eq!(split(text, 2000), vec![text.to_owned()]);
    assert_eq!(
        split(text, 40),
        vec![
            "First paragraph. It has two sentences.",
            "Second one.\n\nThird."
        ]
    );
    // A sentence longer than the limit is the only thing cut, and between words.
    assert_eq!(
        split(text, 20),
        vec![
            "First paragraph.",
            "It has two",
            "sentences.",
            "Second one.\n\nThird."
        ]
    );
    let (head, rest) = headline("One. Two. Three.\n\nMore.", 9);
    assert_eq!(head, "One. Two.");
    assert_eq!(rest, "Three.\n\nMore.");
}

#[test]
fn a_pipe_table_in_a_body_is_caught_by_the_limit_check() {
    let body = serde_json::json!({ "content": "| a | b |\n|---|---|\n| 1 | 2 |" });
    assert_eq!(
        limits::check(&body, &[]),
        vec!["content contains a markdown pipe table"]
    );
    let too_long = serde_json::json!({ "embeds": [{ "title": "x".repeat(257) }] });
    assert_eq!(
        limits::check(&too_long, &[]),
        vec!["embeds[0].title: 257 > 256"]
    );
}

#[test]
fn the_schema_check_rejects_what_discord_would_reject() {
    let spec = Spec::bundled();
    let route = "/channels/{channel_id}/messages";
    let ok = serde_json::json!({ "content": "hi", "nonce": "abc", "enforce_nonce": true });
    assert!(spec.check_request("POST", route, &ok).is_ok());
    let long_nonce = serde_json::json!({ "content": "hi", "nonce": "x".repeat(26) });
    assert!(spec.check_request("POST", route, &long_nonce).is_err());
    let bad_button = serde_json::json!({ "components": [{ "type": 1, "components": [{ "type": 2, "style": 9, "label": "x", "custom_id": "y" }] }] });
    assert!(spec.check_request("POST", route, &bad_button).is_err());
    let bad_mention = serde_json::json!({ "allowed_mentions": { "roles": ["growth-leads"] } });
    assert!(spec.check_request("POST", route, &bad_mention).is_err());
}

#[test]
fn an_integer_bound_sent_as_a_whole_float_is_an_integer_and_a_fraction_is_not() {
    // poise sends `#[min = 1]` as `1.0`; JSON Schema (and Discord) read it as 1.
    let spec = Spec::bundled();
    let route = "/applications/{application_id}/guilds/{guild_id}/commands";
    let command = |min: serde_json::Value| {
        serde_json::json!([{ "name": "stage", "description": "Run a stage", "options": [
            { "type": 1, "name": "run", "description": "Run one stage", "options": [
                { "type": 4, "name": "stage", "description": "1-12", "required": true,
                  "min_value": min, "max_value": 12 }
            ]}
        ]}])
    };
    assert_eq!(
        spec.check_request("PUT", route, &command(serde_json::json!(1.0))),
        Ok(())
    );
    let fractional = spec.check_request("PUT", route, &command(serde_json::json!(1.5)));
    let errors = fractional.expect_err("1.5 is not an integer bound");
    assert!(
        errors.iter().any(|e| e.contains("min_value")),
        "the report names the field: {errors:?}"
    );
}

#[test]
fn a_short_kickoff_post_still_opens_its_campaigns_thread_and_other_short_posts_do_not() {
    let m = Message::new("Kickoff · Spring webinar", "Owner: Avery\nBudget: $310.00");
    let kickoff = Outgoing {
        kind: "kickoff_campaign",
        ..post("growth/2027-Q1/s12/campaign/spring-webinar", &m, &[])
    };

    let requests = render(&kickoff);
    let findings = render(&post("growth/2027-Q1/s01/result/v1", &m, &[]));

    assert_valid(&requests);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].target, Target::ThreadFrom(0));
    assert_eq!(requests[1].body["name"], "Kickoff · Spring webinar");
    assert_eq!(findings.len(), 1);
}

/// A digest-like message: a counts line, then detail and a table of `rows` campaigns.
fn digest(rows: usize, status: &str) -> Message {
    let mut table = Table::new("", &["Campaign", "Owner", "Status"]);
    for i in 0..rows {
        table = table.row(vec![format!("Campaign {i}"), "Avery".into(), status.into()]);
    }
    Message::new(
        "Check-in summary · week 1",
        format!("1 on track, 0 at risk.\n\n**Against the plan:**\n- Spend $6,500 of $9,000 planned (72%)\n\n{}", sentence(1).repeat(30)),
    )
    .table(table)
}

#[test]
fn an_edit_patches_the_headline_and_posts_its_detail_again_in_the_thread_once() {
    let key = "growth/2027-Q1/checkin/w01/summary";
    let before = render(&post(key, &digest(12, "—"), &[]));
    let edit_key = "growth/2027-Q1/checkin/w01/summary/edit/2";
    let edited = digest(12, "on track");
    let requests = render_edit(&post(edit_key, &edited, &[]));
    assert_valid(&requests);

    // The headline is replaced, never re-posted, and pings no one again.
    assert_eq!(requests[0].method, Method::Patch);
    assert_eq!(requests[0].route, ROUTE_MESSAGE);
    assert!(requests[0].body.get("nonce").is_none());
    assert!(requests[0].body.get("content").is_none());
    assert_eq!(requests[0].body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        requests[0].body["embeds"][0]["description"], before[0].body["embeds"][0]["description"],
        "the same headline as the post (its counts line)"
    );
    // The thread (started again if the post had none: 160004 means it is there) gets a
    // note, then the updated detail with the new status in the table.
    assert_eq!(requests[1].target, Target::ThreadFrom(0));
    let parts = &requests[2..];
    assert!(parts.iter().all(|r| r.target == Target::Thread(1)));
    assert!(
        parts[0].body["content"]
            .as_str()
            .unwrap()
            .starts_with("**Updated 2026-12-08 14:30 UTC**")
    );
    let detail: String = parts
        .iter()
        .map(|r| r.body["content"].to_string())
        .collect();
    assert!(
        detail.contains("Spend $6,500 of $9,000 planned"),
        "{detail}"
    );
    assert_eq!(detail.matches("on track").count(), 12, "{detail}");
    // Each part has a nonce of the edit's key: distinct from the post's and from each
    // other, the same when the edit is rendered again (a retry posts nothing twice).
    let nonces: HashSet<String> = parts
        .iter()
        .map(|r| r.body["nonce"].as_str().unwrap().to_owned())
        .chain(
            before
                .iter()
                .filter_map(|r| r.body["nonce"].as_str().map(str::to_owned)),
        )
        .collect();
    let posted = before
        .iter()
        .filter(|r| r.body.get("nonce").is_some())
        .count();
    assert_eq!(nonces.len(), parts.len() + posted);
    assert_eq!(render_edit(&post(edit_key, &edited, &[])), requests);
}

#[test]
fn an_edit_that_fits_one_embed_is_one_patch_with_its_table_in_it() {
    let m = Message::new("Approvals · plan v2", "Finance approved.").table(
        Table::new("", &["Group", "Approvals"]).row(vec!["Finance".into(), "1 of 1".into()]),
    );
    let requests = render_edit(&post("k/edit/1", &m, &[]));
    assert_valid(&requests);
    assert_eq!(requests.len(), 1);
    let description = requests[0].body["embeds"][0]["description"]
        .as_str()
        .unwrap();
    assert!(
        description.contains("```") && description.contains("Finance  1 of 1"),
        "the table as a code block in the embed: {description}"
    );
}
