//! `/timezone` through `serve` against the emulator: autocomplete over the zone names
//! with each one's current time, an unknown zone refused by name, the chosen zone stored
//! and used where the bot states a time to that person (`/whoami`, `/away`).

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::bot::{DEFAULT_CHANNEL, Setup};
use super::emulator::{Emulator, member, slash};
use super::serve::{command_id, reply, started};

const ALEX: &str = "1150000000000000041";

fn ask(emu: &Emulator, id: &str, user: &str, path: (&str, Option<&str>), options: Value) {
    let cmd = command_id(&emu.lock(), path.0);
    let m = member(user, "Alex", &[]);
    emu.dispatch(
        "INTERACTION_CREATE",
        slash(id, &cmd, DEFAULT_CHANNEL, m, path, options, None),
    );
}

fn text(reply: &Value) -> String {
    let e = &reply["embeds"][0];
    let mut out = e["description"].as_str().unwrap_or_default().to_owned();
    for f in e["fields"].as_array().into_iter().flatten() {
        out.push_str(&format!("\n{}: {}", f["name"], f["value"]));
    }
    out
}

/// The hours (`YYYY-MM-DD HH`) it was in Tokyo (UTC+9, no summer time) over the last
/// two minutes, worked out here rather than by the bot's code.
fn tokyo_hours() -> [String; 2] {
    let now = Utc::now() + Duration::hours(9);
    let before = now - Duration::minutes(2);
    [
        before.format("%Y-%m-%d %H").to_string(),
        now.format("%Y-%m-%d %H").to_string(),
    ]
}

#[tokio::test]
async fn a_person_picks_a_zone_from_suggestions_and_the_bot_states_times_in_it() {
    let emu = Emulator::start().await;
    let setup = Setup::new(&emu.origin);
    let _bot = started(&emu, &setup, "timezone").await;

    // Autocomplete: zone names containing what was typed, each with its time now.
    let cmd = command_id(&emu.lock(), "timezone");
    let mut typing = slash(
        "1320000000000000001",
        &cmd,
        DEFAULT_CHANNEL,
        member(ALEX, "Alex", &[]),
        ("timezone", None),
        json!([{ "name": "zone", "type": 3, "value": "toky", "focused": true }]),
        None,
    );
    typing["type"] = json!(4);
    emu.dispatch("INTERACTION_CREATE", typing);
    let choices = emu
        .wait_for(20, "the suggestions", |w| {
            w.requests
                .iter()
                .find(|r| r.path.contains("/tok1320000000000000001/") && r.body["type"] == 8)
                .map(|r| r.body["data"]["choices"].clone())
        })
        .await;
    let first = &choices[0];
    assert_eq!(first["value"], "Asia/Tokyo", "{choices}");
    let label = first["name"].as_str().unwrap();
    assert!(
        tokyo_hours()
            .iter()
            .any(|h| label.starts_with(&format!("Asia/Tokyo (now {}:", &h[11..]))),
        "{label} vs {:?}",
        tokyo_hours()
    );

    // An unknown zone is refused, named, only to the caller.
    ask(
        &emu,
        "1320000000000000002",
        ALEX,
        ("timezone", None),
        json!([{ "name": "zone", "type": 3, "value": "Mars/Olympus" }]),
    );
    let refused = reply(&emu, "1320000000000000002").await;
    assert!(
        text(&refused).contains("`Mars/Olympus` is not a time zone name"),
        "{refused}"
    );
    assert_eq!(refused["flags"].as_u64().unwrap() & 64, 64);

    // Before choosing, /whoami states the team's zone.
    ask(
        &emu,
        "1320000000000000003",
        ALEX,
        ("whoami", None),
        json!([]),
    );
    let before = text(&reply(&emu, "1320000000000000003").await);
    assert!(before.contains("Europe/Berlin (the team's"), "{before}");

    ask(
        &emu,
        "1320000000000000004",
        ALEX,
        ("timezone", None),
        json!([{ "name": "zone", "type": 3, "value": "Asia/Tokyo" }]),
    );
    let set = reply(&emu, "1320000000000000004").await;
    assert!(text(&set).contains("Your time zone is Asia/Tokyo"), "{set}");
    assert_eq!(set["flags"].as_u64().unwrap() & 64, 64, "ephemeral");

    // /whoami and /away state the time in Tokyo.
    ask(
        &emu,
        "1320000000000000005",
        ALEX,
        ("whoami", None),
        json!([]),
    );
    let who = text(&reply(&emu, "1320000000000000005").await);
    assert!(who.contains("Asia/Tokyo (yours"), "{who}");
    assert!(
        tokyo_hours().iter().any(|h| who.contains(&format!("{h}:"))),
        "{who} vs {:?}",
        tokyo_hours()
    );
    let today = Utc::now().date_naive();
    let options = json!([
        { "name": "from", "type": 3, "value": (today + Duration::days(7)).to_string() },
        { "name": "until", "type": 3, "value": (today + Duration::days(9)).to_string() },
    ]);
    ask(&emu, "1320000000000000006", ALEX, ("away", None), options);
    let away = text(&reply(&emu, "1320000000000000006").await);
    assert!(away.contains("(Asia/Tokyo)"), "{away}");
    assert!(
        tokyo_hours()
            .iter()
            .any(|h| away.contains(&format!("Recorded {h}:"))),
        "{away}"
    );

    // Someone else still sees the team's zone.
    ask(
        &emu,
        "1320000000000000007",
        "1150000000000000042",
        ("whoami", None),
        json!([]),
    );
    let other = text(&reply(&emu, "1320000000000000007").await);
    assert!(other.contains("Europe/Berlin (the team's"), "{other}");

    let violations = emu.lock().violations.clone();
    assert!(violations.is_empty(), "{violations:#?}");
}
