//! Approvals through `serve` against the emulator: the live tally is one message edited
//! in place (PATCH) after each decision, reactions on the approval request count like
//! buttons (members only, once), and a kill between a decision and its tally edit leaves
//! one tally, edited after the restart.

use serde_json::{Value, json};

use quarterdeck::store::{NewAudit, Store};

use super::bot::{
    APPROVALS_CHANNEL, DEFAULT_CHANNEL, MARKETING_ROLE, RUN_STAGES_ROLE, Setup, quiet_quarter,
};
use super::emulator::{EditFault, Emulator, Posted, World, member, slash};
use super::serve::{command_id, reply, stage_run, started};

const SALES_ROLE: &str = "1170000000000000011";
const FINANCE_ROLE: &str = "1170000000000000012";
const TALLY_V1: &str = "Plan v1 · approval tally";
const EDIT_ROUTE: &str = "/channels/{channel_id}/messages/{message_id}";

fn three_groups(setup: &Setup) {
    setup.append(&format!(
        r#"
[[teams.stakeholders]]
group = "sales"
label = "Sales leadership"
role_ids = ["{SALES_ROLE}"]
quorum = 1

[[teams.stakeholders]]
group = "finance"
label = "Finance"
role_ids = ["{FINANCE_ROLE}"]
quorum = 1
"#
    ));
}

fn title(m: &Posted) -> &str {
    m.body["embeds"][0]["title"].as_str().unwrap_or_default()
}

fn posts_titled<'w>(w: &'w World, t: &str) -> Vec<&'w Posted> {
    w.messages
        .iter()
        .filter(|m| m.channel_id == APPROVALS_CHANNEL && title(m) == t)
        .collect()
}

/// The tally's text as it stands (after every edit applied so far).
fn tally_text(w: &World) -> Option<String> {
    posts_titled(w, TALLY_V1)
        .first()
        .and_then(|m| m.body["embeds"][0]["description"].as_str())
        .map(str::to_owned)
}

/// Edits of message `id` that Discord applied (answered 200).
fn applied_edits(w: &World, id: &str) -> usize {
    w.requests
        .iter()
        .filter(|r| {
            r.method == "PATCH"
                && r.route.as_deref() == Some(EDIT_ROUTE)
                && r.path.ends_with(&format!("/{id}"))
                && r.status == 200
        })
        .count()
}

async fn tally_says(emu: &Emulator, what: &str, needle: &str) -> String {
    emu.wait_for(60, what, |w| tally_text(w).filter(|t| t.contains(needle)))
        .await
}

/// Runs stages 1–10 and opens the approval round on plan v1; returns the request's and
/// the tally's message ids.
async fn open_round(emu: &Emulator) -> (String, String) {
    for n in 1..=11u8 {
        stage_run(
            emu,
            &format!("13100000000000000{n:02}"),
            &[RUN_STAGES_ROLE],
            n,
        );
        let expected = if n == 11 {
            "Stage 11 · Approve plan v1".to_owned()
        } else {
            format!("Stage {n} ·")
        };
        let channel = if n == 11 {
            APPROVALS_CHANNEL
        } else {
            DEFAULT_CHANNEL
        };
        emu.wait_for(120, &format!("stage {n}'s post"), |w| {
            w.messages
                .iter()
                .any(|m| m.channel_id == channel && title(m).starts_with(&expected))
                .then_some(())
        })
        .await;
    }
    emu.wait_for(60, "the request and its tally", |w| {
        let request = posts_titled(w, "Stage 11 · Approve plan v1")
            .first()?
            .id
            .clone();
        let tally = posts_titled(w, TALLY_V1).first()?.id.clone();
        Some((request, tally))
    })
    .await
}

/// Every audit row of the team's run, oldest first.
async fn audit_trail(setup: &Setup) -> Vec<NewAudit> {
    let url = format!("sqlite://{}", setup.dir.path().join("bot.db").display());
    let store = Store::connect(&url, 1).await.unwrap();
    let run_id = format!("growth/{}", quiet_quarter());
    let rows = store.audit_trail(&run_id).await.unwrap();
    store.close().await;
    rows.into_iter().map(|r| r.entry).collect()
}

fn approve_command(emu: &Emulator, id: &str, who: Value) {
    let cmd = command_id(&emu.lock(), "approve");
    let options = json!([{ "name": "comment", "type": 3, "value": "Reserve covers the pilot" }]);
    emu.dispatch(
        "INTERACTION_CREATE",
        slash(
            id,
            &cmd,
            APPROVALS_CHANNEL,
            who,
            ("approve", None),
            options,
            None,
        ),
    );
}

#[tokio::test]
async fn the_tally_is_one_message_edited_by_commands_and_reactions_and_survives_a_kill_before_its_edit()
 {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    three_groups(&setup);
    let mut bot = started(&emu, &setup, "tally").await;
    let (request, tally) = open_round(&emu).await;
    let first = tally_text(&emu.lock()).unwrap();
    assert!(
        first.contains("Marketing leadership**: 0 of 1 approval needed"),
        "{first}"
    );
    assert!(first.contains("- no decision yet"), "{first}");

    // Marketing approves by command: the tally is edited, not posted again.
    let morgan = member("1150000000000000031", "Morgan", &[MARKETING_ROLE]);
    approve_command(&emu, "1310000000000000100", morgan);
    let _ = reply(&emu, "1310000000000000100").await;
    let text = tally_says(&emu, "marketing in the tally", "Morgan approved").await;
    assert!(text.contains("Marketing leadership**: 1 of 1"), "{text}");
    assert!(
        text.contains("Morgan approved: Reserve covers the pilot"),
        "{text}"
    );

    // Someone in no stakeholder group reacts ✅: ignored, and the refusal is audited.
    let outsider = member("1150000000000000039", "Quinn", &[]);
    emu.react(APPROVALS_CHANNEL, &request, outsider, "✅");
    // Sales reacts ✅ on the request; the same reaction arrives twice.
    let sam = member("1150000000000000032", "Sam", &[SALES_ROLE]);
    emu.react(APPROVALS_CHANNEL, &request, sam.clone(), "✅");
    emu.react(APPROVALS_CHANNEL, &request, sam, "✅");
    let text = tally_says(&emu, "sales in the tally", "Sam approved").await;
    assert!(text.contains("Sales leadership**: 1 of 1"), "{text}");
    assert!(!text.contains("Quinn"), "{text}");
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    {
        let w = emu.lock();
        let text = tally_text(&w).unwrap();
        assert_eq!(text.matches("Sam approved").count(), 1, "{text}");
        assert_eq!(applied_edits(&w, &tally), 2, "one edit per decision");
    }
    // The audit trail, read from the bot's own database: Quinn's reaction is a refusal;
    // Sam's second delivery is refused as a duplicate, his approval recorded once.
    let trail = audit_trail(&setup).await;
    let quinn: Vec<&NewAudit> = trail.iter().filter(|a| a.actor_name == "Quinn").collect();
    assert_eq!(quinn.len(), 1, "{trail:#?}");
    assert_eq!(quinn[0].outcome, "rejected");
    let sam: Vec<(&str, &str)> = trail
        .iter()
        .filter(|a| a.actor_name == "Sam")
        .map(|a| (a.action.as_str(), a.outcome.as_str()))
        .collect();
    assert_eq!(
        sam,
        [("approve", "accepted"), ("verdict", "rejected")],
        "{trail:#?}"
    );

    // Finance approves by reaction, but the tally's edit never gets an answer: the
    // decision is committed, the bot is killed before it can record the edit.
    emu.inject_edits(&[EditFault::Hang]);
    let kim = member("1150000000000000034", "Kim", &[FINANCE_ROLE]);
    emu.react(APPROVALS_CHANNEL, &request, kim, "✅");
    emu.wait_for(60, "the tally edit in flight", |w| {
        w.requests
            .iter()
            .any(|r| r.method == "PATCH" && r.status == 0 && r.path.ends_with(&format!("/{tally}")))
            .then_some(())
    })
    .await;
    bot.kill();
    assert!(tally_text(&emu.lock()).is_some_and(|t| !t.contains("Kim")));

    let _again = started(&emu, &setup, "tally-again").await;
    let text = tally_says(
        &emu,
        "finance in the tally after the restart",
        "Kim approved",
    )
    .await;
    assert!(text.contains("is approved by every group"), "{text}");
    for name in ["Morgan approved", "Sam approved", "Kim approved"] {
        assert_eq!(text.matches(name).count(), 1, "{name}: {text}");
    }
    emu.wait_for(60, "the approval announcement", |w| {
        (!posts_titled(w, "Plan v1 approved").is_empty()).then_some(())
    })
    .await;
    // A reaction on the tally, a message posted before the restart, is still found: the
    // plan is approved now, so Morgan's ❌ is refused and audited (an unknown message
    // would be ignored without a trace).
    let morgan = member("1150000000000000031", "Morgan", &[MARKETING_ROLE]);
    emu.react(APPROVALS_CHANNEL, &tally, morgan, "❌");
    let mut refused = Vec::new();
    for _ in 0..100 {
        refused = audit_trail(&setup)
            .await
            .into_iter()
            .filter(|a| a.actor_name == "Morgan" && a.outcome == "rejected")
            .collect();
        if !refused.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(refused.len(), 1, "Morgan's reaction after the restart");
    assert!(
        refused[0].detail.contains("no plan is out for approval"),
        "{refused:?}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let w = emu.lock();
    assert_eq!(posts_titled(&w, TALLY_V1).len(), 1, "one tally message");
    assert_eq!(posts_titled(&w, "Plan v1 approved").len(), 1);
    assert_eq!(applied_edits(&w, &tally), 3, "edited once per decision");
    // No verdict posts besides the tally: approvals are confirmed by its edits.
    assert!(posts_titled(&w, "Plan v1 · Sales leadership").is_empty());
    assert!(w.violations.is_empty(), "{:#?}", w.violations);
}
