//! A quarter's people side end to end, as the team sees it in Discord: `serve` posts the
//! kickoff (a thread per campaign), each week's prompts by direct message and each
//! week's digest; one owner answers week 1 on time with numbers (button, then the
//! form), one answers after the close (the week's digest is edited in place), one never
//! answers (missed); at the quarter's end come the completion and success-criteria
//! posts, and `serve`'s keeper stores the actuals under `<data_dir>/actuals/<quarter>/`,
//! announces them once, and stage 1's readers read them back.
//!
//! Time passes in process, as in `checkins.rs`: an engine on the same database runs the
//! due jobs on a manual clock (the quarter lies months ahead of the real one, so
//! `serve`'s own scheduler has nothing due); `serve` delivers what they post and takes
//! the owners' answers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, Utc};
use quarterdeck::clock::ManualClock;
use quarterdeck::domain::{QuarterRun, RunStatus};
use quarterdeck::engine::{Engine, deliver_outbox, slug};
use quarterdeck::sources::{CsvTable, Quarters, read_plans, read_spend};
use quarterdeck::store::Store;

use super::bot::{CHECKINS_CHANNEL, DEFAULT_CHANNEL, Setup};
use super::checkins::{
    Approved, OWNERS, approved_quarter, callback, embed_text, started_on, with_members,
};
use super::emulator::{Emulator, Posted, World, dm_button, dm_modal_submit, stored_message_json};

/// The quarter's engine in this process, on a manual clock, beside `serve`.
struct InProcess {
    engine: Engine,
    clock: Arc<ManualClock>,
    store: Store,
    run_id: String,
}

impl InProcess {
    /// Opens the setup's quarter and runs it to its week-1 check-in: stages 1–10, the
    /// plan approved (those posts delivered to a transcript: they are not this test's),
    /// then kickoff and week 1's prompts, left in the outbox for `serve`.
    async fn at_first_check_in(setup: &Setup, url: &str) -> Self {
        let Approved {
            engine,
            clock,
            store,
            run_id,
            ..
        } = approved_quarter(setup, url, "time").await;
        let transcript =
            quarterdeck::transcript::Transcript::open(&setup.dir.path().join("before.jsonl"))
                .unwrap();
        deliver_outbox(engine.store(), &transcript, clock.as_ref())
            .await
            .unwrap();
        let q = Self {
            engine,
            clock,
            store,
            run_id,
        };
        q.until("week 1 open", |r| {
            r.checkins.first().is_some_and(|w| w.open)
        })
        .await;
        q
    }

    async fn run(&self) -> QuarterRun {
        self.store
            .load_run(&self.run_id)
            .await
            .unwrap()
            .unwrap()
            .run
    }

    /// Runs the due jobs in order, moving the clock to each, until `done` holds.
    async fn until(&self, what: &str, done: impl Fn(&QuarterRun) -> bool) {
        for _ in 0..2_000 {
            if done(&self.run().await) {
                return;
            }
            let next = self.store.next_due().await.unwrap();
            let next = next.unwrap_or_else(|| panic!("{what}: no job is due any more"));
            self.clock.advance_to(next);
            self.engine.run_due().await.unwrap();
        }
        panic!("{what}: not reached after 2000 steps");
    }
}

/// The embeds, content and attachments of a message, as one text to search.
fn shown(m: &Posted) -> String {
    m.body.to_string()
}

/// A digest's current detail: its headline, then the thread's parts after the last
/// "Updated" note (all of them when it was never edited); `table` is the CSV of its
/// per-campaign table (a wide table is attached as PNG + CSV).
struct Detail {
    text: String,
    table: String,
    updates: usize,
}

fn latest_detail(w: &World, m: &Posted) -> Detail {
    let thread: Vec<&Posted> = w.messages.iter().filter(|p| p.channel_id == m.id).collect();
    let is_note = |p: &Posted| {
        p.body["content"]
            .as_str()
            .is_some_and(|c| c.starts_with("**Updated "))
    };
    let updates = thread.iter().filter(|p| is_note(p)).count();
    let from = thread.iter().rposition(|p| is_note(p)).map_or(0, |i| i + 1);
    let mut text = shown(m);
    let mut table = String::new();
    for part in &thread[from..] {
        text.push('\n');
        text.push_str(&shown(part));
        for (name, bytes) in &part.files {
            if name.ends_with(".csv") {
                table.push_str(&String::from_utf8_lossy(bytes));
            }
        }
    }
    Detail {
        text,
        table,
        updates,
    }
}

fn in_channel<'w>(w: &'w World, channel: &str, title: &str) -> Vec<&'w Posted> {
    w.messages
        .iter()
        .filter(|m| m.channel_id == channel && embed_text(&m.body).0 == title)
        .collect()
}

/// Days from `a` to `b`, both counted.
fn days(a: NaiveDate, b: NaiveDate) -> f64 {
    ((b - a).num_days() + 1) as f64
}

/// Dollars as the posts show them: `$12,345`.
fn dollars(x: f64) -> String {
    let whole = format!("{:.0}", x.round());
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("${out}")
}

/// An owner's week-1 answer through `serve`: the status button in their direct message,
/// then the numbers form it opens. Returns the confirmation's text.
async fn answer(
    emu: &Emulator,
    ids: (&str, &str),
    owner: (&str, &str),
    campaign: &str,
    values: &[(&str, &str)],
) -> String {
    let prompt = emu
        .lock()
        .direct_messages(owner.0)
        .into_iter()
        .find(|m| embed_text(&m.body).0.ends_with(&format!("· {campaign}")))
        .cloned()
        .unwrap_or_else(|| panic!("{campaign}: no prompt for {}", owner.1));
    let on_track = prompt.body["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(on_track.ends_with(":on_track"), "{on_track}");
    emu.dispatch(
        "INTERACTION_CREATE",
        dm_button(
            ids.0,
            &prompt.channel_id,
            owner,
            &on_track,
            stored_message_json(&prompt),
        ),
    );
    let form = callback(emu, ids.0).await;
    assert_eq!(form["type"], 9, "{form}");
    emu.dispatch(
        "INTERACTION_CREATE",
        dm_modal_submit(ids.1, &prompt.channel_id, owner, &on_track, values),
    );
    let done = callback(emu, ids.1).await;
    let (title, text) = embed_text(&done["data"]);
    assert_eq!(title, "Recorded", "{done}");
    text
}

#[tokio::test]
async fn a_quarter_of_check_ins_through_discord_ends_in_stored_actuals() {
    whole_quarter(None).await;
}

#[tokio::test]
async fn a_quarter_of_check_ins_through_discord_on_postgres() {
    let pg = crate::helpers::PgDb::new().await;
    whole_quarter(Some(&pg.url)).await;
    pg.drop_db().await;
}

async fn whole_quarter(database: Option<&str>) {
    let began = Instant::now();
    let (emu, setup, url) = with_members(database).await;
    let q = InProcess::at_first_check_in(&setup, &url).await;
    let run = q.run().await;
    let ctx = q.engine.setup(&q.run_id).unwrap().ctx.clone();
    let week1 = ctx.local_date(ctx.checkins[0]);
    let campaigns = run.approved_campaigns();
    let roster: Vec<(String, String)> = run
        .roster
        .iter()
        .map(|r| (r.campaign.clone(), r.owner_id.clone().unwrap_or_default()))
        .collect();
    // Three campaigns running in week 1 whose owners differ: one answers on time, one
    // late, one never.
    let mut picked: Vec<(String, (&str, &str))> = Vec::new();
    for (campaign, owner) in &roster {
        let started = campaigns
            .iter()
            .any(|c| &c.name == campaign && c.start <= week1);
        let person = OWNERS.iter().find(|(id, _)| id == owner);
        if let Some(&(id, name)) = person.filter(|_| started)
            && !picked.iter().any(|(_, (o, _))| *o == id)
        {
            picked.push((campaign.clone(), (id, name)));
        }
    }
    assert!(
        picked.len() >= 3,
        "three owners with a running campaign: {roster:?}"
    );
    let (on_time, avery) = picked[0].clone();
    let (late, jordan) = picked[1].clone();
    let (silent, riley) = picked[2].clone();

    let _bot = started_on(&emu, &setup, "quarter", database).await;

    // Kickoff: one post per campaign, each with a thread; week 1's prompts by direct
    // message, one per campaign to its owner.
    emu.wait_for(60, "kickoff and week 1's prompts delivered", |w| {
        let dms: usize = OWNERS
            .iter()
            .map(|(id, _)| w.direct_messages(id).len())
            .sum();
        (dms == roster.len()).then_some(())
    })
    .await;
    for (campaign, owner) in &roster {
        let kickoff = q
            .store
            .post(&format!("{}/s12/campaign/{}", q.run_id, slug(campaign)))
            .await
            .unwrap()
            .and_then(|r| r.message_id)
            .expect("the kickoff post was delivered");
        let w = emu.lock();
        let m = w.messages.iter().find(|m| m.id == kickoff).unwrap();
        assert!(
            shown(m).contains(campaign.as_str()),
            "{campaign}: {}",
            shown(m)
        );
        assert!(w.threads.contains_key(&kickoff), "{campaign}: no thread");
        let prompts: Vec<_> = w
            .direct_messages(owner)
            .into_iter()
            .filter(|m| {
                embed_text(&m.body).0
                    == format!("Check-in · week 1 of {} · {campaign}", ctx.checkins.len())
            })
            .collect();
        assert_eq!(prompts.len(), 1, "{campaign}'s week-1 prompt");
    }

    // On time: Avery's numbers for her campaign, by button and form.
    let said = answer(
        &emu,
        ("1320000000000000001", "1320000000000000002"),
        avery,
        &on_time,
        &[
            ("spend_to_date", "4,000"),
            ("leads", "120"),
            ("mqls", "30"),
            ("pipeline", "15000"),
        ],
    )
    .await;
    assert!(
        said.contains(&format!("Week 1, {on_time}: on track")),
        "{said}"
    );

    // The window closes: the silent are missed and the digest is posted.
    q.until("week 1 closed", |r| !r.checkins[0].open).await;
    let title = "Check-in summary · week 1";
    // Its thread is complete when its last part, the table's files, has landed.
    let (digest, text) = emu
        .wait_for(30, "week 1's digest and its thread", |w| {
            let m = in_channel(w, CHECKINS_CHANNEL, title).first().copied()?;
            let detail = latest_detail(w, m);
            (!detail.table.is_empty()).then(|| (m.clone(), detail.text))
        })
        .await;
    // Pacing worked by hand: a campaign's planned spend to a date is its budget pro rata
    // of its days; the week's plan is the sum over the campaigns.
    let planned_to = |c: &quarterdeck::domain::CampaignFigures| {
        if c.start > week1 {
            0.0
        } else {
            c.budget * days(c.start, week1.min(c.end)) / days(c.start, c.end)
        }
    };
    let planned: f64 = campaigns.iter().map(planned_to).sum();
    let pace = format!(
        "Spend $4,000 of {} planned ({:.0}%)",
        dollars(planned),
        4_000.0 / planned * 100.0
    );
    assert!(text.contains(&pace), "{pace}: {text}");
    let c = campaigns.iter().find(|c| c.name == on_time).unwrap();
    let under = (1.0 - 4_000.0 / planned_to(c)) * 100.0;
    assert!(under > 15.0, "off pace beyond the tolerance: {under}");
    let escalated = format!("{on_time} is under plan by {under:.0}% ({})", avery.1);
    assert!(text.contains(&escalated), "{escalated}: {text}");
    assert!(text.contains(&format!("<@{}>", riley.0)), "{text}");
    assert!(!text.contains("@everyone"), "{text}");

    // Late: Jordan answers after the close; the same digest message now has it.
    let said = answer(
        &emu,
        ("1320000000000000003", "1320000000000000004"),
        jordan,
        &late,
        &[
            ("spend_to_date", "2,500"),
            ("leads", "40"),
            ("mqls", "10"),
            ("pipeline", "5000"),
        ],
    )
    .await;
    assert!(
        said.contains(&format!("Week 1, {late}: on track")),
        "{said}"
    );
    // The click edits it (the status), then the form (the numbers): each edit replaces
    // the headline and posts the detail again in the digest's thread under a note.
    let (edited, detail) = emu
        .wait_for(30, "week 1's digest edited in place", |w| {
            let m = w.messages.iter().find(|m| m.id == digest.id)?;
            let detail = latest_detail(w, m);
            detail
                .text
                .contains("Spend $6,500 of ")
                .then(|| (m.clone(), detail))
        })
        .await;
    // The message keeps its id; the counts, pace and who has not checked in are current.
    let text = shown(&edited);
    assert!(
        text.contains(&format!(
            "2 on track, 0 at risk, 0 off track, {} did not check in",
            roster.len() - 2
        )),
        "{text}"
    );
    let pace = format!(
        "Spend $6,500 of {} planned ({:.0}%)",
        dollars(planned),
        6_500.0 / planned * 100.0
    );
    assert!(detail.text.contains(&pace), "{pace}: {}", detail.text);
    // The per-campaign table in the thread is current too: the late campaign's row has
    // its owner's status and spend.
    let row = detail
        .table
        .lines()
        .find(|l| l.starts_with(&format!("{late},")))
        .unwrap_or_else(|| panic!("{late}'s row: {}", detail.table));
    assert!(
        row.contains("on track") && row.contains("\"$2,500 / "),
        "{row}"
    );
    // Two edits (the click, the form), each posted into the thread once.
    assert_eq!(detail.updates, 2, "one detail per edit: {}", detail.text);
    assert_eq!(
        in_channel(&emu.lock(), CHECKINS_CHANNEL, title).len(),
        1,
        "one digest for week 1, edited"
    );

    // The rest of the quarter: every week's prompts and digest, then the end.
    q.until("the quarter completed", |r| {
        r.status == RunStatus::Completed
    })
    .await;
    let weeks = ctx.checkins.len();
    let owed = weeks * roster.len();
    let quarter = &ctx.quarter;
    let end = emu
        .wait_for(60, "the quarter's end posts", |w| {
            let done = in_channel(w, DEFAULT_CHANNEL, &format!("{quarter} complete"));
            let criteria = w
                .messages
                .iter()
                .find(|m| embed_text(&m.body).0 == "Success criteria · quarter end");
            Some((done.first()?.body.clone(), criteria?.body.clone()))
        })
        .await;
    {
        let w = emu.lock();
        for week in 1..=weeks {
            let title = format!("Check-in summary · week {week}");
            assert_eq!(in_channel(&w, CHECKINS_CHANNEL, &title).len(), 1, "{title}");
        }
        let prompts: usize = OWNERS
            .iter()
            .map(|(id, _)| w.direct_messages(id).len())
            .sum();
        assert_eq!(prompts, owed, "a prompt per campaign and week");
    }
    assert!(
        embed_text(&end.0).1.contains(&format!(
            "{weeks} weekly check-ins, 2 of the {owed} campaign updates owed received"
        )),
        "{}",
        end.0
    );
    let pct = 2.0 / owed as f64 * 100.0;
    assert!(
        end.1.to_string().contains(&format!(
            "Check-in completion: 2 of the {owed} check-ins owed answered ({pct:.1}%)"
        )),
        "{}",
        end.1
    );

    // The actuals: stored by `serve`'s keeper, announced once with both files.
    let folder = setup.data_dir().join("actuals").join(quarter);
    // Two files: the headline, then both in its thread (posted after the headline, so
    // wait for the thread too rather than reading it the moment the headline lands).
    let files: Vec<(String, Vec<u8>)> = emu
        .wait_for(30, "the actuals announced with both files", |w| {
            let a = in_channel(w, DEFAULT_CHANNEL, &format!("{quarter} actuals stored"));
            let announced = a.first()?;
            let thread = w.messages.iter().filter(|m| m.channel_id == announced.id);
            let files: Vec<(String, Vec<u8>)> = std::iter::once(*announced)
                .chain(thread)
                .flat_map(|m| m.files.clone())
                .collect();
            (files.len() >= 2).then_some(files)
        })
        .await;
    for (name, bytes) in &files {
        let on_disk = std::fs::read(folder.join(name)).unwrap();
        assert_eq!(*bytes, on_disk, "{name} attached as stored");
    }
    let mut attached: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    attached.sort_unstable();
    assert_eq!(attached, ["campaigns.csv", "spend.csv"]);

    // Read back as stage 1 reads last quarter: each answering campaign's spend is what
    // its owner reported; the plan's campaigns with their budgets. A row is dated the
    // day its answer was taken: `serve` runs on the real clock while the quarter is
    // simulated months ahead, so its rows fall in today's quarter, which stage 1 is
    // asked to read (in a live quarter, the answers fall in the quarter itself).
    let today = Utc::now().date_naive();
    let first_month = (today.month0() / 3) * 3 + 1;
    let this_quarter = NaiveDate::from_ymd_opt(today.year(), first_month, 1).unwrap();
    let next_quarter = this_quarter + chrono::Months::new(3);
    let answered = Quarters {
        current_start: this_quarter,
        current_end: next_quarter.pred_opt().unwrap(),
        through: None,
    };
    let stored = std::fs::read_to_string(folder.join("spend.csv")).unwrap();
    let spend = read_spend(
        &CsvTable::read(&folder.join("spend.csv")).unwrap(),
        &answered,
    )
    .unwrap();
    assert!(
        stored
            .lines()
            .skip(1)
            .all(|l| l.starts_with(&format!("{today},"))),
        "dated the day serve took the answer: {stored}"
    );
    assert!(
        spend
            .iter()
            .all(|l| l.period == quarterdeck_analyses::roi::Period::Current),
        "{spend:?}"
    );
    let quarters = Quarters {
        current_start: ctx.quarter_start,
        current_end: ctx.quarter_end,
        through: None,
    };
    let total = |campaign: &str| -> f64 {
        spend
            .iter()
            .filter(|l| l.campaign == campaign)
            .map(|l| l.spend)
            .sum()
    };
    let stored = std::fs::read_to_string(folder.join("spend.csv")).unwrap();
    assert_eq!(total(&on_time), 4_000.0, "{stored}");
    assert_eq!(total(&late), 2_500.0);
    assert_eq!(total(&silent), 0.0);
    assert_eq!(spend.len(), 2, "one row per answer: {spend:?}");
    let plans = read_plans(
        &CsvTable::read(&folder.join("campaigns.csv")).unwrap(),
        &quarters,
    )
    .unwrap();
    assert_eq!(plans.len(), campaigns.len());
    for c in &campaigns {
        let p = plans.iter().find(|p| p.campaign == c.name).unwrap();
        assert!((p.planned_budget - c.budget).abs() < 0.005, "{}", c.name);
    }

    // Said once: the keeper's next pass (every ten polls, 10 s here) adds nothing.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let title = format!("{quarter} actuals stored");
    let (announcements, violations) = {
        let w = emu.lock();
        (
            in_channel(&w, DEFAULT_CHANNEL, &title).len(),
            w.violations.clone(),
        )
    };
    assert_eq!(announcements, 1);
    assert!(violations.is_empty(), "{violations:#?}");
    eprintln!(
        "whole quarter through serve: {weeks} weeks, {} campaigns, {owed} prompts, in {:?}",
        roster.len(),
        began.elapsed()
    );
    q.store.close().await;
}
