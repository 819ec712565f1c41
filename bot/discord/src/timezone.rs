//! `/timezone`: each person's own zone, with autocomplete over the IANA names (each
//! choice shows the zone's current time). The app checks and stores it.

use poise::serenity_prelude as serenity;

use crate::gateway::{Ctx, Error, answer};
use crate::port::{Command, Suggestion};

/// Your time zone: times the bot states to you are shown in it
#[poise::command(slash_command)]
pub async fn timezone(
    ctx: Ctx<'_>,
    #[description = "A zone name such as Europe/Berlin; start typing a city"]
    #[autocomplete = "suggest_timezone"]
    zone: String,
) -> Result<(), Error> {
    answer(ctx, Command::Timezone { zone }, true).await
}

async fn suggest_timezone(ctx: Ctx<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let caller = crate::gateway::caller(ctx);
    let choices = ctx
        .data()
        .backend
        .suggest(&caller, Suggestion::Timezone, partial)
        .await
        .into_iter()
        .take(crate::render::limits::AUTOCOMPLETE_CHOICES)
        .map(|(label, value)| serenity::AutocompleteChoice::new(label, value))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}
