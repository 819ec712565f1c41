//! `OUT/discord.jsonl` of a simulated quarter (contract): every post of every kind,
//! rendered by the adapter, valid against Discord's OpenAPI schema for its route and
//! within Discord's limits.

use std::collections::{BTreeSet, HashSet};

use quarterdeck::simulate::{SimulateOptions, simulate};
use quarterdeck_discord::render::limits;
use quarterdeck_discord::spec::Spec;
use serde_json::Value;

use crate::helpers::{settings, transcript};

#[tokio::test]
async fn every_request_of_the_simulated_quarter_is_valid_for_discord_and_within_its_limits() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SimulateOptions {
        out: dir.path().to_owned(),
        data: None,
        seed: Some(7),
        database: None,
        team: None,
        progress: false,
    };
    simulate(&settings(&[]), &opts).await.unwrap();

    let text = std::fs::read_to_string(dir.path().join("discord.jsonl")).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let posts = transcript(dir.path());
    // Every post of the transcript is delivered, in the transcript's order.
    let keys: Vec<&str> = lines.iter().map(|l| l["key"].as_str().unwrap()).collect();
    let mut first_seen: Vec<&str> = Vec::new();
    for k in &keys {
        if first_seen.last() != Some(k) {
            first_seen.push(k);
        }
    }
    let transcript_keys: Vec<&str> = posts.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(first_seen, transcript_keys);

    let spec = Spec::bundled();
    let mut nonces = HashSet::new();
    let mut kinds_with_threads = BTreeSet::new();
    for l in &lines {
        let (method, route) = (l["method"].as_str().unwrap(), l["route"].as_str().unwrap());
        let body = &l["body"];
        if let Err(e) = spec.check_request(method, route, body) {
            panic!("{method} {route} for {}: {e:#?}", l["key"]);
        }
        let files: Vec<String> = l["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_owned())
            .collect();
        let bad = limits::check(body, &files);
        assert!(bad.is_empty(), "{}: {bad:?}", l["key"]);
        assert!(l["channel"].as_str().is_some_and(|c| !c.is_empty()));
        if route == "/channels/{channel_id}/messages" {
            let nonce = body["nonce"].as_str().expect("a message carries a nonce");
            assert!(nonce.len() <= 25);
            assert_eq!(body["enforce_nonce"], true);
            assert!(nonces.insert(nonce.to_owned()), "nonce {nonce} used twice");
        } else {
            let post = posts.iter().find(|p| p.key == l["key"]).unwrap();
            kinds_with_threads.insert(post.kind.clone());
        }
        // Files named in the body's attachments are exactly the uploaded ones.
        let named: Vec<&str> = body["attachments"]
            .as_array()
            .map(|a| a.iter().map(|x| x["filename"].as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(named, files.iter().map(String::as_str).collect::<Vec<_>>());
    }
    // The stages' long findings open threads; their charts are shown as embed images.
    assert!(
        kinds_with_threads.contains("stage_result"),
        "{kinds_with_threads:?}"
    );
    let stage_1 = lines
        .iter()
        .find(|l| l["key"] == "growth/2027-Q1/s01/result/v1")
        .unwrap();
    let image = stage_1["body"]["embeds"][0]["image"]["url"]
        .as_str()
        .unwrap();
    assert!(image.starts_with("attachment://") && image.ends_with(".png"));
    // Wide tables travel as a PNG and a CSV.
    assert!(
        lines.iter().any(|l| {
            let f = l["files"].as_array().unwrap();
            f.iter().any(|n| n.as_str().unwrap().ends_with(".csv"))
                && f.iter().any(|n| n.as_str().unwrap().starts_with("table-"))
        }),
        "no wide table was sent as an image with its CSV"
    );
    // Buttons reach Discord with the engine's ids.
    assert!(text.contains(r#""custom_id":"approve:growth/2027-Q1:2""#));
}
