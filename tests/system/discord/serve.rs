//! `quarterdeck serve` end to end against the emulator: connecting, commands, posts,
//! refusals, failures on Discord's side, restarts.

use std::time::Duration;

use serde_json::{Value, json};

use super::bot::{Bot, DEFAULT_CHANNEL, RUN_STAGES_ROLE, Setup};
use super::emulator::{Emulator, Fault, World, member, slash};

/// The registered command's id (an interaction names the command by it).
pub(super) fn command_id(w: &World, name: &str) -> String {
    w.commands[name]["id"].as_str().unwrap().to_owned()
}

pub(super) async fn started(emu: &Emulator, setup: &Setup, name: &str) -> Bot {
    let mut bot = Bot::start(setup, name);
    bot.wait_log("quarterdeck serve: ready", 60).await;
    emu.wait_for(10, "command registration", |w| {
        (w.commands.len() >= 5).then_some(())
    })
    .await;
    bot
}

pub(super) fn stage_run(emu: &Emulator, id: &str, roles: &[&str], stage: u8) {
    let cmd = command_id(&emu.lock(), "stage");
    let m = member("1150000000000000007", "Riley", roles);
    let options = json!([{ "name": "stage", "type": 4, "value": stage }]);
    emu.dispatch(
        "INTERACTION_CREATE",
        slash(
            id,
            &cmd,
            DEFAULT_CHANNEL,
            m,
            ("stage", Some("run")),
            options,
            None,
        ),
    );
}

/// `/plan status` from a member without roles.
fn plan_status(emu: &Emulator, id: &str) {
    let plan = command_id(&emu.lock(), "plan");
    let m = member("1150000000000000008", "Sam", &[]);
    emu.dispatch(
        "INTERACTION_CREATE",
        slash(
            id,
            &plan,
            DEFAULT_CHANNEL,
            m,
            ("plan", Some("status")),
            json!([]),
            None,
        ),
    );
}

/// The answer to interaction `id`: a follow-up after a deferral, or the callback's own
/// message (type 4).
pub(super) async fn reply(emu: &Emulator, id: &str) -> Value {
    let token = format!("tok{id}");
    emu.wait_for(20, "the interaction's reply", |w| {
        w.requests
            .iter()
            .filter(|r| r.path.contains(&format!("/{token}")))
            .find_map(|r| {
                let callback = r.route.as_deref()
                    == Some("/interactions/{interaction_id}/{interaction_token}/callback");
                match (callback, r.body["type"].as_u64()) {
                    (true, Some(4)) => Some(r.body["data"].clone()),
                    (true, _) => None,
                    (false, _) => Some(r.body.clone()),
                }
            })
    })
    .await
}

pub(super) fn channel_posts(w: &World, channel: &str) -> usize {
    w.messages
        .iter()
        .filter(|m| m.channel_id == channel)
        .count()
}

#[tokio::test]
async fn serve_connects_registers_answers_commands_and_posts_a_stage_with_its_thread_and_chart() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let mut bot = started(&emu, &setup, "serve").await;

    // A figure for docs/testing.md, not an assertion (a debug build).
    eprintln!("serve idle RSS: {:?} kB", bot.rss_kb());
    // Identify: only non-privileged intents (no MESSAGE_CONTENT, 1 << 15).
    let intents = emu.lock().identifies[0]["intents"].as_u64().unwrap();
    assert_eq!(intents & (1 << 15), 0, "MESSAGE_CONTENT is privileged");
    assert_eq!(intents & 1, 1, "GUILDS");
    let names: Vec<String> = {
        let mut n: Vec<String> = emu.lock().commands.keys().cloned().collect();
        n.sort();
        n
    };
    assert_eq!(
        names,
        [
            "amend",
            "approve",
            "audit",
            "away",
            "campaign",
            "data",
            "delegate",
            "help",
            "plan",
            "reject",
            "request-changes",
            "stage",
            "timezone",
            "whoami"
        ]
    );
    let stage = emu.lock().commands["stage"].clone();
    let subs: Vec<&str> = stage["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(subs, ["show", "run", "rerun"]);

    // /plan status: deferred, then answered.
    plan_status(&emu, "1210000000000000001");
    let status = reply(&emu, "1210000000000000001").await;
    let title = status["embeds"][0]["title"].as_str().unwrap();
    assert!(title.ends_with("· status"), "{status}");
    assert!(
        status["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("1. ")
    );
    let callback = emu.answers("tok1210000000000000001");
    assert_eq!(callback[0].body["type"], 5, "a deferred answer first");

    // /stage run without the role: an ephemeral refusal, and nothing is posted.
    stage_run(&emu, "1210000000000000002", &["1170000000000000099"], 1);
    let refusal = reply(&emu, "1210000000000000002").await;
    let text = refusal["embeds"][0]["description"].as_str().unwrap();
    assert!(text.contains("may not run stage 1"), "{refusal}");
    assert!(text.contains("Reference: `1210000000000000002`"));
    assert_eq!(refusal["flags"].as_u64().unwrap() & 64, 64, "ephemeral");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(channel_posts(&emu.lock(), DEFAULT_CHANNEL), 0);
    assert!(
        bot.log_text().contains("1210000000000000002"),
        "the reference is in the logs"
    );

    // With the role: stage 1 is computed now and posted with an embed, a PNG and a thread.
    stage_run(&emu, "1210000000000000003", &[RUN_STAGES_ROLE], 1);
    let ok = reply(&emu, "1210000000000000003").await;
    assert!(
        ok["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("is running"),
        "{ok}"
    );
    let headline = emu
        .wait_for(60, "stage 1's findings in the channel", |w| {
            w.messages
                .iter()
                .find(|m| m.channel_id == DEFAULT_CHANNEL)
                .cloned()
        })
        .await;
    assert!(
        headline.body["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Stage 1")
    );
    let image = headline.body["embeds"][0]["image"]["url"].as_str().unwrap();
    let png = image.strip_prefix("attachment://").unwrap();
    assert!(
        headline
            .files
            .iter()
            .any(|(n, bytes)| n == png && bytes.len() > 1000),
        "{:?}",
        headline.files
    );
    let thread = emu
        .wait_for(30, "the thread's messages", |w| {
            let in_thread = w
                .messages
                .iter()
                .filter(|m| m.channel_id == headline.id)
                .count();
            (w.threads.contains_key(&headline.id) && in_thread > 0).then_some(in_thread)
        })
        .await;
    assert!(thread >= 1);

    let violations = emu.lock().violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
    let (status, took) = bot.terminate(15);
    assert!(status.success(), "{status}: {}", bot.log_text());
    assert!(took < Duration::from_secs(15));
}

#[tokio::test]
async fn a_post_that_meets_429_and_500_appears_exactly_once() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let _bot = started(&emu, &setup, "faults").await;
    emu.inject(&[Fault::RateLimited { retry_after: 0.3 }, Fault::ServerError]);

    stage_run(&emu, "1220000000000000001", &[RUN_STAGES_ROLE], 1);
    let headline = emu
        .wait_for(60, "stage 1's findings", |w| {
            w.messages
                .iter()
                .find(|m| m.channel_id == DEFAULT_CHANNEL)
                .cloned()
        })
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let w = emu.lock();
    let attempts: Vec<u16> = w
        .requests
        .iter()
        .filter(|r| r.path == format!("/channels/{DEFAULT_CHANNEL}/messages"))
        .map(|r| r.status)
        .collect();
    assert_eq!(
        attempts,
        [429, 500, 200],
        "retried after the 429 and the 500"
    );
    assert_eq!(channel_posts(&w, DEFAULT_CHANNEL), 1);
    assert_eq!(
        w.messages
            .iter()
            .filter(|m| m.nonce == headline.nonce)
            .count(),
        1
    );
    assert!(w.violations.is_empty(), "{:#?}", w.violations);
}

#[tokio::test]
async fn killed_between_sending_and_recording_the_bot_posts_nothing_twice_after_a_restart() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let mut bot = started(&emu, &setup, "first").await;
    // Discord stores the headline, but the answer never comes back: the bot is killed.
    emu.inject(&[Fault::StoreAndHang]);
    stage_run(&emu, "1230000000000000001", &[RUN_STAGES_ROLE], 1);
    emu.wait_for(60, "the stored headline", |w| {
        (channel_posts(w, DEFAULT_CHANNEL) == 1).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    bot.kill();

    let _again = started(&emu, &setup, "second").await;
    let headline = emu
        .wait_for(60, "the thread after the restart", |w| {
            let h = w
                .messages
                .iter()
                .find(|m| m.channel_id == DEFAULT_CHANNEL)?;
            w.threads.contains_key(&h.id).then(|| h.clone())
        })
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let w = emu.lock();
    assert_eq!(
        channel_posts(&w, DEFAULT_CHANNEL),
        1,
        "the nonce returned the first message"
    );
    let posts_of_headline = w
        .requests
        .iter()
        .filter(|r| r.body["nonce"] == json!(headline.nonce))
        .count();
    assert_eq!(posts_of_headline, 2, "sent twice, stored once");
}

fn upload(emu: &Emulator, id: &str, roles: &[&str], name: &str, bytes: Vec<u8>) {
    let size = bytes.len();
    let url = emu.host_file(&format!("{id}-{name}"), bytes);
    let cmd = command_id(&emu.lock(), "data");
    let m = member("1150000000000000007", "Riley", roles);
    let attachment_id = format!("13{}", &id[2..]);
    let options = json!([{ "name": "file", "type": 11, "value": attachment_id }]);
    let resolved = json!({ "attachments": { attachment_id.clone(): {
        "id": attachment_id, "filename": name, "size": size, "url": url, "proxy_url": url,
        "content_type": "text/csv", "ephemeral": true,
    }}});
    emu.dispatch(
        "INTERACTION_CREATE",
        slash(
            id,
            &cmd,
            DEFAULT_CHANNEL,
            m,
            ("data", Some("upload")),
            options,
            Some(resolved),
        ),
    );
}

fn press(emu: &Emulator, id: &str, roles: &[&str], reply: &Value, label: &str) {
    let custom_id = reply["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["label"] == label)
        .unwrap_or_else(|| panic!("no {label} button in {reply}"))["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = super::emulator::stored_message_json(&super::emulator::Posted {
        id: "1240000000000000009".into(),
        channel_id: DEFAULT_CHANNEL.into(),
        nonce: None,
        body: reply.clone(),
        files: Vec::new(),
    });
    let m = member("1150000000000000007", "Riley", roles);
    emu.dispatch(
        "INTERACTION_CREATE",
        super::emulator::button(id, DEFAULT_CHANNEL, m, &custom_id, message),
    );
}

#[tokio::test]
async fn an_upload_previews_survives_a_restart_and_on_confirm_replaces_the_file_and_reruns() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let mut bot = started(&emu, &setup, "before").await;
    stage_run(&emu, "1250000000000000001", &[RUN_STAGES_ROLE], 1);
    emu.wait_for(60, "stage 1's first post", |w| {
        (channel_posts(w, DEFAULT_CHANNEL) >= 1).then_some(())
    })
    .await;
    let spend = setup.data_dir().join("spend.csv");
    let original = std::fs::read(&spend).unwrap();
    let mut changed = original.clone();
    // One more day of spend: the file differs, and stays valid.
    changed.extend_from_slice(
        b"2026-07-01,paid_search,Q-1 Paid Search always-on,10.00,100,5,1.0,50.00\n",
    );
    upload(
        &emu,
        "1250000000000000002",
        &[RUN_STAGES_ROLE],
        "spend.csv",
        changed.clone(),
    );
    let preview = reply(&emu, "1250000000000000002").await;
    assert!(
        preview["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("spend.csv"),
        "{preview}"
    );
    let description = preview["embeds"][0]["description"].as_str().unwrap();
    assert!(
        description.contains("date, channel, campaign, spend"),
        "{description}"
    );
    // The preview carries the data check of the file as uploaded (`/data check`'s report).
    assert!(
        description.contains("The data check finds"),
        "{description}"
    );
    assert_eq!(
        std::fs::read(&spend).unwrap(),
        original,
        "nothing stored before Confirm"
    );

    // The bot restarts between the preview and the click.
    let (status, _) = bot.terminate(15);
    assert!(status.success());
    let before = channel_posts(&emu.lock(), DEFAULT_CHANNEL);
    let _bot = started(&emu, &setup, "after").await;
    press(
        &emu,
        "1250000000000000003",
        &[RUN_STAGES_ROLE],
        &preview,
        "Confirm",
    );
    let stored = reply(&emu, "1250000000000000003").await;
    let text = stored["embeds"][0]["description"].as_str().unwrap();
    assert!(text.contains("spend.csv is stored"), "{stored}");
    assert_eq!(std::fs::read(&spend).unwrap(), changed);
    // The stage that reads it posts again.
    emu.wait_for(60, "stage 1 re-run after the upload", |w| {
        (channel_posts(w, DEFAULT_CHANNEL) > before).then_some(())
    })
    .await;
    let violations = emu.lock().violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn uploads_that_are_malformed_oversized_unauthorized_or_cancelled_change_nothing() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let _bot = started(&emu, &setup, "uploads").await;
    let leads = setup.data_dir().join("leads.csv");
    let original = std::fs::read(&leads).unwrap();

    // A date that is not a date: the error names the row and the column.
    let text = String::from_utf8(original.clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header: Vec<String> = lines[0].split(',').map(str::to_owned).collect();
    let col = header.iter().position(|h| h.contains("created")).unwrap();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_owned).collect();
    cells[col] = "not-a-date".into();
    lines[3] = cells.join(",");
    let bad = (lines.join("\n") + "\n").into_bytes();
    upload(
        &emu,
        "1260000000000000001",
        &[RUN_STAGES_ROLE],
        "leads.csv",
        bad,
    );
    let error = reply(&emu, "1260000000000000001").await;
    let e = error["embeds"][0]["description"].as_str().unwrap();
    assert!(
        e.contains("leads.csv") && e.contains("row") && e.contains(header[col].as_str()),
        "{e}"
    );
    assert_eq!(error["flags"].as_u64().unwrap() & 64, 64);

    // Over the 1024 KB cap of the test config.
    upload(
        &emu,
        "1260000000000000002",
        &[RUN_STAGES_ROLE],
        "leads.csv",
        vec![b'a'; 1100 * 1024],
    );
    let too_big = reply(&emu, "1260000000000000002").await;
    assert!(
        too_big["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("limited to 1024 KB"),
        "{too_big}"
    );

    // Without an upload role: refused.
    upload(
        &emu,
        "1260000000000000003",
        &["1170000000000000099"],
        "leads.csv",
        original.clone(),
    );
    let refused = reply(&emu, "1260000000000000003").await;
    assert!(
        refused["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("may not upload"),
        "{refused}"
    );

    // A valid upload, cancelled.
    let mut changed = original.clone();
    changed.extend_from_slice(b"\n");
    upload(
        &emu,
        "1260000000000000004",
        &[RUN_STAGES_ROLE],
        "leads.csv",
        changed,
    );
    let preview = reply(&emu, "1260000000000000004").await;
    press(
        &emu,
        "1260000000000000005",
        &[RUN_STAGES_ROLE],
        &preview,
        "Cancel",
    );
    let cancelled = reply(&emu, "1260000000000000005").await;
    assert!(
        cancelled["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("Cancelled"),
        "{cancelled}"
    );
    assert_eq!(std::fs::read(&leads).unwrap(), original);
    assert!(
        !setup
            .data_dir()
            .join(".uploads")
            .read_dir()
            .unwrap()
            .any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with("leads.csv")
            })
    );
    let violations = emu.lock().violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn replicas_on_postgres_hold_one_gateway_and_a_standby_takes_over_when_it_dies() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let db = crate::helpers::PgDb::new().await;
    let mut first = Bot::start_on(&setup, "replica-1", Some(&db.url));
    first.wait_log("quarterdeck serve: ready", 60).await;
    let mut second = Bot::start_on(&setup, "replica-2", Some(&db.url));
    second.wait_log("quarterdeck serve: standby", 60).await;
    assert_eq!(emu.lock().identifies.len(), 1, "one gateway session");

    first.kill();
    let t = std::time::Instant::now();
    second.wait_log("quarterdeck serve: ready", 30).await;
    assert!(t.elapsed() < Duration::from_secs(30));
    assert_eq!(emu.lock().identifies.len(), 2);
    // The new holder answers commands and posts.
    stage_run(&emu, "1270000000000000001", &[RUN_STAGES_ROLE], 1);
    emu.wait_for(60, "stage 1 posted by the new holder", |w| {
        (channel_posts(w, DEFAULT_CHANNEL) >= 1).then_some(())
    })
    .await;
    let (status, _) = second.terminate(15);
    assert!(status.success());
    drop(second);
    db.drop_db().await;
}

#[tokio::test]
async fn after_the_gateway_drops_the_bot_resumes_its_session_and_answers_again() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let _bot = started(&emu, &setup, "resume").await;

    emu.drop_gateway();
    emu.wait_for(30, "a RESUME on a new connection", |w| {
        (w.resumes >= 1).then_some(())
    })
    .await;
    assert_eq!(
        emu.lock().identifies.len(),
        1,
        "the session is resumed, not started again"
    );

    // Commands keep working on the resumed session.
    plan_status(&emu, "1220000000000000001");
    let status = reply(&emu, "1220000000000000001").await;
    assert!(
        status["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .ends_with("· status"),
        "{status}"
    );
    let violations = emu.lock().violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
}
