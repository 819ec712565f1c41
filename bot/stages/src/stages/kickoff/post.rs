//! The kickoff post: the approved version going live, the owners and the first check-in,
//! and the roster as a table.

use super::Kickoff;
use crate::chat::{Message, Table};
use crate::stages::stage_title;

/// The post and its headline.
pub fn message(k: &Kickoff) -> (Message, String) {
    let campaigns = k.roster.len();
    let owners = k.owners();
    let mut table = Table::new("Campaign owners", &["Campaign", "Owner"]);
    for r in &k.roster {
        table = table.row(vec![r.campaign.clone(), r.owner.clone()]);
    }
    let first = k.first_checkin.map_or_else(
        || "— (none left this quarter)".to_owned(),
        |t| t.format("%a %-d %b %H:%M %Z").to_string(),
    );
    let message = Message::new(
        format!("{} — {} is live", stage_title(12), k.quarter),
        format!(
            "Plan v{} is approved and execution starts. {campaigns} campaigns, {owners} owners. \
             Weekly check-ins: {} in all, the first on {first}.",
            k.approved_version, k.checkins,
        ),
    )
    .table(table);
    (message, format!("{campaigns} campaigns, {owners} owners"))
}
