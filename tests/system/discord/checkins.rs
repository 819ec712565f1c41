//! Weekly check-ins through the real `serve` and the emulator: each campaign's owner gets
//! their own prompt by direct message (the campaign's plan line, not the roster); an
//! owner who does not accept direct messages is mentioned in the check-ins channel
//! instead, once; a status button opens the numbers form and the form records numbers
//! for that campaign only; a redelivered click or form counts once; a non-owner's click
//! is refused.
//!
//! The quarter is driven to its first check-in in process on a manual clock (the engine
//! and the store `serve` uses), then `serve` starts on the same database and delivers
//! the week's prompts.

use std::sync::Arc;

use chrono::Utc;
use quarterdeck::clock::ManualClock;
use quarterdeck::domain::{Actor, CheckinStatus, Verdict};
use quarterdeck::engine::{Engine, Event, deliver_outbox};
use quarterdeck::sources::Catalog;
use quarterdeck::store::Store;
use quarterdeck::timeline;
use serde_json::Value;

use super::bot::Bot;
use super::bot::{CHECKINS_CHANNEL, MARKETING_ROLE, Setup};
use super::emulator::{Emulator, World, dm_button, dm_modal_submit, stored_message_json};

/// `serve` on the setup's database or on `database`, once ready and registered.
pub(super) async fn started_on(
    emu: &Emulator,
    setup: &Setup,
    name: &str,
    database: Option<&str>,
) -> Bot {
    let mut bot = Bot::start_on(setup, name, database);
    bot.wait_log("quarterdeck serve: ready", 60).await;
    emu.wait_for(10, "command registration", |w| {
        (w.commands.len() >= 5).then_some(())
    })
    .await;
    bot
}

/// The sample data's campaign owners with chat ids (`[teams.people] members`).
pub(super) const OWNERS: [(&str, &str); 6] = [
    ("1150000000000000101", "Avery Chen"),
    ("1150000000000000102", "Jordan Patel"),
    ("1150000000000000103", "Riley Gomez"),
    ("1150000000000000104", "Sasha Novak"),
    ("1150000000000000105", "Taylor Brooks"),
    ("1150000000000000106", "Quinn Adeyemi"),
];

/// The setup's quarter opened in process on a manual clock (engine `name`), run through
/// stage 10 and plan v1 approved by marketing.
pub(super) struct Approved {
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    pub store: Store,
    pub run_id: String,
    pub ctx: quarterdeck::engine::PlanContext,
}

pub(super) async fn approved_quarter(setup: &Setup, url: &str, name: &str) -> Approved {
    let settings = quarterdeck::config::load(Some(&setup.config), Vec::new()).unwrap();
    let team = settings.teams[0].clone();
    let store = Store::connect(url, 2).await.unwrap();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let engine = Engine::new(store.clone(), clock.clone(), &settings.scheduler, name);
    let tl = timeline::build(&team.timeline).unwrap();
    engine
        .open_run(&team, &tl, Catalog::data_dir(setup.data_dir()))
        .await
        .unwrap();
    let run_id = format!("{}/{}", team.name, team.timeline.quarter);
    let ctx = engine.setup(&run_id).unwrap().ctx.clone();
    clock.advance_to(ctx.stage_due[10]);
    engine.run_due().await.unwrap();
    let approve = Event::Verdict {
        actor: Actor::new("1150000000000000090", "Morgan", &[MARKETING_ROLE]),
        group: "marketing".into(),
        verdict: Verdict::Approve,
        version: 1,
        note: None,
    };
    engine.handle(&run_id, approve).await.unwrap();
    Approved {
        engine,
        clock,
        store,
        run_id,
        ctx,
    }
}

/// Drives the setup's quarter to its week-1 check-in in process: stages, approval,
/// kickoff (earlier posts marked delivered to a transcript; with `kickoff_by_serve`,
/// only those before kickoff), then the check-in's prompts wait in the outbox for
/// `serve`. Returns the run id and its roster as (campaign, owner id).
async fn quarter_at_first_check_in(
    setup: &Setup,
    url: &str,
    kickoff_by_serve: bool,
) -> (String, Vec<(String, String)>) {
    let Approved {
        engine,
        clock,
        store,
        run_id,
        ctx,
    } = approved_quarter(setup, url, "prep").await;
    let transcript =
        quarterdeck::transcript::Transcript::open(&setup.dir.path().join("before.jsonl")).unwrap();
    if kickoff_by_serve {
        deliver_outbox(engine.store(), &transcript, clock.as_ref())
            .await
            .unwrap();
    }
    clock.advance_to(ctx.stage_due[11]);
    engine.run_due().await.unwrap();
    if !kickoff_by_serve {
        deliver_outbox(engine.store(), &transcript, clock.as_ref())
            .await
            .unwrap();
    }
    clock.advance_to(ctx.checkins[0]);
    engine.run_due().await.unwrap();
    let run = store.load_run(&run_id).await.unwrap().unwrap().run;
    assert!(run.checkins.first().is_some_and(|w| w.open), "week 1 open");
    let roster = run
        .roster
        .iter()
        .map(|r| (r.campaign.clone(), r.owner_id.clone().unwrap_or_default()))
        .collect();
    store.close().await;
    (run_id, roster)
}

pub(super) fn members_config() -> String {
    let members: Vec<String> = OWNERS
        .iter()
        .map(|(id, name)| format!("{{ id = \"{id}\", name = \"{name}\" }}"))
        .collect();
    format!("\n[teams.people]\nmembers = [{}]\n", members.join(", "))
}

/// The embed title and description of a stored message.
pub(super) fn embed_text(m: &Value) -> (String, String) {
    (
        m["embeds"][0]["title"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        m["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// The interaction's callback body (its first answer), once it arrives.
pub(super) async fn callback(emu: &Emulator, id: &str) -> Value {
    nth_callback(emu, id, 1).await
}

/// The `n`th answer to interaction `id` (a redelivered interaction is answered again).
async fn nth_callback(emu: &Emulator, id: &str, n: usize) -> Value {
    let path = format!("/interactions/{id}/tok{id}/callback");
    emu.wait_for(20, "the interaction's callback", |w: &World| {
        w.requests
            .iter()
            .filter(|r| r.path == path && r.status > 0)
            .nth(n - 1)
            .map(|r| r.body.clone())
    })
    .await
}

async fn answered_checkins(url: &str, run_id: &str) -> quarterdeck::domain::QuarterRun {
    let store = Store::connect(url, 1).await.unwrap();
    let run = store.load_run(run_id).await.unwrap().unwrap().run;
    store.close().await;
    run
}

#[tokio::test]
async fn check_in_prompts_go_to_each_owner_by_dm_fall_back_to_a_mention_and_record_numbers_per_campaign()
 {
    prompts_answers_and_fallback(None).await;
}

#[tokio::test]
async fn check_in_prompts_by_dm_with_fallback_and_their_answers_work_on_postgres() {
    let pg = crate::helpers::PgDb::new().await;
    prompts_answers_and_fallback(Some(&pg.url)).await;
    pg.drop_db().await;
}

/// The scenario on the setup's SQLite file, or on `database`.
async fn prompts_answers_and_fallback(database: Option<&str>) {
    let (emu, setup, url) = with_members(database).await;
    let (run_id, roster) = quarter_at_first_check_in(&setup, &url, false).await;
    let blocked = OWNERS[1].0; // Jordan Patel does not accept direct messages
    emu.block_direct_messages(blocked);
    let expected_dms = roster.iter().filter(|(_, id)| id != blocked).count();
    let expected_fallbacks = roster.len() - expected_dms;
    assert!(expected_fallbacks >= 1, "{roster:?}");

    let _bot = started_on(&emu, &setup, "checkins", database).await;

    // Every prompt is delivered: a DM per campaign to its owner, the blocked owner's in
    // the check-ins channel with a mention of them.
    emu.wait_for(60, "every prompt delivered", |w| {
        let dms: usize = OWNERS
            .iter()
            .map(|(id, _)| w.direct_messages(id).len())
            .sum();
        let fallbacks = w
            .messages
            .iter()
            .filter(|m| m.channel_id == CHECKINS_CHANNEL)
            .count();
        (dms == expected_dms && fallbacks == expected_fallbacks).then_some(())
    })
    .await;
    // Where each prompt went is on its outbox row: the refused DMs name the channel.
    for (campaign, owner) in &roster {
        let key = format!(
            "{run_id}/checkin/w01/prompt/{}",
            quarterdeck::engine::slug(campaign)
        );
        // The row is updated just after Discord's answer: wait for it briefly.
        let mut note = None;
        for _ in 0..100 {
            let (_, n) = crate::delivery::last_error(&url, &key).await;
            note = n;
            if note.is_some() || owner != blocked {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        if owner == blocked {
            let note = note.unwrap_or_default();
            assert!(
                note.contains("Discord code 50007")
                    && note.ends_with(&format!("mentioned in channel {CHECKINS_CHANNEL}")),
                "{key}: {note}"
            );
        } else {
            assert_eq!(note, None, "{key}");
        }
    }
    let (avery, avery_name) = OWNERS[0];
    let (mine, other): (Vec<_>, Vec<_>) = roster.iter().partition(|(_, id)| id == avery);
    let campaign = mine[0].0.clone();
    let prompt = {
        let w = emu.lock();
        let fallbacks: Vec<Value> = w
            .messages
            .iter()
            .filter(|m| m.channel_id == CHECKINS_CHANNEL)
            .map(|m| m.body.clone())
            .collect();
        for f in &fallbacks {
            assert_eq!(f["content"], format!("<@{blocked}>"), "{f}");
            assert_eq!(f["allowed_mentions"]["users"][0], blocked, "{f}");
        }
        let dm = w
            .direct_messages(avery)
            .into_iter()
            .find(|m| embed_text(&m.body).0.ends_with(&format!("· {campaign}")))
            .cloned()
            .expect("Avery's prompt for her campaign");
        assert!(w.direct_messages(blocked).is_empty());
        dm
    };
    let (title, description) = embed_text(&prompt.body);
    assert!(title.starts_with("Check-in · week 1 of "), "{title}");
    assert!(
        description.contains(&format!("how is {campaign} tracking")),
        "{description}"
    );
    assert!(description.contains("Planned spend to "), "{description}");
    assert!(description.contains("MQL milestone to "), "{description}");
    for (other_campaign, _) in &other {
        assert!(
            !description.contains(other_campaign.as_str()),
            "{other_campaign} in {description}"
        );
    }
    let at_risk = prompt.body["components"][0]["components"][1]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        at_risk.starts_with(&format!("checkin:{run_id}:w1:")),
        "{at_risk}"
    );
    assert!(
        at_risk.ends_with(":at_risk") && at_risk.len() <= 100,
        "{at_risk}"
    );

    // A non-owner's click: refused, privately, and no form.
    let message = stored_message_json(&prompt);
    emu.dispatch(
        "INTERACTION_CREATE",
        dm_button(
            "1310000000000000001",
            &prompt.channel_id,
            (OWNERS[2].0, OWNERS[2].1),
            &at_risk,
            message.clone(),
        ),
    );
    let refused = callback(&emu, "1310000000000000001").await;
    assert_eq!(refused["type"], 4, "{refused}");
    assert_eq!(
        refused["data"]["embeds"][0]["title"], "Not done",
        "{refused}"
    );

    // The owner's click records the status and opens the numbers form (type 9).
    emu.dispatch(
        "INTERACTION_CREATE",
        dm_button(
            "1310000000000000002",
            &prompt.channel_id,
            (avery, avery_name),
            &at_risk,
            message.clone(),
        ),
    );
    let form = callback(&emu, "1310000000000000002").await;
    assert_eq!(form["type"], 9, "{form}");
    assert_eq!(form["data"]["custom_id"], at_risk.as_str());
    let inputs: Vec<&str> = form["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["components"][0]["custom_id"].as_str())
        .collect();
    assert_eq!(
        inputs,
        ["spend_to_date", "leads", "mqls", "pipeline", "blockers"]
    );

    // The form, submitted twice (a redelivery): numbers for that campaign, once.
    let values = [
        ("spend_to_date", "12,500.50"),
        ("leads", "300"),
        ("mqls", "96"),
        ("pipeline", "$48,000"),
        ("blockers", "Creative waiting on legal"),
    ];
    for id in ["1310000000000000003", "1310000000000000004"] {
        emu.dispatch(
            "INTERACTION_CREATE",
            dm_modal_submit(
                id,
                &prompt.channel_id,
                (avery, avery_name),
                &at_risk,
                &values,
            ),
        );
        let done = callback(&emu, id).await;
        let (title, text) = embed_text(&done["data"]);
        assert!(
            text.contains(&format!(
                "Week 1, {campaign}: at risk and your numbers recorded"
            )),
            "{done}"
        );
        let expected = if id.ends_with('3') {
            "Recorded"
        } else {
            "Already recorded"
        };
        assert_eq!(title, expected, "{done}");
    }
    // The same click again: counts once (the form opens again).
    emu.dispatch(
        "INTERACTION_CREATE",
        dm_button(
            "1310000000000000002",
            &prompt.channel_id,
            (avery, avery_name),
            &at_risk,
            message,
        ),
    );
    let again = nth_callback(&emu, "1310000000000000002", 2).await;
    assert_eq!(again["type"], 9, "{again}");

    let run = answered_checkins(&url, &run_id).await;
    let week = &run.checkins[0];
    let entry = |c: &str| week.entries.iter().find(|e| e.campaign == c).unwrap();
    let mine_entry = entry(&campaign);
    assert_eq!(mine_entry.status, CheckinStatus::AtRisk);
    let n = mine_entry.numbers.as_ref().expect("numbers recorded");
    assert_eq!(
        (n.spend_to_date, n.leads, n.mqls, n.pipeline),
        (12_500.5, 300.0, 96.0, 48_000.0)
    );
    assert_eq!(n.blockers, ["Creative waiting on legal"]);
    for (c, _) in mine.iter().skip(1).chain(other.iter()) {
        assert_eq!(entry(c).status, CheckinStatus::Pending, "{c}");
        assert!(entry(c).numbers.is_none(), "{c}");
    }
    let store = Store::connect(&url, 1).await.unwrap();
    let trail = store.audit_trail(&run_id).await.unwrap();
    store.close().await;
    let recorded = trail
        .iter()
        .filter(|a| a.entry.action == "checkin" && a.entry.detail.contains(campaign.as_str()))
        .count();
    assert_eq!(
        recorded, 2,
        "the status, then the numbers; redeliveries add nothing"
    );

    let violations = emu.lock().violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn a_refused_check_in_dm_goes_once_to_the_campaigns_kickoff_thread() {
    prompt_in_kickoff_thread(None).await;
}

#[tokio::test]
async fn a_refused_check_in_dm_goes_to_the_kickoff_thread_on_postgres() {
    let pg = crate::helpers::PgDb::new().await;
    prompt_in_kickoff_thread(Some(&pg.url)).await;
    pg.drop_db().await;
}

/// `serve` delivers the kickoff (a thread per campaign) and then week 1's prompts; the
/// owner who refuses direct messages finds each prompt in their campaign's thread.
async fn prompt_in_kickoff_thread(database: Option<&str>) {
    let (emu, setup, url) = with_members(database).await;
    let (run_id, roster) = quarter_at_first_check_in(&setup, &url, true).await;
    let blocked = OWNERS[1].0;
    emu.block_direct_messages(blocked);
    let theirs: Vec<String> = roster
        .iter()
        .filter(|(_, id)| id == blocked)
        .map(|(c, _)| c.clone())
        .collect();
    assert!(!theirs.is_empty(), "{roster:?}");

    let _bot = started_on(&emu, &setup, "kickoff-thread", database).await;

    // Each of their prompts lands in the thread of that campaign's kickoff post (the
    // thread has the post's message id), and its outbox row says so.
    let store = Store::connect(&url, 1).await.unwrap();
    let mut threads = Vec::new();
    for campaign in &theirs {
        let slug = quarterdeck::engine::slug(campaign);
        let prompt_key = format!("{run_id}/checkin/w01/prompt/{slug}");
        let mut note = None;
        for _ in 0..600 {
            note = crate::delivery::last_error(&url, &prompt_key).await.1;
            if note.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let kickoff = store
            .post(&format!("{run_id}/s12/campaign/{slug}"))
            .await
            .unwrap()
            .and_then(|r| r.message_id)
            .expect("the kickoff post was delivered");
        let note = note.unwrap_or_default();
        assert!(
            note.contains("Discord code 50007")
                && note.ends_with(&format!("mentioned in thread {kickoff}")),
            "{prompt_key}: {note}"
        );
        threads.push((campaign.clone(), kickoff));
    }
    store.close().await;
    let w = emu.lock();
    for (campaign, thread) in &threads {
        assert!(
            w.threads.contains_key(thread),
            "{campaign}: no thread {thread}"
        );
        let prompts: Vec<&Value> = w
            .messages
            .iter()
            .filter(|m| &m.channel_id == thread)
            .map(|m| &m.body)
            .filter(|b| embed_text(b).0.starts_with("Check-in · week 1 of "))
            .collect();
        assert_eq!(prompts.len(), 1, "{campaign}: {prompts:?}");
        assert_eq!(prompts[0]["content"], format!("<@{blocked}>"));
        assert!(embed_text(prompts[0]).0.ends_with(&format!("· {campaign}")));
    }
    assert!(
        !w.messages.iter().any(|m| m.channel_id == CHECKINS_CHANNEL),
        "nothing in the check-ins channel"
    );
    assert!(w.direct_messages(blocked).is_empty());
    let violations = w.violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
}

/// The emulator, a setup whose owners and approvers have chat ids, and the store's URL:
/// the setup's SQLite file, or `database`.
pub(super) async fn with_members(database: Option<&str>) -> (Emulator, Setup, String) {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    setup.append(&members_config());
    let url = match database {
        Some(u) => u.to_owned(),
        None => quarterdeck::config::load(Some(&setup.config), Vec::new())
            .unwrap()
            .database
            .url
            .expose()
            .to_owned(),
    };
    (emu, setup, url)
}
