//! Discord's message limits, and a check of a request body against them (the limits
//! the OpenAPI schema does not express: characters across all embeds, attachments
//! named by embeds, no markdown pipe tables, nonce length).

use serde_json::Value;

pub const CONTENT: usize = 2000;
pub const EMBEDS: usize = 10;
pub const TITLE: usize = 256;
pub const DESCRIPTION: usize = 4096;
pub const FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
pub const AUTHOR: usize = 256;
pub const EMBED_TOTAL: usize = 6000;
pub const ROWS: usize = 5;
pub const BUTTONS_PER_ROW: usize = 5;
pub const CUSTOM_ID: usize = 100;
pub const LABEL: usize = 80;
pub const FILES: usize = 10;
pub const NONCE: usize = 25;
/// Choices in one autocomplete answer.
pub const AUTOCOMPLETE_CHOICES: usize = 25;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Every way `body` (with `files` uploaded beside it) breaks Discord's limits.
pub fn check(body: &Value, files: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    let over = |bad: &mut Vec<String>, what: String, n: usize, max: usize| {
        if n > max {
            bad.push(format!("{what}: {n} > {max}"));
        }
    };
    over(&mut bad, "content".into(), chars(&body["content"]), CONTENT);
    over(&mut bad, "files".into(), files.len(), FILES);
    if let Some(n) = body.get("nonce") {
        over(&mut bad, "nonce".into(), chars(n), NONCE);
    }
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    over(&mut bad, "embeds".into(), embeds.len(), EMBEDS);
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        over(
            &mut bad,
            format!("embeds[{i}].title"),
            chars(&e["title"]),
            TITLE,
        );
        over(
            &mut bad,
            format!("embeds[{i}].description"),
            chars(&e["description"]),
            DESCRIPTION,
        );
        over(
            &mut bad,
            format!("embeds[{i}].footer"),
            chars(&e["footer"]["text"]),
            FOOTER,
        );
        total += chars(&e["title"]) + chars(&e["description"]) + chars(&e["footer"]["text"]);
        total += chars(&e["author"]["name"]);
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        over(
            &mut bad,
            format!("embeds[{i}].fields"),
            fields.len(),
            FIELDS,
        );
        for (j, f) in fields.iter().enumerate() {
            over(
                &mut bad,
                format!("embeds[{i}].fields[{j}].name"),
                chars(&f["name"]),
                FIELD_NAME,
            );
            over(
                &mut bad,
                format!("embeds[{i}].fields[{j}].value"),
                chars(&f["value"]),
                FIELD_VALUE,
            );
            total += chars(&f["name"]) + chars(&f["value"]);
        }
        for url in [&e["image"]["url"], &e["thumbnail"]["url"]] {
            if let Some(name) = url.as_str().and_then(|u| u.strip_prefix("attachment://"))
                && !files.iter().any(|f| f == name)
            {
                bad.push(format!(
                    "embeds[{i}] shows attachment://{name}, which is not uploaded"
                ));
            }
        }
        for text in [&e["description"], &e["title"]] {
            if has_pipe_table(text.as_str().unwrap_or_default()) {
                bad.push(format!("embeds[{i}] contains a markdown pipe table"));
            }
        }
    }
    over(
        &mut bad,
        "characters across embeds".into(),
        total,
        EMBED_TOTAL,
    );
    if has_pipe_table(body["content"].as_str().unwrap_or_default()) {
        bad.push("content contains a markdown pipe table".into());
    }
    let rows = body["components"].as_array().cloned().unwrap_or_default();
    over(&mut bad, "action rows".into(), rows.len(), ROWS);
    for (i, r) in rows.iter().enumerate() {
        let buttons = r["components"].as_array().cloned().unwrap_or_default();
        over(
            &mut bad,
            format!("components[{i}]"),
            buttons.len(),
            BUTTONS_PER_ROW,
        );
        for (j, b) in buttons.iter().enumerate() {
            over(
                &mut bad,
                format!("components[{i}][{j}].custom_id"),
                chars(&b["custom_id"]),
                CUSTOM_ID,
            );
            over(
                &mut bad,
                format!("components[{i}][{j}].label"),
                chars(&b["label"]),
                LABEL,
            );
        }
    }
    bad
}

/// A markdown pipe table: a line like `|---|---|` (its separator row).
pub fn has_pipe_table(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        t.starts_with('|')
            && t.contains("---")
            && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
    })
}
