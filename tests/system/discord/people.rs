//! The people's commands through the real `serve` against the emulator: approvals,
//! amendments, absences, the audit trail and the dashboard link.

use serde_json::{Value, json};

use super::bot::{APPROVALS_CHANNEL, DEFAULT_CHANNEL, MARKETING_ROLE, RUN_STAGES_ROLE, Setup};
use super::emulator::{Emulator, World, button, member, modal_submit, slash, stored_message_json};
use super::serve::{command_id, reply, stage_run, started};

/// The interaction's first answer (its callback body), whatever its type.
async fn callback(emu: &Emulator, id: &str) -> Value {
    let path = format!("/interactions/{id}/tok{id}/callback");
    emu.wait_for(20, "the interaction's callback", |w: &World| {
        w.requests
            .iter()
            .find(|r| r.path == path && r.status > 0)
            .map(|r| r.body.clone())
    })
    .await
}

/// Sends `/name [sub] options` from a member holding `roles`.
fn command(emu: &Emulator, id: &str, roles: &[&str], path: (&str, Option<&str>), options: Value) {
    let cmd = command_id(&emu.lock(), path.0);
    let m = member("1150000000000000021", "Morgan", roles);
    emu.dispatch(
        "INTERACTION_CREATE",
        slash(id, &cmd, DEFAULT_CHANNEL, m, path, options, None),
    );
}

fn description(reply: &Value) -> String {
    reply["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn titles_in(w: &World, channel: &str) -> Vec<String> {
    w.messages
        .iter()
        .filter(|m| m.channel_id == channel)
        .filter_map(|m| m.body["embeds"][0]["title"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn before_a_plan_people_get_clear_answers_the_audit_lists_refusals_and_the_dashboard_opens() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let _bot = started(&emu, &setup, "people").await;

    // Nothing to approve yet: said plainly, only to the caller.
    command(
        &emu,
        "1280000000000000001",
        &[MARKETING_ROLE],
        ("approve", None),
        json!([]),
    );
    let early = reply(&emu, "1280000000000000001").await;
    assert!(
        description(&early).contains("no plan to decide on yet"),
        "{early}"
    );
    assert_eq!(early["flags"].as_u64().unwrap() & 64, 64);

    // A date that is not one: the option is named, with what was expected.
    let options = json!([
        { "name": "from", "type": 3, "value": "2027-13-01" },
        { "name": "until", "type": 3, "value": "2027-01-20" },
    ]);
    command(&emu, "1280000000000000002", &[], ("away", None), options);
    let bad = reply(&emu, "1280000000000000002").await;
    let text = description(&bad);
    assert!(
        text.contains("from: expected a date as YYYY-MM-DD"),
        "{text}"
    );
    assert!(text.contains("`2027-13-01`"), "{text}");

    // A refusal is audited; /audit shows it and attaches the whole trail as CSV.
    stage_run(&emu, "1280000000000000003", &["1170000000000000099"], 1);
    let _ = reply(&emu, "1280000000000000003").await;
    command(&emu, "1280000000000000004", &[], ("audit", None), json!([]));
    let audit = reply(&emu, "1280000000000000004").await;
    let table = description(&audit);
    assert!(
        table.contains("run stage") && table.contains("rejected"),
        "{table}"
    );
    let files: Vec<&str> = audit["attachments"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["filename"].as_str()).collect())
        .unwrap_or_default();
    assert!(files.iter().any(|f| f.ends_with("-audit.csv")), "{audit}");

    // /plan dashboard: a signed link that opens the team's page.
    command(
        &emu,
        "1280000000000000005",
        &[],
        ("plan", Some("dashboard")),
        json!([]),
    );
    let link = reply(&emu, "1280000000000000005").await;
    let text = description(&link);
    let url = text
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {text}"));
    assert!(
        url.contains("/d/growth/") && url.contains("token="),
        "{url}"
    );
    let page = reqwest::get(url).await.unwrap();
    assert_eq!(page.status(), 200);
    let tampered = reqwest::get(format!("{url}x")).await.unwrap();
    assert_eq!(tampered.status(), 403);

    // /data check: the same report as `quarterdeck data check`, stage by stage.
    command(
        &emu,
        "1280000000000000006",
        &[],
        ("data", Some("check")),
        json!([]),
    );
    let check = reply(&emu, "1280000000000000006").await;
    let text = description(&check);
    assert!(text.contains("files read as of"), "{text}");
    assert!(text.contains(" 1. Performance review: "), "{text}");
    let files: Vec<&str> = check["attachments"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["filename"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        files.iter().any(|f| f.starts_with("data-check-")),
        "{check}"
    );

    let violations = emu.lock().violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn a_plan_sent_for_approval_early_is_amended_and_approved_by_command() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let _bot = started(&emu, &setup, "approval").await;

    // Stages 1-10 run on request, each once its inputs are done.
    for n in 1..=10u8 {
        stage_run(
            &emu,
            &format!("12900000000000000{n:02}"),
            &[RUN_STAGES_ROLE],
            n,
        );
        let prefix = format!("Stage {n} ·");
        emu.wait_for(120, &format!("stage {n}'s post"), |w| {
            titles_in(w, DEFAULT_CHANNEL)
                .iter()
                .any(|t| t.starts_with(&prefix))
                .then_some(())
        })
        .await;
    }
    // Stage 11 on request: the approval round opens on plan v1.
    stage_run(&emu, "1290000000000000011", &[RUN_STAGES_ROLE], 11);
    emu.wait_for(60, "the approval request", |w| {
        titles_in(w, APPROVALS_CHANNEL)
            .iter()
            .any(|t| t == "Stage 11 · Approve plan v1")
            .then_some(())
    })
    .await;

    // Marketing holds back 5% of paid social: plan v2 is computed and sent for approval.
    let options = json!([
        { "name": "channel", "type": 3, "value": "paid_social" },
        { "name": "percent", "type": 10, "value": 5 },
    ]);
    command(
        &emu,
        "1290000000000000012",
        &[MARKETING_ROLE],
        ("amend", Some("hold-back")),
        options,
    );
    let amended = reply(&emu, "1290000000000000012").await;
    assert!(
        description(&amended).contains("Amendment recorded"),
        "{amended}"
    );
    emu.wait_for(120, "plan v2's approval request", |w| {
        titles_in(w, APPROVALS_CHANNEL)
            .iter()
            .any(|t| t == "Stage 11 · Approve plan v2")
            .then_some(())
    })
    .await;

    // "Request changes" on v2 opens the form (a modal); a bad share is refused naming the
    // field; a hold-back of 10% of paid search makes plan v3, which lists it.
    let (message, request_changes) = {
        let w = emu.lock();
        let m = w
            .messages
            .iter()
            .find(|m| {
                m.channel_id == APPROVALS_CHANNEL
                    && m.body["embeds"][0]["title"] == "Stage 11 · Approve plan v2"
            })
            .cloned()
            .expect("v2's approval request");
        let id = m.body["components"][0]["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["custom_id"].as_str())
            .find(|id| id.starts_with("request_changes:"))
            .unwrap()
            .to_owned();
        (stored_message_json(&m), id)
    };
    let morgan = || member("1150000000000000021", "Morgan", &[MARKETING_ROLE]);
    emu.dispatch(
        "INTERACTION_CREATE",
        button(
            "1290000000000000020",
            APPROVALS_CHANNEL,
            morgan(),
            &request_changes,
            message,
        ),
    );
    let form = callback(&emu, "1290000000000000020").await;
    assert_eq!(form["type"], 9, "{form}");
    let form_id = form["data"]["custom_id"].as_str().unwrap().to_owned();
    assert!(
        form_id.starts_with("changes:") && form_id.ends_with(":2"),
        "{form_id}"
    );
    let submit = |id: &str, share: &str| {
        let values = [
            ("section", "Budget"),
            (
                "what",
                "Keep a tenth of paid search back until the pilot reads out",
            ),
            ("kind", "hold_back"),
            ("channel", "paid_search"),
            ("value", share),
        ];
        emu.dispatch(
            "INTERACTION_CREATE",
            modal_submit(id, APPROVALS_CHANNEL, morgan(), &form_id, &values),
        );
    };
    submit("1290000000000000021", "150");
    let bad = reply(&emu, "1290000000000000021").await;
    assert_eq!(bad["embeds"][0]["title"], "Not done", "{bad}");
    assert!(
        description(&bad).contains("share: expected a percent above 0 and up to 100"),
        "{bad}"
    );
    assert_eq!(
        bad["flags"].as_u64().unwrap() & 64,
        64,
        "only to the caller"
    );
    submit("1290000000000000022", "10%");
    let amended = reply(&emu, "1290000000000000022").await;
    assert!(
        description(&amended).contains("Amendment recorded"),
        "{amended}"
    );
    emu.wait_for(120, "plan v3's approval request", |w| {
        titles_in(w, APPROVALS_CHANNEL)
            .iter()
            .any(|t| t == "Stage 11 · Approve plan v3")
            .then_some(())
    })
    .await;
    let texts: Vec<String> = emu
        .lock()
        .messages
        .iter()
        .map(|m| m.body.to_string())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("hold back 10% of")),
        "plan v3's post does not list the form's amendment"
    );

    // `/request-changes` without words opens the same form, on the current version.
    command(
        &emu,
        "1290000000000000023",
        &[MARKETING_ROLE],
        ("request-changes", None),
        json!([]),
    );
    let form = callback(&emu, "1290000000000000023").await;
    assert_eq!(form["type"], 9, "{form}");
    assert!(
        form["data"]["custom_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("changes:") && id.ends_with(":3")),
        "{form}"
    );

    // Someone outside the stakeholder groups cannot approve; marketing can.
    command(
        &emu,
        "1290000000000000013",
        &[],
        ("approve", None),
        json!([]),
    );
    let refused = reply(&emu, "1290000000000000013").await;
    assert_eq!(refused["embeds"][0]["title"], "Not done", "{refused}");
    let options = json!([{ "name": "comment", "type": 3, "value": "Reserve covers the pilot" }]);
    command(
        &emu,
        "1290000000000000014",
        &[MARKETING_ROLE],
        ("approve", None),
        options,
    );
    let approved = reply(&emu, "1290000000000000014").await;
    assert!(
        description(&approved).contains("Your approval of plan v3 is recorded"),
        "{approved}"
    );
    emu.wait_for(60, "the approval announcement", |w| {
        titles_in(w, APPROVALS_CHANNEL)
            .iter()
            .any(|t| t == "Plan v3 approved")
            .then_some(())
    })
    .await;

    let violations = emu.lock().violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
}
